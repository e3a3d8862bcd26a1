"""Document kinds and the one template resolver: what build, manifest, check, CLI and docs read."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from convenant_gen.documents import kinds
from convenant_gen.documents.kinds import DocumentKind
from convenant_gen.documents.templates import DEFAULT_FOLDER, resolve
from convenant_gen.errors import TemplateProblem
from convenant_gen.region.validate import load_region
from tests.conftest import ROOT

TEMPLATES = ROOT / "templates"
REGIONS = ROOT / "regions"


def test_the_kinds_and_what_they_are_called():
    assert [k.key for k in kinds.all_kinds()] == ["convenant", "plan", "toetreding", "wijziging", "geconsolideerd"]
    covenant = kinds.get("convenant")
    assert (covenant.template, covenant.output) == ("convenant.docx", "convenant")
    assert kinds.get("plan").template == "plan-van-aanpak.docx"
    assert [k.output_pattern for k in kinds.all_kinds()] == [
        "convenant-<regio>.docx",
        "plan-van-aanpak-<regio>.docx",
        "toetredingsverklaring-<regio>-<partij>.docx",
        "wijzigingsbesluit-<regio>-<nummer>.docx",
        "convenant-<regio>-geconsolideerd.docx",
    ]
    assert [k.key for k in kinds.all_kinds() if k.signed] == ["convenant", "toetreding", "wijziging"]
    assert kinds.get("geconsolideerd").template_key == "convenant"  # and the region's choice of it
    assert all(k.extra_input is None for k in kinds.all_kinds())
    with pytest.raises(KeyError):
        kinds.get("brief")


def test_cli_choices_and_docs_come_from_the_kinds(run):
    help_text = run("build", "--help").output
    guide = (ROOT / "docs" / "sjablonen.md").read_text(encoding="utf-8")
    for kind in kinds.all_kinds():
        assert kind.key in help_text
        assert f"| `{kind.key}` | `{kind.template}` | `{kind.output_pattern}` |" in guide
    result = run("build", "--doc", "brief", REGIONS / "achterhoek.yaml")
    assert result.exit_code == 2 and "brief" in result.output


# --- the resolver -----------------------------------------------------------------------------


def test_default_folder_is_the_packages_own_not_the_working_directory(tmp_path, monkeypatch):
    region = load_region(REGIONS / "achterhoek.yaml").region
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "convenant.docx").write_text("niet van ons", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert resolve(kinds.get("convenant"), region, slug="achterhoek") == DEFAULT_FOLDER / "convenant.docx"
    assert DEFAULT_FOLDER == TEMPLATES


def test_own_choice_then_fork_then_default(tmp_path):
    folder = tmp_path / "tpl"
    shutil.copytree(TEMPLATES, folder)
    plain = load_region(REGIONS / "achterhoek.yaml").region
    covenant = kinds.get("convenant")
    assert resolve(covenant, plain, folder, slug="achterhoek") == folder / "convenant.docx"
    (folder / "achterhoek").mkdir()
    shutil.copy(TEMPLATES / "convenant.docx", folder / "achterhoek" / "convenant.docx")
    assert resolve(covenant, plain, folder, slug="achterhoek") == folder / "achterhoek" / "convenant.docx"
    assert resolve(covenant, plain, folder, slug="twente") == folder / "convenant.docx"

    own = tmp_path / "achterhoek.yaml"
    own.write_text(
        (REGIONS / "achterhoek.yaml").read_text(encoding="utf-8")
        + "\nsjablonen:\n  convenant: convenant-groot-amsterdam.docx\n",
        encoding="utf-8",
    )
    chosen = load_region(own).region
    assert resolve(covenant, chosen, folder, slug="achterhoek") == folder / "convenant-groot-amsterdam.docx"
    (folder / "convenant-groot-amsterdam.docx").unlink()
    with pytest.raises(TemplateProblem) as e:
        resolve(covenant, chosen, folder, slug="achterhoek")
    assert str(e.value) == (
        f"sjabloon convenant-groot-amsterdam.docx: niet gevonden in {folder} (gekozen bij sjablonen.convenant)"
    )
    (folder / "convenant.docx").unlink()
    with pytest.raises(TemplateProblem) as e:
        resolve(covenant, plain, folder, slug="twente")
    assert str(e.value) == f"sjabloon convenant.docx: niet gevonden in {folder}"


def test_a_fork_is_used_recorded_and_its_arrival_rebuilds_only_its_region(tmp_path, run):
    folder = tmp_path / "tpl"
    shutil.copytree(TEMPLATES, folder)
    regions = tmp_path / "regions"
    shutil.copytree(REGIONS, regions)
    out = tmp_path / "out"
    args = ("build", regions, "--out", out, "--templates", folder, "--datum", "2026-11-23")
    assert "3 gemaakt" in run(*args).output
    (folder / "twente").mkdir()  # a fork for a region that is not there changes nothing
    shutil.copy(TEMPLATES / "plan-van-aanpak.docx", folder / "twente" / "plan-van-aanpak.docx")
    assert "0 gemaakt, 3 ongewijzigd" in run(*args).output
    (folder / "achterhoek").mkdir()
    fork = folder / "achterhoek" / "convenant.docx"
    shutil.copy(folder / "convenant-groot-amsterdam.docx", fork)
    result = run(*args)
    assert "1 gemaakt, 2 ongewijzigd" in result.output, result.output
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["regio's"]["achterhoek"]
    assert entry["sjablonen"]["achterhoek/convenant.docx"] == hashlib.sha256(fork.read_bytes()).hexdigest()
    assert "convenant.docx" not in entry["sjablonen"]
    assert "0 gemaakt, 3 ongewijzigd" in run(*args).output
    fork.unlink()
    assert "1 gemaakt, 2 ongewijzigd" in run(*args).output


def test_templates_check_runs_a_fork_against_its_own_region_only(tmp_path, run):
    folder = tmp_path / "tpl"
    shutil.copytree(TEMPLATES, folder)
    (folder / "achterhoek").mkdir()
    shutil.copy(TEMPLATES / "convenant.docx", folder / "achterhoek" / "convenant.docx")
    result = run("templates", "check", folder, "--regios", REGIONS)
    assert result.exit_code == 0, result.output
    assert "✓ achterhoek/convenant.docx: in orde, proef gedraaid tegen 1 regio('s)" in result.output
    assert "✓ convenant.docx: in orde, proef gedraaid tegen 3 regio('s)" in result.output

    shutil.copy(TEMPLATES / "convenant.docx", folder / "achterhoek" / "convenat.docx")  # the build ignores it
    result = run("templates", "check", folder, "--regios", REGIONS)
    assert result.exit_code == 1
    assert (
        "achterhoek/convenat.docx: geen soort document heeft een sjabloon met deze naam, dus de build gebruikt "
        "het niet; noem het convenant.docx, plan-van-aanpak.docx, toetredingsverklaring.docx of "
        "wijzigingsbesluit.docx" in result.output
    )


# --- building a kind ----------------------------------------------------------------------------


def _per_party(region):
    from convenant_gen.region.reference import slugify

    return [(slugify(p.naam), p) for p in region.partijen[:3]]


def test_a_kind_that_fans_out_writes_one_document_per_item(tmp_path, monkeypatch):
    from convenant_gen.pipeline.build import build_region
    from tests.docs import all_text

    letter = DocumentKind(
        key="brief",
        label="de brief per ondertekenaar",
        title="Brief",
        subject="Brief aan een ondertekenaar",
        template="plan-van-aanpak.docx",
        output="brief",
        per_item=_per_party,
    )
    monkeypatch.setitem(kinds.KINDS, "brief", letter)
    outcome = build_region(
        REGIONS / "achterhoek.yaml",
        tmp_path / "out",
        templates=TEMPLATES,
        documents=("brief",),
        datum=dt.date(2026, 1, 1),
    )
    assert outcome.error is None, outcome.error
    region = load_region(REGIONS / "achterhoek.yaml").region
    expected = [tmp_path / "out" / "achterhoek" / f"brief-achterhoek-{slug}.docx" for slug, _ in _per_party(region)]
    assert outcome.written == expected
    assert len(set(expected)) == 3
    assert all("Achterhoek" in all_text(path) for path in expected)


def test_building_one_region_does_not_import_the_overview():
    code = (
        "import sys, tempfile, pathlib; from convenant_gen.pipeline.build import build_region; "
        f"o = build_region(pathlib.Path({str(REGIONS / 'achterhoek.yaml')!r}), pathlib.Path(tempfile.mkdtemp()), "
        f"templates=pathlib.Path({str(TEMPLATES)!r})); assert o.error is None, o.error; "
        "print('convenant_gen.output.overview' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(ROOT))
    assert proc.stdout.strip() == "False", proc.stderr


# --- typed outcomes: every count right ----------------------------------------------------------


def test_one_error_and_one_warning_count_as_one_and_one(tmp_path):
    from tests.conftest import MINIMAL

    path = tmp_path / "regio.yaml"
    path.write_text(
        MINIMAL + "doelstellingen:\n  trajecten: 100\n  duurzame_plaatsingen: 10\nondertekening:\n  exemplaren: nul\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "build", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert "waarschuwing: doelstellingen.duurzame_plaatsingen" in proc.stderr
    assert "ondertekening.exemplaren" in proc.stderr
    row = next(line for line in proc.stdout.splitlines() if "│ regio" in line)
    cells = [c.strip() for c in row.split("│") if c.strip()]
    assert cells == ["regio", "mislukt", "0", "1", "1"]


def test_template_and_write_problems_become_findings():
    from convenant_gen.errors import Finding, WriteFailed

    assert TemplateProblem("x.docx", "kapot").as_findings() == [Finding("sjabloon x.docx", 0, 0, "", "kapot")]
    (finding,) = WriteFailed("kan a niet schrijven").as_findings()
    assert (finding.severity, str(finding)) == ("fout", "kan a niet schrijven")


# --- a new kind is one entry: the region file may choose its template at once ----------------

# A fresh interpreter registers the kind before anything builds the region model, exactly as an
# entry in documents/kinds.py would (the model is derived from KINDS when it is first imported).
_EXTRA_KIND = """
import json, pathlib, sys
from convenant_gen.documents import kinds
kinds.KINDS["brief"] = kinds.DocumentKind(key="brief", label="de brief aan de partijen", title="Brief",
    subject="Brief", template="brief.docx", output="brief")
from convenant_gen.documents.templates import resolve
from convenant_gen.errors import InputError
from convenant_gen.region.model import Region
from convenant_gen.region.validate import load_region
folder, *paths = map(pathlib.Path, sys.argv[1:])
answers = {"schema": Region.model_json_schema()["$defs"]["Sjablonen"]["properties"].get("brief")}
for path in paths:
    try:
        region = load_region(path).region
        answers[path.stem] = str(resolve(kinds.get("brief"), region, folder, slug=path.stem).relative_to(folder))
    except InputError as e:
        answers[path.stem] = [f"{f.field}: {f.message}" for f in e.findings]
print(json.dumps(answers))
"""


def test_a_new_kind_may_be_chosen_under_sjablonen_with_no_other_change(tmp_path):
    from tests.conftest import MINIMAL

    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "brief.docx").write_bytes(b"")
    (folder / "eigen-brief.docx").write_bytes(b"")
    files = {
        "gekozen": "sjablonen:\n  brief: eigen-brief.docx\n",
        "standaard": "",
        "getypt": "sjablonen:\n  brif: eigen-brief.docx\n",
        "pad": "sjablonen:\n  brief: ../eigen-brief.docx\n",
    }
    for name, extra in files.items():
        (tmp_path / f"{name}.yaml").write_text(MINIMAL + extra, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _EXTRA_KIND, str(folder), *(str(tmp_path / f"{name}.yaml") for name in files)],
        capture_output=True,
        text=True,
        cwd=Path(ROOT),
    )
    assert proc.returncode == 0, proc.stderr
    answers = json.loads(proc.stdout)
    assert answers["gekozen"] == "eigen-brief.docx"
    assert answers["standaard"] == "brief.docx"
    assert answers["getypt"] == ["sjablonen.brif: onbekend veld 'brif'; bedoelde u 'brief'?"]
    assert answers["pad"] == [
        "sjablonen.brief: '../eigen-brief.docx' is geen bestandsnaam van een Word-sjabloon (naam.docx, zonder map)"
    ]
    assert answers["schema"]["description"] == "Eigen sjabloon voor de brief aan de partijen (standaard brief.docx)"


def test_the_templates_a_region_may_choose_are_the_kinds(write):
    from convenant_gen.region.model import Sjablonen, own_template
    from tests.conftest import MINIMAL

    # Every kind with a template of its own; the consolidated text uses the covenant's, and its choice.
    assert list(Sjablonen.model_fields) == [k for k, kind in kinds.KINDS.items() if kind.template_of is None]
    region = load_region(write(MINIMAL + "sjablonen:\n  plan: eigen-plan.docx\n")).region
    assert own_template(region, "plan") == "eigen-plan.docx"
    assert own_template(region, "convenant") is None
