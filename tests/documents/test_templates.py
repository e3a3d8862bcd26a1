"""Templates for policy advisers: the real templates, damaged the ways Word and people do."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from convenant_gen.documents.check import check_template
from tests.conftest import ROOT

TEMPLATES = ROOT / "templates"


def damaged(
    tmp_path: Path,
    after_heading: str,
    runs: list[str],
    template: str = "convenant.docx",
    remove: str | None = None,
    remove_after: str | None = None,
) -> Path:
    """A copy of a real template with a paragraph of `runs` (one run each, alternately bold, as
    Word splits them) inserted after a heading, and optionally a paragraph removed."""
    d = docx.Document(str(TEMPLATES / template))
    heading = next(p for p in d.paragraphs if p.text == after_heading and p.style.name.startswith("Heading"))
    new = copy.deepcopy(heading._p)
    for child in list(new):
        if child.tag.endswith("}r") or child.tag.endswith("}pPr"):
            new.remove(child)
    heading._p.addnext(new)
    paragraph = docx.text.paragraph.Paragraph(new, heading._parent)
    for i, text in enumerate(runs):
        paragraph.add_run(text).bold = bool(i % 2)
    if remove:
        paragraphs = d.paragraphs
        start = next((i for i, p in enumerate(paragraphs) if remove_after and remove_after in p.text), 0)
        victim = next(p for p in paragraphs[start:] if p.text == remove)
        victim._p.getparent().remove(victim._p)
    path = tmp_path / template
    d.save(str(path))
    return path


def messages(path: Path) -> list[str]:
    return [str(f) for f in check_template(path)]


def test_real_templates_pass_clean(run):
    result = run("templates", "check", TEMPLATES, "--regios", ROOT / "regions")
    assert result.exit_code == 0, result.output
    assert "✓ convenant.docx: in orde, proef gedraaid tegen 3 regio('s)" in result.output
    assert "✓ plan-van-aanpak.docx" in result.output


def test_tag_split_across_runs_is_repaired_not_reported(tmp_path):
    path = damaged(tmp_path, "Looptijd", ["Regio: {{ re", "gio.na", "am }}"])
    assert messages(path) == []
    from convenant_gen.pipeline.build import build_region

    shutil_copy(TEMPLATES / "plan-van-aanpak.docx", tmp_path)
    outcome = build_region(
        ROOT / "regions" / "achterhoek.yaml", tmp_path / "out", templates=tmp_path, documents=("convenant",)
    )
    assert outcome.error is None
    assert "Regio: Achterhoek" in [p.text for p in docx.Document(str(outcome.written[0])).paragraphs]


def shutil_copy(src: Path, folder: Path) -> None:
    import shutil

    shutil.copy(src, folder / src.name)


def test_mangled_tag_is_found_with_its_place(tmp_path):
    path = damaged(tmp_path, "Looptijd", ["Regio: { { regio.naam }}"])
    assert messages(path) == [
        "convenant.docx › Looptijd › “Regio: { { regio.naam }}”: kapotte tag: tussen de accolades staat een "
        "spatie ('{ {' of '% }'); typ de tag opnieuw als {{ … }} of {% … %}"
    ]


def test_misspelt_field_gets_a_suggestion(tmp_path):
    path = damaged(tmp_path, "Looptijd", ["De regio ", "{{ regio.nam }}", " tekent."])
    assert messages(path) == [
        "convenant.docx › Looptijd › “De regio {{ regio.nam }} tekent.”: veld 'nam' bestaat niet in 'regio'; "
        "bedoelde u 'naam'? (zie convenant templates fields)"
    ]


def test_misspelt_field_of_a_loop_item(tmp_path):
    path = damaged(tmp_path, "Looptijd", ["{% for p in partijen %}{{ p.nam }}{% endfor %}"])
    (message,) = messages(path)
    assert "veld 'nam' bestaat niet in 'p'; bedoelde u 'naam'?" in message


def test_missing_endfor_points_at_the_opening_tag(tmp_path):
    path = damaged(tmp_path, "Looptijd", ["Looptekst"], remove="{%p endfor %}", remove_after="aanvullingen.aanleiding")
    (message,) = messages(path)
    assert message == (
        "convenant.docx › Aanleiding › “{% for alinea in aanvullingen.aanleiding %}”: blok niet "
        "gesloten: {% endfor %} ontbreekt (of staat in een andere tabel of alinea)"
    )


def test_unknown_filter_gets_a_suggestion(tmp_path):
    path = damaged(tmp_path, "Vervolg", ["Einde: {{ looptijd.einddatum|datun }}"])
    assert messages(path) == [
        "convenant.docx › Vervolg › “Einde: {{ looptijd.einddatum|datun }}”: filter 'datun' bestaat niet; "
        "bedoelde u 'datum'?"
    ]


def test_loop_over_something_that_is_not_a_list(tmp_path):
    path = damaged(tmp_path, "Vervolg", ["{% for x in regio.naam %}{{ x }}{% endfor %}"])
    (message,) = messages(path)
    assert "de lus loopt over 'regio.naam', maar dat is geen lijst" in message


def test_check_cli_exits_1_and_names_the_place(tmp_path, run):
    damaged(tmp_path, "Looptijd", ["{{ regio.kassier }}"])
    result = run("templates", "check", tmp_path)
    assert result.exit_code == 1
    assert "convenant.docx › Looptijd › “{{ regio.kassier }}”: veld 'kassier' bestaat niet in 'regio'" in result.output


def test_fields_reference_is_generated_from_the_model(tmp_path, run):
    from convenant_gen.documents.context import COMPUTED
    from convenant_gen.documents.shapes import context_shape

    shape = context_shape()
    missing = [k for k, v in shape.fields.items() if not v.description]
    assert missing == [], "every field and computed key needs a description (model or context.COMPUTED)"
    assert set(COMPUTED) <= set(shape.fields)
    from convenant_gen.documents.shapes import flatten

    plan = [name for name, sub in flatten(shape) if name.startswith("plan.") and not sub.description]
    assert plan == [], "every part of `plan` needs a description in plan.PLAN_FIELDS"
    assert "Missing" not in {sub.type for _, sub in flatten(shape)}  # an empty field is 'leeg', not our class
    md, page = tmp_path / "velden.md", tmp_path / "velden.html"
    result = run("templates", "fields", "--markdown", md, "--html", page)
    assert result.exit_code == 0
    text = md.read_text(encoding="utf-8")
    assert "| `regio.naam` | tekst | Naam van de arbeidsmarktregio | Groot-Amsterdam |" in text
    assert "| `partijen[].vertegenwoordiger.functie` |" in text
    assert "| `datum` | 1 januari 2022 |" in text
    assert "<th>veld</th>" in page.read_text(encoding="utf-8")
    terminal = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "templates", "fields"], capture_output=True, text=True
    )
    assert "werkwijze.organen[].lidwoord" in terminal.stdout and "opsomming" in terminal.stdout


def test_dump_shows_text_with_tags(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "templates", "dump", str(TEMPLATES / "convenant.docx")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert "[Heading 1] Aanleiding" in lines
    assert "{%p for alinea in aanvullingen.aanleiding %}" in lines
    assert "| {%tr for a in activiteiten %} |  |  |  |" in lines
    assert any(line.startswith("[koptekst]") and "{{ regio.naam }}" in line for line in lines)
    again = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "templates", "dump", str(TEMPLATES / "convenant.docx")],
        capture_output=True,
        text=True,
    )
    assert again.stdout == proc.stdout


@pytest.mark.parametrize("name", ["convenant.docx", "plan-van-aanpak.docx"])
def test_committed_templates_have_no_leftover_word_lock_files(name):
    assert not (TEMPLATES / f"~${name}").exists()
    json.dumps(name)


def _ga_with_own_template(tmp_path: Path) -> Path:
    source = tmp_path / "groot-amsterdam.yaml"
    text = (ROOT / "regions" / "groot-amsterdam.yaml").read_text(encoding="utf-8")
    source.write_text(text + "\nsjablonen:\n  convenant: convenant-groot-amsterdam.docx\n", encoding="utf-8")
    return source


def test_groot_amsterdam_layout_is_built_from_its_regions_yaml(tmp_path):
    import datetime as dt
    import re

    from convenant_gen.pipeline.build import build_region
    from tests.docs import all_text, headings

    outcome = build_region(
        _ga_with_own_template(tmp_path), tmp_path / "out", templates=TEMPLATES, datum=dt.date(2026, 11, 23)
    )
    assert outcome.error is None, outcome.error
    covenant = outcome.written[0]
    assert headings(covenant) == [
        "AANLEIDING",
        "MISSIE",
        "GEWENSTE RESULTATEN",
        "PLANNING",
        "FINANCIËN",
        "WERKWIJZE EN UITVOERING",
        "LOOPTIJD",
    ]
    text = re.sub(r"\s+", " ", all_text(covenant))
    assert "CONVENANT HOOFDZAAK WERK" in text and "ARBEIDSMARKTREGIO GROOT-AMSTERDAM" in text
    assert "100 trajecten die bijdragen aan de weg naar betaald werk vóór 31 december 2023, waarvan 25 tot 40" in text
    assert "Er zijn een projectteam en een klankbordgroep ingericht." in text
    # never the start date
    assert "Aldus overeengekomen en ondertekend op [datum van ondertekening] te Amsterdam" in text
    assert "Gemeente Aalsmeer, vertegenwoordigd door, wethouder" in text
    # the plan keeps the standard template
    assert headings(outcome.written[1])[0] == "Inleiding"


def test_manifest_records_the_chosen_template(tmp_path, run):
    import hashlib

    source = _ga_with_own_template(tmp_path)
    out = tmp_path / "out"
    result = run("build", source, "--out", out, "--templates", TEMPLATES, "-q")
    assert result.exit_code == 0, result.output
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["regio's"]["groot-amsterdam"]
    assert entry["sjablonen"] == {
        "convenant-groot-amsterdam.docx": hashlib.sha256(
            (TEMPLATES / "convenant-groot-amsterdam.docx").read_bytes()
        ).hexdigest(),
        "plan-van-aanpak.docx": hashlib.sha256((TEMPLATES / "plan-van-aanpak.docx").read_bytes()).hexdigest(),
    }


def test_missing_own_template_is_a_clear_error(tmp_path):
    from convenant_gen.pipeline.build import build_region

    source = tmp_path / "r.yaml"
    source.write_text(
        (ROOT / "regions" / "achterhoek.yaml").read_text(encoding="utf-8")
        + "\nsjablonen:\n  convenant: bestaat-niet.docx\n",
        encoding="utf-8",
    )
    outcome = build_region(source, tmp_path / "out", templates=TEMPLATES)
    assert (
        outcome.error == f"sjabloon bestaat-niet.docx: niet gevonden in {TEMPLATES} (gekozen bij sjablonen.convenant)"
    )
    source.write_text(
        "regio:\n  naam: X\n  centrumgemeente: Y\npartijen:\n  - naam: Gemeente Y\n    soort: gemeente\n"
        "sjablonen:\n  convenant: ../geheim.docx\n",
        encoding="utf-8",
    )
    outcome = build_region(source, tmp_path / "out", templates=TEMPLATES)
    assert outcome.error.endswith(
        ":8:3: sjablonen.convenant: '../geheim.docx' is geen bestandsnaam van een Word-sjabloon (naam.docx, zonder map)"
    )


def test_committed_field_reference_is_current(tmp_path, run):
    run("templates", "fields", "--markdown", tmp_path / "velden.md")
    assert (tmp_path / "velden.md").read_text(encoding="utf-8") == (ROOT / "docs" / "velden.md").read_text(
        encoding="utf-8"
    ), "docs/velden.md is verouderd: convenant templates fields --markdown docs/velden.md --html docs/velden.html"


def test_guide_shows_what_check_really_says(tmp_path):
    guide = (ROOT / "docs" / "sjablonen.md").read_text(encoding="utf-8")
    found = messages(damaged(tmp_path, "Looptijd", ["De regio ", "{{ regio.nam }}", " tekent."]))
    assert f"✗ {found[0]}" in guide


def test_git_textconv_shows_template_changes_as_text(tmp_path):
    import shutil

    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / ".gitattributes").write_text("*.docx diff=docx\n")
    subprocess.run(
        [*git, "config", "diff.docx.textconv", f"{sys.executable} -m convenant_gen templates dump"], check=True
    )
    shutil.copy(TEMPLATES / "convenant.docx", repo / "convenant.docx")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    d = docx.Document(str(repo / "convenant.docx"))
    next(p for p in d.paragraphs if p.text == "Looptijd").runs[0].text = "Duur van het convenant"
    d.save(str(repo / "convenant.docx"))
    diff = subprocess.run([*git, "diff"], capture_output=True, text=True, check=True).stdout
    assert "-[Heading 1] Looptijd" in diff and "+[Heading 1] Duur van het convenant" in diff
