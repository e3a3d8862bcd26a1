"""The PDF step of a build: after the documents, a PDF beside each one, made only when missing
or stale, and never a PDF of older input left beside a newer document.

A PDF is believed current only when the manifest says it was made from the very document that
is there now (its SHA-256), as plain PDF or PDF/A as asked, with the signature fields asked,
by this tool version, and the file is still exactly as written. Everything else is made again:
all of them in one LibreOffice run per worker (output/pdf.convert_each).

Without --pdf nothing is made, but a PDF made from an older version of a document is removed
when that document is rewritten. A PDF with a signature in it is never removed or overwritten:
it is the signatories' work, not ours; the build says what it found instead.

The covenant of a definitief build gets one empty signature field per signatory
(output/signatures.py); a concept is "niet ter ondertekening" and gets none.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from convenant_gen.errors import ConvenantError, Finding
from convenant_gen.pipeline.build import Outcome

PdfKind = str  # "pdf" or "pdfa"


@dataclass
class PdfReport:
    made: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # stale PDFs of older documents


@dataclass(frozen=True)
class _Job:
    source: Path  # the region file
    document: Path
    pdf: Path
    name: str  # '<region>/<name>.pdf', as in the manifest
    document_sha256: str
    signers: tuple[str, ...]  # field per signatory; empty: no fields


def update_pdfs(
    out: Path,
    manifest: object,
    results: list[Outcome],
    *,
    kind: PdfKind | None,
    definitief: bool,
    workers: int,
) -> PdfReport:
    """Make, keep or remove the PDFs of every region built or unchanged in `results`, update
    the manifest's PDF records, and add a Dutch error to the outcome of a region whose PDF
    could not be made (its status becomes 'mislukt'; its documents are as written)."""
    from convenant_gen.output.pdf import convert_each
    from convenant_gen.pipeline.batch import Manifest, PdfRecord, _relative

    assert isinstance(manifest, Manifest)
    report = PdfReport()
    jobs: list[_Job] = []
    by_source = {r.source: r for r in results}
    for result in results:
        record = manifest.regions.get(result.source.stem)
        if result.status == "mislukt" or record is None:
            continue
        kept = dict(record.pdfs)
        for doc_name, doc_sha in record.documenten.items():
            document = out / doc_name
            pdf = document.with_suffix(".pdf")
            name = _relative(out, pdf)
            before = kept.get(name)
            signers = tuple(record.ondertekenaars.get(doc_name, ())) if definitief else ()
            state = _state(out, name, pdf, before, manifest.prints)
            current = state in ("ours", "signed-ours") and before is not None and before.bron_sha256 == doc_sha
            if state == "missing" or (current and state == "signed-ours"):
                # Nothing there, or the signatories are signing this very PDF: never touch it.
                if state == "signed-ours":
                    report.unchanged.append(pdf)
                elif kind is not None:
                    jobs.append(_Job(result.source, document, pdf, name, doc_sha, signers))
                continue
            if state in ("signed-ours", "signed"):
                if kind is not None:
                    _fail(
                        result,
                        f"{pdf} is al (deels) ondertekend, maar niet het document dat er nu naast staat; "
                        "convenant maakt er geen nieuwe PDF overheen. Verplaats het ondertekende bestand "
                        "(bijvoorbeeld naar een map ‘ondertekend’) en bouw opnieuw",
                    )
                else:
                    result.findings.append(_stale_signed(result.source, pdf))
                continue
            if kind is None:
                if current:
                    continue
                if state == "ours" or result.status == "gemaakt":
                    _remove(pdf)  # of an older document: never left beside the new one
                    kept.pop(name, None)
                    report.removed.append(pdf)
                continue
            if current and before is not None and (before.soort, before.velden) == (kind, _field_names(signers)):
                report.unchanged.append(pdf)
                continue
            kept.pop(name, None)
            jobs.append(_Job(result.source, document, pdf, name, doc_sha, signers))
        manifest.regions[result.source.stem] = replace(record, pdfs=kept)
    if not jobs:
        return report
    wanted = {job.document: job for job in jobs}
    made_fields: dict[Path, list[str]] = {}

    def finish(document: Path, data: bytes) -> bytes:
        """The PDF as LibreOffice made it, with the document's keywords whole (LibreOffice splits
        'Holland Rijnland; concept' into three words) and, for a signed kind, the fields."""
        job = wanted[document]
        if hashlib.sha256(document.read_bytes()).hexdigest() != job.document_sha256:
            raise ConvenantError(f"{document.name} is tijdens het maken van de PDF veranderd; bouw opnieuw")
        from convenant_gen.output.signatures import add_fields, signers

        wanted_fields = signers(job.signers)
        try:
            result = add_fields(data, wanted_fields, keywords=_keywords(document))
        except ConvenantError:
            raise
        except Exception as e:  # pyHanko or PDFium on a PDF they cannot handle: say so, do not crash
            raise ConvenantError(f"de PDF kon niet worden afgemaakt ({type(e).__name__}: {e})") from e
        made_fields[document] = [s.field for s in wanted_fields]
        return result

    results_by_doc = convert_each([job.document for job in jobs], pdfa=kind == "pdfa", workers=workers, finish=finish)
    for job in jobs:
        outcome = by_source[job.source]
        made = results_by_doc[job.document]
        record = manifest.regions[job.source.stem]
        if isinstance(made, str):
            _fail(outcome, made)
            continue
        data = made.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        assert kind is not None
        entry = PdfRecord(job.document_sha256, digest, len(data), kind, made_fields[job.document])
        pdfs = {**record.pdfs, job.name: entry}
        manifest.regions[job.source.stem] = replace(record, pdfs=dict(sorted(pdfs.items())))
        report.made.append(made)
    return report


def _keywords(document: Path) -> list[str]:
    """The keywords of a Word document we wrote ('Holland Rijnland; concept'), as a list."""
    import re
    import zipfile
    from xml.sax.saxutils import unescape

    try:
        with zipfile.ZipFile(document) as z:
            core = z.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return []
    found = re.search(r"<cp:keywords>([^<]*)</cp:keywords>", core)
    return [k.strip() for k in unescape(found.group(1)).split(";") if k.strip()] if found else []


def _field_names(signers: tuple[str, ...]) -> list[str]:
    if not signers:
        return []
    from convenant_gen.output.signatures import signers as make

    return [s.field for s in make(signers)]


def _state(out: Path, name: str, pdf: Path, before: object, prints: object) -> str:
    """What stands at `pdf`: 'missing'; 'ours' (exactly as the build wrote it); 'signed-ours'
    (our PDF with signatures appended: its first bytes are exactly the file we wrote); 'signed'
    (another PDF with a signature); 'other' (anything else, e.g. a PDF of an older build)."""
    from convenant_gen.pipeline.batch import Fingerprints, PdfRecord

    assert isinstance(prints, Fingerprints) and (before is None or isinstance(before, PdfRecord))
    if not (pdf.exists() or pdf.is_symlink()):
        return "missing"
    if before is not None and prints.intact(out, name, before.sha256):
        return "ours"
    if not pdf.is_file() or pdf.is_symlink():
        return "other"
    if not _signed(pdf):
        return "other"
    if before is not None and _starts_with(pdf, before.grootte, before.sha256):
        return "signed-ours"
    return "signed"


def _starts_with(pdf: Path, size: int, digest: str) -> bool:
    """Whether the first `size` bytes of `pdf` hash to `digest`: incremental updates (each
    signature) only ever append, so a signed copy of our PDF starts with all of it."""
    try:
        with pdf.open("rb") as f:
            head = f.read(size)
    except OSError:
        return False
    return len(head) == size and hashlib.sha256(head).hexdigest() == digest


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _signed(pdf: Path) -> bool:
    from convenant_gen.output.signatures import has_signature

    return has_signature(pdf)


def _fail(outcome: Outcome, message: str) -> None:
    outcome.findings.append(Finding(str(outcome.source), 0, 0, "", f"PDF: {message}"))
    outcome.status = "mislukt"


def _stale_signed(source: Path, pdf: Path) -> Finding:
    return Finding(
        str(source),
        0,
        0,
        "",
        f"{pdf} is ondertekend, maar hoort niet bij het document dat er nu naast staat; convenant laat "
        "het staan. Controleer welke versie is ondertekend",
        "waarschuwing",
    )
