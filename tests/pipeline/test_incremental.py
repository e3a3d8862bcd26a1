"""Incremental builds do work in proportion to what changed, and never give a different result
than a full build: the overview of unchanged regions comes from rows kept in the manifest (a
hint, checked when read), a no-op leaves the manifest alone."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from convenant_gen.output.overview import Row, collect
from convenant_gen.pipeline.batch import build_all
from tests.conftest import EXAMPLES, REGIONS, ROOT, signable_holland_rijnland

TEMPLATES = ROOT / "templates"
DATUM = dt.date(2026, 11, 23)


@pytest.fixture
def regions(tmp_path: Path) -> Path:
    """The examples, with Holland Rijnland complete enough to be signed, and one broken region."""
    folder = tmp_path / "regions"
    shutil.copytree(REGIONS, folder)
    (folder / "holland-rijnland.yaml").write_text(signable_holland_rijnland(), encoding="utf-8")
    (folder / "kapot.yaml").write_text("regio:\n  naam: Kapot\n  centrumgemeente: 12\n", encoding="utf-8")
    return folder


def build(regions: Path, out: Path, **options) -> list:
    files = sorted(regions.glob("*.yaml"))
    report = build_all(files, out, templates=TEMPLATES, datum=DATUM, overview=True, jobs=2, **options)
    return report.results


def statuses(results) -> dict[str, str]:
    return {r.source.stem: r.status for r in results}


def forced_workbook(regions: Path, tmp_path: Path, **options) -> bytes:
    out = tmp_path / "forced"
    build(regions, out, force=True, **options)
    return (out / "overzicht.xlsx").read_bytes()


def manifest_of(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_the_overview_after_one_changed_region_is_the_overview_of_a_full_build(regions, tmp_path):
    out = tmp_path / "out"
    build(regions, out)
    achterhoek = regions / "achterhoek.yaml"
    achterhoek.write_text(achterhoek.read_text(encoding="utf-8").replace("trajecten: 200", "trajecten: 210"), "utf-8")
    results = build(regions, out)
    assert statuses(results) == {
        "achterhoek": "gemaakt",
        "groot-amsterdam": "ongewijzigd",
        "holland-rijnland": "ongewijzigd",
        "kapot": "mislukt",
    }
    assert (out / "overzicht.xlsx").read_bytes() == forced_workbook(regions, tmp_path)


def test_the_overview_follows_a_switch_to_definitief_like_a_full_build(regions, tmp_path):
    out = tmp_path / "out"
    build(regions, out)
    results = build(regions, out, definitief=True)
    assert statuses(results)["holland-rijnland"] == "gemaakt"
    assert statuses(results)["achterhoek"] == "mislukt"
    assert (out / "overzicht.xlsx").read_bytes() == forced_workbook(regions, tmp_path, definitief=True)
    again = build(regions, out, definitief=True)
    assert statuses(again)["holland-rijnland"] == "ongewijzigd"
    assert (out / "overzicht.xlsx").read_bytes() == forced_workbook(regions, tmp_path, definitief=True)


def test_unchanged_regions_are_not_read_again_for_the_overview(regions, tmp_path, monkeypatch):
    import convenant_gen.region.validate as validate

    out = tmp_path / "out"
    build(regions, out)
    read: list[str] = []
    original = validate.load_region

    def counting(path, *args, **kwargs):
        read.append(Path(path).stem)  # in this process only: the builds run in forked workers
        return original(path, *args, **kwargs)

    monkeypatch.setattr(validate, "load_region", counting)
    achterhoek = regions / "achterhoek.yaml"
    achterhoek.write_text(achterhoek.read_text(encoding="utf-8").replace("trajecten: 200", "trajecten: 210"), "utf-8")
    build(regions, out)
    assert read == []
    assert (out / "overzicht.xlsx").read_bytes() == forced_workbook(regions, tmp_path)


def _rows(out: Path) -> dict:
    rows = manifest_of(out)["rijen"]
    assert set(rows) == {"achterhoek", "groot-amsterdam", "holland-rijnland", "kapot"}
    return rows


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: e["rij"].update(trajecten="veel"),
        lambda e: e["rij"].update(onbekend=1),
        lambda e: e["rij"].pop("fouten"),
        lambda e: e["rij"].update(ingangsdatum="1 januari"),
        lambda e: e["rij"].update(ondertekenaars_per_soort={"gemeente": True}),
        lambda e: e["rij"].update(bestand="elders.yaml"),
        lambda e: e.update(bron_sha256="0" * 64),
        lambda e: e.update(versie="0.0.0"),
        lambda e: e.update(definitief=True),
        lambda e: e.update(bevindingen=[{"file": 1}]),
        lambda e: e.update(bevindingen="geen"),
        lambda e: e.pop("rij"),
        lambda e: e.clear(),
    ],
)
def test_a_tampered_or_wrong_shaped_row_is_ignored_and_the_region_read_again(regions, tmp_path, tamper):
    out = tmp_path / "out"
    build(regions, out)
    manifest = manifest_of(out)
    tamper(manifest["rijen"]["groot-amsterdam"])
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    achterhoek = regions / "achterhoek.yaml"  # a change, so the overview is written again
    achterhoek.write_text(achterhoek.read_text(encoding="utf-8").replace("trajecten: 200", "trajecten: 210"), "utf-8")
    results = build(regions, out)
    assert statuses(results)["groot-amsterdam"] == "ongewijzigd"
    assert (out / "overzicht.xlsx").read_bytes() == forced_workbook(regions, tmp_path)
    assert _rows(out)["groot-amsterdam"] == _rows(tmp_path / "forced")["groot-amsterdam"]  # repaired


def test_a_row_in_the_manifest_of_a_different_shape_never_crashes(regions, tmp_path):
    out = tmp_path / "out"
    build(regions, out)
    manifest = manifest_of(out)
    manifest["rijen"] = ["geen", "object"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "overzicht.xlsx").unlink()
    build(regions, out)
    assert (out / "overzicht.xlsx").read_bytes() == forced_workbook(regions, tmp_path)


def test_a_no_op_does_not_rewrite_the_manifest(regions, tmp_path):
    out = tmp_path / "out"
    build(regions, out)
    before = (out / "manifest.json").stat()
    results = build(regions, out)
    assert statuses(results)["groot-amsterdam"] == "ongewijzigd"
    after = (out / "manifest.json").stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def test_a_row_survives_its_json_and_nothing_else_does():
    overview = collect(EXAMPLES)
    for row in overview.rows:
        data = json.loads(json.dumps(row.to_json()))
        assert Row.from_json(data) == row
        assert list(Row.from_json(data).ondertekenaars_per_soort) == list(row.ondertekenaars_per_soort)
    good = overview.rows[0].to_json()
    for wrong in (
        None,
        [],
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "regio"},
        {**good, "trajecten": 1.5},
        {**good, "trajecten": True},
        {**good, "aandeel_plaatsingen": "0.5"},
        {**good, "einddatum": "2023-02-30"},
        {**good, "zonder_vertegenwoordiger": [1]},
        {**good, "status": "misschien"},
    ):
        assert Row.from_json(wrong) is None, wrong
