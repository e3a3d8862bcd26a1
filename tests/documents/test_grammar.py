"""Every slot reads as correct Dutch, also when a number is one, a body is named in the plural,
there are two project leaders, or the parties sign together or apart (issue 13, item 1). Each
case builds a variant of an example region through the CLI and reads the covenant back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REGIONS
from tests.docs import reading_text


def variant(tmp_path: Path, region: str, *changes: tuple[str, str]) -> Path:
    """A copy of an example region with each `old` text replaced by `new` once."""
    source = tmp_path / f"{region}.yaml"
    text = (REGIONS / source.name).read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, f"the example changed: {old!r} is not in {source.name}"
        text = text.replace(old, new, 1)
    source.write_text(text, encoding="utf-8")
    return source


def covenant(tmp_path: Path, run, *changes: tuple[str, str], region: str = "achterhoek") -> str:
    source = variant(tmp_path, region, *changes)
    result = run("build", source, "--out", tmp_path / "out", "--datum", "2026-11-23", "-q")
    assert result.exit_code == 0, result.output
    return reading_text(tmp_path / "out" / region / f"convenant-{region}.docx")


@pytest.mark.parametrize(
    ("trajecten", "plaatsingen", "expected"),
    [
        (1, 1, "in totaal 1 traject te hebben afgerond, met als resultaat 1 duurzame plaatsing."),
        (200, 80, "in totaal 200 trajecten te hebben afgerond, met als resultaat 80 duurzame plaatsingen."),
        (5875, 2350, "in totaal 5.875 trajecten te hebben afgerond, met als resultaat 2.350 duurzame plaatsingen."),
    ],
)
def test_targets_agree_in_number_and_never_put_two_numbers_side_by_side(
    tmp_path, run, trajecten, plaatsingen, expected
):
    text = covenant(
        tmp_path,
        run,
        ("  trajecten: 200", f"  trajecten: {trajecten}"),
        ("  duurzame_plaatsingen: 80", f"  duurzame_plaatsingen: {plaatsingen}"),
    )
    assert f"is om vóór 31 december 2023 {expected}" in text


def test_a_body_named_in_the_plural_takes_a_plural_verb(tmp_path, run):
    text = covenant(tmp_path, run)
    assert "De werkgroepen komen dertien keer per jaar bij elkaar" in text
    assert "werkgroepen komt" not in text


def test_the_region_can_say_a_name_is_singular(tmp_path, run):
    text = covenant(
        tmp_path,
        run,
        (
            "    - naam: werkgroepen\n      soort: werkgroep\n",
            "    - naam: Kerngroep Arbeid en Zorgen\n      soort: werkgroep\n      meervoud: nee\n",
        ),
    )
    assert "De Kerngroep Arbeid en Zorgen komt dertien keer per jaar bij elkaar" in text


def test_bodies_are_listed_with_their_articles(tmp_path, run):
    text = covenant(tmp_path, run, region="groot-amsterdam")
    assert "De samenwerking kent de volgende organen: het projectteam en de klankbordgroep." in text


def test_a_municipality_in_running_text_is_de_gemeente(tmp_path, run):
    text = covenant(tmp_path, run)
    assert "georganiseerd door de gemeente Doetinchem" in text
    assert "georganiseerd door Gemeente" not in text
    assert "Gemeente Doetinchem," in text  # the signature page keeps the name as written


def test_two_project_leaders_are_addressed_in_the_plural(tmp_path, run):
    text = covenant(tmp_path, run, region="holland-rijnland")
    assert "worden twee projectleiders aangesteld" in text
    if "aanspreekpunt voor de" in text:
        assert "aanspreekpunt voor de projectleiders" in text


def test_the_targets_are_an_effort_obligation(tmp_path, run):
    text = covenant(tmp_path, run)
    assert "een inspannings- en geen resultaatsverplichting" in text


def test_parties_signing_apart_each_get_a_line_for_place_and_date(tmp_path, run):
    text = covenant(tmp_path, run)
    assert "door elke partij ondertekend op de plaats en datum bij haar handtekening" in text
    assert "in zoveel exemplaren als er ondertekenaars zijn." in text
    assert "drievoud" not in text
    assert text.count("| Plaats en datum: |") == 11  # one per signatory


def test_parties_signing_together_are_asked_once(tmp_path, run):
    text = covenant(
        tmp_path, run, ("  plaats: Leiden\n", "  plaats: Leiden\n  datum: 2022-09-01\n"), region="holland-rijnland"
    )
    assert "Aldus overeengekomen en ondertekend te Leiden op 1 september 2022, in achtvoud." in text
    assert "Plaats en datum" not in text
    assert "1 januari 2022, in" not in text  # never silently the start date


def validate_variant(tmp_path: Path, run, old: str, new: str, region: str = "groot-amsterdam"):
    return run("validate", variant(tmp_path, region, (old, new)))


def test_a_composition_written_as_a_sentence_is_flagged_on_its_line(tmp_path, run):
    result = validate_variant(
        tmp_path,
        run,
        "samenstelling: alle convenantpartners die willen deelnemen",
        "samenstelling: alle convenantpartners kunnen deelnemen",
    )
    text = (REGIONS / "groot-amsterdam.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text, 1) if "samenstelling: alle convenantpartners die willen deelnemen" in t)
    assert f":{line}:" in result.output
    assert "werkwijze.organen[2].samenstelling" in result.output
    assert "geen goede zin" in result.output and "'kunnen'" in result.output
    ok = validate_variant(tmp_path, run, "samenstelling: alle", "samenstelling: alle")
    assert "geen goede zin" not in ok.output  # a relative clause ('die willen') is a noun phrase


def test_a_place_without_a_date_asks_for_both_or_neither(tmp_path, run):
    result = validate_variant(tmp_path, run, "  plaats: Leiden\n", "  plaats: Leiden\n", region="holland-rijnland")
    assert "ondertekening.datum: ontbreekt terwijl ondertekening.plaats is ingevuld" in result.output
    both = validate_variant(
        tmp_path, run, "  plaats: Leiden\n", "  plaats: Leiden\n  datum: 2022-09-01\n", region="holland-rijnland"
    )
    assert "ondertekening.datum" not in both.output
