"""The CLI as users run it: exit codes, Dutch messages with file:line, files written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from convenant_gen.region.validate import load_region
from tests.conftest import MINIMAL, ROOT

TWELVE = ROOT / "tests" / "data" / "twaalf-fouten.yaml"


def test_validate_examples_pass(run):
    result = run("validate", ROOT / "regions")
    assert result.exit_code == 0, result.output
    assert "3 van 3 bestand(en) geldig" in result.output


def test_validate_defaults_to_regions_folder(run, examples, monkeypatch):
    monkeypatch.chdir(examples.parent)
    result = run("validate")
    assert result.exit_code == 0
    assert "groot-amsterdam.yaml: geldig" in result.output


def test_a_dozen_mistakes_all_listed_with_lines(run):
    result = run("validate", TWELVE)
    assert result.exit_code == 1
    expected = [
        ":4:3: regio.kasier: onbekend veld 'kasier'",
        ":7:3: looptijd.einddatum: einddatum 2021-12-31 ligt vóór ingangsdatum 2022-01-01",
        ':9:3: doelstellingen.trajecten: verwacht een geheel getal, gekregen "veertig"',
        ":15:5: partijen[2].soort: verwacht een van:",
        "bedoelde u 'uwv'?",
        ':18:5: partijen[3].ondertekent: verwacht ja of nee, gekregen "misschien"',
        ":25:7: werkwijze.organen[1].eerste_bijeenkomst: verwacht een maand zoals 'maart 2022'",
        ":28:3: aanpassing.meerderheid: een meerderheid moet meer dan de helft",
        ":31:3: evaluatie.wanneer: verwacht een van: iedere drie maanden, iedere zes maanden, halverwege",
        ':33:3: ondertekening.exemplaren: verwacht een geheel getal, gekregen "nul"',
        # domain rules, reported in the same run:
        ":19:5: partijen[4].naam: 'gemeente zwolle' staat al bij partijen (nummer 1)",
        ":26:7: werkwijze.organen[1].organisator: 'Gemeente Zwole' staat niet bij partijen; "
        "bedoelde u 'Gemeente Zwolle'?",
        ":29:3: aanpassing.orgaan: orgaan 'bestuur' bestaat niet bij werkwijze.organen",
    ]
    for line in expected:
        assert line in result.output, line
    assert "Traceback" not in result.output


def test_validate_json(run, write):
    good = write(MINIMAL, "goed.yaml")
    bad = write("regio:\n  naam: X\n", "fout.yaml")
    result = run("validate", "--json", good, bad)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [d["geldig"] for d in data] == [True, False]
    assert data[1]["fouten"][0]["field"] == "regio.centrumgemeente"
    assert data[1]["fouten"][0]["line"] == 1


def test_validate_definitief(run, write):
    path = write(MINIMAL)
    assert run("validate", path).exit_code == 0
    result = run("validate", "--definitief", path)
    assert result.exit_code == 1
    assert "looptijd.einddatum: ontbreekt" in result.output
    assert "ondertekening.plaats: ontbreekt" not in result.output  # each party may sign apart


def test_warnings_are_shown_but_not_fatal(run, write):
    path = write(MINIMAL + "doelstellingen:\n  trajecten: 100\n  duurzame_plaatsingen: 10\n")
    result = run("validate", path)
    assert result.exit_code == 0
    assert "waarschuwing: doelstellingen.duurzame_plaatsingen" in result.output


def test_missing_file_and_usage_errors(run, tmp_path):
    result = run("validate", tmp_path / "nergens.yaml")
    assert result.exit_code == 2
    assert "nergens.yaml bestaat niet" in result.output
    result = subprocess.run(
        [sys.executable, "-m", "convenant_gen", "validate", "--onzin"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Onbekende optie '--onzin'" in result.stderr


def test_init_writes_a_valid_commented_file(run, tmp_path):
    folder = tmp_path / "regions"
    result = run("init", "Holland Rijnland", "--map", folder)
    assert result.exit_code == 0, result.output
    path = folder / "holland-rijnland.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=regio.schema.json")
    assert (folder / "regio.schema.json").exists()
    assert "Toelichting: Het landelijk convenant spreekt steeds van twee derde meerderheid" in text
    assert "naam: Gemeente Katwijk" in text
    region = load_region(path).region
    assert region.regio.centrumgemeente == "Leiden"
    assert len(region.partijen) == 12


def test_init_covers_every_field_of_the_model(run, tmp_path):
    from convenant_gen.region.model import Region
    from convenant_gen.region.validate import _model_in

    run("init", "Twente", "--map", tmp_path)
    text = (tmp_path / "twente.yaml").read_text(encoding="utf-8")

    def keys(model, seen=()):
        for name, info in model.model_fields.items():
            yield name
            sub = _model_in(info.annotation)
            if sub and sub not in seen:
                yield from keys(sub, (*seen, sub))

    # van/tot belong to a range, written as one value ("25 tot 40")
    missing = [k for k in set(keys(Region)) - {"van", "tot"} if f"{k}:" not in text]
    assert missing == []


def test_init_refuses_to_overwrite(run, tmp_path):
    assert run("init", "Twente", "--map", tmp_path).exit_code == 0
    before = (tmp_path / "twente.yaml").read_bytes()
    result = run("init", "twente", "--map", tmp_path)
    assert result.exit_code == 1
    assert "bestaat al" in result.output
    assert (tmp_path / "twente.yaml").read_bytes() == before


def test_init_unknown_region_needs_centrumgemeente(run, tmp_path):
    result = run("init", "Nieuwland", "--map", tmp_path)
    assert result.exit_code == 2
    assert "--centrumgemeente" in result.output
    result = run("init", "Nieuwland", "--centrumgemeente", "Lelystad", "--map", tmp_path)
    assert result.exit_code == 0
    assert load_region(tmp_path / "nieuwland.yaml").region.regio.centrumgemeente == "Lelystad"


def test_schema_is_json_schema_of_the_model(run):
    result = run("schema")
    schema = json.loads(result.output)
    assert schema["type"] == "object"
    assert set(schema["properties"]) >= {"regio", "looptijd", "partijen", "plan_van_aanpak"}
    assert schema["additionalProperties"] is False


def test_committed_schema_is_current():
    from convenant_gen.region.scaffold import schema_json

    assert (ROOT / "regions" / "regio.schema.json").read_text(encoding="utf-8") == schema_json(), (
        "regions/regio.schema.json is verouderd: convenant schema --out regions/regio.schema.json"
    )


def test_help_is_dutch_everywhere(run):
    for command in ([], ["validate"], ["init"], ["schema"]):
        result = run(*command, "--help")
        assert result.exit_code == 0
        assert "Gebruik:" in result.output and "Toon deze hulp en stop." in result.output
        assert "Show this message" not in result.output


def test_internal_error_is_one_dutch_line_without_traceback(tmp_path, monkeypatch):
    script = (
        "import sys, convenant_gen.region.validate as v\n"
        "def boom(*a, **k): raise RuntimeError('kapot')\n"
        "v.load_region = boom\n"
        "from convenant_gen.cli.app import main\n"
        "sys.argv = ['convenant'] + sys.argv[1:]\n"
        "main()\n"
    )
    for debug in ([], ["--debug"]):
        proc = subprocess.run(
            [sys.executable, "-c", script, *debug, "validate", str(ROOT / "regions")], capture_output=True, text=True
        )
        if debug:
            assert "Traceback" in proc.stderr
        else:
            assert proc.returncode == 3
            assert "Interne fout in convenant (RuntimeError: kapot)" in proc.stderr
            assert "Traceback" not in proc.stderr


def test_console_script_is_installed():
    proc = subprocess.run(["convenant", "--versie"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("convenant ")


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys; from convenant_gen.cli.app import cli; "
        "print(sorted(m for m in ('docxtpl','docx','pydantic','babel','rich') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(ROOT))
    assert proc.stdout.strip() == "[]"


def test_a_date_that_does_not_exist_is_explained_in_dutch(run):
    result = run("build", "--datum", "2022-02-30")
    assert result.exit_code == 2
    assert "'2022-02-30' is geen bestaande datum" in result.output
    assert "does not match" not in result.output
