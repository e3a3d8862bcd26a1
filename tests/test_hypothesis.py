"""Random values and random YAML: the loader answers with a model or with clean errors."""

from __future__ import annotations

import datetime as dt
import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convenant_gen.errors import ConvenantError, InputError
from convenant_gen.validate import load_region

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
