"""Trust in a region file: whatever bytes it holds, `validate` and `build` answer in Dutch with
file and line, never crash, never hang; and what passes validation can be built."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import types
import typing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from convenant_gen.errors import ConvenantError, RegionInvalid, YamlSyntaxError
from convenant_gen.region.load import MAX_BYTES, MAX_DEPTH, load_yaml
from convenant_gen.region.validate import load_region
from tests.conftest import MINIMAL, ROOT


def cli(*args, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "convenant_gen", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


# --- nesting: refused before any YAML parser sees it -----------------------------------------

DEEP = {  # text, and the line:column where the 51st level opens
    # 84 kB: libyaml's composer recursed until the process died (exit 139)
    "flow-40000": ("regio: " + "[" * 40_000 + "]" * 40_000 + "\n", "1:57"),
    "block-40000": ("regio:\n  " + "- " * 40_000 + "x\n", "2:101"),
    # 600 levels: a RecursionError somewhere after loading (exit 3)
    "flow-600": ("regio: " + "[" * 600 + "]" * 600 + "\n", "1:57"),
    "block-600": ("regio:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 600)) + "  " * 600 + "x: 1\n", "51:104"),
    "mixed-600": (
        "regio:\n"
        + "".join("  " * i + "- a:\n" for i in range(1, 150))
        + "  " * 150
        + "- "
        + "[{a: " * 150
        + "}]" * 150,
        "26:54",
    ),
}


@pytest.mark.parametrize("case", DEEP)
@pytest.mark.parametrize("command", ["validate", "build"])
def test_deep_nesting_is_refused_in_dutch_with_its_line(tmp_path, case, command):
    text, where = DEEP[case]
    (tmp_path / "diep.yaml").write_text(text, encoding="utf-8")
    args = ["build", "diep.yaml", "--out", tmp_path / "uit", "-q"] if command == "build" else ["validate", "diep.yaml"]
    result = cli(*args, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-2000:]
    assert "te diep genest" in output
    assert f"meer dan {MAX_DEPTH}" in output
    assert f"diep.yaml:{where}:" in output, output


def test_the_line_of_excess_is_where_the_limit_is_crossed(write):
    # Three levels per line after the first: more than 50 first on line 18 (1 + 17 * 3 = 52).
    text = "a:\n" + "".join(" " * (6 * i + 2) + "- - b:\n" for i in range(30))
    with pytest.raises(YamlSyntaxError) as e:
        load_yaml(write(text))
    finding = e.value.findings[0]
    assert "te diep genest" in finding.message
    assert finding.line == 18


def test_real_region_files_are_far_from_the_limit():
    from convenant_gen.region.load import nesting_depth

    for path in sorted((ROOT / "regions").glob("*.yaml")):
        depth = nesting_depth(path.read_text(encoding="utf-8"))
        assert 3 <= depth <= 8, (path.name, depth)


def test_nesting_hidden_in_quotes_comments_and_block_text_is_not_counted(write):
    deep = "[" * 80
    text = (
        MINIMAL
        + f"aanvullingen:\n  aanleiding:\n    - '{deep} it''s'\n    - \"{deep} \\\" \"\n"
        + f"    - |\n      {deep}\n      - - - - - - -\n    - tekst # {deep}\n    - a[{deep}\n"
    )
    data, _ = load_yaml(write(text))
    assert data["aanvullingen"]["aanleiding"][2].startswith(deep)


def test_a_plain_text_line_that_looks_like_a_quote_does_not_hide_nesting(write):
    # The second line continues the plain text 'x'; the quote there is text, not a quote.
    text = "a: x\n  'z\nb: " + "[" * 60 + "]" * 60 + "\n'\n"
    with pytest.raises(YamlSyntaxError, match="te diep genest"):
        load_yaml(write(text))


# --- reading: regular files only, at most the size limit ----------------------------------


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = cli("validate", "x.yaml", cwd=tmp_path, timeout=30)
    assert time.monotonic() - started < 20
    assert result.returncode == 1, result.stdout + result.stderr
    assert "geen gewoon bestand" in result.stdout + result.stderr


def test_dev_zero_is_refused_without_reading_it(tmp_path):
    result = cli("validate", "/dev/zero", cwd=tmp_path, timeout=30)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "geen gewoon bestand" in result.stdout + result.stderr


def test_load_yaml_reads_at_most_the_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "groot.yaml"
    path.write_bytes(b"a: " + b"x" * (3 * MAX_BYTES))
    asked = []
    real_read = os.read

    def read(fd, n):
        asked.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", read)
    with pytest.raises(YamlSyntaxError, match="te groot"):
        load_yaml(path)
    assert asked and sum(asked) <= MAX_BYTES + 1 + 65536


# --- what the build cannot render, validation refuses first --------------------------------


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        (
            "plan_van_aanpak:\n  financiering:\n    epa:\n      trajecten: 1\n      tarief: " + "9" * 401 + "\n",
            "plan_van_aanpak.financiering.epa.tarief",
            "hoogstens",
        ),
        ("doelstellingen:\n  trajecten: 0x" + "f" * 5000 + "\n", "doelstellingen.trajecten", "getal"),
        ("doelstellingen:\n  trajecten_cmd: '" + "9" * 5000 + "'\n", "doelstellingen.trajecten_cmd", "aantal"),
        ("doelstellingen:\n  trajecten: 1" + ":1" * 100_000 + "\n", "doelstellingen.trajecten", "getal"),
        ("doelstellingen:\n  trajecten: 10000000\n", "doelstellingen.trajecten", "hoogstens"),
        ("aanpassing:\n  meerderheid: .inf\n", "aanpassing.meerderheid", "meerderheid"),
        ("aanpassing:\n  meerderheid: '" + "9" * 5000 + "/1'\n", "aanpassing.meerderheid", "breuk"),
        ("toetreding:\n  meerderheid: " + "9" * 90 + "\n", "toetreding.meerderheid", "meerderheid"),
        ("werkwijze:\n  projectleiding:\n    uren_per_week: .nan\n", "werkwijze.projectleiding.uren_per_week", "getal"),
        ("looptijd:\n  ingangsdatum: 9999-12-30\n", "looptijd.ingangsdatum", "jaar"),
        ("looptijd:\n  einddatum: 1-1-0001\n", "looptijd.einddatum", "jaar"),
        ("werkwijze:\n  organen:\n    - naam: x\n      eerste_bijeenkomst: maart 9999\n", "eerste_bijeenkomst", "jaar"),
        ('regio:\n  naam: "R\\x01"\n  centrumgemeente: P\n', "regio.naam", "U+0001"),
        ('regio:\n  naam: "R\\rX"\n  centrumgemeente: P\n', "regio.naam", "U+000D"),
        ('regio:\n  naam: "R\\x7fX"\n  centrumgemeente: P\n', "regio.naam", "U+007F"),
        ('regio:\n  naam: "R\\x85X"\n  centrumgemeente: P\n', "regio.naam", "U+0085"),
        ('regio:\n  naam: "R\\uFFFEX"\n  centrumgemeente: P\n', "regio.naam", "U+FFFE"),
        ("regio:\n  naam: " + "x" * 20_000 + "\n  centrumgemeente: P\n", "regio.naam", "te lang"),
    ],
)
def test_values_the_build_cannot_render_are_refused_with_line(tmp_path, extra, field, words):
    own_regio = extra.startswith("regio:")  # replaces MINIMAL's regio block
    text = (
        MINIMAL.replace("regio:\n  naam: Proefregio\n  centrumgemeente: Proefstad\n", extra)
        if own_regio
        else MINIMAL + extra
    )
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegionInvalid) as e:
        load_region(path)
    found = [f for f in e.value.findings if field in f.field]
    assert found, str(e.value)
    assert found[0].line > 1
    assert words in found[0].message, found[0].message
    assert len(found[0].message) < 400
    assert "Exceeds" not in str(e.value) and "sys.set_int" not in str(e.value)


def test_a_401_digit_tarief_fails_in_dutch_through_the_cli(tmp_path):
    (tmp_path / "r.yaml").write_text(
        MINIMAL + "plan_van_aanpak:\n  financiering:\n    epa:\n      trajecten: 1\n      tarief: " + "9" * 401 + "\n",
        encoding="utf-8",
    )
    for args in (["validate", "r.yaml"], ["build", "r.yaml", "--out", tmp_path / "uit", "-q"]):
        result = cli(*args, cwd=tmp_path)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert "r.yaml:11:" in output and "tarief" in output, output
        assert "interne fout" not in output.lower()


# --- every number and text in the model is bounded -----------------------------------------


def _leaves(model: type[BaseModel], prefix: str = ""):
    """(field path, type, metadata) of every scalar field in the model tree."""
    from convenant_gen.region.annotations import model_in as _model_in

    for name, info in model.model_fields.items():
        annotation = info.annotation
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
        else:
            options = [annotation]
        for option in options:
            path = f"{prefix}{name}"
            if typing.get_origin(option) is list:
                option, path = typing.get_args(option)[0], path + "[]"
            if _model_in(option) is not None:
                yield from _leaves(_model_in(option), path + ".")
                continue
            metadata = list(info.metadata)
            while typing.get_origin(option) is typing.Annotated:
                option, *extra = typing.get_args(option)
                for item in extra:  # Field(le=...) inside Annotated carries its own metadata
                    metadata += [item, *getattr(item, "metadata", [])]
            yield path, option, metadata


def test_every_number_date_and_text_field_is_bounded():
    """Bounds live in the shared value types; a new field without them fails here."""
    import datetime as dt
    from fractions import Fraction

    import annotated_types

    from convenant_gen.region import model

    required = {str: model._check_text, dt.date: model._check_year, Fraction: model._majority}
    unbounded = []
    for path, kind, metadata in _leaves(model.Region):
        if typing.get_origin(kind) is typing.Literal or kind is bool:
            continue
        if kind in (int, float):
            if not any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in metadata):
                unbounded.append(f"{path}: {kind.__name__} zonder bovengrens")
            if not any(isinstance(m, annotated_types.Ge | annotated_types.Gt) for m in metadata):
                unbounded.append(f"{path}: {kind.__name__} zonder ondergrens")
            if kind is float and not any(getattr(m, "allow_inf_nan", None) is False for m in metadata):
                unbounded.append(f"{path}: float staat inf en nan toe")
        elif typing.get_origin(kind) is dict or kind is dict:  # an amendment's changes
            if model._check_changes not in [getattr(m, "func", None) for m in metadata]:
                unbounded.append(f"{path}: wijzigingen zonder _check_changes")
        elif kind in required:
            if required[kind] not in [getattr(m, "func", None) for m in metadata]:
                unbounded.append(f"{path}: {kind.__name__} zonder {required[kind].__name__}")
        else:
            unbounded.append(f"{path}: onbekend soort waarde {kind!r}")
    assert not unbounded, "\n".join(unbounded)


def test_lone_surrogates_and_noncharacters_are_refused_by_the_model():
    # YAML cannot carry a lone surrogate; other callers of the model (a web form) can.
    from convenant_gen.region.model import Region

    for text in ("R\ud800X", "R\uffffX"):
        with pytest.raises(ValueError, match=f"U\\+{ord(text[1]):04X}"):
            Region.model_validate({"regio": {"naam": text, "centrumgemeente": "P"}})


# --- sjablonen: a plain .docx file name, nothing else ------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../geheim.docx",
        "/etc/convenant.docx",
        "sub/convenant.docx",
        "sub\\convenant.docx",
        "C:convenant.docx",
        "..docx",
        "convenant..docx",
        ".docx",
        "convenant.doc",
        "convenant.docx.exe",
        "x" * 200 + ".docx",
        "con vénant\u202e.docx",
    ],
)
def test_sjablonen_accepts_only_a_plain_docx_file_name(write, name):
    path = write(MINIMAL + f"sjablonen:\n  convenant: '{name}'\n")
    with pytest.raises(RegionInvalid) as e:
        load_region(path)
    [finding] = e.value.findings
    assert finding.field == "sjablonen.convenant"
    assert finding.line == 8
    assert "sjabloon" in finding.message


@pytest.mark.parametrize("name", ["convenant-groot-amsterdam.docx", "Convenant (2024) v2.docx", "plan_é.DOCX"])
def test_sjablonen_keeps_ordinary_names(write, name):
    path = write(MINIMAL + f"sjablonen:\n  plan: '{name}'\n")
    assert load_region(path).region.sjablonen.plan == name


# --- load never lets anything but our own errors escape --------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"a: !!binary " + b"////" * 10 + b"\n",
        b"a: !!binary '\xff'\n",
        b"a: 2001-12-14 21:59:43.10 -99:99\n",
        b"a: 12:30:45:" + b"59:" * 1000 + b"1\n",
        b"a: " + b"1" * 900_000 + b"\n",
        b"a: 0b" + b"1" * 900_000 + b"\n",
        b"a: 1e" + b"9" * 50_000 + b"\n",
        b"regio:\n  naam: a\x01b\n",
        b"\xef\xbb\xbf" * 3 + b"a: b\n",
        b"a: [" + b"{a: " * 30 + b"\n",
        b"? " * 60 + b"x\n",
        b"- " * 60 + b"x\n",
        b"\t- a\n",
        b"a: \xed\xa0\x80\n",
    ],
)
def test_load_never_lets_a_foreign_exception_escape(tmp_path, raw):
    path = tmp_path / "r.yaml"
    path.write_bytes(raw)
    started = time.monotonic()
    try:
        load_region(path)
    except ConvenantError as e:
        assert "Exceeds" not in str(e) and "\n  in " not in str(e)
    assert time.monotonic() - started < 5


# --- the nesting count is never lower than what libyaml composes ------------------------------

# fmt: off
_PIECES = [
    "- ", "-", "? ", "?", ": ", ":", "[", "]", "{", "}", ", ", ",", "'", "''", '"', '\\"', "\\",
    "#", " #", "|", ">", "|2", ">-", "\n", "\n", "\n", "\n  ", "\n    ", "\n      ", " ", "  ", "\t",
    "a", "b: ", "key:", "&x ", "*x", "!t ", "!!str ", "---", "...", "\ufeff", "%", "\r", "\u2028", "x y",
]
# fmt: on


def _yaml_depth(text: str) -> int:
    """The deepest nesting libyaml reaches (events, no recursion) before it stops, if it does."""
    import yaml

    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return deepest


@pytest.mark.skipif(not hasattr(__import__("yaml"), "CSafeLoader"), reason="libyaml is not installed")
@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_the_nesting_count_never_undercounts_libyaml(text):
    from convenant_gen.region.load import too_deep

    real = _yaml_depth(text)
    # Keys that are [ ] or { } inside [ ] may count one level less each: half is the floor.
    assert real == 0 or too_deep(text, (real - 1) // 2) is not None, real


# --- init writes only what validate accepts ---------------------------------------------------


@pytest.mark.parametrize("name", ["Proef\nregio: x", "Proef # regio", "Proef\x01b", "Proef\u2028b", " "])
def test_init_with_an_odd_name_writes_a_valid_file_or_nothing(tmp_path, name):
    from click.testing import CliRunner

    from convenant_gen.cli.app import cli as convenant

    folder = tmp_path / "regions"
    result = CliRunner().invoke(convenant, ["init", name, "--centrumgemeente", "Stad", "--map", str(folder)])
    written = sorted(folder.glob("*.yaml")) if folder.exists() else []
    if result.exit_code == 0:
        [path] = written
        assert load_region(path).region.regio.naam == name.strip()
    else:
        assert result.exit_code == 2, result.output
        assert "regio" in result.output.lower() and "naam" in result.output.lower()
        assert written == []


def test_a_huge_unknown_key_gives_a_short_message(write):
    path = write(MINIMAL + "? " + "x" * 200_000 + "\n: 1\nregio" + "y" * 100 + ": 2\n")
    with pytest.raises(RegionInvalid) as e:
        load_region(path)
    assert len(e.value.findings) == 2
    for finding in e.value.findings:
        assert "onbekend veld" in finding.message
        assert len(finding.field) < 100 and len(finding.message) < 400, finding
