"""real_paths() resolves like os.path.realpath, folder by folder, also through symbolic links."""

from __future__ import annotations

import os
from pathlib import Path

from convenant_gen.pipeline.batch import real_paths


def test_real_paths_agree_with_realpath(tmp_path: Path, monkeypatch):
    regions = tmp_path / "regions"
    regions.mkdir()
    (regions / "a.yaml").write_text("x", encoding="utf-8")
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    (elsewhere / "b.yaml").write_text("x", encoding="utf-8")
    (regions / "b.yaml").symlink_to(elsewhere / "b.yaml")  # a linked file
    (tmp_path / "link").symlink_to(regions)  # a linked folder
    (regions / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    monkeypatch.chdir(regions)
    names = [
        "a.yaml",
        "./a.yaml",
        "b.yaml",
        "dangling.yaml",
        "../regions/a.yaml",
        f"{tmp_path}/link/a.yaml",
        f"{tmp_path}/link/b.yaml",
        f"{tmp_path}/link/../regions/a.yaml",
        f"{tmp_path}/link/.",
        "..",
        "missing.yaml",
    ]
    real = real_paths()
    for name in names * 2:  # the second time from the folder cache
        assert real(Path(name)) == os.path.realpath(name), name
