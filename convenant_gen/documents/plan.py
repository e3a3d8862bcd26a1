"""The plan van aanpak as its template shows it: each section from the region's own plan data,
or else from what the covenant already says (activities and targets as milestones, the project
leaders, the conditions, the parties as stakeholders, the signatories as approvers).

A section with nothing to show is an empty list or a false `tonen`: the template then prints one
line "Nog in te vullen: …" in a concept and leaves the section out of a definitief plan. An empty
field the template does print is a `Missing` with the field of the region file behind it, so a
definitief build names that field (see placeholders.py). No zeros stand in for "not stated".
Lists are `Items` with the field they come from: placeholders.mark takes them as they are
(walking every row of every table again costs more than building them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from convenant_gen.documents.formatting import hoofdletter, opsomming
from convenant_gen.documents.placeholders import Items, Missing
from convenant_gen.figures import Figures
from convenant_gen.region.kinds import SOORT_KOPPEN
from convenant_gen.region.model import Bereik, Persoon, Region
from convenant_gen.words import FUNCTIE_MEERVOUD, getal_in_woorden

PLAN = "plan_van_aanpak"


def plan_context(region: Region, f: Figures) -> dict[str, Any]:
    """Everything the plan template shows, section by section."""
    p = region.plan_van_aanpak
    d = region.doelstellingen
    w = region.werkwijze
    return {
        "opsteller": _persoon(p.opsteller) if p.opsteller else Missing((PLAN, "opsteller")),
        "inleiding": _items(p.inleiding, PLAN, "inleiding"),
        "projectdoelen": _items(p.projectdoelen, PLAN, "projectdoelen")
        or _items([_bullet(a) for a in d.accenten], "doelstellingen", "accenten"),
        "definitie_traject": p.definitie_traject,
        "projectleiding": _projectleiding(region),
        "mijlpalen": _mijlpalen(region, f),
        "routes": {
            "bestaand": _items(p.routes.bestaand, PLAN, "routes", "bestaand"),
            "nieuw": _items(p.routes.nieuw, PLAN, "routes", "nieuw"),
            "aantal": len(p.routes.bestaand) + len(p.routes.nieuw),
            "toelichting": _items(p.routes.toelichting, PLAN, "routes", "toelichting"),
        },
        "gewenste_resultaten": _items(p.gewenste_resultaten, PLAN, "gewenste_resultaten"),
        "uitsluitingen": _items(p.uitsluitingen, PLAN, "uitsluitingen"),
        "inzet": _items(p.inzet, PLAN, "inzet"),
        # After the plan's own text, the covenant's agreements on people's effort.
        "inzet_uit_convenant": bool(
            w.sleutelfiguren
            or w.ambassadeurs
            or w.ervaringsdeskundigen_in_team
            or w.dubbele_afvaardiging
            or region.financien.afspraken
        ),
        "communicatiebehoeften": _items(p.communicatiebehoeften, PLAN, "communicatiebehoeften"),
        "communicatie_organen": _items(f.organen.communicatie or [], "communicatie", "organen"),
        "communicatie_aanvullingen": _items(region.aanvullingen.communicatie, "aanvullingen", "communicatie"),
        "acceptatiecriteria": _items(p.acceptatiecriteria, PLAN, "acceptatiecriteria"),
        "kritische_factoren": _items(
            [_bullet(v) for v in d.voorwaarden] + list(p.kritische_factoren), PLAN, "kritische_factoren"
        ),
        "capaciteit": _capaciteit(region, f),
        "ips": _ips(region, f),
        "gesproken_met": _items([_persoon(person) for person in p.gesproken_met], PLAN, "gesproken_met"),
        "belanghebbenden": _belanghebbenden(region),
        "goedkeuringen": _goedkeuringen(region, f),
    }


def _items(values: Any, *path: str) -> Items:
    return Items(values, path)


def _bullet(text: str) -> str:
    """A covenant phrase as a bullet of the plan: 'goede verbinding' -> 'Goede verbinding.'"""
    text = hoofdletter(text.strip())
    return text if text.endswith((".", "!", "?", ":")) else f"{text}."


def _persoon(person: Persoon) -> str:
    return ", ".join(part for part in (person.naam, person.functie, person.organisatie) if part)


def _projectleiding(region: Region) -> dict[str, Any]:
    """Who leads the project, in the covenant's facts: how many, their names, where from, hours."""
    leiding = region.werkwijze.projectleiding
    one, many = leiding.functie, FUNCTIE_MEERVOUD[leiding.functie]
    names = list(leiding.namen)
    if leiding.aantal == 1:
        who = f"{one} {opsomming(names)}" if names else f"één {one}"
    elif len(names) >= leiding.aantal:
        who = f"de {many} {opsomming(names)} (duobaan)"
    else:
        who = f"{getal_in_woorden(leiding.aantal)} {many} (duobaan)"
        if names:
            who += f", onder wie {opsomming(names)}"
    return {
        "wie": who,
        "aantal": leiding.aantal,
        "vanuit": leiding.vanuit,
        "extern": leiding.aanstelling == "extern",
        "uren": leiding.uren_per_week,
        "alineas": _items(region.plan_van_aanpak.projectleiding, PLAN, "projectleiding"),
    }


def _range(value: Bereik | None) -> dict[str, int] | None:
    return None if value is None else {"van": value.van, "tot": value.tot}


def _count(value: int | None) -> dict[str, int] | None:
    return None if value is None else {"van": value, "tot": value}


def _same_text(a: str, b: str) -> bool:
    return a.strip().rstrip(".").casefold() == b.strip().rstrip(".").casefold()


def _mijlpalen(region: Region, f: Figures) -> dict[str, Any]:
    """The plan's milestones, the covenant's activities (with their owners) and its targets on
    the final date, one table sorted by date; a milestone the activities already hold is shown
    once, as the activity."""
    plan, d = region.plan_van_aanpak, region.doelstellingen
    activities = region.activiteiten
    rows: list[dict[str, Any]] = []
    for i, m in enumerate(plan.mijlpalen):
        if any(a.uiterlijk == m.datum and _same_text(a.wat, m.omschrijving) for a in activities):
            continue
        rows.append(_row(m.datum, (PLAN, "mijlpalen", i, "datum"), m.omschrijving, _range(m.aantal), m.toelichting))
    for i, a in enumerate(activities):
        rows.append(
            _row(a.uiterlijk, ("activiteiten", i, "uiterlijk"), a.wat, doel=a.meetbaar_doel, trekker=a.eigenaar)
        )
    final = f.doeldatum
    if final is not None:
        covered = {m.doel for m in plan.mijlpalen if m.datum and m.datum >= final and m.aantal is not None}
        targets = (
            ("trajecten", "Trajecten afgerond", _count(d.trajecten)),
            ("duurzame_plaatsingen", "Duurzame plaatsingen", _count(d.duurzame_plaatsingen)),
            ("nieuwe_werkgevers", "Nieuwe werkgevers zonder ervaring met de doelgroep", _range(d.nieuwe_werkgevers)),
        )
        for key, what, value in targets:
            if value is not None and key not in covered:
                rows.append(_row(final, None, f"{what} (doelstelling van het convenant)", value))
    rows.sort(key=lambda row: (row["_datum"] is None, row["_datum"] or dt.date.min))
    dates = [row["_datum"] for row in rows if row["_datum"] is not None]
    end = region.looptijd.einddatum
    for row in rows:
        del row["_datum"]
    return {
        "rijen": _items(rows, PLAN, "mijlpalen"),
        "eerste": min(dates) if dates else None,
        "laatste": max(dates) if dates else None,
        "na_einde": sum(1 for date in dates if end and date > end),
    }


def _row(
    datum: dt.date | None,
    path: tuple[str | int, ...] | None,
    text: str,
    aantal: dict[str, int] | None = None,
    toelichting: str | None = None,
    doel: str | None = None,
    trekker: str | None = None,
) -> dict[str, Any]:
    return {
        "_datum": datum,
        "datum": datum if datum is not None else Missing(path),
        "mijlpaal": hoofdletter(text),
        "aantal": aantal,
        "doel": doel,
        "trekker": trekker,
        "toelichting": toelichting,
    }


def _capaciteit(region: Region, f: Figures) -> dict[str, Any]:
    menskracht = region.financien.menskracht
    hours = region.werkwijze.projectleiding.uren_per_week
    paragraphs = list(region.plan_van_aanpak.capaciteit)
    return {
        "tonen": bool(menskracht or hours or paragraphs),
        "projectleiding_uren": hours,
        "rijen": _items([m.model_dump() for m in menskracht], "financien", "menskracht"),
        "totaal": f.menskracht_totaal if menskracht else None,
        "met_projectleiding": f.capaciteit_totaal if menskracht and hours else None,
        "alineas": _items(paragraphs, PLAN, "capaciteit"),
    }


def _ips(region: Region, f: Figures) -> dict[str, Any]:
    """The IPS financing, only for the target groups with a number of trajecten (0: not stated)."""
    ips = f.ips
    rows = [
        {"doelgroep": name, "trajecten": g.trajecten, "tarief": g.tarief, "maanden": g.maanden, "totaal": g.totaal}
        for name, g in (("EPA", ips.epa), ("CMD", ips.cmd))
        if g.trajecten
    ]
    notes = list(region.plan_van_aanpak.financiering.toelichting)
    return {
        "tonen": bool(rows or notes),
        "rijen": _items(rows, PLAN, "financiering"),
        "trajecten": ips.trajecten,
        "totaal": ips.totaal,
        "toelichting": _items(notes, PLAN, "financiering", "toelichting"),
    }


def _belanghebbenden(region: Region) -> Items:
    """The plan's own stakeholders, else the parties per kind, each with its role."""
    own = region.plan_van_aanpak.belanghebbenden
    if own:
        return _items([{"functie": b.functie, "naam": b.naam} for b in own], PLAN, "belanghebbenden")
    rows = []
    for soort, heading in SOORT_KOPPEN.items():
        members = [p for p in region.partijen if p.soort == soort]
        if members:
            names = [f"{p.naam} ({p.rol})" if p.rol else p.naam for p in members]
            rows.append({"functie": heading, "naam": ", ".join(names)})
    return _items(rows, "partijen")


def _goedkeuringen(region: Region, f: Figures) -> Items:
    """The plan's own approvers, else the representatives of the covenant's signatories."""
    own = region.plan_van_aanpak.goedkeuringen
    if own:
        return _items(
            [
                {
                    "naam": g.naam if g.naam else Missing((PLAN, "goedkeuringen", i, "naam")),
                    "functie": g.functie,
                    "datum": g.datum,
                    "akkoord": g.akkoord,
                }
                for i, g in enumerate(own)
            ],
            PLAN,
            "goedkeuringen",
        )
    rows = []
    for p in f.ondertekenaars:
        v = p.vertegenwoordiger
        rows.append(
            {
                "naam": v.naam
                if v.naam
                else Missing(("partijen", f.index_in_partijen(p), "vertegenwoordiger", "naam")),
                "functie": ", ".join(part for part in (v.functie, p.naam) if part),
                "datum": None,  # filled in at approval
                "akkoord": False,
            }
        )
    return _items(rows, "partijen")


# What each key of `plan` means, for `convenant templates fields` (a test checks none is missing).
PLAN_FIELDS: dict[str, str] = {
    "opsteller": "naam, functie en organisatie van de opsteller in één regel",
    "inleiding": "de alinea's van de inleiding",
    "projectdoelen": "plan_van_aanpak.projectdoelen, anders de accenten van het convenant als zinnen",
    "definitie_traject": "wat als traject telt",
    "projectleiding": "de projectleiding volgens het convenant",
    "projectleiding.wie": "'één projectleider', 'de projectleiders A en B (duobaan)'",
    "projectleiding.aantal": "aantal projectleiders",
    "projectleiding.vanuit": "de organisatie die de projectleiding levert",
    "projectleiding.extern": "ja als de projectleiding extern is aangesteld",
    "projectleiding.uren": "uren per week voor de projectleiding",
    "projectleiding.alineas": "eigen alinea's van het plan over de projectleiding",
    "mijlpalen": "mijlpalen van het plan, activiteiten en doelstellingen van het convenant",
    "mijlpalen.rijen": "één tabel, op datum: datum, mijlpaal, aantal (van, tot), doel, trekker, toelichting",
    "mijlpalen.rijen[].datum": "uiterste datum",
    "mijlpalen.rijen[].mijlpaal": "wat er dan bereikt is",
    "mijlpalen.rijen[].aantal": "het getal (van, tot; filter bereik), of leeg",
    "mijlpalen.rijen[].aantal.van": "ondergrens",
    "mijlpalen.rijen[].aantal.tot": "bovengrens",
    "mijlpalen.rijen[].doel": "het meetbare doel van een activiteit",
    "mijlpalen.rijen[].trekker": "de eigenaar van een activiteit",
    "mijlpalen.rijen[].toelichting": "uitleg bij de mijlpaal",
    "mijlpalen.eerste": "de vroegste datum in de tabel",
    "mijlpalen.laatste": "de laatste datum in de tabel",
    "mijlpalen.na_einde": "aantal mijlpalen na de einddatum van het convenant",
    "routes": "routes naar werk",
    "routes.bestaand": "routes die er al zijn",
    "routes.nieuw": "routes die met het project starten",
    "routes.aantal": "aantal routes samen",
    "routes.toelichting": "alinea's na de routes",
    "gewenste_resultaten": "gewenste resultaten",
    "uitsluitingen": "wat buiten de scope valt",
    "inzet": "eigen alinea's over de benodigde inzet",
    "inzet_uit_convenant": "ja als het convenant afspraken heeft over sleutelfiguren, ambassadeurs of menskracht",
    "communicatiebehoeften": "communicatiebehoeften",
    "communicatie_organen": "de organen die over communicatie gaan (uit het convenant)",
    "communicatie_aanvullingen": "de eigen alinea's van het convenant bij Communicatie",
    "acceptatiecriteria": "acceptatiecriteria",
    "kritische_factoren": "de voorwaarden van het convenant, dan de eigen kritische factoren",
    "capaciteit": "inzet van de partijen",
    "capaciteit.tonen": "ja als er iets over capaciteit te zeggen is",
    "capaciteit.projectleiding_uren": "uren per week voor de projectleiding",
    "capaciteit.rijen": "financien.menskracht: partij, uren_per_week, rol",
    "capaciteit.totaal": "uren per week van de partijen samen",
    "capaciteit.met_projectleiding": "uren per week met de projectleiding erbij",
    "capaciteit.alineas": "toelichting op de capaciteit",
    "ips": "IPS-financiering, alleen voor de doelgroepen met een aantal trajecten",
    "ips.tonen": "ja als de regio IPS-aantallen of een toelichting heeft",
    "ips.rijen": "per doelgroep: doelgroep, trajecten, tarief, maanden, totaal",
    "ips.trajecten": "IPS-trajecten samen",
    "ips.totaal": "subsidie samen in euro",
    "ips.toelichting": "toelichting op de financiering",
    "gesproken_met": "met wie is gesproken, elk in één regel",
    "belanghebbenden": "eigen belanghebbenden, anders de partijen per soort met hun rol: functie, naam",
    "belanghebbenden[].functie": "functie of soort",
    "belanghebbenden[].naam": "naam of namen",
    "goedkeuringen": "eigen goedkeurders, anders de vertegenwoordigers van de ondertekenaars",
    "goedkeuringen[].naam": "naam",
    "goedkeuringen[].functie": "functie en organisatie",
    "goedkeuringen[].datum": "datum van akkoord (met de hand, als die nog leeg is)",
    "goedkeuringen[].akkoord": "ja als akkoord is gegeven",
}
