"""Benchmark of convenant, run by hand (not a test):  python benchmarks/bench_batch.py

Generates synthetic region files (35 and 350, from regions/holland-rijnland.yaml) in a temporary
folder and prints medians over several repetitions:
- one region through the CLI, interpreter start included;
- 35 regions x 2 documents through the CLI (cold: --force), and per document;
- a no-op rebuild of those 35;
- the same 70 documents made by a plain docxtpl loop (new DocxTemplate per document, one process),
  and the ratio to the CLI;
- 350 regions: time (linearity against 35) and peak memory of the whole process tree;
- 1,000 regions: the first no-op after the build (it reads every document once to fingerprint
  it), later no-op rebuilds, and a rebuild after one region file changed (overview included);
- PDF for 70 documents through the CLI: 35 regions built definitief with --pdf (one LibreOffice
  run per worker, the covenants with their signature fields), against one LibreOffice run per
  document: single-document CLI builds (--pdf-per-doc N samples N and scales them to 70; 0
  skips the PDF part).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
SEED = ROOT / "regions" / "holland-rijnland.yaml"


def make_regions(folder: Path, count: int, text: str | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    text = text or SEED.read_text(encoding="utf-8")
    files = []
    for i in range(1, count + 1):
        path = folder / f"regio-{i:03d}.yaml"
        path.write_text(text.replace("naam: Holland Rijnland", f"naam: Proefregio {i}"), encoding="utf-8")
        files.append(path)
    return files


def cli(*args: str | Path) -> float:
    start = time.perf_counter()
    subprocess.run(["convenant", *map(str, args)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(fn, runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


class TreeMemory:
    """Peak resident memory of a process and all its children, sampled every 10 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.running = pid, 0, True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _tree_rss(self) -> int:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
                rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        members, grew = {self.pid}, True
        while grew:
            new = {p for p, parent in parents.items() if parent in members} - members
            grew = bool(new)
            members |= new
        return sum(rss.get(p, 0) for p in members)

    def _run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.01)

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return self.peak


def build_350(folder: Path, out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [
            "convenant",
            "build",
            str(folder),
            "--out",
            str(out),
            "--templates",
            str(TEMPLATES),
            "--force",
            "-q",
            "--datum",
            "2026-11-23",
        ]
    )
    memory = TreeMemory(proc.pid)
    proc.wait()
    elapsed = time.perf_counter() - start
    return elapsed, memory.stop()


def plain_docxtpl_loop(files: list[Path]) -> float:
    """What a straightforward script does: validate, then a new DocxTemplate per document."""
    from docxtpl import DocxTemplate

    from convenant_gen.documents.context import build_context
    from convenant_gen.documents.engine import jinja_env
    from convenant_gen.region.validate import load_region

    start = time.perf_counter()
    for path in files:
        context = build_context(load_region(path).region, datum=dt.date(2026, 11, 23))
        for name in ("convenant.docx", "plan-van-aanpak.docx"):
            doc = DocxTemplate(str(TEMPLATES / name))
            doc.render(context, jinja_env(), autoescape=True)
            doc.save(io.BytesIO())
    return time.perf_counter() - start


def pdf_runs(work: Path, sample: int, runs: int) -> tuple[float, float, float]:
    """Through the CLI: 35 regions built definitief with --pdf (70 documents, one LibreOffice
    run per worker, each covenant with its signature fields), the same documents without PDFs,
    and one LibreOffice run per document: single-document builds (`--doc`), sampled and scaled."""
    sys.path.insert(0, str(ROOT))
    from tests.conftest import signable_holland_rijnland

    folder = work / "r35-definitief"
    files = make_regions(folder, 35, signable_holland_rijnland())
    common = ("--templates", TEMPLATES, "--definitief", "-q", "--force")
    with_pdf = median(lambda: cli("build", folder, "--out", work / "out-pdf", "--pdf", *common), runs)
    without = median(lambda: cli("build", folder, "--out", work / "out-docx", *common), runs)
    singles = []
    for n in range(sample):
        kind = ("convenant", "plan")[n % 2]
        singles.append(cli("build", files[n], "--doc", kind, "--out", work / "out-single", "--pdf", *common))
    return with_pdf, without, statistics.mean(singles) * 70


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per measurement (median)")
    parser.add_argument(
        "--pdf-per-doc", type=int, default=10, help="single-document LibreOffice runs to sample (0: skip PDF)"
    )
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    if not shutil.which("convenant"):
        sys.exit("install first: python3 -m pip install -e .")
    with tempfile.TemporaryDirectory(prefix="convenant-bench-") as tmp:
        work = Path(tmp)
        regions35 = make_regions(work / "r35", 35)
        make_regions(work / "r350", 350)
        out = work / "out"
        common = ("--templates", TEMPLATES, "--datum", "2026-11-23", "-q")

        single = median(lambda: cli("build", regions35[0], "--out", work / "single", "--force", *common), args.runs)
        cold = median(lambda: cli("build", work / "r35", "--out", out, "--force", *common), args.runs)
        noop = median(lambda: cli("build", work / "r35", "--out", out, *common), args.runs)
        plain = median(lambda: plain_docxtpl_loop(regions35), max(1, args.runs // 2))
        t350, peak = build_350(work / "r350", work / "out350")
        regions1000 = make_regions(work / "r1000", 1000)
        cli("build", work / "r1000", "--out", work / "out1000", *common)
        time.sleep(2.5)  # documents older than a timestamp tick can be fingerprinted (batch.RACY_NS)
        first1000 = cli("build", work / "r1000", "--out", work / "out1000", *common)
        noop1000 = median(lambda: cli("build", work / "r1000", "--out", work / "out1000", *common), args.runs)
        changed = iter(range(10_000))

        def one_changed() -> float:
            path = regions1000[500]
            path.write_text(path.read_text(encoding="utf-8") + f"# wijziging {next(changed)}\n", encoding="utf-8")
            return cli("build", work / "r1000", "--out", work / "out1000", *common)

        one1000 = median(one_changed, args.runs)

        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
        )
        print(f"command: python benchmarks/bench_batch.py --runs {args.runs} --pdf-per-doc {args.pdf_per_doc}")
        print(f"single region, CLI incl. interpreter start   {single:6.2f} s   (target <= 0.3 s)")
        print(f"35 regions x 2 documents, cold CLI           {cold:6.2f} s   (target <= 0.7 s)")
        print(f"  per document                               {cold / 70 * 1000:6.1f} ms")
        print(f"no-op rebuild of 35 regions                  {noop:6.2f} s   (target <= 0.5 s)")
        print(
            f"plain docxtpl loop, same 70 documents        {plain:6.2f} s   ratio {plain / cold:4.1f}x (target >= 3x)"
        )
        print(
            f"350 regions x 2 documents                    {t350:6.2f} s   "
            f"({t350 / cold:4.1f}x the time of 35; target <= 4 s)"
        )
        print(f"  peak memory, whole process tree            {peak / 2**20:6.0f} MB  (target <= 200 MB)")
        print(f"first no-op of 1000 regions (hashes all)     {first1000:6.2f} s")
        print(f"no-op rebuild of 1000 regions                {noop1000:6.2f} s   (target <= 0.3 s)")
        print(f"one changed region among 1000                {one1000:6.2f} s   (target <= 1.5 s)")
        if args.pdf_per_doc:
            with_pdf, without, per_doc = pdf_runs(work, args.pdf_per_doc, max(1, args.runs // 2))
            print(f"35 regions, definitief, with --pdf (70 PDFs)  {with_pdf:6.2f} s   (target <= 15 s)")
            print(f"  of which the PDFs (minus the same without)  {with_pdf - without:6.2f} s")
            print(
                f"one LibreOffice run per document, 70 PDFs    {per_doc:6.2f} s   (from {args.pdf_per_doc} "
                f"single-document builds) ratio {per_doc / with_pdf:4.1f}x (target >= 5x)"
            )


if __name__ == "__main__":
    main()
