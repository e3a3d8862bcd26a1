"""Plausibility rules (issue 13, item 3), through `convenant validate` as a user runs it.

Each rule fires on a small bad file, with file:line:column and the field in the output, and
stays silent on the three example regions, in a concept and in a definitief build.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import EXAMPLES

# A valid concept that every rule below accepts: a term of two years, a gemeente and a
# ggz-instelling that sign. Each test appends its own fields from line 12 on.
BASE = """\
regio:
  naam: Proefregio
  centrumgemeente: Proefstad
looptijd:
  ingangsdatum: 2022-01-01
  einddatum: 2023-12-31
partijen:
  - naam: Gemeente Proefstad
    soort: gemeente
  - naam: GGZ Proef
    soort: ggz-instelling
"""


def validate(write, run, text: str, *options: str) -> tuple[int, list[str]]:
    """Exit code and the finding lines, the file named regio.yaml."""
    path = write(text)
    result = run("validate", *options, path)
    lines = [line.strip().replace(str(path), "regio.yaml") for line in result.output.splitlines()]
    return result.exit_code, [line for line in lines if line.startswith("regio.yaml:")]


def test_base_file_is_valid_without_findings(write, run):
    code, found = validate(write, run, BASE)
    assert (code, found) == (0, [])


# --- the total against trajecten per jaar × the period ----------------------------------------


def test_total_against_per_year_times_term(write, run):
    extra = "doelstellingen:\n  trajecten: 300\n  trajecten_per_jaar: 100\n"
    code, found = validate(write, run, BASE + extra)
    assert code == 0
    assert found == [
        "regio.yaml:13:3: waarschuwing: doelstellingen.trajecten: het totaal van 300 trajecten past niet bij "
        "100 trajecten per jaar: van 2022-01-01 tot 2023-12-31 (2 jaar) zijn dat er 200; "
        "pas het totaal of het aantal per jaar aan"
    ]


def test_total_counts_to_the_target_date_in_months(write, run):
    extra = "doelstellingen:\n  datum: 2023-06-30\n  trajecten: 100\n  trajecten_per_jaar: 100\n"
    code, found = validate(write, run, BASE + extra)
    assert code == 0
    assert found == [
        "regio.yaml:14:3: waarschuwing: doelstellingen.trajecten: het totaal van 100 trajecten past niet bij "
        "100 trajecten per jaar: van 2022-01-01 tot de doeldatum 2023-06-30 (18 maanden) zijn dat er 150; "
        "pas het totaal of het aantal per jaar aan"
    ]


@pytest.mark.parametrize(
    ("start", "total", "per_year"),
    [("2022-01-01", 200, 100), ("2022-07-01", 150, 100), ("2022-01-01", 190, 100), ("2022-01-01", 2, 1)],
)
def test_total_that_fits_per_year(write, run, start, total, per_year):
    text = BASE.replace("2022-01-01", start)
    extra = f"doelstellingen:\n  trajecten: {total}\n  trajecten_per_jaar: {per_year}\n"
    assert validate(write, run, text + extra) == (0, [])


def test_one_traject_per_year_in_the_singular(write, run):
    extra = "doelstellingen:\n  trajecten: 5\n  trajecten_per_jaar: 1\n"
    _, found = validate(write, run, BASE + extra)
    assert found == [
        "regio.yaml:13:3: waarschuwing: doelstellingen.trajecten: het totaal van 5 trajecten past niet bij "
        "1 traject per jaar: van 2022-01-01 tot 2023-12-31 (2 jaar) zijn dat er 2; "
        "pas het totaal of het aantal per jaar aan"
    ]


# --- placements and CMD-trajecten within the trajecten -----------------------------------------


def test_placements_above_trajecten_is_one_error(write, run):
    extra = "doelstellingen:\n  trajecten: 40\n  duurzame_plaatsingen: 50\n"
    code, found = validate(write, run, BASE + extra)
    assert code == 1
    assert found == [
        "regio.yaml:14:3: doelstellingen.duurzame_plaatsingen: 50 duurzame plaatsingen is meer dan "
        "40 trajecten; een plaatsing komt voort uit een traject"
    ]


def test_placements_above_the_trajecten_per_year_imply(write, run):
    extra = "doelstellingen:\n  trajecten_per_jaar: 20\n  duurzame_plaatsingen: 50\n  trajecten_cmd: 45\n"
    code, found = validate(write, run, BASE + extra)
    assert code == 1
    assert found == [
        "regio.yaml:14:3: doelstellingen.duurzame_plaatsingen: 50 duurzame plaatsingen is meer dan de "
        "40 trajecten die 20 trajecten per jaar van 2022-01-01 tot 2023-12-31 (2 jaar) opleveren; "
        "een plaatsing komt voort uit een traject",
        "regio.yaml:15:3: doelstellingen.trajecten_cmd: 45 CMD-trajecten is meer dan de 40 trajecten die "
        "20 trajecten per jaar van 2022-01-01 tot 2023-12-31 (2 jaar) opleveren",
    ]


def test_placements_within_the_trajecten_per_year_imply(write, run):
    extra = "doelstellingen:\n  trajecten_per_jaar: 100\n  duurzame_plaatsingen: 80\n  trajecten_cmd: 25 tot 40\n"
    assert validate(write, run, BASE + extra) == (0, [])


# --- ggz and werk among the signatories -----------------------------------------------------


NO_GGZ = BASE.replace("  - naam: GGZ Proef\n    soort: ggz-instelling\n", "  - naam: UWV\n    soort: uwv\n")


def test_a_concept_without_any_ggz_instelling_yet_is_not_warned(write, run):
    # Unfinished rather than contradictory, like any missing field of a concept: the definitief
    # build refuses it (below); a ggz-instelling listed with 'ondertekent: nee' is warned.
    assert validate(write, run, NO_GGZ) == (0, [])


def test_no_ggz_instelling_is_an_error_in_a_definitief_build(write, run):
    code, found = validate(write, run, NO_GGZ, "--definitief")
    assert code == 1
    ggz = [line for line in found if "ggz-instelling" in line]
    assert ggz == [
        "regio.yaml:7:1: partijen: geen van de 2 ondertekenaars is een ggz-instelling; "
        "Hoofdzaak Werk is een samenwerking van ggz en werk en inkomen: voeg een ggz-instelling toe met "
        "'soort: ggz-instelling'"
    ]


def test_a_ggz_instelling_that_does_not_sign(write, run):
    text = NO_GGZ + "  - naam: GGZ Proef\n    soort: ggz-instelling\n    ondertekent: nee\n"
    _, found = validate(write, run, text)
    assert found == [
        "regio.yaml:14:5: waarschuwing: partijen[3].ondertekent: GGZ Proef is de enige ggz-instelling en "
        "ondertekent niet; zet 'ondertekent: ja' (Hoofdzaak Werk is een samenwerking van ggz en werk en inkomen)"
    ]


def test_several_ggz_instellingen_none_of_which_signs(write, run):
    silent = "    soort: ggz-instelling\n    ondertekent: nee\n"
    text = NO_GGZ + "  - naam: GGZ Noord\n" + silent + "  - naam: GGZ Zuid\n" + silent
    _, found = validate(write, run, text)
    assert found == [
        "regio.yaml:7:1: waarschuwing: partijen: geen van de ggz-instellingen (GGZ Noord, GGZ Zuid) "
        "ondertekent; zet bij minstens één 'ondertekent: ja' (Hoofdzaak Werk is een samenwerking van ggz "
        "en werk en inkomen)"
    ]


def test_signatories_without_uwv_or_a_gemeente(write, run):
    text = BASE.replace("    soort: gemeente\n", "    soort: gemeente\n    ondertekent: nee\n")
    _, found = validate(write, run, text)
    assert found == [
        "regio.yaml:10:5: waarschuwing: partijen[1].ondertekent: geen van de ondertekenaars is UWV of een "
        "gemeente; laat Gemeente Proefstad ondertekenen ('ondertekent: ja') of voeg UWV toe "
        "(Hoofdzaak Werk is een samenwerking van ggz en werk en inkomen)"
    ]
    code, found = validate(write, run, text, "--definitief")
    assert code == 1
    assert [line for line in found if "UWV of een gemeente" in line] == [
        "regio.yaml:10:5: partijen[1].ondertekent: geen van de ondertekenaars is UWV of een "
        "gemeente; laat Gemeente Proefstad ondertekenen ('ondertekent: ja') of voeg UWV toe "
        "(Hoofdzaak Werk is een samenwerking van ggz en werk en inkomen)"
    ]


# --- IPS-trajecten within the target ---------------------------------------------------------


def _ips(epa: int, cmd: int) -> str:
    return f"plan_van_aanpak:\n  financiering:\n    epa:\n      trajecten: {epa}\n    cmd:\n      trajecten: {cmd}\n"


def test_ips_trajecten_above_the_target(write, run):
    extra = "doelstellingen:\n  trajecten: 50\n" + _ips(40, 20)
    code, found = validate(write, run, BASE + extra)
    assert code == 1
    assert found == [
        "regio.yaml:15:3: plan_van_aanpak.financiering: 60 IPS-trajecten (EPA 40, CMD 20) is meer dan "
        "de 50 trajecten van de doelstelling; de IPS-trajecten tellen mee in de doelstelling: "
        "verhoog doelstellingen.trajecten of verlaag de IPS-trajecten"
    ]


def test_ips_cmd_above_the_cmd_band_is_a_warning(write, run):
    extra = "doelstellingen:\n  trajecten: 100\n  trajecten_cmd: 10 tot 15\n" + _ips(40, 20)
    code, found = validate(write, run, BASE + extra)
    assert code == 0
    assert found == [
        "regio.yaml:20:7: waarschuwing: plan_van_aanpak.financiering.cmd.trajecten: 20 IPS-trajecten voor CMD is meer "
        "dan de 10 tot 15 CMD-trajecten van de doelstelling (doelstellingen.trajecten_cmd); verlaag de "
        "IPS-trajecten voor CMD of verhoog doelstellingen.trajecten_cmd"
    ]


def test_ips_epa_leaves_no_room_for_the_cmd_band_is_a_warning(write, run):
    extra = "doelstellingen:\n  trajecten: 100\n  trajecten_cmd: 30 tot 40\n" + _ips(80, 10)
    code, found = validate(write, run, BASE + extra)
    assert code == 0
    assert found == [
        "regio.yaml:18:7: waarschuwing: plan_van_aanpak.financiering.epa.trajecten: 80 IPS-trajecten voor EPA en "
        "minstens 30 CMD-trajecten (doelstellingen.trajecten_cmd) zijn samen 110, meer dan de 100 "
        "trajecten van de doelstelling; een EPA-traject is geen CMD-traject: verlaag de IPS-trajecten "
        "voor EPA of verhoog doelstellingen.trajecten"
    ]


def test_ips_above_the_trajecten_per_year_imply(write, run):
    extra = "doelstellingen:\n  trajecten_per_jaar: 20\n" + _ips(30, 20)
    code, found = validate(write, run, BASE + extra)
    assert code == 1
    assert found == [
        "regio.yaml:15:3: plan_van_aanpak.financiering: 50 IPS-trajecten (EPA 30, CMD 20) is meer dan "
        "de 40 trajecten die 20 trajecten per jaar van 2022-01-01 tot 2023-12-31 (2 jaar) opleveren; "
        "de IPS-trajecten tellen mee in de doelstelling: verhoog doelstellingen.trajecten_per_jaar of "
        "verlaag de IPS-trajecten"
    ]


def test_ips_within_the_target(write, run):
    extra = "doelstellingen:\n  trajecten: 100\n  trajecten_cmd: 25 tot 40\n" + _ips(70, 30)
    assert validate(write, run, BASE + extra) == (0, [])


# --- first meetings and activity deadlines within the term ------------------------------------


def _organ(month: str) -> str:
    return (
        f"werkwijze:\n  organen:\n    - naam: stuurgroep\n      soort: stuurgroep\n      eerste_bijeenkomst: {month}\n"
    )


def test_first_meeting_after_the_end_is_an_error(write, run):
    code, found = validate(write, run, BASE + _organ("januari 2024"))
    assert code == 1
    assert found == [
        "regio.yaml:16:7: werkwijze.organen[1].eerste_bijeenkomst: de eerste bijeenkomst van orgaan 'stuurgroep' "
        "in januari 2024 ligt na het einde van de looptijd (2023-12-31); kies een maand binnen de "
        "looptijd of verleng de looptijd"
    ]


def test_first_meeting_before_the_start_is_a_warning(write, run):
    code, found = validate(write, run, BASE + _organ("november 2021"))
    assert code == 0
    assert found == [
        "regio.yaml:16:7: waarschuwing: werkwijze.organen[1].eerste_bijeenkomst: de eerste bijeenkomst van "
        "orgaan 'stuurgroep' in november 2021 ligt vóór de ingangsdatum (2022-01-01); kies de eerste "
        "bijeenkomst onder dit convenant, vanaf januari 2022"
    ]


@pytest.mark.parametrize(("start", "month"), [("2022-07-15", "juli 2022"), ("2022-01-01", "december 2023")])
def test_first_meeting_in_the_first_or_last_month(write, run, start, month):
    assert validate(write, run, BASE.replace("2022-01-01", start) + _organ(month)) == (0, [])


def _activity(date: str) -> str:
    return f"activiteiten:\n  - wat: workshops over stigma\n    uiterlijk: {date}\n"


def test_activity_after_the_end_is_an_error(write, run):
    code, found = validate(write, run, BASE + _activity("2024-03-31"))
    assert code == 1
    assert found == [
        "regio.yaml:14:5: activiteiten[1].uiterlijk: 2024-03-31 ligt na het einde van de looptijd "
        "(2023-12-31); kies een datum binnen de looptijd of verleng de looptijd"
    ]


def test_activity_before_the_start_is_a_warning(write, run):
    code, found = validate(write, run, BASE + _activity("2021-12-31"))
    assert code == 0
    assert found == [
        "regio.yaml:14:5: waarschuwing: activiteiten[1].uiterlijk: 2021-12-31 ligt vóór de ingangsdatum "
        "(2022-01-01); een activiteit van het convenant valt binnen de looptijd: kies een latere datum"
    ]


# --- the plan van aanpak agrees with the covenant ----------------------------------------------


def _plan(*lines: str) -> str:
    return "plan_van_aanpak:\n" + "".join(f"{line}\n" for line in lines)


def _mine(found: list[str]) -> list[str]:
    """The findings of these rules (a definitief run also names the plan's open places)."""
    return [line for line in found if "plan_van_aanpak" in line and "ontbreekt" not in line]


def test_a_duobaan_in_the_plan_with_one_project_leader(write, run):
    text = BASE + _plan("  projectleiding:", "    - De rol wordt ingevuld als duobaan van gemeente en ggz.")
    code, found = validate(write, run, text)
    expected = (
        "regio.yaml:14:7: waarschuwing: plan_van_aanpak.projectleiding[1]: het plan spreekt van 'duobaan', maar "
        "het convenant heeft één projectleider (werkwijze.projectleiding.aantal is 1); pas de tekst van het "
        "plan of werkwijze.projectleiding.aantal aan"
    )
    assert (code, found) == (0, [expected])
    code, found = validate(write, run, text, "--definitief")
    assert code == 1
    assert _mine(found) == [expected.replace("waarschuwing: ", "")]


def test_one_project_leader_in_the_plan_with_two_in_the_covenant(write, run):
    text = (
        BASE
        + "werkwijze:\n  projectleiding:\n    aantal: 2\n"
        + _plan("  mijlpalen:", "    - datum: 2022-03-01", "      omschrijving: één projectleider aangesteld")
    )
    _, found = validate(write, run, text)
    assert found == [
        "regio.yaml:18:7: waarschuwing: plan_van_aanpak.mijlpalen[1].omschrijving: het plan spreekt van "
        "'één projectleider', maar het convenant heeft twee projectleiders (werkwijze.projectleiding.aantal is 2); "
        "pas de tekst van het plan of werkwijze.projectleiding.aantal aan"
    ]


def test_two_project_leaders_named_as_two_is_no_contradiction(write, run):
    text = (
        BASE
        + "werkwijze:\n  projectleiding:\n    aantal: 2\n"
        + _plan("  projectleiding:", "    - De duobaan bestaat uit twee projectleiders van elk 8 uur per week.")
    )
    assert validate(write, run, text) == (0, [])


def _target(extra: str = "") -> str:
    return f"doelstellingen:\n  datum: 2023-12-31\n  trajecten: 200\n  duurzame_plaatsingen: 80\n{extra}"


def _milestone(date: str, what: str, number: str) -> str:
    return _plan("  mijlpalen:", f"    - datum: {date}", f"      omschrijving: {what}", f"      aantal: {number}")


def test_a_final_milestone_with_another_number_of_trajecten(write, run):
    text = BASE + _target() + _milestone("2023-12-31", "trajecten afgerond", "150")
    code, found = validate(write, run, text)
    expected = (
        "regio.yaml:20:7: waarschuwing: plan_van_aanpak.mijlpalen[1].aantal: de mijlpaal van 2023-12-31 noemt "
        "150 trajecten, maar het convenant 200 trajecten vóór 2023-12-31 (doelstellingen.trajecten); maak de "
        "mijlpaal en het convenant gelijk"
    )
    assert (code, found) == (0, [expected])
    code, found = validate(write, run, text, "--definitief")
    assert code == 1 and _mine(found) == [expected.replace("waarschuwing: ", "")]


def test_a_final_milestone_with_another_number_of_placements(write, run):
    text = BASE + _target() + _milestone("2023-12-31", "duurzame plaatsingen", "60")
    _, found = validate(write, run, text)
    assert found == [
        "regio.yaml:20:7: waarschuwing: plan_van_aanpak.mijlpalen[1].aantal: de mijlpaal van 2023-12-31 noemt "
        "60 duurzame plaatsingen, maar het convenant 80 duurzame plaatsingen (doelstellingen.duurzame_plaatsingen); "
        "maak de mijlpaal en het convenant gelijk"
    ]


def test_new_employers_in_the_plan_against_the_covenants_range(write, run):
    text = BASE + _target("  nieuwe_werkgevers: 25 tot 50\n") + _milestone("2023-12-31", "nieuwe werkgevers", "25")
    _, found = validate(write, run, text)
    assert found == [
        "regio.yaml:21:7: waarschuwing: plan_van_aanpak.mijlpalen[1].aantal: de mijlpaal van 2023-12-31 noemt "
        "25 nieuwe werkgevers, maar het convenant 25 tot 50 nieuwe werkgevers (doelstellingen.nieuwe_werkgevers); "
        "maak de mijlpaal en het convenant gelijk"
    ]
    range_ = _milestone("2023-12-31", "nieuwe werkgevers", "25 tot 50")
    same = BASE + _target("  nieuwe_werkgevers: 25 tot 50\n") + range_
    assert validate(write, run, same) == (0, [])


def test_milestones_before_the_final_date_or_of_trajecten_started_may_differ(write, run):
    text = (
        BASE
        + _target()
        + _plan(
            "  mijlpalen:",
            "    - {datum: 2022-12-31, omschrijving: trajecten afgerond, aantal: 100}",
            "    - {datum: 2023-12-31, omschrijving: trajecten gestart, aantal: 240}",
        )
    )
    assert validate(write, run, text) == (0, [])


def test_a_milestone_after_the_end_of_the_covenant_is_refused_for_signing(write, run):
    text = BASE + _plan("  mijlpalen:", "    - datum: 2024-06-01", "      omschrijving: evaluatie")
    warning = (
        "regio.yaml:14:7: waarschuwing: plan_van_aanpak.mijlpalen[1].datum: mijlpaal op 2024-06-01 valt buiten "
        "de looptijd (2022-01-01 tot 2023-12-31)"
    )
    assert validate(write, run, text) == (0, [warning])
    code, found = validate(write, run, text, "--definitief")
    assert code == 1
    assert _mine(found) == [warning.replace("waarschuwing: ", "")]  # once, as an error


def test_a_milestone_within_the_plans_own_longer_term(write, run):
    text = BASE + _plan(
        "  verwachte_einddatum: 2024-12-31", "  mijlpalen:", "    - datum: 2024-06-01", "      omschrijving: evaluatie"
    )
    _, found = validate(write, run, text, "--definitief")
    assert [line for line in _mine(found) if "waarschuwing" not in line] == []


def test_a_milestone_after_the_plans_own_earlier_end(write, run):
    text = BASE + _plan(
        "  verwachte_einddatum: 2023-06-30", "  mijlpalen:", "    - datum: 2023-09-01", "      omschrijving: evaluatie"
    )
    expected = (
        "regio.yaml:15:7: waarschuwing: plan_van_aanpak.mijlpalen[1].datum: mijlpaal op 2023-09-01 ligt na de "
        "verwachte einddatum van het plan (2023-06-30, plan_van_aanpak.verwachte_einddatum); kies een eerdere "
        "datum of een latere verwachte einddatum"
    )
    assert validate(write, run, text) == (0, [expected])
    code, found = validate(write, run, text, "--definitief")
    assert code == 1 and _mine(found) == [expected.replace("waarschuwing: ", "")]


# --- the example regions --------------------------------------------------------------------

# A phrase of each new rule's message: none may appear for an example region.
NEW_RULES = re.compile(
    r"past niet bij|trajecten die .* opleveren|ondertekenaars is een ggz-instelling|"
    r"ggz-instelling en ondertekent niet|UWV of een gemeente|IPS-trajecten|de eerste bijeenkomst van|"
    r"ligt na het einde van de looptijd|ligt vóór de ingangsdatum|het plan spreekt van|de mijlpaal van .* noemt|"
    r"valt buiten de looptijd|verwachte einddatum van het plan"
)


@pytest.mark.parametrize("definitief", [False, True], ids=["concept", "definitief"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_raise_none_of_these(run, example, definitief):
    result = run("validate", *(["--definitief"] if definitief else []), example)
    assert example.name in result.output  # the file was read and checked
    assert NEW_RULES.findall(result.output) == []
    if not definitief:
        assert result.exit_code == 0, result.output
