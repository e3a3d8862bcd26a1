"""Region -> the plain dict templates see. Field names stay the model's Dutch keys; computed
figures (quorums, shares, totals, groups) are added here so no template does arithmetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from convenant_gen.documents.placeholders import Path_, mark
from convenant_gen.documents.plan import PLAN_FIELDS, plan_context
from convenant_gen.figures import figures
from convenant_gen.region.history import State
from convenant_gen.region.kinds import SOORT_KOPPEN, SOORT_NAMEN
from convenant_gen.region.model import Orgaan, Partij, Region
from convenant_gen.words import FUNCTIE_MEERVOUD, is_meervoud

# What every computed key means, for `convenant templates fields` (a test checks none is missing).
COMPUTED: dict[str, str] = {
    "concept": "ja bij een conceptversie, nee bij --definitief",
    "status": "'concept' of 'definitief'",
    "concept_datum": "datum van het concept (--datum, SOURCE_DATE_EPOCH of vandaag)",
    "ondertekenaars": "de partijen die ondertekenen (lijst van partijen)",
    "handtekeninggroepen": "ondertekenaars per soort, in de volgorde van de handtekeningpagina: kop en partijen",
    "ondertekeningsdatum": "ondertekening.datum (leeg als elke partij apart tekent; nooit de ingangsdatum)",
    "quorum": "minimum aantal partijen: aanpassing, schriftelijk_akkoord, toetreding; partijen = aantal ondertekenaars",
    "hoofdorgaan": "naam van het orgaan dat besluit (de stuurgroep of wat die rol heeft)",
    "werkorgaan": "naam van het orgaan dat voorbereidt (het coördinatieteam of wat die rol heeft)",
    "evaluatie_eerste_bijeenkomst": "maand van de eerste bijeenkomst van het evaluatie-orgaan",
    "standaard_organen": "ja als de regio een stuurgroep en een coördinatieteam heeft",
    "aandeel_plaatsingen": "duurzame plaatsingen gedeeld door trajecten (filter procent)",
    "trajecten_per_jaar": "doelstellingen.trajecten_per_jaar, anders trajecten gedeeld door de looptijd in jaren",
    "menskracht_totaal": "som van de uren per week van financien.menskracht",
    "capaciteit_totaal": "menskracht_totaal plus de uren van de projectleiding",
    "meewerkende_partijen": "partijen die meewerken maar niet ondertekenen",
    "verwachte_einddatum": "plan_van_aanpak.verwachte_einddatum, anders looptijd.einddatum",
    "ips": "IPS-financiering: epa en cmd (trajecten, tarief, maanden, totaal), trajecten en totaal",
    "gezamenlijke_ondertekening": "ja als ondertekening.plaats en .datum zijn ingevuld (alle partijen tekenen samen); "
    "anders tekent elke partij met eigen plaats en datum",
    "projectleiding_term": "projectleider of projectleiders (aanjager/aanjagers), naar projectleiding.aantal",
    "mijlpalen_aantal": "aantal mijlpalen in het plan van aanpak",
    "mijlpalen_binnen_looptijd": "aantal mijlpalen op of vóór de einddatum",
    "mijlpalen_per_jaar": "per jaar het aantal mijlpalen: jaar en aantal",
    "plan": "het plan van aanpak zoals het sjabloon het toont: per onderdeel de eigen gegevens of wat uit "
    "het convenant volgt",
    "titel": "de titel van het convenant volgens de format",
    "geconsolideerd": "alleen in de geconsolideerde tekst: per (datum) en besluiten (soort, datum, omschrijving) die "
    "erin zijn verwerkt; anders leeg",
    "besluit": "alleen in een toetredingsverklaring of wijzigingsbesluit: het besluit waar het document over gaat",
}

# The parts of computed keys that are groups, by key: 'mijlpalen.rijen[].datum' -> its meaning
# (those of the decision documents are added by documents/decisions.py).
DETAILS: dict[str, dict[str, str]] = {"plan": PLAN_FIELDS}


def build_context(
    region: Region, *, definitief: bool = False, datum: dt.date | None = None, state: State | None = None
) -> dict[str, Any]:
    """The context of `region`: as signed, or, with `state`, the covenant as it stands after
    some of its decisions (region/history.py): then each party is located where the file
    names it (an accession's party under toetreding.besluiten) and knows when it joined."""
    f = figures(region)
    ctx: dict[str, Any] = region.model_dump(mode="python")
    ctx["aanpassing"]["meerderheid"] = region.aanpassing.meerderheid
    ctx["aanpassing"]["schriftelijk_akkoord"] = region.aanpassing.schriftelijk_akkoord
    ctx["toetreding"]["meerderheid"] = region.toetreding.meerderheid
    # References to bodies the region leaves out, as the format fills them in.
    organen = f.organen
    ctx["financien"]["besluitvorming_orgaan"] = organen.besluitvorming
    ctx["communicatie"]["organen"] = organen.communicatie
    ctx["aanpassing"]["orgaan"] = organen.aanpassing
    ctx["aanpassing"]["voorbereid_door"] = organen.voorbereid_door
    ctx["evaluatie"]["orgaan"] = organen.evaluatie
    parties = [  # each dumped once, listed where it belongs
        _party(p, state.bronnen[i] if state else ("partijen", i), state.sinds[i] if state else None)
        for i, p in enumerate(region.partijen)
    ]
    ondertekenaars = [parties[f.index_in_partijen(p)] for p in f.ondertekenaars]
    groups = [
        {"soort": soort, "kop": SOORT_KOPPEN[soort], "partijen": [parties[f.index_in_partijen(p)] for p in members]}
        for soort, members in f.handtekeninggroepen.items()
    ]
    ctx["werkwijze"]["organen"] = [_organ(o) for o in region.werkwijze.organen]
    ctx["partijen"] = parties
    ctx["plan"] = plan_context(region, f)
    leiding = region.werkwijze.projectleiding
    main, work = region.hoofdorgaan, region.werkorgaan
    evaluatie_orgaan = f.evaluatie_orgaan
    soorten = {o.soort for o in region.werkwijze.organen}
    ips = f.ips
    ctx.update(
        concept=not definitief,
        status="definitief" if definitief else "concept",
        concept_datum=datum,
        ondertekenaars=ondertekenaars,
        handtekeninggroepen=groups,
        ondertekeningsdatum=f.ondertekeningsdatum,
        quorum=f.quorum,
        hoofdorgaan=main.naam if main else None,
        werkorgaan=work.naam if work else None,
        evaluatie_eerste_bijeenkomst=evaluatie_orgaan.eerste_bijeenkomst if evaluatie_orgaan else None,
        standaard_organen={"stuurgroep", "coordinatieteam"} <= soorten,
        aandeel_plaatsingen=f.aandeel_plaatsingen,
        trajecten_per_jaar=f.trajecten_per_jaar,
        menskracht_totaal=f.menskracht_totaal,
        meewerkende_partijen=[party for p, party in zip(region.partijen, parties, strict=True) if not p.ondertekent],
        capaciteit_totaal=f.capaciteit_totaal,
        verwachte_einddatum=f.verwachte_einddatum,
        ips={
            **{name: {**asdict(group), "totaal": group.totaal} for name, group in (("epa", ips.epa), ("cmd", ips.cmd))},
            "trajecten": ips.trajecten,
            "totaal": ips.totaal,
        },
        gezamenlijke_ondertekening=bool(region.ondertekening.plaats and region.ondertekening.datum),
        projectleiding_term=leiding.functie if leiding.aantal == 1 else FUNCTIE_MEERVOUD[leiding.functie],
        mijlpalen_aantal=len(region.plan_van_aanpak.mijlpalen),
        mijlpalen_binnen_looptijd=f.mijlpalen_binnen_looptijd,
        mijlpalen_per_jaar=[{"jaar": y, "aantal": n} for y, n in f.mijlpalen_per_jaar.items()],
        titel="Regionaal convenant ‘Sterk door werk 2021-2024 - Naar duurzaam werk voor mensen met "
        "een psychische kwetsbaarheid’",
        geconsolideerd=False,
    )
    bodies = region.werkwijze.organen
    sources: dict[str, Path_] = {
        "ondertekeningsdatum": ("ondertekening", "datum"),
        "verwachte_einddatum": ("looptijd", "einddatum"),
        "aandeel_plaatsingen": ("doelstellingen", "duurzame_plaatsingen"),
        "trajecten_per_jaar": ("doelstellingen", "trajecten"),
        "hoofdorgaan": ("werkwijze", "organen"),
        "werkorgaan": ("werkwijze", "organen"),
        "menskracht_totaal": ("financien", "menskracht"),
        "capaciteit_totaal": ("financien", "menskracht"),
        "evaluatie_eerste_bijeenkomst": (
            ("werkwijze", "organen", bodies.index(evaluatie_orgaan), "eerste_bijeenkomst")
            if evaluatie_orgaan in bodies
            else ("evaluatie",)
        ),
    }
    return mark(ctx, sources=sources)  # type: ignore[no-any-return]


def _party(p: Partij, source: Path_, sinds: dt.date | None = None) -> dict[str, Any]:
    """A party as templates see it: its fields, its kind in words (soort_naam: 'UWV',
    'SW-bedrijf') for running text and tables (`soort` stays the file's code), and the date it
    joined by accession (`sinds`; empty for a party that signed the covenant). Marked with its
    place in the file, wherever it is listed (an empty field is located in the file)."""
    party = {**p.model_dump(), "soort_naam": SOORT_NAMEN[p.soort]}
    marked = mark(party, source)
    marked["sinds"] = sinds if sinds is not None else mark(None, (*source, "sinds"))
    return marked  # type: ignore[no-any-return]


def _organ(o: Orgaan) -> dict[str, Any]:
    """A body as templates see it, with its article and whether its name is a plural (the
    region's word, else a guess from the name)."""
    from convenant_gen.documents.formatting import lidwoord

    plural = is_meervoud(o.naam) if o.meervoud is None else o.meervoud
    article = "de" if plural else lidwoord(o.naam).split()[0]
    return {**o.model_dump(), "lidwoord": article, "meervoud": plural}
