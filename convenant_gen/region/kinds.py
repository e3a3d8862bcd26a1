"""Kinds of parties and their group headings, defined once and without pydantic (the overview
needs them cheaply). The model accepts exactly these kinds; the signature page groups by them."""

from __future__ import annotations

import typing
from typing import Literal

SoortPartij = Literal[
    "ggz-instelling",
    "gemeente",
    "uwv",
    "werkgeversservicepunt",
    "zorgverzekeraar",
    "werkgeversorganisatie",
    "sw-bedrijf",
    "re-integratiebedrijf",
    "onderwijs",
    "cliëntenorganisatie",
    "ervaringsdeskundigen",
    "welzijnsinstelling",
    "kennisinstelling",
    "overig",
]

# Group headings on the signature page, in the order of seed 000 (ggz-instellingen first).
# Typed by SoortPartij, so mypy refuses a heading for a kind the model does not accept; the
# check below refuses a kind without a heading (it would vanish from the signature page).
SOORT_KOPPEN: dict[SoortPartij, str] = {
    "ggz-instelling": "Ggz-instellingen",
    "gemeente": "Gemeenten",
    "uwv": "UWV",
    "werkgeversservicepunt": "Werkgeversservicepunten",
    "zorgverzekeraar": "Zorgverzekeraars",
    "werkgeversorganisatie": "Werkgeversorganisaties",
    "sw-bedrijf": "SW-bedrijven",
    "re-integratiebedrijf": "Re-integratiebedrijven",
    "onderwijs": "Onderwijsinstellingen",
    "cliëntenorganisatie": "Cliëntenorganisaties",
    "ervaringsdeskundigen": "Organisaties van ervaringsdeskundigen",
    "welzijnsinstelling": "Welzijnsinstellingen",
    "kennisinstelling": "Kennisinstellingen",
    "overig": "Overige partijen",
}

# One party's kind as a reader sees it (Bijlage 1, the overview): never the file's code.
SOORT_NAMEN: dict[SoortPartij, str] = {
    "ggz-instelling": "ggz-instelling",
    "gemeente": "gemeente",
    "uwv": "UWV",
    "werkgeversservicepunt": "werkgeversservicepunt",
    "zorgverzekeraar": "zorgverzekeraar",
    "werkgeversorganisatie": "werkgeversorganisatie",
    "sw-bedrijf": "SW-bedrijf",
    "re-integratiebedrijf": "re-integratiebedrijf",
    "onderwijs": "onderwijsinstelling",
    "cliëntenorganisatie": "cliëntenorganisatie",
    "ervaringsdeskundigen": "organisatie van ervaringsdeskundigen",
    "welzijnsinstelling": "welzijnsinstelling",
    "kennisinstelling": "kennisinstelling",
    "overig": "overige partij",
}

for _table in (SOORT_KOPPEN, SOORT_NAMEN):
    if list(_table) != list(typing.get_args(SoortPartij)):  # pragma: no cover - a developer's slip
        raise AssertionError("SOORT_KOPPEN and SOORT_NAMEN must name every SoortPartij, in the same order")
