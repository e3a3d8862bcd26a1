"""The templates of a covenant's life after signing (issue 15), read back as a reader and as the
PDF's signature-field finder see them: the toetredingsverklaring, the wijzigingsbesluit and the
consolidated text, built with `convenant build` from the test region with two accessions and an
amendment (tests/data/besluiten/groot-amsterdam.yaml)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest

from tests.conftest import ROOT
from tests.docs import reading_text

TEMPLATES = ROOT / "templates"
REGION = ROOT / "tests" / "data" / "besluiten" / "groot-amsterdam.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Every document of the test region, concept, by the CLI; and the same region with its own
    Groot-Amsterdam covenant template and a signing date (the consolidated text of that template)."""
    from click.testing import CliRunner

    from convenant_gen.cli import cli

    work = tmp_path_factory.mktemp("besluiten")
    own = work / "eigen" / "groot-amsterdam.yaml"
    own.parent.mkdir()
    text = REGION.read_text(encoding="utf-8")
    text = text.replace(
        "ondertekening:\n  plaats: Amsterdam\n", "ondertekening:\n  plaats: Amsterdam\n  datum: 2022-01-01\n"
    )
    own.write_text(text + "\nsjablonen:\n  convenant: convenant-groot-amsterdam.docx\n", encoding="utf-8")
    documents: dict[str, Path] = {}
    for name, source in (("standaard", REGION), ("eigen", own)):
        out = work / f"out-{name}"
        result = CliRunner().invoke(
            cli,
            ["build", str(source), "--out", str(out), "--templates", str(TEMPLATES), "--datum", "2026-11-23"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        for path in (out / "groot-amsterdam").glob("*.docx"):
            documents[f"{name}/{path.stem}"] = path
    return documents


def blocks(path: Path) -> list[list[list[str]]]:
    """The signature blocks: every table with 'vertegenwoordigd door', as rows of cell texts."""
    found = []
    for table in docx.Document(str(path)).tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        if any("vertegenwoordigd door" in cell for row in rows for cell in row):
            found.append(rows)
    return found


def block_tables(path: Path) -> list:
    return [t for t in docx.Document(str(path)).tables if "vertegenwoordigd door" in "".join(t._tbl.itertext())]


def words(path: Path) -> str:
    return re.sub(r"\s+", " ", reading_text(path))


def test_accession_states_who_joins_the_majority_and_what_it_subscribes_to(built):
    text = words(built["standaard/toetredingsverklaring-groot-amsterdam-stichting-lumen"])
    assert "TITEL Toetredingsverklaring" in text
    assert (
        "hebben op 1 juni 2022 besloten in te stemmen met de toetreding van Stichting Lumen tot het convenant" in text
    )
    assert (
        "Op 1 juni 2022 waren 13 organisaties partij bij het convenant. Daarvan hebben er 10 met de toetreding "
        "ingestemd (Arkin/Roads, GGZ inGeest, de gemeente Aalsmeer," in text
    )
    assert "de gemeente Ouder-Amstel en UWV); nodig waren er ten minste 9." in text
    assert (
        "Stichting Lumen treedt met ingang van 1 juni 2022 toe tot het convenant. Zij onderschrijft de missie, het "
        "doel, de algemene uitgangspunten en de speerpunten van het convenant" in text
    )
    # The second accession counts the first: 14 parties, consent given as a number.
    later = words(built["standaard/toetredingsverklaring-groot-amsterdam-hogeschool-van-amsterdam"])
    assert (
        "waren 14 organisaties partij bij het convenant. Daarvan hebben er 11 met de toetreding ingestemd; nodig"
        in later
    )


def test_accession_has_the_two_signature_blocks_of_the_covenant(built):
    path = built["standaard/toetredingsverklaring-groot-amsterdam-stichting-lumen"]
    found = blocks(path)
    assert [b[0] for b in found] == [
        ["Stichting Lumen,", "vertegenwoordigd door"],
        ["Namens de partijen bij het convenant,", "vertegenwoordigd door"],
    ]
    assert [[row[0] for row in b[1:]] for b in found] == [
        ["Naam:", "Functie:", "Plaats en datum:", "Handtekening:"]
    ] * 2
    assert found[0][1][1] == "B. Smit" and found[1][2][1] == "voorzitter van het projectteam"
    # The finder counts "vertegenwoordigd door": nowhere else in the document.
    assert reading_text(path).count("vertegenwoordigd door") == 2
    # Blocks never split, and the first is kept with the second (one signature page).
    for table in block_tables(path):
        assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in table._tbl.tr_lst)
    first_last_row = block_tables(path)[0]._tbl.tr_lst[-1]
    assert all(p.find(f"{W}pPr/{W}keepNext") is not None for p in first_last_row.iter(f"{W}p"))


def test_amendment_shows_was_and_wordt_the_vote_and_the_consents(built):
    path = built["standaard/wijzigingsbesluit-groot-amsterdam-1"]
    text = words(path)
    assert "TITEL Wijzigingsbesluit 1" in text
    assert "Op 1 oktober 2023 heeft het projectteam van het convenant" in text
    assert "| Onderdeel | Was | Wordt |" in text
    assert re.search(r"\| [^|]+ \| 31 december 2023 \| 31 december 2024 \|", text)
    assert (
        "waren er 11 stemmen vóór en 1 stem tegen; 1 lid onthield zich van stemming. Onthoudingen tellen niet mee: "
        "van de 12 uitgebrachte stemmen moesten er ten minste 8 vóór zijn." in text
    )
    # After two accessions the written consent is counted on 15 parties.
    assert "Op 1 oktober 2023 waren 15 organisaties partij bij het convenant. Daarvan hebben er 12 zich" in text
    assert "nodig waren er ten minste 10." in text
    table = next(t for t in docx.Document(str(path)).tables if t.rows[0].cells[0].text == "Onderdeel")
    assert table._tbl.tblPr.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
    assert [p.style.name for p in table.rows[0].cells[0].paragraphs] == ["Tabelkop"]
    assert [p.style.name for p in table.rows[1].cells[1].paragraphs] == ["Tabeltekst"]


def test_amendment_is_signed_by_the_chair_then_every_party(built):
    found = blocks(built["standaard/wijzigingsbesluit-groot-amsterdam-1"])
    names = [b[0][0] for b in found]
    assert names[0] == "Namens het projectteam,"
    assert (
        len(names) == 1 + 15
        and names[1] == "Arkin/Roads,"
        and names[-2:]
        == [
            "Stichting Lumen,",
            "Hogeschool van Amsterdam,",
        ]
    )


@pytest.mark.parametrize("template", ["standaard", "eigen"])
def test_consolidated_text_says_what_it_is_and_when_each_party_joined(built, template):
    path = built[f"{template}/convenant-groot-amsterdam-geconsolideerd"]
    text = reading_text(path)
    assert "Geconsolideerde tekst per 1 oktober 2023, met de besluiten:" in text
    assert "- Toetreding van Stichting Lumen (1 juni 2022)" in text
    assert "- Wijzigingsbesluit 1: verlenging van de looptijd (1 oktober 2023)" in text
    assert "geldt tot 31 december 2024" in text
    # Not signed itself: no signature blocks, a sentence instead.
    assert "vertegenwoordigd door" not in text
    assert "wordt zelf niet ondertekend" in text
    for party, since in (("Arkin/Roads", "1 januari 2022"), ("Stichting Lumen", "1 juni 2022")):
        assert re.search(rf"\| {re.escape(party)} \| [^|]+ \| {since} \|", text), party
    assert re.search(r"\| Hogeschool van Amsterdam \| [^|]+ \| 1 maart 2023 \|", text)


@pytest.mark.parametrize("template", ["standaard", "eigen"])
def test_the_signed_covenant_of_the_same_file_shows_nothing_of_it(built, template):
    text = reading_text(built[f"{template}/convenant-groot-amsterdam"])
    assert "geconsolideerd" not in text.lower()
    assert "Partij sinds" not in text
    assert "vertegenwoordigd door" in text


def test_templates_check_passes_for_the_new_templates(run, tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    result = run("templates", "check", folder)
    assert result.exit_code == 0, result.output
    for name in ("toetredingsverklaring.docx", "wijzigingsbesluit.docx", "convenant.docx"):
        assert f"✓ {name}" in result.output
