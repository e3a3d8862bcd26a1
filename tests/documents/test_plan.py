"""The plan van aanpak (issue 13, item 2 and 11b): every section shows the region's own plan,
or what follows from its covenant, or in a concept one line "Nog in te vullen: …"; a definitief
plan leaves an open section out with its heading. Never zeros or empty tables printed as if
real; the IPS financing only where the region states IPS numbers; the same facts as the
covenant; and Holland Rijnland's plan carries the facts of seed 004."""

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
from tests.docs import all_text, headings, reading_text

TEMPLATES = ROOT / "templates"
DAY = dt.date(2026, 11, 23)
ALL_SECTIONS = [
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
OPEN = "Nog in te vullen:"

# A region complete enough to be signed, with no plan of its own: what its plan shows comes
# from the covenant alone.
COMPLETE = """\
regio:
  naam: Proefregio
  centrumgemeente: Proefstad
looptijd:
  ingangsdatum: 2022-01-01
  einddatum: 2023-12-31
speerpunten:
  instroom_2024: 100
doelstellingen:
  accenten: [meer plaatsingen realiseren]
  datum: 2023-12-31
  trajecten: 200
  duurzame_plaatsingen: 80
doelgroepen:
  primair: [kandidaten voor IPS-trajecten]
  secundair: [klantmanagers]
partijen:
  - naam: Gemeente Proefstad
    soort: gemeente
    vertegenwoordiger: {naam: A. Jansen, functie: wethouder}
  - naam: GGZ Proef
    soort: ggz-instelling
    vertegenwoordiger: {naam: B. de Vries, functie: directeur}
werkwijze:
  organen:
    - naam: stuurgroep
      soort: stuurgroep
      vergaderingen_per_jaar: 3
      wanneer: maart, juni en november
      eerste_bijeenkomst: maart 2022
      organisator: Gemeente Proefstad
    - naam: coördinatieteam
      soort: coordinatieteam
      eerste_bijeenkomst: februari 2022
      organisator: Gemeente Proefstad
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("plans")
    result = {}
    for source in EXAMPLES:
        outcome = build_region(source, out, templates=TEMPLATES, datum=DAY)
        assert outcome.error is None, outcome.error
        result[source.stem] = {p.name.split(f"-{source.stem}")[0]: p for p in outcome.written}
    return result


def plan_text(built, slug: str) -> str:
    return reading_text(built[slug]["plan-van-aanpak"])


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def table_with(path: Path, first_header: str) -> list[list[str]]:
    d = docx.Document(str(path))
    table = next(t for t in d.tables if t.rows[0].cells[0].text == first_header)
    return [[c.text for c in row.cells] for row in table.rows]


def has_table(path: Path, first_header: str) -> bool:
    return any(t.rows[0].cells[0].text == first_header for t in docx.Document(str(path)).tables)


def section(text: str, heading: str) -> list[str]:
    """The lines of a reading text under '# heading', up to the next heading of that level."""
    lines = text.splitlines()
    start = lines.index(f"# {heading}") + 1
    end = next((i for i in range(start, len(lines)) if re.match(r"# |KOPTEKST", lines[i])), len(lines))
    return lines[start:end]


def build(tmp_path: Path, run, text: str, *options: str, name: str = "proefregio") -> str:
    """Build the plan of the region file `text` through the CLI; its reading text."""
    source = tmp_path / f"{name}.yaml"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", source, "--doc", "plan", "--out", out, "--datum", "2026-11-23", "-q", *options)
    assert result.exit_code == 0, result.output
    return reading_text(out / name / f"plan-van-aanpak-{name}.docx")


def example(region: str, *changes: tuple[str, str]) -> str:
    """An example region's file with each `old` text replaced by `new` once."""
    text = (REGIONS / f"{region}.yaml").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, f"the example changed: {old!r} is not in {region}.yaml"
        text = text.replace(old, new, 1)
    return text


# --- never empty, never zero ---------------------------------------------------------------


@pytest.mark.parametrize("slug", [p.stem for p in EXAMPLES])
def test_every_section_of_a_concept_is_there(built, slug):
    assert headings(built[slug]["plan-van-aanpak"]) == ALL_SECTIONS
    assert "{{" not in all_text(built[slug]["plan-van-aanpak"])


@pytest.mark.parametrize("slug", [p.stem for p in EXAMPLES])
def test_no_zeros_no_dotted_lines_no_empty_tables(built, slug):
    text = plan_text(built, slug)
    for bad in ("0 mijlpalen", "waarvan 0", "Totaal partijen 0", "| 0 |", "€ 0 |", "Eén en ander", "……"):
        assert bad not in text, bad
    for table in docx.Document(str(built[slug]["plan-van-aanpak"])).tables:
        assert len(table.rows) > 1, f"a table with a header row only: {table.rows[0].cells[0].text}"


@pytest.mark.parametrize("slug", [p.stem for p in EXAMPLES])
def test_each_section_has_content_or_says_what_is_missing(built, slug):
    text = plan_text(built, slug)
    for heading in ALL_SECTIONS:
        lines = section(text, heading)
        assert lines, f"{heading} is empty"
        opens = [line for line in lines if line.startswith(OPEN)]
        if opens:
            assert lines == opens, f"{heading}: 'Nog in te vullen' beside content"
            assert re.fullmatch(r"Nog in te vullen: [a-z][^\[\]]+\.", opens[0]), opens[0]


def test_a_new_region_from_init_gets_a_plan_without_zeros_or_empty_tables(tmp_path, run):
    result = run("init", "Zwolle", "--map", tmp_path)
    assert result.exit_code == 0, result.output
    source = next(tmp_path.glob("*.yaml"))
    out = tmp_path / "out"
    result = run("build", source, "--doc", "plan", "--out", out, "--datum", "2026-11-23", "-q")
    assert result.exit_code == 0, result.output
    plan = next(out.rglob("plan-van-aanpak-*.docx"))
    text = reading_text(plan)
    for bad in ("0 mijlpalen", "€ 0", "| 0 |", "Eén en ander", "……", "Subsidieregeling voor IPS-trajecten"):
        assert bad not in text, bad
    assert all(len(t.rows) > 1 for t in docx.Document(str(plan)).tables)
    assert headings(plan) == ALL_SECTIONS
    assert section(text, "Gewenste resultaten") == ["Nog in te vullen: welke resultaten het project wil bereiken."]


def test_a_concept_says_what_the_region_should_write(built):
    text = plan_text(built, "achterhoek")
    assert section(text, "Uitsluitingen") == ["Nog in te vullen: wat buiten de scope van het project valt."]
    assert section(text, "Acceptatiecriteria")[0].startswith(OPEN)
    assert section(text, "Totstandkoming")[0].startswith(OPEN)
    assert section(text, "Capaciteit")[0].startswith(OPEN)


def test_a_definitief_plan_leaves_open_sections_out(tmp_path, run):
    concept = build(tmp_path, run, COMPLETE)
    final = build(tmp_path, run, COMPLETE, "--definitief")
    assert OPEN in concept
    assert OPEN not in final and "CONCEPT" not in final and "[" not in final
    shown = [line[2:] for line in final.splitlines() if line.startswith("# ")]
    assert shown == [
        "Inleiding",
        "Projectdoelen",
        "Beschrijving mijlpalen",
        "Communicatiebehoeften",
        "Financiën",
        "Belanghebbenden",
        "Goedkeuringen",
    ]
    assert "Opsteller" not in final


# --- from the covenant -----------------------------------------------------------------------


def test_a_plan_without_its_own_data_shows_the_covenant(tmp_path, run):
    text = build(tmp_path, run, COMPLETE)
    assert section(text, "Projectdoelen")[0] == "- Meer plaatsingen realiseren."
    assert (
        "De partijen streven naar 100 nieuwe trajecten per jaar: in totaal 200 trajecten vóór 31 december "
        "2023, met als resultaat 80 duurzame plaatsingen (40 procent)." in text
    )
    assert "De projectleiding ligt bij één projectleider." in text
    milestones = section(text, "Beschrijving mijlpalen")
    assert "| 31 december 2023 | Trajecten afgerond (doelstelling van het convenant) | 200 |" in milestones
    assert "| 31 december 2023 | Duurzame plaatsingen (doelstelling van het convenant) | 80 |" in milestones
    assert "| Gemeenten | Gemeente Proefstad |" in section(text, "Belanghebbenden")
    assert "| A. Jansen | wethouder, Gemeente Proefstad |  |  |" in section(text, "Goedkeuringen")


def test_achterhoek_plan_names_its_project_leader_and_activities(built):
    text = plan_text(built, "achterhoek")
    assert "De projectleiding ligt bij projectleider Zwanet van Kooten." in text
    plan = built["achterhoek"]["plan-van-aanpak"]
    rows = table_with(plan, "Datum")
    assert rows[0] == ["Datum", "Mijlpaal", "Resultaat"]
    assert [
        "31 december 2022",
        "Ontwikkeling van een gemeenschappelijke intake met de direct betrokken partners (trekker: Laborijn)",
        "gemeenschappelijke intake van UWV, GGNet en Laborijn in gebruik",
    ] in rows
    dates = [dt.datetime.strptime(r[0].replace("december", "12"), "%d %m %Y") for r in rows[1:] if "december" in r[0]]
    assert dates == sorted(dates)
    assert "- Goede bestuurlijke verbinding." in section(plan_text(built, "achterhoek"), "Kritische factoren")


def test_groot_amsterdam_plan_has_the_covenants_range_of_new_employers(built):
    text = flat(plan_text(built, "groot-amsterdam"))
    assert "25 tot 50 nieuwe werkgevers" in text
    rows = table_with(built["groot-amsterdam"]["plan-van-aanpak"], "Datum")
    employers = [r for r in rows if r[1].startswith("Nieuwe werkgevers")]
    assert employers == [["31 december 2023", "Nieuwe werkgevers", "25 tot 50"]]


def test_holland_rijnland_plan_does_not_contradict_its_covenant(built):
    text = flat(plan_text(built, "holland-rijnland"))
    assert "De projectleiding ligt bij twee projectleiders (duobaan), gedetacheerd vanuit de gemeente Leiden" in text
    assert "gemeente/ggz" not in text


# --- IPS only where the region states IPS numbers ---------------------------------------------


def test_no_ips_section_without_ips_numbers(built):
    plan = built["achterhoek"]["plan-van-aanpak"]
    assert "Subsidieregeling voor IPS-trajecten" not in reading_text(plan)
    assert not has_table(plan, "Doelgroep")
    assert has_table(built["holland-rijnland"]["plan-van-aanpak"], "Doelgroep")


def test_zero_ips_trajecten_for_both_groups_is_not_stated(tmp_path, run):
    text = build(
        tmp_path,
        run,
        example(
            "groot-amsterdam",
            ("      trajecten: 70\n", "      trajecten: 0\n"),
            ("      trajecten: 30\n", "      trajecten: 0\n"),
        ),
        name="groot-amsterdam",
    )
    assert "IPS" not in "\n".join(section(text, "Financiën"))
    assert "€ 0" not in text


def test_ips_for_one_group_shows_that_group_only(tmp_path, run):
    text = build(
        tmp_path,
        run,
        example("groot-amsterdam", ("      trajecten: 30\n", "      trajecten: 0\n")),
        name="groot-amsterdam",
    )
    rows = [line for line in section(text, "Financiën") if line.startswith("| ")]
    assert rows == [
        "| Doelgroep | Trajecten | Tarief per traject | Duur | Totaal |",
        "| EPA | 70 | € 11.325 | 36 maanden | € 792.750 |",
    ]


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


# --- Dutch in the plan's own sentences ----------------------------------------------------------


@pytest.mark.parametrize(
    ("leiding", "expected"),
    [
        ("", "De projectleiding ligt bij één projectleider."),
        ("  projectleiding:\n    aantal: 2\n", "De projectleiding ligt bij twee projectleiders (duobaan)."),
        (
            "  projectleiding:\n    aantal: 2\n    uren_per_week: 16\n    namen: [An Smit, Bo Claes]\n"
            "    vanuit: Gemeente Proefstad\n",
            "De projectleiding ligt bij de projectleiders An Smit en Bo Claes (duobaan), gedetacheerd vanuit de "
            "gemeente Proefstad, samen 16 uur per week.",
        ),
        (
            "  projectleiding:\n    functie: aanjager\n    uren_per_week: 8\n    aanstelling: extern\n",
            "De projectleiding ligt bij één aanjager, van buiten de deelnemende organisaties, 8 uur per week.",
        ),
    ],
    ids=["one", "two", "two-named", "one-aanjager-extern"],
)
def test_one_or_two_project_leaders(tmp_path, run, leiding, expected):
    text = COMPLETE.replace("werkwijze:\n", "werkwijze:\n" + leiding)
    assert expected in flat(build(tmp_path, run, text))


@pytest.mark.parametrize(
    ("milestones", "expected"),
    [
        ("    - {datum: 2022-06-01, omschrijving: start, aantal: 1}\n", "Het plan kent 1 mijlpaal, op 1 juni 2022."),
        (
            "    - {datum: 2022-06-01, omschrijving: start}\n    - {datum: 2023-06-01, omschrijving: halverwege}\n",
            "Het plan kent 2 mijlpalen, van 1 juni 2022 tot en met 1 juni 2023.",
        ),
        (
            "    - {datum: 2022-06-01, omschrijving: start}\n    - {datum: 2024-06-01, omschrijving: na afloop}\n",
            "Het plan kent 2 mijlpalen, van 1 juni 2022 tot en met 1 juni 2024; 1 mijlpaal ligt na de einddatum van "
            "het convenant.",
        ),
    ],
    ids=["one", "two", "one-after-the-end"],
)
def test_one_or_many_milestones(tmp_path, run, milestones, expected):
    bare = COMPLETE.replace("  datum: 2023-12-31\n  trajecten: 200\n  duurzame_plaatsingen: 80\n", "")
    text = build(tmp_path, run, bare + "plan_van_aanpak:\n  mijlpalen:\n" + milestones)
    assert expected in flat(text)
    one = [line for line in text.splitlines() if line.startswith("| 1 juni 2022")]
    assert one[0].startswith("| 1 juni 2022 | Start |")


def test_new_employers_agree_in_number(tmp_path, run):
    text = build(tmp_path, run, COMPLETE.replace("  trajecten: 200\n", "  trajecten: 200\n  nieuwe_werkgevers: 1\n"))
    assert "Daarnaast zetten zij in op 1 nieuwe werkgever die nog geen ervaring heeft" in flat(text)
    text = build(
        tmp_path, run, COMPLETE.replace("  trajecten: 200\n", "  trajecten: 200\n  nieuwe_werkgevers: 25 tot 50\n")
    )
    assert "Daarnaast zetten zij in op 25 tot 50 nieuwe werkgevers die nog geen ervaring hebben" in flat(text)


# --- Holland Rijnland: seed 004 ----------------------------------------------------------------


def test_holland_rijnland_carries_the_facts_of_seed_004(built):
    plan = built["holland-rijnland"]["plan-van-aanpak"]
    text = flat(plan_text(built, "holland-rijnland"))
    for expected in [
        "Opsteller: Peter Don, projectondersteuner",
        "Verwachte einddatum: 31 december 2023",
        "in het derde kwartaal van 2022 te laten starten",
        # the definition of a traject
        "Een traject is een naar-werktraject van iemand die onder behandeling is van een ggz-instelling",
        "een IPS-coach, een jobcoach, iemand van het WSP of een re-integratiebureau",
        # the duo's hours
        "8 uur per week voor projectbegeleiding op vooral operationeel niveau",
        "8 uur per week voor de meer beleidsmatige en bestuurlijke invulling",
        # the routes
        "13 routes naar werk, waarvan 9 bestaande en 4 nieuwe",
        "UWV en GGZ Rivierduinen hebben een lijn voor IPS-trajecten",
        # the financing after 2023 and the start date
        "Over de periode na 2023 bestaat nog geen duidelijkheid",
        "ligt de startdatum niet vóór 1 januari 2022",
        "Een IPS-traject kost gemiddeld ongeveer € 10.000",
        "Daarnaast zetten zij in op 50 nieuwe werkgevers",
        "Voor de projectleiding is 16 uur per week ingecalculeerd.",
        "Centrumgemeente Leiden fungeert als kassier.",
        "Naar-werktrajecten waarbij geen ggz-instelling is betrokken",
        "Rob van Rijn, Gemeente Leiden",
        "Karin Ruben, manager operations, Provalu",
    ]:
        assert expected in text, expected
    milestones = table_with(plan, "Datum")
    assert ["1 januari 2023", "Trajecten gestart", "50"] in milestones
    assert ["31 december 2023", "Afgeronde of lopende trajecten", "150"] in milestones
    assert any(
        r[1].startswith("Analyse van 35 cliënten") and r[1].endswith("(trekker: Gemeente Leiden)") for r in milestones
    )
    capacity = table_with(plan, "Partij")
    assert capacity[1] == ["WSP Holland Rijnland", "4", "sleutelfiguur; werving van werkgevers"]
    assert ["Gemeente Katwijk", "2", "sleutelfiguur"] in capacity
    assert capacity[-1] == ["Totaal", "22", "met projectleiding: 38 uur per week"]
    ips = table_with(plan, "Doelgroep")
    assert ips[1] == ["EPA", "65", "€ 11.325", "36 maanden", "€ 736.125"]
    assert ips[2] == ["CMD", "35", "€ 8.000", "24 maanden", "€ 280.000"]
    assert ips[3] == ["Totaal", "100", "", "", "€ 1.016.125"]
    approvals = table_with(plan, "Key stakeholders")
    assert len(approvals) == 8
    assert approvals[1][0] == "Yvonne van Delft"
    stakeholders = table_with(plan, "Functies")
    assert ["AWVN", "Lisa Molenaar"] in stakeholders


@pytest.mark.parametrize("slug", [p.stem for p in EXAMPLES])
def test_computed_totals_equal_the_sums_of_the_rows(built, slug):
    plan = built[slug]["plan-van-aanpak"]
    region = load_region(REGIONS / f"{slug}.yaml").region

    def euros(text: str) -> int:
        return int(text.replace("€", "").replace(".", "").strip())

    if has_table(plan, "Doelgroep"):
        ips = table_with(plan, "Doelgroep")
        assert euros(ips[1][4]) == int(ips[1][1].replace(".", "")) * euros(ips[1][2])
        assert euros(ips[2][4]) == int(ips[2][1].replace(".", "")) * euros(ips[2][2])
        assert euros(ips[3][4]) == euros(ips[1][4]) + euros(ips[2][4]) == figures(region).ips.totaal
    if has_table(plan, "Partij"):
        capacity = table_with(plan, "Partij")
        rows = [float(r[1].replace(",", ".")) for r in capacity[1:-1]]
        assert float(capacity[-1][1].replace(",", ".")) == sum(rows)


@pytest.mark.parametrize("slug", [p.stem for p in EXAMPLES])
def test_plan_and_covenant_show_the_same_targets(built, slug):
    region = load_region(REGIONS / f"{slug}.yaml").region
    from convenant_gen.documents.formatting import datum, getal

    d = region.doelstellingen
    convenant = flat(all_text(built[slug]["convenant"]))
    plan = flat(all_text(built[slug]["plan-van-aanpak"]))
    in_covenant = (
        f"om vóór {datum(d.datum)} in totaal {getal(d.trajecten)} trajecten te hebben afgerond, "
        f"met als resultaat {getal(d.duurzame_plaatsingen)} duurzame plaatsingen"
    )
    in_plan = (
        f"in totaal {getal(d.trajecten)} trajecten vóór {datum(d.datum)}, met als resultaat "
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
