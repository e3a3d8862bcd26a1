"""Regions -> documents. One failing region never stops the others."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from convenant_gen.errors import ConvenantError, Finding, InputError, TemplateProblem, UsageProblem
from convenant_gen.pipeline.limits import Limits, TimeLimitExceeded, deadline, memory_message, time_message

DOCUMENTS = {"convenant": "convenant.docx", "plan": "plan-van-aanpak.docx"}
OUTPUT_NAMES = {"convenant": "convenant", "plan": "plan-van-aanpak"}
DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass
class Outcome:
    source: Path
    written: list[Path] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    error: str | None = None
    row: object = None  # overview.Row, for the national overview
    findings: list[Finding] = field(default_factory=list)
    templates: dict[str, str] = field(default_factory=dict)  # template file name -> SHA-256 used
    hashes: dict[Path, str] = field(default_factory=dict)  # document written -> SHA-256


def build_date() -> dt.date:
    """The concept date: SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch.strip()), dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        shown = epoch if len(epoch) <= 40 else epoch[:40] + "…"
        raise UsageProblem(
            f"SOURCE_DATE_EPOCH moet een aantal seconden sinds 1 januari 1970 zijn (zoals 1700000000), "
            f"gekregen {shown!r}; pas de variabele aan of verwijder haar"
        ) from None


def templates_dir(given: Path | None = None) -> Path:
    if given is not None:
        return given
    local = Path("templates")
    return local if (local / "convenant.docx").exists() else DEFAULT_TEMPLATES


def build_region(
    source: Path,
    out: Path,
    *,
    templates: Path,
    definitief: bool = False,
    datum: dt.date | None = None,
    documents: tuple[str, ...] = ("convenant", "plan"),
    limits: Limits | None = None,
) -> Outcome:
    """Validate, render every document, then write them; nothing is written on failure.

    Each document renders from its own context (a template cannot change what the next one
    sees), each render under the time limit of `limits`."""
    import hashlib

    from convenant_gen.documents.context import build_context
    from convenant_gen.documents.engine import compiled_template
    from convenant_gen.output.overview import entry as overview_entry
    from convenant_gen.output.write import write_all_atomic
    from convenant_gen.region.validate import load_region

    limits = limits or Limits()
    outcome = Outcome(source)
    try:
        loaded = load_region(source, definitief)
        outcome.warnings = loaded.warnings
        outcome.row, outcome.findings = overview_entry(source, loaded)
        region = loaded.region
        slug = source.stem
        rendered = []
        for name in documents:
            props = {
                "title": f"{_TITLES[name]} arbeidsmarktregio {region.regio.naam}",
                "subject": _SUBJECTS[name],
                "keywords": f"{region.regio.naam}; {'definitief' if definitief else 'concept'}",
                "category": region.regio.naam,
            }
            own = getattr(region.sjablonen, name)
            template = templates / (own or DOCUMENTS[name])
            if own and not template.is_file():
                raise TemplateProblem(own, f"niet gevonden in {templates} (gekozen bij sjablonen.{name})")
            context = build_context(region, definitief=definitief, datum=datum or build_date())
            try:
                with deadline(limits.seconds):
                    compiled = compiled_template(template)
                    data = compiled.render(context, props)
            except TimeLimitExceeded:
                raise TemplateProblem(template.name, time_message(limits.seconds)) from None
            except MemoryError:
                raise TemplateProblem(template.name, memory_message(limits.memory_mb)) from None
            outcome.templates[template.name] = hashlib.sha256(compiled.source).hexdigest()
            target = out / slug / f"{OUTPUT_NAMES[name]}-{slug}.docx"
            rendered.append((target, data))
            outcome.hashes[target] = hashlib.sha256(data).hexdigest()
        write_all_atomic(rendered)
        outcome.written = [target for target, _ in rendered]
    except InputError as e:
        outcome.error = str(e)
        outcome.warnings = [f for f in e.findings if f.severity == "waarschuwing"]
        outcome.row, outcome.findings = overview_entry(source, error=e)
    except ConvenantError as e:
        outcome.error = str(e)
    if outcome.error:
        outcome.templates, outcome.hashes = {}, {}
    return outcome


_TITLES = {"convenant": "Regionaal convenant ‘Sterk door werk’", "plan": "Plan van aanpak Hoofdzaak Werk"}
_SUBJECTS = {
    "convenant": "Naar duurzaam werk voor mensen met een psychische kwetsbaarheid",
    "plan": "Plan van aanpak Hoofdzaak Werk",
}
