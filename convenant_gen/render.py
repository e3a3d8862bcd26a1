"""Thin docxtpl wrapper: template + context -> document bytes (deterministic).

Templates render in a sandboxed Jinja environment with StrictUndefined and autoescape, so
user text is data ("Zorg & Welzijn", "{{ x }}", "<b>") and a misspelt field is an error that
names the template and the field.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from convenant_gen.errors import TemplateProblem
from convenant_gen.write import FIXED_ZIP_TIME


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
    a compile stage and a render stage, writing the rendered parts straight into the template's
    zip instead of round-tripping the whole document through python-docx for every region.
    """

    def __init__(self, path: Path):
        from docxtpl import DocxTemplate
        from lxml import etree

        self.name = path.name
        self.source = path.read_bytes()
        self.tpl = DocxTemplate(io.BytesIO(self.source))
        self.tpl.render_init()
        env = jinja_env()
        self.parts: dict[str, Any] = {}
        self.sources: dict[str, str] = {}
        body = self.tpl.patch_xml(self.tpl.get_xml())
        self._compile("word/document.xml", body, env)
        for uri in (self.tpl.HEADER_URI, self.tpl.FOOTER_URI):
            for _, part in self.tpl.get_headers_footers(uri):
                xml = self.tpl.patch_xml(self.tpl.get_part_xml(part))
                self._compile(str(part.partname).lstrip("/"), xml, env)
        root = self.tpl.docx._element
        body_el = root.body
        marker = etree.Element(_SENTINEL)
        root.replace(body_el, marker)
        outer = etree.tostring(root, encoding="unicode")
        root.replace(marker, body_el)
        self.prefix, self.suffix = outer.split(f"<{_SENTINEL}/>")
        with zipfile.ZipFile(io.BytesIO(self.source)) as z:
            self.entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
        self.core = dict(self.entries).get("docProps/core.xml")

    def _compile(self, name: str, xml: str, env: Any) -> None:
        from jinja2 import TemplateError

        xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
        self.sources[name] = xml
        try:
            self.parts[name] = env.from_string(xml)
        except TemplateError as e:
            raise TemplateProblem(self.name, _template_error(e, xml)) from None

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
            xml = self.tpl.resolve_listing(xml)
            if name == "word/document.xml":
                tree = self.tpl.fix_tables(xml)
                for n, elt in enumerate(tree.xpath("//wp:docPr", namespaces=_NSMAP), start=1001):
                    elt.attrib["id"] = str(n)
                xml = self.prefix + etree.tostring(tree, encoding="unicode") + self.suffix
            rendered[name] = _DECLARATION + xml.encode("utf-8")
        if self.core is not None:
            rendered["docProps/core.xml"] = _core_properties(self.core, properties)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for name, data in self.entries:
                info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 0
                z.writestr(info, rendered.get(name, data), compresslevel=6)
        return out.getvalue()


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
