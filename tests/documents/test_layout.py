"""Layout of the covenants as a reader sees them (issue 13, item 7): no blank pages, headings
kept with what follows and formatted by their style only, table columns sized to their content
(no word broken in a cell), curly apostrophes in the template text, and fill-in lines on the
signature page drawn as lines, never as dots. Both covenant templates, all example regions;
the PDF checks read what LibreOffice prints."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from convenant_gen.output.pdf import convert
from convenant_gen.pipeline.build import build_region
from tests.conftest import EXAMPLES, ROOT

TEMPLATES = ROOT / "templates"
COVENANT_TEMPLATES = ("convenant.docx", "convenant-groot-amsterdam.docx")
DAY = dt.date(2026, 11, 23)
VARIANT = "groot-amsterdam-eigen-opmaak"  # Groot-Amsterdam built with its own template
TEXT_WIDTH = 11906 - 2 * 1417  # A4 less the templates' left and right margins, in twips
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def covenants(tmp_path_factory) -> dict[str, Path]:
    """Every example region's covenant, and Groot-Amsterdam's in its own layout."""
    out = tmp_path_factory.mktemp("layout")
    variant = out / f"{VARIANT}.yaml"
    variant.write_text(
        (ROOT / "regions" / "groot-amsterdam.yaml").read_text(encoding="utf-8")
        + "\nsjablonen:\n  convenant: convenant-groot-amsterdam.docx\n",
        encoding="utf-8",
    )
    found = {}
    for source in [*EXAMPLES, variant]:
        outcome = build_region(source, out / source.stem, templates=TEMPLATES, datum=DAY, documents=("convenant",))
        assert outcome.error is None, outcome.error
        found[source.stem] = outcome.written[0]
    return found


@pytest.fixture(scope="module")
def pages(covenants, tmp_path_factory) -> dict[str, list[str]]:
    """Each covenant as LibreOffice prints it: the text of every page."""
    pdfs = convert(list(covenants.values()), tmp_path_factory.mktemp("pdf"))
    result = {}
    for slug, pdf in zip(covenants, pdfs, strict=True):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        result[slug] = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    return result


def _style_keeps_with_next(style) -> bool:
    while style is not None:
        if style.paragraph_format.keep_with_next is not None:
            return bool(style.paragraph_format.keep_with_next)
        style = style.base_style
    return False


def test_headings_keep_with_next_and_take_their_look_from_their_style(covenants):
    for slug, path in covenants.items():
        d = docx.Document(str(path))
        headings = [p for p in d.paragraphs if p.style.name.startswith("Heading")]
        assert len(headings) > 5, slug
        for p in headings:
            assert _style_keeps_with_next(p.style), f"{slug}: style {p.style.name} lacks keepNext"
            assert p.paragraph_format.keep_with_next is not False, f"{slug}: {p.text!r}"
            direct = [
                etree.QName(child).localname for run in p._p.iter(qn("w:r")) if run.rPr is not None for child in run.rPr
            ]
            assert direct == [], f"{slug}: heading {p.text!r} has direct run formatting {direct}"


def _empty(paragraph) -> bool:
    return not "".join(t.text or "" for t in paragraph.iter(qn("w:t"))) and paragraph.find(f".//{W}drawing") is None


def test_page_breaks_cannot_leave_an_empty_page(covenants):
    """A new page starts at its heading (pageBreakBefore), never with a paragraph holding only a
    page break or after an empty paragraph: either lands alone on a page when the text before it
    just fills the previous one (Holland Rijnland's page 12 after the Bijlage 1 table)."""
    for slug, path in covenants.items():
        body = docx.Document(str(path)).element.body
        assert body.findall(f".//{W}br[@{W}type='page']") == [], f"{slug}: a paragraph holds a page break"
        children = list(body.iterchildren())
        for before, after in itertools.pairwise(children):
            if after.tag == qn("w:p") and after.find(f"{W}pPr/{W}pageBreakBefore") is not None:
                assert not (before.tag == qn("w:p") and _empty(before)), (
                    f"{slug}: empty paragraph before {''.join(after.itertext())!r}"
                )


def _body_lines(page: str, furniture: set[str]) -> list[str]:
    lines = [" ".join(line.split()) for line in page.splitlines()]
    return [line for line in lines if line and line not in furniture and not re.fullmatch(r"pagina \d+ van \d+", line)]


def _furniture(path: Path) -> set[str]:
    section = docx.Document(str(path)).sections[0]
    return {" ".join(p.text.split()) for part in (section.header, section.footer) for p in part.paragraphs}


def page_faults(pages: list[str], heads: list[str], furniture: set[str]) -> list[str]:
    """Empty pages (header and footer only), and pages but the last whose text ends with a
    heading (the heading belongs on the next page, with its text)."""
    faults = []
    for number, page in enumerate(pages, 1):
        lines = _body_lines(page, furniture)
        if not lines:
            faults.append(f"page {number} is empty")
        elif number < len(pages) and any(
            h == lines[-1] or (len(lines[-1]) > 5 and h.endswith(lines[-1])) for h in heads
        ):
            faults.append(f"page {number} ends with the heading {lines[-1]!r}")
    return faults


def test_page_faults_can_fail():
    furniture = {"Convenant X", "CONCEPT"}
    pages = [
        "Convenant X\nCONCEPT\nTekst.\n  Vervolg \npagina 1 van 3",
        "Convenant X\nCONCEPT\n\npagina 2 van 3",
        "Convenant X\nUiterlijk twee maanden.\nBijlage 2. Achtergrond",
    ]
    heads = ["Vervolg", "Bijlage 2. Achtergrond"]
    assert page_faults(pages, heads, furniture) == ["page 1 ends with the heading 'Vervolg'", "page 2 is empty"]


def test_printed_covenant_has_no_empty_page_and_no_heading_at_a_page_foot(covenants, pages):
    for slug, path in covenants.items():
        heads = [
            " ".join(p.text.split()) for p in docx.Document(str(path)).paragraphs if p.style.name.startswith("Heading")
        ]
        assert page_faults(pages[slug], heads, _furniture(path)) == [], slug


def test_no_word_is_broken_inside_a_table_cell(covenants, pages):
    """Column widths fit their content: every word of a data table is printed whole on the pages
    of that table ('werkgeversservicepunt', never 'werkgeversservicepun' + 't'). A compound may
    wrap at its hyphen."""
    for slug, path in covenants.items():
        d = docx.Document(str(path))
        for table in d.tables:
            if table.style is None or table.style.name != "Table Grid":
                continue
            header = table.rows[0].cells[-1].text
            printed = [p for p in pages[slug] if " ".join(header.split()) in " ".join(p.split())]
            assert printed, f"{slug}: table with {header!r} not found in the PDF"
            tokens = {t for p in printed for t in re.split(r"[\s,;:.()/]+|-", p)}
            words = {w for row in table.rows for c in row.cells for w in re.split(r"[\s,;:.()/]+|-", c.text)}
            broken = sorted(w for w in words if len(w) > 2 and w not in tokens)
            assert broken == [], f"{slug}: table {header!r}: words broken or missing in print: {broken}"


def _template_tables(name: str) -> list[etree._Element]:
    with zipfile.ZipFile(TEMPLATES / name) as z:
        root = etree.fromstring(z.read("word/document.xml"), etree.XMLParser(resolve_entities=False, no_network=True))
    return root.findall(f".//{W}tbl")


def _twips(element: etree._Element | None) -> int:
    assert element is not None
    return int(element.get(f"{W}w"))


@pytest.mark.parametrize("name", COVENANT_TEMPLATES)
def test_table_columns_are_fixed_and_agree_with_the_grid(name):
    """Word sizes columns by the cells' widths, LibreOffice by the table grid: both must say the
    same, with a fixed layout and the grid within the text width, so both print one table."""
    tables = _template_tables(name)
    assert tables
    for table in tables:
        assert table.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"
        grid = [_twips(col) for col in table.findall(f"{W}tblGrid/{W}gridCol")]
        assert sum(grid) <= TEXT_WIDTH
        for row in table.findall(f"{W}tr"):
            column = 0
            for cell in row.findall(f"{W}tc"):
                span_element = cell.find(f"{W}tcPr/{W}gridSpan")
                span = int(span_element.get(f"{W}val")) if span_element is not None else 1
                assert _twips(cell.find(f"{W}tcPr/{W}tcW")) == sum(grid[column : column + span]), (
                    f"{name}: cell {''.join(cell.itertext())[:40]!r} is not as wide as its grid columns"
                )
                column += span
            assert column == len(grid)


TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def straight_quotes(text: str) -> list[str]:
    """The words around each straight quote in the text outside Jinja tags."""
    outside = TAG.sub(" ", text)
    return [m.group(0) for m in re.finditer(r"\S*['\"]\S*", outside)]


def test_straight_quote_finder_can_fail():
    assert straight_quotes("De regio's {{ 'x' }} en ‘Sterk door werk’ {% if a == \"b\" %}") == ["regio's"]


@pytest.mark.parametrize("name", COVENANT_TEMPLATES)
def test_template_text_has_curly_apostrophes_and_quotes(name):
    found = []
    with zipfile.ZipFile(TEMPLATES / name) as z:
        for part in z.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", part):
                root = etree.fromstring(z.read(part), etree.XMLParser(resolve_entities=False, no_network=True))
                for p in root.iter(f"{W}p"):
                    found += straight_quotes("".join(t.text or "" for t in p.iter(f"{W}t")))
    assert found == []


def _has_bottom_line(cell) -> bool:
    borders = [
        *cell._tc.findall(f"{W}tcPr/{W}tcBorders/{W}bottom"),
        *cell._tc.findall(f"{W}p/{W}pPr/{W}pBdr/{W}bottom"),
    ]
    return any(b.get(f"{W}val") not in (None, "nil", "none") for b in borders)


def test_fill_in_lines_are_drawn_not_dotted(covenants):
    """'Plaats en datum' and 'Handtekening' are filled in by hand: an empty cell with a line
    under it, in Word and in LibreOffice. Never '……': a definitief covenant holds none."""
    d = docx.Document(str(covenants["groot-amsterdam"]))  # signed apart: place and date per block
    rows = [row for t in d.tables for row in t.rows if row.cells[0].text in ("Plaats en datum:", "Handtekening:")]
    assert len(rows) == 2 * 13
    for row in rows:
        assert row.cells[-1].text == "", row.cells[-1].text
        assert _has_bottom_line(row.cells[-1]), row.cells[0].text
    for path in covenants.values():
        for t in docx.Document(str(path)).tables:
            cells = [c for row in t.rows for c in row.cells]
            if any(c.text in ("Plaats en datum:", "Handtekening:") for c in cells):
                texts = [c.text for c in cells if c.text.startswith(("Plaats", "Handtekening"))]
                assert all("…" not in text for text in texts)
