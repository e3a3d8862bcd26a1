"""The covenant as built: sections, standard passages, values in Dutch, signature page, safety."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest

from convenant_gen.pipeline.build import build_region
from tests.conftest import MINIMAL, REGIONS, ROOT, signable_holland_rijnland
from tests.docs import all_text, headings, paragraphs, reading_text

SEED = ROOT / "tests" / "data" / "format-sterk-door-werk.txt"  # seed 003, the national format
TEMPLATES = ROOT / "templates"
DAY = dt.date(2026, 11, 23)

SECTIONS = [
    "Aanleiding",
    "Missie en doel",
    "Speerpunten",
    "Wat willen we bereiken? Doelstellingen",
    "Primaire doelgroep",
    "Secundaire doelgroepen",
    "Activiteitenplan",
    "Samenwerkende partijen",
    "Looptijd",
    "Algemene uitgangspunten",
    "Werkwijze en uitvoering",
    "Financiële middelen en menskracht",
    "Communicatie",
    "Privacy",
    "Aanpassing convenant",
    "Toetreding andere partijen",
    "Evaluatie en monitoring",
    "Niet nakomen van afspraken",
    "Vervolg",
    "Ondertekening",
    "Bijlagen bij het convenant",
    "Bijlage 1. Samenwerkende partijen",
]


def build(source: Path, out: Path, **kw) -> Path:
    outcome = build_region(source, out, templates=kw.pop("templates", TEMPLATES), datum=DAY, **kw)
    assert outcome.error is None, outcome.error
    return outcome.written[0]


@pytest.fixture(scope="module")
def amsterdam(tmp_path_factory) -> Path:
    return build(REGIONS / "groot-amsterdam.yaml", tmp_path_factory.mktemp("out"))


def test_sections_in_the_formats_order(amsterdam):
    found = headings(amsterdam)
    assert found[: len(SECTIONS)] == SECTIONS
    assert found[-1].startswith("Bijlage 2. Achtergrondinformatie bij het convenant")
    assert "arbeidsmarktregio Groot-Amsterdam" in found[-1]


FORMAT_HEADINGS = {
    "Aanleiding",
    "Missie en doel",
    "Speerpunten",
    "Wat willen we bereiken? Doelstellingen",
    "Primaire doelgroep",
    "Secundaire doelgroepen",
    "Activiteitenplan",
    "Samenwerkende partijen",
    "Looptijd",
    "Algemene uitgangspunten",
    "Werkwijze en uitvoering",
    "Stuurgroep",
    "Coördinatieteam en eventuele werkgroepen",
    "Financiële middelen en menskracht",
    "Communicatie",
    "Privacy",
    "Aanpassing convenant",
    "Toetreding andere partijen",
    "Evaluatie en monitoring",
    "Niet nakomen van afspraken",
    "Vervolg",
    "Bijlagen bij het convenant",
    "Bijlage",
    "30 procent minder kans op betaald werk",
    "Investeren in re-integratie loont",
    "Complicerende factoren",
    "Kansen op werk nauwelijks verbeterd",
    "Stigma",
    "Werkgevers informeren en ondersteunen",
    "Zelfstigma",
    "Preventie van uitval",
    "Zorgen over de jongere generatie",
    "Convenanten",
    "Belemmeringen voor werkgevers",
    "Veel maatschappelijke baten",
    "Een nieuw landelijk convenant",
    "Focus op concrete resultaten",
    "In de arbeidsmarktregio",
}
# Standard text that follows a Toelichting block without a heading in between.
AFTER_TOELICHTING = (
    "De concrete doelstelling van arbeidsmarktregio",
    "Er wordt een stuurgroep ingericht",
    "Het coördinatieteam bespreekt",
    "De kosten van de",
    "Centrumgemeente",
    "Voor het halen",
)
# Sentences whose wording depends on the region's choices, checked by value tests instead.
CHOICES = (
    "·",
    "Aldus overeengekomen",
    "[Naam, functie",
    "1. Samenwerkende",
    "2. Achtergrond",
    "Voor het halen",
    "[Concrete afspraken",
    "Er wordt een stuurgroep ingericht",
    "De kosten van de",
)
PLACEHOLDER = re.compile(r"(?:\b(?:de|het) )?\[[^\]]*\]")

# Slips of the format the covenant corrects; each is listed in docs/sjablonen.md (tested below).
CORRECTIONS = {
    "over de het convenant": "over het convenant",
    "zich schriftelijk akkoord verklaard": "zich schriftelijk akkoord heeft verklaard",
    "een zelflerend, duurzaam uitvoerbaar en structureel bekostigde samenwerking": (
        "een zelflerende, duurzaam uitvoerbare en structureel bekostigde samenwerking"
    ),
    "bestuurders/voorzitters van de ondertekenaars van het convenant of diens gemandateerde vervanger": (
        "de bestuurders of voorzitters van de ondertekenende partijen of hun gemandateerde vervangers"
    ),
    "tussen- en of eindresultaten": "tussen- of eindresultaten",
    "stil legt": "stillegt",
    "instemmen met het toetreden": "instemt met het toetreden",
    "met een [twee derde] meerderheid": "met een meerderheid van [twee derde]",
    "dat een [twee derde] meerderheid van": "dat een meerderheid van [twee derde] van",
    "trajecten te hebben afgerond, resulterend in": "trajecten te hebben afgerond, met als resultaat",
    "de landelijke convenantspartijen": "de landelijke convenantpartijen",
    "het OECD- rapport": "het OECD-rapport",
    "stress-gerelateerd": "stressgerelateerd",
    "‘Impuls-regeling’": "‘Impulsregeling’",
}


def _standard_fragments() -> list[str]:
    """The format's covenant text (section 4 and its annex) without the Toelichting blocks, cut
    at every [placeholder] into literal fragments that must appear in the covenant as written."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Regionaal convenant ‘Sterk door werk 2021-2024"))
    end = next(i for i, line in enumerate(lines) if line.startswith("5. Toolbox"))
    fragments, toelichting = [], False
    for raw in lines[start + 2 : end]:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("Toelichting"):
            toelichting = True
            continue
        if line in FORMAT_HEADINGS or line.startswith(AFTER_TOELICHTING):
            toelichting = False
        if toelichting or line in FORMAT_HEADINGS or line.startswith(CHOICES):
            continue
        for wrong, right in CORRECTIONS.items():
            line = line.replace(wrong, right)
        for piece in PLACEHOLDER.split(re.sub(r"^\d\. ", "", line)):
            piece = piece.strip(" .,:")
            if len(piece) > 25:
                fragments.append(piece)
    return fragments


def _as_format_names(text: str, main: str, work: str | None) -> str:
    """The format calls the bodies 'stuurgroep' and 'coördinatieteam'; a region names its own."""
    from convenant_gen.documents.formatting import hoofdletter, lidwoord

    for name, standard in ((main, "stuurgroep"), (work, "coördinatieteam")):
        if name and name != standard:
            text = text.replace(hoofdletter(lidwoord(name)), hoofdletter(lidwoord(standard)))
            text = text.replace(lidwoord(name), lidwoord(standard)).replace(
                f"{name}bijeenkomst", f"{standard}bijeenkomst"
            )
    return text


@pytest.mark.parametrize("slug", ["groot-amsterdam", "holland-rijnland", "achterhoek"])
def test_every_standard_passage_of_the_format_is_there(slug, tmp_path):
    from convenant_gen.region.validate import load_region

    region = load_region(REGIONS / f"{slug}.yaml").region
    path = build(REGIONS / f"{slug}.yaml", tmp_path)
    has_work = any(o.soort == "coordinatieteam" for o in region.werkwijze.organen)
    text = _as_format_names(
        re.sub(r"\s+", " ", all_text(path)), region.hoofdorgaan.naam, region.werkorgaan.naam if has_work else None
    )
    fragments = _standard_fragments()
    assert len(fragments) > 70
    if not has_work:  # seed 000 has no coördinatieteam: its passage has nothing to describe
        fragments = [
            f
            for f in fragments
            if not f.startswith(("Het coördinatieteam bespreekt", "Tijdens deze eerste bijeenkomst wordt"))
        ]
    missing = [f for f in fragments if f not in text]
    assert missing == []


def test_every_correction_of_the_format_is_documented():
    guide = re.sub(r"\s+", " ", (ROOT / "docs" / "sjablonen.md").read_text(encoding="utf-8"))
    for wrong in CORRECTIONS:
        assert wrong.split(" van ")[0][:30] in guide, wrong


def test_no_toelichting_and_no_leftover_tags(amsterdam):
    text = all_text(amsterdam)
    assert "Toelichting" not in text
    assert "{{" not in text and "{%" not in text and "[naam]" not in text


def test_groot_amsterdam_values_in_dutch(amsterdam):
    text = re.sub(r"\s+", " ", all_text(amsterdam))
    for expected in [
        "Dit convenant treedt in werking vanaf de datum van ondertekening op 1 januari 2022 "
        "en geldt tot 31 december 2023.",
        "om vóór 31 december 2023 in totaal 100 trajecten te hebben afgerond, "
        "met als resultaat 40 duurzame plaatsingen",
        "Van de trajecten zijn er 25 tot 40 voor de doelgroep CMD.",
        "25 tot 50 nieuwe werkgevers",
        "Uiterlijk twee maanden voor het aflopen van de convenantperiode",
        "Het projectteam komt zes keer per jaar bij elkaar, en wel in de even maanden (tweemaandelijks).",
        "De eerste projectteambijeenkomst vindt plaats in januari 2022",
        "De klankbordgroep komt vier keer per jaar bij elkaar.",
        "met een meerderheid van twee derde zijn vastgesteld en minimaal twee derde van alle convenantpartijen zich",
        "Bij 13 ondertekenaars betekent dit: ten minste 9 stemmen in het projectteam",
        "Bij 13 ondertekenaars moeten dus ten minste 9 partijen instemmen.",
        "voorbereid door het projectteam",
        "Centrumgemeente Amsterdam fungeert als kassier.",
        "Aldus overeengekomen en door elke partij ondertekend op de plaats en datum bij haar handtekening, "
        "in dertienvoud.",
        "in het projectteam of de klankbordgroep onderling afspraken",
        "In de eerste bijeenkomst van het projectteam in januari 2022 wordt afgesproken",
        "De kosten van de projectleider worden gefinancierd uit de projectvergoeding vanuit het landelijke "
        "project Hoofdzaak Werk.",
        "oplopend tot 100 in 2024",
    ]:
        assert expected in text, expected


def test_signature_page_has_every_party_and_role_of_seed_000(amsterdam):
    d = docx.Document(str(amsterdam))
    blocks = [t for t in d.tables if t.rows[0].cells[-1].text == "vertegenwoordigd door"]
    names = [b.rows[0].cells[0].text.rstrip(",") for b in blocks]
    assert names == [
        "Arkin/Roads",
        "GGZ inGeest",
        "Gemeente Aalsmeer",
        "Gemeente Amstelveen",
        "Gemeente Amsterdam",
        "Gemeente De Ronde Venen",
        "Gemeente Diemen",
        "Gemeente Haarlemmermeer",
        "Gemeente Ouder-Amstel",
        "Gemeente Uithoorn",
        "UWV",
        "Werkgeversservicepunt Groot Amsterdam",
        "Zilveren Kruis Achmea",
    ]
    functions = {b.rows[0].cells[0].text.rstrip(","): b.rows[2].cells[1].text for b in blocks}
    assert functions["Gemeente Diemen"] == "wethouder"
    assert functions["UWV"] == "[functie vertegenwoordiger]"  # unknown in a concept: its label
    groups = [p.text for p in d.paragraphs if p.style.name == "Heading 3"]
    assert groups == ["Ggz-instellingen", "Gemeenten", "UWV", "Werkgeversservicepunten", "Zorgverzekeraars"]
    for block in blocks:  # never split: every row cantSplit, all but the last keep with next
        for row in block.rows:
            assert row._tr.trPr.find(docx.oxml.ns.qn("w:cantSplit")) is not None
        for row in block.rows[:-1]:
            assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)


def test_annex_lists_all_parties(amsterdam):
    d = docx.Document(str(amsterdam))
    annex = next(t for t in d.tables if t.rows[0].cells[0].text == "Organisatie")
    assert len(annex.rows) == 14
    assert annex.rows[5].cells[3].text == "centrumgemeente en kassier; levert de projectleider"


def test_concept_is_marked_with_date_definitief_is_not(tmp_path):
    concept = build(REGIONS / "holland-rijnland.yaml", tmp_path / "c")
    header = docx.Document(str(concept)).sections[0].header
    assert "CONCEPT – 23 november 2026 – niet ter ondertekening" in [p.text for p in header.paragraphs]
    source = tmp_path / "hr.yaml"
    source.write_text(signable_holland_rijnland(), encoding="utf-8")
    final = build(source, tmp_path / "d", definitief=True)
    assert "CONCEPT" not in all_text(final)
    # a definitief document holds no open place: no label, no dotted line (the plan too)
    plan = final.parent / "plan-van-aanpak-hr.docx"
    for document in (final, plan):
        text = reading_text(document)
        assert "…" not in text and "CONCEPT" not in text and "nog in te vullen" not in text.lower()
        assert re.findall(r"\[[a-z][^\]]*\]", text) == [], document.name


def test_definitief_refuses_incomplete_region(tmp_path):
    outcome = build_region(REGIONS / "groot-amsterdam.yaml", tmp_path, templates=TEMPLATES, definitief=True)
    assert outcome.written == [] and not list(tmp_path.rglob("*.docx"))
    assert "Arkin/Roads ondertekent, maar de naam van de vertegenwoordiger ontbreekt" in outcome.error


def test_document_properties(amsterdam):
    core = docx.Document(str(amsterdam)).core_properties
    assert core.title == "Regionaal convenant ‘Sterk door werk’ arbeidsmarktregio Groot-Amsterdam"
    assert core.subject == "Naar duurzaam werk voor mensen met een psychische kwetsbaarheid"
    assert core.category == "Groot-Amsterdam"
    assert core.author == "" and "python-docx" not in (core.comments or "")


def test_real_word_document_structure(amsterdam):
    d = docx.Document(str(amsterdam))
    styles = {p.style.name for p in d.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "List Number", "List Bullet"} <= styles
    footer = d.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert "Groot-Amsterdam" in d.sections[0].header.paragraphs[0].text
    fonts = d.styles.element.xml
    assert 'w:ascii="Calibri"' in fonts and 'w:ascii="Cambria"' in fonts


def test_same_input_gives_identical_bytes(tmp_path):
    a = build(REGIONS / "achterhoek.yaml", tmp_path / "a")
    b = build(REGIONS / "achterhoek.yaml", tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_user_text_is_data(write, tmp_path):
    nasty = "Zorg & Welzijn <b>{{ regio.naam }}</b> {% if x %}'\"é€😀"
    import yaml

    path = write(MINIMAL + yaml.safe_dump({"doelgroepen": {"primair": [nasty]}}, allow_unicode=True))
    out = build(path, tmp_path / "out")
    # printed as written, never read as a tag or markup; only its straight quotes become curly
    assert nasty.replace("'\"", "’”") in paragraphs(out)


def test_template_naming_unknown_field_fails_with_names(tmp_path):
    from docx import Document

    broken = tmp_path / "tpl"
    broken.mkdir()
    d = Document(str(TEMPLATES / "convenant.docx"))
    d.add_paragraph("{{ regio.kassier }}")
    d.save(str(broken / "convenant.docx"))
    out = tmp_path / "out"
    outcome = build_region(REGIONS / "achterhoek.yaml", out, templates=broken, datum=DAY)
    assert outcome.error == (
        "sjabloon convenant.docx: het sjabloon gebruikt het veld 'kassier', maar dat "
        "bestaat niet (zie convenant schema)"
    )
    assert not out.exists() or not list(out.rglob("*"))


def test_sandbox_blocks_python_internals(tmp_path):
    from docx import Document

    broken = tmp_path / "tpl"
    broken.mkdir()
    d = Document(str(TEMPLATES / "convenant.docx"))
    d.add_paragraph("{{ regio.__class__.__mro__ }}")
    d.save(str(broken / "convenant.docx"))
    outcome = build_region(REGIONS / "achterhoek.yaml", tmp_path / "o", templates=broken, datum=DAY)
    assert outcome.error and "sjabloon convenant.docx" in outcome.error


def test_failed_build_leaves_previous_file_untouched(tmp_path, monkeypatch):
    outcome = build_region(REGIONS / "achterhoek.yaml", tmp_path, templates=TEMPLATES, datum=DAY)
    before = {p: p.read_bytes() for p in outcome.written}
    target = outcome.written[0]
    import convenant_gen.output.write as w

    def crash(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(w.os, "fsync", crash)
    outcome = build_region(REGIONS / "achterhoek.yaml", tmp_path, templates=TEMPLATES, datum=dt.date(2027, 1, 1))
    assert outcome.error and "kan" in outcome.error
    assert outcome.written == []
    assert {p: p.read_bytes() for p in before} == before  # both documents: all or nothing
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(p.name for p in before)


def test_build_cli(run, examples, tmp_path, monkeypatch):
    monkeypatch.chdir(examples.parent)
    shutil.copytree(TEMPLATES, examples.parent / "templates")
    (examples / "kapot.yaml").write_text("regio:\n  naam: X\n", encoding="utf-8")
    result = run("build", "--datum", "2026-11-23")
    assert result.exit_code == 1
    assert "3 gemaakt, 0 ongewijzigd, 1 mislukt van 4 regio('s)" in result.output
    assert "kapot.yaml:1:1: regio.centrumgemeente: ontbreekt" in result.output
    assert (examples.parent / "output" / "groot-amsterdam" / "convenant-groot-amsterdam.docx").exists()
    assert not (examples.parent / "output" / "kapot").exists()


def test_template_cache_gives_the_same_document_and_survives_corruption(tmp_path):
    """The prepared-template cache is an optimisation only: cold, warm and corrupt give one result."""
    import subprocess
    import sys

    script = (
        "import datetime as dt, sys; from pathlib import Path; from convenant_gen.pipeline.build import build_region;"
        f"o = build_region(Path({str(REGIONS / 'achterhoek.yaml')!r}), Path(sys.argv[1]), "
        f"templates=Path({str(TEMPLATES)!r}), datum=dt.date(2026, 11, 23)); assert o.error is None, o.error"
    )
    env = {**__import__("os").environ, "CONVENANT_CACHE": str(tmp_path / "cache")}
    outputs = []
    for run in ("cold", "warm", "corrupt"):
        if run == "corrupt":
            for f in (tmp_path / "cache").glob("*.prepared"):
                f.write_text("{kapot", encoding="utf-8")
        subprocess.run([sys.executable, "-c", script, str(tmp_path / run)], check=True, env=env)
        outputs.append(sorted((p.name, p.read_bytes()) for p in (tmp_path / run).rglob("*.docx")))
    assert len(list((tmp_path / "cache").glob("*.prepared"))) == 2
    assert outputs[0] == outputs[1] == outputs[2]


def test_annex_shows_party_kinds_in_words(amsterdam, tmp_path):
    """Bijlage 1 names each party's kind as a reader writes it, never the file's code ('uwv')."""
    from convenant_gen.region.kinds import SOORT_NAMEN

    d = docx.Document(str(amsterdam))
    annex = next(t for t in d.tables if t.rows[0].cells[0].text == "Organisatie")
    kinds = [row.cells[1].text for row in annex.rows[1:]]
    assert kinds == ["ggz-instelling"] * 2 + ["gemeente"] * 8 + ["UWV", "werkgeversservicepunt", "zorgverzekeraar"]
    rijnland = docx.Document(str(build(REGIONS / "holland-rijnland.yaml", tmp_path, documents=("convenant",))))
    annex = next(t for t in rijnland.tables if t.rows[0].cells[0].text == "Organisatie")
    kinds = {row.cells[1].text for row in annex.rows[1:]}
    assert {"UWV", "SW-bedrijf"} <= kinds <= set(SOORT_NAMEN.values())


# Seed 000, the signed 'Convenant Hoofdzaak Werk' of Groot-Amsterdam: its sections and, per
# section, the sentences a reader holding the seed must find in the covenant its own template
# builds (the covenant's wording as signed; region data from regions/groot-amsterdam.yaml).
SEED_000_SECTIONS = [
    "AANLEIDING",
    "MISSIE",
    "GEWENSTE RESULTATEN",
    "PLANNING",
    "FINANCIËN",  # seed 000: FINANCIEN (a capital keeps its diaeresis)
    "WERKWIJZE EN UITVOERING",
    "LOOPTIJD",
]
SEED_000_SENTENCES = {
    "AANLEIDING": [
        "Veel mensen met een psychische kwetsbaarheid willen en kunnen ook werken. Toch zit een groot deel "
        "van hen thuis.",
        "Want werken helpt vaak bij het verminderen van de kwetsbaarheid en in veel gevallen zorgt het voor herstel.",
        "De re-integratie van mensen met psychische kwetsbaarheid wordt nu landelijk opgeschaald in alle 35 "
        "arbeidsmarktregio’s",
        "de volgende stap wordt gezet van samenwerking naar concrete trajecten met als doel duurzame plaatsingen",
        "UWV, VNG, Divosa, AWVN, de Nederlandse ggz en Zorgverzekeraars Nederland",
        "Ook SZW en VWS hebben zich verbonden aan de doelstelling en werken actief mee aan de uitvoering van het plan.",
        "In de arbeidsmarktregio Groot-Amsterdam werkt een aantal ggz-instellingen, gemeenten en UWV al meerjarig",
        "Deelname aan het landelijke project Hoofdzaak Werk biedt de kans om het netwerk te verbreden",
    ],
    "MISSIE": [
        "naar vermogen meedoen door middel van toeleiding naar en behoud van werk.",
        "uit te breiden naar mensen met een Common Mental Disorder (CMD)",
    ],
    "GEWENSTE RESULTATEN": [
        "In dit convenant spreken we de intentie en het commitment uit om samen onderstaande doelen te willen "
        "realiseren:",
        "Het uitbreiden van het bestaande netwerk met meer gemeenten en ggz-instellingen",
        "100 trajecten die bijdragen aan de weg naar betaald werk vóór 31 december 2023, waarvan 25 tot 40 voor "
        "de doelgroep CMD.",
        "25 tot 50 nieuwe werkgevers (die nog geen ervaring hebben met het plaatsen en begeleiden van mensen met "
        "een psychische kwetsbaarheid).",
        "In 2023 een volledig ingerichte samenwerking met duurzame afspraken",
        "Kennisdeling van onder meer best practices",
        "Cliëntervaring wordt gemeten",
        "Meer potentiële kandidaten zijn op de hoogte van de mogelijkheden van trajecten naar werk",
        "Werkgevers hebben meer instrumenten",
        "Het netwerk blijft groeien en is zichtbaar aanwezig in de arbeidsmarktregio.",
        "Korte lijnen tussen werkgevers, ggz-instellingen en uitkerende instanties",
        "Pitch- en Matchmarkt",
        "een brug tussen beleid en uitvoering, waarbij werkgevers en kandidaten de voordelen van de regeling kennen",
        "De ervaringen van werkgevers, cliënten, ervaringsdeskundigen en professionals worden gedeeld",
        "Bij het delen van gegevens is de huidige wet- en regelgeving uit de AVG onverkort van toepassing op alle "
        "partijen.",
        "Obstakels adresseren we op de juiste tafel en op het juiste niveau",
    ],
    "PLANNING": ["31 december 2023", "Gemeente Amsterdam", "Werkgeversservicepunt Groot Amsterdam"],
    "FINANCIËN": [
        "De projectleiding wordt gefinancierd uit de projectvergoeding vanuit het landelijke project Hoofdzaak Werk.",
        "Centrumgemeente Amsterdam fungeert als kassier.",
        "per actie afgesproken welke organisatie welke inzet (bijvoorbeeld locatie) en kosten kan bijdragen",
        "Er zijn geen sancties of financiële consequenties verbonden",
    ],
    "WERKWIJZE EN UITVOERING": [
        "Er zijn een projectteam en een klankbordgroep ingericht.",
        "procesregisseur vanuit Hoofdzaak Werk",
        "Kritische factoren worden verzameld door de projectleider",
        "Het projectteam komt zes keer per jaar bij elkaar",
        "Op verzoek van een partij kan een extra overleg worden geïnitieerd.",
        "Het projectteam monitort en bespreekt de voortgang op het realiseren van de doelen en speerpunten en "
        "geeft op hoofdlijnen richting aan.",
        "Het projectteam informeert de andere partners en zorgt voor raadpleging waar nodig.",
        "De klankbordgroep komt vier keer per jaar bij elkaar.",
    ],
    "LOOPTIJD": [
        "Dit convenant treedt in werking vanaf de datum van ondertekening op 1 januari 2022 en geldt tot "
        "31 december 2023.",
        "Uiterlijk twee maanden voor het aflopen van de convenantperiode besluiten de ondertekenaars",
        "Aldus overeengekomen en ondertekend op",
    ],
}


def _ga_own_layout(tmp_path: Path, text: str | None = None) -> Path:
    """Build a region (Groot-Amsterdam unless text is given) with the template of its own layout."""
    text = (REGIONS / "groot-amsterdam.yaml").read_text(encoding="utf-8") if text is None else text
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "groot-amsterdam.yaml"
    source.write_text(text + "\nsjablonen:\n  convenant: convenant-groot-amsterdam.docx\n", encoding="utf-8")
    return build(source, tmp_path / "out", documents=("convenant",))


def _sections(path: Path) -> dict[str, str]:
    """The text of each Heading 1 section (sub-headings, lists and tables included)."""
    from tests.docs import reading_text

    sections: dict[str, list[str]] = {}
    current = None
    for line in reading_text(path).splitlines():
        if line.startswith("# "):
            current = line[2:]
            sections[current] = []
        elif current:
            sections[current].append(line.lstrip("#-| "))
    return {k: re.sub(r"\s+", " ", " ".join(v)) for k, v in sections.items()}


def test_groot_amsterdam_own_layout_carries_every_section_of_seed_000(tmp_path):
    covenant = _ga_own_layout(tmp_path)
    assert headings(covenant) == SEED_000_SECTIONS
    assert headings(covenant, 2) == ["Projectteam", "Klankbordgroep", "Vervolg"]
    sections = _sections(covenant)
    missing = {
        section: [s for s in sentences if s not in sections[section]]
        for section, sentences in SEED_000_SENTENCES.items()
    }
    assert missing == {section: [] for section in SEED_000_SENTENCES}


def test_groot_amsterdam_own_layout_agrees_in_number(tmp_path):
    one = MINIMAL + "doelstellingen:\n  datum: 2023-12-31\n  trajecten: 1\n  nieuwe_werkgevers: 1\n"
    text = re.sub(r"\s+", " ", all_text(_ga_own_layout(tmp_path / "een", one)))
    assert "1 traject dat bijdraagt aan de weg naar betaald werk vóór 31 december 2023." in text
    assert "1 nieuwe werkgever (die nog geen ervaring heeft met het plaatsen" in text
    region = (REGIONS / "groot-amsterdam.yaml").read_text(encoding="utf-8")
    body = "    - naam: klankbordgroep\n      soort: klankbordgroep\n"
    assert body in region
    plural = region.replace(body, "    - naam: werkgroepen\n      soort: werkgroep\n").replace(
        "[projectteam, klankbordgroep]", "[projectteam, werkgroepen]"
    )
    text = re.sub(r"\s+", " ", all_text(_ga_own_layout(tmp_path / "meer", plural)))
    assert "Er zijn een projectteam en werkgroepen ingericht." in text
    assert "De werkgroepen komen vier keer per jaar bij elkaar." in text


def test_standard_covenant_agrees_in_number_for_one_employer_and_one_cmd_traject(tmp_path):
    one = MINIMAL + "doelstellingen:\n  datum: 2023-12-31\n  trajecten: 2\n  trajecten_cmd: 1\n  nieuwe_werkgevers: 1\n"
    source = tmp_path / "een.yaml"
    source.write_text(one, encoding="utf-8")
    text = re.sub(r"\s+", " ", all_text(build(source, tmp_path / "out", documents=("convenant",))))
    assert "Van de trajecten is er 1 voor de doelgroep CMD." in text
    assert "voor 1 nieuwe werkgever die nog geen ervaring heeft met mensen met" in text
