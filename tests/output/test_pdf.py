"""Documents opened by a real client: LibreOffice headless converts every example covenant,
and no signature block straddles a page break. CI installs LibreOffice; these never skip."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from convenant_gen.output.pdf import convert, page_count
from convenant_gen.pipeline.build import build_region
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
    from convenant_gen.output.pdf import PdfFailed

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
    import convenant_gen.output.pdf as pdf

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

    import convenant_gen.output.pdf as pdf

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


def fake_word(path: Path) -> Path:
    """Enough of a .docx for convert() to pass it to (a fake) LibreOffice."""
    import zipfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return path


def fake_soffice(tmp_path: Path, monkeypatch, script: str) -> Path:
    """Put an executable `soffice` first on PATH (also for child processes)."""
    import os

    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text(script, encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    return fake


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def wait_for_pids(path: Path, count: int, seconds: float = 20) -> list[int]:
    import time

    deadline = time.monotonic() + seconds
    while True:
        if path.exists() and len(pids := path.read_text().split()) >= count:
            return list(map(int, pids))
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    raise AssertionError(f"fake soffice wrote no {count} pids to {path}")


def kill_quietly(pids: list[int]) -> None:
    import os
    import signal

    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


DAEMONISING_SOFFICE = """#!{python}
# Like a LibreOffice helper gone astray: a double-forked, setsid'd grandchild that keeps
# our stderr open and outlives us; then the visible process {mode}.
import os, sys, time
from pathlib import Path

pids = Path({pids!r})
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open(pids, "a") as f:
            f.write(f"{{os.getpid()}}\\n")
        time.sleep(300)
    os._exit(0)
os.wait()
while not pids.exists():
    time.sleep(0.01)
print("soffice: starting", file=sys.stderr, flush=True)
if {mode!r} == "hangs":
    time.sleep(300)
outdir = Path(sys.argv[sys.argv.index("--outdir") + 1])
for doc in sys.argv[1:]:
    if doc.endswith(".docx"):
        (outdir / (Path(doc).stem + ".pdf")).write_bytes({pdf!r})
"""


def one_page_pdf() -> bytes:
    """A real PDF of one blank page, as a fake LibreOffice writes it (pypdf opens it)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    data = io.BytesIO()
    writer.write(data)
    return data.getvalue()


@pytest.mark.parametrize("mode", ["hangs", "finishes"])
def test_daemonised_child_holding_stderr_neither_stalls_nor_survives(tmp_path, monkeypatch, mode):
    """A descendant that left our session and keeps stderr open: the call returns within the
    time-out (with a PDF if soffice itself finished) and the descendant is killed."""
    import sys
    import time

    import convenant_gen.output.pdf as pdf

    pids = tmp_path / "pids"
    script = DAEMONISING_SOFFICE.format(python=sys.executable, pids=str(pids), mode=mode, pdf=one_page_pdf())
    fake_soffice(tmp_path, monkeypatch, script)
    doc = fake_word(tmp_path / "in" / "a.docx")
    start = time.monotonic()
    try:
        if mode == "hangs":
            with pytest.raises(pdf.PdfFailed, match=r"reageerde na 2 s niet meer .*a\.docx"):
                convert([doc], tmp_path / "pdf", timeout=2)
        else:
            assert convert([doc], tmp_path / "pdf", timeout=2) == [tmp_path / "pdf" / "a.pdf"]
        assert time.monotonic() - start < 10
        (daemon,) = wait_for_pids(pids, 1, seconds=0)
        deadline = time.monotonic() + 2
        while alive(daemon) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(daemon), f"daemonised grandchild {daemon} survived"
    finally:
        kill_quietly(map(int, pids.read_text().split()) if pids.exists() else [])


def test_libreoffice_dies_when_convenant_is_killed(tmp_path, monkeypatch):
    """kill -9 of the process running convert(): LibreOffice and its child (oosplash starts
    soffice.bin) must not keep running."""
    import os
    import signal
    import subprocess
    import sys
    import time

    pids = tmp_path / "pids"
    fake_soffice(tmp_path, monkeypatch, f"#!/bin/sh\nsleep 300 &\necho $! >> {pids}\necho $$ >> {pids}\nwait\n")
    doc = fake_word(tmp_path / "in" / "a.docx")
    code = (
        "import sys; from pathlib import Path; from convenant_gen.output.pdf import convert; "
        "convert([Path(sys.argv[1])], Path(sys.argv[2]), timeout=300)"
    )
    runner = subprocess.Popen([sys.executable, "-c", code, str(doc), str(tmp_path / "pdf")], cwd=ROOT)
    found: list[int] = []
    try:
        found = wait_for_pids(pids, 2)
        assert all(map(alive, found))
        os.kill(runner.pid, signal.SIGKILL)
        runner.wait(timeout=5)
        deadline = time.monotonic() + 5
        while any(map(alive, found)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in found if alive(pid)], "LibreOffice survived a kill -9 of convenant"
        # Its profile was made among our temporaries in the output, not in /tmp: the next build
        # (remove_our_temporaries, under the output lock) clears it.
        from convenant_gen.output.write import remove_our_temporaries

        left = list((tmp_path / "pdf").glob(".convenant-lo-profiel.*.tmp"))
        assert len(left) == 1 and left[0].is_dir()
        remove_our_temporaries(tmp_path)
        assert not left[0].exists()
    finally:
        runner.kill()
        kill_quietly(found)


def test_one_libreoffice_start_per_worker_whatever_the_folders(tmp_path, monkeypatch):
    """6 documents in 3 region folders, 2 workers: 2 LibreOffice starts, not one per folder;
    each PDF lands beside its document; two documents with one stem need a second start."""
    import os
    import shutil

    real = shutil.which("soffice")
    log = tmp_path / "starts.log"
    wrapper = tmp_path / "bin" / "soffice"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    docs = []
    for source in EXAMPLES:
        docs += build_region(source, tmp_path / "out", templates=TEMPLATES, datum=dt.date(2026, 11, 23)).written
    assert len({d.parent for d in docs}) == 3
    pdfs = convert(docs, workers=2)
    assert log.read_text().count("start") == 2
    assert all(p == d.with_suffix(".pdf") and page_count(p) >= 2 for p, d in zip(pdfs, docs, strict=True))
    assert not [p for p in (tmp_path / "out").rglob(".convenant-*")]

    twin = tmp_path / "elders" / docs[0].name
    twin.parent.mkdir()
    shutil.copy(docs[0], twin)
    log.unlink()
    pdfs = convert([docs[0], twin], workers=1)
    assert log.read_text().count("start") == 2
    assert pdfs == [docs[0].with_suffix(".pdf"), twin.with_suffix(".pdf")]


def test_a_pdf_is_checked_by_opening_it_not_by_its_bytes(tmp_path):
    """Issue 14: a text file holding '/Type /Pages /Count 3' was taken for a 3-page PDF."""
    from pypdf import PdfWriter

    fake = tmp_path / "nep.pdf"
    fake.write_bytes(b"%PDF-1.7\nthis is text << /Type /Pages /Count 3 >> and no PDF\n")
    assert page_count(fake) == 0
    real = tmp_path / "echt.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    with real.open("wb") as f:
        writer.write(f)
    assert page_count(real) == 2
    cut = tmp_path / "afgebroken.pdf"
    cut.write_bytes(real.read_bytes()[:200])
    assert page_count(cut) == 0
    assert page_count(tmp_path / "bestaat-niet.pdf") == 0


def test_relative_output_folder_with_odd_characters(tmp_path, monkeypatch):
    """LibreOffice's profile lives in the output folder: a relative path, a space, '%' and '#'
    must still give it a valid file URL (a bad one made LibreOffice hang until the time-out)."""
    from click.testing import CliRunner

    from convenant_gen.cli import cli

    monkeypatch.chdir(tmp_path)
    source = EXAMPLES[0]
    result = CliRunner().invoke(
        cli, ["build", str(source), "--out", "uit map 100% #1", "--doc", "plan", "--pdf", "--datum", "2026-11-23"]
    )
    assert result.exit_code == 0, result.output
    (pdf,) = (tmp_path / "uit map 100% #1" / source.stem).glob("*.pdf")
    assert page_count(pdf) >= 2
