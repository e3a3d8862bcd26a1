"""A covenant's life after signing: accessions and amendments, and the covenant as it stands
on any date. Pure: Region in, Region out; no I/O, no clock.

The region file is the single source, history included. `toetreding.besluiten` and
`aanpassing.besluiten` hold the decisions; applying them in date order (on one date: the
accessions first, then the amendments, each in file order) gives the covenant at that date:
the parties with those who joined, the fields as amended. Each decision is checked against
the covenant as it stood just before it: its majority is computed from the parties of that
date, and an amendment's new values go through the same model and rules as the originals.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from pydantic import ValidationError

from convenant_gen.region.load import Path_, format_path
from convenant_gen.region.model import Region, Toetredingsbesluit, Wijzigingsbesluit, party_key

Soort = Literal["toetreding", "wijziging"]
# Fields an amendment cannot change: the history itself, the region's identity and its own
# templates (not covenant text); a party joins by accession, not by amendment.
FIXED = ("toetreding.besluiten", "aanpassing.besluiten", "regio", "sjablonen")


@dataclass(frozen=True)
class Event:
    soort: Soort
    index: int  # in toetreding.besluiten or aanpassing.besluiten
    datum: dt.date
    besluit: Toetredingsbesluit | Wijzigingsbesluit

    @property
    def path(self) -> Path_:
        return ("toetreding" if self.soort == "toetreding" else "aanpassing", "besluiten", self.index)


@dataclass
class State:
    """The covenant as it stands after some of its decisions."""

    region: Region
    applied: list[Event] = field(default_factory=list)
    # Per party in region.partijen: where it comes from in the file, and when it joined (None:
    # from the start, by signing the covenant).
    bronnen: list[Path_] = field(default_factory=list)
    sinds: list[dt.date | None] = field(default_factory=list)


def events(region: Region) -> list[Event]:
    """Every decision, in the order it takes effect."""
    found = [Event("toetreding", i, b.datum, b) for i, b in enumerate(region.toetreding.besluiten)]
    found += [Event("wijziging", i, b.datum, b) for i, b in enumerate(region.aanpassing.besluiten)]
    return sorted(found, key=lambda e: (e.datum, e.soort != "toetreding", e.index))


class AmendmentInvalid(Exception):
    """The values of an amendment do not pass the model (see check_history for the findings)."""

    def __init__(self, errors: list[Any]):
        self.errors = errors


def start(region: Region) -> State:
    n = len(region.partijen)
    return State(region, [], [("partijen", i) for i in range(n)], [None] * n)


def apply(state: State, event: Event) -> State:
    """The state after one more decision; raises AmendmentInvalid if its values do not pass."""
    data = state.region.model_dump(mode="python")
    bronnen, sinds = list(state.bronnen), list(state.sinds)
    if isinstance(event.besluit, Toetredingsbesluit):
        data["partijen"].append(event.besluit.partij.model_dump(mode="python"))
        bronnen.append((*event.path, "partij"))
        sinds.append(event.datum)
    else:
        for key, value in event.besluit.wijzigingen.items():
            set_path(data, parse_path(key), value)
    try:
        region = Region.model_validate(data)
    except ValidationError as e:
        raise AmendmentInvalid(e.errors()) from None
    return State(region, [*state.applied, event], bronnen, sinds)


def state_at(region: Region, per: dt.date | None = None) -> State:
    """The covenant with every decision up to and including `per` (all of them when None).
    The region must have passed check_history (its amendments' values are valid)."""
    state = start(region)
    for event in events(region):
        if per is not None and event.datum > per:
            break
        state = apply(state, event)
    return state


def state_before(region: Region, target: Event) -> State:
    """The covenant just before `target` takes effect."""
    state = start(region)
    for event in events(region):
        if event == target:
            break
        state = apply(state, event)
    return state


# --- field paths as an amendment names them ------------------------------------------------

_PART = re.compile(r"([^.\[\]]+)((?:\[\d{1,4}\])*)")


def parse_path(text: str) -> Path_:
    """'activiteiten[2].uiterlijk' -> ('activiteiten', 1, 'uiterlijk'): positions counted from 1,
    as every message of convenant counts them. ValueError for anything else."""
    parts: list[str | int] = []
    for piece in text.strip().split("."):
        m = _PART.fullmatch(piece.strip())
        if not m:
            raise ValueError(text)
        parts.append(m.group(1).strip())
        for number in re.findall(r"\[(\d+)\]", m.group(2)):
            if int(number) < 1:
                raise ValueError(text)
            parts.append(int(number) - 1)
    return tuple(parts)


def get_path(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def set_path(data: Any, path: Path_, value: Any) -> None:
    """Set the value at `path` in nested dicts and lists; a missing group on the way is made.
    KeyError/IndexError/TypeError when the path leads nowhere."""
    for part in path[:-1]:
        if isinstance(part, str) and isinstance(data, dict) and data.get(part) is None:
            data[part] = {}
        data = data[part]
    if isinstance(path[-1], int) and not (isinstance(data, list) and 0 <= path[-1] < len(data)):
        raise IndexError(path[-1])
    if isinstance(path[-1], str) and not isinstance(data, dict):
        raise TypeError(path[-1])
    data[path[-1]] = value


# --- checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryIssue:
    path: Path_
    message: str
    severity: str = "fout"


def needed(fraction: Fraction, total: int) -> int:
    """Smallest number of `total` that reaches `fraction` (2/3 of 13 -> 9)."""
    return math.ceil(fraction * total)


def signatories(region: Region) -> list[str]:
    return [p.naam for p in region.partijen if p.ondertekent]


def check_history(region: Region) -> Iterator[HistoryIssue]:
    """Every decision against the covenant as it stood just before it: its date within the
    term, its parties, its majority; an amendment's values through the model and the rules."""
    from convenant_gen.region.rules import check_region

    state = start(region)
    for event in events(region):
        before = state.region
        yield from _within_term(event, before)
        if isinstance(event.besluit, Toetredingsbesluit):
            yield from _check_accession(event, event.besluit, before)
        else:
            yield from _check_amendment(event, event.besluit, before)
        try:
            state = apply(state, event)
        except AmendmentInvalid as e:
            yield from _amendment_errors(event, e.errors)
            return  # later decisions build on a covenant that does not exist
        if isinstance(event.besluit, Wijzigingsbesluit):
            for issue in check_region(without_history(state.region)):
                if issue.severity == "fout" and not _is_history(issue.path):
                    yield HistoryIssue(
                        (*event.path, "wijzigingen"),
                        f"na deze wijziging klopt het convenant niet meer: {format_path(issue.path)}: {issue.message}",
                    )


def without_history(region: Region) -> Region:
    """The region without its decisions (the rules on an amended covenant, not its history)."""
    return region.model_copy(
        update={
            "toetreding": region.toetreding.model_copy(update={"besluiten": []}),
            "aanpassing": region.aanpassing.model_copy(update={"besluiten": []}),
        }
    )


def _is_history(path: Path_) -> bool:
    return format_path(path).startswith(("toetreding.besluiten", "aanpassing.besluiten"))


def _within_term(event: Event, region: Region) -> Iterator[HistoryIssue]:
    start_date, end = region.looptijd.ingangsdatum, region.looptijd.einddatum
    word = "toetreding" if event.soort == "toetreding" else "wijziging"
    if start_date is not None and event.datum < start_date:
        yield HistoryIssue(
            (*event.path, "datum"),
            f"{_date(event.datum)} ligt vóór de ingangsdatum van het convenant ({_date(start_date)}); een {word} "
            "kan pas na de ondertekening",
        )
    elif end is not None and event.datum > end:
        yield HistoryIssue(
            (*event.path, "datum"),
            f"{_date(event.datum)} ligt na het einde van het convenant ({_date(end)}, zoals het dan luidt); een "
            f"{word} kan alleen binnen de looptijd",
        )


def _check_accession(event: Event, besluit: Toetredingsbesluit, region: Region) -> Iterator[HistoryIssue]:
    path = event.path
    if region.partij(besluit.partij.naam) is not None:
        yield HistoryIssue(
            (*path, "partij", "naam"),
            f"{besluit.partij.naam} is op {_date(event.datum)} al partij bij het convenant; toetreden kan niet",
        )
    yield from _consent(
        (*path, "instemming"),
        besluit.instemming,
        region,
        event.datum,
        region.toetreding.meerderheid,
        "stemden in",
    )


def _check_amendment(event: Event, besluit: Wijzigingsbesluit, region: Region) -> Iterator[HistoryIssue]:
    path = event.path
    for key in besluit.wijzigingen:
        try:
            parsed = parse_path(key)
        except ValueError:
            yield HistoryIssue(
                (*path, "wijzigingen", key),
                f"'{key}' is geen veld; schrijf het pad zoals in dit bestand, bijvoorbeeld looptijd.einddatum of "
                "activiteiten[2].uiterlijk",
            )
            continue
        name = format_path(parsed)
        if name.startswith(FIXED) or (parsed[0] == "partijen" and len(parsed) <= 2):
            yield HistoryIssue(
                (*path, "wijzigingen", key),
                f"{key} kan niet met een wijzigingsbesluit veranderen"
                + ("; een nieuwe partij treedt toe met toetreding.besluiten" if parsed[0] == "partijen" else ""),
            )
    vote, fraction = besluit.stemming, region.aanpassing.meerderheid
    cast = vote.voor + vote.tegen
    members = len(signatories(region))
    organ = _organ(region)
    if vote.voor + vote.tegen + vote.onthouding > members:
        yield HistoryIssue(
            (*path, "stemming"),
            f"{vote.voor + vote.tegen + vote.onthouding} stemmen en onthoudingen, maar er zijn op {_date(event.datum)} "
            f"maar {members} ondertekenaars",
        )
    minimum = needed(fraction, cast)
    if cast == 0 or vote.voor < minimum:
        yield HistoryIssue(
            (*path, "stemming", "voor"),
            f"{vote.voor} van de {cast} uitgebrachte stemmen in {organ} waren voor; nodig zijn er ten minste "
            f"{max(minimum, 1)} ({_fraction(fraction)}; onthoudingen tellen niet mee)",
        )
    yield from _consent(
        (*path, "schriftelijk_akkoord"),
        besluit.schriftelijk_akkoord,
        region,
        event.datum,
        region.aanpassing.schriftelijk_akkoord,
        "gingen schriftelijk akkoord",
    )


def _consent(
    path: Path_, given: list[str] | int, region: Region, datum: dt.date, fraction: Fraction, verb: str
) -> Iterator[HistoryIssue]:
    """Names (or a number) of consenting parties against the signatories at that date."""
    parties = signatories(region)
    total = len(parties)
    if isinstance(given, int):
        count = given
        if count > total:
            yield HistoryIssue(path, f"{count} partijen, maar op {_date(datum)} zijn er {total} ondertekenaars")
            return
    else:
        seen: set[str] = set()
        for i, name in enumerate(given):
            party = region.partij(name)
            if party is None or not party.ondertekent:
                what = "geen partij" if party is None else "geen ondertekenaar"
                yield HistoryIssue(
                    (*path, i),
                    f"{name} is op {_date(datum)} {what} bij het convenant; alleen de ondertekenaars van dat moment "
                    "tellen mee",
                )
                continue
            key = party_key(party.naam)
            if key in seen:
                yield HistoryIssue((*path, i), f"{name} staat twee keer in de lijst")
            seen.add(key)
        count = len(seen)
    minimum = needed(fraction, total)
    if count < minimum:
        yield HistoryIssue(
            path,
            f"{count} van de {total} partijen {verb}; nodig zijn er ten minste {minimum} ({_fraction(fraction)})",
        )


def _amendment_errors(event: Event, errors: list[Any]) -> Iterator[HistoryIssue]:
    """The model's errors on the amended covenant, located at the change that caused them."""
    from convenant_gen.region.validate import dutch_message

    besluit = event.besluit
    assert isinstance(besluit, Wijzigingsbesluit)
    changes = {}
    for key in besluit.wijzigingen:
        try:
            changes[parse_path(key)] = key
        except ValueError:
            continue
    for err in errors:
        loc = tuple(err["loc"])
        found = next(((p, k) for p, k in changes.items() if loc[: len(p)] == p or p[: len(loc)] == loc), None)
        if found is not None and found[0] == loc:  # the changed value itself
            yield HistoryIssue((*event.path, "wijzigingen", found[1]), dutch_message(err, loc))
            continue
        where: Path_ = (*event.path, "wijzigingen", found[1]) if found else (*event.path, "wijzigingen")
        yield HistoryIssue(where, f"{format_path(loc)}: {dutch_message(err, loc)}")


def organ(region: Region) -> str:
    """The body that adopts amendments: the region's choice, else its main body."""
    return region.aanpassing.orgaan or (region.hoofdorgaan.naam if region.hoofdorgaan else "stuurgroep")


def _organ(region: Region) -> str:
    from convenant_gen.words import met_lidwoord

    return met_lidwoord(organ(region))


def _fraction(value: Fraction) -> str:
    from convenant_gen.words import breuk

    return breuk(value)


def _date(value: dt.date) -> str:
    from convenant_gen.words import MAANDEN

    return f"{value.day} {MAANDEN[value.month - 1]} {value.year}"
