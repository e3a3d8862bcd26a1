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
from convenant_gen.write import zip_bytes, zip_entries


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


_DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_SENTINEL = "convenant-body-sentinel"


class CompiledTemplate:
    """A .docx template parsed, patched and compiled once; rendered many times.

    This is docxtpl's own pipeline (patch_xml, render_xml_part, fix_tables, docPr ids) split in
    a prepare stage and a render stage, writing the rendered parts straight into the template's
    zip instead of round-tripping the whole document through python-docx for every region.
    The prepared parts (JSON) and Jinja's bytecode are cached on disk by the template's SHA-256,
    so a new process needs neither docxtpl's loader nor the compiler for a known template.
    """

    def __init__(self, path: Path):
        import hashlib

        import jinja2

        from convenant_gen import __version__

        self.name = path.name
        self.source = path.read_bytes()
        self.key = hashlib.sha256(self.source + f"{__version__}/{jinja2.__version__}".encode()).hexdigest()
        prepared = _read_cache(self.key) or _write_cache(self.key, _prepare(self.source))
        self.sources: dict[str, str] = prepared["parts"]
        self.prefix, self.suffix = prepared["prefix"], prepared["suffix"]
        self.entries = zip_entries(self.source)
        self.core = dict(self.entries).get("docProps/core.xml")
        template_env().loader.sources[self.key] = self.sources
        self.needs_table_fix = any("{%tc" in xml or "{% tc" in xml for xml in self.sources.values())
        self.parts = {name: self._compile(name) for name in self.sources}

    def _compile(self, name: str) -> Any:
        from jinja2 import TemplateError

        try:
            return template_env().get_template(f"{self.key}/{name}")
        except TemplateError as e:
            raise TemplateProblem(self.name, _template_error(e, self.sources[name])) from None

    def render(self, context: dict[str, Any], properties: dict[str, str]) -> bytes:
        from jinja2 import TemplateError, UndefinedError
        from lxml import etree

        rendered: dict[str, bytes] = {}
        for name, template in self.parts.items():
            try:
                xml = template.render(context)
            except UndefinedError as e:
                raise TemplateProblem(self.name, _undefined_message(str(e.message))) from None
            except TemplateError as e:
                raise TemplateProblem(self.name, _template_error(e, self.sources[name])) from None
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
            if any(c in xml for c in "\n\t\a\f"):  # line, tab, paragraph and page breaks in values
                from docxtpl import DocxTemplate

                xml = DocxTemplate.resolve_listing(None, xml)
            if name == "word/document.xml":
                if self.needs_table_fix:
                    from docxtpl import DocxTemplate

                    tree = DocxTemplate.fix_tables(None, xml)
                else:
                    tree = etree.fromstring(xml, etree.XMLParser(recover=True, huge_tree=True))
                for n, elt in enumerate(tree.xpath("//wp:docPr", namespaces=_NSMAP), start=1001):
                    elt.attrib["id"] = str(n)
                xml = self.prefix + etree.tostring(tree, encoding="unicode") + self.suffix
            rendered[name] = _DECLARATION + xml.encode("utf-8")
        if self.core is not None:
            rendered["docProps/core.xml"] = _core_properties(self.core, properties)
        return zip_bytes((name, rendered.get(name, data)) for name, data in self.entries)


def _prepare(source: bytes) -> dict[str, Any]:
    """docxtpl's preparation: the body and every header and footer, with Word's split tags
    repaired (patch_xml), plus the document.xml around the body."""
    from docxtpl import DocxTemplate
    from lxml import etree

    tpl = DocxTemplate(io.BytesIO(source))
    tpl.render_init()
    parts = {"word/document.xml": tpl.patch_xml(tpl.get_xml())}
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            parts[str(part.partname).lstrip("/")] = tpl.patch_xml(tpl.get_part_xml(part))
    parts = {name: re.sub(r"<w:p([ >])", r"\n<w:p\1", xml) for name, xml in parts.items()}
    root = tpl.docx._element
    body = root.body
    marker = etree.Element(_SENTINEL)
    root.replace(body, marker)
    prefix, suffix = etree.tostring(root, encoding="unicode").split(f"<{_SENTINEL}/>")
    root.replace(marker, body)
    return {"parts": parts, "prefix": prefix, "suffix": suffix}


def cache_dir() -> Path:
    """CONVENANT_CACHE, else $XDG_CACHE_HOME/convenant, else ~/.cache/convenant."""
    import os

    if os.environ.get("CONVENANT_CACHE"):
        return Path(os.environ["CONVENANT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "convenant"


def _read_cache(key: str) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and isinstance(data.get("parts"), dict) and {"prefix", "suffix"} <= data.keys()
    return data if ok else None


def _write_cache(key: str, prepared: dict[str, Any]) -> dict[str, Any]:
    import json

    from convenant_gen.errors import WriteFailed
    from convenant_gen.write import write_atomic

    try:
        write_atomic(cache_dir() / f"{key}.json", json.dumps(prepared).encode("utf-8"))
    except (WriteFailed, OSError):
        pass  # a cache is an optimisation; no cache, no problem
    return prepared


@functools.cache
def template_env() -> Any:
    """The sandboxed environment with a loader over the prepared parts and a bytecode cache."""
    from jinja2 import BaseLoader, FileSystemBytecodeCache, TemplateNotFound

    class PartLoader(BaseLoader):
        def __init__(self) -> None:
            self.sources: dict[str, dict[str, str]] = {}  # template key -> part name -> Jinja source

        def get_source(self, environment: Any, template: str) -> tuple[str, None, Any]:
            key, _, part = template.partition("/")
            try:
                return self.sources[key][part], None, lambda: True
            except KeyError:
                raise TemplateNotFound(template) from None

    env = jinja_env().overlay()
    env.loader = PartLoader()
    try:
        folder = cache_dir() / "bytecode"
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    except OSError:
        pass
    return env


_NSMAP = {"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
_CORE = {
    "title": "{http://purl.org/dc/elements/1.1/}title",
    "subject": "{http://purl.org/dc/elements/1.1/}subject",
    "author": "{http://purl.org/dc/elements/1.1/}creator",
    "keywords": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords",
    "category": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}category",
    "last_modified_by": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy",
    "comments": "{http://purl.org/dc/elements/1.1/}description",
}


def _core_properties(core: bytes, properties: dict[str, str]) -> bytes:
    """The template's core.xml (its dates, so output stays deterministic) with our properties."""
    from lxml import etree

    root = etree.fromstring(core)
    for key, tag in _CORE.items():
        el = root.find(tag)
        if el is None:
            el = etree.SubElement(root, tag)
        el.text = properties.get(key, "")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@functools.cache
def _compiled(path: str, mtime_ns: int, size: int) -> CompiledTemplate:
    return CompiledTemplate(Path(path))


def compiled_template(template: Path) -> CompiledTemplate:
    """Parse and compile each template once per process (a changed file is compiled anew)."""
    try:
        st = template.stat()
    except OSError:
        raise TemplateProblem(template.name, "sjabloon niet gevonden") from None
    return _compiled(str(template.resolve()), st.st_mtime_ns, st.st_size)


def render_document(template: Path, context: dict[str, Any], properties: dict[str, str]) -> bytes:
    """Render one .docx template; raises TemplateProblem naming the template and the field."""
    return compiled_template(template).render(context, properties)


def _template_error(e: Any, source: str) -> str:
    near = ""
    if getattr(e, "lineno", None):
        lines = source.splitlines()[max(e.lineno - 2, 0) : e.lineno + 1]
        text = " ".join(re.sub(r"<[^>]+>", "", line) for line in lines).strip()
        near = f" (bij: {text[:160]})" if text else ""
    return f"Jinja-fout: {e.message}{near}"


def _undefined_message(message: str) -> str:
    m = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
    name = m.group(1) if m else message
    return f"het sjabloon gebruikt het veld '{name}', maar dat bestaat niet (zie convenant schema)"
