"""`convenant ondertekening` as the national team runs it: over the build's output folder or
single PDFs, signed in turn by a throw-away PKI; exit codes, Dutch statements, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from convenant_gen.cli.app import cli
from tests.output.conftest_signing import (
    Pki,
    add_page_content,
    build_signing,
    person,
    tamper_signed_bytes,
)


@pytest.fixture(scope="module")
def signing(tmp_path_factory):
    """Holland Rijnland built definitief, with fields, signed in turn by all 8 signatories."""
    return build_signing(tmp_path_factory.mktemp("ondertekening"))


@pytest.fixture
def out(tmp_path: Path, signing) -> Path:
    """A build's output folder: a half-signed covenant and its plan van aanpak (no fields)."""
    region = tmp_path / "output" / "holland-rijnland"
    region.mkdir(parents=True)
    (region / "convenant-holland-rijnland.pdf").write_bytes(signing.steps[2])
    (region / "plan-van-aanpak-holland-rijnland.pdf").write_bytes(signing.plan)
    return tmp_path / "output"


def run(*args: object):
    return CliRunner().invoke(cli, ["ondertekening", *map(str, args)])


def test_registered_with_dutch_help():
    result = CliRunner().invoke(cli, ["--help"])
    assert "ondertekening" in result.output
    result = run("--help")
    assert result.exit_code == 0
    assert "Toon wie een convenant-PDF al heeft ondertekend" in result.output
    assert "--vertrouwd" in result.output and "Exitcode 0" in result.output
    assert "Gebruik:" in result.output and "Toon deze hulp en stop." in result.output


def test_folder_lists_who_signed_and_skips_the_plan(out, signing):
    result = run(out)
    assert result.exit_code == 0, result.output
    assert "convenant-holland-rijnland.pdf: 3 van 8 ondertekend" in result.stdout
    for number, party in enumerate(signing.names[:3]):
        assert f"{person(number)}, {party}" in result.stdout
    assert result.stdout.count("niet ondertekend") == 5
    assert "plan-van-aanpak" not in result.output
    assert "0 van 1 document(en) volledig ondertekend, 1 nog niet volledig (1 andere PDF('s) overgeslagen)" in (
        result.stdout
    )
    assert result.stderr == ""


def test_each_pdf_once_and_never_a_half_made_one(out):
    pdf = out / "holland-rijnland" / "convenant-holland-rijnland.pdf"
    work = out / "holland-rijnland" / ".convenant-pdf.x1y2.tmp"  # LibreOffice still converting
    work.mkdir()
    (work / "convenant-holland-rijnland.pdf").write_bytes(b"%PDF-1.7\n half")
    result = run(out, pdf)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("3 van 8 ondertekend") == 1
    assert "0 van 1 document(en) volledig ondertekend" in result.stdout


def test_default_folder_is_output(out, monkeypatch):
    monkeypatch.chdir(out.parent)
    result = run()
    assert result.exit_code == 0, result.output
    assert "3 van 8 ondertekend" in result.stdout


def test_fully_signed_document(tmp_path, signing):
    pdf = tmp_path / "convenant-holland-rijnland.pdf"
    pdf.write_bytes(signing.signed)
    result = run(pdf)
    assert result.exit_code == 0, result.output
    assert "8 van 8 ondertekend" in result.stdout
    assert "1 van 1 document(en) volledig ondertekend" in result.stdout


def test_tampered_document_is_reported_broken_with_exit_1(tmp_path, signing):
    pdf = tmp_path / "convenant-holland-rijnland.pdf"
    pdf.write_bytes(tamper_signed_bytes(signing.steps[3]))
    result = run(pdf)
    assert result.exit_code == 1
    assert f"✗ {pdf}: 4 van 8 ondertekend; 4 handtekening(en) niet in orde" in result.stderr
    assert "GEBROKEN: het ondertekende deel van het" in result.stdout  # in the table, maybe wrapped
    assert "1 met problemen" in result.stdout
    assert "Traceback" not in result.output


def test_content_change_after_signing_is_reported_with_exit_1(tmp_path, signing):
    pdf = tmp_path / "convenant-holland-rijnland.pdf"
    pdf.write_bytes(add_page_content(signing.steps[3]))
    result = run("--quiet", pdf)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"✗ {pdf}: 4 van 8 ondertekend; 4 handtekening(en) niet in orde"
    assert lines[1].startswith(
        "  GGZ Rivierduinen (handtekening-ggz-rivierduinen): GEWIJZIGD: na deze handtekening is de inhoud"
    )
    assert len(lines) == 5


def test_quiet_says_nothing_when_all_is_in_order(out):
    result = run("-q", out)
    assert result.exit_code == 0
    assert result.output == ""


def test_files_that_are_not_covenants_named_explicitly(tmp_path, signing):
    text = tmp_path / "notitie.pdf"
    text.write_text("Dit is geen PDF, al heet het zo.", encoding="utf-8")
    plain = tmp_path / "convenant-zonder-velden.pdf"
    plain.write_bytes(signing.plain)
    result = run(text, plain)
    assert result.exit_code == 1
    assert f"✗ {text}: geen PDF-bestand" in result.stderr
    assert f"✗ {plain}: geen handtekeningvelden van convenant" in result.stderr
    assert "Traceback" not in result.output


def test_covenant_without_fields_in_a_folder_is_not_skipped(tmp_path, signing):
    region = tmp_path / "output" / "utrecht"
    region.mkdir(parents=True)
    (region / "convenant-utrecht.pdf").write_bytes(signing.plain)  # a concept, or made before fields existed
    result = run(tmp_path / "output")
    assert result.exit_code == 1
    assert "convenant-utrecht.pdf: geen handtekeningvelden van convenant" in result.stderr


def test_json(out, signing):
    result = run("--json", out)
    assert result.exit_code == 0, result.output
    (document,) = json.loads(result.stdout)
    assert document["bestand"].endswith("convenant-holland-rijnland.pdf")
    assert (document["ondertekend"], document["totaal"], document["in_orde"]) == (3, 8, True)
    first = document["velden"][0]
    assert first["partij"] == signing.names[0] and first["veld"] == signing.fields[0]
    assert first["ondertekenaar"] == f"{person(0)}, {signing.names[0]}"
    assert first["intact"] is True and first["vertrouwd"] is None
    assert first["tijd_volgens_ondertekenaar"].startswith("20")
    assert [v["ondertekend"] for v in document["velden"]] == [True] * 3 + [False] * 5


def test_trust_against_given_roots(tmp_path, signing):
    pdf = tmp_path / "convenant-holland-rijnland.pdf"
    pdf.write_bytes(signing.steps[1])
    root = tmp_path / "root.pem"
    root.write_bytes(signing.pki.root_pem())
    other = tmp_path / "andere.pem"
    other.write_bytes(Pki("Andere CA").root_pem())
    good = run("--vertrouwd", root, pdf)
    assert good.exit_code == 0, good.output
    assert good.stdout.count("intact en vertrouwd") == 2
    bad = run("--vertrouwd", other, pdf)
    assert bad.exit_code == 1
    assert "intact, maar niet vertrouwd" in bad.stdout


def test_usage_errors_exit_2(tmp_path, signing):
    missing = run(tmp_path / "weg.pdf")
    assert missing.exit_code == 2
    assert "bestaat niet" in missing.output
    empty = tmp_path / "leeg"
    empty.mkdir()
    assert run(empty).exit_code == 2
    assert "geen convenant-PDF's gevonden" in run(empty).output
    garbage = tmp_path / "kapot.pem"
    garbage.write_text("geen certificaat", encoding="utf-8")
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(signing.unsigned)
    result = run("--vertrouwd", garbage, pdf)
    assert result.exit_code == 2
    assert "Fout: " in result.output and "kapot.pem: geen certificaat" in result.output


def test_a_real_run_prints_no_library_logging_or_traceback(tmp_path, signing):
    """pyHanko logs an untrusted chain with a traceback; the user sees only our Dutch lines."""
    pdf = tmp_path / "convenant-holland-rijnland.pdf"
    pdf.write_bytes(tamper_signed_bytes(signing.steps[1]))
    other = tmp_path / "andere.pem"
    other.write_bytes(Pki("Andere CA").root_pem())
    done = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "ondertekening", "--vertrouwd", str(other), str(pdf)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"✗ {pdf}: 2 van 8 ondertekend; 2 handtekening(en) niet in orde")
    assert "Traceback" not in done.stderr + done.stdout
    assert "Failed to build path" not in done.stderr
    assert len(done.stderr.splitlines()) == 1
