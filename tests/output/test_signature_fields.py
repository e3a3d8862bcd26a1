"""One empty signature field per signatory in the definitief covenant PDF, over that party's
signature line, on the page where its block landed; made by the real LibreOffice through the
CLI. Positions are checked against the PDF's text as PDFium finds it, independently of how
convenant placed them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from convenant_gen.cli import cli
from convenant_gen.output.signatures import FieldsNotPlaced, add_fields, field_name, locate, signers
from tests.conftest import ROOT, signable_holland_rijnland
from tests.output.test_pdf import one_page_pdf

HR_SIGNATORIES = [
    "GGZ Rivierduinen",
    "Gemeente Leiden",
    "Gemeente Katwijk",
    "Gemeente Alphen aan den Rijn",
    "Gemeente Noordwijk",
    "UWV",
    "WSP Holland Rijnland",
    "Stichting Lumen Holland Rijnland",
]
LONG = "Een eigen alinea van de regio over de werkwijze, lang genoeg om de tekst te verlengen. " * 12
LONGER = "aanvullingen:\n  werkwijze:\n" + "".join(f"    - {LONG}\n" for _ in range(3))


def build(folder: Path, text: str, *args: str) -> Path:
    source = folder / "holland-rijnland.yaml"
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(source), "--out", str(folder / "out"), "--doc", "convenant", *args])
    assert result.exit_code == 0, result.output
    return folder / "out" / "holland-rijnland" / "convenant-holland-rijnland.pdf"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("velden")
    found = {}
    for name, text, args in (
        ("definitief", signable_holland_rijnland(), ("--definitief", "--pdf")),
        ("langer", signable_holland_rijnland() + LONGER, ("--definitief", "--pdfa")),
        ("concept", signable_holland_rijnland(), ("--pdf", "--datum", "2026-11-23")),
    ):
        folder = base / name
        folder.mkdir()
        found[name] = build(folder, text, *args)
    return found


def sig_widgets(pdf: Path) -> list[tuple[str, int, list[float], dict]]:
    """(field name, page index, rect, widget) of every signature widget, in page order."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    found = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig":
                found.append((str(widget["/T"]), number, [float(v) for v in widget["/Rect"]], widget))
    return found


def drawn_lines(pdf: Path, page: int) -> list[tuple[float, float, float]]:
    """(left, right, top) of every horizontal line drawn on a page, as PDFium finds them."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    found = []
    for shape in pdfium.PdfDocument(pdf)[page].get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=3):
        left, bottom, right, top = shape.get_bounds()
        if right - left > 50 and top - bottom < 3:
            found.append((left, right, top))
    return found


def on_a_line(pdf: Path, page: int, box) -> bool:
    """The box stands on a drawn line and is no wider than it: a signature goes on the line."""
    x0, y0, x1, _ = box
    return any(
        abs(y0 - top) <= 1.5 and left - 1.5 <= x0 and x1 <= right + 1.5 for left, right, top in drawn_lines(pdf, page)
    )


def labels(pdf: Path, text: str) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Page and box (left, bottom, right, top) of every occurrence of `text`, as PDFium finds it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    found = []
    for number in range(len(document)):
        page = document[number].get_textpage()
        search = page.search(text, match_case=True)
        while (hit := search.get_next()) is not None:
            index, count = hit
            boxes = [page.get_charbox(i) for i in range(index, index + count)]
            found.append((number, (boxes[0][0], min(b[1] for b in boxes), boxes[-1][2], max(b[3] for b in boxes))))
    return found


@pytest.mark.parametrize("variant", ["definitief", "langer"])
def test_one_field_per_signatory_over_its_signature_line(made, variant):
    pdf = made[variant]
    widgets = sig_widgets(pdf)
    assert [w[0] for w in widgets] == [field_name(n) for n in HR_SIGNATORIES]
    assert widgets[3][0] == "handtekening-gemeente-alphen-aan-den-rijn"
    signature_labels = labels(pdf, "Handtekening:")
    place_labels = labels(pdf, "Plaats en datum:")
    assert len(signature_labels) == len(HR_SIGNATORIES)
    for (name, page, rect, widget), (label_page, label), party in zip(
        widgets, signature_labels, HR_SIGNATORIES, strict=True
    ):
        assert page == label_page, f"{name} staat op pagina {page + 1}, het blok op {label_page + 1}"
        x0, y0, x1, y1 = rect
        assert x0 > label[2], f"{name} begint niet rechts van 'Handtekening:'"
        assert abs(y0 - label[1]) < 6, f"{name} staat niet op de handtekeningregel"
        above = [box for p, box in place_labels if p == page and box[1] > label[3]]
        assert above and y1 < min(box[1] for box in above), f"{name} reikt tot in de regel erboven"
        assert y1 - y0 >= 20 and x1 - x0 >= 150
        assert on_a_line(pdf, page, rect), f"{name} staat niet op de handtekeningstreep"
        assert str(widget["/TU"]) == f"Handtekening {party}"
        assert int(widget["/F"]) & 4  # printed
        assert set(widget["/AP"]) == {"/N"}  # PDF/A-2: an appearance, and only the normal one


def test_a_longer_covenant_moves_the_blocks_and_the_fields_with_them(made):
    before = [(w[1], round(w[2][1])) for w in sig_widgets(made["definitief"])]
    after = [(w[1], round(w[2][1])) for w in sig_widgets(made["langer"])]
    assert before != after  # the same test above passed on both


def test_a_concept_gets_no_fields(made):
    """A concept says 'niet ter ondertekening': nothing in it invites a signature."""
    assert sig_widgets(made["concept"]) == []


def test_pdfa_stays_pdfa_with_the_fields(made):
    """What PDF/A-2 asks of an added form field and of the update (veraPDF itself is not
    installable here: no PyPI or Debian package): metadata in step, widgets printable with a
    normal appearance only, no appearance to be generated by the reader, no actions."""
    from pypdf import PdfReader

    reader = PdfReader(made["langer"])
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert 'pdfaid:part="2"' in raw or "<pdfaid:part>2</pdfaid:part>" in raw
    info = reader.metadata
    assert info is not None
    producer = str(info["/Producer"])
    assert f'pdf:Producer="{producer}"' in raw or f"<pdf:Producer>{producer}</pdf:Producer>" in raw
    assert "/Filter" not in reader.trailer["/Root"]["/Metadata"].get_object()  # XMP stays readable as is
    assert reader.trailer["/Root"]["/OutputIntents"]
    form = reader.trailer["/Root"]["/AcroForm"]
    assert not form.get("/NeedAppearances")
    for _, _, _, widget in sig_widgets(made["langer"]):
        assert "/AA" not in widget and "/A" not in widget
        flags = int(widget["/F"])
        assert flags & 4 and not flags & (1 | 2 | 32)  # Print; not Invisible, Hidden or NoView
    assert str(info["/Keywords"]) == "Holland Rijnland,definitief"  # whole, not split by LibreOffice


def test_region_with_its_own_layout_gets_fields_under_each_block(tmp_path):
    """Groot-Amsterdam's own covenant has no 'Handtekening:' line: room to sign under each
    'X, vertegenwoordigd door …'. The field goes there, inside the block, on its page."""
    from convenant_gen.figures import figures
    from convenant_gen.output.pdf import convert
    from convenant_gen.region.validate import load_region

    text = (ROOT / "regions" / "groot-amsterdam.yaml").read_text(encoding="utf-8")
    source = tmp_path / "groot-amsterdam.yaml"
    source.write_text(text + "sjablonen:\n  convenant: convenant-groot-amsterdam.docx\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["build", str(source), "--out", str(tmp_path / "out"), "--doc", "convenant", "--datum", "2026-11-23"]
    )
    assert result.exit_code == 0, result.output
    (pdf,) = convert([tmp_path / "out" / "groot-amsterdam" / "convenant-groot-amsterdam.docx"])
    names = figures(load_region(source).region).handtekeningvolgorde
    placements = locate(pdf.read_bytes(), signers(names))
    blocks = labels(pdf, "vertegenwoordigd door")
    assert len(placements) == len(names) == len(blocks) > 10
    for n, (place, (page, box)) in enumerate(zip(placements, blocks, strict=True)):
        _, y0, _, y1 = place.box
        assert place.page == page
        assert y1 < box[1], f"{place.signer.name}: het veld staat niet onder het blok"
        following = [b for p, b in blocks[n + 1 :] if p == page]
        if following:
            assert y0 > following[0][3], f"{place.signer.name}: het veld loopt in het volgende blok"
        assert y1 - y0 >= 20
        assert on_a_line(pdf, page, place.box), f"{place.signer.name}: het veld staat niet op de streep"
    data = add_fields(pdf.read_bytes(), signers(names))
    assert data.startswith(pdf.read_bytes())  # one incremental update: the first revision stays


def test_a_pdf_without_the_blocks_is_refused_in_dutch():
    with pytest.raises(FieldsNotPlaced, match=r"0 handtekeningblok\(ken\) .* voor 2 ondertekenaar\(s\)"):
        add_fields(one_page_pdf(), signers(["Gemeente A", "Gemeente B"]))


def test_blocks_in_another_order_are_refused_not_mis_signed(made):
    data = made["definitief"].read_bytes()
    swapped = [HR_SIGNATORIES[1], HR_SIGNATORIES[0], *HR_SIGNATORIES[2:]]
    with pytest.raises(FieldsNotPlaced, match="is niet dat van Gemeente Leiden"):
        locate(data, signers(swapped))


def test_field_names_are_unique_and_readable():
    assert [s.field for s in signers(["Gemeente Den Haag", "Gemeente den-Haag", "Ééntje & Co"])] == [
        "handtekening-gemeente-den-haag",
        "handtekening-gemeente-den-haag-2",
        "handtekening-eentje-co",
    ]


def test_the_fields_are_one_update_on_top_of_libreoffices_pdf(made):
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(made["definitief"].read_bytes()))
    assert reader.xrefs.total_revisions == 2
