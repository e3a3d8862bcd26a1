"""Dutch formatting filters as template authors use them."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from convenant_gen.documents import formatting as f
from convenant_gen.documents.placeholders import Items, Missing, recording


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
        (f.in_zin, "Hogeschool van Amsterdam", "de Hogeschool van Amsterdam"),
        (f.in_zin, "Universiteit Leiden", "de Universiteit Leiden"),
        (f.in_zin, "Gemeentebelangen", "Gemeentebelangen"),
    ],
)
def test_filters(fn, value, expected):
    assert fn(value) == expected


def test_lists():
    assert f.opsomming(["A", "B", "C"]) == "A, B en C"
    assert f.opsomming(["A", "B"], "of") == "A of B"
    assert f.opsomming(["A"]) == "A"


def test_an_empty_field_prints_its_label_and_is_recorded():
    field = Missing(("ondertekening", "datum"))
    for fn in (f.datum, f.maand, f.getal, f.bedrag, f.breuk, f.voud, f.maanden, f.keer, f.woord, f.in_zin, f.bereik):
        with recording() as printed:
            assert fn(field) == "[datum van ondertekening]"
        assert printed == [("ondertekening", "datum")]
    with recording() as printed:
        assert f.opsomming(Items([], ("doelgroepen", "primair"))) == "[primair]"
        assert f.aantal(Missing(("doelstellingen", "trajecten")), "traject", "trajecten") == "[aantal trajecten]"
        assert f.getal(None) == "[nog in te vullen]"  # no field behind it: still recorded
    assert printed == [("doelgroepen", "primair"), ("doelstellingen", "trajecten"), None]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "1 traject"),
        (0, "0 trajecten"),
        (2, "2 trajecten"),
        (5875, "5.875 trajecten"),
    ],
)
def test_a_number_agrees_with_its_noun(value, expected):
    assert f.aantal(value, "traject", "trajecten") == expected


def test_an_empty_field_behaves_as_none_in_a_template_and_prints_as_its_label():
    from convenant_gen.documents.engine import jinja_env
    from convenant_gen.documents.placeholders import mark

    context = mark({"o": {"naam": None, "leden": []}, "datum": None}, sources={"datum": ("ondertekening", "datum")})
    template = jinja_env().from_string(
        "{% if o.naam %}x{% endif %}{% if o.naam is none %}leeg{% endif %}|{{ o.naam }}|{{ datum|datum }}|"
        "{% for l in o.leden %}x{% endfor %}{% for l in o.leden|of_open %}{{ l }}{% endfor %}|{{ o.naam.voorletters }}"
    )
    with recording() as printed:
        assert template.render(context) == "leeg|[naam o]|[datum van ondertekening]|[leden]|[voorletters]"
    assert printed == [("o", "naam"), ("ondertekening", "datum"), ("o", "leden"), ("o", "naam", "voorletters")]


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("subregio's", "subregio’s"),
        ("'s-Hertogenbosch", "’s-Hertogenbosch"),
        ("het concept 'Werk als Herstel'.", "het concept ‘Werk als Herstel’."),
        ('de campagne "Opgenomen op de Werkvloer"', "de campagne “Opgenomen op de Werkvloer”"),
        ("al ‘goed’ geschreven", "al ‘goed’ geschreven"),
    ],
)
def test_the_regions_straight_quotes_print_curly(written, printed):
    """Region text prints with the templates' curly quotes (issue 13: never mixed)."""
    from convenant_gen.documents.placeholders import mark

    assert mark({"tekst": written})["tekst"] == printed


@pytest.mark.parametrize(
    ("naam", "expected"),
    [
        ("stuurgroep", "stuurgroepbijeenkomst"),
        ("Projectteam", "projectteambijeenkomst"),
        ("MT", "MT-bijeenkomst"),
        ("dagelijks bestuur", "bijeenkomst van het dagelijks bestuur"),
        ("regionale stuurgroep", "bijeenkomst van de regionale stuurgroep"),
    ],
)
def test_a_body_joins_a_noun_as_dutch_writes_it(naam, expected):
    """'De eerste {{ naam }}bijeenkomst' broke for a name of two words (issue 13)."""
    assert f.samengesteld(naam, "bijeenkomst") == expected
