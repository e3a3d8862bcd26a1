"""Regions -> documents. One failing region never stops the others."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from convenant_gen.errors import ConvenantError, Finding, InputError, TemplateProblem

DOCUMENTS = {"convenant": "convenant.docx", "plan": "plan-van-aanpak.docx"}
OUTPUT_NAMES = {"convenant": "convenant", "plan": "plan-van-aanpak"}
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class Outcome:
    source: Path
    written: list[Path] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    error: str | None = None
    row: object = None  # overview.Row, for the national overview
    findings: list[Finding] = field(default_factory=list)


def build_date() -> dt.date:
    """The concept date: SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def templates_dir(given: Path | None = None) -> Path:
    if given is not None:
        return given
    local = Path("templates")
    return local if (local / "convenant.docx").exists() else DEFAULT_TEMPLATES


def template_names(source: Path, documents: tuple[str, ...], text: bytes | None = None) -> dict[str, str]:
    """The template file per document: the region's own choice (sjablonen) or the standard one.
    Read from the raw YAML (`text`, if the caller has read it), so the batch can hash templates
    before it validates anything."""
    from convenant_gen.load import load_yaml

    chosen: dict = {}
    try:
        text = source.read_bytes() if text is None else text
        if b"sjablonen" not in text:  # the usual case: no own templates, no parse
            return {d: DOCUMENTS[d] for d in documents}
        data, _ = load_yaml(source, text)
        chosen = data.get("sjablonen") if isinstance(data.get("sjablonen"), dict) else {}
    except (ConvenantError, OSError):
        pass
    return {d: chosen[d] if isinstance(chosen.get(d), str) and chosen[d] else DOCUMENTS[d] for d in documents}


def build_region(
    source: Path,
    out: Path,
    *,
    templates: Path,
    definitief: bool = False,
    datum: dt.date | None = None,
    documents: tuple[str, ...] = ("convenant", "plan"),
) -> Outcome:
    """Validate, render every document, then write them; nothing is written on failure."""
    from convenant_gen.context import build_context
    from convenant_gen.overview import entry as overview_entry
    from convenant_gen.render import render_document
    from convenant_gen.validate import load_region
    from convenant_gen.write import write_all_atomic

    outcome = Outcome(source)
    try:
        loaded = load_region(source, definitief)
        outcome.warnings = loaded.warnings
        outcome.row, outcome.findings = overview_entry(source, loaded)
        region = loaded.region
        context = build_context(region, definitief=definitief, datum=datum or build_date())
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
            data = render_document(template, context, props)
            rendered.append((out / slug / f"{OUTPUT_NAMES[name]}-{slug}.docx", data))
        write_all_atomic(rendered)
        outcome.written = [target for target, _ in rendered]
    except InputError as e:
        outcome.error = str(e)
        outcome.warnings = [f for f in e.findings if f.severity == "waarschuwing"]
        outcome.row, outcome.findings = overview_entry(source, error=e)
    except ConvenantError as e:
        outcome.error = str(e)
    return outcome


_TITLES = {"convenant": "Regionaal convenant ‘Sterk door werk’", "plan": "Plan van aanpak Hoofdzaak Werk"}
_SUBJECTS = {
    "convenant": "Naar duurzaam werk voor mensen met een psychische kwetsbaarheid",
    "plan": "Plan van aanpak Hoofdzaak Werk",
}
