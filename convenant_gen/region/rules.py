"""Pure cross-field rules: Region -> findings. No I/O, no clock.

A rule returns `Issue`s with a field path; validate.py adds file and line. Every domain rule
lives here, so the documents, the CLI and the overview all apply the same ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from convenant_gen.figures import figures
from convenant_gen.region.model import Region, party_key

Path_ = tuple[str | int, ...]

NORM_PLAATSINGEN = Fraction(40, 100)  # Hoofdzaak Werk: at least 40 % duurzame plaatsingen


@dataclass(frozen=True)
class Issue:
    path: Path_
    message: str
    severity: str = "fout"  # "fout" | "waarschuwing"


def _warn(path: Path_, message: str) -> Issue:
    return Issue(path, message, "waarschuwing")


Rule = Callable[[Region], Iterator[Issue]]
RULES: list[Rule] = []
DEFINITIEF_RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def definitief_rule(fn: Rule) -> Rule:
    DEFINITIEF_RULES.append(fn)
    return fn


@rule
def check_end_after_start(r: Region) -> Iterator[Issue]:
    start, end = r.looptijd.ingangsdatum, r.looptijd.einddatum
    if start and end and end <= start:
        yield Issue(
            ("looptijd", "einddatum"),
            f"einddatum {end.isoformat()} ligt "
            f"{'vóór' if end < start else 'op'} ingangsdatum {start.isoformat()}; "
            "het convenant moet na de ingangsdatum eindigen",
        )


@rule
def check_plaatsingen(r: Region) -> Iterator[Issue]:
    d = r.doelstellingen
    if d.trajecten is None or d.duurzame_plaatsingen is None:
        return
    if d.duurzame_plaatsingen > d.trajecten:
        yield Issue(
            ("doelstellingen", "duurzame_plaatsingen"),
            f"{d.duurzame_plaatsingen} duurzame plaatsingen is meer dan {d.trajecten} trajecten; "
            "een plaatsing komt voort uit een traject",
        )
    elif (share := figures(r).aandeel_plaatsingen) is not None and share < NORM_PLAATSINGEN:
        needed = -(-d.trajecten * NORM_PLAATSINGEN.numerator // NORM_PLAATSINGEN.denominator)
        yield _warn(
            ("doelstellingen", "duurzame_plaatsingen"),
            f"{d.duurzame_plaatsingen} van {d.trajecten} trajecten is "
            f"{float(share) * 100:.0f} procent; de norm van Hoofdzaak Werk is "
            f"40 procent (hier {needed} plaatsingen)",
        )
    if d.trajecten_cmd and d.trajecten_cmd.tot > d.trajecten:
        yield Issue(
            ("doelstellingen", "trajecten_cmd"),
            f"{d.trajecten_cmd.tot} CMD-trajecten is meer dan {d.trajecten} trajecten in totaal",
        )


@rule
def check_doel_datum(r: Region) -> Iterator[Issue]:
    datum, end = r.doelstellingen.datum, r.looptijd.einddatum
    start = r.looptijd.ingangsdatum
    if datum and ((end and datum > end) or (start and datum < start)):
        yield _warn(
            ("doelstellingen", "datum"),
            f"de doeldatum {datum.isoformat()} valt buiten de looptijd van het convenant",
        )


@rule
def check_centrumgemeente(r: Region) -> Iterator[Issue]:
    name = r.regio.centrumgemeente
    party = r.partij(name)
    if party is None:
        yield Issue(
            ("regio", "centrumgemeente"),
            f"centrumgemeente '{name}' staat niet bij partijen; voeg '- naam: Gemeente {name}' "
            "met 'soort: gemeente' toe",
        )
    elif party.soort != "gemeente":
        index = r.partijen.index(party)
        yield Issue(
            ("partijen", index, "soort"),
            f"'{party.naam}' is de centrumgemeente en moet 'soort: gemeente' hebben, niet '{party.soort}'",
        )


@rule
def check_duplicate_parties(r: Region) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for i, p in enumerate(r.partijen):
        key = party_key(p.naam)
        if key in seen:
            yield Issue(
                ("partijen", i, "naam"),
                f"'{p.naam}' staat al bij partijen (nummer {seen[key] + 1}); verwijder een van beide",
            )
        else:
            seen[key] = i


def _named_parties(r: Region) -> Iterator[tuple[Path_, str]]:
    for i, o in enumerate(r.werkwijze.organen):
        if o.organisator:
            yield ("werkwijze", "organen", i, "organisator"), o.organisator
    for i, a in enumerate(r.activiteiten):
        if a.eigenaar:
            yield ("activiteiten", i, "eigenaar"), a.eigenaar
    for i, m in enumerate(r.financien.menskracht):
        yield ("financien", "menskracht", i, "partij"), m.partij
    if r.werkwijze.projectleiding.vanuit:
        yield ("werkwijze", "projectleiding", "vanuit"), r.werkwijze.projectleiding.vanuit


@rule
def check_named_parties(r: Region) -> Iterator[Issue]:
    names = [p.naam for p in r.partijen]
    for path, name in _named_parties(r):
        if r.partij(name) is None:
            yield Issue(path, f"'{name}' staat niet bij partijen{_suggest(name, names)}")


def _named_bodies(r: Region) -> Iterator[tuple[Path_, str]]:
    """The bodies the file names (those it leaves out follow its own bodies, see figures)."""
    named = [
        (("financien", "besluitvorming_orgaan"), r.financien.besluitvorming_orgaan),
        *((("communicatie", "organen", i), n) for i, n in enumerate(r.communicatie.organen or [])),
        (("aanpassing", "orgaan"), r.aanpassing.orgaan),
        (("aanpassing", "voorbereid_door"), r.aanpassing.voorbereid_door),
        (("evaluatie", "orgaan"), r.evaluatie.orgaan),
    ]
    yield from ((path, name) for path, name in named if name is not None)


@rule
def check_named_bodies(r: Region) -> Iterator[Issue]:
    names = [o.naam for o in r.werkwijze.organen]
    for path, name in _named_bodies(r):
        if r.orgaan(name) is None:
            yield Issue(
                path,
                f"orgaan '{name}' bestaat niet bij werkwijze.organen{_suggest(name, names)}; "
                f"de organen zijn: {', '.join(names) or 'geen'}",
            )
    seen: set[str] = set()
    for i, o in enumerate(r.werkwijze.organen):
        if o.naam.casefold() in seen:
            yield Issue(("werkwijze", "organen", i, "naam"), f"orgaan '{o.naam}' staat er twee keer")
        seen.add(o.naam.casefold())


@rule
def check_milestones_in_looptijd(r: Region) -> Iterator[Issue]:
    start, end = r.looptijd.ingangsdatum, r.looptijd.einddatum
    for i, m in enumerate(r.plan_van_aanpak.mijlpalen):
        if m.datum and ((start and m.datum < start) or (end and m.datum > end)):
            yield _warn(
                ("plan_van_aanpak", "mijlpalen", i, "datum"),
                f"mijlpaal op {m.datum.isoformat()} valt buiten de looptijd ({_iso(start)} tot {_iso(end)})",
            )


@rule
def check_activities_in_looptijd(r: Region) -> Iterator[Issue]:
    end = r.looptijd.einddatum
    for i, a in enumerate(r.activiteiten):
        if a.uiterlijk and end and a.uiterlijk > end:
            yield _warn(
                ("activiteiten", i, "uiterlijk"),
                f"{a.uiterlijk.isoformat()} ligt na het einde van de looptijd ({end.isoformat()})",
            )


@rule
def check_bodies_exist(r: Region) -> Iterator[Issue]:
    if not r.werkwijze.organen:
        yield Issue(("werkwijze", "organen"), "geef minstens één orgaan, bijvoorbeeld een stuurgroep")


@rule
def check_signing_parties(r: Region) -> Iterator[Issue]:
    if r.partijen and not figures(r).ondertekenaars:
        yield Issue(("partijen",), "geen enkele partij ondertekent; zet bij minstens één 'ondertekent: ja'")


@rule
def check_vervolg(r: Region) -> Iterator[Issue]:
    years = figures(r).looptijd_jaren
    months = r.vervolg.maanden_voor_einde
    if years and months >= years * 12:
        yield Issue(
            ("vervolg", "maanden_voor_einde"),
            f"{months} maanden voor het einde ligt vóór de ingangsdatum; kies minder maanden",
        )


# --- definitief: the covenant goes on the table to be signed ---------------------------


@definitief_rule
def check_complete(r: Region) -> Iterator[Issue]:
    required: list[tuple[Path_, object]] = [
        (("looptijd", "ingangsdatum"), r.looptijd.ingangsdatum),
        (("looptijd", "einddatum"), r.looptijd.einddatum),
        (("speerpunten", "instroom_2024"), r.speerpunten.instroom_2024),
        (("doelstellingen", "accenten"), r.doelstellingen.accenten),
        (("doelstellingen", "datum"), r.doelstellingen.datum),
        (("doelstellingen", "trajecten"), r.doelstellingen.trajecten),
        (("doelstellingen", "duurzame_plaatsingen"), r.doelstellingen.duurzame_plaatsingen),
        (("doelgroepen", "primair"), r.doelgroepen.primair),
        (("partijen",), r.partijen),
        (("ondertekening", "plaats"), r.ondertekening.plaats),
    ]
    for path, value in required:
        if value is None or value == []:
            yield Issue(path, "ontbreekt; een definitief convenant heeft dit nodig")
    if figures(r).ondertekeningsdatum is None:
        yield Issue(("ondertekening", "datum"), "ontbreekt (of looptijd.ingangsdatum)")
    for i, o in enumerate(r.werkwijze.organen):
        if o.soort == "stuurgroep":
            for field in ("vergaderingen_per_jaar", "wanneer"):
                if getattr(o, field) is None:
                    yield Issue(("werkwijze", "organen", i, field), f"ontbreekt voor {o.naam}")
        if o.soort in ("stuurgroep", "coordinatieteam"):
            if o.eerste_bijeenkomst is None:
                yield Issue(("werkwijze", "organen", i, "eerste_bijeenkomst"), "ontbreekt")
            if o.organisator is None:
                yield Issue(("werkwijze", "organen", i, "organisator"), "ontbreekt")


@definitief_rule
def check_representatives(r: Region) -> Iterator[Issue]:
    for lacking in figures(r).vertegenwoordiging_ontbreekt:
        for field in lacking.ontbreekt:
            yield Issue(
                ("partijen", lacking.index, "vertegenwoordiger", field),
                f"{lacking.partij.naam} ondertekent, maar de {field} van de vertegenwoordiger ontbreekt",
            )


def check_region(region: Region, definitief: bool = False) -> list[Issue]:
    rules = RULES + (DEFINITIEF_RULES if definitief else [])
    return [issue for check in rules for issue in check(region)]


def _iso(d: object) -> str:
    return d.isoformat() if d else "?"  # type: ignore[attr-defined]


def _suggest(name: str, options: list[str]) -> str:
    import difflib

    keyed: dict[str, str] = {}
    for option in options:
        keyed.setdefault(party_key(option), option)
    match = difflib.get_close_matches(party_key(name), list(keyed), n=1, cutoff=0.6)
    return f"; bedoelde u '{keyed[match[0]]}'?" if match else ""
