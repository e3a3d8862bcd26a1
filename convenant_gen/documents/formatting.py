"""Dutch formatting for documents, as Jinja filters. An empty field prints its short label in a
concept ("[datum]") and is recorded, so a definitief build refuses it (see placeholders.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from convenant_gen import words
from convenant_gen.documents.placeholders import Items, Missing, is_open, shown_open

LOCALE = "nl_NL"


def _open(fn: Callable[..., str]) -> Callable[..., str]:
    def wrapper(value: Any, *args: Any, **kwargs: Any) -> str:
        return shown_open(value) if is_open(value) else fn(value, *args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@_open
def datum(value: dt.date) -> str:
    """1 januari 2022"""
    return format_date(value, "d MMMM y", locale=LOCALE)


@_open
def maand(value: dt.date) -> str:
    """maart 2022"""
    return format_date(value, "MMMM y", locale=LOCALE)


@_open
def getal(value: float | int | Decimal) -> str:
    """5.875; 2,5"""
    return format_decimal(value, format="#,##0.##", locale=LOCALE)


@_open
def bedrag(value: float | int | Decimal) -> str:
    """€ 11.325 (whole euros); € 11.325,50 when there are cents"""
    whole = float(value) == int(value)
    pattern = "¤ #,##0" if whole else "¤ #,##0.00"
    return format_currency(value, "EUR", format=pattern, locale=LOCALE, currency_digits=False)


@_open
def procent(value: Fraction | float) -> str:
    """40 procent"""
    return f"{format_decimal(round(float(value) * 100, 1), format='#,##0.#', locale=LOCALE)} procent"


def woord(value: int) -> str:
    """Numbers up to twenty in words (twee), larger ones as digits (5.875)."""
    if is_open(value):
        return shown_open(value)
    return words.getal_in_woorden(value) or getal(value)


@_open
def breuk(value: Fraction | str) -> str:
    """twee derde, drie vierde; one as 'alle', one half as 'de helft'"""
    return words.breuk(value)


@_open
def voud(value: int) -> str:
    """3 -> drievoud; 13 -> dertienvoud; 1 -> enkelvoud"""
    if value == 1:
        return "enkelvoud"
    return f"{words.GETALLEN[value]}voud" if 1 < value <= 20 else f"{value}-voud"


@_open
def maanden(value: int) -> str:
    """2 -> twee maanden; 1 -> één maand"""
    return "één maand" if value == 1 else f"{woord(value)} maanden"


@_open
def keer(value: int) -> str:
    """3 -> drie keer; 1 -> één keer"""
    return "één keer" if value == 1 else f"{woord(value)} keer"


def opsomming(items: Iterable[Any], laatste: str = "en") -> str:
    """['A', 'B', 'C'] -> 'A, B en C'"""
    if is_open(items):
        return shown_open(items)
    parts = [str(i) for i in items if i is not None]
    if not parts:
        return shown_open(items)
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {laatste} {parts[-1]}"


def lidwoord(naam: str) -> str:
    """The body's name with its article: 'het coördinatieteam', 'de stuurgroep'."""
    if is_open(naam):
        return shown_open(naam)
    return words.met_lidwoord(naam)


def samengesteld(naam: str, woord: str) -> str:
    """A body's name joined with a noun as Dutch writes it: ('stuurgroep', 'bijeenkomst') ->
    'stuurgroepbijeenkomst'; ('MT', 'bijeenkomst') -> 'MT-bijeenkomst'; a name of more than one
    word cannot be joined: ('dagelijks bestuur', 'bijeenkomst') -> 'bijeenkomst van het dagelijks
    bestuur'."""
    if is_open(naam):
        return shown_open(naam)
    if len(naam.split()) > 1:
        return f"{woord} van {lidwoord(naam)}"
    if naam.isupper() or (naam[-1:] in "aeiou" and woord[:1] in "aeiou"):
        return f"{naam}-{woord}"
    return f"{naam.lower()}{woord}"


def hoofdletter(text: str) -> str:
    """First letter upper case: 'het projectteam' -> 'Het projectteam'."""
    return text[:1].upper() + text[1:] if text else text


def bereik(value: Any) -> str:
    """A range: '25 tot 50', or '50' when both ends are equal."""
    if is_open(value):
        return shown_open(value)
    van, tot = (value["van"], value["tot"]) if isinstance(value, dict) else (value.van, value.tot)
    return getal(van) if van == tot else f"{getal(van)} tot {getal(tot)}"


def aantal(value: int | None, enkelvoud: str, meervoud: str) -> str:
    """A number with its noun in agreement: (1, 'traject', 'trajecten') -> '1 traject';
    5875 -> '5.875 trajecten'."""
    if is_open(value):
        return shown_open(value)
    return f"{getal(value)} {words.naar_aantal(value, enkelvoud, meervoud)}"


_IN_RUNNING_TEXT = ("Gemeente ", "Provincie ", "Centrumgemeente ")


_WITH_ARTICLE = ("Hogeschool ", "Universiteit ")  # 'de Hogeschool van Amsterdam'


def in_zin(naam: str | None) -> str:
    """An organisation's name inside a sentence: 'Gemeente Doetinchem' -> 'de gemeente
    Doetinchem' (as Dutch writes it in running text); other names stay as written."""
    if is_open(naam):
        return shown_open(naam)
    for prefix in _IN_RUNNING_TEXT:
        if naam.startswith(prefix) and len(naam) > len(prefix):
            return f"de {prefix.lower()}{naam[len(prefix) :]}"
    if naam.startswith(_WITH_ARTICLE):  # a proper name that Dutch writes with its article
        return f"de {naam}"
    return naam


def of_open(value: Any) -> Any:
    """The value, or its short label when it is not filled in ('[datum]'); an empty list
    becomes a list with that one label, so a loop over it shows what is still open instead of
    nothing. Whatever is shown open is recorded (a definitief build refuses it)."""
    if isinstance(value, list | tuple):
        if value:
            return list(value)
        return [Missing(value.path if isinstance(value, Items) else None)]
    return value if not is_open(value) and value != "" else Missing(getattr(value, "path", None))


FILTERS: dict[str, Callable[..., Any]] = {
    "datum": datum,
    "maand": maand,
    "getal": getal,
    "bedrag": bedrag,
    "procent": procent,
    "breuk": breuk,
    "voud": voud,
    "maanden": maanden,
    "keer": keer,
    "woord": woord,
    "opsomming": opsomming,
    "lidwoord": lidwoord,
    "hoofdletter": hoofdletter,
    "samengesteld": samengesteld,
    "bereik": bereik,
    "of_open": of_open,
    "aantal": aantal,
    "in_zin": in_zin,
}
