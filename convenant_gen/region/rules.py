"""Pure cross-field rules: Region -> findings. No I/O, no clock.

A rule returns `Issue`s with a field path; validate.py adds file and line. Every domain rule
lives here, so the documents, the CLI and the overview all apply the same ones.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from convenant_gen.figures import Doelperiode, figures
from convenant_gen.region.model import Bereik, Region, party_key
from convenant_gen.words import FUNCTIE_MEERVOUD, MAANDEN, naar_aantal

Path_ = tuple[str | int, ...]

NORM_PLAATSINGEN = Fraction(40, 100)  # Hoofdzaak Werk: at least 40 % duurzame plaatsingen
# The total of trajecten may differ this much from trajecten_per_jaar × the period before it is
# a clear mismatch: whole months, rounding and a slow start make a few percent ordinary.
MARGE_JAARTEMPO = Fraction(10, 100)
WAAROM_PARTNERS = "Hoofdzaak Werk is een samenwerking van ggz en werk en inkomen"


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
def check_trajecten_per_jaar(r: Region) -> Iterator[Issue]:
    """The total against trajecten_per_jaar × the period it is counted over (a warning: the
    region may count a slow first year, but a clear mismatch prints two targets that disagree)."""
    d, f = r.doelstellingen, figures(r)
    expected, period = f.trajecten_volgens_jaartempo, f.doelperiode
    if d.trajecten is None or d.trajecten_per_jaar is None or expected is None or period is None:
        return
    if abs(d.trajecten - expected) > max(Fraction(1), expected * MARGE_JAARTEMPO):
        yield _warn(
            ("doelstellingen", "trajecten"),
            f"het totaal van {_aantal(d.trajecten, 'traject', 'trajecten')} past niet bij "
            f"{_aantal(d.trajecten_per_jaar, 'traject', 'trajecten')} per jaar: {_periode(period)} "
            f"zijn dat er {expected}; pas het totaal of het aantal per jaar aan",
        )


def _doel_trajecten(r: Region) -> tuple[int, str | None] | None:
    """The target's total of trajecten: the number the file gives (phrase None), else the number
    trajecten_per_jaar implies over the period, with a phrase that says so."""
    d, f = r.doelstellingen, figures(r)
    if d.trajecten is not None:
        return d.trajecten, None
    implied, period = f.trajecten_volgens_jaartempo, f.doelperiode
    if implied is None or period is None or d.trajecten_per_jaar is None:
        return None
    per_year = _aantal(d.trajecten_per_jaar, "traject", "trajecten")
    return implied, (
        f"de {_aantal(implied, 'traject', 'trajecten')} die {per_year} per jaar {_periode(period)} opleveren"
    )


@rule
def check_plaatsingen(r: Region) -> Iterator[Issue]:
    """Placements and CMD-trajecten within the trajecten: a factual contradiction (an error). When
    the file gives only trajecten_per_jaar, within the total that implies over the period."""
    d = r.doelstellingen
    target = _doel_trajecten(r)
    if target is None:
        return
    total, implied = target
    if d.duurzame_plaatsingen is not None and d.duurzame_plaatsingen > total:
        yield Issue(
            ("doelstellingen", "duurzame_plaatsingen"),
            f"{d.duurzame_plaatsingen} duurzame plaatsingen is meer dan {implied or f'{total} trajecten'}; "
            "een plaatsing komt voort uit een traject",
        )
    elif (
        d.trajecten is not None
        and d.duurzame_plaatsingen is not None
        and (share := figures(r).aandeel_plaatsingen) is not None
        and share < NORM_PLAATSINGEN
    ):
        needed = -(-d.trajecten * NORM_PLAATSINGEN.numerator // NORM_PLAATSINGEN.denominator)
        yield _warn(
            ("doelstellingen", "duurzame_plaatsingen"),
            f"{d.duurzame_plaatsingen} van {d.trajecten} trajecten is "
            f"{float(share) * 100:.0f} procent; de norm van Hoofdzaak Werk is "
            f"40 procent (hier {needed} plaatsingen)",
        )
    if d.trajecten_cmd and d.trajecten_cmd.tot > total:
        yield Issue(
            ("doelstellingen", "trajecten_cmd"),
            f"{d.trajecten_cmd.tot} CMD-trajecten is meer dan {implied or f'{total} trajecten in totaal'}",
        )


@rule
def check_ips_in_doel(r: Region) -> Iterator[Issue]:
    """The IPS-trajecten of the plan are trajecten of the target: more of them than the target
    holds is a factual contradiction (an error). Within the target's CMD band (a warning): more
    IPS-trajecten for CMD than its top, or for EPA than the total leaves beside its bottom (an
    EPA-traject is no CMD-traject). Warnings, because the band is the region's estimate ("25 tot
    40") and the plan counts trajecten financed where the target counts trajecten completed
    before its date; only the total is fixed enough to refuse."""
    ips, d = figures(r).ips, r.doelstellingen
    target = _doel_trajecten(r)
    if ips.trajecten == 0 or target is None:
        return
    total, implied = target
    doel = implied or f"de {_aantal(total, 'traject', 'trajecten')} van de doelstelling"
    doel_veld = "doelstellingen.trajecten_per_jaar" if implied else "doelstellingen.trajecten"
    financiering: Path_ = ("plan_van_aanpak", "financiering")
    if ips.trajecten > total:
        yield Issue(
            financiering,
            f"{ips.trajecten} IPS-trajecten (EPA {ips.epa.trajecten}, CMD {ips.cmd.trajecten}) is meer dan "
            f"{doel}; de IPS-trajecten tellen mee in de doelstelling: verhoog {doel_veld} of verlaag "
            "de IPS-trajecten",
        )
        return
    cmd = d.trajecten_cmd
    if cmd is None:
        return
    if ips.cmd.trajecten > cmd.tot:
        yield _warn(
            (*financiering, "cmd", "trajecten"),
            f"{ips.cmd.trajecten} IPS-trajecten voor CMD is meer dan de {_bereik(cmd)} CMD-trajecten van de "
            "doelstelling (doelstellingen.trajecten_cmd); verlaag de IPS-trajecten voor CMD of verhoog "
            "doelstellingen.trajecten_cmd",
        )
    if ips.epa.trajecten + cmd.van > total:
        yield _warn(
            (*financiering, "epa", "trajecten"),
            f"{ips.epa.trajecten} IPS-trajecten voor EPA en minstens {cmd.van} CMD-trajecten "
            f"(doelstellingen.trajecten_cmd) zijn samen {ips.epa.trajecten + cmd.van}, meer dan {doel}; "
            f"een EPA-traject is geen CMD-traject: verlaag de IPS-trajecten voor EPA of verhoog {doel_veld}",
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


# Deadlines and first meetings of the covenant itself: after the end is an error, because the
# covenant then no longer binds anyone (a deadline or a first meeting under an ended covenant
# contradicts its own term; the fix is the date or a longer term). Before the start is only a
# warning: preparations before signing happen, and a network that already exists may meet or
# deliver before its new covenant takes effect. The plan's milestones stay warnings on both
# sides (check_milestones_in_looptijd): the plan may run to its own verwachte_einddatum.


@rule
def check_activities_in_looptijd(r: Region) -> Iterator[Issue]:
    start, end = r.looptijd.ingangsdatum, r.looptijd.einddatum
    for i, a in enumerate(r.activiteiten):
        path: Path_ = ("activiteiten", i, "uiterlijk")
        if a.uiterlijk and end and a.uiterlijk > end:
            yield Issue(
                path,
                f"{a.uiterlijk.isoformat()} ligt na het einde van de looptijd ({end.isoformat()}); "
                "kies een datum binnen de looptijd of verleng de looptijd",
            )
        elif a.uiterlijk and start and a.uiterlijk < start:
            yield _warn(
                path,
                f"{a.uiterlijk.isoformat()} ligt vóór de ingangsdatum ({start.isoformat()}); een activiteit "
                "van het convenant valt binnen de looptijd: kies een latere datum",
            )


@rule
def check_first_meetings_in_looptijd(r: Region) -> Iterator[Issue]:
    """A body's first meeting (a month) within the term, counted in whole months."""
    start, end = r.looptijd.ingangsdatum, r.looptijd.einddatum
    for i, o in enumerate(r.werkwijze.organen):
        month = o.eerste_bijeenkomst
        if month is None:
            continue
        path: Path_ = ("werkwijze", "organen", i, "eerste_bijeenkomst")
        what = f"de eerste bijeenkomst van orgaan '{o.naam}' in {_maand(month)}"
        if end and (month.year, month.month) > (end.year, end.month):
            yield Issue(
                path,
                f"{what} ligt na het einde van de looptijd ({end.isoformat()}); kies een maand binnen de "
                "looptijd of verleng de looptijd",
            )
        elif start and (month.year, month.month) < (start.year, start.month):
            yield _warn(
                path,
                f"{what} ligt vóór de ingangsdatum ({start.isoformat()}); kies de eerste bijeenkomst onder "
                f"dit convenant, vanaf {_maand(start)}",
            )


@rule
def check_bodies_exist(r: Region) -> Iterator[Issue]:
    if not r.werkwijze.organen:
        yield Issue(("werkwijze", "organen"), "geef minstens één orgaan, bijvoorbeeld een stuurgroep")


@rule
def check_signing_parties(r: Region) -> Iterator[Issue]:
    if r.partijen and not figures(r).ondertekenaars:
        yield Issue(("partijen",), "geen enkele partij ondertekent; zet bij minstens één 'ondertekent: ja'")


def _partner_issues(r: Region) -> Iterator[tuple[Issue, bool]]:
    """A ggz-instelling, and UWV or a gemeente, among the signatories: each lack as an error,
    with whether the file chose it (the party is listed with 'ondertekent: nee') rather than
    not yet filled it in (the party is not listed at all)."""
    signing = figures(r).ondertekenaars
    if not signing:
        return  # check_signing_parties
    kinds = {p.soort for p in signing}
    if "ggz-instelling" not in kinds:
        silent = [(i, p) for i, p in enumerate(r.partijen) if p.soort == "ggz-instelling"]
        if len(silent) == 1:
            i, p = silent[0]
            yield (
                Issue(
                    ("partijen", i, "ondertekent"),
                    f"{p.naam} is de enige ggz-instelling en ondertekent niet; zet 'ondertekent: ja' "
                    f"({WAAROM_PARTNERS})",
                ),
                True,
            )
        elif silent:
            names = ", ".join(p.naam for _, p in silent)
            yield (
                Issue(
                    ("partijen",),
                    f"geen van de ggz-instellingen ({names}) ondertekent; zet bij minstens één "
                    f"'ondertekent: ja' ({WAAROM_PARTNERS})",
                ),
                True,
            )
        else:
            who = (
                f"de enige ondertekenaar, {signing[0].naam}, is geen ggz-instelling"
                if len(signing) == 1
                else f"geen van de {len(signing)} ondertekenaars is een ggz-instelling"
            )
            yield (
                Issue(
                    ("partijen",),
                    f"{who}; {WAAROM_PARTNERS}: voeg een ggz-instelling toe met 'soort: ggz-instelling'",
                ),
                False,
            )
    if not kinds & {"uwv", "gemeente"}:
        silent = [(i, p) for i, p in enumerate(r.partijen) if p.soort in ("uwv", "gemeente")]
        centrum = r.partij(r.regio.centrumgemeente)
        silent.sort(key=lambda ip: ip[1] is not centrum)  # the centrumgemeente first
        add_uwv = "" if any(p.soort == "uwv" for p in r.partijen) else " of voeg UWV toe"
        if silent:
            i, p = silent[0]
            yield (
                Issue(
                    ("partijen", i, "ondertekent"),
                    f"geen van de ondertekenaars is UWV of een gemeente; laat {p.naam} ondertekenen "
                    f"('ondertekent: ja'){add_uwv} ({WAAROM_PARTNERS})",
                ),
                True,
            )
        else:  # the centrumgemeente is missing too, which check_centrumgemeente reports
            yield (
                Issue(
                    ("partijen",),
                    f"geen van de ondertekenaars is UWV of een gemeente; voeg UWV of de gemeenten toe "
                    f"({WAAROM_PARTNERS})",
                ),
                False,
            )


@rule
def check_partners(r: Region) -> Iterator[Issue]:
    """A concept is warned where it chose the lack ('ondertekent: nee'); check_partners_definitief
    refuses every lack for signing (see check_region). A concept whose list simply has no
    ggz-instelling yet is unfinished, not contradictory: like every other missing piece
    (check_complete) that is for the definitief build to refuse."""
    for issue, chosen in _partner_issues(r):
        if chosen:
            yield _warn(issue.path, issue.message)


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


@rule
def check_signing_together(r: Region) -> Iterator[Issue]:
    """Place and date of signing go together: both when all parties sign at one meeting,
    neither when each signs apart (then every signature block has its own line)."""
    o = r.ondertekening
    if (o.plaats is None) != (o.datum is None):
        given, missing = ("plaats", "datum") if o.datum is None else ("datum", "plaats")
        yield _warn(
            ("ondertekening", missing),
            f"ontbreekt terwijl ondertekening.{given} is ingevuld; vul beide in als alle partijen samen "
            "tekenen, of laat beide leeg als elke partij apart tekent (dan krijgt elke handtekening een "
            "regel voor plaats en datum)",
        )


@rule
def check_copies_follow_the_signatories(r: Region) -> Iterator[Issue]:
    """'In drievoud getekend' with eleven signatories leaves eight without an original: each
    party that signs keeps one. Fewer copies than signatories is a slip of the format."""
    copies = r.ondertekening.exemplaren
    signatories = len(figures(r).ondertekenaars)
    if copies is not None and signatories and copies < signatories:
        yield _warn(
            ("ondertekening", "exemplaren"),
            f"{copies} exemplaren voor {_aantal(signatories, 'ondertekenaar', 'ondertekenaars')}: elke partij "
            "die tekent, houdt een exemplaar. Vul het aantal ondertekenaars in of laat het veld leeg (dan staat "
            "er 'in zoveel exemplaren als er ondertekenaars zijn')",
        )


_VERB_PHRASE = re.compile(
    r"\b(kunnen|kan|mogen|mag|moeten|moet|zullen|zal|willen|wil|worden|wordt|zijn|is|hebben|heeft|nemen|neemt)\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"\b(die|dat|welke|wie|waarvan|waarin)\b", re.IGNORECASE)


@rule
def check_samenstelling_is_a_noun_phrase(r: Region) -> Iterator[Issue]:
    """'De klankbordgroep bestaat uit …' must go on with who is in it, not with a sentence."""
    for i, o in enumerate(r.werkwijze.organen):
        text = o.samenstelling
        if not text:
            continue
        verb = _VERB_PHRASE.search(text)
        if verb and not _RELATIVE.search(text[: verb.start()]):
            yield _warn(
                ("werkwijze", "organen", i, "samenstelling"),
                f"'{o.naam} bestaat uit {text}' is geen goede zin: beschrijf wie erin zitten, zonder "
                f"werkwoord ('{verb.group(0)}'), bijvoorbeeld 'vertegenwoordigers van alle convenantpartners' "
                "of 'alle convenantpartners die willen deelnemen'",
            )


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
    ]
    for path, value in required:
        if value is None or value == []:
            yield Issue(path, "ontbreekt; een definitief convenant heeft dit nodig")
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
def check_partners_definitief(r: Region) -> Iterator[Issue]:
    yield from (issue for issue, _ in _partner_issues(r))


@definitief_rule
def check_representatives(r: Region) -> Iterator[Issue]:
    for lacking in figures(r).vertegenwoordiging_ontbreekt:
        for field in lacking.ontbreekt:
            yield Issue(
                ("partijen", lacking.index, "vertegenwoordiger", field),
                f"{lacking.partij.naam} ondertekent, maar de {field} van de vertegenwoordiger ontbreekt",
            )


# --- plan van aanpak agrees with the covenant -------------------------------------------
#
# The plan and the covenant of one region are read side by side; where the plan states a fact
# the covenant states too (how many project leaders, the numbers on the final date, the plan's
# own end) they must agree. A concept is warned, a definitief build refuses: each of these is a
# factual contradiction a signatory would find.

# Words in the plan's text that count the project leaders.
_TWO_LEADERS = re.compile(
    r"\bduo(?:baan|banen|-?functie|-?projectleiders?)\b|\b(?:twee|2|beide)\s+(?:projectleiders|aanjagers)\b",
    re.IGNORECASE,
)
_ONE_LEADER = re.compile(r"\b(?:één|1|enige)\s+(?:projectleider|aanjager)\b", re.IGNORECASE)
_DOEL_NAMEN = {
    "trajecten": ("traject", "trajecten"),
    "duurzame_plaatsingen": ("duurzame plaatsing", "duurzame plaatsingen"),
    "nieuwe_werkgevers": ("nieuwe werkgever", "nieuwe werkgevers"),
}


def _plan_texts(r: Region) -> Iterator[tuple[Path_, str]]:
    """Every text the plan writes in its own words, with its field path."""
    p = r.plan_van_aanpak
    plan = "plan_van_aanpak"
    for name in (
        "inleiding",
        "projectdoelen",
        "projectleiding",
        "gewenste_resultaten",
        "uitsluitingen",
        "inzet",
        "communicatiebehoeften",
        "acceptatiecriteria",
        "kritische_factoren",
        "capaciteit",
    ):
        for i, text in enumerate(getattr(p, name)):
            yield (plan, name, i), text
    if p.definitie_traject:
        yield (plan, "definitie_traject"), p.definitie_traject
    for i, m in enumerate(p.mijlpalen):
        yield (plan, "mijlpalen", i, "omschrijving"), m.omschrijving
        if m.toelichting:
            yield (plan, "mijlpalen", i, "toelichting"), m.toelichting
    for name in ("bestaand", "nieuw", "toelichting"):
        for i, text in enumerate(getattr(p.routes, name)):
            yield (plan, "routes", name, i), text
    for i, text in enumerate(p.financiering.toelichting):
        yield (plan, "financiering", "toelichting", i), text


def _plan_leaders(r: Region) -> Iterator[Issue]:
    """A duobaan in the plan with one project leader in the covenant, or the other way round."""
    leiding = r.werkwijze.projectleiding
    many = FUNCTIE_MEERVOUD[leiding.functie]
    wrong, has = (_TWO_LEADERS, f"één {leiding.functie}") if leiding.aantal == 1 else (_ONE_LEADER, f"twee {many}")
    for path, text in _plan_texts(r):
        found = wrong.search(text)
        if found:
            yield Issue(
                path,
                f"het plan spreekt van '{found.group(0)}', maar het convenant heeft {has} "
                f"(werkwijze.projectleiding.aantal is {leiding.aantal}); pas de tekst van het plan of "
                "werkwijze.projectleiding.aantal aan",
            )


def _plan_final_numbers(r: Region) -> Iterator[Issue]:
    """A milestone on or after the final date that counts a target of the covenant (trajecten,
    duurzame plaatsingen, nieuwe werkgevers) must give the covenant's number."""
    d = r.doelstellingen
    final = figures(r).doeldatum
    if final is None:
        return
    target = _doel_trajecten(r)
    targets: dict[str, tuple[Bereik, str]] = {}
    if target is not None:
        total, implied = target
        field = "doelstellingen.trajecten_per_jaar" if implied else "doelstellingen.trajecten"
        targets["trajecten"] = (Bereik(van=total, tot=total), f"vóór {final.isoformat()} ({field})")
    if d.duurzame_plaatsingen is not None:
        n = d.duurzame_plaatsingen
        targets["duurzame_plaatsingen"] = (Bereik(van=n, tot=n), "(doelstellingen.duurzame_plaatsingen)")
    if d.nieuwe_werkgevers is not None:
        targets["nieuwe_werkgevers"] = (d.nieuwe_werkgevers, "(doelstellingen.nieuwe_werkgevers)")
    for i, m in enumerate(r.plan_van_aanpak.mijlpalen):
        if m.datum is None or m.datum < final or m.aantal is None or m.doel not in targets:
            continue
        expected, source = targets[m.doel]
        if (m.aantal.van, m.aantal.tot) != (expected.van, expected.tot):
            one, many = _DOEL_NAMEN[m.doel]
            yield Issue(
                ("plan_van_aanpak", "mijlpalen", i, "aantal"),
                f"de mijlpaal van {m.datum.isoformat()} noemt {_bereik(m.aantal)} "
                f"{naar_aantal(m.aantal.tot, one, many)}, maar het convenant {_bereik(expected)} "
                f"{naar_aantal(expected.tot, one, many)} {source}; maak de mijlpaal en het convenant gelijk",
            )


def _plan_after_its_end(r: Region) -> Iterator[Issue]:
    """A milestone after the plan's end (its verwachte_einddatum, else the covenant's einddatum).
    Where check_milestones_in_looptijd warned about the same milestone, in its words: the
    definitief error then replaces that warning (see check_region)."""
    end = figures(r).verwachte_einddatum
    if end is None:
        return
    warned = {issue.path: issue.message for issue in check_milestones_in_looptijd(r)}
    for i, m in enumerate(r.plan_van_aanpak.mijlpalen):
        path: Path_ = ("plan_van_aanpak", "mijlpalen", i, "datum")
        if m.datum and m.datum > end:
            yield Issue(
                path,
                warned.get(path)
                or f"mijlpaal op {m.datum.isoformat()} ligt na de verwachte einddatum van het plan "
                f"({end.isoformat()}, plan_van_aanpak.verwachte_einddatum); kies een eerdere datum of een "
                "latere verwachte einddatum",
            )


def _plan_contradictions(r: Region) -> Iterator[Issue]:
    yield from _plan_leaders(r)
    yield from _plan_final_numbers(r)
    yield from _plan_after_its_end(r)


@rule
def check_plan_agrees(r: Region) -> Iterator[Issue]:
    """The plan's contradictions of the covenant, as warnings in a concept (a milestone the
    looptijd rule warns about already is not warned twice)."""
    warned = {issue.path for issue in check_milestones_in_looptijd(r)}
    for issue in _plan_contradictions(r):
        if issue.path not in warned:
            yield _warn(issue.path, issue.message)


@definitief_rule
def check_plan_agrees_definitief(r: Region) -> Iterator[Issue]:
    """The same contradictions refuse a definitief build: nobody signs a plan that says otherwise
    than its covenant."""
    yield from _plan_contradictions(r)


@rule
def check_decisions(r: Region) -> Iterator[Issue]:
    """Accessions and amendments after signing: each against the covenant as it stood just
    before it (region/history.py)."""
    if not (r.toetreding.besluiten or r.aanpassing.besluiten):
        return
    from convenant_gen.region.history import check_history

    for issue in check_history(r):
        yield Issue(issue.path, issue.message, issue.severity)


def check_region(region: Region, definitief: bool = False) -> list[Issue]:
    """Every finding; in a definitief build an error of a definitief rule replaces the warning
    of an every-build rule on the same field with the same message (warned in a concept,
    refused for signing), so it is reported once."""
    found = [issue for check in RULES for issue in check(region)]
    if not definitief:
        return found
    strict = [issue for check in DEFINITIEF_RULES for issue in check(region)]
    raised = {(issue.path, issue.message) for issue in strict if issue.severity == "fout"}
    kept = [i for i in found if not (i.severity == "waarschuwing" and (i.path, i.message) in raised)]
    return kept + strict


def _aantal(n: int, enkelvoud: str, meervoud: str) -> str:
    return f"{n} {naar_aantal(n, enkelvoud, meervoud)}"


def _maand(d: dt.date) -> str:
    return f"{MAANDEN[d.month - 1]} {d.year}"


def _bereik(b: Bereik) -> str:
    return str(b.tot) if b.van == b.tot else f"{b.van} tot {b.tot}"


def _periode(p: Doelperiode) -> str:
    """'van 2022-01-01 tot 2023-12-31 (2 jaar)', or 'tot de doeldatum ...' and months."""
    months = p.jaren * 12
    length = f"{months // 12} jaar" if months % 12 == 0 else _aantal(int(months), "maand", "maanden")
    tot = f"de doeldatum {p.tot.isoformat()}" if p.tot_doeldatum else p.tot.isoformat()
    return f"van {p.van.isoformat()} tot {tot} ({length})"


def _iso(d: object) -> str:
    return d.isoformat() if d else "?"  # type: ignore[attr-defined]


def _suggest(name: str, options: list[str]) -> str:
    import difflib

    keyed: dict[str, str] = {}
    for option in options:
        keyed.setdefault(party_key(option), option)
    match = difflib.get_close_matches(party_key(name), list(keyed), n=1, cutoff=0.6)
    return f"; bedoelde u '{keyed[match[0]]}'?" if match else ""
