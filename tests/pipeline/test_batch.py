"""The national batch: many regions, parallel, incremental, a failure never stops the others."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from convenant_gen.region.validate import load_region
from tests.conftest import ROOT

TEMPLATES = ROOT / "templates"


@pytest.fixture(scope="module")
def all_regions(tmp_path_factory) -> Path:
    """regions/ with the three examples plus starter files for the other 32 regions."""
    folder = tmp_path_factory.mktemp("national") / "regions"
    shutil.copytree(ROOT / "regions", folder)
    proc = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "init", "--alle", "--map", str(folder)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "32 startbestand(en) gemaakt" in proc.stdout
    return folder


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "convenant_gen", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def test_init_alle_gives_35_valid_concepts_and_keeps_existing_files(all_regions):
    files = sorted(all_regions.glob("*.yaml"))
    assert len(files) == 35
    assert (all_regions / "groot-amsterdam.yaml").read_bytes() == (
        ROOT / "regions" / "groot-amsterdam.yaml"
    ).read_bytes()
    utrecht = load_region(all_regions / "midden-utrecht.yaml").region
    assert utrecht.regio.centrumgemeente == "Utrecht"
    assert "Gemeente Utrecht" in [p.naam for p in utrecht.partijen]
    for f in files:
        load_region(f)
    again = cli("init", "--alle", "--map", all_regions, cwd=all_regions.parent)
    assert again.returncode == 0 and "0 startbestand(en) gemaakt" in again.stdout


def test_batch_incremental_and_audited(all_regions, tmp_path):
    out = tmp_path / "out"
    first = cli("build", all_regions, "--out", out, "--templates", TEMPLATES, "--datum", "2026-11-23", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "35 gemaakt, 0 ongewijzigd, 0 mislukt van 35 regio('s)" in first.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["regio's"]["groot-amsterdam"]
    assert (
        entry["bron_sha256"]
        == __import__("hashlib").sha256((all_regions / "groot-amsterdam.yaml").read_bytes()).hexdigest()
    )
    assert set(entry["sjablonen"]) == {"convenant.docx", "plan-van-aanpak.docx"}
    assert set(entry["documenten"]) == {
        "groot-amsterdam/convenant-groot-amsterdam.docx",
        "groot-amsterdam/plan-van-aanpak-groot-amsterdam.docx",
    }
    assert len(manifest["regio's"]) == 35

    second = cli("build", all_regions, "--out", out, "--templates", TEMPLATES, "--datum", "2026-11-23", cwd=tmp_path)
    assert "0 gemaakt, 35 ongewijzigd, 0 mislukt" in second.stdout

    # one region changed: only it is rebuilt
    achterhoek = all_regions / "achterhoek.yaml"
    original = achterhoek.read_text(encoding="utf-8")
    achterhoek.write_text(original.replace("trajecten: 200", "trajecten: 210"), encoding="utf-8")
    try:
        third = cli("build", all_regions, "--out", out, "--templates", TEMPLATES, "--datum", "2026-11-23", cwd=tmp_path)
        assert "1 gemaakt, 34 ongewijzigd, 0 mislukt" in third.stdout
    finally:
        achterhoek.write_text(original, encoding="utf-8")

    # a changed template rebuilds everything
    templates = tmp_path / "tpl"
    shutil.copytree(TEMPLATES, templates)
    with zipfile.ZipFile(templates / "convenant.docx", "a") as z:
        z.writestr("customXml/wijziging.xml", "<x/>")
    fourth = cli("build", all_regions, "--out", out, "--templates", templates, "--datum", "2026-11-23", cwd=tmp_path)
    assert "35 gemaakt, 0 ongewijzigd, 0 mislukt" in fourth.stdout

    # --force rebuilds everything; a deleted document is rebuilt
    (out / "twente" / "convenant-twente.docx").unlink()
    fifth = cli("build", all_regions, "--out", out, "--templates", templates, "--datum", "2026-11-23", cwd=tmp_path)
    assert "1 gemaakt, 34 ongewijzigd" in fifth.stdout
    sixth = cli(
        "build", all_regions, "--out", out, "--templates", templates, "--datum", "2026-11-23", "--force", cwd=tmp_path
    )
    assert "35 gemaakt" in sixth.stdout


def test_one_broken_region_never_stops_the_others(all_regions, tmp_path):
    regions = tmp_path / "regions"
    shutil.copytree(all_regions, regions)
    (regions / "twente.yaml").write_text("regio:\n  naam: Twente\n  centrumgemeente: 12\n", encoding="utf-8")
    result = cli("build", regions, "--out", tmp_path / "out", "--templates", TEMPLATES, cwd=tmp_path)
    assert result.returncode == 1
    assert "34 gemaakt, 0 ongewijzigd, 1 mislukt van 35 regio('s)" in result.stdout
    assert "twente.yaml:3:3: regio.centrumgemeente: centrumgemeente '12' staat niet bij partijen" in result.stderr
    assert "│ twente" in result.stdout and "mislukt" in result.stdout
    assert not (tmp_path / "out" / "twente").exists()
    assert (tmp_path / "out" / "zeeland" / "convenant-zeeland.docx").exists()


def test_parallel_and_serial_give_identical_files(all_regions, tmp_path):
    for jobs in ("1", "2"):
        result = cli(
            "build",
            all_regions,
            "--out",
            tmp_path / jobs,
            "--templates",
            TEMPLATES,
            "--datum",
            "2026-11-23",
            "--jobs",
            jobs,
            "-q",
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
    serial = {p.relative_to(tmp_path / "1"): p.read_bytes() for p in (tmp_path / "1").rglob("*.docx")}
    parallel = {p.relative_to(tmp_path / "2"): p.read_bytes() for p in (tmp_path / "2").rglob("*.docx")}
    assert len(serial) == 70
    assert serial == parallel
    assert (tmp_path / "1" / "manifest.json").read_bytes() == (tmp_path / "2" / "manifest.json").read_bytes()


def test_killing_a_batch_midway_leaves_no_half_written_document(all_regions, tmp_path):
    import docx

    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "convenant_gen",
            "build",
            str(all_regions),
            "--out",
            str(out),
            "--templates",
            str(TEMPLATES),
            "-q",
            "--force",
        ],
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(out.rglob("*.docx"))) < 10:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    written = list(out.rglob("*.docx"))
    assert 10 <= len(written) < 70, "the batch should have been stopped midway"
    for path in written:
        docx.Document(str(path))  # every document that exists is complete
    again = cli("build", all_regions, "--out", out, "--templates", TEMPLATES, "-q", cwd=tmp_path)
    assert again.returncode == 0
    assert not list(out.rglob("*.tmp"))
    assert len(list(out.rglob("*.docx"))) == 70


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script for a pseudo-terminal")
def test_progress_bar_on_a_terminal_plain_lines_otherwise(all_regions, tmp_path):
    files = [all_regions / "achterhoek.yaml", all_regions / "twente.yaml"]
    command = " ".join(
        [
            sys.executable,
            "-m",
            "convenant_gen",
            "build",
            *map(str, files),
            "--out",
            str(tmp_path / "t"),
            "--templates",
            str(TEMPLATES),
        ]
    )
    tty = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, text=True, cwd=tmp_path)
    bar = [line for line in tty.stdout.replace("\r", "\n").splitlines() if "regio's" in line and "2/2" in line]
    assert bar and "━━" in bar[-1]
    plain = cli("build", *files, "--out", tmp_path / "p", "--templates", TEMPLATES, cwd=tmp_path)
    assert not any("regio's" in line and "━━" in line for line in plain.stdout.splitlines())
    assert "[1/2]" in plain.stdout and "[2/2]" in plain.stdout
