"""A no-op build does not read documents again whose fingerprint (size, mtime, ctime, inode,
device) is as recorded; any change to a document, even one that restores its size and mtime,
is still seen, and a file fingerprinted too soon after it changed is never trusted that way."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from convenant_gen.pipeline import batch
from convenant_gen.pipeline.batch import build_all
from tests.conftest import REGIONS, ROOT

TEMPLATES = ROOT / "templates"


@pytest.fixture
def region(tmp_path: Path) -> Path:
    folder = tmp_path / "regions"
    folder.mkdir()
    shutil.copy(REGIONS / "groot-amsterdam.yaml", folder)
    return folder / "groot-amsterdam.yaml"


def build(region: Path, out: Path):
    return build_all([region], out, templates=TEMPLATES, jobs=1).results[0]


def prints_of(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["kenmerken"]


def hashed(monkeypatch) -> list[str]:
    """The documents the build reads to hash them."""
    seen: list[str] = []
    real = batch._sha256_and_stat

    def counting(path):
        name = os.path.basename(path)
        if name.endswith("-groot-amsterdam.docx"):  # the documents, not the region file or templates
            seen.append(name)
        return real(path)

    monkeypatch.setattr(batch, "_sha256_and_stat", counting)
    return seen


def test_fresh_documents_are_not_fingerprinted_then_trusted_after_one_check(region, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert build(region, out).status == "gemaakt"
    assert prints_of(out) == {}  # just written: racy, must be hashed next time
    monkeypatch.setattr(batch, "RACY_NS", 0)
    seen = hashed(monkeypatch)
    assert build(region, out).status == "ongewijzigd"
    documents = sorted(seen)
    assert documents == ["convenant-groot-amsterdam.docx", "plan-van-aanpak-groot-amsterdam.docx"]
    assert sorted(prints_of(out)) == [f"groot-amsterdam/{name}" for name in documents]
    seen.clear()
    assert build(region, out).status == "ongewijzigd"
    assert seen == []  # nothing read again


def test_a_change_that_keeps_size_and_mtime_is_still_seen(region, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(region, out)
    monkeypatch.setattr(batch, "RACY_NS", 0)
    build(region, out)  # fingerprints recorded
    document = out / "groot-amsterdam" / "convenant-groot-amsterdam.docx"
    before = os.stat(document)
    data = bytearray(document.read_bytes())
    data[-30] ^= 1  # same size
    time.sleep(0.05)  # a later timestamp tick
    document.write_bytes(bytes(data))
    os.utime(document, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(document).st_size == before.st_size
    assert os.stat(document).st_mtime_ns == before.st_mtime_ns
    assert build(region, out).status == "gemaakt"
    assert document.read_bytes() != bytes(data)


def test_a_recent_change_is_hashed_every_time(region, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(region, out)
    monkeypatch.setattr(batch, "RACY_NS", 3600 * 10**9)  # everything counts as just changed
    seen = hashed(monkeypatch)
    for _ in range(2):
        seen.clear()
        assert build(region, out).status == "ongewijzigd"
        assert len(seen) == 2
    assert prints_of(out) == {}


@pytest.mark.parametrize(
    "bad",
    [
        "nonsense",
        ["a", 1, 2, 3, 4, "x"],
        [1, 2, 3, 4, 5],
        [-1, 2, 3, 4, 5, "0" * 64],
        [True, 2, 3, 4, 5, "0" * 64],
    ],
)
def test_a_fingerprint_of_another_shape_is_ignored(region, tmp_path, monkeypatch, bad):
    out = tmp_path / "out"
    build(region, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    name = "groot-amsterdam/convenant-groot-amsterdam.docx"
    manifest["kenmerken"] = {name: bad}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    seen = hashed(monkeypatch)
    assert build(region, out).status == "ongewijzigd"
    assert "convenant-groot-amsterdam.docx" in seen


def test_a_forged_fingerprint_of_a_changed_document_does_not_hide_the_change(region, tmp_path):
    """Someone who can write the manifest can write a fingerprint, but not the document's ctime."""
    out = tmp_path / "out"
    build(region, out)
    document = out / "groot-amsterdam" / "convenant-groot-amsterdam.docx"
    old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    digest = old["regio's"]["groot-amsterdam"]["documenten"]["groot-amsterdam/convenant-groot-amsterdam.docx"]
    time.sleep(0.05)
    document.write_bytes(document.read_bytes() + b"x")
    st = os.stat(document)
    # a fingerprint of the old document's size with the new timestamps: the size gives it away
    old["kenmerken"] = {
        "groot-amsterdam/convenant-groot-amsterdam.docx": [
            st.st_size - 1,
            st.st_mtime_ns,
            st.st_ctime_ns,
            st.st_ino,
            st.st_dev,
            digest,
        ]
    }
    (out / "manifest.json").write_text(json.dumps(old), encoding="utf-8")
    assert build(region, out).status == "gemaakt"
