"""Kinds of parties and their group headings, without pydantic (the overview needs them cheaply)."""

# Group headings on the signature page, in the order of seed 000 (ggz-instellingen first).
SOORT_KOPPEN: dict[str, str] = {
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
