"""Many regions -> documents, in parallel, incremental, with an audit manifest.

The manifest (`<out>/manifest.json`) records per region the SHA-256 of its YAML, of every
template its documents were rendered from, the tool version and the build options, and of
every document written. A region whose inputs are unchanged and whose documents are still as
written is skipped ("ongewijzigd"). The manifest is a hint: it is checked field by field when
read, and anything unexpected in it means "rebuild", never "unchanged".

It also keeps each region's row of the national overview ("rijen"), by the SHA-256 of the
region file, so that one changed region does not mean reading all the others again; a row that
is not exactly as written, or not of this file, tool version and `definitief`, is ignored and
its region read again. Each region file is hashed once per build; a manifest whose content
would not change is not written again.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from convenant_gen import __version__
from convenant_gen.documents.kinds import KINDS
from convenant_gen.documents.templates import folder_or_default, fork_path
from convenant_gen.errors import ConvenantError, UsageProblem, in_file_order
from convenant_gen.output.write import output_lock, remove_our_temporaries, write_atomic
from convenant_gen.pipeline.build import Outcome, OverviewEntry, Status, build_date, build_region, check_date
from convenant_gen.pipeline.limits import Limits
from convenant_gen.pipeline.pdfs import PdfReport
from convenant_gen.text import clean

MANIFEST = "manifest.json"
OVERVIEW = "overzicht.xlsx"
STATUSES: tuple[Status, ...] = ("gemaakt", "ongewijzigd", "mislukt")


@dataclass
class BatchReport:
    results: list[Outcome]
    overview: Path | None = None
    pdfs: PdfReport | None = None  # with --pdf, or when a stale PDF was removed

    @property
    def failed(self) -> bool:
        """A region failed (its documents, or its PDF): the build's exit code is 1."""
        return any(r.status == "mislukt" for r in self.results)

    def counts(self) -> dict[Status, int]:
        return {status: sum(1 for r in self.results if r.status == status) for status in STATUSES}


# --- which files -----------------------------------------------------------------------


def region_files(paths: tuple[str, ...] | list[str], default: str = "regions") -> list[Path]:
    """Files and folders (their *.yaml, *.yml) -> region files, in a stable order. A path
    that does not exist is a usage error; the same file named twice counts once."""
    files: list[Path] = []
    seen: set[str] = set()
    real = real_paths()
    for raw in paths or (default,):
        path = Path(raw)
        if path.is_dir():
            with os.scandir(path) as entries:
                names = [e.name for e in entries if e.name.endswith((".yaml", ".yml")) and e.is_file()]
            found = [path / name for name in sorted(names) if os.path.splitext(name)[1] in (".yaml", ".yml")]
        elif path.exists() or path.is_symlink():
            found = [path]
        else:
            raise UsageProblem(f"{raw} bestaat niet (geen bestand of map met die naam); controleer de naam")
        for file in found:
            if clean(file.name) != file.name or "\n" in file.name or "\t" in file.name:
                raise UsageProblem(
                    f"de bestandsnaam {clean(repr(str(file)))} bevat een onzichtbaar teken (zoals een regeleinde); "
                    "die naam kan geen map voor de documenten worden. Hernoem het bestand"
                )
            key = real(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files


def real_paths() -> Callable[[Path], str]:
    """os.path.realpath for many files in a few folders, each folder resolved once (for
    1,000 region files this saves 5,000 system calls)."""
    folders: dict[str, str] = {}

    def real(file: Path) -> str:
        name = os.fspath(file)
        head, tail = os.path.split(name)
        if tail in ("", ".", "..") or os.path.islink(name):
            return os.path.realpath(name)
        if head not in folders:
            folders[head] = os.path.realpath(head or ".")
        return os.path.join(folders[head], tail)

    return real


def wants_overview(paths: tuple[str, ...] | list[str]) -> bool:
    """A build of a whole folder (or of regions/ by default) also writes the national overview."""
    return not paths or any(Path(p).is_dir() for p in paths)


def refuse_same_names(files: list[Path]) -> None:
    """Two region files with one name (x.yaml beside x.yml, or in two folders) would write into
    one output folder and count twice in the overview: refuse before anything is written."""
    first: dict[str, Path] = {}
    clashes = []
    for file in files:
        key = file.stem.casefold()
        if key in first:
            clashes.append(f"{first[key]} en {file}")
        else:
            first[key] = file
    if clashes:
        raise ConvenantError(
            "twee regiobestanden met dezelfde naam zouden elkaars documenten overschrijven: "
            + "; ".join(clashes)
            + ". Hernoem of verwijder een van beide; er is niets gemaakt."
        )


# --- the manifest ----------------------------------------------------------------------

_HEX = re.compile(r"[0-9a-f]{64}")


def _digest(value: Any) -> bool:
    return isinstance(value, str) and _HEX.fullmatch(value) is not None


def _plain_name(value: Any) -> bool:
    return isinstance(value, str) and value not in ("", ".", "..") and "/" not in value and "\\" not in value


def _template_name(value: Any, region: str) -> bool:
    """A template as the build records it: 'name.docx', or '<region>/name.docx' for a fork."""
    if not isinstance(value, str) or not value.endswith(".docx"):
        return False
    folder, _, name = value.rpartition("/")
    return _plain_name(name) and folder in ("", region)


def _document_path(value: Any, region: str) -> bool:
    """A document of `region`: '<region>/<name>.docx' or '.pdf', relative, nothing else."""
    if not isinstance(value, str) or "\\" in value or "\x00" in value:
        return False
    folder, _, name = value.partition("/")
    return folder == region and _plain_name(name) and name.endswith((".docx", ".pdf"))


PDF_KINDS = ("pdf", "pdfa")


@dataclass(frozen=True)
class PdfRecord:
    """A PDF as the build made it: from which document (its SHA-256), its own SHA-256, plain
    PDF or PDF/A-2, and the signature fields it was given."""

    bron_sha256: str
    sha256: str
    grootte: int  # bytes: a signed copy starts with exactly these
    soort: str
    velden: list[str]

    @classmethod
    def parse(cls, data: Any) -> PdfRecord | None:
        if not (isinstance(data, dict) and set(data) == set(cls.__dataclass_fields__)):
            return None
        ok = (
            _digest(data["bron_sha256"])
            and _digest(data["sha256"])
            and type(data["grootte"]) is int
            and data["grootte"] > 0
            and data["soort"] in PDF_KINDS
            and isinstance(data["velden"], list)
            and all(isinstance(v, str) for v in data["velden"])
        )
        return cls(**data) if ok else None


@dataclass(frozen=True)
class RegionRecord:
    bron: str
    bron_sha256: str
    sjablonen: dict[str, str]
    versie: str
    opties: dict[str, Any]
    documenten: dict[str, str]
    ondertekenaars: dict[str, list[str]] = field(default_factory=dict)  # signed document -> signatories
    pdfs: dict[str, PdfRecord] = field(default_factory=dict)  # '<region>/<name>.pdf' -> how it was made

    @classmethod
    def parse(cls, key: str, data: Any) -> RegionRecord | None:
        """The record if every field has the shape we write, else None (the region is rebuilt).
        A PDF entry of another shape is dropped (that PDF is made again)."""
        if not (_plain_name(key) and isinstance(data, dict) and set(data) == set(cls.__dataclass_fields__)):
            return None
        templates, documents, signers, pdfs = (
            data["sjablonen"],
            data["documenten"],
            data["ondertekenaars"],
            data["pdfs"],
        )
        if not isinstance(pdfs, dict):
            return None
        records = {
            name: record
            for name, value in pdfs.items()
            if _document_path(name, key) and name.endswith(".pdf") and (record := PdfRecord.parse(value))
        }
        ok = (
            isinstance(data["bron"], str)
            and _digest(data["bron_sha256"])
            and isinstance(templates, dict)
            and all(_template_name(n, key) and _digest(h) for n, h in templates.items())
            and isinstance(data["versie"], str)
            and isinstance(data["opties"], dict)
            and isinstance(documents, dict)
            and bool(documents)
            and all(_document_path(n, key) and n.endswith(".docx") and _digest(h) for n, h in documents.items())
            and isinstance(signers, dict)
            and all(
                n in documents and isinstance(names, list) and all(isinstance(x, str) for x in names)
                for n, names in signers.items()
            )
        )
        return cls(**{**data, "pdfs": records}) if ok else None

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "pdfs": {name: r.__dict__ for name, r in sorted(self.pdfs.items())}}


@dataclass(frozen=True)
class OverviewRecord:
    bestand: str
    sha256: str
    bronnen: dict[str, str]
    versie: str
    definitief: bool
    # The covenant PDFs read for the signing column, by (size, mtime, ctime, inode): a PDF
    # signed since (or removed, or new) means the overview is written again.
    pdfs: dict[str, list[int]]

    @classmethod
    def parse(cls, data: Any) -> OverviewRecord | None:
        if not (isinstance(data, dict) and set(data) == set(cls.__dataclass_fields__)):
            return None
        ok = (
            data["bestand"] == OVERVIEW
            and _digest(data["sha256"])
            and isinstance(data["bronnen"], dict)
            and all(isinstance(k, str) and _digest(v) for k, v in data["bronnen"].items())
            and isinstance(data["versie"], str)
            and isinstance(data["definitief"], bool)
            and isinstance(data["pdfs"], dict)
            and all(isinstance(v, list) and all(type(x) is int for x in v) for v in data["pdfs"].values())
        )
        return cls(**data) if ok else None


@dataclass(frozen=True)
class RowRecord:
    """A region's row of the national overview and its findings, as the last build made them."""

    bron_sha256: str
    versie: str
    definitief: bool
    rij: Any
    bevindingen: Any

    @classmethod
    def make(cls, digest: str, definitief: bool, entry: OverviewEntry) -> RowRecord | None:
        from convenant_gen.output.overview import findings_to_json

        row, findings = entry
        found = findings_to_json(findings, row.bestand)
        return None if found is None else cls(digest, __version__, definitief, row.to_json(), found)

    @staticmethod
    def entry(data: Any, source: Path, digest: str, definitief: bool) -> OverviewEntry | None:
        """The row kept in `data` if it has exactly our shape and is of this very file content,
        named as now, this tool version and `definitief`; else None (the region is read again)."""
        from convenant_gen.output.overview import Row, findings_from_json

        if not (isinstance(data, dict) and data.keys() == RowRecord.__dataclass_fields__.keys()):
            return None
        if (data["bron_sha256"], data["versie"], data["definitief"]) != (digest, __version__, definitief):
            return None
        if type(data["definitief"]) is not bool:
            return None
        row = Row.from_json(data["rij"])
        if row is None or row.bestand != str(source):
            return None
        findings = findings_from_json(data["bevindingen"], row.bestand)
        return None if findings is None else (row, findings)


RACY_NS = 2_000_000_000  # a file changed this recently may change again within one timestamp tick


class Fingerprints:
    """What each output file looked like when we last hashed it (size, mtime, ctime, inode,
    device, SHA-256), so that an unchanged file need not be read again: the same trust git puts
    in its index. Every one of the five must match; no user can set a ctime, and any write or
    rename sets it anew. A file that had changed less than RACY_NS before it was hashed is not
    fingerprinted (file timestamps are coarse: a change in the same tick would not show), so
    it is hashed again next time. Entries of any other shape are ignored."""

    def __init__(self, data: Any = None):
        self.known: dict[str, tuple[int, int, int, int, int, str]] = {}
        if isinstance(data, dict):
            for name, value in data.items():
                if (
                    isinstance(name, str)
                    and isinstance(value, list)
                    and len(value) == 6
                    and all(type(v) is int and v >= 0 for v in value[:5])
                    and _digest(value[5])
                ):
                    self.known[name] = tuple(value)

    def intact(self, out: Path, name: str, digest: str) -> bool:
        """The output `name` ('<region>/<file>' or a file in `out`) is still inside `out`, a
        regular file, and as we wrote it: neither it nor its folder is a symbolic link, so it
        cannot lead outside `out`. Hashed unless its fingerprint matches exactly."""
        import stat

        path = f"{os.fspath(out)}/{name}"
        folder = name.rpartition("/")[0]
        try:
            if folder and not stat.S_ISDIR(os.lstat(f"{os.fspath(out)}/{folder}").st_mode):
                return False
            before = os.lstat(path)
            if not stat.S_ISREG(before.st_mode):
                return False
            if self.known.get(name) == (*_stat_key(before), digest):
                return True
            self.known.pop(name, None)
            actual, after = _sha256_and_stat(path)
        except OSError:
            return False
        if actual != digest:
            return False
        if (
            _stat_key(before) == _stat_key(after)
            and max(after.st_mtime_ns, after.st_ctime_ns) < time.time_ns() - RACY_NS
        ):
            self.known[name] = (*_stat_key(after), digest)
        return True

    def as_json(self, keep: set[str]) -> dict[str, list[Any]]:
        return {name: list(value) for name, value in sorted(self.known.items()) if name in keep}


def _stat_key(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


@dataclass
class Manifest:
    regions: dict[str, RegionRecord] = field(default_factory=dict)
    overview: OverviewRecord | None = None
    rows: dict[str, Any] = field(default_factory=dict)  # checked only when used: RowRecord.entry
    read: Any = None  # the JSON as read, to leave an unchanged manifest alone
    prints: Fingerprints = field(default_factory=Fingerprints)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "versie": __version__,
            "regio's": {k: r.as_json() for k, r in self.regions.items()},
            "rijen": self.rows,
        }
        outputs = {name for r in self.regions.values() for name in (*r.documenten, *r.pdfs)}
        if self.overview is not None:
            data["overzicht"] = self.overview.__dict__
            outputs.add(self.overview.bestand)
        data["kenmerken"] = self.prints.as_json(outputs)
        return data


def load_manifest(out: Path) -> Manifest:
    """The manifest of `out`, keeping only the records that have exactly our shape."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return Manifest()
    if not isinstance(data, dict):
        return Manifest()
    regions = data.get("regio's")
    records = {}
    if isinstance(regions, dict):
        for key, value in regions.items():
            record = RegionRecord.parse(key, value)
            if record is not None:
                records[key] = record
    rows = data.get("rijen")
    if isinstance(rows, dict):
        rows = {k: v for k, v in rows.items() if _plain_name(k) and isinstance(v, dict)}
    else:
        rows = {}
    prints = Fingerprints(data.get("kenmerken"))
    return Manifest(records, OverviewRecord.parse(data.get("overzicht")), rows, data, prints)


def write_manifest(out: Path, manifest: Manifest) -> None:
    """Write the manifest, unless it would say exactly what the file already says."""
    data = manifest.as_json()
    if data == manifest.read and (out / MANIFEST).is_file():
        return
    # Compact: json's C encoder only runs without indent (10x faster for 1,000 regions).
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    write_atomic(out / MANIFEST, text.encode("utf-8"))


class NotARegularFile(OSError):
    """A FIFO, device or folder where a file was expected: reading it could block forever."""


def sha256(path: Path | str) -> str:
    """SHA-256 of a regular file; raises NotARegularFile for anything else, without blocking."""
    return _sha256_and_stat(path)[0]


def _sha256_and_stat(path: Path | str) -> tuple[str, os.stat_result]:
    """SHA-256 of a regular file and its fstat after reading it (see Fingerprints)."""
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(
                errno.EINVAL,
                "geen gewoon bestand (maar een map, apparaat of pijp); convenant leest alleen gewone bestanden",
            )
        digest = hashlib.file_digest(f, "sha256").hexdigest()
        return digest, os.fstat(fd)


class _TemplateHashes:
    """Each template file hashed at most once per batch."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.known: dict[str, str | None] = {}
        self._forks: set[str] | None = None

    @property
    def forks(self) -> set[str]:
        """The names of the folders in the template folder: the regions that may have forks."""
        if self._forks is None:
            try:
                with os.scandir(self.folder) as entries:
                    self._forks = {e.name for e in entries if e.is_dir()}
            except OSError:
                self._forks = set()
        return self._forks

    def __call__(self, name: str) -> str | None:
        if name not in self.known:
            try:
                self.known[name] = sha256(self.folder / name)
            except OSError:
                self.known[name] = None
        return self.known[name]


def _unchanged(
    key: str,
    record: RegionRecord,
    inputs: dict[str, Any],
    template_hash: _TemplateHashes,
    out: Path,
    prints: Fingerprints,
) -> bool:
    if (record.bron, record.bron_sha256, record.versie, record.opties) != (
        inputs["bron"],
        inputs["bron_sha256"],
        inputs["versie"],
        inputs["opties"],
    ):
        return False
    # Same region file and options: the same own choices. A fork gone or changed shows in its
    # hash; a fork that appeared for a kind built from the default template means rebuild.
    if any(template_hash(name) != digest for name, digest in record.sjablonen.items()):
        return False
    for kind_key in record.opties.get("documenten", ()):
        kind = KINDS.get(kind_key)
        if kind is None:
            return False
        if (
            kind.template in record.sjablonen
            and key in template_hash.forks
            and fork_path(kind, template_hash.folder, key).is_file()
        ):
            return False
    return all(prints.intact(out, name, digest) for name, digest in record.documenten.items())


def _relative(out: Path, path: Path) -> str:
    return PurePosixPath(path.relative_to(out)).as_posix()


# --- the batch -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    source: Path
    out: Path
    templates: Path
    definitief: bool
    datum: dt.date
    documents: tuple[str, ...]
    limits: Limits
    overview: bool
    per: dt.date | None = None


def _warm() -> None:
    """A build worker's head start, before its first region: the modules every build needs
    and babel's Dutch number data (they take longer than building one region)."""
    from convenant_gen.documents import context, engine  # noqa: F401
    from convenant_gen.documents.formatting import getal
    from convenant_gen.region import validate  # noqa: F401

    getal(1000)


def _build(task: _Task) -> Outcome:
    return build_region(
        task.source,
        task.out,
        templates=task.templates,
        definitief=task.definitief,
        datum=task.datum,
        documents=task.documents,
        limits=task.limits,
        overview=task.overview,
        per=task.per,
    )


@dataclass
class _Batch:
    results: list[Outcome]
    digests: dict[Path, tuple[str, str]]  # region file -> (its resolved path, SHA-256), read once


def _run(
    files: list[Path],
    out: Path,
    manifest: Manifest,
    *,
    templates: Path | None,
    definitief: bool,
    datum: dt.date,
    documents: tuple[str, ...] | None,
    jobs: int | None,
    force: bool,
    limits: Limits | None,
    overview: bool,
    on_result: Callable[[Outcome], None],
    prepare: Callable[[], None] | None = None,
    per: dt.date | None = None,
) -> _Batch:
    """Build every region on a manifest read by the caller, which it updates and does not write;
    one failure never stops the others. The caller holds the output lock (see build_all)."""
    from convenant_gen.pipeline.workers import Failed, Pool

    limits = limits or Limits()
    templates = folder_or_default(templates)
    documents = tuple(KINDS) if documents is None else documents
    options = {
        "definitief": definitief,
        "datum": datum.isoformat() if not definitief else None,
        "documenten": list(documents),
        "sjabloonmap": str(templates.resolve()),
        "per": per.isoformat() if per else None,
    }
    template_hash = _TemplateHashes(templates)
    real = real_paths()
    results: dict[Path, Outcome] = {}
    digests: dict[Path, tuple[str, str]] = {}
    todo: list[tuple[Path, dict[str, Any]]] = []

    def finish(index: int, outcome: Outcome | Failed) -> None:
        source, inputs = todo[index]
        if isinstance(outcome, Failed):
            outcome = Outcome.failed(source, outcome.reason)
        if outcome.status != "gemaakt":
            manifest.regions.pop(source.stem, None)
        else:
            before = manifest.regions.get(source.stem)
            manifest.regions[source.stem] = RegionRecord(
                **inputs,
                sjablonen=dict(sorted(outcome.templates.items())),
                documenten={_relative(out, p): digest for p, digest in outcome.hashes.items()},
                ondertekenaars={_relative(out, p): names for p, names in outcome.signers.items()},
                # Kept as hints: the PDF step believes one only for the document it was made from.
                pdfs=before.pdfs if before is not None else {},
            )
        results[source] = outcome
        on_result(outcome)

    hard = limits.seconds * max(1, len(documents)) + 15
    workers = jobs or os.cpu_count() or 1
    # Workers start with the first region that needs building and get ready while the others
    # are still checked; a build with nothing to do starts none.
    with Pool(_build, workers=workers, limits=limits, hard_seconds=hard, warm=_warm) as pool:
        for source in files:
            try:
                inputs: dict[str, Any] = {
                    "bron": real(source),
                    "bron_sha256": sha256(source),
                    "versie": __version__,
                }
            except OSError as e:
                result = Outcome.failed(source, f"kan het bestand niet lezen ({e.strerror or e})")
                manifest.regions.pop(source.stem, None)
                results[source] = result
                on_result(result)
                continue
            digests[source] = (inputs["bron"], inputs["bron_sha256"])
            inputs["opties"] = options
            previous = manifest.regions.get(source.stem)
            if (
                not force
                and previous is not None
                and _unchanged(source.stem, previous, inputs, template_hash, out, manifest.prints)
            ):
                result = Outcome(source, "ongewijzigd", [out / d for d in previous.documenten])
                results[source] = result
                on_result(result)
            else:
                todo.append((source, inputs))
                pool.submit(_Task(source, out, templates, definitief, datum, documents, limits, overview, per))
        for index, outcome in pool.results(meanwhile=prepare):  # the next step gets ready
            finish(index, outcome)
    return _Batch([results[f] for f in files], digests)


def build_all(
    files: list[Path],
    out: Path,
    *,
    templates: Path | None = None,
    definitief: bool = False,
    datum: dt.date | None = None,
    documents: tuple[str, ...] | None = None,
    jobs: int | None = None,
    force: bool = False,
    limits: Limits | None = None,
    overview: bool = False,
    pdf: bool = False,
    pdfa: bool = False,
    on_result: Callable[[Outcome], None] = lambda r: None,
    meanwhile: Callable[[], None] | None = None,
    per: dt.date | None = None,
) -> BatchReport:
    """The whole build under one lock on `out`: documents, then PDFs (pipeline/pdfs.py: made
    when missing or stale, removed when of an older document), then the overview (for a folder).
    Refuses region files with one name before anything is written. `datum` is the
    date on a concept (default: build_date()), `templates` the folder (default: convenant's own).
    `meanwhile` runs once while the last regions are built, if any are (e.g. the caller's
    imports for its report)."""
    refuse_same_names(files)
    datum = check_date(datum) if datum else build_date()
    with output_lock(out, wait=_lock_wait()):
        remove_our_temporaries(out)
        manifest = load_manifest(out)
        batch = _run(
            files,
            out,
            manifest,
            templates=templates,
            definitief=definitief,
            datum=datum,
            documents=documents,
            jobs=jobs,
            force=force,
            limits=limits,
            overview=overview,
            on_result=on_result,
            prepare=_both(_prepare_overview if overview else None, meanwhile),
            per=per,
        )
        results = batch.results
        report = BatchReport(results)
        try:
            if pdf or pdfa or any(r.pdfs for r in manifest.regions.values()) or _has_pdfs(out, results):
                from convenant_gen.pipeline.pdfs import update_pdfs

                write_manifest(out, manifest)  # the documents' records count even if the PDFs fail
                report.pdfs = update_pdfs(
                    out,
                    manifest,
                    results,
                    kind="pdfa" if pdfa else "pdf" if pdf else None,
                    definitief=definitief,
                    workers=jobs or os.cpu_count() or 1,
                )
            if overview:  # after the PDFs: it shows how far each covenant PDF is signed
                report.overview = _update_overview(out, batch, manifest, force=force, definitief=definitief)
        finally:
            write_manifest(out, manifest)
    return report


def _has_pdfs(out: Path, results: list[Outcome]) -> bool:
    """Whether a document written now has a PDF beside it (one the manifest does not know)."""
    return any(d.with_suffix(".pdf").exists() for r in results if r.status == "gemaakt" for d in r.documents)


def _both(first: Callable[[], None] | None, second: Callable[[], None] | None) -> Callable[[], None] | None:
    if first is None or second is None:
        return first or second

    def both() -> None:
        first()
        second()

    return both


def _prepare_overview() -> None:
    """Import the workbook writer while the last regions are built (it takes ~0.15 s)."""
    from convenant_gen.output.overview import prepare

    prepare()


def _lock_wait() -> float:
    """Seconds to wait for another build on the same folder: CONVENANT_WACHTTIJD, else 10."""
    try:
        return max(0.0, float(os.environ.get("CONVENANT_WACHTTIJD", "10")))
    except ValueError:
        raise UsageProblem(
            f"CONVENANT_WACHTTIJD moet een aantal seconden zijn, gekregen {os.environ['CONVENANT_WACHTTIJD']!r}"
        ) from None


def _update_overview(out: Path, batch: _Batch, manifest: Manifest, *, force: bool, definitief: bool) -> Path | None:
    """Write <out>/overzicht.xlsx from the batch's results and record it in `manifest`; skipped
    when every region file, the tool and `definitief` are as recorded and the workbook is still
    as written. A region not built now gives its row kept in the manifest, if that is usable,
    else it is read again; the workbook is always the one a build of everything would write."""
    sources = {resolved: digest for resolved, digest in batch.digests.values()}
    for r in batch.results:  # rows of regions built now, for the next build
        if r.overview is not None:
            _keep_row(manifest, r.source, batch, definitief, r.overview)
    record = manifest.overview
    pdfs = _signing_pdfs(out, batch.results)
    if (
        not force
        and record is not None
        and record.bronnen == sources
        and record.versie == __version__
        and record.definitief == definitief
        and record.pdfs == pdfs
        and manifest.prints.intact(out, OVERVIEW, record.sha256)
    ):
        return None
    from convenant_gen.output.overview import Overview, collect, signing, workbook_bytes

    rows, findings = [], []
    for r in batch.results:
        entry = r.overview
        if entry is None and r.source in batch.digests:  # not built now: its row as kept
            digest = batch.digests[r.source][1]
            entry = RowRecord.entry(manifest.rows.get(r.source.stem), r.source, digest, definitief)
        if entry is None:  # nothing usable kept (or unreadable): read it again
            part = collect([r.source], definitief=definitief)
            entry = (part.rows[0], part.findings)
            _keep_row(manifest, r.source, batch, definitief, entry)
        rows.append(entry[0])
        findings += entry[1]
    overview = Overview(rows, in_file_order(findings))
    if pdfs:
        overview.ondertekening = signing(out, rows)
    data = workbook_bytes(overview)
    write_atomic(out / OVERVIEW, data)
    digest = hashlib.sha256(data).hexdigest()
    manifest.overview = OverviewRecord(OVERVIEW, digest, sources, __version__, definitief, pdfs)
    return out / OVERVIEW


def _signing_pdfs(out: Path, results: list[Outcome]) -> dict[str, list[int]]:
    """The covenant PDFs in `out` of the regions in this build, by what a change would alter."""
    found: dict[str, list[int]] = {}
    for r in results:
        for kind in KINDS.values():
            if kind.signed and kind.per_item is None:
                name = f"{r.source.stem}/{kind.file_name(r.source.stem)[: -len('.docx')]}.pdf"
                try:
                    st = os.stat(out / name)
                except OSError:
                    continue
                found[name] = list(_stat_key(st))
    return found


def _keep_row(manifest: Manifest, source: Path, batch: _Batch, definitief: bool, entry: OverviewEntry) -> None:
    """Keep a region's row for the next build, by the SHA-256 its file had when this batch read it."""
    record = None
    if source in batch.digests:
        record = RowRecord.make(batch.digests[source][1], definitief, entry)
    if record is None:
        manifest.rows.pop(source.stem, None)
    else:
        manifest.rows[source.stem] = record.__dict__
