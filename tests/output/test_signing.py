"""Signing in turn works, and the signing status says so: a covenant PDF built definitief gets
its fields, every signatory signs in turn (pyHanko, a throw-away PKI), pyHanko finds every
signature intact with nothing but signatures after the first, each signature shows inside its
own block, and `signing_status` reports all of it, and every spoiled file, in Dutch."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest

from convenant_gen.errors import UsageProblem
from convenant_gen.output.signing_status import load_trust_roots, shown_time, status_of
from tests.output.conftest_signing import (
    Pki,
    add_page_content,
    build_signing,
    byte_ranges,
    person,
    sign,
    spoil_signature_value,
    tamper_signed_bytes,
)

SCALE = 2.0  # pixels per point when rendering


@pytest.fixture(scope="module")
def signing(tmp_path_factory):
    """Holland Rijnland built definitief, with fields, signed in turn by all 8 signatories."""
    return build_signing(tmp_path_factory.mktemp("ondertekening"))


# --- pyHanko's own verdict ------------------------------------------------------------------


def pyhanko_statuses(pdf: bytes, roots=()):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf))
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False)
    return [(s.field_name, validate_pdf_signature(s, context)) for s in reader.embedded_signatures]


def test_every_signatory_signs_in_turn_and_every_signature_stays_intact(signing):
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    assert len(signing.names) == 8
    statuses = pyhanko_statuses(signing.signed)
    assert [name for name, _ in statuses] == signing.fields  # in signing order, one per field
    for (name, status), party in zip(statuses, signing.names, strict=True):
        assert status.intact and status.valid, name
        assert status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION, name
        # nothing but the later signatures changed the document after this one
        assert status.modification_level <= ModificationLevel.FORM_FILLING, name
        assert status.docmdp_ok, name
        assert status.signing_cert.subject.native["organization_name"] == party
    assert statuses[-1][1].coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_each_signature_leaves_the_earlier_ones_intact(signing):
    for count, step in enumerate(signing.steps, 1):
        statuses = pyhanko_statuses(step)
        assert len(statuses) == count
        assert all(s.intact and s.valid and s.docmdp_ok for _, s in statuses), count


# --- where the signatures land --------------------------------------------------------------


def widgets(pdf: bytes) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """Signature field name -> (0-based page, /Rect normalised), read with pypdf."""
    from pypdf import PdfReader

    found = {}
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig":
                x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
                found[str(widget["/T"])] = (number, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return found


def boxes(pdf: bytes, page: int, text: str) -> list[tuple[float, float, float, float]]:
    """Every place `text` is on `page`: (left, bottom, right, top) in points, by PDFium's search."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    textpage = document[page].get_textpage()
    searcher = textpage.search(text, match_case=True)
    found = []
    while (hit := searcher.get_next()) is not None:
        first, count = hit
        chars = [textpage.get_charbox(first + k) for k in range(count)]
        found.append(
            (min(c[0] for c in chars), min(c[1] for c in chars), max(c[2] for c in chars), max(c[3] for c in chars))
        )
    return found


def test_each_signature_field_lies_in_its_own_block(signing):
    placed = widgets(signing.signed)
    assert sorted(placed) == sorted(signing.fields)
    for party, name in zip(signing.names, signing.fields, strict=True):
        page, (x0, y0, _, y1) = placed[name]
        heads = boxes(signing.signed, page, f"{party},")  # "Gemeente Leiden, vertegenwoordigd door"
        above = [h for h in heads if h[1] >= y1]
        assert above, f"{party}: the block's first line is not above its field on page {page + 1}"
        head = min(above, key=lambda h: h[1] - y1)
        labels = [b for b in boxes(signing.signed, page, "Handtekening:") if b[3] < head[1]]
        assert labels, f"{party}: no 'Handtekening:' below the block's first line"
        label = max(labels, key=lambda b: b[1])  # the block's own: the first label below its head
        assert label[2] <= x0, f"{party}: the field does not start right of 'Handtekening:'"
        middle = (label[1] + label[3]) / 2
        assert y0 <= middle <= y1, f"{party}: the field is not on the line of 'Handtekening:'"
        for other in signing.names:
            for box in boxes(signing.signed, page, f"{other},"):
                if box[1] < head[1] and other != party:  # a later block on the same page
                    assert box[3] <= y0, f"{party}: the field reaches into the block of {other}"


def rendered(pdf: bytes, page: int):
    """Page `page` as 8-bit grey pixels with its form fields, as a PDF reader shows it:
    (buffer, width, height, stride)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    document.init_forms()  # PDFium draws widgets (signature appearances) only with forms
    bitmap = document[page].render(scale=SCALE, grayscale=True, may_draw_forms=True)
    assert bitmap.n_channels == 1
    return bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride


def inside(rects: list, x: int, y: int, *, pad: float) -> bool:
    return any(a - pad <= x <= c + pad and b - pad <= y <= d + pad for _, a, b, c, d in rects)


def test_signed_pages_change_only_inside_the_signature_fields(signing, tmp_path):
    placed = widgets(signing.signed)
    pages = sorted({page for page, _ in placed.values()})
    for page in pages:
        before, width, height, stride = rendered(signing.unsigned, page)
        after, *_ = rendered(signing.signed, page)
        page_height = height / SCALE
        rects = []
        for name, (on, (x0, y0, x1, y1)) in placed.items():
            if on == page:  # points -> pixels, y downwards
                rects.append((name, x0 * SCALE, (page_height - y1) * SCALE, x1 * SCALE, (page_height - y0) * SCALE))

        changed_outside = [
            (x, y)
            for y in range(height)
            for x in range(width)
            if before[y * stride + x] != after[y * stride + x] and not inside(rects, x, y, pad=2)
        ]
        assert changed_outside == [], f"page {page + 1}: pixels changed outside the fields"
        for name, a, b, c, d in rects:  # inside, away from the border: the signature's own text
            dark_before = dark_after = 0
            for y in range(int(b) + 6, int(d) - 6):
                for x in range(int(a) + 6, int(c) - 6):
                    dark_before += before[y * stride + x] < 128
                    dark_after += after[y * stride + x] < 128
            assert dark_before == 0, f"{name}: the empty field is not empty"
            assert dark_after > 200, f"{name}: nothing visible in the field after signing ({dark_after} dark pixels)"


# --- the status ---------------------------------------------------------------------------


def test_status_of_a_fully_signed_covenant(signing, tmp_path):
    started = dt.datetime.now(dt.UTC)
    status = status_of(signing.signed, tmp_path / "convenant-holland-rijnland.pdf")
    assert status.problem is None and status.ok and status.complete
    assert (status.signed, status.total) == (8, 8)
    assert status.summary == "8 van 8 ondertekend"
    assert [f.party for f in status.fields] == signing.names
    assert [f.name for f in status.fields] == signing.fields
    pages = widgets(signing.signed)
    for number, f in enumerate(status.fields):
        assert f.ours and f.signed and f.intact and f.unchanged
        assert f.signer == f"{person(number)}, {signing.names[number]}"
        assert f.trusted is None  # no roots given: trust is not claimed either way
        assert f.page == pages[f.name][0] + 1
        assert f.state == "intact"
        assert f.signed_at is not None and started - f.signed_at < dt.timedelta(minutes=10)


def test_status_of_a_half_signed_covenant(signing, tmp_path):
    status = status_of(signing.steps[2], tmp_path / "x.pdf")
    assert status.summary == "3 van 8 ondertekend"
    assert status.ok and not status.complete
    assert [f.signed for f in status.fields] == [True] * 3 + [False] * 5
    assert {f.state for f in status.fields[3:]} == {"niet ondertekend"}
    assert all(f.signer is None and f.signed_at is None for f in status.fields[3:])


def test_unsigned_covenant_has_its_fields(signing, tmp_path):
    status = status_of(signing.unsigned, tmp_path / "x.pdf")
    assert status.summary == "0 van 8 ondertekend"
    assert status.ok


def test_a_pdf_only_a_lenient_reader_accepts_is_still_read(signing, tmp_path):
    """A key written twice in a field's dictionary: pyHanko's strict reader refuses the file;
    the status reads it leniently instead of calling a sound covenant damaged."""
    data = signing.unsigned
    field = data.index(b"/FT /Sig\n/T (handtekening\\055ggz")
    at = data.index(b"/Type /Annot", field)
    doubled = data[:at] + b"/FT /Sig    " + data[at + len(b"/Type /Annot") :]
    status = status_of(doubled, tmp_path / "x.pdf")
    assert status.problem is None, status.problem
    assert status.summary == "0 van 8 ondertekend"


def test_changed_signed_bytes_break_the_signatures(signing, tmp_path):
    status = status_of(tamper_signed_bytes(signing.steps[3]), tmp_path / "x.pdf")
    assert not status.ok
    first = status.fields[0]
    assert first.signed and first.intact is False
    assert first.problem == "GEBROKEN: het ondertekende deel van het document is na ondertekening veranderd"
    assert "niet in orde" in status.summary
    # every signature covers the original document, so every one is broken
    assert all(f.intact is False for f in status.fields[:4])


def test_a_content_change_after_signing_is_reported(signing, tmp_path):
    status = status_of(add_page_content(signing.steps[3]), tmp_path / "x.pdf")
    assert not status.ok
    for f in status.fields[:4]:
        assert f.intact is True and f.unchanged is False, f.name
        assert f.problem is not None and f.problem.startswith("GEWIJZIGD: na deze handtekening is de inhoud"), f.problem
    assert status.summary == "4 van 8 ondertekend; 4 handtekening(en) niet in orde"


def test_a_spoiled_signature_value_is_reported(signing, tmp_path):
    status = status_of(spoil_signature_value(signing.steps[1]), tmp_path / "x.pdf")
    first, last = status.fields[:2]
    assert last.problem == "GEBROKEN: de handtekening past niet bij het certificaat van de ondertekenaar"
    assert last.intact is False
    assert first.problem is None and first.intact  # its signed range ends before the last signature
    assert not status.ok


def test_signing_after_the_fields_in_a_field_of_ones_own_is_listed_apart(signing, tmp_path):
    extra = sign(signing.steps[0], "Signature1", signing.pki.signer("Iemand Anders", "Elders"))
    status = status_of(extra, tmp_path / "x.pdf")
    assert status.summary == "1 van 8 ondertekend, plus 1 handtekening(en) buiten de velden van convenant"
    own = [f for f in status.fields if not f.ours]
    assert [(f.name, f.party, f.signer) for f in own] == [("Signature1", "Signature1", "Iemand Anders, Elders")]
    assert status.ok


def test_trust_is_reported_only_against_the_given_roots(signing, tmp_path):
    (tmp_path / "root.pem").write_bytes(signing.pki.root_pem())
    (tmp_path / "other.pem").write_bytes(Pki("Andere CA").root_pem())
    good = status_of(signing.steps[1], tmp_path / "x.pdf", trust_roots=load_trust_roots([tmp_path / "root.pem"]))
    assert [f.trusted for f in good.fields[:2]] == [True, True]
    assert good.fields[0].state == "intact en vertrouwd" and good.ok
    bad = status_of(signing.steps[1], tmp_path / "x.pdf", trust_roots=load_trust_roots([tmp_path / "other.pem"]))
    assert [f.trusted for f in bad.fields[:2]] == [False, False]
    assert bad.fields[0].trust_note == "het certificaat leidt niet naar een vertrouwd basiscertificaat (--vertrouwd)"
    assert not bad.ok


def test_unreadable_trust_root_is_a_usage_problem(tmp_path):
    (tmp_path / "kapot.pem").write_text("-----BEGIN CERTIFICATE-----\nbm9n\n-----END CERTIFICATE-----\n")
    with pytest.raises(UsageProblem, match=r"kapot\.pem: geen certificaat \(verwacht een PEM- of DER-bestand"):
        load_trust_roots([tmp_path / "kapot.pem"])
    with pytest.raises(UsageProblem, match=r"weg\.pem: bestaat niet"):
        load_trust_roots([tmp_path / "weg.pem"])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "geen PDF-bestand"),
        (b"Dit is een tekstbestand met /Type /Pages erin", "geen PDF-bestand"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "beschadigde PDF: de structuur is niet te lezen"),
    ],
)
def test_what_is_not_a_covenant_pdf_is_said_in_dutch(tmp_path, data, problem):
    status = status_of(data, tmp_path / "x.pdf")
    assert status.problem == problem
    assert not status.ok and status.summary == problem


def test_pdf_without_our_fields(signing, tmp_path):
    status = status_of(signing.plain, tmp_path / "x.pdf")
    assert status.problem == (
        "geen handtekeningvelden van convenant (maak de PDF met convenant build --definitief --pdf)"
    )
    assert status.total == 0 and not status.ok


def test_a_concept_is_said_to_be_a_concept(signing, tmp_path):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signing.plain))
    writer.document_meta.keywords = ["Holland", "Rijnland", "concept"]  # as a concept build says
    out = io.BytesIO()
    writer.write(out)
    status = status_of(out.getvalue(), tmp_path / "x.pdf")
    assert status.problem is not None and "dit is een concept, niet ter ondertekening" in status.problem


def test_truncated_and_garbled_signed_pdfs_never_raise_and_never_pass(signing, tmp_path):
    """Any change to bytes the last signature covers (all but its own value) is reported:
    unreadable, or a signature not in order. Never an exception, never "in orde"."""
    rng = random.Random(14)
    data = signing.steps[4]
    _, length, resume, _ = byte_ranges(data)[-1]
    covered = [*range(0, length), *range(resume, len(data))]
    variants = [data[: len(data) * k // 8] for k in range(1, 8)]
    for _ in range(40):
        spoiled = bytearray(data)
        for at in rng.sample(covered, rng.randint(1, 3)):
            spoiled[at] = (spoiled[at] + rng.randrange(1, 256)) % 256
        variants.append(bytes(spoiled))
    seen = set()
    for variant in variants:
        status = status_of(variant, tmp_path / "x.pdf")
        assert not status.ok, status
        seen.add(status.problem or "handtekening niet in orde")
    assert len(seen) >= 2  # both kinds of finding occur: damaged structure, signatures not in order


def test_time_is_shown_in_dutch_time():
    assert shown_time(dt.datetime(2026, 11, 23, 18, 18, tzinfo=dt.UTC)) == "23 november 2026 19:18"
    assert shown_time(dt.datetime(2026, 7, 1, 8, 5, tzinfo=dt.UTC)) == "1 juli 2026 10:05"
    assert shown_time(None) == "onbekend"
