"""Every domain rule: one passing and one failing case, through load_region."""

from __future__ import annotations

from fractions import Fraction

import pytest

from convenant_gen.errors import RegionInvalid
from convenant_gen.figures import figures
from convenant_gen.region.model import Region
from convenant_gen.region.validate import load_region
from tests.conftest import MINIMAL


def problems(write, extra: str, definitief: bool = False) -> list[str]:
    path = write(MINIMAL + extra)
    try:
        loaded = load_region(path, definitief)
    except RegionInvalid as e:
        return [f"{f.severity}:{f.field}:{f.message}" for f in e.findings]
    return [f"{f.severity}:{f.field}:{f.message}" for f in loaded.warnings]


def test_minimal_file_is_valid(write):
    assert problems(write, "") == []


def test_end_before_start(write):
    found = problems(write, "looptijd:\n  ingangsdatum: 2022-01-01\n  einddatum: 2021-12-31\n")
    assert found == [
        "fout:looptijd.einddatum:einddatum 2021-12-31 ligt vóór ingangsdatum 2022-01-01; "
        "het convenant moet na de ingangsdatum eindigen"
    ]


def test_dutch_date_notations(write):
    path = write(MINIMAL + "looptijd:\n  ingangsdatum: 1 januari 2022\n  einddatum: 31-12-2023\n")
    region = load_region(path).region
    assert region.looptijd.ingangsdatum.isoformat() == "2022-01-01"
    assert region.looptijd.einddatum.isoformat() == "2023-12-31"


def test_nonexistent_date(write):
    found = problems(write, "looptijd:\n  einddatum: 2023-02-30\n")
    assert found == ["fout:looptijd.einddatum:'2023-02-30' bestaat niet als datum"]


def test_plaatsingen_above_trajecten(write):
    found = problems(write, "doelstellingen:\n  trajecten: 40\n  duurzame_plaatsingen: 50\n")
    assert found[0].startswith("fout:doelstellingen.duurzame_plaatsingen:50 duurzame plaatsingen is meer")


def test_plaatsingen_under_norm_is_a_warning(write):
    found = problems(write, "doelstellingen:\n  trajecten: 100\n  duurzame_plaatsingen: 30\n")
    assert found == [
        "waarschuwing:doelstellingen.duurzame_plaatsingen:30 van 100 trajecten is 30 procent; "
        "de norm van Hoofdzaak Werk is 40 procent (hier 40 plaatsingen)"
    ]


def test_plaatsingen_at_norm_is_fine(write):
    assert problems(write, "doelstellingen:\n  trajecten: 100\n  duurzame_plaatsingen: 40\n") == []


@pytest.mark.parametrize("value", ["een half", "1/2", "1/3", "4/3", "0"])
def test_majority_must_be_above_half_and_at_most_one(write, value):
    found = problems(write, f"aanpassing:\n  meerderheid: {value}\n")
    assert len(found) == 1 and "aanpassing.meerderheid" in found[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("twee derde", Fraction(2, 3)),
        ("drie vierde", Fraction(3, 4)),
        ("2/3", Fraction(2, 3)),
        ("75%", Fraction(3, 4)),
        ("unaniem", Fraction(1)),
    ],
)
def test_majority_notations(write, value, expected):
    region = load_region(write(MINIMAL + f"toetreding:\n  meerderheid: {value}\n")).region
    assert region.toetreding.meerderheid == expected


def test_quorum_minimum_is_computed_from_signing_parties():
    parties = [{"naam": f"Gemeente G{i}", "soort": "gemeente"} for i in range(14)]
    parties.append({"naam": "AWVN", "soort": "werkgeversorganisatie", "ondertekent": "nee"})
    region = Region.model_validate({"regio": {"naam": "R", "centrumgemeente": "G0"}, "partijen": parties})
    f = figures(region)
    assert len(f.ondertekenaars) == 14
    assert f.minimum_partijen(region.aanpassing.meerderheid) == 10  # 2/3 of 14 -> 9.33 -> 10
    assert f.minimum_partijen(Fraction(3, 4)) == 11


def test_centrumgemeente_must_be_a_party(write):
    path = write("regio:\n  naam: R\n  centrumgemeente: Leiden\npartijen:\n  - naam: UWV\n    soort: uwv\n")
    with pytest.raises(RegionInvalid) as e:
        load_region(path)
    assert e.value.findings[0].field == "regio.centrumgemeente"
    assert "Gemeente Leiden" in e.value.findings[0].message


def test_centrumgemeente_must_be_a_gemeente(write):
    text = "regio:\n  naam: R\n  centrumgemeente: Leiden\npartijen:\n  - naam: Gemeente Leiden\n    soort: uwv\n"
    with pytest.raises(RegionInvalid) as e:
        load_region(write(text))
    assert e.value.findings[0].field == "partijen[1].soort"


def test_duplicate_parties(write):
    found = problems(write, "  - naam: gemeente  proefstad\n    soort: gemeente\n")
    assert found == [
        "fout:partijen[2].naam:'gemeente  proefstad' staat al bij partijen (nummer 1); verwijder een van beide"
    ]


def test_named_organisations_must_be_parties(write):
    extra = (
        "activiteiten:\n  - wat: iets\n    eigenaar: Gemeente Proefsta\n"
        "financien:\n  menskracht:\n    - partij: UWV\n      uren_per_week: 4\n"
    )
    found = problems(write, extra)
    assert (
        "fout:activiteiten[1].eigenaar:'Gemeente Proefsta' staat niet bij partijen; "
        "bedoelde u 'Gemeente Proefstad'?" in found
    )
    assert any(f.startswith("fout:financien.menskracht[1].partij:'UWV'") for f in found)


def test_bodies_are_referenced_by_their_own_names(write):
    extra = (
        "werkwijze:\n  organen:\n    - naam: projectteam\n      soort: projectteam\n"
        "financien:\n  besluitvorming_orgaan: projectteam\n"
        "communicatie:\n  organen: [projectteam]\n"
        "aanpassing:\n  orgaan: projectteam\n  voorbereid_door: projectteem\n"
        "evaluatie:\n  orgaan: projectteam\n"
    )
    found = problems(write, extra)
    assert found == [
        "fout:aanpassing.voorbereid_door:orgaan 'projectteem' bestaat niet bij werkwijze.organen; "
        "bedoelde u 'projectteam'?; de organen zijn: projectteam"
    ]


def test_default_bodies_are_the_formats(write):
    region = load_region(write(MINIMAL)).region
    assert [o.naam for o in region.werkwijze.organen] == ["stuurgroep", "coördinatieteam"]
    assert region.aanpassing.meerderheid == Fraction(2, 3)
    assert region.vervolg.maanden_voor_einde == 3
    assert region.ondertekening.exemplaren is None


def test_milestone_outside_looptijd_is_a_warning(write):
    extra = (
        "looptijd:\n  ingangsdatum: 2022-01-01\n  einddatum: 2023-12-31\n"
        "plan_van_aanpak:\n  mijlpalen:\n    - datum: 2024-06-01\n      omschrijving: laat\n"
    )
    found = problems(write, extra)
    assert found == [
        "waarschuwing:plan_van_aanpak.mijlpalen[1].datum:mijlpaal op 2024-06-01 valt buiten de "
        "looptijd (2022-01-01 tot 2023-12-31)"
    ]


def test_definitief_needs_representatives_and_term_not_a_joint_signing(write):
    found = problems(write, "", definitief=True)
    fields = {f.split(":")[1] for f in found}
    assert {
        "partijen[1].vertegenwoordiger.naam",
        "partijen[1].vertegenwoordiger.functie",
        "looptijd.einddatum",
    } <= fields
    # Without place and date every party signs apart, each with its own line for both.
    assert not fields & {"ondertekening.plaats", "ondertekening.datum"}


def test_concept_allows_unknown_representatives(write):
    assert problems(write, "") == []


def test_xml_forbidden_character_is_refused(write):
    found = problems(write, 'doelgroepen:\n  primair: ["mensen\\u0007 met CMD"]\n')
    assert len(found) == 1
    assert "U+0007" in found[0] and "doelgroepen.primair[1]" in found[0]


def test_examples_are_valid():
    from tests.conftest import EXAMPLES

    assert [p.stem for p in EXAMPLES] == ["achterhoek", "groot-amsterdam", "holland-rijnland"]
    for path in EXAMPLES:
        load_region(path)


def test_body_references_follow_the_regions_own_bodies_without_sharing_defaults():
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
    assert figures(own).organen.aanpassing == "projectteam"
    assert figures(own).organen.communicatie == ["projectteam"]
    standard = figures(Region.model_validate(base)).organen
    assert standard.aanpassing == "stuurgroep"
    assert standard.voorbereid_door == "coördinatieteam"
    assert standard.communicatie == ["stuurgroep", "coördinatieteam"]
    assert Region.model_validate(base).aanpassing.orgaan is None  # defaults are shared between regions


THREE_SIGN = "  - naam: UWV\n    soort: uwv\n  - naam: GGZ Proef\n    soort: ggz-instelling\n"


@pytest.mark.parametrize(("copies", "warned"), [(2, True), (3, False), (4, False), (None, False)])
def test_copies_follow_the_number_of_signatories(write, copies, warned):
    """'in drievoud getekend' with more signatories leaves one without an original."""
    extra = THREE_SIGN + (f"ondertekening:\n  exemplaren: {copies}\n" if copies else "")
    found = [p for p in problems(write, extra) if "exemplaren" in p]
    assert bool(found) == warned, found
    if warned:
        assert found[0].startswith("waarschuwing:ondertekening.exemplaren:2 exemplaren voor 3 ondertekenaars")
