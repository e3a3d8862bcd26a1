"""Documents opened by a real client: LibreOffice headless converts every example covenant,
and no signature block straddles a page break. CI installs LibreOffice; these never skip."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from convenant_gen.build import build_region
from convenant_gen.pdf import convert, page_count
from tests.conftest import EXAMPLES, ROOT

TEMPLATES = ROOT / "templates"


def pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


def straddling_blocks(pages: list[str]) -> list[int]:
    """Pages of the signature section where a block starts but its signature line is elsewhere."""
    bad, in_section = [], False
    for number, text in enumerate(pages, 1):
        if "Ondertekening" in text and "Plaats en datum" in text:
            in_section = True
        if "Bijlagen bij het convenant" in text:
            in_section = False
        if in_section and text.count("vertegenwoordigd door") != text.count("Handtekening:"):
            bad.append(number)
    return bad


def test_straddle_check_can_fail():
    block = "X, vertegenwoordigd door\nNaam:\nFunctie:\nPlaats en datum:\n"
    pages = ["Ondertekening\n" + block + "Handtekening:\n" + block, "Handtekening:\n"]
    assert straddling_blocks(pages) == [1, 2]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    docs = []
    for source in EXAMPLES:
        outcome = build_region(source, out, templates=TEMPLATES, datum=dt.date(2026, 11, 23))
        assert outcome.error is None, outcome.error
        docs += outcome.written
    return {p.stem: p for p in convert(docs, out / "pdf")}


def test_every_example_converts(pdfs):
    expected = [f"{doc}-{p.stem}" for doc in ("convenant", "plan-van-aanpak") for p in EXAMPLES]
    assert sorted(pdfs) == sorted(expected)
    for name, pdf in pdfs.items():
        assert page_count(pdf) >= (10 if name.startswith("convenant") else 2)


@pytest.mark.parametrize("slug", [p.stem for p in EXAMPLES])
def test_no_signature_block_straddles_a_page(pdfs, slug):
    pages = pages_text(pdfs[f"convenant-{slug}"])
    assert any("Handtekening:" in p for p in pages)
    assert straddling_blocks(pages) == []


def test_pdf_shows_dutch_values_and_page_numbers(pdfs):
    pages = pages_text(pdfs["convenant-groot-amsterdam"])
    text = " ".join(" ".join(p.split()) for p in pages)
    assert "1 januari 2022" in text and "31 december 2023" in text
    assert f"pagina 1 van {len(pages)}" in text
    assert f"pagina {len(pages)} van {len(pages)}" in text
    assert "CONCEPT – 23 november 2026" in text


def test_broken_document_is_reported_not_silently_skipped(tmp_path):
    from convenant_gen.pdf import PdfFailed

    for name, data in (("kapot.docx", b"dit is geen docx"), ("leeg.docx", b"")):
        bad = tmp_path / name
        bad.write_bytes(data)
        with pytest.raises(PdfFailed, match=f"geen PDF gemaakt van {name}"):
            convert([bad], tmp_path / "pdf")
        assert not (tmp_path / "pdf" / f"{bad.stem}.pdf").exists()


def test_parallel_workers_each_convert_their_share(tmp_path):
    docs = []
    for source in EXAMPLES:
        outcome = build_region(source, tmp_path, templates=TEMPLATES, datum=dt.date(2026, 11, 23))
        docs += outcome.written
    pdfs = convert(docs, workers=2)
    assert [p.stem for p in pdfs] == [d.stem for d in docs]
    assert all(p.parent == d.parent and page_count(p) >= 2 for p, d in zip(pdfs, docs, strict=True))


def test_missing_libreoffice_gives_the_install_command(monkeypatch, tmp_path):
    import convenant_gen.pdf as pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    doc = build_region(EXAMPLES[0], tmp_path, templates=TEMPLATES, datum=dt.date(2026, 11, 23)).written[0]
    with pytest.raises(pdf.PdfFailed, match="apt-get install --no-install-recommends libreoffice-writer-nogui"):
        convert([doc])


def test_pdfa_is_pdfa(tmp_path):
    doc = build_region(EXAMPLES[0], tmp_path, templates=TEMPLATES, datum=dt.date(2026, 11, 23)).written[0]
    (pdf,) = convert([doc], tmp_path / "a", pdfa=True)
    assert b"pdfaid:part" in pdf.read_bytes()


def test_hung_libreoffice_is_killed_with_its_children(tmp_path, monkeypatch):
    import os
    import time

    import convenant_gen.pdf as pdf

    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    pids = tmp_path / "pids"
    # like oosplash: the visible process starts a child that does the work, then both hang
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! >> {pids}\necho $$ >> {pids}\nwait\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    doc = build_region(EXAMPLES[0], tmp_path, templates=TEMPLATES, datum=dt.date(2026, 11, 23)).written[0]
    start = time.monotonic()
    with pytest.raises(pdf.PdfFailed, match="reageerde na 2 s niet meer"):
        convert([doc], tmp_path / "pdf", timeout=2)
    assert time.monotonic() - start < 10
    time.sleep(0.2)
    for pid in map(int, pids.read_text().split()):
        alive = os.path.exists(f"/proc/{pid}") and "zombie" not in open(f"/proc/{pid}/status").read().lower()
        assert not alive, f"process {pid} survived"
