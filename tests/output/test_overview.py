"""The national overview: read back with openpyxl, opened by LibreOffice, same figures as the documents."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from convenant_gen.output.overview import collect, national_targets, workbook_bytes
from tests.conftest import EXAMPLES, ROOT

TEMPLATES = ROOT / "templates"


def sheet_rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def with_invalid(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ov") / "regions"
    shutil.copytree(ROOT / "regions", folder)
    (folder / "kapot.yaml").write_text(
        "regio:\n  naam: Kapot\n  centrumgemeente: Nergens\nlooptijd:\n  einddatum: morgen\n", encoding="utf-8"
    )
    return folder


def test_workbook_of_the_examples(with_invalid, tmp_path):
    files = sorted(with_invalid.glob("*.yaml"))
    path = tmp_path / "overzicht.xlsx"
    path.write_bytes(workbook_bytes(collect(files)))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Regio's", "Landelijk", "Bevindingen"]
    ws = wb["Regio's"]
    rows = sheet_rows(ws)
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    assert [r[0] for r in body] == ["Achterhoek", "Groot-Amsterdam", "Holland Rijnland", "kapot"]
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["Status"]] for r in body] == ["concept", "concept", "concept", "ongeldig"]
    # totals row equals the sum of the rows
    for name in (
        "Trajecten",
        "Duurzame plaatsingen",
        "Trajecten per jaar",
        "Ondertekenaars: gemeenten",
        "Ondertekenaars zonder vertegenwoordiger",
    ):
        assert totals[col[name]] == sum(r[col[name]] or 0 for r in body), name
    assert totals[col["Trajecten"]] == 450
    # real numbers and dates with Dutch formats, frozen header, filters
    ga = body[1]
    assert ga[col["Ingangsdatum"]] == dt.datetime(2022, 1, 1)
    assert ws.cell(row=3, column=col["Ingangsdatum"] + 1).number_format == "[$-413]d mmmm yyyy"
    assert ws.cell(row=3, column=col["Trajecten"] + 1).number_format == "#,##0"
    assert ga[col["Aandeel plaatsingen"]] == pytest.approx(0.4)
    assert ga[col["Ondertekenaars: gemeenten"]] == 8 and ga[col["Ondertekenaars: ggz-instellingen"]] == 2
    assert ga[col["Stuurgroep per jaar"]] == 6
    assert ga[col["Aanpassing: meerderheid"]] == "twee derde" and ga[col["Aanpassing: minimum partijen"]] == 9
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref.startswith("A1:")
    # national sheet: sums against the targets, what is missing, and a native chart
    nat = sheet_rows(wb["Landelijk"])
    assert nat[1] == ["Trajecten", 450, 5875, 5425]
    assert nat[2] == ["Duurzame plaatsingen", 180, 2350, 2170]
    assert nat[4] == ["Trajecten per jaar (instroom 2024)", 250, 3500, 3250]
    assert len(wb["Landelijk"]._charts) == 1
    # findings: the invalid region is listed with its problems, and what concepts still lack
    findings = sheet_rows(wb["Bevindingen"])[1:]
    kapot = [f for f in findings if f[0].endswith("kapot.yaml")]
    assert any(f[3] == "looptijd.einddatum" and f[1] == 5 and "morgen" in f[5] for f in kapot)
    assert any("voor ondertekening" in f[5] and f[0].endswith("groot-amsterdam.yaml") for f in findings)


def test_same_figures_as_the_documents(tmp_path):
    from convenant_gen.pipeline.build import build_region
    from tests.docs import all_text

    overview = collect(EXAMPLES)
    for path, row in zip(EXAMPLES, overview.rows, strict=True):
        outcome = build_region(path, tmp_path, templates=TEMPLATES, datum=dt.date(2026, 11, 23))
        covenant = re.sub(r"\s+", " ", all_text(outcome.written[0]))
        plan = re.sub(r"\s+", " ", all_text(outcome.written[1]))
        assert (
            f"in totaal {row.trajecten} trajecten te hebben afgerond, met als resultaat {row.duurzame_plaatsingen} "
            "duurzame" in covenant
        )
        assert f"streven naar {row.trajecten_per_jaar} nieuwe trajecten per jaar" in plan
        assert covenant.count("vertegenwoordigd door") == sum(row.ondertekenaars_per_soort.values())


def test_35_synthetic_regions(tmp_path):
    folder = tmp_path / "regions"
    folder.mkdir()
    text = (ROOT / "regions" / "holland-rijnland.yaml").read_text(encoding="utf-8")
    for i in range(35):
        trajecten = 100 + i
        (folder / f"r{i:02d}.yaml").write_text(
            text.replace("naam: Holland Rijnland", f"naam: Regio {i}")
            .replace("trajecten: 150", f"trajecten: {trajecten}")
            .replace("duurzame_plaatsingen: 60", f"duurzame_plaatsingen: {40 + i}"),
            encoding="utf-8",
        )
    overview = collect(sorted(folder.glob("*.yaml")))
    totals = overview.totals()
    assert totals["trajecten"] == sum(100 + i for i in range(35)) == 4095
    assert totals["duurzame_plaatsingen"] == sum(40 + i for i in range(35))
    nat = {line["maat"]: line for line in overview.national()}
    assert nat["Trajecten"]["nog nodig"] == national_targets()["trajecten"] - 4095
    wb = openpyxl.load_workbook(__import__("io").BytesIO(workbook_bytes(overview)))
    rows = sheet_rows(wb["Regio's"])
    assert len(rows) == 37 and rows[-1][4] == 4095


def test_overview_is_deterministic(with_invalid):
    files = sorted(with_invalid.glob("*.yaml"))
    assert workbook_bytes(collect(files)) == workbook_bytes(collect(files))


def test_cli_terminal_json_and_build(with_invalid, tmp_path):
    out = tmp_path / "o.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "overzicht", str(with_invalid), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Landelijk" in proc.stdout and "5.875" in proc.stdout and "ongeldig" in proc.stdout
    assert out.exists()
    proc = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "overzicht", str(with_invalid), "--json"],
        capture_output=True,
        text=True,
    )
    data = json.loads(proc.stdout)
    assert data["totaal"]["trajecten"] == 450
    assert [r["status"] for r in data["regio's"]][-1] == "ongeldig"
    # build of a whole folder writes the overview beside the documents and records it
    build_out = tmp_path / "build"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "convenant_gen",
            "build",
            str(ROOT / "regions"),
            "--out",
            str(build_out),
            "--templates",
            str(TEMPLATES),
            "-q",
        ],
        check=True,
    )
    manifest = json.loads((build_out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["overzicht"]["bestand"] == "overzicht.xlsx"
    assert (
        manifest["overzicht"]["sha256"]
        == __import__("hashlib").sha256((build_out / "overzicht.xlsx").read_bytes()).hexdigest()
    )


def test_libreoffice_opens_the_workbook(with_invalid, tmp_path):
    from convenant_gen.output.pdf import page_count

    path = tmp_path / "overzicht.xlsx"
    path.write_bytes(workbook_bytes(collect(sorted(with_invalid.glob("*.yaml")))))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = tmp_path / "overzicht.pdf"
    assert page_count(pdf) >= 3
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Trajecten per regio" in text and "Holland Rijnland" in text and "Bevinding" in text
