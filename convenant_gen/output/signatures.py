"""Digital signature fields: one empty AcroForm `/Sig` field per signatory, placed where that
party's block landed in the PDF, found from the PDF's own text, never from guessed coordinates.

A signature block is found by its label, the format's own words: a text line with
"vertegenwoordigd door", in the order of the signature page, and it must hold the party's name
(so a region's own template that orders its blocks differently is caught, not mis-signed). The
field goes over the block's signature line: right of "Handtekening:" when the block has that
label (the national format's table), else in the blank space under the block (the layout of
Groot-Amsterdam's own covenant: "X, vertegenwoordigd door …" and room to sign below).

The fields are added with pyHanko as one incremental update; every later signature is another
(pyHanko, or the signer's own PDF reader), so no signature ever invalidates an earlier one.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convenant_gen.errors import ConvenantError

BLOCK_LABEL = "vertegenwoordigd door"
FIELD_PREFIX = "handtekening-"  # every field of ours: handtekening-gemeente-leiden
READABLE_PREFIX = "Handtekening "  # its /TU, what a PDF reader shows: "Handtekening Gemeente Leiden"
SIGN_LABEL = re.compile(r"Handtekening\s*:?[\s._…]*")
FIELD_HEIGHT = 36.0  # points: room for a drawn or stamped signature
MIN_HEIGHT = 20.0
LINE_TOLERANCE = 4.0  # runs whose lower edges (descenders vary) differ less than this are one line
PAD = 3.0
RULE_WIDTH = 100.0  # a drawn line at least this long and at most this thick is one to sign on
RULE_THICKNESS = 3.0


# PDFium is not thread-safe, not even across documents (pypdfium2's docs: calls from two
# threads at once crash the process). The PDF step finishes documents in one thread per
# LibreOffice worker, and the form renders previews in request threads: every PDFium call of
# ours runs under this lock.
PDFIUM = threading.Lock()


class FieldsNotPlaced(ConvenantError):
    """The PDF does not show the signature blocks the region's signatories need."""


@dataclass(frozen=True)
class Signer:
    field: str  # handtekening-gemeente-leiden
    name: str  # Gemeente Leiden, as in the region file


@dataclass(frozen=True)
class Run:
    x: float
    text: str


@dataclass(frozen=True)
class Line:
    page: int
    y: float  # baseline, in points from the page's lower edge
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return " ".join(" ".join(r.text.split()) for r in self.runs).strip()

    @property
    def x(self) -> float:
        return self.runs[0].x


@dataclass(frozen=True)
class Rule:
    """A horizontal line drawn on a page (a cell border, an underline to sign on)."""

    page: int
    left: float
    right: float
    y: float  # the top of the stroke


@dataclass(frozen=True)
class Layout:
    lines: list[Line]
    rules: list[Rule]
    widths: list[float]  # of every page, in points


@dataclass(frozen=True)
class Placement:
    signer: Signer
    page: int  # 0-based
    box: tuple[int, int, int, int]  # lower left x, y, upper right x, y in points


def field_name(party: str) -> str:
    """'Gemeente Alphen aan den Rijn' -> 'handtekening-gemeente-alphen-aan-den-rijn'."""
    from convenant_gen.region.reference import slug

    return FIELD_PREFIX + (slug(party) or "partij")


def signers(names: Iterable[str]) -> list[Signer]:
    """A field per name, in order; two names with one slug get -2, -3 (field names are unique)."""
    found: list[Signer] = []
    taken: set[str] = set()
    for name in names:
        base = field = field_name(name)
        n = 1
        while field in taken:
            n += 1
            field = f"{base}-{n}"
        taken.add(field)
        found.append(Signer(field, name))
    return found


def layout(pdf: bytes) -> Layout:
    """Every line of text with its page and lower edge, in reading order (page, top to bottom),
    every horizontal line drawn, and the width of every page, in points.

    PDFium (pypdfium2) reads the page: its text segments are the runs, with their boxes, and
    its path objects the drawn lines; 20 ms for a 13-page covenant, where a pure-Python reader
    took 400 ms for the text alone."""
    import pypdfium2 as pdfium

    with PDFIUM:
        return _layout(pdfium.PdfDocument(pdf))


def _layout(document: Any) -> Layout:
    import pypdfium2.raw as pdfium_c

    lines: list[Line] = []
    rules: set[Rule] = set()
    widths: list[float] = []
    try:
        for number in range(len(document)):
            page = document[number]
            widths.append(page.get_width())
            for shape in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=3):
                left, bottom, right, top = shape.get_bounds()
                if right - left >= RULE_WIDTH and top - bottom <= RULE_THICKNESS:
                    rules.add(Rule(number, round(left, 1), round(right, 1), round(top, 1)))
            text = page.get_textpage()
            runs: list[tuple[float, float, str]] = []
            for k in range(text.count_rects()):
                left, bottom, right, top = text.get_rect(k)
                found = text.get_text_bounded(left, bottom, right, top)
                if found.strip():
                    runs.append((bottom, left, found))
            text.close()
            page.close()
            runs.sort(key=lambda r: (-r[0], r[1]))
            current: list[tuple[float, float, str]] = []
            for run in runs:
                if current and abs(current[0][0] - run[0]) > LINE_TOLERANCE:
                    lines.append(_line(number, current))
                    current = []
                current.append(run)
            if current:
                lines.append(_line(number, current))
    finally:
        document.close()
    return Layout(lines, sorted(rules, key=lambda r: (r.page, -r.y, r.left)), widths)


def _line(page: int, runs: list[tuple[float, float, str]]) -> Line:
    ordered = sorted(runs, key=lambda r: r[1])
    return Line(page, min(r[0] for r in runs), tuple(Run(x, text) for _, x, text in ordered))


def _plain(text: str) -> str:
    """Letters and digits only, case-folded: a name wrapped, hyphenated or with curly quotes
    still matches itself."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return "".join(c for c in text.casefold() if c.isalnum())


def locate(pdf: bytes, wanted: list[Signer]) -> list[Placement]:
    """Where each signatory's field goes; raises FieldsNotPlaced saying what is missing."""
    found = layout(pdf)
    lines = found.lines
    starts = [i for i, line in enumerate(lines) if BLOCK_LABEL in line.text]
    if len(starts) != len(wanted):
        raise FieldsNotPlaced(
            f"de PDF heeft {len(starts)} handtekeningblok(ken) (‘{BLOCK_LABEL}’) voor {len(wanted)} "
            "ondertekenaar(s); een eigen sjabloon moet voor elke ondertekenaar één blok met die woorden hebben"
        )
    placements = []
    for n, (start, signer) in enumerate(zip(starts, wanted, strict=True)):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        block = [line for line in lines[start:end] if line.page == lines[start].page]
        if not _names(block, signer.name):
            raise FieldsNotPlaced(
                f"het {n + 1}e handtekeningblok (pagina {lines[start].page + 1}) is niet dat van {signer.name}: "
                "de blokken staan niet in de volgorde van de ondertekenaars, of de naam ontbreekt"
            )
        placements.append(_place(found, signer, start, end))
    return placements


def _names(block: list[Line], name: str) -> bool:
    """Whether the block shows `name`: in its text, or in its first column alone (a long name
    wraps in its column, beside "vertegenwoordigd door" in the next)."""
    wanted = _plain(name)
    if wanted in _plain(" ".join(line.text for line in block)):
        return True
    label = next(run for run in block[0].runs if BLOCK_LABEL in run.text)
    if label.x <= block[0].x + 30:  # one column: nothing to separate
        return False
    first_column = " ".join(run.text for line in block for run in line.runs if run.x < label.x - 1)
    return wanted in _plain(first_column)


def _place(found: Layout, signer: Signer, start: int, end: int) -> Placement:
    """The field of one block: on its signature line (the drawn line right of "Handtekening:",
    or the first line drawn under the block's text), as wide as that line, as high as the
    room above it allows. Without a drawn line: the second column's text right of the label,
    or the blank space under the block."""
    lines = found.lines
    first = lines[start]
    page = first.page
    left, right = first.x, found.widths[page] - first.x  # the text area: symmetric margins
    block = [line for line in lines[start:end] if line.page == page]
    rules = [r for r in found.rules if r.page == page]
    label = next((line for line in block if SIGN_LABEL.fullmatch(line.text)), None)
    if label is not None:
        above = [line.y for line in block if line.y > label.y + LINE_TOLERANCE]
        ceiling = (min(above) if above else label.y + FIELD_HEIGHT + 12) - 8
        near = [r for r in rules if r.left > label.x + 30 and abs(r.y - label.y) <= 10]
        rule = min(near, key=lambda r: abs(r.y - label.y), default=None)
        if rule is not None:
            x0, x1, bottom = rule.left, rule.right, rule.y
        else:
            column = [r.x for line in block for r in line.runs if r.x > label.x + 30]
            x0, x1, bottom = (min(column) if column else label.x + 120) - PAD, right, label.y - 2
    else:
        # The block's text: its label line and the lines that continue it.
        index = start
        while index + 1 < len(lines) and lines[index + 1].page == page and lines[index].y - lines[index + 1].y <= 20:
            index += 1
        following = lines[index + 1] if index + 1 < len(lines) and lines[index + 1].page == page else None
        floor = following.y + 12 if following is not None else 36.0
        ceiling = lines[index].y - 6
        under = [r for r in rules if floor - 12 < r.y < ceiling]
        rule = max(under, key=lambda r: r.y, default=None)  # the first line under the text
        if rule is not None:
            x0, x1, bottom = rule.left, rule.right, rule.y
        else:  # in the blank space before whatever comes next: a heading, the next block, the footer
            x0, x1 = left - PAD, left + (right - left) * 0.6
            bottom = ceiling - min(FIELD_HEIGHT, ceiling - floor)
    height = min(FIELD_HEIGHT, ceiling - bottom)
    if height < MIN_HEIGHT:
        raise FieldsNotPlaced(
            f"bij {signer.name} (pagina {page + 1}) is geen ruimte voor een handtekening: "
            f"{max(height, 0):.0f} punten hoog, minstens {MIN_HEIGHT:.0f} nodig"
        )
    box = (round(x0), round(bottom), round(x1), round(bottom + height))
    return Placement(signer, page, box)


def add_fields(pdf: bytes, wanted: list[Signer], *, keywords: list[str] | None = None) -> bytes:
    """The PDF with an empty signature field per signatory, as one incremental update.

    The update keeps a PDF/A-2 file PDF/A-2: the widgets print and have an appearance stream,
    and the document information and XMP metadata stay in step (pyHanko writes both; its
    producer goes into both, not only into one)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    placements = locate(pdf, wanted) if wanted else []
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    info = writer.trailer_view.get("/Info")
    if info is not None:  # pyHanko appends its name to /Producer but writes only its own to XMP
        kept = generic.DictionaryObject({k: v for k, v in info.get_object().items() if k != "/Producer"})
        writer.set_info(kept)
    if keywords:
        writer.document_meta.keywords = keywords
    for place in placements:
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=place.signer.field,
                on_page=place.page,
                box=place.box,
                readable_field_name=f"{READABLE_PREFIX}{place.signer.name}",
                empty_field_appearance=True,
            ),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def has_signature(pdf: Path) -> bool:
    """Whether a PDF carries at least one signature (a /Sig field with a value). A file that
    is no readable PDF has none."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(pdf)
        for value in (reader.get_fields() or {}).values():
            if value.get("/FT") == "/Sig" and value.get("/V") is not None:
                return True
    except Exception:  # pypdf raises many kinds of error on a damaged file: not a signed PDF
        return False
    return False
