"""The plan van aanpak: facts of seed 004, computed figures, and the same targets as the covenant."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import docx
import pytest

from convenant_gen.figures import figures
from convenant_gen.pipeline.build import build_region
from convenant_gen.region.validate import load_region
from tests.conftest import EXAMPLES, REGIONS, ROOT
from tests.docs import all_text, headings

TEMPLATES = ROOT / "templates"
DAY = dt.date(2026, 11, 23)
PLAN_SECTIONS = [
    "Inleiding",
    "Projectdoelen",
    "Beschrijving mijlpalen",
    "Gewenste resultaten",
    "Uitsluitingen",
    "Welke inzet is nodig om de doelen te halen?",
    "Communicatiebehoeften",
    "Acceptatiecriteria",
    "Kritische factoren",
    "Capaciteit",
    "Financiën",
    "Totstandkoming",
    "Belanghebbenden",
    "Goedkeuringen",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("plans")
    result = {}
    for source in EXAMPLES:
        outcome = build_region(source, out, templates=TEMPLATES, datum=DAY)
        assert outcome.error is None, outcome.error
        result[source.stem] = {p.name.split(f"-{source.stem}")[0]: p for p in outcome.written}
    return result


def table_with(path: Path, first_header: str) -> list[list[str]]:
    d = docx.Document(str(path))
    table = next(t for t in d.tables if t.rows[0].cells[0].text == first_header)
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.mark.parametrize("slug", [p.stem for p in EXAMPLES])
def test_plan_structure(built, slug):
    assert headings(built[slug]["plan-van-aanpak"]) == PLAN_SECTIONS
    assert "{{" not in all_text(built[slug]["plan-van-aanpak"])


def test_holland_rijnland_carries_the_facts_of_seed_004(built):
    plan = built["holland-rijnland"]["plan-van-aanpak"]
    text = re.sub(r"\s+", " ", all_text(plan))
    for expected in [
        "Opsteller: Peter Don, projectondersteuner",
        "Verwachte einddatum: 31 december 2023",
        "Eén en ander resulterend in 100 nieuwe trajecten per jaar",
        "Daarnaast 50 werkgevers zonder ervaring met de doelgroep.",
        "twee projectleiders (duobaan), samen 16 uur per week",
        "Voor de projectleiding is 16 uur per week ingecalculeerd.",
        "Centrumgemeente Leiden fungeert als kassier.",
        "Naar-werktrajecten waarbij geen ggz-instelling is betrokken",
        "Rob van Rijn, Gemeente Leiden",
        "Karin Ruben, manager operations, Provalu",
    ]:
        assert expected in text, expected
    milestones = table_with(plan, "Datum")
    assert milestones[1] == ["1 juli 2022", "Sleutelfiguren aangewezen bij elke deelnemende organisatie", ""]
    assert ["1 januari 2023", "trajecten gestart", "50"] in milestones
    assert ["31 december 2023", "afgeronde of lopende trajecten", "150"] in milestones
    assert len(milestones) == 12
    capacity = table_with(plan, "Partij")
    assert capacity[1] == ["WSP Holland Rijnland", "4", "sleutelfiguur; werving van werkgevers"]
    assert ["Gemeente Katwijk", "2", "sleutelfiguur"] in capacity
    assert capacity[-1] == ["Totaal partijen", "22", "met projectleiding: 38 uur per week"]
    ips = table_with(plan, "Doelgroep")
    assert ips[1] == ["EPA", "65", "€ 11.325", "36 maanden", "€ 736.125"]
    assert ips[2] == ["CMD", "35", "€ 8.000", "24 maanden", "€ 280.000"]
    assert ips[3] == ["Totaal", "100", "", "", "€ 1.016.125"]
    approvals = table_with(plan, "Key stakeholders")
    assert len(approvals) == 8
    assert approvals[1][0] == "Yvonne van Delft"
    assert approvals[1][2].startswith("……") and approvals[1][3].startswith("……")  # blank to sign
    assert approvals[3][0].startswith("……")  # the Alphen alderman is not known yet
    stakeholders = table_with(plan, "Functies")
    assert ["AWVN", "Lisa Molenaar"] in stakeholders


@pytest.mark.parametrize("slug", [p.stem for p in EXAMPLES])
def test_computed_totals_equal_the_sums_of_the_rows(built, slug):
    plan = built[slug]["plan-van-aanpak"]
    region = load_region(REGIONS / f"{slug}.yaml").region

    def euros(text: str) -> int:
        return int(text.replace("€", "").replace(".", "").strip())

    ips = table_with(plan, "Doelgroep")
    assert euros(ips[1][4]) == int(ips[1][1].replace(".", "")) * euros(ips[1][2])
    assert euros(ips[2][4]) == int(ips[2][1].replace(".", "")) * euros(ips[2][2])
    assert euros(ips[3][4]) == euros(ips[1][4]) + euros(ips[2][4]) == figures(region).ips.totaal
    capacity = table_with(plan, "Partij")
    rows = [float(r[1].replace(",", ".")) for r in capacity[1:-1]]
    assert float(capacity[-1][1].replace(",", ".")) == sum(rows)


def test_override_of_ips_rate(write, tmp_path):
    from tests.conftest import MINIMAL

    path = write(
        MINIMAL + "plan_van_aanpak:\n  financiering:\n    epa:\n      trajecten: 10\n"
        "      tarief: 12000\n    cmd:\n      trajecten: 4\n"
    )
    outcome = build_region(path, tmp_path, templates=TEMPLATES, datum=DAY, documents=("plan",))
    assert outcome.error is None, outcome.error
    ips = table_with(outcome.written[0], "Doelgroep")
    assert ips[1] == ["EPA", "10", "€ 12.000", "36 maanden", "€ 120.000"]
    assert ips[2] == ["CMD", "4", "€ 8.000", "24 maanden", "€ 32.000"]
    assert ips[3][4] == "€ 152.000"


@pytest.mark.parametrize("slug", [p.stem for p in EXAMPLES])
def test_plan_and_covenant_show_the_same_targets(built, slug):
    region = load_region(REGIONS / f"{slug}.yaml").region
    from convenant_gen.documents.formatting import datum, getal

    d = region.doelstellingen
    convenant = re.sub(r"\s+", " ", all_text(built[slug]["convenant"]))
    plan = re.sub(r"\s+", " ", all_text(built[slug]["plan-van-aanpak"]))
    in_covenant = (
        f"om vóór {datum(d.datum)} in totaal {getal(d.trajecten)} trajecten te hebben afgerond, "
        f"met als resultaat {getal(d.duurzame_plaatsingen)} duurzame plaatsingen"
    )
    in_plan = (
        f"{getal(d.trajecten)} trajecten vóór {datum(d.datum)}, resulterend in "
        f"{getal(d.duurzame_plaatsingen)} duurzame plaatsingen"
    )
    assert in_covenant in convenant
    assert in_plan in plan
    assert f"Centrumgemeente {region.regio.centrumgemeente} fungeert als kassier." in convenant
    assert f"Centrumgemeente {region.regio.centrumgemeente} fungeert als kassier." in plan
    # menskracht: one list, two documents
    for m in region.financien.menskracht:
        assert f"{m.partij} | {getal(m.uren_per_week)}" in all_text(built[slug]["convenant"])
        assert f"{m.partij} | {getal(m.uren_per_week)}" in all_text(built[slug]["plan-van-aanpak"])


def test_doc_option_picks_documents(run, examples, tmp_path, monkeypatch):
    monkeypatch.chdir(examples.parent)
    out = tmp_path / "o"
    result = run("build", examples / "achterhoek.yaml", "--doc", "plan", "--out", out, "--templates", TEMPLATES)
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "achterhoek").iterdir()] == ["plan-van-aanpak-achterhoek.docx"]
    result = run("build", examples / "achterhoek.yaml", "--doc", "alle", "--out", out, "--templates", TEMPLATES)
    assert sorted(p.name for p in (out / "achterhoek").iterdir()) == [
        "convenant-achterhoek.docx",
        "plan-van-aanpak-achterhoek.docx",
    ]
