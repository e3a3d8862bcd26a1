"""PDFs are outputs like the documents: in the manifest with their hash and options, made when
missing or stale, never left stale beside a newer document, never made over a signature.

Through the CLI, with a fake LibreOffice that writes a real one-page PDF and logs each start
(fast, and it can be told to fail); the real LibreOffice in test_signature_fields.py."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from convenant_gen.cli import cli
from tests.conftest import ROOT
from tests.output.test_pdf import fake_soffice, one_page_pdf

SOURCE = ROOT / "regions" / "holland-rijnland.yaml"

FAKE = """#!{python}
import sys
from pathlib import Path

with open({log!r}, "a") as f:
    f.write(" ".join(a for a in sys.argv[1:] if a.endswith(".docx")) + "\\n")
mode = Path({mode!r}).read_text().strip() if Path({mode!r}).exists() else "ok"
outdir = Path(sys.argv[sys.argv.index("--outdir") + 1])
for doc in sys.argv[1:]:
    if doc.endswith(".docx"):
        target = outdir / (Path(doc).stem + ".pdf")
        if mode == "ok":
            target.write_bytes({pdf!r})
        elif mode == "text":
            target.write_text("/Type /Pages /Count 3 - geen PDF")
        # mode "none": LibreOffice exits 0 and writes nothing
"""


@pytest.fixture
def fake(tmp_path, monkeypatch):
    log, mode = tmp_path / "starts.log", tmp_path / "mode"
    fake_soffice(tmp_path, monkeypatch, FAKE.format(python=sys.executable, log=str(log), mode=str(mode), pdf=PDF))
    monkeypatch.chdir(tmp_path)

    class Fake:
        def starts(self) -> int:
            return len(log.read_text().splitlines()) if log.exists() else 0

        def set(self, how: str) -> None:
            mode.write_text(how)

    return Fake()


PDF = one_page_pdf()


def build(*args: str):
    return CliRunner().invoke(cli, ["build", str(SOURCE), "--out", "out", "--datum", "2026-11-23", "-j", "1", *args])


def pdfs(folder: str = "out/holland-rijnland") -> list[str]:
    return sorted(p.name for p in Path(folder).glob("*.pdf"))


NAMES = ["convenant-holland-rijnland.pdf", "plan-van-aanpak-holland-rijnland.pdf"]


def records() -> dict:
    return json.loads(Path("out/manifest.json").read_text())["regio's"]["holland-rijnland"]["pdfs"]


def test_build_then_build_pdf_makes_the_pdfs(fake):
    assert build().exit_code == 0
    assert pdfs() == []
    result = build("--pdf")
    assert result.exit_code == 0, result.output
    assert "ongewijzigd" in result.output and "2 PDF('s) gemaakt" in result.output
    assert pdfs() == NAMES
    assert fake.starts() == 1  # -j 1: both documents in one LibreOffice start
    made = records()
    assert sorted(made) == [f"holland-rijnland/{n}" for n in NAMES]
    for name, record in made.items():
        data = Path("out", name).read_bytes()
        assert record["grootte"] == len(data) and record["soort"] == "pdf" and record["velden"] == []


def test_unchanged_pdfs_are_not_made_again_until_asked_otherwise(fake):
    assert build("--pdf").exit_code == 0
    result = build("--pdf")
    assert "0 PDF('s) gemaakt, 2 ongewijzigd" in result.output
    assert fake.starts() == 1
    assert "2 PDF('s) gemaakt (PDF/A-2)" in build("--pdfa").output
    assert fake.starts() == 2
    assert {r["soort"] for r in records().values()} == {"pdfa"}


@pytest.mark.parametrize("damage", ["changed", "removed", "record"])
def test_a_pdf_not_as_recorded_is_made_again(fake, damage):
    assert build("--pdf").exit_code == 0
    pdf = Path("out/holland-rijnland", NAMES[0])
    if damage == "changed":
        pdf.write_bytes(pdf.read_bytes() + b"\n% iets\n")
    elif damage == "removed":
        pdf.unlink()
    else:
        manifest = json.loads(Path("out/manifest.json").read_text())
        manifest["regio's"]["holland-rijnland"]["pdfs"][f"holland-rijnland/{NAMES[0]}"]["bron_sha256"] = "0" * 64
        Path("out/manifest.json").write_text(json.dumps(manifest))
    result = build("--pdf")
    assert "1 PDF('s) gemaakt, 1 ongewijzigd" in result.output, result.output
    assert pdf.read_bytes().startswith(PDF)  # LibreOffice's PDF, with the document's keywords added


def test_a_newer_document_never_keeps_the_older_pdf(fake):
    assert build("--pdf").exit_code == 0
    result = CliRunner().invoke(cli, ["build", str(SOURCE), "--out", "out", "--datum", "2026-11-24"])
    assert result.exit_code == 0
    assert "2 verouderde PDF('s) verwijderd" in result.output
    assert pdfs() == []
    assert records() == {}


def test_a_pdf_the_manifest_does_not_know_goes_with_a_new_document(fake):
    """A PDF of an earlier tool version (no record) beside a document written now is stale."""
    Path("out/holland-rijnland").mkdir(parents=True)
    Path("out/holland-rijnland", NAMES[0]).write_bytes(PDF)
    assert build().exit_code == 0
    assert pdfs() == []


@pytest.mark.parametrize("how", ["none", "text"])
def test_a_failed_conversion_fails_the_region_and_leaves_no_older_pdf(fake, how):
    assert build("--pdf").exit_code == 0
    fake.set(how)
    result = CliRunner().invoke(cli, ["build", str(SOURCE), "--out", "out", "--datum", "2026-11-24", "--pdf"])
    assert result.exit_code == 1
    assert "holland-rijnland.yaml: PDF: geen PDF gemaakt van convenant-holland-rijnland.docx" in result.output
    assert "mislukt" in result.output and "Traceback" not in result.output
    assert pdfs() == []  # neither a PDF of the older documents nor a text file posing as one
    assert sorted(p.name for p in Path("out/holland-rijnland").glob("*.docx")) == [
        n.replace(".pdf", ".docx") for n in NAMES
    ]
    fake.set("ok")  # the next build makes them, though the documents are unchanged
    result = CliRunner().invoke(cli, ["build", str(SOURCE), "--out", "out", "--datum", "2026-11-24", "--pdf"])
    assert result.exit_code == 0 and pdfs() == NAMES


def signed(pdf: bytes) -> bytes:
    """`pdf` with a filled signature field appended as an incremental update, as a signer's PDF
    reader would (the value is a stand-in: only its presence matters here)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec("handtekening-x", box=(10, 10, 100, 50)))
    field = next(r for r in writer.root["/AcroForm"]["/Fields"] if r.get_object()["/T"] == "handtekening-x")
    value = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Sig")})
    field.get_object()[generic.NameObject("/V")] = writer.add_object(value)
    writer.update_container(field.get_object())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_pdf_being_signed_is_kept_as_it_is(fake):
    """Our PDF with signatures appended is the covenant being signed: never touched, counted as
    unchanged, also by a build that would otherwise make it again."""
    assert build("--pdf").exit_code == 0
    pdf = Path("out/holland-rijnland", NAMES[0])
    data = signed(pdf.read_bytes())
    assert data.startswith(pdf.read_bytes())
    pdf.write_bytes(data)
    result = build("--pdfa")
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes() == data
    assert "1 PDF('s) gemaakt (PDF/A-2), 1 ongewijzigd" in result.output


def test_a_signed_pdf_of_another_document_is_never_overwritten(fake):
    assert build("--pdf").exit_code == 0
    pdf = Path("out/holland-rijnland", NAMES[0])
    data = signed(PDF)  # signed, but not our PDF
    pdf.write_bytes(data)
    result = CliRunner().invoke(cli, ["build", str(SOURCE), "--out", "out", "--datum", "2026-11-24", "--pdf"])
    assert result.exit_code == 1
    assert "is al (deels) ondertekend" in result.output and "Verplaats het ondertekende bestand" in result.output
    assert pdf.read_bytes() == data
    result = CliRunner().invoke(cli, ["build", str(SOURCE), "--out", "out", "--datum", "2026-11-25"])
    assert result.exit_code == 0
    assert pdf.read_bytes() == data  # not removed as stale either: a signature is not ours to delete
