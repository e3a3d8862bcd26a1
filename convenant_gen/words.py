"""Dutch words, defined once: month names, number words and fractions in words.

Read by the model (to parse 'twee derde' and 'maart 2022'), by the document filters and by the
starter files `convenant init` writes, so what one writes the other reads back. No imports.
"""

from __future__ import annotations

import re
from fractions import Fraction

MAANDEN = ("januari februari maart april mei juni juli augustus september oktober november december").split()

# 0 to 20 in words; index = value.
GETALLEN = (
    "nul een twee drie vier vijf zes zeven acht negen tien "
    "elf twaalf dertien veertien vijftien zestien zeventien achttien negentien twintig"
).split()

# The parts a fraction is written in: 3 -> 'derde' (twee derde).
DELEN = {
    2: "helft",
    3: "derde",
    4: "vierde",
    5: "vijfde",
    6: "zesde",
    7: "zevende",
    8: "achtste",
    9: "negende",
    10: "tiende",
    100: "honderdste",
}

# What a region file may write for a numerator or a part (the model reads these).
GETAL_WOORDEN = {**{w: i for i, w in enumerate(GETALLEN) if 1 <= i <= 10}, "één": 1}
DEEL_WOORDEN = {**{w: d for d, w in DELEN.items() if d <= 10}, "half": 2, "kwart": 4}


def getal_in_woorden(value: int) -> str | None:
    """Numbers up to twenty in words (twee); None for larger ones."""
    return GETALLEN[value] if 0 <= value <= 20 else None


def breuk(value: Fraction | str) -> str:
    """twee derde, drie vierde; one as 'alle', one half as 'de helft'; else 5/12."""
    f = Fraction(value)
    if f == 1:
        return "alle"
    if f == Fraction(1, 2):
        return "de helft"
    if f.denominator in DELEN and 0 < f.numerator <= 20:
        return f"{GETALLEN[f.numerator]} {DELEN[f.denominator]}"
    return f"{f.numerator}/{f.denominator}"


def naar_aantal(n: int, enkelvoud: str, meervoud: str) -> str:
    """The noun in agreement with the number n: 1 traject, 0 or 2 trajecten."""
    return enkelvoud if n == 1 else meervoud


def met_lidwoord(naam: str) -> str:
    """A body's name with its article: 'het coördinatieteam', 'de stuurgroep'."""
    last = naam.split()[-1].lower() if naam.split() else ""
    het = last.endswith(("team", "je", "overleg", "platform", "netwerk", "bestuur", "orgaan"))
    return f"{'het' if het else 'de'} {naam}"


def is_meervoud(naam: str) -> bool:
    """Whether a body's name is a plural ('werkgroepen', 'regieteams'), from its last word: a
    guess a region can override (orgaan.meervoud). Names of bodies in the singular end in
    -groep, -team, -overleg, -raad and the like; plurals in -en or -s."""
    last = naam.split()[-1].lower() if naam.split() else ""
    return len(last) > 4 and last.endswith(("en", "s")) and not last.endswith(("overleg", "platform"))


FUNCTIE_MEERVOUD = {"projectleider": "projectleiders", "aanjager": "aanjagers"}


_ELISION = re.compile(r"(?<![\w’])'(?=(?:s|t|n)\b)")  # 's-Hertogenbosch, 't, 'n
_INSIDE = re.compile(r"(?<=\w)'(?=\w)")  # subregio's, zo'n
_OPENING = re.compile(r"(?:(?<=^)|(?<=[\s(\[{/–-]))'")
_OPENING_DOUBLE = re.compile(r"(?:(?<=^)|(?<=[\s(\[{/–-]))\"")


def typografisch(text: str) -> str:
    """Straight quotes as a typesetter writes them in Dutch: subregio's -> subregio’s,
    's-Hertogenbosch -> ’s-Hertogenbosch, 'Werk als Herstel' -> ‘Werk als Herstel’,
    "Opgenomen" -> “Opgenomen”."""
    if "'" not in text and '"' not in text:
        return text
    text = _ELISION.sub("’", text)
    text = _INSIDE.sub("’", text)
    text = _OPENING.sub("‘", text).replace("'", "’")
    return _OPENING_DOUBLE.sub("“", text).replace('"', "”")
