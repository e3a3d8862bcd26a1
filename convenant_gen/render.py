"""Thin docxtpl wrapper: template + context -> document bytes (deterministic).

Templates render in a sandboxed Jinja environment with StrictUndefined and autoescape, so
user text is data ("Zorg & Welzijn", "{{ x }}", "<b>") and a misspelt field is an error that
names the template and the field.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any

from convenant_gen.errors import TemplateProblem


@functools.cache
def jinja_env() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from convenant_gen.formatting import FILTERS, OPEN

    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        finalize=lambda value: OPEN if value is None else value,
        autoescape=True,
        trim_blocks=False,
    )
    env.filters.update(FILTERS)
    return env


@functools.cache
def _template_bytes(path: str, mtime_ns: int) -> bytes:
    return Path(path).read_bytes()


def render_document(template: Path, context: dict[str, Any], properties: dict[str, str]) -> bytes:
    """Render one .docx template; raises TemplateProblem naming the template and the field."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError, UndefinedError

    from convenant_gen.write import normalize_zip

    try:
        source = _template_bytes(str(template), template.stat().st_mtime_ns)
    except OSError:
        raise TemplateProblem(template.name, "sjabloon niet gevonden") from None
    doc = DocxTemplate(io.BytesIO(source))
    try:
        doc.render(context, jinja_env(), autoescape=True)
    except UndefinedError as e:
        raise TemplateProblem(template.name, _undefined_message(str(e.message))) from None
    except TemplateError as e:
        where = getattr(e, "docx_context", None)
        near = f" (bij: {' '.join(where)[:160]})" if where else ""
        raise TemplateProblem(template.name, f"Jinja-fout: {e.message}{near}") from None
    core = doc.docx.core_properties
    core.title = properties.get("title", "")
    core.subject = properties.get("subject", "")
    core.keywords = properties.get("keywords", "")
    core.category = properties.get("category", "")
    core.author = properties.get("author", "")
    core.last_modified_by = ""
    core.comments = ""
    out = io.BytesIO()
    doc.save(out)
    return normalize_zip(out.getvalue())


def _undefined_message(message: str) -> str:
    m = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
    name = m.group(1) if m else message
    return f"het sjabloon gebruikt het veld '{name}', maar dat bestaat niet (zie convenant schema)"
