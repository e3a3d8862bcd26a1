"""National overview: what every region committed to, against the national targets.

Reads region files with the same loader and rules as `build`, so its figures can never differ
from the documents. Writes a deterministic workbook (openpyxl) and offers the same rows to the
terminal and to JSON.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from convenant_gen.errors import Finding, InputError, in_file_order
from convenant_gen.region.kinds import SOORT_KOPPEN
from convenant_gen.words import breuk

if TYPE_CHECKING:
    from convenant_gen.region.model import Region


@functools.cache
def national_targets() -> dict[str, Any]:
    text = resources.files("convenant_gen").joinpath("data/landelijke-doelen.yaml").read_text("utf-8")
    return cast(dict[str, Any], yaml.safe_load(text))


@dataclass
class Row:
    regio: str
    bestand: str
    status: str  # concept | definitief | ongeldig
    ingangsdatum: dt.date | None = None
    einddatum: dt.date | None = None
    trajecten: int | None = None
    duurzame_plaatsingen: int | None = None
    aandeel_plaatsingen: float | None = None
    trajecten_per_jaar: int | None = None
    primaire_doelgroepen: str = ""
    ondertekenaars_per_soort: dict[str, int] = field(default_factory=dict)
    zonder_vertegenwoordiger: list[str] = field(default_factory=list)
    stuurgroep_per_jaar: int | None = None
    aanpassing: str = ""
    aanpassing_minimum: int | None = None
    toetreding: str = ""
    toetreding_minimum: int | None = None
    waarschuwingen: int = 0
    fouten: int = 0
    # After signing (region/history.py): who joined and which amendments were adopted; the term,
    # the signatories and the minima above are those of the covenant as it stands after them.
    toetredingen: list[str] = field(default_factory=list)
    wijzigingen: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("ingangsdatum", "einddatum"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    def to_json(self) -> dict[str, Any]:
        """The row as JSON values, read back by from_json (the signatories as pairs, in order)."""
        data = self.as_dict()
        data["ondertekenaars_per_soort"] = [[k, n] for k, n in self.ondertekenaars_per_soort.items()]
        return data

    @classmethod
    def from_json(cls, data: Any) -> Row | None:
        """The row written by to_json, or None when anything in `data` is not of that exact shape."""
        if not (isinstance(data, dict) and data.keys() == _ROW_FIELDS):
            return None
        try:
            values = {key: _ROW_CHECKS[key](value) for key, value in data.items()}
        except (TypeError, ValueError):
            return None
        return cls(**values)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _whole(value: Any) -> int:
    if type(value) is not int:  # not a bool, not a float
        raise TypeError
    return value


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


def _date(value: Any) -> dt.date:
    date = dt.date.fromisoformat(_text(value))
    if date.isoformat() != value:
        raise ValueError
    return date


def _fraction(value: Any) -> float:
    if type(value) is not float:
        raise TypeError
    return value


def _status(value: Any) -> str:
    if value not in ("concept", "definitief", "ongeldig"):
        raise ValueError
    return cast(str, value)


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise TypeError
    return [_text(v) for v in value]


def _counts(value: Any) -> dict[str, int]:
    if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 for p in value):
        raise TypeError
    counts = {_text(k): _whole(n) for k, n in value}
    if len(counts) != len(value):
        raise ValueError
    return counts


_ROW_CHECKS: dict[str, Callable[[Any], Any]] = {
    "regio": _text,
    "bestand": _text,
    "status": _status,
    "ingangsdatum": _optional(_date),
    "einddatum": _optional(_date),
    "trajecten": _optional(_whole),
    "duurzame_plaatsingen": _optional(_whole),
    "aandeel_plaatsingen": _optional(_fraction),
    "trajecten_per_jaar": _optional(_whole),
    "primaire_doelgroepen": _text,
    "ondertekenaars_per_soort": _counts,
    "zonder_vertegenwoordiger": _texts,
    "stuurgroep_per_jaar": _optional(_whole),
    "aanpassing": _text,
    "aanpassing_minimum": _optional(_whole),
    "toetreding": _text,
    "toetreding_minimum": _optional(_whole),
    "waarschuwingen": _whole,
    "fouten": _whole,
    "toetredingen": _texts,
    "wijzigingen": _texts,
}
_ROW_FIELDS = frozenset(_ROW_CHECKS)
_FINDING_FIELDS = frozenset(("line", "column", "field", "message", "severity"))


def findings_to_json(findings: list[Finding], file: str) -> list[dict[str, Any]] | None:
    """A region's findings as JSON values, without their file (every one must be `file`);
    None when one names another file."""
    if any(f.file != file for f in findings):
        return None
    return [{k: v for k, v in f.as_dict().items() if k != "file"} for f in findings]


def findings_from_json(data: Any, file: str) -> list[Finding] | None:
    """The findings written by findings_to_json, located in `file`; None when anything is not
    of that exact shape."""
    if not isinstance(data, list):
        return None
    found = []
    for item in data:
        if not (isinstance(item, dict) and item.keys() == _FINDING_FIELDS):
            return None
        line, column, name, message, severity = (
            item["line"],
            item["column"],
            item["field"],
            item["message"],
            item["severity"],
        )
        if not (
            type(line) is int
            and type(column) is int
            and isinstance(name, str)
            and isinstance(message, str)
            and severity in ("fout", "waarschuwing")
        ):
            return None
        found.append(Finding(file, line, column, name, message, severity))
    return found


@dataclass(frozen=True)
class Signing:
    """How far a region's covenant PDF is signed: fields signed of all, and whether every
    signature in it is intact (or what is wrong with the file)."""

    signed: int
    total: int
    problem: str | None = None  # Dutch

    @property
    def shown(self) -> str:
        if self.problem:
            return self.problem
        return f"{self.signed} van {self.total}"


def signing_pdfs(folder: Path, stem: str) -> list[Path]:
    """The covenant PDF a region's parties sign, where a build into `folder` puts it (one per
    region: the kinds that are signed and do not fan out; accessions and amendments have their
    own status in `convenant ondertekening`)."""
    from convenant_gen.documents.kinds import all_kinds

    return [
        folder / stem / kind.file_name(stem).replace(".docx", ".pdf")
        for kind in all_kinds()
        if kind.signed and kind.per_item is None
    ]


def signing(folder: Path, rows: list[Row]) -> dict[str, Signing]:
    """Per region (by its file), the signing status of its covenant PDF in `folder`, for those
    that have one there."""
    from convenant_gen.output.signing_status import read_status

    found: dict[str, Signing] = {}
    for row in rows:
        for pdf in signing_pdfs(folder, Path(row.bestand).stem):
            if pdf.is_file():
                status = read_status(pdf)
                problem = None if status.ok else status.summary
                found[row.bestand] = Signing(status.signed, status.total, problem)
    return found


@dataclass
class Overview:
    rows: list[Row]
    findings: list[Finding]
    ondertekening: dict[str, Signing] = field(default_factory=dict)  # region file -> its covenant PDF's signing

    def totals(self) -> dict[str, Any]:
        valid = [r for r in self.rows if r.status != "ongeldig"]
        trajecten = sum(r.trajecten or 0 for r in valid)
        plaatsingen = sum(r.duurzame_plaatsingen or 0 for r in valid)
        return {
            "regio's": len(self.rows),
            "geldig": len(valid),
            "definitief": sum(1 for r in valid if r.status == "definitief"),
            "trajecten": trajecten,
            "duurzame_plaatsingen": plaatsingen,
            "aandeel_plaatsingen": plaatsingen / trajecten if trajecten else None,
            "trajecten_per_jaar": sum(r.trajecten_per_jaar or 0 for r in valid),
            "ondertekenaars": sum(sum(r.ondertekenaars_per_soort.values()) for r in valid),
            "zonder_vertegenwoordiger": sum(len(r.zonder_vertegenwoordiger) for r in valid),
        }

    def national(self) -> list[dict[str, Any]]:
        """Sums against the national targets, and what is still missing to reach them."""
        t, n = self.totals(), national_targets()
        lines = [
            ("Trajecten", t["trajecten"], n["trajecten"]),
            ("Duurzame plaatsingen", t["duurzame_plaatsingen"], n["duurzame_plaatsingen"]),
            ("Aandeel duurzame plaatsingen", t["aandeel_plaatsingen"], n["aandeel_plaatsingen"]),
            ("Trajecten per jaar (instroom 2024)", t["trajecten_per_jaar"], n["instroom_2024"]),
        ]
        return [
            {
                "maat": name,
                "regio's": value,
                "landelijk doel": target,
                "nog nodig": max(target - (value or 0), 0) if value is not None else target,
            }
            for name, value, target in lines
        ]

    def as_json(self) -> dict[str, Any]:
        signing = self.ondertekening
        return {
            "regio's": [
                {
                    **r.as_dict(),
                    **(
                        {"ondertekening": {**asdict(signing[r.bestand]), "samenvatting": signing[r.bestand].shown}}
                        if r.bestand in signing
                        else {}
                    ),
                }
                for r in self.rows
            ],
            "totaal": self.totals(),
            "landelijk": self.national(),
            "bevindingen": [f.as_dict() for f in self.findings],
            "bron_landelijke_doelen": national_targets()["bron"],
        }


def collect(files: list[Path], *, definitief: bool = False) -> Overview:
    """Every region's row and findings; `definitief` reads them as `build --definitief` does."""
    from convenant_gen.region.validate import load_region

    rows, findings = [], []
    for path in files:
        try:
            row, found = entry(path, load_region(path, definitief))
        except InputError as e:
            row, found = entry(path, error=e)
        rows.append(row)
        findings += found
    return Overview(rows, in_file_order(findings))


def entry(path: Path, loaded: Any = None, error: InputError | None = None) -> tuple[Row, list[Finding]]:
    """One region's row and findings: from its validated model, or from the error that stopped it."""
    from convenant_gen.region.validate import missing_for_signing

    if error is not None:
        errors = [f for f in error.findings if f.severity == "fout"]
        row = Row(
            regio=path.stem,
            bestand=str(path),
            status="ongeldig",
            fouten=len(errors),
            waarschuwingen=len(error.findings) - len(errors),
        )
        return row, in_file_order(error.findings)
    lacking = missing_for_signing(loaded)
    open_items = [
        Finding(f.file, f.line, f.column, f.field, f"voor ondertekening: {f.message}", "waarschuwing") for f in lacking
    ]
    status = "concept" if lacking else "definitief"
    # In file order, as the workbook lists them: a row kept in the manifest equals the row read again.
    return _row(path, loaded.region, status, len(loaded.warnings)), in_file_order([*loaded.warnings, *open_items])


def _row(path: Path, signed: Region, status: str, warnings: int) -> Row:
    """The region's row: the covenant as it stands after every recorded decision."""
    from convenant_gen.documents.formatting import datum
    from convenant_gen.figures import figures
    from convenant_gen.region.history import state_at
    from convenant_gen.region.model import Toetredingsbesluit

    state = state_at(signed)
    region = state.region
    joined, amended = [], []
    for event in state.applied:
        if isinstance(event.besluit, Toetredingsbesluit):
            joined.append(f"{event.besluit.partij.naam} ({datum(event.datum)})")
        else:
            amended.append(f"{datum(event.datum)}: {event.besluit.onderwerp}")
    d, f = region.doelstellingen, figures(region)
    main = region.hoofdorgaan
    share = f.aandeel_plaatsingen
    return Row(
        regio=region.regio.naam,
        bestand=str(path),
        status=status,
        ingangsdatum=region.looptijd.ingangsdatum,
        einddatum=region.looptijd.einddatum,
        trajecten=d.trajecten,
        duurzame_plaatsingen=d.duurzame_plaatsingen,
        aandeel_plaatsingen=float(share) if share is not None else None,
        trajecten_per_jaar=f.trajecten_per_jaar,
        primaire_doelgroepen="; ".join(region.doelgroepen.primair),
        ondertekenaars_per_soort=dict(f.ondertekenaars_per_soort),
        zonder_vertegenwoordiger=list(f.zonder_vertegenwoordiger),
        stuurgroep_per_jaar=main.vergaderingen_per_jaar if main else None,
        aanpassing=breuk(region.aanpassing.meerderheid),
        aanpassing_minimum=f.minimum_partijen(region.aanpassing.meerderheid),
        toetreding=breuk(region.toetreding.meerderheid),
        toetreding_minimum=f.minimum_partijen(region.toetreding.meerderheid),
        waarschuwingen=warnings,
        toetredingen=joined,
        wijzigingen=amended,
    )


# --- workbook ------------------------------------------------------------------------------

DATE = "[$-413]d mmmm yyyy"  # Dutch month names whatever the reader's locale
NUMBER = "#,##0"
PERCENT = "0%"
FIXED_TIME = dt.datetime(2000, 1, 1)


def prepare() -> None:
    """Import what workbook_bytes needs, ahead of time (see pipeline.batch)."""
    import openpyxl.chart
    import openpyxl.styles  # noqa: F401


def workbook_bytes(overview: Overview) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from convenant_gen.output.write import zip_bytes, zip_entries

    wb = Workbook()
    kinds = [k for k in SOORT_KOPPEN if any(k in r.ondertekenaars_per_soort for r in overview.rows)]
    header_font, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F3A5F")

    ws = wb.active
    ws.title = "Regio's"
    columns: list[tuple[str, str | None]] = [
        ("Regio", None),
        ("Status", None),
        ("Ingangsdatum", DATE),
        ("Einddatum", DATE),
        ("Trajecten", NUMBER),
        ("Duurzame plaatsingen", NUMBER),
        ("Aandeel plaatsingen", PERCENT),
        ("Trajecten per jaar", NUMBER),
        ("Primaire doelgroepen", None),
        *[(f"Ondertekenaars: {SOORT_KOPPEN[k].lower()}", NUMBER) for k in kinds],
        ("Ondertekenaars zonder vertegenwoordiger", NUMBER),
        ("Stuurgroep per jaar", NUMBER),
        ("Aanpassing: meerderheid", None),
        ("Aanpassing: minimum partijen", NUMBER),
        ("Toetreding: meerderheid", None),
        ("Toetreding: minimum partijen", NUMBER),
        ("Waarschuwingen", NUMBER),
        ("Fouten", NUMBER),
    ]
    history = any(r.toetredingen or r.wijzigingen for r in overview.rows)
    if history:  # only when a region records decisions after signing
        columns += [("Toegetreden", None), ("Wijzigingen", None)]
    signing = overview.ondertekening
    if signing:  # only when covenant PDFs are there: who has signed, per region
        columns += [("Ondertekend (PDF)", None)]
    _append(ws, [name for name, _ in columns])
    for r in overview.rows:
        _append(
            ws,
            [
                r.regio,
                r.status,
                r.ingangsdatum,
                r.einddatum,
                r.trajecten,
                r.duurzame_plaatsingen,
                r.aandeel_plaatsingen,
                r.trajecten_per_jaar,
                r.primaire_doelgroepen,
                *[r.ondertekenaars_per_soort.get(k, 0) if r.status != "ongeldig" else None for k in kinds],
                len(r.zonder_vertegenwoordiger) if r.status != "ongeldig" else None,
                r.stuurgroep_per_jaar,
                r.aanpassing or None,
                r.aanpassing_minimum,
                r.toetreding or None,
                r.toetreding_minimum,
                r.waarschuwingen,
                r.fouten,
                *(["; ".join(r.toetredingen) or None, "; ".join(r.wijzigingen) or None] if history else []),
                *([signing[r.bestand].shown if r.bestand in signing else None] if signing else []),
            ],
        )
    t = overview.totals()
    last = len(overview.rows) + 1
    totals = [
        "Totaal",
        f"{t['geldig']} geldig, {t['definitief']} definitief",
        None,
        None,
        t["trajecten"],
        t["duurzame_plaatsingen"],
        t["aandeel_plaatsingen"],
        t["trajecten_per_jaar"],
        None,
    ]
    totals += [sum(r.ondertekenaars_per_soort.get(k, 0) for r in overview.rows) for k in kinds]
    totals += [
        t["zonder_vertegenwoordiger"],
        None,
        None,
        None,
        None,
        None,
        sum(r.waarschuwingen for r in overview.rows),
        sum(r.fouten for r in overview.rows),
    ]
    if history:
        totals += [
            f"{sum(len(r.toetredingen) for r in overview.rows)} toegetreden",
            f"{sum(len(r.wijzigingen) for r in overview.rows)} gewijzigd",
        ]
    if signing:
        complete = sum(1 for s in signing.values() if not s.problem and s.total and s.signed == s.total)
        totals.append(f"{complete} van {len(overview.rows)} volledig")
    _append(ws, totals)
    _style_table(ws, columns, header_font, fill)
    for cell in ws[last + 1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"

    nat = wb.create_sheet("Landelijk")
    _append(nat, ["Maat", "Regio's samen", "Landelijk doel", "Nog nodig"])
    for line in overview.national():
        _append(nat, [line["maat"], line["regio's"], line["landelijk doel"], line["nog nodig"]])
    for row in nat.iter_rows(min_row=2):
        fmt = PERCENT if row[0].value == "Aandeel duurzame plaatsingen" else NUMBER
        for cell in row[1:]:
            cell.number_format = fmt
    _append(nat, [])
    _append(nat, [f"Bron: {national_targets()['bron']}"])
    _style_table(nat, [("Maat", None), ("", None), ("", None), ("", None)], header_font, fill, widths=[36, 16, 16, 14])
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Trajecten per regio"
    chart.y_axis.title = "trajecten"
    chart.legend = None
    chart.height, chart.width = max(7.5, 0.5 * len(overview.rows)), 18
    data = Reference(ws, min_col=5, min_row=1, max_row=last)
    labels = Reference(ws, min_col=1, min_row=2, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    nat.add_chart(chart, "F2")

    bev = wb.create_sheet("Bevindingen")
    _append(bev, ["Bestand", "Regel", "Kolom", "Veld", "Soort", "Bevinding"])
    for f in overview.findings:
        _append(bev, [f.file, f.line or None, f.column or None, f.field, f.severity, f.message])
    _style_table(bev, [("", None)] * 6, header_font, fill, widths=[40, 8, 8, 40, 14, 90])
    bev.freeze_panes = "A2"
    bev.auto_filter.ref = f"A1:F{max(len(overview.findings) + 1, 1)}"
    for row in bev.iter_rows(min_row=2):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")

    for sheet in wb.worksheets:  # printable: landscape, as wide as the page, repeated header row
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.print_title_rows = "1:1"
    wb.properties.creator = "convenant"
    wb.properties.title = "Overzicht regionale convenanten Hoofdzaak Werk"
    wb.properties.created = FIXED_TIME
    out = io.BytesIO()
    wb.save(out)
    return zip_bytes(
        (name, _fixed_core_dates(data) if name == "docProps/core.xml" else data)
        for name, data in zip_entries(out.getvalue())
    )


def _append(sheet: Any, values: list[Any]) -> None:
    """A row of cells; text is data: control characters shown as escapes (openpyxl refuses
    them raw) and text that starts with '=' stays text, never a formula."""
    from convenant_gen.text import clean

    row = [clean(v) if isinstance(v, str) else v for v in values]
    sheet.append(row)
    for column, value in enumerate(row, start=1):
        if isinstance(value, str) and value.startswith("="):
            sheet.cell(row=sheet._current_row, column=column).data_type = "s"


def _style_table(
    ws: Any, columns: list[tuple[str, str | None]], font: Any, fill: Any, widths: list[int] | None = None
) -> None:
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font, cell.fill = font, fill
    formats = [fmt for _, fmt in columns]
    if any(formats):
        for row in ws.iter_rows(min_row=2, max_col=len(columns)):
            for cell, fmt in zip(row, formats, strict=True):
                if fmt:
                    cell.number_format = fmt
    if not widths:  # as wide as the longest value shown, within 8 to 60
        longest = [0] * len(columns)
        for values in ws.iter_rows(max_col=len(columns), values_only=True):
            for index, (value, fmt) in enumerate(zip(values, formats, strict=True)):
                longest[index] = max(longest[index], len(_shown(value, fmt)))
        widths = [min(max(n + 2, 8), 60) for n in longest]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _shown(value: Any, fmt: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return "30 september 2023"
    if isinstance(value, float) and fmt == PERCENT:
        return "100%"
    return str(value)


def _fixed_core_dates(core: bytes) -> bytes:
    """openpyxl stamps 'modified' with the wall clock at save; the same input must give the same bytes."""
    import re

    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2000-01-01T00:00:00Z\2", core)
