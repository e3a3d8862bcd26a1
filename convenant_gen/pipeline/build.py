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
    from convenant_gen.output.overview import Row

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
) -> Outcome:
    """Validate, render every document of every kind in `documents` (default: all kinds), then
    write them; nothing is written on failure. With `overview`, the outcome also carries the
    region's row for the national overview (only then is the overview module imported).

    Each document renders from its own context (a template cannot change what the next one
    sees), each render under the time limit of `limits`. `templates` is the folder of
    templates, by default the ones that come with convenant (see documents.templates)."""
    import hashlib

    from convenant_gen.documents.context import build_context
    from convenant_gen.documents.engine import compiled_template
    from convenant_gen.documents.templates import folder_or_default, relative_name, resolve
    from convenant_gen.output.write import write_all_atomic
    from convenant_gen.region.validate import load_region

    limits = limits or Limits()
    folder = folder_or_default(templates)
    outcome = Outcome(source)
    try:
        when = datum or build_date()
        loaded = load_region(source, definitief)
        outcome.findings = list(loaded.warnings)
        if overview:
            from convenant_gen.output.overview import entry

            outcome.overview = entry(source, loaded)
        region = loaded.region
        slug = source.stem
        rendered: list[tuple[Path, bytes]] = []
        for key in documents if documents is not None else tuple(KINDS):
            kind = KINDS[key]
            template = resolve(kind, region, folder, slug=slug)
            items: list[tuple[str | None, object]] = (
                [(None, None)] if kind.per_item is None else list(kind.per_item(region))
            )
            for item_slug, item in items:
                context = build_context(region, definitief=definitief, datum=when)
                if kind.per_item is not None:
                    context[kind.item_name] = item
                try:
                    with deadline(limits.seconds):
                        compiled = compiled_template(template)
                        data = compiled.render(context, kind.properties(region, definitief))
                except TimeLimitExceeded:
                    raise TemplateProblem(template.name, time_message(limits.seconds)) from None
                except MemoryError:
                    raise TemplateProblem(template.name, memory_message(limits.memory_mb)) from None
                outcome.templates[relative_name(template, folder)] = compiled.digest
                target = out / slug / kind.file_name(slug, item_slug)
                if target in outcome.hashes:
                    raise ConvenantError(
                        f"{source}: twee documenten van soort '{kind.key}' zouden {target.name} heten; "
                        "elk item heeft een eigen naam nodig"
                    )
                rendered.append((target, data))
                outcome.hashes[target] = hashlib.sha256(data).hexdigest()
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
        outcome.templates, outcome.hashes = {}, {}
    return outcome
