"""Word -> PDF through LibreOffice headless: one run for many documents, its own profile,
the whole process group killed on a hang, and every PDF checked (LibreOffice exits 0 on
failures)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from convenant_gen.errors import ConvenantError

INSTALL_HINT = (
    "LibreOffice is niet gevonden. Installeer het met: sudo apt-get install --no-install-recommends "
    "libreoffice-writer-nogui fonts-crosextra-carlito fonts-crosextra-caladea"
)
PDFA = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


class PdfFailed(ConvenantError):
    pass


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise PdfFailed(INSTALL_HINT)
    return found


def convert(
    documents: list[Path],
    out_dir: Path | None = None,
    *,
    pdfa: bool = False,
    timeout: float | None = None,
    workers: int = 1,
) -> list[Path]:
    """Convert documents with one LibreOffice run per worker, each with its own profile, in
    parallel; returns the PDFs in input order, or raises naming the documents that failed."""
    if not documents:
        return []
    workers = max(1, min(workers, len(documents)))
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        chunks = [documents[i::workers] for i in range(workers)]
        with ThreadPoolExecutor(workers) as pool:
            done = list(pool.map(lambda chunk: convert(chunk, out_dir, pdfa=pdfa, timeout=timeout), chunks))
        by_stem = {(p.parent, p.stem): p for chunk in done for p in chunk}
        return [by_stem[(out_dir or d.parent, d.stem)] for d in documents]
    not_word = [d.name for d in documents if not _is_word(d)]
    if not_word:  # LibreOffice would 'convert' them as plain text and exit 0
        raise PdfFailed(f"geen PDF gemaakt van {', '.join(not_word)} (geen Word-document)")
    exe = soffice()
    timeout = timeout or 60 + 5 * len(documents)
    groups: dict[Path, list[Path]] = {}
    for doc in documents:
        groups.setdefault(out_dir or doc.parent, []).append(doc)
    pdfs: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="convenant-lo-") as profile:
        for target, docs in groups.items():
            target.mkdir(parents=True, exist_ok=True)
            for d in docs:
                (target / f"{d.stem}.pdf").unlink(missing_ok=True)
            cmd = [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                PDFA if pdfa else "pdf",
                "--outdir",
                str(target),
                *map(str, docs),
            ]
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise PdfFailed(f"LibreOffice reageerde na {timeout:.0f} s niet meer en is gestopt") from None
            failed = []
            for d in docs:
                pdf = target / f"{d.stem}.pdf"
                if not pdf.exists() or page_count(pdf) < 1:
                    failed.append(d.name)
                else:
                    pdfs.append(pdf)
            if failed:
                detail = err.decode(errors="replace").strip().splitlines()[-1:] if err else []
                raise PdfFailed(f"geen PDF gemaakt van {', '.join(failed)}" + (f" ({detail[0]})" if detail else ""))
    return pdfs


def _is_word(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return "word/document.xml" in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def page_count(pdf: Path) -> int:
    """Pages of a PDF, read from its page tree (no extra dependency)."""
    import re

    data = pdf.read_bytes()
    counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(m) for m in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    return max(counts, default=0)
