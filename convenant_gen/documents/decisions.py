"""The contexts of the documents of a covenant's life after signing: a toetredingsverklaring
per accession, a wijzigingsbesluit per amendment, and the consolidated text. Each is the
covenant's own context (documents/context.py) of the covenant as it stood at the decision
(region/history.py), with the decision itself under `besluit` or `geconsolideerd`.

`document_context` is the one entry for every kind: the build, `templates check` and the
signature fields (`signatories`) all go through it."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from convenant_gen.documents.context import DETAILS, build_context
from convenant_gen.documents.kinds import DocumentKind
from convenant_gen.documents.placeholders import mark
from convenant_gen.figures import figures
from convenant_gen.region import history
from convenant_gen.region.history import Event, State
from convenant_gen.region.kinds import SOORT_NAMEN
from convenant_gen.region.model import Region, Toetredingsbesluit, Wijzigingsbesluit

# What `besluit` and `geconsolideerd` hold, for `convenant templates fields`.
BESLUIT_FIELDS: dict[str, str] = {
    "nummer": "het volgnummer van het besluit (1, 2, …) in de lijst van de regio",
    "datum": "datum van het besluit",
    "partij": "toetreding: de partij die toetreedt (zoals een partij bij partijen)",
    "instemming.aantal": "toetreding: aantal partijen dat instemde",
    "instemming.namen": "toetreding: hun namen (leeg als het regiobestand alleen een aantal noemt)",
    "instemming.partijen": "toetreding: aantal ondertekenaars op die datum, vóór de toetreding",
    "instemming.minimum": "toetreding: minimum aantal dat moest instemmen",
    "instemming.meerderheid": "toetreding: de vereiste meerderheid (filter breuk)",
    "onderwerp": "wijziging: waar het besluit over gaat",
    "wijzigingen": "wijziging: per gewijzigd veld: veld (pad), omschrijving, was en wordt (als tekst)",
    "stemming.voor": "wijziging: stemmen voor",
    "stemming.tegen": "wijziging: stemmen tegen",
    "stemming.onthouding": "wijziging: onthoudingen",
    "stemming.uitgebracht": "wijziging: uitgebrachte stemmen (voor en tegen)",
    "stemming.minimum": "wijziging: minimum aantal stemmen voor",
    "stemming.meerderheid": "wijziging: de vereiste meerderheid in het orgaan",
    "akkoord.aantal": "wijziging: aantal partijen dat schriftelijk akkoord ging",
    "akkoord.namen": "wijziging: hun namen (leeg als het regiobestand alleen een aantal noemt)",
    "akkoord.partijen": "wijziging: aantal ondertekenaars op die datum",
    "akkoord.minimum": "wijziging: minimum aantal voor schriftelijk akkoord",
    "akkoord.meerderheid": "wijziging: de vereiste meerderheid van de partijen",
    "partijen": "wijziging: de ondertekenaars op die datum (voor hun schriftelijk akkoord)",
    "orgaan": "het orgaan dat besluit (wijziging) of waarvan de voorzitter namens de partijen tekent (toetreding)",
    "orgaan_lidwoord": "het lidwoord van dat orgaan: de of het",
    "voorzitter": "naam en functie van wie namens de partijen of het orgaan tekent (leeg: in te vullen)",
}
GECONSOLIDEERD_FIELDS: dict[str, str] = {
    "per": "de datum waarop de tekst geldt: --per, anders de datum van het laatste besluit",
    "besluiten": "de verwerkte besluiten in volgorde: soort (toetreding, wijziging), datum, omschrijving",
}
DETAILS.update(besluit=BESLUIT_FIELDS, geconsolideerd=GECONSOLIDEERD_FIELDS)
# The signer's name of the block in which the chair signs for all parties (toetreding).
FOR_THE_PARTIES = "Namens de partijen"


def accessions(region: Region) -> list[tuple[str, object]]:
    """(slug of the joining party, its event) per accession: toetredingsverklaring-<regio>-<partij>."""
    from convenant_gen.region.reference import slugify

    return [(slugify(e.besluit.partij.naam), e) for e in history.events(region) if e.soort == "toetreding"]  # type: ignore[union-attr]


def amendments(region: Region) -> list[tuple[str, object]]:
    """(number, event) per amendment, numbered as in the file: wijzigingsbesluit-<regio>-<n>."""
    return [(str(e.index + 1), e) for e in history.events(region) if e.soort == "wijziging"]


def consolidated(region: Region) -> list[tuple[str, object]]:
    """One consolidated text, for a region with decisions: convenant-<regio>-geconsolideerd."""
    return [("geconsolideerd", None)] if history.events(region) else []


def with_sample_decisions(region: Region) -> Region:
    """`region` itself if it has decisions, else with one sample accession and one sample
    amendment (extending the term by a year), so `templates check` can try the templates of
    decision documents against every example region."""
    from convenant_gen.region.model import Partij, Stemming, Vertegenwoordiger

    if history.events(region):
        return region
    signers = len(history.signatories(region))
    start = region.looptijd.ingangsdatum or dt.date(2022, 1, 1)
    end = region.looptijd.einddatum or start
    accession = Toetredingsbesluit(
        datum=start,
        partij=Partij(naam="Voorbeeldpartij", soort="overig", vertegenwoordiger=Vertegenwoordiger(naam="A. Voorbeeld")),
        instemming=signers,
    )
    amendment = Wijzigingsbesluit(
        datum=start,
        onderwerp="verlenging van de looptijd",
        wijzigingen={"looptijd.einddatum": dt.date(end.year + 1, end.month, min(end.day, 28))},
        stemming=Stemming(voor=max(signers, 1)),
        schriftelijk_akkoord=signers + 1,
    )
    return region.model_copy(
        update={
            "toetreding": region.toetreding.model_copy(update={"besluiten": [accession]}),
            "aanpassing": region.aanpassing.model_copy(update={"besluiten": [amendment]}),
        }
    )


def document_context(
    kind: DocumentKind,
    region: Region,
    item: object = None,
    *,
    definitief: bool = False,
    datum: dt.date | None = None,
    per: dt.date | None = None,
) -> dict[str, Any]:
    """What the template of `kind` sees for `region` (and `item`, for a kind that fans out)."""
    if kind.per_item is None:
        return build_context(region, definitief=definitief, datum=datum)
    if kind.key == "geconsolideerd":
        state = history.state_at(region, per)
        ctx = build_context(state.region, definitief=definitief, datum=datum, state=state)
        ctx["geconsolideerd"] = _consolidated(state, per)
        return ctx
    if not isinstance(item, Event):  # a kind that fans out over something else: the item as it is
        ctx = build_context(region, definitief=definitief, datum=datum)
        ctx[kind.item_name] = item
        return ctx
    state = history.state_before(region, item)
    ctx = build_context(state.region, definitief=definitief, datum=datum, state=state)
    if isinstance(item.besluit, Toetredingsbesluit):
        ctx[kind.item_name] = _accession(item, item.besluit, state)
    else:
        assert isinstance(item.besluit, Wijzigingsbesluit)
        ctx[kind.item_name] = _amendment(item, item.besluit, state, ctx)
    return ctx


def signatories(kind: DocumentKind, region: Region, item: object = None) -> list[str]:
    """The names of a signed document's signature blocks, in the order they appear."""
    if not isinstance(item, Event):
        return figures(region).handtekeningvolgorde
    before = history.state_before(region, item).region
    if isinstance(item.besluit, Toetredingsbesluit):
        return [item.besluit.partij.naam, FOR_THE_PARTIES]
    return [f"Namens {_organ_with_article(before)}", *(p.naam for p in figures(before).ondertekenaars)]


# --- the decisions as templates see them ------------------------------------------------------


def _accession(event: Event, besluit: Toetredingsbesluit, state: State) -> dict[str, Any]:
    region = state.region
    parties = history.signatories(region)
    fraction = region.toetreding.meerderheid
    names, count = _consent(besluit.instemming, region)
    main = region.hoofdorgaan.naam if region.hoofdorgaan else "stuurgroep"
    party = {**besluit.partij.model_dump(), "soort_naam": SOORT_NAMEN[besluit.partij.soort]}
    value = {
        "nummer": event.index + 1,
        "datum": besluit.datum,
        "partij": party,
        "instemming": {
            "aantal": count,
            "namen": names,
            "partijen": len(parties),
            "minimum": history.needed(fraction, len(parties)),
            "meerderheid": fraction,
        },
        "orgaan": main,
        "orgaan_lidwoord": _article(main),
        "voorzitter": _chair(besluit.voorzitter.naam, besluit.voorzitter.functie, main),
    }
    return mark(value, event.path)  # type: ignore[no-any-return]


def _amendment(event: Event, besluit: Wijzigingsbesluit, state: State, ctx: dict[str, Any]) -> dict[str, Any]:
    region = state.region
    after = history.apply(state, event).region
    fraction, written = region.aanpassing.meerderheid, region.aanpassing.schriftelijk_akkoord
    vote = besluit.stemming
    cast = vote.voor + vote.tegen
    parties = history.signatories(region)
    names, count = _consent(besluit.schriftelijk_akkoord, region)
    organ = history.organ(region)
    rows = []
    was, wordt = region.model_dump(mode="python"), after.model_dump(mode="python")  # once, not per field
    for key in besluit.wijzigingen:
        path = history.parse_path(key)
        rows.append(
            {
                "veld": key,
                "omschrijving": _description(path),
                "was": _shown(_value_at(was, path)),
                "wordt": _shown(_value_at(wordt, path)),
            }
        )
    value = {
        "nummer": event.index + 1,
        "datum": besluit.datum,
        "onderwerp": besluit.onderwerp,
        "wijzigingen": rows,
        "stemming": {
            "voor": vote.voor,
            "tegen": vote.tegen,
            "onthouding": vote.onthouding,
            "uitgebracht": cast,
            "minimum": max(history.needed(fraction, cast), 1),
            "meerderheid": fraction,
        },
        "akkoord": {
            "aantal": count,
            "namen": names,
            "partijen": len(parties),
            "minimum": history.needed(written, len(parties)),
            "meerderheid": written,
        },
        "orgaan": organ,
        "orgaan_lidwoord": _article(organ),
        "voorzitter": _chair(besluit.voorzitter.naam, besluit.voorzitter.functie, organ),
    }
    marked = mark(value, event.path)
    marked["partijen"] = ctx["ondertekenaars"]  # the parties as the context has them (located in the file)
    return marked  # type: ignore[no-any-return]


def _consolidated(state: State, per: dt.date | None) -> dict[str, Any]:
    decisions = []
    for event in state.applied:
        if isinstance(event.besluit, Toetredingsbesluit):
            text = f"toetreding van {event.besluit.partij.naam}"
            soort = "toetreding"
        else:
            text = f"wijzigingsbesluit {event.index + 1}: {event.besluit.onderwerp}"
            soort = "wijziging"
        decisions.append({"soort": soort, "datum": event.datum, "omschrijving": text})
    last = state.applied[-1].datum if state.applied else None
    return mark({"per": per or last, "besluiten": decisions}, ("geconsolideerd",))  # type: ignore[no-any-return]


def _consent(given: list[str] | int, region: Region) -> tuple[list[str], int]:
    """The consenting parties' names as the covenant spells them, and their number."""
    if isinstance(given, int):
        return [], given
    names: list[str] = []
    for name in given:
        party = region.partij(name)
        shown_name = party.naam if party else name
        if shown_name not in names:
            names.append(shown_name)
    return names, len(names)


def _value_at(data: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    try:
        return history.get_path(data, path)
    except (KeyError, IndexError, TypeError):
        return None


def _shown(value: Any) -> str:
    """A field's value as Dutch text for the was/wordt table."""
    from convenant_gen.documents import formatting

    if value is None or value == [] or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.date):
        return formatting.datum(value)
    if isinstance(value, int):
        return formatting.getal(value)
    if isinstance(value, float):
        return formatting.getal(value)
    if isinstance(value, Fraction):
        return formatting.breuk(value)
    if isinstance(value, str) and "/" in value and value.replace("/", "").isdigit():
        return formatting.breuk(Fraction(value))
    if isinstance(value, list):
        return formatting.opsomming([_shown(v) for v in value])
    if isinstance(value, dict):
        if set(value) == {"van", "tot"}:
            return str(value["van"]) if value["van"] == value["tot"] else f"{value['van']} tot {value['tot']}"
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items() if v not in (None, [], ""))
    return str(value)


def _description(path: tuple[str | int, ...]) -> str:
    """The changed field as a reader names it: 'Einddatum (looptijd)', 'Aantal trajecten
    (doelstellingen)' (its short label, and where it is)."""
    from convenant_gen.documents.placeholders import label
    from convenant_gen.region.load import format_path

    name = label(path).strip("[]")
    where = format_path(path[:-1])
    return f"{name[:1].upper()}{name[1:]}" + (f" ({where})" if where else "")


def _chair(name: str | None, function: str | None, organ: str) -> dict[str, str | None]:
    """Who signs for the parties or the body: as the file says, by default its chair."""
    return {"naam": name, "functie": function or f"voorzitter van {_with_article(organ)}"}


def _article(name: str) -> str:
    return _with_article(name).split()[0]


def _with_article(name: str) -> str:
    from convenant_gen.words import met_lidwoord

    return met_lidwoord(name)


def _organ_with_article(region: Region) -> str:
    return _with_article(history.organ(region))
