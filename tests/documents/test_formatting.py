"""Dutch formatting filters as template authors use them."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from convenant_gen.documents import formatting as f


@pytest.mark.parametrize(
    ("fn", "value", "expected"),
    [
        (f.datum, dt.date(2022, 1, 1), "1 januari 2022"),
        (f.datum, dt.date(2023, 12, 31), "31 december 2023"),
        (f.maand, dt.date(2022, 3, 1), "maart 2022"),
        (f.getal, 5875, "5.875"),
        (f.getal, 2350, "2.350"),
        (f.getal, 2.5, "2,5"),
        (f.bedrag, 11325, "€ 11.325"),
        (f.bedrag, 8000, "€ 8.000"),
        (f.bedrag, 736125, "€ 736.125"),
        (f.bedrag, 10.5, "€ 10,50"),
        (f.breuk, Fraction(2, 3), "twee derde"),
        (f.breuk, Fraction(3, 4), "drie vierde"),
        (f.breuk, Fraction(1, 2), "de helft"),
        (f.breuk, Fraction(1), "alle"),
        (f.voud, 2, "tweevoud"),
        (f.voud, 3, "drievoud"),
        (f.voud, 13, "dertienvoud"),
        (f.voud, 1, "enkelvoud"),
        (f.maanden, 2, "twee maanden"),
        (f.maanden, 3, "drie maanden"),
        (f.maanden, 1, "één maand"),
        (f.keer, 4, "vier keer"),
        (f.procent, Fraction(2, 5), "40 procent"),
        (f.lidwoord, "coördinatieteam", "het coördinatieteam"),
        (f.lidwoord, "stuurgroep", "de stuurgroep"),
        (f.lidwoord, "projectteam", "het projectteam"),
        (f.in_zin, "Gemeente Doetinchem", "de gemeente Doetinchem"),
        (f.in_zin, "Gemeente Oude IJsselstreek", "de gemeente Oude IJsselstreek"),
        (f.in_zin, "Provincie Gelderland", "de provincie Gelderland"),
        (f.in_zin, "UWV", "UWV"),
        (f.in_zin, "GGNet", "GGNet"),
        (f.in_zin, "Gemeentebelangen", "Gemeentebelangen"),
    ],
)
def test_filters(fn, value, expected):
    assert fn(value) == expected


def test_lists():
    assert f.opsomming(["A", "B", "C"]) == "A, B en C"
    assert f.opsomming(["A", "B"], "of") == "A of B"
    assert f.opsomming(["A"]) == "A"


def test_missing_values_render_as_dotted_line():
    for fn in (f.datum, f.maand, f.getal, f.bedrag, f.breuk, f.voud, f.maanden):
        assert fn(None) == f.OPEN
    assert f.opsomming([]) == f.OPEN


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "1 traject"),
        (0, "0 trajecten"),
        (2, "2 trajecten"),
        (5875, "5.875 trajecten"),
        (None, f"{f.OPEN} trajecten"),
    ],
)
def test_a_number_agrees_with_its_noun(value, expected):
    assert f.aantal(value, "traject", "trajecten") == expected
