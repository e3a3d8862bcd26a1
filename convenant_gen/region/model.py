"""The region model: one YAML file per arbeidsmarktregio, validated by pydantic v2.

Field names are the Dutch YAML keys, because template authors write them in Word
(`{{ regio.naam }}`). Each field has a Dutch description and, where the national format
gives guidance, a `toelichting`: `convenant init` and `convenant schema` are generated from them.
Fields the format fixes default to the format's value. No I/O here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    create_model,
    model_validator,
)

from convenant_gen.documents.kinds import all_kinds
from convenant_gen.region.bounds import FIRST_YEAR, LAST_YEAR, MAX_AANTAL, MAX_BEDRAG, MAX_TEXT, MAX_UREN
from convenant_gen.region.kinds import SoortPartij
from convenant_gen.words import DEEL_WOORDEN, GETAL_WOORDEN, MAANDEN

# --- value types -------------------------------------------------------------------------
#
# Every value a region file gives is bounded here, once, in the shared types: what passes
# validation can be formatted, rendered into Word and written to the overview workbook.

MONTHS = MAANDEN


# Control characters other than tab and newline (Word and openpyxl refuse most of them, the
# rest would be invisible in a signed document), the noncharacters U+FFFE/U+FFFF and lone
# surrogates (no XML, no UTF-8).
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def dutch_number(value: int) -> str:
    """1000000 -> '1.000.000'."""
    return f"{value:,}".replace(",", ".")


def shown(value: Any, limit: int = 60, quote: str = "'") -> str:
    """A value quoted in a message: short, whatever the region file holds."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"een getal van meer dan {limit} cijfers"
    text = str(value)
    return quote + (f"{text[: limit - 1]}…" if len(text) > limit else text) + quote


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int) and abs(value) >= 10**60:  # str() of a huge int fails or takes long
        raise ValueError(f"verwacht tekst, gekregen {shown(value)}")
    if isinstance(value, int | float | dt.date):
        return str(value)
    return value


def _check_text(value: str) -> str:
    bad = _FORBIDDEN_CHARACTER.search(value)
    if bad:
        kind = "een ongeldig teken" if bad.group() >= "\ud800" else "een onzichtbaar stuurteken"
        raise ValueError(
            f"bevat {kind} (U+{ord(bad.group()):04X}, positie {bad.start() + 1}) dat niet in een "
            "Word-document mag; typ de tekst opnieuw"
        )
    value = value.strip()
    if not value:
        raise ValueError("is leeg; vul tekst in of laat het veld weg")
    if len(value) > MAX_TEXT:
        raise ValueError(
            f"is te lang ({dutch_number(len(value))} tekens; hoogstens {dutch_number(MAX_TEXT)}); "
            "kort de tekst in of verdeel haar over meer alinea's"
        )
    return value


Tekst = Annotated[str, BeforeValidator(_text), AfterValidator(_check_text)]


def _check_year(value: dt.date) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"het jaar {value.year} ligt buiten {FIRST_YEAR} tot en met {LAST_YEAR}; controleer de datum")
    return value


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        s = value.strip().lower()
        m = re.fullmatch(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})", s)
        if m:
            day, month, year = map(int, m.groups())
            return _make_date(year, month, day, value)
        m = re.fullmatch(r"(\d{1,2}) ([a-z]+) (\d{4})", s)
        if m and m.group(2) in MONTHS:
            return _make_date(int(m.group(3)), MONTHS.index(m.group(2)) + 1, int(m.group(1)), value)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
        if m:
            year, month, day = map(int, m.groups())
            return _make_date(year, month, day, value)
        raise ValueError(f"verwacht een datum zoals 2022-01-01 of 1 januari 2022, gekregen {shown(value)}")
    return value


def _make_date(year: int, month: int, day: int, original: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{shown(original)} bestaat niet als datum") from None


Datum = Annotated[
    dt.date,
    BeforeValidator(_date),
    AfterValidator(_check_year),
    WithJsonSchema({"type": "string", "examples": ["2022-01-01", "1 januari 2022", "1-1-2022"]}),
]


def _month(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, str):
        s = value.strip().lower()
        m = re.fullmatch(r"([a-z]+) (\d{4})", s)
        if m and m.group(1) in MONTHS:
            return _make_date(int(m.group(2)), MONTHS.index(m.group(1)) + 1, 1, value)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", s) or re.fullmatch(r"(\d{1,2})[-/](\d{4})", s)
        if m:
            a, b = map(int, m.groups())
            year, month = (a, b) if a > 12 else (b, a)
            if 1 <= month <= 12:
                return _make_date(year, month, 1, value)
        raise ValueError(f"verwacht een maand zoals 'maart 2022' of 2022-03, gekregen {shown(value)}")
    return value


MaandJaar = Annotated[
    dt.date,
    BeforeValidator(_month),
    AfterValidator(_check_year),
    WithJsonSchema({"type": "string", "examples": ["maart 2022", "2022-03"]}),
]


def _yes_no(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in {"ja", "j", "nee", "n"}:
        return value.strip().lower().startswith("j")
    return value


JaNee = Annotated[bool, BeforeValidator(_yes_no)]


def _fraction(value: Any) -> Any:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and not -100 <= value <= 100:
        raise ValueError(_majority_message(shown(value)))  # inf and nan too
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, float) and math.isfinite(value):
        return Fraction(value).limit_denominator(100)
    if isinstance(value, str):
        s = value.strip().lower().replace("-", " ")
        s = re.sub(r"\s*(meerderheid|deel)$", "", s)
        m = re.fullmatch(r"(\d{1,6})\s*/\s*(\d{1,6})", s)
        if m and int(m.group(2)) > 0:
            return Fraction(int(m.group(1)), int(m.group(2)))
        m = re.fullmatch(r"(\d{1,6})\s*%", s) or re.fullmatch(r"(\d{1,6})\s*procent", s)
        if m:
            return Fraction(int(m.group(1)), 100)
        parts = s.split()
        if len(parts) == 2 and parts[0] in GETAL_WOORDEN and parts[1] in DEEL_WOORDEN:
            return Fraction(GETAL_WOORDEN[parts[0]], DEEL_WOORDEN[parts[1]])
        if s in {"de helft", "helft", "half"}:
            return Fraction(1, 2)
        if s in {"unaniem", "allen", "alle"}:
            return Fraction(1)
    raise ValueError(f"verwacht een breuk zoals 'twee derde', '2/3' of '75%', gekregen {shown(value)}")


def _majority_message(value: str) -> str:
    return (
        f"een meerderheid moet meer dan de helft en ten hoogste alle partijen zijn; "
        f"{value} kan niet (de format kiest twee derde)"
    )


def _majority(value: Fraction) -> Fraction:
    if not Fraction(1, 2) < value <= 1:
        raise ValueError(_majority_message(str(value)))
    return value


Meerderheid = Annotated[
    Fraction,
    BeforeValidator(_fraction),
    AfterValidator(_majority),
    PlainSerializer(lambda f: f"{f.numerator}/{f.denominator}", return_type=str),
    WithJsonSchema({"type": "string", "examples": ["twee derde", "2/3", "drie vierde"]}),
]


def _not_yes_no(value: Any) -> Any:
    if isinstance(value, bool):  # pydantic would read ja/true as 1
        raise ValueError(f"verwacht een getal, gekregen {'ja' if value else 'nee'}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"verwacht een getal, gekregen {shown(value)}")
    return value


Aantal = Annotated[int, Field(ge=0, le=MAX_AANTAL), BeforeValidator(_not_yes_no)]
Bedrag = Annotated[int, Field(ge=0, le=MAX_BEDRAG), BeforeValidator(_not_yes_no)]
Uren = Annotated[float, Field(ge=0, le=MAX_UREN, allow_inf_nan=False), BeforeValidator(_not_yes_no)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def veld(
    default: Any = ..., beschrijving: str = "", toelichting: str | None = None, voorbeeld: Any = None, **kwargs: Any
) -> Any:
    """A field with its Dutch description and the format's guidance (for init and schema)."""
    extra: dict[str, Any] = {}
    if toelichting:
        extra["toelichting"] = toelichting
    if voorbeeld is not None:
        extra["voorbeeld"] = voorbeeld
    return Field(default, description=beschrijving, json_schema_extra=extra or None, **kwargs)


class Bereik(Model):
    """A number or a range such as '25 tot 50'."""

    van: Aantal
    tot: Aantal

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return {"van": value, "tot": value}
        if isinstance(value, str):
            m = re.fullmatch(r"\s*(\d{1,9})\s*(?:-|–|tot|t/m)\s*(\d{1,9})\s*", value)
            if m:
                return {"van": int(m.group(1)), "tot": int(m.group(2))}
            m = re.fullmatch(r"\s*(\d{1,9})\s*", value)
            if m:
                return {"van": int(m.group(1)), "tot": int(m.group(1))}
            raise ValueError(f"verwacht een aantal (50) of een bereik (25 tot 50), gekregen {shown(value)}")
        return value

    @model_validator(mode="after")
    def _order(self) -> Bereik:
        if self.tot < self.van:
            raise ValueError(f"het bereik loopt terug: {self.van} tot {self.tot}")
        return self


# --- the region --------------------------------------------------------------------------

SoortOrgaan = Literal["stuurgroep", "coordinatieteam", "werkgroep", "projectteam", "klankbordgroep", "overig"]


class Regio(Model):
    naam: Tekst = veld(beschrijving="Naam van de arbeidsmarktregio", voorbeeld="Groot-Amsterdam")
    code: Tekst | None = veld(None, "CBS-code van de arbeidsmarktregio", voorbeeld="AM18")
    centrumgemeente: Tekst = veld(
        beschrijving="De centrumgemeente; zij fungeert als kassier",
        toelichting="Centrumgemeente [naam] fungeert als kassier. De centrumgemeente moet ook "
        "als partij (soort: gemeente) in de lijst partijen staan.",
        voorbeeld="Amsterdam",
    )
    subregios: list[Tekst] = veld(
        [],
        "Subregio's, als er met subregio's wordt gewerkt",
        toelichting="Als er met subregio's wordt gewerkt, geef dat dan hier aan.",
    )


class Looptijd(Model):
    ingangsdatum: Datum | None = veld(
        None, "Datum van ondertekening; het convenant treedt dan in werking", voorbeeld="2022-01-01"
    )
    einddatum: Datum | None = veld(None, "Het convenant geldt tot deze datum", voorbeeld="2023-12-31")


class Vervolg(Model):
    maanden_voor_einde: int = veld(
        3,
        "Uiterlijk zoveel maanden voor het einde besluiten de ondertekenaars over het vervolg",
        toelichting="De format noemt drie maanden.",
        ge=1,
        le=24,
    )


class Speerpunten(Model):
    instroom_2024: Aantal | None = veld(
        None,
        "Speerpunt 1: jaarlijkse instroom op de arbeidsmarkt, oplopend tot dit aantal in 2024",
        toelichting="Het project Hoofdzaak Werk - Landelijke opschaling van re-integratie van "
        "mensen met een psychische kwetsbaarheid spreekt van 3.500 personen in 2024 (landelijk).",
        voorbeeld=100,
    )
    regionale_accenten: list[Tekst] = veld([], "Eigen accenten van de regio bij de zes landelijke speerpunten")


class Doelstellingen(Model):
    accenten: list[Tekst] = veld(
        [],
        "Het doel of de doelen waarop de regio het accent van de samenwerking legt",
        toelichting="Genoemde doelen: meer plaatsingen realiseren; mensen met psychische "
        "kwetsbaarheid naar werk begeleiden door middel van (meer) IPS-trajecten; in één keer "
        "doorleiden naar werk van schoolverlaters VSO/Pro-onderwijs; begeleiden naar werk van "
        "mensen met lichte psychische problematiek (CMD); behoud van werk door werkenden met "
        "psychische kwetsbaarheid; stigma's wegnemen bij werkgevers, klantmanagers en "
        "ggz-behandelaars. Combinaties of een eigen tekst kan ook. Een focus op plaatsingen "
        "komt de samenwerking en de resultaten ten goede (AWVN-project).",
        voorbeeld=["meer plaatsingen realiseren"],
    )
    datum: Datum | None = veld(None, "Vóór deze datum zijn de trajecten afgerond", voorbeeld="2023-12-31")
    trajecten: Aantal | None = veld(
        None,
        "Aantal trajecten dat vóór de datum is afgerond",
        toelichting="Concreet doel van Hoofdzaak Werk (landelijk): 5.875 trajecten resulterend "
        "in 2.350 duurzame plaatsingen (40 procent) in uiterlijk 2023; per regio ongeveer 100 "
        "trajecten per jaar.",
        voorbeeld=200,
    )
    trajecten_per_jaar: Aantal | None = veld(
        None, "Aantal trajecten per jaar, als de regio dat zo afspreekt", voorbeeld=100
    )
    trajecten_cmd: Bereik | None = veld(
        None, "Waarvan voor de doelgroep CMD (een aantal of een bereik, bijvoorbeeld 25 tot 40)"
    )
    duurzame_plaatsingen: Aantal | None = veld(
        None,
        "Aantal duurzame plaatsingen waarin de trajecten resulteren",
        toelichting="De norm van Hoofdzaak Werk is ten minste 40 procent van de trajecten.",
        voorbeeld=80,
    )
    nieuwe_werkgevers: Bereik | None = veld(
        None, "Aantal nieuwe werkgevers (zonder ervaring met de doelgroep), of een bereik"
    )
    voorwaarden: list[Tekst] = veld(
        [],
        "Voor het halen van deze doelstellingen is het belangrijk ...",
        toelichting="Meld hier de belangrijkste voorwaarden om de doelstellingen te halen. Denk "
        "aan het creëren van awareness, het betrekken van het WSP en de stakeholders, creëren "
        "van ruimte voor professionals, het trainen van professionals en het delen van successen.",
    )


class Doelgroepen(Model):
    primair: list[Tekst] = veld(
        [],
        "Verbijzondering van de primaire doelgroep waarop de partijen zich specifiek richten",
        toelichting="Denk aan: kandidaten voor IPS-trajecten; mensen met lichtere psychische "
        "aandoeningen (CMD); licht verstandelijk gehandicapten; jongeren; mensen met "
        "sociaalpsychologische problematiek; werkenden; werkzoekenden; leerlingen van "
        "VSO/Pro-scholen; niet-uitkeringsgerechtigden (nuggers). Wees zo specifiek mogelijk, "
        "bijvoorbeeld 'mensen met psychische kwetsbaarheid uit begeleid wonen'.",
        voorbeeld=["kandidaten voor IPS-trajecten"],
    )
    secundair: list[Tekst] = veld(
        [],
        "Secundaire doelgroepen: personen (functies) die ook een rol spelen",
        toelichting="Bijvoorbeeld werkgevers, klantmanagers, intermediairs, ggz-behandelaars, "
        "professionals begeleid wonen, begeleiders VSO/Pro-scholen, zorgverzekeraars. Benoem bij "
        "voorkeur personen (functies), geen organisaties, en wees zo precies mogelijk.",
        voorbeeld=["klantmanagers"],
    )


class Activiteit(Model):
    wat: Tekst = veld(beschrijving="Wat er gebeurt (specifiek)", voorbeeld="workshops over stigma")
    meetbaar_doel: Tekst | None = veld(
        None,
        "Wanneer het doel bereikt is (meetbaar)",
        voorbeeld="minimaal 80% van de klantmanagers neemt deel aan 2 workshops",
    )
    uiterlijk: Datum | None = veld(None, "Uiterste datum (tijdsgebonden)", voorbeeld="2022-12-31")
    eigenaar: Tekst | None = veld(None, "Partij die de activiteit trekt (naam zoals bij partijen)")


class Vertegenwoordiger(Model):
    naam: Tekst | None = veld(None, "Naam van de ondertekenaar", voorbeeld="J. de Vries")
    functie: Tekst | None = veld(None, "Functie van de ondertekenaar", voorbeeld="wethouder")


class Partij(Model):
    naam: Tekst = veld(beschrijving="Naam van de organisatie", voorbeeld="Gemeente Amsterdam")
    soort: SoortPartij = veld(beschrijving="Soort organisatie", voorbeeld="gemeente")
    ondertekent: JaNee = veld(
        True,
        "ja: ondertekent het convenant; nee: werkt alleen mee",
        toelichting="De samenwerkende partijen zijn niet per se de ondertekenende partijen. "
        "Een partij kan meewerken zonder te ondertekenen.",
    )
    vertegenwoordiger: Vertegenwoordiger = veld(
        Vertegenwoordiger(), "Wie de partij vertegenwoordigt bij de ondertekening"
    )
    rol: Tekst | None = veld(None, "Rol of inbreng in de samenwerking (voor bijlage 1)")
    subregio: Tekst | None = veld(None, "Subregio van de partij, als er subregio's zijn")


class Orgaan(Model):
    naam: Tekst = veld(beschrijving="Naam van het orgaan zoals de regio het noemt", voorbeeld="stuurgroep")
    soort: SoortOrgaan = veld(
        "overig",
        "stuurgroep, coordinatieteam, werkgroep, projectteam, klankbordgroep of overig",
        toelichting="In vrijwel alle arbeidsmarktregio's zijn er twee organen: een stuurgroep van "
        "vertegenwoordigers op managementniveau met voldoende mandaat, en een coördinatieteam "
        "voor de dagelijkse afstemming tussen professionals.",
    )
    samenstelling: Tekst | None = veld(
        None,
        "Wie er in zitten, als zelfstandig naamwoord dat volgt op 'bestaat uit' (geen zin met een "
        "werkwoord): 'vertegenwoordigers van alle convenantpartners'",
        voorbeeld="de bestuurders of voorzitters van de ondertekenende partijen of hun gemandateerde vervangers",
    )
    meervoud: JaNee | None = veld(
        None,
        "ja als de naam een meervoud is ('de werkgroepen komen'); leeg: afgeleid uit de naam",
    )
    vergaderingen_per_jaar: Aantal | None = veld(None, "Hoe vaak per jaar het orgaan bijeenkomt")
    wanneer: Tekst | None = veld(
        None, "Wanneer het bijeenkomt: week, maand of seizoen", voorbeeld="maart, juni en november"
    )
    eerste_bijeenkomst: MaandJaar | None = veld(None, "Maand en jaar van de eerste bijeenkomst", voorbeeld="maart 2022")
    organisator: Tekst | None = veld(None, "Partij die de eerste bijeenkomst organiseert")
    bepaalt_evaluatie: JaNee = veld(
        False, "ja: dit orgaan bepaalt ook hoe de resultaten worden geëvalueerd (stuurgroep)"
    )
    taken: list[Tekst] = veld([], "Eigen omschrijving van taken en werkwijze")


def _default_organen() -> list[Orgaan]:
    return [
        Orgaan(naam="stuurgroep", soort="stuurgroep", bepaalt_evaluatie=True),
        Orgaan(naam="coördinatieteam", soort="coordinatieteam"),
    ]


class Projectleiding(Model):
    functie: Literal["projectleider", "aanjager"] = veld(
        "projectleider",
        "projectleider of aanjager",
        toelichting="De projectleider functioneert als schakel tussen stuurgroep, "
        "coördinatieteam en de samenwerkende partijen: een aanjager die hindernissen uit de weg "
        "ruimt. Zij kan extern zijn of gedetacheerd vanuit één van de organisaties.",
    )
    aantal: int = veld(1, "Een of twee projectleiders (duobaan)", ge=1, le=2)
    aanstelling: Literal["intern", "extern"] | None = veld(None, "intern (gedetacheerd vanuit een partij) of extern")
    uren_per_week: Uren | None = veld(None, "Uren per week voor de projectleiding samen")
    namen: list[Tekst] = veld([], "Namen van de projectleider(s), als bekend")
    vanuit: Tekst | None = veld(None, "Partij waaruit de projectleider wordt gedetacheerd")


class Werkwijze(Model):
    organen: list[Orgaan] = veld(
        default_factory=_default_organen,
        beschrijving="De organen van de samenwerking; standaard een stuurgroep en een "
        "coördinatieteam zoals in de format",
    )
    werkgroepen: JaNee = veld(True, "ja: afhankelijk van de behoefte werkgroepen")
    projectleiding: Projectleiding = veld(Projectleiding(), "De projectleider(s) of aanjager")
    sleutelfiguren: JaNee = veld(
        False,
        "ja: elke partij wijst een sleutelfiguur aan",
        toelichting="Sleutelfiguren helpen de samenwerking verder en maken deze tot een vast "
        "proces; zij voeren ook de intakegesprekken met kandidaten uit de ggz-instellingen "
        "(goede ervaringen in Drechtsteden).",
    )
    ambassadeurs: JaNee = veld(
        False,
        "ja: iedere organisatie heeft een ambassadeur met doorzettingsmacht",
        toelichting="Een functionaris met doorzettingsmacht in iedere organisatie, die kan worden "
        "gebeld als het project ergens hapert.",
    )
    ervaringsdeskundigen_in_team: JaNee = veld(
        False,
        "ja: ervaringsdeskundigen maken deel uit van het coördinatieteam",
        toelichting="Er zijn zeer goede ervaringen met het opnemen van ervaringsdeskundigen in het coördinatieteam.",
    )
    dubbele_afvaardiging: JaNee = veld(
        False,
        "ja: partijen vaardigen twee personen af, tegen verloop",
        toelichting="Ervaring leert dat er veel verloop is en dat projecten daardoor soms "
        "stokken. Overweeg om te werken met dubbele afvaardigingen.",
    )


class Menskracht(Model):
    partij: Tekst = veld(beschrijving="Partij (naam zoals bij partijen)", voorbeeld="UWV")
    uren_per_week: Uren = veld(beschrijving="Uren per week die de partij inzet", voorbeeld=4)
    rol: Tekst | None = veld(
        None, "Waarvoor de uren worden ingezet", voorbeeld="deelname coördinatieteam en casuïstiekoverleg"
    )


class Financien(Model):
    besluitvorming_orgaan: Tekst | None = veld(
        None, "Orgaan dat besluit over gezamenlijke projecten en aanvullende financiering (standaard de stuurgroep)"
    )
    kostenverdeling: Tekst = veld(
        "gelijkelijk",
        "Hoe de kosten van de projectleider worden verdeeld",
        toelichting="Maak onderscheid tussen de kosten van de samenwerking en die van de "
        "uitvoering van trajecten, zoals IPS. Bedenk hoe de uitgaven worden verantwoord en aan wie.",
    )
    verdeeld_tussen: Literal["deelnemers", "samenwerkende partijen"] = veld(
        "deelnemers",
        "deelnemers: de deelnemers aan het convenant; samenwerkende partijen: de hierboven "
        "genoemde samenwerkende partijen",
    )
    gefinancierd_uit: Tekst | None = veld(
        None,
        "Als de projectleiding niet door de partijen wordt betaald: waaruit wel",
        voorbeeld="de projectvergoeding vanuit het landelijke project Hoofdzaak Werk",
    )
    menskracht: list[Menskracht] = veld(
        [],
        "Concrete afspraken over de inzet van menskracht, per partij in uren per week",
        toelichting="Voor professionals van ggz-instellingen is deelname aan overleg met "
        "ketenpartijen vaak moeilijk door de urenverantwoording. Maak concrete afspraken over de "
        "ureninzet van managers (stuurgroep) en professionals (coördinatieteam, werkgroepen, "
        "intervisies).",
    )
    afspraken: list[Tekst] = veld([], "Overige concrete afspraken over middelen en menskracht")


class Communicatie(Model):
    organen: list[Tekst] | None = veld(
        None,
        "Organen waarin afspraken over publicaties en persberichten worden gemaakt, een of twee "
        "(standaard de stuurgroep en het coördinatieteam)",
        min_length=1,
        max_length=2,
    )


def _names_or_number(value: Any) -> Any:
    """Consent given as the parties' names, or as a number; a lone name is a list of one."""
    if isinstance(value, str) and not value.strip().isdigit():
        return [value]
    if isinstance(value, str):
        return int(value)
    return value


Instemming = Annotated[
    list[Tekst] | Aantal,
    BeforeValidator(_names_or_number),
    WithJsonSchema(
        {
            "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "integer", "minimum": 0}],
            "examples": [["Arkin/Roads", "GGZ inGeest"], 10],
        }
    ),
]


MAX_CHANGES = 100


def _check_changes(value: dict[str, Any]) -> dict[str, Any]:
    """An amendment's changes: at most MAX_CHANGES fields, each named by a path of at most 200
    characters. Each new value is validated by the model itself when the amendment is applied
    (region/history.py), as the original value was."""
    if len(value) > MAX_CHANGES:
        raise ValueError(f"te veel wijzigingen in één besluit ({len(value)}; hoogstens {MAX_CHANGES})")
    for key in value:
        if len(key) > 200:
            raise ValueError(f"de veldnaam {shown(key)} is te lang (hoogstens 200 tekens)")
    return value


Wijzigingen = Annotated[
    dict[Tekst, Any],
    AfterValidator(_check_changes),
    WithJsonSchema({"type": "object", "examples": [{"looptijd.einddatum": "2024-12-31"}]}),
]


class Stemming(Model):
    voor: Aantal = veld(beschrijving="Stemmen voor het besluit", voorbeeld=11)
    tegen: Aantal = veld(0, "Stemmen tegen")
    onthouding: Aantal = veld(0, "Onthoudingen (tellen niet mee als uitgebrachte stem)")


class Wijzigingsbesluit(Model):
    datum: Datum = veld(beschrijving="Datum waarop het orgaan de wijziging vaststelde", voorbeeld="2023-10-01")
    onderwerp: Tekst = veld(beschrijving="Waar de wijziging over gaat", voorbeeld="verlenging van de looptijd")
    wijzigingen: Wijzigingen = veld(
        beschrijving="De gewijzigde velden met hun nieuwe waarde, als pad in dit bestand",
        toelichting="Bijvoorbeeld looptijd.einddatum: 2024-12-31 of doelstellingen.trajecten: 150. Elke nieuwe "
        "waarde wordt gecontroleerd zoals de oorspronkelijke.",
        voorbeeld={"looptijd.einddatum": "2024-12-31"},
    )
    stemming: Stemming = veld(beschrijving="De stemming in het orgaan dat de wijziging vaststelt")
    voorzitter: Vertegenwoordiger = veld(
        Vertegenwoordiger(), "Wie het besluit namens het orgaan ondertekent (standaard functie: de voorzitter)"
    )
    schriftelijk_akkoord: Instemming = veld(
        beschrijving="De partijen die schriftelijk akkoord gingen: hun namen, of hun aantal", voorbeeld=12
    )


class Toetredingsbesluit(Model):
    datum: Datum = veld(beschrijving="Datum van het besluit tot toetreding", voorbeeld="2022-06-01")
    partij: Partij = veld(beschrijving="De partij die toetreedt (zoals een partij bij partijen)")
    instemming: Instemming = veld(
        beschrijving="De partijen die instemden: hun namen, of hun aantal",
        voorbeeld=["Arkin/Roads", "GGZ inGeest", "Gemeente Amsterdam"],
    )
    voorzitter: Vertegenwoordiger = veld(
        Vertegenwoordiger(),
        "Wie de verklaring namens de partijen ondertekent (standaard functie: de voorzitter van de stuurgroep)",
    )


class Aanpassing(Model):
    orgaan: Tekst | None = veld(None, "Orgaan dat wijzigingen vaststelt (standaard de stuurgroep)")
    meerderheid: Meerderheid = veld(
        Fraction(2, 3),
        "Meerderheid in dat orgaan om een wijziging vast te stellen",
        toelichting="Het landelijk convenant spreekt steeds van twee derde meerderheid. Een regio "
        "kan daarvan afwijken.",
    )
    schriftelijk_akkoord: Meerderheid = veld(
        Fraction(2, 3), "Deel van alle convenantpartijen dat schriftelijk akkoord moet gaan"
    )
    voorbereid_door: Tekst | None = veld(
        None, "Orgaan dat voorstellen tot wijziging voorbereidt (standaard het coördinatieteam)"
    )
    besluiten: list[Wijzigingsbesluit] = veld(
        [],
        "Vastgestelde wijzigingen van het convenant, na de ondertekening",
        toelichting="Een wijziging geldt als het orgaan haar met de meerderheid hierboven vaststelt en de partijen "
        "schriftelijk akkoord gaan. Convenant controleert beide en maakt per besluit een wijzigingsbesluit.",
    )


class Toetreding(Model):
    meerderheid: Meerderheid = veld(Fraction(2, 3), "Meerderheid van de partijen die met toetreding moet instemmen")
    besluiten: list[Toetredingsbesluit] = veld(
        [],
        "Toegetreden partijen, na de ondertekening",
        toelichting="Een nieuwe organisatie treedt toe als de meerderheid hierboven van de partijen instemt; zij "
        "onderschrijft de missie, het doel, de uitgangspunten en de speerpunten. Convenant maakt per toetreding "
        "een toetredingsverklaring.",
    )


class Evaluatie(Model):
    wanneer: Literal["iedere drie maanden", "iedere zes maanden", "halverwege"] = veld(
        "halverwege",
        "iedere drie maanden, iedere zes maanden of halverwege de looptijd (en altijd aan het eind)",
    )
    orgaan: Tekst | None = veld(
        None,
        "In de eerste bijeenkomst van dit orgaan wordt de wijze van evaluatie afgesproken (standaard de stuurgroep)",
    )
    uitgevoerd_door: Tekst | None = veld(None, "Orgaan of externe partij die de evaluatie uitvoert")
    kpis: list[Tekst] = veld(
        [],
        "KPI's waarop wordt geëvalueerd",
        voorbeeld=["aantal gestarte trajecten", "aantal duurzame plaatsingen"],
    )


class Ondertekening(Model):
    plaats: Tekst | None = veld(
        None,
        "Plaats van ondertekening, als alle partijen samen tekenen",
        voorbeeld="Amsterdam",
        toelichting="Tekenen alle partijen samen, vul dan plaats en datum in: ze staan dan één keer boven de "
        "handtekeningen. Laat beide leeg als elke partij apart tekent (ook digitaal): dan staat bij "
        "elke handtekening een regel voor plaats en datum.",
    )
    datum: Datum | None = veld(None, "Datum van ondertekening, als alle partijen samen tekenen")
    exemplaren: int | None = veld(
        None,
        "In hoeveel exemplaren getekend wordt; leeg: in zoveel exemplaren als er ondertekenaars zijn",
        ge=1,
        le=50,
    )


class Paragraaf(Model):
    kop: Tekst | None = veld(None, "Tussenkop", voorbeeld="In de arbeidsmarktregio")
    tekst: Tekst = veld(beschrijving="De tekst van de alinea", voorbeeld="Eigen tekst van de regio.")


class Aanvullingen(Model):
    """The region's own paragraphs, added after the format's standard text of a section."""

    aanleiding: list[Tekst] = veld([], "Eigen alinea's na de standaardtekst van Aanleiding")
    missie: list[Tekst] = veld([], "Eigen alinea's na de standaardtekst van Missie en doel")
    werkwijze: list[Tekst] = veld([], "Eigen alinea's bij Werkwijze en uitvoering")
    communicatie: list[Tekst] = veld([], "Eigen alinea's bij Communicatie")
    achtergrond: list[Paragraaf] = veld(
        [],
        "Regionale informatie en accenten in bijlage 2, na de landelijke tekst",
        toelichting="Denk aan verslagen van het Impuls- of het AWVN-project Werkgeversfocus in de regio.",
    )


# --- plan van aanpak ---------------------------------------------------------------------


class Persoon(Model):
    naam: Tekst = veld(beschrijving="Naam")
    functie: Tekst | None = veld(None, "Functie")
    organisatie: Tekst | None = veld(None, "Organisatie")


class Mijlpaal(Model):
    datum: Datum | None = veld(None, "Uiterste datum", voorbeeld="2023-01-01")
    omschrijving: Tekst = veld(beschrijving="Wat er dan bereikt is", voorbeeld="trajecten gestart")
    aantal: Bereik | None = veld(
        None,
        "Het getal van de mijlpaal (trajecten, werkgevers), of een bereik (25 tot 50)",
        toelichting="Een mijlpaal op de doeldatum (doelstellingen.datum) noemt hetzelfde aantal als het "
        "convenant: de trajecten, de duurzame plaatsingen of de nieuwe werkgevers van doelstellingen.",
        voorbeeld=50,
    )
    toelichting: Tekst | None = veld(
        None,
        "Uitleg bij de mijlpaal: hoe, met wie, wat er nog wordt onderzocht",
        voorbeeld="Inzet van het WSP en de IPS-coaches om nieuwe werkgevers te werven.",
    )

    @property
    def doel(self) -> str | None:
        """The covenant's target this milestone counts, read from its words: 'nieuwe_werkgevers',
        'duurzame_plaatsingen' or 'trajecten' (completed ones: started trajecten are no target)."""
        text = self.omschrijving.casefold()
        if "werkgever" in text:
            return "nieuwe_werkgevers"
        if "plaatsing" in text:
            return "duurzame_plaatsingen"
        if "traject" in text and "start" not in text:
            return "trajecten"
        return None


class Routes(Model):
    """The routes to work the plan uses: links between parties that lead to trajecten."""

    bestaand: list[Tekst] = veld([], "Routes naar werk die er al zijn", voorbeeld=["het casuïstiekoverleg Leiden"])
    nieuw: list[Tekst] = veld([], "Routes naar werk die met het project starten")
    toelichting: list[Tekst] = veld([], "Alinea's na de routes")


_IPS_NIET_OPGEGEVEN = (
    "0 (standaard): niet opgegeven. Geeft de regio voor EPA en CMD geen aantal, dan laat het plan de "
    "IPS-financiering weg."
)


class EpaTrajecten(Model):
    trajecten: Aantal = veld(0, "Aantal IPS-trajecten voor de EPA-doelgroep", toelichting=_IPS_NIET_OPGEGEVEN)
    tarief: Bedrag = veld(11325, "Subsidie per traject in euro (subsidieregeling IPS: € 11.325)")
    maanden: int = veld(36, "Duur van een traject in maanden", ge=1, le=120)


class CmdTrajecten(Model):
    trajecten: Aantal = veld(0, "Aantal IPS-trajecten voor de CMD-doelgroep", toelichting=_IPS_NIET_OPGEGEVEN)
    tarief: Bedrag = veld(8000, "Subsidie per traject in euro (subsidieregeling IPS: € 8.000)")
    maanden: int = veld(24, "Duur van een traject in maanden", ge=1, le=120)


class Financiering(Model):
    epa: EpaTrajecten = veld(EpaTrajecten(), "IPS-trajecten voor de EPA-doelgroep")
    cmd: CmdTrajecten = veld(CmdTrajecten(), "IPS-trajecten voor de CMD-doelgroep")
    toelichting: list[Tekst] = veld(
        [],
        "Toelichting op de IPS-financiering: de subsidieregeling, wat na afloop ervan geldt",
        voorbeeld=["Over de periode na 2023 bestaat nog geen duidelijkheid."],
    )


class Belanghebbende(Model):
    functie: Tekst = veld(beschrijving="Functie of soort belanghebbende")
    naam: Tekst | None = veld(None, "Naam en/of organisatie")


class Goedkeuring(Model):
    naam: Tekst | None = veld(None, "Naam van de key stakeholder")
    functie: Tekst = veld(beschrijving="Functie en organisatie")
    datum: Datum | None = veld(None, "Datum van akkoord")
    akkoord: JaNee = veld(False, "ja: akkoord gegeven")


class PlanVanAanpak(Model):
    opsteller: Persoon | None = veld(None, "Wie het plan heeft opgesteld")
    verwachte_einddatum: Datum | None = veld(None, "Standaard de einddatum van de looptijd")
    inleiding: list[Tekst] = veld([], "Alinea's van de inleiding")
    projectdoelen: list[Tekst] = veld(
        [], "De projectdoelen; leeg: de accenten van het convenant (doelstellingen.accenten)"
    )
    definitie_traject: Tekst | None = veld(
        None,
        "Wat als traject telt, in een of meer zinnen",
        voorbeeld="Een traject is een naar-werktraject van iemand die onder behandeling is van een "
        "ggz-instelling en door een professional naar werk wordt begeleid.",
    )
    projectleiding: list[Tekst] = veld(
        [],
        "Eigen alinea's over de projectleiding: taakverdeling en uren per projectleider, wat zij uitwerken",
        toelichting="Het aantal projectleiders, hun uren en de partij waaruit zij komen staan bij "
        "werkwijze.projectleiding; het plan noemt ze zoals het convenant. Schrijf hier niet van een "
        "duobaan als er één projectleider is.",
    )
    mijlpalen: list[Mijlpaal] = veld(
        [],
        "Mijlpalen met datum en aantal",
        toelichting="Het plan toont ze samen met de activiteiten van het convenant (activiteiten) en de "
        "doelstellingen op de doeldatum, op datum.",
    )
    routes: Routes = veld(Routes(), "Routes naar werk: bestaande en nieuwe verbindingen die tot trajecten leiden")
    gewenste_resultaten: list[Tekst] = veld([], "Gewenste resultaten")
    uitsluitingen: list[Tekst] = veld([], "Wat buiten de scope valt")
    inzet: list[Tekst] = veld(
        [],
        "Welke inzet is nodig om de doelen te halen, naast de afspraken van het convenant over "
        "sleutelfiguren, ambassadeurs en menskracht (die het plan erna toont)",
    )
    communicatiebehoeften: list[Tekst] = veld(
        [], "Communicatiebehoeften, naast de afspraken over publicaties in het convenant"
    )
    acceptatiecriteria: list[Tekst] = veld([], "Acceptatiecriteria")
    kritische_factoren: list[Tekst] = veld(
        [], "Kritische factoren, naast de voorwaarden van het convenant (doelstellingen.voorwaarden)"
    )
    capaciteit: list[Tekst] = veld(
        [], "Toelichting op de capaciteit; de uren per partij staan bij financien.menskracht"
    )
    financiering: Financiering = veld(Financiering(), "Financiering van IPS-trajecten")
    gesproken_met: list[Persoon] = veld([], "Totstandkoming: met wie is gesproken")
    belanghebbenden: list[Belanghebbende] = veld(
        [], "(Overige) belanghebbenden; leeg: de partijen met hun rol, per soort"
    )
    goedkeuringen: list[Goedkeuring] = veld(
        [], "Key stakeholders die het plan goedkeuren; leeg: de vertegenwoordigers van de ondertekenaars"
    )


# A template's own file name: letters, digits, spaces and - _ . ( ) + , & ' only, ending in .docx.
_TEMPLATE_NAME = re.compile(r"\w[\w .()+,&'-]*\.docx", re.IGNORECASE)
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
MAX_TEMPLATE_NAME = 100


def _template_name(name: str) -> str:
    """Only a plain .docx file name in the templates folder: never a path, never '..'."""
    problem = ""
    if any(c in name for c in "/\\:") or ".." in name:
        problem = "-"  # what the message says anyway
    elif not name.lower().endswith(".docx") or len(name) <= len(".docx"):
        problem = "de naam moet eindigen op .docx"
    elif len(name) > MAX_TEMPLATE_NAME:
        problem = f"de naam is te lang ({len(name)} tekens; hoogstens {MAX_TEMPLATE_NAME})"
    elif not _TEMPLATE_NAME.fullmatch(name):
        odd = next((c for c in name if not (c.isalnum() or c in " ._()+,&'-")), name[0])
        problem = f"gebruik letters, cijfers, spaties en - _ . ( ) in de naam, niet U+{ord(odd):04X}"
    elif name.rsplit(".", 1)[0].lower() in _WINDOWS_DEVICES:
        problem = "dat is een apparaatnaam in Windows"
    if problem:
        detail = "" if problem == "-" else f"; {problem}"
        raise ValueError(f"{shown(name)} is geen bestandsnaam van een Word-sjabloon (naam.docx, zonder map){detail}")
    return name


SjabloonNaam = Annotated[Tekst, AfterValidator(_template_name)]


# What a region file's reader learns about a kind's template beyond the generic line
# "Eigen sjabloon voor <label> (standaard <template>)". Optional: a new kind needs no entry.
_TEMPLATE_NOTES: dict[str, dict[str, str]] = {
    "convenant": {
        "beschrijving": "Eigen sjabloon voor het convenant (bestandsnaam in de map met sjablonen)",
        "toelichting": "Standaard convenant.docx, volgens de landelijke format. Een regio met een eigen "
        "opmaak, zoals het 'Convenant Hoofdzaak Werk' van Groot-Amsterdam, kiest hier haar sjabloon.",
        "voorbeeld": "convenant-groot-amsterdam.docx",
    },
}


def _template_fields() -> dict[str, Any]:
    """One optional template name for each kind of document, in the order of KINDS."""
    fields: dict[str, Any] = {}
    for kind in all_kinds():
        if kind.template_of is not None:  # renders another kind's template, chosen there
            continue
        notes = {"beschrijving": f"Eigen sjabloon voor {kind.label} (standaard {kind.template})"}
        notes.update(_TEMPLATE_NOTES.get(kind.key, {}))
        fields[kind.key] = (SjabloonNaam | None, veld(None, **notes))
    return fields


if TYPE_CHECKING:  # the fields are made from KINDS below; read a choice with own_template

    class Sjablonen(Model):
        pass

else:
    # Adding a kind to documents/kinds.py is all it takes for a region file to choose its template.
    Sjablonen = create_model("Sjablonen", __base__=Model, __module__=__name__, **_template_fields())


def own_template(region: Region, kind: str) -> str | None:
    """The template the region file chose for the kind named `kind` under `sjablonen`, if any."""
    choice = getattr(region.sjablonen, kind, None)
    return choice if isinstance(choice, str) else None


class Region(Model):
    """One arbeidsmarktregio's covenant and plan van aanpak."""

    regio: Regio = veld(beschrijving="De arbeidsmarktregio")
    looptijd: Looptijd = veld(Looptijd(), "Looptijd van het convenant")
    vervolg: Vervolg = veld(Vervolg(), "Besluit over het vervolg")
    speerpunten: Speerpunten = veld(Speerpunten(), "De zes landelijke speerpunten")
    doelstellingen: Doelstellingen = veld(Doelstellingen(), "Wat willen we bereiken?")
    doelgroepen: Doelgroepen = veld(Doelgroepen(), "Primaire en secundaire doelgroepen")
    activiteiten: list[Activiteit] = veld(
        [],
        "Activiteitenplan: de doelen vertaald in SMART-activiteiten",
        toelichting="Maak de doelstellingen zo smart mogelijk: Specifiek, Meetbaar, Acceptabel, "
        "Realistisch, Tijdsgebonden. Voorbeeld: 'Binnen de looptijd van het regionaal convenant "
        "plaatsen van 20 mensen met CMD bij werkgevers met een contract voor minimaal 6 maanden'.",
    )
    partijen: list[Partij] = veld(
        [],
        "Samenwerkende partijen",
        toelichting="Soorten die al betrokken zijn: gemeenten, UWV, werkgeversorganisaties, "
        "werkgeversservicepunten, SW-bedrijven, onderwijsinstellingen, zorgverzekeraars, "
        "ggz-instellingen, welzijnsinstellingen, uitzendbureaus, organisaties van "
        "ervaringsdeskundigen en van jobcoaches, begeleid wonen-organisaties, "
        "cliëntenorganisaties, kennisinstellingen.",
    )
    werkwijze: Werkwijze = veld(Werkwijze(), "Werkwijze en uitvoering (governance)")
    financien: Financien = veld(Financien(), "Financiële middelen en menskracht")
    communicatie: Communicatie = veld(Communicatie(), "Communicatie")
    aanpassing: Aanpassing = veld(Aanpassing(), "Aanpassing convenant")
    toetreding: Toetreding = veld(Toetreding(), "Toetreding andere partijen")
    evaluatie: Evaluatie = veld(Evaluatie(), "Evaluatie en monitoring")
    ondertekening: Ondertekening = veld(Ondertekening(), "Ondertekening")
    aanvullingen: Aanvullingen = veld(Aanvullingen(), "Eigen teksten van de regio per paragraaf")
    plan_van_aanpak: PlanVanAanpak = veld(PlanVanAanpak(), "Het plan van aanpak Hoofdzaak Werk")
    sjablonen: Sjablonen = veld(Sjablonen(), "Eigen sjablonen van de regio (standaard die van de format)")

    @property
    def hoofdorgaan(self) -> Orgaan | None:
        """The body that decides: the stuurgroep, or else the first body."""
        organen = self.werkwijze.organen
        return next((o for o in organen if o.soort == "stuurgroep"), organen[0] if organen else None)

    @property
    def werkorgaan(self) -> Orgaan:
        """The body that prepares: the coördinatieteam, a projectteam or werkgroep, or the main body."""
        for soort in ("coordinatieteam", "projectteam", "werkgroep"):
            found = next((o for o in self.werkwijze.organen if o.soort == soort), None)
            if found:
                return found
        return self.hoofdorgaan  # type: ignore[return-value]

    def orgaan(self, naam: str) -> Orgaan | None:
        key = naam.casefold()
        return next((o for o in self.werkwijze.organen if o.naam.casefold() == key), None)

    def partij(self, naam: str) -> Partij | None:
        key = party_key(naam)
        return next((p for p in self.partijen if party_key(p.naam) == key), None)


def party_key(name: str) -> str:
    """'Gemeente Amsterdam', 'gemeente amsterdam' and 'Amsterdam' name the same party."""
    key = " ".join(name.casefold().split())
    return key.removeprefix("gemeente ")
