"""Region -> computed figures: quorum minima, shares, capacity, IPS financing, signatories.

Every figure the documents, the rules and the overview show is computed here, once, so they can
never disagree; templates never do arithmetic. Also the bodies a region leaves out: they follow
the region's own bodies (seed 000 has a projectteam instead of a stuurgroep), computed here
instead of written into the validated model. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import TypeVar

from convenant_gen.region.kinds import SOORT_KOPPEN, SoortPartij
from convenant_gen.region.model import Orgaan, Partij, Region

T = TypeVar("T")
REPRESENTATIVE_FIELDS = ("naam", "functie")


@dataclass(frozen=True)
class IpsGroep:
    trajecten: int
    tarief: int
    maanden: int

    @property
    def totaal(self) -> int:
        """Subsidy for all trajecten of this target group, in euros."""
        return self.trajecten * self.tarief


@dataclass(frozen=True)
class Ips:
    epa: IpsGroep
    cmd: IpsGroep

    @property
    def trajecten(self) -> int:
        return self.epa.trajecten + self.cmd.trajecten

    @property
    def totaal(self) -> int:
        return self.epa.totaal + self.cmd.totaal


@dataclass(frozen=True)
class Organen:
    """The body each reference names: the region's own choice, else the format's default."""

    besluitvorming: str | None  # financien.besluitvorming_orgaan
    communicatie: list[str] | None  # communicatie.organen
    aanpassing: str | None  # aanpassing.orgaan
    voorbereid_door: str | None  # aanpassing.voorbereid_door
    evaluatie: str | None  # evaluatie.orgaan


@dataclass(frozen=True)
class Doelperiode:
    """The period the target's total of trajecten is counted over."""

    van: dt.date  # looptijd.ingangsdatum
    tot: dt.date  # doelstellingen.datum, else looptijd.einddatum
    jaren: Fraction  # in whole months
    tot_doeldatum: bool  # tot is doelstellingen.datum


@dataclass(frozen=True)
class Vertegenwoordiging:
    """A signing party whose representative lacks a name or a function."""

    index: int  # in region.partijen
    partij: Partij
    ontbreekt: tuple[str, ...]  # "naam", "functie"


class Figures:
    """The computed figures of one region; each computed when first read."""

    def __init__(self, region: Region) -> None:
        self.region = region

    # --- signatories ------------------------------------------------------------------------

    @cached_property
    def _partij_index(self) -> dict[int, int]:
        return {id(p): i for i, p in enumerate(self.region.partijen)}

    def index_in_partijen(self, partij: Partij) -> int:
        """Where `partij` (one of the region's own) stands in `partijen`, wherever it is listed."""
        return self._partij_index[id(partij)]

    @cached_property
    def ondertekenaars(self) -> list[Partij]:
        return [p for p in self.region.partijen if p.ondertekent]

    @cached_property
    def handtekeninggroepen(self) -> dict[SoortPartij, list[Partij]]:
        """Signatories per kind, in the order of the signature page's headings."""
        groups = {soort: [p for p in self.ondertekenaars if p.soort == soort] for soort in SOORT_KOPPEN}
        return {soort: members for soort, members in groups.items() if members}

    @property
    def handtekeningvolgorde(self) -> list[str]:
        """The signatories' names in the order of their blocks on the signature page."""
        return [p.naam for members in self.handtekeninggroepen.values() for p in members]

    @cached_property
    def ondertekenaars_per_soort(self) -> dict[str, int]:
        """Number of signatories per kind, in the order of the party list."""
        counts: dict[str, int] = {}
        for p in self.ondertekenaars:
            counts[p.soort] = counts.get(p.soort, 0) + 1
        return counts

    @cached_property
    def vertegenwoordiging_ontbreekt(self) -> list[Vertegenwoordiging]:
        found = []
        for index, p in enumerate(self.region.partijen):
            missing = tuple(f for f in REPRESENTATIVE_FIELDS if getattr(p.vertegenwoordiger, f) is None)
            if p.ondertekent and missing:
                found.append(Vertegenwoordiging(index, p, missing))
        return found

    @property
    def zonder_vertegenwoordiger(self) -> list[str]:
        """Names of the signatories whose representative lacks a name or a function."""
        return [v.partij.naam for v in self.vertegenwoordiging_ontbreekt]

    def minimum_partijen(self, fraction: Fraction) -> int:
        """Smallest number of signing parties that reaches `fraction` (2/3 of 14 -> 10)."""
        return math.ceil(fraction * len(self.ondertekenaars))

    @property
    def quorum(self) -> dict[str, int]:
        r = self.region
        return {
            "aanpassing": self.minimum_partijen(r.aanpassing.meerderheid),
            "schriftelijk_akkoord": self.minimum_partijen(r.aanpassing.schriftelijk_akkoord),
            "toetreding": self.minimum_partijen(r.toetreding.meerderheid),
            "partijen": len(self.ondertekenaars),
        }

    # --- dates and targets ------------------------------------------------------------------

    @property
    def ondertekeningsdatum(self) -> dt.date | None:
        """The date all parties sign together; None when each signs apart (never the start date)."""
        return self.region.ondertekening.datum

    @property
    def verwachte_einddatum(self) -> dt.date | None:
        return self.region.plan_van_aanpak.verwachte_einddatum or self.region.looptijd.einddatum

    @property
    def aandeel_plaatsingen(self) -> Fraction | None:
        d = self.region.doelstellingen
        if d.trajecten and d.duurzame_plaatsingen is not None:
            return Fraction(d.duurzame_plaatsingen, d.trajecten)
        return None

    @property
    def looptijd_jaren(self) -> Fraction | None:
        return _jaren(self.region.looptijd.ingangsdatum, self.region.looptijd.einddatum)

    @property
    def doeldatum(self) -> dt.date | None:
        """The date the covenant's targets are due: doelstellingen.datum, else the einddatum."""
        return self.region.doelstellingen.datum or self.region.looptijd.einddatum

    @property
    def doelperiode(self) -> Doelperiode | None:
        """The period the total of trajecten is counted over: from the ingangsdatum to the target
        date (the trajecten are done "vóór de datum"), else to the einddatum."""
        start, end = self.region.looptijd.ingangsdatum, self.doeldatum
        years = _jaren(start, end)
        if start is None or end is None or years is None:
            return None
        return Doelperiode(start, end, years, self.region.doelstellingen.datum is not None)

    @property
    def trajecten_volgens_jaartempo(self) -> int | None:
        """The total of trajecten that trajecten_per_jaar implies over the doelperiode (rounded)."""
        per_year, period = self.region.doelstellingen.trajecten_per_jaar, self.doelperiode
        if per_year is None or period is None:
            return None
        return math.floor(per_year * period.jaren + Fraction(1, 2))

    @property
    def trajecten_per_jaar(self) -> int | None:
        d = self.region.doelstellingen
        if d.trajecten_per_jaar is not None:
            return d.trajecten_per_jaar
        years = self.looptijd_jaren
        if d.trajecten is not None and years:
            return round(d.trajecten / years)
        return None

    @property
    def mijlpalen_per_jaar(self) -> dict[int, int]:
        """Per year (ascending) the number of milestones due in it."""
        years: dict[int, int] = {}
        for m in self.region.plan_van_aanpak.mijlpalen:
            if m.datum:
                years[m.datum.year] = years.get(m.datum.year, 0) + 1
        return dict(sorted(years.items()))

    @property
    def mijlpalen_binnen_looptijd(self) -> int | None:
        """Number of milestones due on or before the end of the looptijd."""
        end = self.region.looptijd.einddatum
        if end is None:
            return None
        return sum(1 for m in self.region.plan_van_aanpak.mijlpalen if m.datum and m.datum <= end)

    # --- capacity and money -----------------------------------------------------------------

    @property
    def menskracht_totaal(self) -> float:
        """Hours a week of every party's menskracht."""
        return sum(m.uren_per_week for m in self.region.financien.menskracht)

    @property
    def capaciteit_totaal(self) -> float:
        """Hours a week: the menskracht plus the projectleiding."""
        return self.menskracht_totaal + (self.region.werkwijze.projectleiding.uren_per_week or 0)

    @property
    def ips(self) -> Ips:
        f = self.region.plan_van_aanpak.financiering
        return Ips(
            IpsGroep(f.epa.trajecten, f.epa.tarief, f.epa.maanden),
            IpsGroep(f.cmd.trajecten, f.cmd.tarief, f.cmd.maanden),
        )

    # --- bodies -----------------------------------------------------------------------------

    @cached_property
    def organen(self) -> Organen:
        """References to bodies left out follow the region's own bodies: the stuurgroep-kind
        body decides, the coördinatieteam-kind body prepares."""
        r = self.region
        main, work = r.hoofdorgaan, r.werkorgaan
        if main is None:
            return Organen(
                r.financien.besluitvorming_orgaan,
                r.communicatie.organen,
                r.aanpassing.orgaan,
                r.aanpassing.voorbereid_door,
                r.evaluatie.orgaan,
            )
        return Organen(
            besluitvorming=_or(r.financien.besluitvorming_orgaan, main.naam),
            communicatie=_or(r.communicatie.organen, list(dict.fromkeys([main.naam, work.naam]))),
            aanpassing=_or(r.aanpassing.orgaan, main.naam),
            voorbereid_door=_or(r.aanpassing.voorbereid_door, work.naam),
            evaluatie=_or(r.evaluatie.orgaan, main.naam),
        )

    @property
    def evaluatie_orgaan(self) -> Orgaan | None:
        """The body in whose first meeting the evaluation is agreed."""
        return self.region.orgaan(self.organen.evaluatie or "") or self.region.hoofdorgaan


def _jaren(start: dt.date | None, end: dt.date | None) -> Fraction | None:
    """Years from start to end in whole months (2022-01-01 to 2023-12-31 is 2 years)."""
    if start and end and end > start:
        months = (end.year - start.year) * 12 + end.month - start.month + (end.day >= start.day - 1)
        return Fraction(max(months, 1), 12)
    return None


def _or(given: T | None, default: T) -> T:
    return default if given is None else given


def figures(region: Region) -> Figures:
    return Figures(region)
