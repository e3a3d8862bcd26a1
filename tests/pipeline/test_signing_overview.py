"""The national team sees per region how far the covenant PDF is signed: the overview that
build writes, and `convenant overzicht`, read the covenant PDFs beside it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from convenant_gen.cli import cli
from tests.conftest import signable_holland_rijnland
from tests.output.conftest_signing import Pki, person, sign, tamper_signed_bytes


def signing_column(workbook: Path) -> list[object] | None:
    sheet = load_workbook(workbook)["Regio's"]
    header = [c.value for c in sheet[1]]
    if "Ondertekend (PDF)" not in header:
        return None
    column = header.index("Ondertekend (PDF)") + 1
    return [sheet.cell(row, column).value for row in range(2, sheet.max_row + 1)]


def test_overview_follows_the_signatures(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("regio's").mkdir()
    Path("regio's/holland-rijnland.yaml").write_text(signable_holland_rijnland(), encoding="utf-8")
    run = CliRunner()
    build = ["build", "regio's", "--out", "uit", "--definitief"]
    assert run.invoke(cli, build).exit_code == 0
    assert signing_column(Path("uit/overzicht.xlsx")) is None  # no PDFs: no column

    assert run.invoke(cli, [*build, "--pdf"]).exit_code == 0
    assert signing_column(Path("uit/overzicht.xlsx")) == ["0 van 8", "0 van 1 volledig"]

    pdf = Path("uit/holland-rijnland/convenant-holland-rijnland.pdf")
    pki, data = Pki(), pdf.read_bytes()
    fields = ["handtekening-ggz-rivierduinen", "handtekening-gemeente-leiden", "handtekening-uwv"]
    for number, field in enumerate(fields):
        data = sign(data, field, pki.signer(person(number), "Partij"))
    pdf.write_bytes(data)
    result = run.invoke(cli, [*build, "--pdf"])
    assert result.exit_code == 0, result.output
    assert "0 PDF('s) gemaakt, 2 ongewijzigd" in result.output  # the PDF being signed is left alone
    assert pdf.read_bytes() == data
    assert signing_column(Path("uit/overzicht.xlsx")) == ["3 van 8", "0 van 1 volledig"]

    result = run.invoke(cli, ["overzicht", "regio's", "--out", "uit/overzicht.xlsx", "--json"])
    region = json.loads(result.output)["regio's"][0]
    assert region["ondertekening"] == {"signed": 3, "total": 8, "problem": None, "samenvatting": "3 van 8"}

    pdf.write_bytes(tamper_signed_bytes(data))  # a signature no longer matches the document
    assert run.invoke(cli, build).exit_code == 0
    (shown, _) = signing_column(Path("uit/overzicht.xlsx"))
    assert "3 van 8" in shown and "niet in orde" in shown
