"""After signing: accessions and amendments in the region file, checked against the covenant as
it stood at their date, and their documents. Through the CLI, on Groot-Amsterdam (13 parties)
with two accessions and an amendment (tests/data/besluiten/groot-amsterdam.yaml)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from convenant_gen.cli import cli
from tests.conftest import ROOT
from tests.docs import all_text

SOURCE = ROOT / "tests" / "data" / "besluiten" / "groot-amsterdam.yaml"
TEN = (
    "[Arkin/Roads, GGZ inGeest, Gemeente Aalsmeer, Gemeente Amstelveen, Gemeente Amsterdam,\n"
    "                   Gemeente De Ronde Venen, Gemeente Diemen, Gemeente Haarlemmermeer, Gemeente Ouder-Amstel, UWV]"
)


def region_file(tmp_path: Path, text: str | None = None, name: str = "groot-amsterdam.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text if text is not None else SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def build(*args: str | Path):
    return CliRunner().invoke(cli, ["build", *map(str, args), "--datum", "2026-11-23"])


def validate(path: Path):
    return CliRunner().invoke(cli, ["validate", str(path)])


def test_the_file_as_given_is_valid_with_ten_consents_of_thirteen():
    assert TEN in SOURCE.read_text(encoding="utf-8")
    result = validate(SOURCE)
    assert result.exit_code == 0, result.output


def test_eight_consents_of_thirteen_are_refused_with_the_majority_and_the_line(tmp_path):
    eight = TEN.replace(", Gemeente Ouder-Amstel, UWV]", "]")
    path = region_file(tmp_path, SOURCE.read_text(encoding="utf-8").replace(TEN, eight))
    result = validate(path)
    assert result.exit_code == 1
    line = line_of(path, "instemming: [Arkin/Roads")
    assert (
        f"{path}:{line}:7: toetreding.besluiten[1].instemming: 8 van de 13 partijen stemden in; nodig zijn er "
        "ten minste 9 (twee derde)" in result.output
    )
    assert build(path, "--out", tmp_path / "out").exit_code == 1
    assert not (tmp_path / "out" / "groot-amsterdam").exists()  # nothing half-written


def test_the_second_accession_counts_the_first(tmp_path):
    """After Stichting Lumen joined, 14 parties: 10 are needed (two thirds); 9 is too few."""
    text = SOURCE.read_text(encoding="utf-8").replace("      instemming: 11\n", "      instemming: 9\n")
    path = region_file(tmp_path, text)
    result = validate(path)
    assert "toetreding.besluiten[2].instemming: 9 van de 14 partijen stemden in; nodig zijn er ten minste 10" in (
        result.output
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "instemming: [Arkin/Roads, ",
            "instemming: [Arkin/Roads, Stichting Lumen, ",
            "toetreding.besluiten[1].instemming[2]",
            "Stichting Lumen is op 1 juni 2022 geen partij bij het convenant; alleen de ondertekenaars van dat moment "
            "tellen mee",
        ),
        (
            "        naam: Hogeschool van Amsterdam",
            "        naam: stichting  Lumen",
            "toetreding.besluiten[2].partij.naam",
            "stichting  Lumen is op 1 maart 2023 al partij bij het convenant; toetreden kan niet",
        ),
        (
            "    - datum: 2023-03-01",
            "    - datum: 2025-03-01",
            "toetreding.besluiten[2].datum",
            "1 maart 2025 ligt na het einde van het convenant (31 december 2024, zoals het dan luidt); een "
            "toetreding kan alleen binnen de looptijd",
        ),
        (
            "stemming: {voor: 11, tegen: 1, onthouding: 1}",
            "stemming: {voor: 7, tegen: 5, onthouding: 1}",
            "aanpassing.besluiten[1].stemming.voor",
            "7 van de 12 uitgebrachte stemmen in het projectteam waren voor; nodig zijn er ten minste 8 (twee derde; "
            "onthoudingen tellen niet mee)",
        ),
        (
            "      schriftelijk_akkoord: 12\n",
            "      schriftelijk_akkoord: 9\n",
            "aanpassing.besluiten[1].schriftelijk_akkoord",
            "9 van de 15 partijen gingen schriftelijk akkoord; nodig zijn er ten minste 10 (twee derde)",
        ),
        (
            "        looptijd.einddatum: 2024-12-31",
            "        looptijd.einddatum: 31 februari 2024",
            "aanpassing.besluiten[1].wijzigingen.looptijd.einddatum",
            "'31 februari 2024' bestaat niet als datum",
        ),
        (
            "        looptijd.einddatum: 2024-12-31",
            "        looptijd.einddatum: 2021-12-31",
            "aanpassing.besluiten[1].wijzigingen",
            "na deze wijziging klopt het convenant niet meer: looptijd.einddatum:",
        ),
        (
            "        looptijd.einddatum: 2024-12-31",
            "        toetreding.besluiten: []",
            "aanpassing.besluiten[1].wijzigingen.toetreding.besluiten",
            "toetreding.besluiten kan niet met een wijzigingsbesluit veranderen",
        ),
    ],
    ids=["not-yet-a-party", "already-a-party", "after-the-term", "vote", "written", "value", "rules", "history"],
)
def test_every_decision_is_checked_against_its_date(tmp_path, old, new, field, message):
    text = SOURCE.read_text(encoding="utf-8")
    assert old in text
    path = region_file(tmp_path, text.replace(old, new, 1))
    result = validate(path)
    assert result.exit_code == 1
    found = [line for line in result.output.splitlines() if f": {field}: " in line]
    assert found and message in found[0], result.output
    line, _ = map(int, re.search(r"\.yaml:(\d+):(\d+):", found[0]).groups())
    at = "wijzigingen:" if field.endswith("wijzigingen") else new.strip().split("\n")[0].strip()[:20]
    assert line == line_of(path, at)  # on the line that says it


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("besluiten") / "out"
    result = build(SOURCE, "--out", out)
    assert result.exit_code == 0, result.output
    return out / "groot-amsterdam"


def test_documents_of_the_decisions(built):
    assert sorted(p.name for p in built.glob("*.docx")) == [
        "convenant-groot-amsterdam-geconsolideerd-gemarkeerd.docx",
        "convenant-groot-amsterdam-geconsolideerd.docx",
        "convenant-groot-amsterdam.docx",
        "plan-van-aanpak-groot-amsterdam.docx",
        "toetredingsverklaring-groot-amsterdam-hogeschool-van-amsterdam.docx",
        "toetredingsverklaring-groot-amsterdam-stichting-lumen.docx",
        "wijzigingsbesluit-groot-amsterdam-1.docx",
    ]


def test_the_accession_states_who_joins_and_its_majority(built):
    text = " ".join(all_text(built / "toetredingsverklaring-groot-amsterdam-stichting-lumen.docx").split())
    assert "Stichting Lumen" in text and "1 juni 2022" in text
    assert "10" in text and "13" in text and "twee derde" in text
    assert text.count("vertegenwoordigd door") == 2  # the new party, and the chair for the parties
    assert "Namens de partijen" in text


def test_the_amendment_shows_was_and_wordt_and_the_votes(built):
    text = " ".join(all_text(built / "wijzigingsbesluit-groot-amsterdam-1.docx").split())
    assert "31 december 2023" in text and "31 december 2024" in text
    assert "verlenging van de looptijd" in text
    for figure in ("11", "12"):
        assert figure in text
    # the written consents of every party of that date: 13 original and 2 joined
    assert text.count("vertegenwoordigd door") == 1 + 15


def test_the_consolidated_text_says_the_new_end_and_counts_the_parties_of_that_date(built):
    text = " ".join(all_text(built / "convenant-groot-amsterdam-geconsolideerd.docx").split())
    assert "geldt tot 31 december 2024" in text
    assert "Bij 15 ondertekenaars" in text and "ten minste 10" in text
    assert "Hogeschool van Amsterdam" in text and "Stichting Lumen" in text
    original = " ".join(all_text(built / "convenant-groot-amsterdam.docx").split())
    assert "geldt tot 31 december 2023" in original and "Bij 13 ondertekenaars" in original
    assert "Stichting Lumen" not in original


def test_per_a_date_before_the_amendment(tmp_path):
    out = tmp_path / "out"
    assert build(SOURCE, "--out", out, "--per", "2022-12-31", "--doc", "geconsolideerd").exit_code == 0
    text = " ".join(all_text(out / "groot-amsterdam" / "convenant-groot-amsterdam-geconsolideerd.docx").split())
    assert "geldt tot 31 december 2023" in text and "Bij 14 ondertekenaars" in text
    assert "Hogeschool van Amsterdam" not in text


def test_a_region_without_decisions_gets_no_decision_documents(tmp_path):
    out = tmp_path / "out"
    assert build(ROOT / "regions" / "achterhoek.yaml", "--out", out).exit_code == 0
    assert sorted(p.name for p in (out / "achterhoek").iterdir()) == [
        "convenant-achterhoek.docx",
        "plan-van-aanpak-achterhoek.docx",
    ]


def test_the_overview_shows_the_covenant_as_it_stands(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    region_file(folder)
    result = CliRunner().invoke(cli, ["overzicht", str(folder), "--out", str(tmp_path / "o.xlsx"), "--json"])
    (row,) = json.loads(result.output)["regio's"]
    assert row["einddatum"] == "2024-12-31"
    assert row["toetredingen"] == ["Stichting Lumen (1 juni 2022)", "Hogeschool van Amsterdam (1 maart 2023)"]
    assert row["wijzigingen"] == ["1 oktober 2023: verlenging van de looptijd"]
    assert sum(row["ondertekenaars_per_soort"].values()) == 15
    assert row["toetreding_minimum"] == 10


def signable(text: str) -> str:
    """The test region with a name and function for every representative (the real covenant
    leaves them open), so that a definitief build can succeed."""
    data = yaml.safe_load(text)
    for n, party in enumerate(data["partijen"]):
        party.setdefault("vertegenwoordiger", {})
        party["vertegenwoordiger"].setdefault("naam", f"P. Proef {n + 1}")
        party["vertegenwoordiger"].setdefault("functie", "bestuurder")
    data["ondertekening"].pop("plaats", None)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_definitief_decisions_get_a_signature_field_per_signatory(tmp_path):
    """The accession is signed by the new party and by the chair for the parties; the amendment
    by the chair for the body and by every party of that date, in writing."""
    from pypdf import PdfReader

    path = region_file(tmp_path, signable(SOURCE.read_text(encoding="utf-8")))
    out = tmp_path / "out"
    result = build(path, "--out", out, "--definitief", "--pdf", "--doc", "toetreding")
    assert result.exit_code == 0, result.output
    pdf = out / "groot-amsterdam" / "toetredingsverklaring-groot-amsterdam-stichting-lumen.pdf"
    fields = [name for name, f in (PdfReader(pdf).get_fields() or {}).items() if f.get("/FT") == "/Sig"]
    assert fields == ["handtekening-stichting-lumen", "handtekening-namens-de-partijen"]
    result = build(path, "--out", out, "--definitief", "--pdf", "--doc", "wijziging")
    assert result.exit_code == 0, result.output
    pdf = out / "groot-amsterdam" / "wijzigingsbesluit-groot-amsterdam-1.pdf"
    fields = [name for name, f in (PdfReader(pdf).get_fields() or {}).items() if f.get("/FT") == "/Sig"]
    assert fields[0] == "handtekening-namens-het-projectteam" and len(fields) == 1 + 15
    assert "handtekening-hogeschool-van-amsterdam" in fields


def _body_text(data: bytes, drop: str | None = None) -> list[str]:
    """The paragraphs of a .docx body as text; with `drop` ('ins' or 'del'), as if every tracked
    insertion (or deletion) were rejected, read independently of the library that made them."""
    import io
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    if drop:
        for element in root.iter(f"{w}{drop}"):
            element.getparent().remove(element)
    paragraphs = []
    for p in root.iter(f"{w}p"):
        text = "".join(t.text or "" for t in p.iter(f"{w}t", f"{w}delText"))
        if text.strip():
            paragraphs.append(" ".join(text.split()))
    return paragraphs


def test_the_marked_consolidated_text_is_exactly_the_changes(built):
    """Rejecting every insertion gives the covenant as signed, rejecting every deletion the
    consolidated text; the new end date is marked as such, and Word is expected to open it."""
    import subprocess

    marked = (built / "convenant-groot-amsterdam-geconsolideerd-gemarkeerd.docx").read_bytes()
    signed = (built / "convenant-groot-amsterdam.docx").read_bytes()
    consolidated = (built / "convenant-groot-amsterdam-geconsolideerd.docx").read_bytes()
    assert _body_text(marked, drop="ins") == _body_text(signed)
    assert _body_text(marked, drop="del") == _body_text(consolidated)
    assert "geldt tot 31 december 2023" in " ".join(_body_text(marked, drop="ins"))
    assert _body_text(marked, drop="ins") != _body_text(marked, drop="del")  # the changes are marked, not merged
    audit = subprocess.run(
        [
            "openxml-audit",
            "-m",
            "0",
            "-o",
            "json",
            str(built / "convenant-groot-amsterdam-geconsolideerd-gemarkeerd.docx"),
        ],
        capture_output=True,
        text=True,
    )
    assert json.loads(audit.stdout)[0]["error_count"] == 0
