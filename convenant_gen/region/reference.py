"""Reference data shipped with the package: the 35 arbeidsmarktregio's (CBS 2023)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml

SOURCE = (
    "CBS, regionale indeling 'Arbeidsmarktregio 2023' (35 regio's, 342 gemeenten, indeling per "
    "1 januari 2023); centrumgemeenten volgens SZW 2013 met latere wijzigingen. "
    "Zie de kop van data/arbeidsmarktregios.yaml."
)


@dataclass(frozen=True)
class ReferenceRegion:
    naam: str
    slug: str
    code: str
    centrumgemeente: str
    gemeenten: tuple[str, ...]


@functools.cache
def regions() -> tuple[ReferenceRegion, ...]:
    text = resources.files("convenant_gen").joinpath("data/arbeidsmarktregios.yaml").read_text("utf-8")
    return tuple(
        ReferenceRegion(r["naam"], r["slug"], r["code"], r["centrumgemeente"], tuple(r["gemeenten"]))
        for r in yaml.safe_load(text)["regio's"]
    )


def find(name: str) -> ReferenceRegion | None:
    """Look a region up by name or slug, forgiving hyphens, case and 'regio'."""
    key = slugify(name)
    return next((r for r in regions() if key in (r.slug, slugify(r.naam))), None)


def slugify(name: str) -> str:
    """A region's name as its file name: 'Regio Zuid-Limburg' -> 'zuid-limburg'."""
    import re

    return slug(re.sub(r"^(arbeidsmarkt)?regio\s+", "", _folded(name).strip()))


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits joined by hyphens: 'Gemeente Één & Co' -> 'gemeente-een-co'."""
    import re

    return re.sub(r"[^a-z0-9]+", "-", _folded(text)).strip("-")


def _folded(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
