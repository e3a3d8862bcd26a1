"""One place for figures, words and kinds; validation of a dict; the model stays as the user wrote it."""

from __future__ import annotations

import typing
from fractions import Fraction
from typing import Any

import pytest

from convenant_gen.errors import RegionInvalid
from convenant_gen.region.load import load_yaml
from convenant_gen.region.model import Region
from convenant_gen.region.validate import load_region
from tests.conftest import EXAMPLES, MINIMAL

# --- party kinds are defined once -------------------------------------------------------------


def test_party_kinds_and_signature_headings_come_from_one_definition():
    from convenant_gen.region import kinds, model

    assert model.SoortPartij is kinds.SoortPartij
    accepted = typing.get_args(model.Partij.model_fields["soort"].annotation)
    # Every kind the model accepts has a heading on the signature page, in the page's order.
    assert list(accepted) == list(kinds.SOORT_KOPPEN)


def test_every_signing_kind_gets_its_heading_on_the_signature_page():
    from convenant_gen.documents.context import build_context
    from convenant_gen.region.kinds import SOORT_KOPPEN

    parties = [{"naam": f"Partij {i}", "soort": soort} for i, soort in enumerate(SOORT_KOPPEN)]
    parties[1]["naam"] = "Gemeente G"
    region = Region.model_validate({"regio": {"naam": "R", "centrumgemeente": "G"}, "partijen": parties})
    groups = build_context(region)["handtekeninggroepen"]
    assert [g["kop"] for g in groups] == list(SOORT_KOPPEN.values())


# --- the model is never changed after validation ------------------------------------------------


def _same_fields(written: Any, dumped: Any, path: str = "") -> list[str]:
    """Field paths that differ between what the user wrote and what the model dumps back."""
    if isinstance(written, dict):
        if not isinstance(dumped, dict):
            return [path]
        extra = [f"{path}.{k}" for k in dumped.keys() - written.keys()]
        lost = [f"{path}.{k}" for k in written.keys() - dumped.keys()]
        return (
            extra
            + lost
            + [p for k in written.keys() & dumped.keys() for p in _same_fields(written[k], dumped[k], f"{path}.{k}")]
        )
    if isinstance(written, list):
        if not isinstance(dumped, list) or len(dumped) != len(written):
            return [path]
        return [
            p for i, (w, d) in enumerate(zip(written, dumped, strict=True)) for p in _same_fields(w, d, f"{path}[{i}]")
        ]
    return []  # a scalar the model parses into a value (such as '25 tot 40' into a range)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_region_dumps_back_to_what_the_user_wrote(path):
    data, _ = load_yaml(path)
    region = load_region(path).region
    dumped = region.model_dump(exclude_unset=True)
    assert _same_fields(data, dumped) == []
    assert Region.model_validate(dumped) == region


def test_default_bodies_follow_the_regions_own_bodies_without_changing_the_model():
    from convenant_gen.documents.context import build_context
    from convenant_gen.figures import figures

    base = {"regio": {"naam": "R", "centrumgemeente": "G"}, "partijen": [{"naam": "G", "soort": "gemeente"}]}
    own = Region.model_validate(
        {
            **base,
            "werkwijze": {
                "organen": [
                    {"naam": "projectteam", "soort": "projectteam"},
                    {"naam": "klankbordgroep", "soort": "klankbordgroep"},
                ]
            },
        }
    )
    assert own.aanpassing.orgaan is None and own.communicatie.organen is None
    assert figures(own).organen.aanpassing == "projectteam"
    assert figures(own).organen.communicatie == ["projectteam"]
    ctx = build_context(own)
    assert ctx["aanpassing"]["orgaan"] == ctx["financien"]["besluitvorming_orgaan"] == "projectteam"
    assert ctx["communicatie"]["organen"] == ["projectteam"]
    standard = figures(Region.model_validate(base)).organen
    assert (standard.aanpassing, standard.voorbereid_door) == ("stuurgroep", "coördinatieteam")
    assert standard.communicatie == ["stuurgroep", "coördinatieteam"]
    assert standard.evaluatie == standard.besluitvorming == "stuurgroep"


# --- validate_data: a dict, as the web form sends it ------------------------------------------


def test_validate_data_takes_a_dict_and_reports_like_a_file():
    from convenant_gen.region.validate import validate_data

    data = {"regio": {"naam": "R", "centrumgemeente": "G"}, "partijen": [{"naam": "G", "soort": "gemeente"}]}
    loaded = validate_data(data)
    assert loaded.region.regio.naam == "R" and loaded.warnings == []
    data["doelstellingen"] = {"trajecten": "veertig", "duurzame_plaatsingen": 5}
    with pytest.raises(RegionInvalid) as e:
        validate_data(data, {("doelstellingen", "trajecten"): (7, 14)}, path="formulier")
    found = [(f.file, f.line, f.column, f.field, f.message) for f in e.value.findings]
    assert found == [("formulier", 7, 14, "doelstellingen.trajecten", 'verwacht een geheel getal, gekregen "veertig"')]
    with pytest.raises(RegionInvalid) as e:
        validate_data({**data, "doelstellingen": {}}, definitief=True)
    assert any(f.field == "looptijd.ingangsdatum" and f.line == 1 for f in e.value.findings)


def test_load_region_is_load_yaml_plus_validate_data(write, monkeypatch):
    from convenant_gen.region import validate

    seen = []
    real = validate.validate_data

    def spy(data, positions=None, **kwargs):
        seen.append((data, positions, kwargs))
        return real(data, positions, **kwargs)

    monkeypatch.setattr(validate, "validate_data", spy)
    path = write(MINIMAL)
    validate.load_region(path, definitief=False)
    assert len(seen) == 1 and seen[0][0]["regio"]["naam"] == "Proefregio"
    assert seen[0][1] == load_yaml(path)[1] and seen[0][2]["path"] == path


# --- figures: computed once, read by context, rules and overview -----------------------------


def _region(**extra: Any) -> Region:
    data: dict[str, Any] = {
        "regio": {"naam": "R", "centrumgemeente": "G"},
        "partijen": [
            {"naam": "Gemeente G", "soort": "gemeente", "vertegenwoordiger": {"naam": "A", "functie": "wethouder"}},
            {"naam": "UWV", "soort": "uwv", "vertegenwoordiger": {"naam": "B"}},
            {"naam": "GGZ", "soort": "ggz-instelling"},
            {"naam": "Gemeente H", "soort": "gemeente", "vertegenwoordiger": {"functie": "wethouder"}},
            {"naam": "School", "soort": "onderwijs", "ondertekent": False},
        ],
        **extra,
    }
    return Region.model_validate(data)


def test_figures_of_a_region():
    from convenant_gen.figures import figures

    region = _region(
        looptijd={"ingangsdatum": "2022-01-01", "einddatum": "2023-12-31"},
        doelstellingen={"trajecten": 200, "duurzame_plaatsingen": 80},
        financien={"menskracht": [{"partij": "UWV", "uren_per_week": 4}, {"partij": "GGZ", "uren_per_week": 2.5}]},
        werkwijze={"projectleiding": {"uren_per_week": 16}},
        plan_van_aanpak={
            "financiering": {"epa": {"trajecten": 2}, "cmd": {"trajecten": 3}},
            "mijlpalen": [
                {"datum": "2022-06-01", "omschrijving": "a"},
                {"datum": "2023-06-01", "omschrijving": "b"},
                {"datum": "2024-06-01", "omschrijving": "c"},
                {"omschrijving": "d"},
            ],
        },
    )
    f = figures(region)
    assert [p.naam for p in f.ondertekenaars] == ["Gemeente G", "UWV", "GGZ", "Gemeente H"]
    assert f.ondertekenaars_per_soort == {"ggz-instelling": 1, "gemeente": 2, "uwv": 1}
    assert list(f.ondertekenaars_per_soort) == ["gemeente", "uwv", "ggz-instelling"]  # party list order (JSON)
    assert list(f.handtekeninggroepen) == ["ggz-instelling", "gemeente", "uwv"]  # signature page order
    assert f.zonder_vertegenwoordiger == ["UWV", "GGZ", "Gemeente H"]
    assert f.quorum == {"aanpassing": 3, "schriftelijk_akkoord": 3, "toetreding": 3, "partijen": 4}
    assert f.minimum_partijen(Fraction(3, 4)) == 3
    assert f.aandeel_plaatsingen == Fraction(2, 5)
    assert f.trajecten_per_jaar == 100
    assert f.menskracht_totaal == 6.5 and f.capaciteit_totaal == 22.5
    assert f.ips.trajecten == 5 and f.ips.totaal == 2 * 11325 + 3 * 8000
    assert f.mijlpalen_per_jaar == {2022: 1, 2023: 1, 2024: 1}
    assert f.mijlpalen_binnen_looptijd == 2


def test_context_rules_and_overview_read_the_same_figures(monkeypatch, tmp_path):
    """Change a figure in figures.py and every reader follows: nothing computes its own."""
    from convenant_gen import figures as module
    from convenant_gen.documents.context import build_context
    from convenant_gen.output.overview import _row

    region = _region()
    monkeypatch.setattr(module.Figures, "ondertekenaars_per_soort", property(lambda self: {"uwv": 99}))
    monkeypatch.setattr(module.Figures, "zonder_vertegenwoordiger", property(lambda self: ["X"]))
    monkeypatch.setattr(module.Figures, "menskracht_totaal", property(lambda self: 1234.0))
    row = _row(tmp_path / "r.yaml", region, "concept", 0)
    assert row.ondertekenaars_per_soort == {"uwv": 99} and row.zonder_vertegenwoordiger == ["X"]
    assert build_context(region)["menskracht_totaal"] == 1234.0


# --- Dutch words in one place -----------------------------------------------------------------


def test_fraction_words_round_trip_through_the_model():
    from pydantic import TypeAdapter

    from convenant_gen import words
    from convenant_gen.documents import formatting
    from convenant_gen.region.model import Meerderheid
    from convenant_gen.region.scaffold import _scalar

    adapter = TypeAdapter(Meerderheid)
    for denominator in range(2, 13):
        for numerator in range(1, denominator + 1):
            f = Fraction(numerator, denominator)
            if f > Fraction(1, 2):
                assert adapter.validate_python(words.breuk(f)) == f, words.breuk(f)
                assert formatting.breuk(f) == words.breuk(f) == _scalar(f)
    assert words.getal_in_woorden(13) == "dertien" and formatting.woord(13) == "dertien"
    assert words.MAANDEN[2] == "maart"
