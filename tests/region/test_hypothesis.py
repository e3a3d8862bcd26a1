"""Random values and random YAML: the loader answers with a model or with clean errors."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import string

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from convenant_gen.documents.kinds import all_kinds
from convenant_gen.errors import ConvenantError, InputError, TemplateProblem
from convenant_gen.region.validate import load_region
from tests.conftest import ROOT

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "regio",
        "looptijd",
        "partijen",
        "doelstellingen",
        "werkwijze",
        "aanpassing",
        "plan_van_aanpak",
        "ondertekening",
        "evaluatie",
        "x",
    ]
)


def _check(tmp_path, raw: bytes) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(raw)
    try:
        load_region(path)
    except InputError as e:
        assert e.findings, "an error without findings"
        for f in e.findings:
            assert f.message and f.file == str(path)
            assert "Traceback" not in f.message
    except ConvenantError:
        pass


@SETTINGS
@given(st.dictionaries(keys, values, max_size=6))
def test_random_structures(tmp_path, data):
    _check(tmp_path, yaml.safe_dump(data, allow_unicode=True).encode())


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes(tmp_path, raw):
    _check(tmp_path, raw)


@SETTINGS
@given(st.text(alphabet=string.printable + "äëïé€{}%&<>'\"", max_size=300))
def test_random_text(tmp_path, text):
    _check(tmp_path, text.encode())


# Pieces of YAML, each repeated up to thousands of times: deep nesting in every notation, huge
# numbers and texts, odd escapes and breaks.
# fmt: off
PIECES = [
    "- ", "? ", ": ", "a: ", "[", "]", "{", "}", ", ", "\n", "\n  ", "  ", "'", '"', "#", " #", "|", ">",
    "&a ", "*a", "!!binary ", "!!int ", "!!float ", "!!timestamp ", "!!python/object ", "<<: ", "---\n",
    "9", "0x", "0b1", "1:", "1e", ".inf", "2022-02-30", "2001-12-14 21:59:43 -99:99", "\\x01", "\\uD800",
    "\t", "\r", "\u2028", "\ufeff", "\x85", "é", "x",
]
# fmt: on


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from([1, 1, 1, 2, 7, 60, 600, 5000])), max_size=12))
def test_structured_garbage(tmp_path, parts):
    _check(tmp_path, "".join(piece * count for piece, count in parts).encode("utf-8", "surrogatepass"))


@st.composite
def deep_yaml(draw):
    """Valid YAML nested to a random depth: block lists and groups, then [ ] and { } inside."""
    depth = draw(st.sampled_from([5, 49, 50, 51, 300, 600, 900, 3000]))
    kinds = draw(st.lists(st.sampled_from(["-", "k:", "[", "{a: ", "[b: "]), min_size=1, max_size=4))
    levels = [kinds[i % len(kinds)] for i in range(depth)]
    block = [k for k in levels if k in ("-", "k:")][:700]
    flow = [k for k in levels if k not in ("-", "k:")]
    lines = ["regio:", *(" " * (2 * i + 2) + k for i, k in enumerate(block))]
    closers = "".join("}" if k.startswith("{") else "]" for k in reversed(flow))
    lines.append(" " * (2 * len(block) + 2) + "".join(flow) + "x" + closers)
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deep_yaml())
def test_deep_nesting_never_escapes(tmp_path, text):
    _check(tmp_path, text.encode())


safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() and s == s.strip())


@SETTINGS
@given(
    name=safe_text,
    functie=safe_text,
    trajecten=st.integers(0, 100_000),
    start=st.dates(dt.date(2000, 1, 1), dt.date(2090, 1, 1)),
)
def test_values_round_trip(tmp_path, name, functie, trajecten, start):
    data = {
        "regio": {"naam": name, "centrumgemeente": "Stad"},
        "looptijd": {"ingangsdatum": start, "einddatum": start + dt.timedelta(days=700)},
        "doelstellingen": {"trajecten": trajecten},
        "partijen": [
            {"naam": "Gemeente Stad", "soort": "gemeente", "vertegenwoordiger": {"naam": name, "functie": functie}}
        ],
    }
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    region = load_region(path).region
    assert region.regio.naam == name
    assert region.partijen[0].vertegenwoordiger.functie == functie
    assert region.doelstellingen.trajecten == trajecten
    assert region.looptijd.ingangsdatum == start


# --- what validates, builds -------------------------------------------------------------------

SEED_REGION = ROOT / "regions" / "holland-rijnland.yaml"
TEMPLATES = ROOT / "templates"


def _leaf_paths(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaf_paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaf_paths(value, (*path, i))
    else:
        yield path


huge_integers = st.builds(
    lambda lead, digits: lead * 10**digits - 1, st.integers(1, 9), st.sampled_from([7, 13, 27, 28, 40, 100, 401, 500])
)
extreme_integers = st.one_of(
    st.integers(-10, 10**7),  # ordinary values and those at the bounds
    huge_integers,  # beyond any sane bound, up to 501 digits
    huge_integers,
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**6, 10**6 + 1, 10**9, 10**18, 10**401 - 1, 80, 81, 120, 121]),
)
extreme_floats = st.one_of(
    st.floats(),
    st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, 79.999, 80.0001, -0.0, 0.5, 2 / 3]),
)
extreme_numbers = st.one_of(extreme_integers, extreme_floats)
extreme_texts = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
    st.sampled_from(
        [
            "\x01x",
            "a\rb",
            "x\x7f",
            "\u0085",
            "\ufffe",
            "{{ regio.naam }}",
            "a & b <c>",
            "=SOM(A1)",
            "a\tb\nc",
            "x" * 9_999,
            "x" * 10_001,
            "9" * 401,
            "1/" + "9" * 401,
            "99" + "%" * 2,
            "9999-12-31",
            "0001-01-01",
            "31-12-9999",
            "december 9999",
            "1 januari 1",
            "../x.docx",
            "x.docx",
            " ",
            "ja",
            "nee",
            "tot",
            "1 tot " + "9" * 40,
            "\u202eabc",
            "\U0001f600" * 50,
        ]
    ),
)
extreme_dates = st.one_of(
    st.dates(),
    st.sampled_from([dt.date.min, dt.date.max, dt.date(1999, 12, 31), dt.date(2100, 12, 31), dt.date(2101, 1, 1)]),
)
extreme_values = st.one_of(
    extreme_numbers, extreme_texts, extreme_dates, st.booleans(), st.none(), st.lists(st.text(max_size=5), max_size=3)
)
# Mostly a value of the kind the field holds (a huge number where a number was), sometimes anything.
EXTREMES = {int: extreme_integers, float: extreme_numbers, str: extreme_texts, dt.date: extreme_dates}


def _set(data, path, value):
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


# The optional fields holland-rijnland.yaml leaves out, so that every kind of value is mutated.
SEED_EXTRA = {
    "vervolg": {"maanden_voor_einde": 3},
    "speerpunten": {"regionale_accenten": ["werkgevers eerst"]},
    "doelstellingen": {"trajecten_cmd": "10 tot 20", "nieuwe_werkgevers": "25 tot 50"},
    "werkwijze": {
        "werkgroepen": True,
        "dubbele_afvaardiging": True,
        "ervaringsdeskundigen_in_team": True,
        "projectleiding": {"namen": ["A. de Vries"]},
    },
    "financien": {
        "besluitvorming_orgaan": "stuurgroep",
        "kostenverdeling": "naar rato",
        "verdeeld_tussen": "samenwerkende partijen",
        "afspraken": ["elke partij levert een sleutelfiguur"],
    },
    "communicatie": {"organen": ["stuurgroep"]},
    "aanpassing": {
        "orgaan": "stuurgroep",
        "meerderheid": "drie vierde",
        "schriftelijk_akkoord": "2/3",
        "voorbereid_door": "coördinatieteam",
        "besluiten": [
            {
                "datum": dt.date(2023, 6, 1),
                "onderwerp": "verlenging van de looptijd",
                "wijzigingen": {"looptijd.einddatum": dt.date(2024, 12, 31)},
                "stemming": {"voor": 8, "tegen": 1, "onthouding": 0},
                "schriftelijk_akkoord": 7,
                "voorzitter": {"naam": "E. de Vries", "functie": "voorzitter van de stuurgroep"},
            }
        ],
    },
    "toetreding": {
        "meerderheid": "75%",
        "besluiten": [
            {
                "datum": dt.date(2022, 9, 1),
                "partij": {
                    "naam": "Hogeschool Leiden",
                    "soort": "onderwijs",
                    "ondertekent": True,
                    "vertegenwoordiger": {"naam": "A. de Boer", "functie": "lid van het college van bestuur"},
                    "rol": "onderzoek naar werkzame elementen",
                    "subregio": "Leiden",
                },
                "instemming": [
                    "GGZ Rivierduinen",
                    "Gemeente Leiden",
                    "Gemeente Katwijk",
                    "Gemeente Alphen aan den Rijn",
                    "Gemeente Noordwijk",
                    "UWV",
                ],
                "voorzitter": {"naam": "E. de Vries", "functie": "voorzitter van de stuurgroep"},
            }
        ],
    },
    "evaluatie": {"orgaan": "stuurgroep"},
    "ondertekening": {"datum": dt.date(2022, 7, 1)},
    "aanvullingen": {
        "aanleiding": ["Eigen tekst."],
        "missie": ["Eigen missie."],
        "werkwijze": ["Eigen werkwijze."],
        "communicatie": ["Eigen communicatie."],
        "achtergrond": [{"kop": "Regio", "tekst": "Achtergrond."}],
    },
    "plan_van_aanpak": {
        "financiering": {
            "epa": {"trajecten": 20, "tarief": 11325, "maanden": 36},
            "cmd": {"trajecten": 10, "tarief": 8000, "maanden": 24},
        },
    },
    "sjablonen": {kind.key: kind.template for kind in all_kinds() if kind.template_of is None},
}


def _merge(data, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            _merge(data[key], value)
        else:
            data.setdefault(key, value)


@functools.cache
def _seed():
    text = SEED_REGION.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    _merge(data, SEED_EXTRA)
    data["partijen"][1].setdefault("subregio", "Leiden")
    data["werkwijze"]["organen"][0].setdefault("taken", ["besluiten over de aanpak"])
    data["werkwijze"]["organen"][0].setdefault("meervoud", False)
    data["plan_van_aanpak"]["opsteller"].setdefault("organisatie", "WSP Holland Rijnland")
    data["plan_van_aanpak"]["goedkeuringen"][0].update(akkoord=True, datum=dt.date(2022, 6, 1))
    groups: dict[type, list] = {}
    for path in _leaf_paths(data):
        value = data
        for part in path:
            value = value[part]
        groups.setdefault(type(value), []).append(path)
    return text, data, [st.tuples(st.just(kind), st.sampled_from(paths)) for kind, paths in groups.items()]


def test_the_mutated_seed_is_valid_and_complete(tmp_path):
    from convenant_gen.region.model import Region
    from tests.region.test_trust_region import _leaves

    _, seed, _ = _seed()
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    assert load_region(path).region.sjablonen.plan == "plan-van-aanpak.docx"
    present = {".".join(str(p) for p in path if not isinstance(p, int)) for path in _leaf_paths(seed)}
    fields = {name.replace("[]", "").removesuffix(".van").removesuffix(".tot") for name, _, _ in _leaves(Region)}
    missing = {f for f in fields if not any(p == f or p.startswith(f + ".") for p in present)}  # a map's keys
    assert not missing, missing


def _mutation(kind_and_path):
    """(path, new value): mostly a value of the kind the field holds, sometimes anything."""
    kind, path = kind_and_path
    typed = EXTREMES.get(kind, extreme_values)
    return st.tuples(st.just(path), st.one_of(typed, typed, extreme_values))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutations=st.lists(st.one_of(_seed()[2]).flatmap(_mutation), min_size=1, max_size=3, unique_by=lambda m: m[0]))
@example(mutations=[(("plan_van_aanpak", "financiering", "epa", "tarief"), 10**401 - 1)])
@example(mutations=[(("regio", "naam"), "Holland\x01Rijnland"), (("regio", "code"), "A\x7f")])
def test_what_validates_also_builds(tmp_path_factory, mutations):
    """The class proof for 'what the build cannot render, validation rejects first': mutate the
    values of a real region to extremes (numbers, texts, dates equally likely); whatever
    load_region accepts must render both documents and the overview workbook."""
    from convenant_gen.documents.decisions import document_context
    from convenant_gen.documents.engine import render_document
    from convenant_gen.documents.templates import resolve
    from convenant_gen.output.overview import Overview, entry, workbook_bytes

    mutated = copy.deepcopy(_seed()[1])
    for path, value in mutations:
        try:
            _set(mutated, path, value)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation replaced a parent
    folder = tmp_path_factory.mktemp("r")
    path = folder / "r.yaml"
    path.write_text(yaml.safe_dump(mutated, allow_unicode=True, width=10**6), encoding="utf-8")
    try:
        loaded = load_region(path)
    except ConvenantError:
        return
    region = loaded.region
    for kind in all_kinds():
        try:
            template = resolve(kind, region, TEMPLATES, slug=path.stem)
        except TemplateProblem:
            continue  # a template the mutated file names that is not there: the build says so
        items = [(None, None)] if kind.per_item is None else list(kind.per_item(region))
        for _, item in items:  # every accession, amendment and the consolidated text too
            context = document_context(kind, region, item, datum=dt.date(2026, 1, 1))
            assert render_document(template, context, {"title": region.regio.naam})[:2] == b"PK"
    row, findings = entry(path, loaded)
    assert workbook_bytes(Overview([row], findings))[:2] == b"PK"
