"""Many regions -> documents, in parallel, incremental, with an audit manifest.

The manifest (`<out>/manifest.json`) records per region the SHA-256 of its YAML, of every
template used, the tool version and the build options, and of every document written. A region
whose inputs are unchanged and whose documents are still as written is skipped ("ongewijzigd").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from convenant_gen import __version__
from convenant_gen.build import Outcome, build_region, template_names
from convenant_gen.write import write_atomic

MANIFEST = "manifest.json"


@dataclass
class Result:
    source: Path
    status: str  # "gemaakt" | "ongewijzigd" | "mislukt"
    documents: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    row: object = None
    findings: list = field(default_factory=list)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs_of(source: Path, templates: Path, documents: tuple[str, ...], options: dict) -> dict:
    text = source.read_bytes()
    return {
        "bron": str(source),
        "bron_sha256": hashlib.sha256(text).hexdigest(),
        "sjablonen": {
            name: sha256(templates / name) if (templates / name).is_file() else None
            for name in template_names(source, documents, text).values()
        },
        "versie": __version__,
        "opties": options,
    }


def _task(args: tuple) -> tuple[Outcome, dict | None]:
    source, out, templates, definitief, datum, documents = args
    outcome = build_region(source, out, templates=templates, definitief=definitief, datum=datum, documents=documents)
    hashes = {str(p.relative_to(out)): sha256(p) for p in outcome.written} if not outcome.error else None
    return outcome, hashes


def run_batch(
    files: list[Path],
    out: Path,
    *,
    templates: Path,
    definitief: bool = False,
    datum: dt.date,
    documents: tuple[str, ...] = ("convenant", "plan"),
    jobs: int | None = None,
    force: bool = False,
    on_result: Callable[[Result], None] = lambda r: None,
) -> list[Result]:
    """Build every region; one failure never stops the others. Results in input order."""
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out)
    manifest = load_manifest(out)
    regions = manifest.setdefault("regio's", {})
    options = {
        "definitief": definitief,
        "datum": datum.isoformat() if not definitief else None,
        "documenten": list(documents),
    }
    results: dict[Path, Result] = {}
    todo: list[tuple[Path, dict]] = []
    for source in files:
        key = source.stem
        try:
            inputs = inputs_of(source, templates, documents, options)
        except OSError as e:
            result = Result(source, "mislukt", error=f"{source}: kan niet lezen ({e.strerror})")
            results[source] = result
            on_result(result)
            continue
        previous = regions.get(key)
        if not force and previous and _unchanged(previous, inputs, out):
            result = Result(source, "ongewijzigd", [out / d for d in previous["documenten"]])
            results[source] = result
            on_result(result)
        else:
            todo.append((source, inputs))

    for (source, inputs), (outcome, hashes) in _execute(todo, out, templates, definitief, datum, documents, jobs):
        warnings = [str(w) for w in outcome.warnings]
        if outcome.error:
            result = Result(
                source, "mislukt", warnings=warnings, error=outcome.error, row=outcome.row, findings=outcome.findings
            )
            regions.pop(source.stem, None)
        else:
            result = Result(source, "gemaakt", outcome.written, warnings, row=outcome.row, findings=outcome.findings)
            regions[source.stem] = {**inputs, "documenten": hashes}
        results[source] = result
        on_result(result)

    write_manifest(out, manifest)
    return [results[f] for f in files]


def _execute(todo, out, templates, definitief, datum, documents, jobs) -> Iterator[tuple]:
    tasks = [(source, out, templates, definitief, datum, documents) for source, _ in todo]
    inputs = {source: inp for source, inp in todo}
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            yield (task[0], inputs[task[0]]), _task(task)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        futures = {pool.submit(_task, task): task[0] for task in tasks}
        for future in as_completed(futures):
            source = futures[future]
            yield (source, inputs[source]), future.result()


def _unchanged(previous: dict, inputs: dict, out: Path) -> bool:
    if any(previous.get(k) != v for k, v in inputs.items()):
        return False
    docs = previous.get("documenten") or {}
    return bool(docs) and all((out / name).is_file() and sha256(out / name) == digest for name, digest in docs.items())


def load_manifest(out: Path) -> dict:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_manifest(out: Path, manifest: dict) -> None:
    manifest["versie"] = __version__
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(out / MANIFEST, text.encode("utf-8"))


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files of a batch that was killed midway; documents themselves are never partial."""
    for tmp in out.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def update_overview(out: Path, results: list[Result], *, force: bool = False) -> Path | None:
    """Write <out>/overzicht.xlsx from the batch's results and record it in the manifest; skipped
    when every region file and the tool are as recorded and the workbook is still as written."""
    target = out / "overzicht.xlsx"
    sources = {str(r.source): sha256(r.source) for r in results if r.source.is_file()}
    record = load_manifest(out).get("overzicht") or {}
    if (
        not force
        and record.get("bronnen") == sources
        and record.get("versie") == __version__
        and target.is_file()
        and sha256(target) == record.get("sha256")
    ):
        return None
    from convenant_gen.overview import Overview, collect, workbook_bytes

    rows, findings = [], []
    for r in results:
        if r.row is None:  # unchanged regions were not loaded by this batch
            part = collect([r.source])
            rows += part.rows
            findings += part.findings
        else:
            rows.append(r.row)
            findings += r.findings
    overview = Overview(rows, sorted(findings, key=lambda f: (f.file, f.line, f.column)))
    write_atomic(target, workbook_bytes(overview))
    manifest = load_manifest(out)
    manifest["overzicht"] = {
        "bestand": target.name,
        "sha256": sha256(target),
        "bronnen": sources,
        "versie": __version__,
    }
    write_manifest(out, manifest)
    return target
