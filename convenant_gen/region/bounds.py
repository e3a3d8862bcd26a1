"""The bounds every value of a region file lies within, in a module of its own so that code
outside validation (the build's --datum check, the CLI) need not import the model."""

MAX_AANTAL = 1_000_000  # trajecten, plaatsingen, werkgevers, vergaderingen, ...
MAX_BEDRAG = 1_000_000  # euros per traject
MAX_UREN = 80  # hours a week
MAX_TEXT = 10_000  # characters in one text value (about one and a half pages)
FIRST_YEAR, LAST_YEAR = 2000, 2100
