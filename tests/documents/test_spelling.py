"""Spelling (issue 13, item 9): every word of the rendered covenants and plans, and every word
the templates themselves contain, is known to hunspell's Dutch dictionary (Debian's
hunspell-nl, installed by scripts/test.sh) or stands, with its reason, in
tests/data/spelling-toegestaan.txt.

What is checked, and what not:

- The templates' own text is checked in full: the rendered documents of every example region,
  and, for the branches no example takes, each template's text with its Jinja tags removed
  (string literals that a ``{{ }}`` tag prints are kept). A word the template writes is never
  excused because a region file happens to contain it too.
- Words the region file writes (names of people, organisations, places, and its own sentences)
  are the region's data: a token that occurs verbatim in a free-text value of the region's YAML
  is not checked. Its running prose is excused too, on purpose: the tool prints what the region
  wrote and must not correct it (Holland Rijnland reproduces the wording of its signed plan),
  and that prose is full of names and English terms ("common mental disorder") that would fill
  the allowlist with what is not Dutch. Values that are the model's codes (``soort: uwv``,
  ``functie: projectleider``, any ``Literal`` choice) are not region prose: they are checked,
  so a raw code printed where a label belongs ("uwv") is caught.

Tokens: words end at anything but letters, digits, hyphens, apostrophes and dots; quotes and
dots at their edges are dropped; numbers, ordinals ("23e"), web and mail addresses and single
letters are skipped. A hyphenated word is right when hunspell knows it, or when each part is
right and the parts written together are not a word (UWV-klanten, niet-naleven,
Groot-Amsterdam); a superfluous hyphen (stress-gerelateerd, where stressgerelateerd is the
word) is reported. An elided compound ("inspannings- en geen resultaatsverplichting") is right
when its first part joined to the end of a word after the conjunction is a word
(inspanningsverplichting).

All forms go to one hunspell process (``hunspell -d nl_NL -l``). Without hunspell or its Dutch
dictionary the tests skip, with the reason, except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import typing
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml

from convenant_gen.pipeline.build import build_region
from convenant_gen.region.model import Region
from tests.conftest import EXAMPLES, ROOT
from tests.docs import reading_text

TEMPLATES = ROOT / "templates"
ALLOWLIST = ROOT / "tests" / "data" / "spelling-toegestaan.txt"
DICTIONARY = "nl_NL"
DAY = dt.date(2026, 11, 23)

# --- tokens -------------------------------------------------------------------------------

# A word is letters and digits, joined by hyphens, apostrophes and dots; anything else ends it
# (spaces, slashes, quotes, dashes, '&'), so hunspell never splits a form it is given.
_CHUNKS = re.compile(r"[^\w’'.-]+")
_WORD = re.compile(r"[’'.-]*(.*?)([’'.]*)", re.DOTALL)  # quotes and dots at the edges are not the word
_CONJUNCTIONS = {"en", "of", "tot", "noch", "als"}
_ADDRESS = re.compile(r"@|://|^www\.|\.(nl|com|org|eu|net)$", re.IGNORECASE)
_READING_MARKS = re.compile(r"^(#+ |- |TITEL |KOPTEKST: |VOETTEKST: )")


@dataclass(frozen=True)
class Token:
    word: str  # as reported: the chunk without quotes and punctuation at its edges
    forms: tuple[str, ...]  # the token is right when any of these is
    partners: tuple[str, ...] = ()  # for an elided compound ("inspannings-"): words that may complete it


def _core(chunk: str) -> tuple[str, tuple[str, ...]]:
    """The word in a chunk, and its alternative forms (an abbreviation keeps its final dot)."""
    match = _WORD.fullmatch(chunk)
    assert match is not None
    word, end = match.group(1), match.group(2)
    return word, (word, word + ".") if end.startswith(".") else (word,)


def tokens(text: str) -> Iterator[Token]:
    """The words of `text` to check, in order."""
    for line in text.splitlines():
        chunks = [c for c in _CHUNKS.split(_READING_MARKS.sub("", line)) if c]
        for i, chunk in enumerate(chunks):
            word, forms = _core(chunk)
            if len(word) < 2 or not any(c.isalpha() for c in word):
                continue
            if any(c.isdigit() for c in word) or _ADDRESS.search(word):
                continue
            partners: tuple[str, ...] = ()
            if word.endswith("-"):
                following = [_core(c)[0] for c in chunks[i + 1 : i + 5]]
                if following and following[0].lower() in _CONJUNCTIONS:
                    partners = tuple(w for w in following[1:] if len(w) > 3)
            yield Token(word, forms, partners)


def _key(word: str) -> str:
    """A word as the region file may have written it: the case of its first letter changes at a
    sentence's start or after 'de' (Gemeente Leiden, de gemeente Leiden); capitals do not."""
    return word[:1].lower() + word[1:]


def _parts_forms(form: str) -> list[str]:
    """A hyphenated form's parts and the parts written together (both asked of hunspell)."""
    parts = [p for p in form.split("-") if p]
    return [*parts, "".join(parts)] if len(parts) > 1 else []


def _elided_forms(token: Token) -> list[str]:
    """'inspannings-' with partner 'resultaatsverplichting': inspanningsverplichting, …"""
    head = token.word.rstrip("-")
    out = []
    for partner in token.partners:
        for k in range(1, len(partner) - 2):
            tail = partner[k:]
            if tail[0].isalpha():
                out.append(head + tail.lower())
    return out


# --- hunspell -----------------------------------------------------------------------------


def hunspell_missing() -> str | None:
    """Why hunspell cannot check Dutch here, or None when it can."""
    if shutil.which("hunspell") is None:
        return "hunspell is not installed (scripts/test.sh installs it: apt-get install hunspell hunspell-nl)"
    probe = subprocess.run(
        ["hunspell", "-d", DICTIONARY, "-i", "utf-8", "-l"],
        input="werkgever\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if probe.returncode != 0 or "Can't open" in probe.stderr:
        return f"hunspell has no {DICTIONARY} dictionary (apt-get install hunspell-nl): {probe.stderr.strip()}"
    return None


@pytest.fixture(scope="session")
def hunspell() -> None:
    reason = hunspell_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must check spelling, but {reason}")
    pytest.skip(reason)


def unknown_to_hunspell(forms: Iterable[str]) -> set[str]:
    """The forms hunspell's Dutch dictionary does not know; one process for all of them."""
    unique = sorted(set(forms))
    if not unique:
        return set()
    result = subprocess.run(
        ["hunspell", "-d", DICTIONARY, "-i", "utf-8", "-l"],
        input="\n".join(unique) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    return set(result.stdout.split())


# --- the allowlist ------------------------------------------------------------------------


def allowlist() -> dict[str, str]:
    """word -> why it is right although hunspell's nl_NL lacks it."""
    entries = {}
    for number, line in enumerate(ALLOWLIST.read_text(encoding="utf-8").splitlines(), 1):
        word, _, reason = line.partition("#")
        word, reason = word.strip(), reason.strip()
        if word:
            assert reason, f"{ALLOWLIST.name}:{number}: '{word}' heeft geen reden na '#'"
            assert word not in entries, f"{ALLOWLIST.name}:{number}: '{word}' staat er twee keer in"
            entries[word] = reason
    return entries


def _cased(word: str) -> set[str]:
    """As hunspell treats its own words: as written, with a capital, in capitals."""
    return {word, word[:1].upper() + word[1:], word.upper()}


# --- the check ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    name: str  # a document's or template's file name, as reported
    text: str
    excused: frozenset[str] = frozenset()  # the region file's words, by _key


@dataclass
class Unknown:
    word: str
    names: list[str]  # every text it occurs in, in order
    context: str  # around its first occurrence

    def __str__(self) -> str:
        return f"  {self.word} → {', '.join(self.names)} → «{self.context}»"


def _context(text: str, word: str, width: int = 45) -> str:
    match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)
    if match is None:
        return ""
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    snippet = text[start:end].replace("\n", " ⏎ ")
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")


def check(texts: list[Text], allowed: Iterable[str]) -> tuple[list[Unknown], set[str]]:
    """The unknown words of `texts`, each once per text with its first context, and the
    allowlist entries that excused a word."""
    allowed_forms = {form: entry for entry in allowed for form in _cased(entry)}
    per_text = [(t, [tok for tok in tokens(t.text) if _key(tok.word) not in t.excused]) for t in texts]
    asked: list[str] = []
    for _, toks in per_text:
        for tok in toks:
            for form in tok.forms:
                asked += [form, *_parts_forms(form)]
            asked += _elided_forms(tok)
    unknown = unknown_to_hunspell(asked)
    used: set[str] = set()

    def known(form: str) -> bool:
        if form in allowed_forms:
            used.add(allowed_forms[form])
            return True
        return bool(form) and form not in unknown

    def right(tok: Token) -> bool:
        for form in tok.forms:
            if known(form):
                return True
            parts = [p for p in form.split("-") if p]
            if len(parts) > 1 and all(known(p) for p in parts) and "".join(parts) in unknown:
                return True
        return any(known(form) for form in _elided_forms(tok))

    found: dict[str, Unknown] = {}
    for text, toks in per_text:
        for tok in toks:
            entry = found.get(tok.word)
            if entry is not None and entry.names[-1] == text.name:
                continue
            if entry is None and right(tok):
                continue
            if entry is None:
                found[tok.word] = Unknown(tok.word, [text.name], _context(text.text, tok.word))
            else:
                entry.names.append(text.name)
    return list(found.values()), used


def report(found: list[Unknown]) -> str:
    return (
        f"{len(found)} woord(en) onbekend bij hunspell {DICTIONARY}: verbeter de spelling in het sjabloon, "
        f"of zet een woord dat correct Nederlands is met zijn reden in {ALLOWLIST.relative_to(ROOT)}\n"
        + "\n".join(map(str, found))
    )


# --- region data and template text ----------------------------------------------------------


@cache
def _codes() -> frozenset[str]:
    """Every choice of a Literal in the region model: codes, not the region's own words."""
    codes: set[str] = set()
    seen: set[object] = set()

    def walk(annotation: object) -> None:
        if annotation in seen:
            return
        seen.add(annotation)
        if typing.get_origin(annotation) is typing.Literal:
            codes.update(a for a in typing.get_args(annotation) if isinstance(a, str))
            return
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            for info in annotation.model_fields.values():
                walk(info.annotation)
            return
        for arg in typing.get_args(annotation):
            walk(arg)

    walk(Region)
    return frozenset(codes)


def region_words(source: Path) -> frozenset[str]:
    """The words of the free-text values in a region file (codes excluded), by _key."""

    def strings(value: object) -> Iterator[str]:
        if isinstance(value, str):
            if value not in _codes():
                yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return frozenset(_key(tok.word) for s in strings(data) for tok in tokens(s))


_PRINT_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_OTHER_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_LITERAL = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_MACHINERY = re.compile(r"(attribute\s*=|\b(map|select|reject|selectattr|rejectattr)\()\s*$")  # names, not words


def template_text(template: Path) -> str:
    """A template's own words: its text without Jinja tags, keeping what a {{ }} tag prints literally."""
    text = reading_text(template)

    def printed(tag: re.Match[str]) -> str:
        code = tag.group(1)
        words = [
            m.group(1) or m.group(2) or "" for m in _LITERAL.finditer(code) if not _MACHINERY.search(code[: m.start()])
        ]
        return " " + " ".join(words) + " "

    return _OTHER_TAG.sub(" ", _PRINT_TAG.sub(printed, text))


def template_words(folder: Path) -> frozenset[str]:
    return frozenset(_key(tok.word) for t in folder.rglob("*.docx") for tok in tokens(template_text(t)))


def rendered_texts(documents: dict[Path, list[Path]], folder: Path) -> list[Text]:
    """The documents' texts, each excusing its region's words, but never a word of a template."""
    own = template_words(folder)
    return [
        Text(doc.name, reading_text(doc), region_words(source) - own)
        for source, docs in documents.items()
        for doc in docs
    ]


def build(sources: Iterable[Path], out: Path, templates: Path = TEMPLATES) -> dict[Path, list[Path]]:
    """Every kind of document of each region, as concept."""
    documents = {}
    for source in sources:
        outcome = build_region(source, out, templates=templates, datum=DAY)
        assert outcome.status == "gemaakt", outcome.error
        documents[source] = sorted(outcome.documents)
    return documents


@pytest.fixture(scope="session")
def examples_built(tmp_path_factory, hunspell) -> dict[Path, list[Path]]:
    return build(EXAMPLES, tmp_path_factory.mktemp("spelling"))


def _misspell(template: Path, before: str, after: str) -> None:
    """Rewrite word/document.xml of `template` in place, every other member unchanged."""
    with zipfile.ZipFile(template) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info, data in members:
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert before in text, f"{before!r} not in {template.name}"
                data = text.replace(before, after, 1).encode("utf-8")
            dst.writestr(info, data)
    template.write_bytes(out.getvalue())


# --- tests --------------------------------------------------------------------------------


def test_rendered_documents_are_spelled_correctly(examples_built):
    found, _ = check(rendered_texts(examples_built, TEMPLATES), allowlist())
    if found:
        pytest.fail(report(found), pytrace=False)


def test_template_text_is_spelled_correctly(hunspell):
    """Also the branches that no example region takes."""
    texts = [Text(t.relative_to(TEMPLATES).as_posix(), template_text(t)) for t in sorted(TEMPLATES.rglob("*.docx"))]
    found, _ = check(texts, allowlist())
    if found:
        pytest.fail(report(found), pytrace=False)


def test_every_allowed_word_is_needed(examples_built, hunspell):
    """An entry hunspell knows, or that no document or template uses any more, is stale."""
    allowed = allowlist()
    known = set(allowed) - unknown_to_hunspell(allowed)
    assert not known, f"hunspell {DICTIONARY} kent deze woorden zelf; haal ze uit {ALLOWLIST.name}: {sorted(known)}"
    texts = rendered_texts(examples_built, TEMPLATES)
    texts += [Text(t.name, template_text(t)) for t in TEMPLATES.rglob("*.docx")]
    _, used = check(texts, allowed)
    assert set(allowed) <= used, f"niet meer gebruikt, haal ze uit {ALLOWLIST.name}: {sorted(set(allowed) - used)}"


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("een inspannings- en geen resultaatsverplichting", []),
        ("het aandeel stress-gerelateerd verzuim", ["stress-gerelateerd"]),
        ("de ‘Impuls-regeling’.", ["Impuls-regeling"]),
        ("aldus het OECD- rapport", ["OECD-"]),
        ("UWV-klanten en niet-uitkeringsgerechtigden in Groot-Amsterdam", []),
        ("‘Sterk door werk’ – regio’s, zie www.samenvoordeklant.nl en/of het 23e levensjaar.", []),
        ("De partijen hebben een verplichitng.", ["verplichitng"]),
        ("een inspannings- en geen resultaatsverplichitng", ["inspannings-", "resultaatsverplichitng"]),
    ],
)
def test_words_are_split_and_judged_as_a_reader_would(hunspell, text, unknown):
    found, _ = check([Text("proef", text)], {})
    assert [f.word for f in found] == unknown


def test_a_misspelt_word_in_a_template_is_caught(tmp_path, hunspell):
    """A test of the test: 'verplichitng' written into a copy of the covenant template is
    reported for the rendered covenant and for the template, although the region's own
    prose contains the same misspelling (region words never excuse a template's)."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    _misspell(templates / "convenant.docx", "resultaatsverplichting", "resultaatsverplichting en geen verplichitng")
    region = tmp_path / "achterhoek.yaml"
    data = yaml.safe_load((ROOT / "regions" / "achterhoek.yaml").read_text(encoding="utf-8"))
    data["doelgroepen"]["primair"].append("mensen met een verplichitng en een Qwzrtbedrijf")
    region.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    documents = build([region], tmp_path / "out", templates)
    words = region_words(region)
    assert "qwzrtbedrijf" in words and "laborijn" in words
    assert "sw-bedrijf" not in words, "a code of the model (soort: sw-bedrijf) counted as the region's word"

    found, _ = check(rendered_texts(documents, templates), allowlist())
    reported = {f.word: f.names for f in found}
    assert reported.get("verplichitng") == ["convenant-achterhoek.docx"], report(found)
    assert not any(f.word == "Qwzrtbedrijf" for f in found), "a word of the region file was checked"
    context = next(f.context for f in found if f.word == "verplichitng")
    assert "geen verplichitng" in context

    found, _ = check([Text("convenant.docx", template_text(templates / "convenant.docx"))], allowlist())
    assert "verplichitng" in {f.word for f in found}


def test_a_name_in_the_region_file_does_not_excuse_a_code_in_lower_case(hunspell):
    """The region names its party UWV; a raw 'uwv' printed where a label belongs is still wrong."""
    excused = frozenset(_key(w) for w in ("UWV", "Gemeente", "Qwzrtstad"))
    found, _ = check([Text("proef", "| UWV | uwv | de gemeente Qwzrtstad |", excused)], {})
    assert [f.word for f in found] == ["uwv"]
