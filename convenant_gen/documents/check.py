"""Template check for policy advisers: what is wrong in a .docx template, and where in Word.

Finds Jinja syntax errors and unclosed blocks, tags that Word split or mangled beyond repair,
fields and filters that do not exist (with a suggestion), and loops over things that are not
lists. Each finding names the template, the section heading and the paragraph text.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convenant_gen.documents.shapes import Shape, context_shape
from convenant_gen.pipeline.limits import Limits


@dataclass(frozen=True)
class TemplateFinding:
    template: str
    heading: str
    paragraph: str
    message: str
    severity: str = "fout"

    def __str__(self) -> str:
        where = f" › {self.heading}" if self.heading else ""
        if not self.paragraph:
            return f"{self.template}{where}: {self.message}"
        text = self.paragraph if len(self.paragraph) <= 90 else self.paragraph[:87] + "…"
        return f"{self.template}{where} › “{text}”: {self.message}"


class _Source:
    """A prepared template part, one paragraph per line, to turn a line number into a place."""

    def __init__(self, xml: str):
        self.lines = xml.split("\n")

    def text(self, lineno: int) -> str:
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        return html.unescape(re.sub(r"<[^>]+>", "", line)).strip()

    def heading(self, lineno: int) -> str:
        for index in range(min(lineno, len(self.lines)) - 1, -1, -1):
            if re.search(r'<w:pStyle w:val="(Heading\d|Title|Kop\d)"', self.lines[index]):
                text = re.sub(r"\{%.*?%\}", "", re.sub(r"<[^>]+>", "", self.lines[index]))
                return html.unescape(text).strip()
        return ""


@dataclass(frozen=True)
class Candidate:
    """A template to check: its file, how it is named, and for a fork the region it serves."""

    path: Path
    label: str  # 'convenant.docx', or 'achterhoek/convenant.docx' for a fork
    region: str | None = None

    def examples(self, regions: list[Path]) -> list[Path]:
        """The example regions to render it against: all, or for a fork its own region only."""
        return regions if self.region is None else [r for r in regions if r.stem == self.region]


@dataclass
class CheckReport:
    templates: list[Candidate]
    examples: dict[str, int]  # label -> number of example regions it was rendered against
    findings: list[TemplateFinding]

    def clean(self, template: Candidate) -> bool:
        return not any(f.template == template.label for f in self.findings)


def candidates(base: Path) -> list[Candidate]:
    """The templates in `base` (a folder, or one .docx) and the forks in its subfolders
    (documents.templates decides which region a fork serves)."""
    from convenant_gen.documents.templates import forks

    if base.is_file():
        return [Candidate(base, base.name)]
    found = [Candidate(p, p.name) for p in sorted(base.glob("*.docx")) if not p.name.startswith("~$")]
    return found + [Candidate(p, f"{slug}/{p.name}", slug) for slug, p in forks(base)]


def check_folder(base: Path, regions: Path, limits: Limits, jobs: int | None = None) -> CheckReport:
    """`templates check`: every template and fork in `base` checked, then rendered against the
    example regions in `regions` (a fork against its own region only)."""
    from convenant_gen.documents.kinds import all_kinds

    templates = candidates(base)
    names = list(dict.fromkeys(kind.template for kind in all_kinds()))
    findings = [
        TemplateFinding(
            t.label,
            "",
            "",
            "geen soort document heeft een sjabloon met deze naam, dus de build gebruikt het niet; noem het "
            + (", ".join(names[:-1]) + " of " + names[-1] if len(names) > 1 else names[0]),
        )
        for t in templates
        if t.region is not None and t.path.name not in names
    ]
    findings += [f for t in templates for f in check_template(t.path, t.label)]
    broken = {f.template for f in findings}
    examples = sorted(regions.glob("*.yaml")) if regions.is_dir() else []
    trials = [t for t in templates if t.label not in broken]
    findings += render_checked(trials, examples, limits, jobs)
    return CheckReport(templates, {t.label: len(t.examples(examples)) for t in templates}, findings)


def check_template(path: Path, label: str | None = None) -> list[TemplateFinding]:
    """Static check of one template; findings are named `label` (default: the file name)."""
    from jinja2 import TemplateSyntaxError

    from convenant_gen.documents.engine import _prepare_checked, _read_template, jinja_env, read_package
    from convenant_gen.errors import TemplateProblem

    name = label or path.name
    try:  # the same checks as a build: a template file is untrusted input
        data = _read_template(path)
        read_package(name, data)
        prepared = _prepare_checked(name, data)
    except TemplateProblem as e:
        return [TemplateFinding(name, "", "", _without_name(e))]
    findings: list[TemplateFinding] = []
    env = jinja_env()
    for part, xml in prepared["parts"].items():
        source = _Source(xml)
        part_label = _part_label(part)

        def at(lineno: int, message: str, source: _Source = source, part_label: str = part_label) -> TemplateFinding:
            return TemplateFinding(name, source.heading(lineno) or part_label, source.text(lineno), message)

        for lineno in range(1, len(source.lines) + 1):
            problem = _mangled(source.text(lineno))
            if problem:
                findings.append(at(lineno, problem))
        try:
            tree = env.parse(xml)
        except TemplateSyntaxError as e:
            opener = _unclosed_block(env, xml)
            finding = at(opener or e.lineno or 1, _syntax_message(e))
            tags = re.findall(r"\{%-?\s*(?:for|if|macro|filter|with)\b.*?%\}", source.text(opener)) if opener else []
            if tags:  # docxtpl moves a {%p %} tag onto the line before: show the tag itself
                finding = TemplateFinding(name, finding.heading, tags[-1], finding.message)
            findings.append(finding)
            continue
        findings += [at(lineno, message) for lineno, message in _Walker(env, path.name).check(tree)]
    return findings


_OPENERS = {"for": "endfor", "if": "endif", "macro": "endmacro", "filter": "endfilter", "with": "endwith"}


def _without_name(e: Any) -> str:
    """A TemplateProblem's message without 'sjabloon <name>: ' (the finding names the template)."""
    return str(e).removeprefix(f"sjabloon {e.template}: ")


def _unclosed_block(env: Any, xml: str) -> int | None:
    """Line of the innermost block that is opened but never closed (Jinja reports the end)."""
    stack: list[tuple[str, int]] = []
    expect_name = False
    try:
        for lineno, kind, value in env.lex(xml):
            if kind == "block_begin":
                expect_name = True
            elif expect_name and kind == "name":
                expect_name = False
                if value in _OPENERS:
                    stack.append((value, lineno))
                elif value.startswith("end") and stack and _OPENERS[stack[-1][0]] == value:
                    stack.pop()
            elif kind not in ("whitespace",):
                expect_name = False
    except Exception:
        return None
    return stack[-1][1] if stack else None


def _part_label(part: str) -> str:
    if "header" in part:
        return "koptekst"
    if "footer" in part:
        return "voettekst"
    return ""


def _mangled(text: str) -> str | None:
    if re.search(r"\{\s+\{|\}\s+\}|\{\s+%|%\s+\}", text):
        return (
            "kapotte tag: tussen de accolades staat een spatie ('{ {' of '% }'); "
            "typ de tag opnieuw als {{ … }} of {% … %}"
        )
    if text.count("{{") != text.count("}}"):
        return "tag niet gesloten: het aantal '{{' en '}}' in deze alinea verschilt"
    if text.count("{%") != text.count("%}"):
        return "tag niet gesloten: het aantal '{%' en '%}' in deze alinea verschilt"
    return None


def _syntax_message(e: Any) -> str:
    message = str(e.message or "")
    m = re.search(r"looking for the following tags: '(\w+)'", message) or re.search(
        r"currently looking for '(\w+)'", message
    )
    if m:
        return f"blok niet gesloten: {{% {m.group(1)} %}} ontbreekt (of staat in een andere tabel of alinea)"
    m = re.search(r"Encountered unknown tag '(\w+)'", message)
    if m:
        known = ["if", "elif", "else", "endif", "for", "endfor", "set", "macro", "endmacro"]
        hint = [h for h in difflib.get_close_matches(m.group(1), known, n=2) if h != m.group(1)][:1]
        suggestion = f"; bedoelde u '{hint[0]}'?" if hint else ""
        return f"onbekende tag '{m.group(1)}'{suggestion}"
    return f"Jinja-fout: {message}"


class _Walker:
    """Walks a Jinja AST with the context shape, binding loop variables to their item shapes."""

    def __init__(self, env: Any, template: str | None = None):
        self.env = env
        self.fields = context_shape(template).fields  # the names of the kinds rendered from this template
        self.findings: list[tuple[int, str]] = []

    def check(self, tree: Any) -> list[tuple[int, str]]:
        self._visit(tree, {})
        return self.findings

    def _visit(self, node: Any, scope: dict[str, Shape | None]) -> None:
        from jinja2 import nodes

        if isinstance(node, nodes.For):
            shape = self._shape(node.iter, scope)
            if shape is not None and shape.kind != "list":
                self.findings.append((node.lineno, f"de lus loopt over '{_expr(node.iter)}', maar dat is geen lijst"))
            inner = dict(scope)
            for target in _names(node.target):
                inner[target] = shape.item if shape is not None and shape.kind == "list" else None
            inner["loop"] = None
            for child in node.body:
                self._visit(child, inner)
            for child in node.else_:
                self._visit(child, scope)
            if node.test is not None:
                self._visit(node.test, inner)
            return
        if isinstance(node, nodes.Assign):
            self._shape(node.node, scope)
            for target in _names(node.target):
                scope[target] = None
            return
        if isinstance(node, nodes.Filter):
            self._known_filter(node)
        if isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Name):
            self._shape(node, scope)
            return
        for child in node.iter_child_nodes():
            self._visit(child, scope)

    def _known_filter(self, node: Any) -> bool:
        """Report a filter that does not exist, with a suggestion; True when it exists."""
        if node.name == "safe":
            self.findings.append((node.lineno, _SAFE))
        if node.name in self.env.filters:
            return True
        hint = difflib.get_close_matches(node.name, list(self.env.filters), n=1)
        suggestion = f"; bedoelde u '{hint[0]}'?" if hint else ""
        self.findings.append((node.lineno, f"filter '{node.name}' bestaat niet{suggestion}"))
        return False

    def _shape(self, node: Any, scope: dict[str, Shape | None]) -> Shape | None:
        """The shape of an expression, reporting unknown names and fields; None if unknowable."""
        from jinja2 import nodes

        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in ("none", "true", "false", "None", "True", "False", "loop", "range"):
                return None
            fields = self.fields
            if node.name not in fields:
                self.findings.append((node.lineno, _unknown(node.name, fields, "")))
                return None
            return fields[node.name]
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            base = self._shape(node.node, scope)
            key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            if not isinstance(node, nodes.Getattr):
                self._visit(node.arg, scope)
            if base is None or not isinstance(key, str):
                return None
            if base.kind == "object":
                if key not in base.fields:
                    self.findings.append((node.lineno, _unknown(key, base.fields, _expr(node.node))))
                    return None
                return base.fields[key]
            if base.kind == "list":
                self.findings.append(
                    (
                        node.lineno,
                        f"'{_expr(node.node)}' is een lijst; gebruik een lus "
                        f"({{% for x in {_expr(node.node)} %}}) om '{key}' te tonen",
                    )
                )
            return None
        if isinstance(node, nodes.Filter):
            inner = self._shape(node.node, scope) if node.node is not None else None
            for child in [*node.args, *[kw.value for kw in node.kwargs]]:
                self._visit(child, scope)
            if not self._known_filter(node):
                return None
            if node.name in ("of_open", "sort", "reverse", "list", "unique") and inner is not None:
                return inner
            if node.name == "map" and inner is not None and inner.kind == "list":
                return Shape("list", "lijst", item=None)
            return None
        for child in node.iter_child_nodes():
            self._visit(child, scope)
        return None


_SAFE = (
    "filter 'safe' zet de bescherming uit: een waarde met & of < maakt het document onleesbaar, "
    "en opmaak in een waarde komt ongecontroleerd in het document; laat |safe weg"
)


def _names(target: Any) -> list[str]:
    from jinja2 import nodes

    if isinstance(target, nodes.Name):
        return [target.name]
    return [n.name for n in target.find_all(nodes.Name)]


def _unknown(key: str, fields: dict[str, Shape], parent: str) -> str:
    hint = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
    suggestion = f"; bedoelde u '{hint[0]}'?" if hint else ""
    where = f" in '{parent}'" if parent else ""
    return f"veld '{key}' bestaat niet{where}{suggestion} (zie convenant templates fields)"


def _expr(node: Any) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_expr(node.node)}.{node.attr}"
    if isinstance(node, nodes.Filter):
        return f"{_expr(node.node)}|{node.name}"
    return "…"


def render_against(
    templates: list[Path], regions: list[Path], limits: Limits | None = None, label: str | None = None
) -> list[TemplateFinding]:
    """Render every template against every example region, as a concept and as definitief
    (`concept` flips branches), parsing every rendered part strictly; report what fails.
    Each render runs under the time limit of `limits` (see render_checked for the rest)."""
    import datetime as dt

    from convenant_gen.documents.decisions import document_context, with_sample_decisions
    from convenant_gen.documents.engine import CompiledTemplate
    from convenant_gen.documents.shapes import kinds_of
    from convenant_gen.errors import ConvenantError, TemplateProblem
    from convenant_gen.pipeline.limits import TimeLimitExceeded, deadline, memory_message, time_message
    from convenant_gen.region.validate import load_region

    limits = limits or Limits()

    findings: list[TemplateFinding] = []
    loaded = []
    for region in regions:
        try:
            loaded.append((region, load_region(region).region))
        except ConvenantError:
            continue  # an invalid example is `convenant validate`'s business

    def contexts_for(template: Path) -> list[tuple[str, dict[str, Any]]]:
        """Every kind rendered from this template, for every example region (with a sample
        accession and amendment where it has none), as a concept and as definitief."""
        found = []
        for region, model in loaded:
            for kind in kinds_of(template.name):
                source = model if kind.per_item is None else with_sample_decisions(model)
                items = [(None, None)] if kind.per_item is None else list(kind.per_item(source))
                for _, item in items:
                    for definitief in (False, True):
                        context = document_context(kind, source, item, definitief=definitief, datum=dt.date(2000, 1, 1))
                        contexts_label = f"{region.name} ({'definitief' if definitief else 'concept'})"
                        found.append((contexts_label, context))
        return found

    for template in templates:
        contexts = contexts_for(template)
        name = label or template.name
        try:
            compiled = CompiledTemplate(template)
        except TemplateProblem as e:
            findings.append(TemplateFinding(name, "", "", _without_name(e)))
            continue
        seen: set[str] = set()
        for where, context in contexts:
            try:
                try:
                    with deadline(limits.seconds):
                        compiled.render(context, {})
                except TimeLimitExceeded:
                    raise TemplateProblem(template.name, time_message(limits.seconds)) from None
                except MemoryError:
                    raise TemplateProblem(template.name, memory_message(limits.memory_mb)) from None
            except TemplateProblem as e:
                message = _without_name(e)
                if message not in seen:  # the same fault in every region: report it once
                    seen.add(message)
                    findings.append(TemplateFinding(name, "", "", f"bij regio {where}: {message}"))
            except ConvenantError as e:
                findings.append(TemplateFinding(name, "", "", f"bij regio {where}: {e}"))
    return findings


def render_checked(
    templates: list[Candidate], regions: list[Path], limits: Limits, jobs: int | None = None
) -> list[TemplateFinding]:
    """render_against for each template in its own worker process, under the time and memory
    limits of a build: a template that never ends or eats memory is a finding, not a hang."""
    import os

    from convenant_gen.pipeline.workers import Failed, run_tasks

    tasks = [(t, t.examples(regions), limits) for t in templates]
    hard = limits.seconds * 2 * max(1, len(regions)) + 15
    found: dict[int, list[TemplateFinding]] = {}
    for index, result in run_tasks(
        _render_task, tasks, workers=jobs or os.cpu_count() or 1, limits=limits, hard_seconds=hard
    ):
        found[index] = (
            [TemplateFinding(templates[index].label, "", "", result.reason)] if isinstance(result, Failed) else result
        )
    return [f for index in sorted(found) for f in found[index]]


def _render_task(task: tuple[Candidate, list[Path], Limits]) -> list[TemplateFinding]:
    template, regions, limits = task
    return render_against([template.path], regions, limits, template.label)
