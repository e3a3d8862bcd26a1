"""One region -> its documents, as a typed Outcome. One failing region never stops the others."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from convenant_gen.documents.kinds import KINDS
from convenant_gen.errors import (
    ConvenantError,
    Finding,
    InputError,
    TemplateProblem,
    UsageProblem,
    errors_in,
    warnings_in,
)
from convenant_gen.pipeline.limits import Limits, TimeLimitExceeded, deadline, memory_message, time_message

if TYPE_CHECKING:
    from convenant_gen.documents.placeholders import Path_
    from convenant_gen.output.overview import Row
    from convenant_gen.region.validate import Loaded

Status = Literal["gemaakt", "ongewijzigd", "mislukt"]
OverviewEntry = tuple["Row", list[Finding]]  # a region's row in the national overview, and its findings


@dataclass
class Outcome:
    """What became of one region: its documents and every finding, errors and warnings alike."""

    source: Path
    status: Status = "mislukt"
    documents: list[Path] = field(default_factory=list)  # written (gemaakt) or as recorded (ongewijzigd)
    findings: list[Finding] = field(default_factory=list)  # any error means: nothing written
    overview: OverviewEntry | None = None  # only when the build was asked for it
    templates: dict[str, str] = field(default_factory=dict)  # template, relative to its folder -> SHA-256
    hashes: dict[Path, str] = field(default_factory=dict)  # document written -> SHA-256
    signers: dict[Path, list[str]] = field(default_factory=dict)  # signed document -> its signatories, in order

    @property
    def errors(self) -> list[Finding]:
        return errors_in(self.findings)

    @property
    def warnings(self) -> list[Finding]:
        return warnings_in(self.findings)

    @property
    def error(self) -> str | None:
        """The errors as Dutch text, one per line; None when there are none."""
        return "\n".join(str(f) for f in self.errors) or None

    @property
    def written(self) -> list[Path]:
        """The documents this build wrote (none when unchanged or failed)."""
        return self.documents if self.status == "gemaakt" else []

    @classmethod
    def failed(cls, source: Path, message: str) -> Outcome:
        """A region that failed before it could be read, located at its file."""
        return cls(source, findings=[Finding(str(source), 0, 0, "", message)])


def build_date() -> dt.date:
    """The concept date: SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return dt.date.today()
    try:
        when = dt.datetime.fromtimestamp(int(epoch.strip()), dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        shown = epoch if len(epoch) <= 40 else epoch[:40] + "…"
        raise UsageProblem(
            f"SOURCE_DATE_EPOCH moet een aantal seconden sinds 1 januari 1970 zijn (zoals 1700000000), "
            f"gekregen {shown!r}; pas de variabele aan of verwijder haar"
        ) from None
    return check_date(when, "SOURCE_DATE_EPOCH")


def check_date(when: dt.date, source: str = "--datum") -> dt.date:
    """A date printed on every page of a concept lies in the years a region file may use."""
    from convenant_gen.region.bounds import FIRST_YEAR, LAST_YEAR

    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise UsageProblem(
            f"de datum uit {source} ({when.isoformat()}) ligt buiten {FIRST_YEAR} tot en met {LAST_YEAR}; "
            "geef een datum zoals 2026-11-23"
        )
    return when


def build_region(
    source: Path,
    out: Path,
    *,
    templates: Path | None = None,
    definitief: bool = False,
    datum: dt.date | None = None,
    documents: tuple[str, ...] | None = None,
    limits: Limits | None = None,
    overview: bool = False,
    per: dt.date | None = None,
) -> Outcome:
    """Validate, render every document of every kind in `documents` (default: all kinds), then
    write them; nothing is written on failure. With `overview`, the outcome also carries the
    region's row for the national overview (only then is the overview module imported).

    Each document renders from its own context (a template cannot change what the next one
    sees), each render under the time limit of `limits`. `templates` is the folder of
    templates, by default the ones that come with convenant (see documents.templates). `per`
    is the date of the consolidated text (default: after the last recorded decision)."""
    from convenant_gen.errors import RegionInvalid
    from convenant_gen.output.write import write_all_atomic
    from convenant_gen.region.validate import load_region

    limits = limits or Limits()
    outcome = Outcome(source)
    try:
        when = datum or build_date()
        kinds = documents if documents is not None else tuple(KINDS)
        try:
            loaded = load_region(source, definitief)
        except RegionInvalid as refused:
            if not definitief:
                raise
            # Say at once what else the documents would leave open (not only what the rules know).
            findings = _with_open_fields(refused.findings, source, kinds, templates, when, limits)
            raise RegionInvalid(source, findings) from None
        outcome.findings = list(loaded.warnings)
        if overview:
            from convenant_gen.output.overview import entry

            outcome.overview = entry(source, loaded)
        rendered, open_fields = _render(loaded, kinds, templates, definitief, when, limits, outcome, out, per=per)
        if definitief and open_fields:
            raise RegionInvalid(source, _open_findings(loaded, open_fields))
        write_all_atomic(rendered)
        outcome.documents = [target for target, _ in rendered]
        outcome.status = "gemaakt"
    except InputError as e:
        outcome.findings = e.as_findings()
        if overview:
            from convenant_gen.output.overview import entry

            outcome.overview = entry(source, error=e)
    except ConvenantError as e:
        outcome.findings = [*e.as_findings(), *outcome.warnings]
    if outcome.status != "gemaakt":
        outcome.templates, outcome.hashes, outcome.signers = {}, {}, {}
    return outcome


# Where a document would print an empty field: kind label -> the template and every field path
# printed open (None: an empty value the template made itself).
OpenFields = dict[str, tuple[str, list["Path_ | None"]]]


def _render(
    loaded: Loaded,
    kinds: tuple[str, ...],
    templates: Path | None,
    definitief: bool,
    when: dt.date,
    limits: Limits,
    outcome: Outcome,
    out: Path,
    *,
    per: dt.date | None = None,
) -> tuple[list[tuple[Path, bytes]], OpenFields]:
    """Every document of `kinds` rendered in memory, and the empty fields each one printed.
    Records the templates used and the documents' hashes in `outcome`."""
    import hashlib

    from convenant_gen.documents.decisions import document_context, signatories
    from convenant_gen.documents.engine import compiled_template
    from convenant_gen.documents.placeholders import recording
    from convenant_gen.documents.templates import folder_or_default, relative_name, resolve

    folder = folder_or_default(templates)
    source, region = loaded.path, loaded.region
    slug = source.stem
    rendered: list[tuple[Path, bytes]] = []
    open_fields: OpenFields = {}
    covenant: bytes | None = None  # the covenant as signed, if rendered in this run (for the redline)
    for key in kinds:
        kind = KINDS[key]
        items: list[tuple[str | None, object]] = (
            [(None, None)] if kind.per_item is None else list(kind.per_item(region))
        )
        if not items:  # e.g. no accessions: no document, and no template needed
            continue
        template = resolve(kind, region, folder, slug=slug)
        for item_slug, item in items:
            context = document_context(kind, region, item, definitief=definitief, datum=when, per=per)
            try:
                with deadline(limits.seconds), recording() as printed:
                    compiled = compiled_template(template)
                    data = compiled.render(context, kind.properties(region, definitief))
            except TimeLimitExceeded:
                raise TemplateProblem(template.name, time_message(limits.seconds)) from None
            except MemoryError:
                raise TemplateProblem(template.name, memory_message(limits.memory_mb)) from None
            if printed:
                open_fields.setdefault(kind.label, (template.name, []))[1].extend(printed)
            outcome.templates[relative_name(template, folder)] = compiled.digest
            target = out / slug / kind.file_name(slug, item_slug)
            if target in outcome.hashes:
                raise ConvenantError(
                    f"{source}: twee documenten van soort '{kind.key}' zouden {target.name} heten; "
                    "elk item heeft een eigen naam nodig"
                )
            rendered.append((target, data))
            outcome.hashes[target] = hashlib.sha256(data).hexdigest()
            if kind.signed:
                outcome.signers[target] = signatories(kind, region, item)
            if kind.key == "convenant":
                covenant = data
            if kind.key == "geconsolideerd":
                marked = _marked(loaded, folder, context, data, covenant, definitief, when, limits, outcome)
                if marked is not None:
                    target = out / slug / kind.file_name(slug, "geconsolideerd-gemarkeerd")
                    rendered.append((target, marked))
                    outcome.hashes[target] = hashlib.sha256(marked).hexdigest()
    return rendered, open_fields


def _marked(
    loaded: Loaded,
    folder: Path,
    context: dict[str, object],
    consolidated: bytes,
    signed: bytes | None,
    definitief: bool,
    when: dt.date,
    limits: Limits,
    outcome: Outcome,
) -> bytes | None:
    """The consolidated text as tracked changes against the covenant as signed (`signed`, as
    this run rendered it, or rendered here when the run makes only the consolidated text). A
    redline rdocx cannot make exactly is left out with a warning: the wijzigingsbesluiten with
    their was/wordt tables are the record."""
    from convenant_gen.documents.decisions import document_context
    from convenant_gen.documents.engine import compiled_template
    from convenant_gen.documents.redline import RedlineFailed, redline
    from convenant_gen.documents.templates import resolve

    kind = KINDS["convenant"]
    region = loaded.region
    template = resolve(kind, region, folder, slug=loaded.path.stem)
    consolidation = context["geconsolideerd"]
    per = consolidation["per"] if isinstance(consolidation, dict) else None
    try:
        with deadline(limits.seconds):
            if signed is None:
                signed_context = document_context(kind, region, definitief=definitief, datum=when)
                signed = compiled_template(template).render(signed_context, kind.properties(region, definitief))
            return redline(signed, consolidated, when=per if isinstance(per, dt.date) else when)
    except TimeLimitExceeded:
        raise TemplateProblem(template.name, time_message(limits.seconds)) from None
    except RedlineFailed as e:
        message = f"geen gemarkeerde versie van de geconsolideerde tekst: {e}"
        outcome.findings.append(Finding(str(loaded.path), 0, 0, "", message, "waarschuwing"))
        return None


def _open_findings(loaded: Loaded, open_fields: OpenFields, known: list[Finding] | None = None) -> list[Finding]:
    """One error per field a definitief document would print open, located in the region
    file; a field a rule already reported (`known`) is not reported twice."""
    from convenant_gen.documents.placeholders import label
    from convenant_gen.region.load import format_path
    from convenant_gen.region.validate import locate

    reported = {f.field for f in known or []}
    findings: list[Finding] = []
    seen: set[object] = set()
    for kind_label, (template, paths) in open_fields.items():
        for path in paths:
            if (kind_label, path) in seen:
                continue
            seen.add((kind_label, path))
            if path is None:
                findings.append(
                    Finding(
                        str(loaded.path),
                        0,
                        0,
                        "",
                        f"{template} toont in {kind_label} een open plek die niet bij een veld hoort; "
                        "een definitief document mag er geen hebben (pas het sjabloon aan)",
                    )
                )
                continue
            name = format_path(path)
            if name in reported:
                continue
            findings.append(
                Finding(
                    str(loaded.path),
                    *locate(loaded.positions, path),
                    name,
                    f"ontbreekt: {kind_label} zou hier nog '{label(path)}' tonen; vul het in voor een "
                    "definitief document",
                )
            )
    return findings


def _with_open_fields(
    refused: list[Finding],
    source: Path,
    kinds: tuple[str, ...],
    templates: Path | None,
    when: dt.date,
    limits: Limits,
) -> list[Finding]:
    """The definitief rules' findings, plus the fields the documents would still print open,
    when the region is a valid concept (else the findings as they are)."""
    from convenant_gen.region.validate import load_region

    try:
        concept = load_region(source, False)
        _, open_fields = _render(concept, kinds, templates, True, when, limits, Outcome(source), source.parent)
    except ConvenantError:
        return refused
    return [*refused, *_open_findings(concept, open_fields, refused)]


def definitief_findings(source: Path, *, templates: Path | None = None) -> list[Finding]:
    """Everything that keeps `source` from a definitief build, as `build --definitief` would
    say it: the definitief rules and every field a document would still print open. Renders
    in memory and writes nothing (for `validate --definitief` and the web form)."""
    from convenant_gen.errors import RegionInvalid
    from convenant_gen.region.validate import load_region

    when, kinds = dt.date.today(), tuple(KINDS)
    try:
        loaded = load_region(source, True)
    except RegionInvalid as refused:
        return _with_open_fields(refused.findings, source, kinds, templates, when, Limits())
    except InputError as e:
        return e.as_findings()
    try:
        _, open_fields = _render(loaded, kinds, templates, True, when, Limits(), Outcome(source), source.parent)
    except ConvenantError as e:
        return [*loaded.warnings, *e.as_findings()]
    return [*loaded.warnings, *_open_findings(loaded, open_fields)]
