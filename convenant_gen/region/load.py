"""YAML -> plain data plus a map from field path to (line, column), safely.

We compose the node graph ourselves instead of calling yaml.safe_load, so that we know where
every key sits, can refuse duplicate keys, and can bound alias expansion (billion laughs).
Before any parser sees the text we read at most MAX_BYTES of a regular file and measure its
nesting (libyaml's composer recurses in C: 40,000 levels kill the process).
"""

from __future__ import annotations

import os
import re
import stat
import typing
from pathlib import Path
from typing import Any

import yaml

from convenant_gen.errors import Finding, YamlSyntaxError

# libyaml when PyYAML has it (same nodes and marks, ~10x faster scanning), else pure Python.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 50  # lists and groups inside each other; a region file needs about six
MAX_NUMBER_CHARS = 100  # a number written with more characters stays text (and the model refuses it)

Path_ = tuple[str | int, ...]
Positions = dict[Path_, tuple[int, int]]


def format_path(path: Path_) -> str:
    """('partijen', 3, 'naam') -> 'partijen[4].naam' (list positions counted from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            part = part if len(part) <= 40 else part[:39] + "…"  # a key of any length stays readable
            out += f".{part}" if out else part
    return out


class _Builder:
    def __init__(self, file: str, loader: Any):
        self.file = file
        self.loader = loader
        self.positions: Positions = {}
        self.findings: list[Finding] = []
        self.nodes_left = MAX_NODES

    def fail(self, node: yaml.Node, path: Path_, message: str) -> None:
        mark = node.start_mark
        self.findings.append(Finding(self.file, mark.line + 1, mark.column + 1, format_path(path), message))

    def build(self, node: yaml.Node, path: Path_, depth: int = 1) -> Any:
        self.nodes_left -= 1
        if self.nodes_left < 0:
            raise _TooBig(node)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and depth > MAX_DEPTH:
            raise _TooDeep(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, child in enumerate(node.value):
                self.positions.setdefault((*path, i), _pos(child))
                items.append(self.build(child, (*path, i), depth + 1))
            return items
        if not node.tag.startswith("tag:yaml.org,2002:"):
            self.fail(
                node, path, f"onbekende YAML-markering '{node.tag[:40]}'; laat die weg (schrijf alleen de waarde)"
            )
            return None
        return self._scalar(typing.cast(yaml.ScalarNode, node))

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, path, "'<<' (samenvoegen) wordt niet ondersteund; schrijf de velden uit")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, path, "een sleutel moet een woord zijn, geen lijst of groep")
                continue
            key = str(key_node.value)
            if key in result:
                first = self.positions.get((*path, key), (0, 0))[0]
                self.fail(
                    key_node,
                    (*path, key),
                    f"staat twee keer in deze groep (eerder op regel {first}); verwijder een van beide",
                )
                continue
            self.positions[(*path, key)] = _pos(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag in _PLAIN_FORMS and not _PLAIN_FORMS[node.tag].fullmatch(node.value):
            # YAML 1.1 reads 0100 as octal 64, 0x10 as 16, yes/on as true and 1_000 as 1000:
            # a value that silently differs from what the user typed. Keep such text as text:
            # the model reads '0100' as 100 and refuses '0x10' or 'yes' where a number belongs.
            return node.value
        if node.tag in _AS_TEXT or (node.tag in _NUMBERS and len(node.value) > MAX_NUMBER_CHARS):
            # A 900,000-digit number (or 1:1:1:... in base 60) costs seconds and overflows
            # every formatter; as text the model refuses it with a Dutch message.
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, ArithmeticError, TypeError, yaml.YAMLError):
            # e.g. 2022-02-30 looks like a date but is none: keep the text, the model explains.
            return node.value


_NUMBERS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
# The only forms of numbers and yes/no that mean the same to a reader as to YAML 1.1.
_PLAIN_FORMS = {
    "tag:yaml.org,2002:int": re.compile(r"[-+]?(0|[1-9][0-9]*)"),
    "tag:yaml.org,2002:float": re.compile(
        r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
    ),
    "tag:yaml.org,2002:bool": re.compile(r"true|false|True|False|TRUE|FALSE"),
}
_AS_TEXT = {"tag:yaml.org,2002:binary"}


class _TooBig(Exception):
    def __init__(self, node: yaml.Node):
        self.node = node


class _TooDeep(_TooBig):
    pass


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _reader_position(source: str, index: int) -> tuple[int, int]:
    line = source.count("\n", 0, index) + 1
    return line, index - (source.rfind("\n", 0, index) + 1) + 1


def _refuse(path: Path | str, line: int, column: int, message: str) -> YamlSyntaxError:
    return YamlSyntaxError(path, [Finding(str(path), line, column, "", message)])


def read_limited(path: Path) -> bytes:
    """The bytes of a regular file, at most MAX_BYTES + 1 of them: a FIFO, a device such as
    /dev/zero or a folder is refused before anything is read, without waiting for a writer."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _refuse(path, 0, 0, "bestand niet gevonden") from None
    except IsADirectoryError:
        raise _refuse(path, 0, 0, "dit is een map, geen YAML-bestand") from None
    except OSError as e:
        raise _refuse(path, 0, 0, f"kan het bestand niet lezen ({e.strerror or e})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _refuse(path, 0, 0, "dit is een map, geen YAML-bestand")
        if not stat.S_ISREG(mode):
            kind = "een pijp (FIFO)" if stat.S_ISFIFO(mode) else "een apparaat of ander speciaal bestand"
            raise _refuse(path, 0, 0, f"geen gewoon bestand maar {kind}; geef een YAML-bestand op")
        chunks: list[bytes] = []
        left = MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise _refuse(path, 0, 0, f"kan het bestand niet lezen ({e.strerror or e})") from None
    finally:
        os.close(fd)


def load_yaml(path: Path | str, text: bytes | None = None) -> tuple[dict[str, Any], Positions]:
    """Read one region file. Raises YamlSyntaxError with Dutch findings on any problem."""
    path = Path(path)
    if text is None:
        text = read_limited(path)
    if len(text) > MAX_BYTES:
        raise _refuse(
            path,
            0,
            0,
            f"bestand is te groot (meer dan {MAX_BYTES:,} bytes); "
            "een regiobestand is normaal een paar kilobyte".replace(",", "."),
        )
    try:
        source = text.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = text[: e.start].count(b"\n") + 1
        column = e.start - (text.rfind(b"\n", 0, e.start) + 1) + 1
        raise _refuse(
            path,
            line,
            column,
            "het bestand is geen UTF-8; sla het op als UTF-8 (in Kladblok: Opslaan als, Codering UTF-8)",
        ) from None
    deep = too_deep(source)
    if deep is not None:
        raise _refuse(path, *deep, _DEEP)
    try:
        loader = Loader(source)
    except yaml.reader.ReaderError as e:
        raise _reader_refusal(path, source, e) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            raise _refuse(path, line, column, _yaml_message(e, source)) from None
        except yaml.reader.ReaderError as e:  # libyaml reads lazily: control characters and the like
            raise _reader_refusal(path, source, e) from None
        except yaml.YAMLError:
            raise _refuse(path, 0, 0, "geen geldige YAML") from None
        except RecursionError:
            raise _refuse(path, 0, 0, _DEEP) from None
        if node is None:
            raise _refuse(path, 1, 1, "het bestand is leeg; begin met 'regio:' (zie convenant init)")
        if not isinstance(node, yaml.MappingNode):
            raise _refuse(
                path,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                "verwacht velden als 'regio:' en 'looptijd:' bovenaan, geen lijst of losse tekst",
            )
        builder = _Builder(str(path), loader)
        try:
            data = builder.build(node, ())
        except _TooDeep as e:
            raise _refuse(path, *_pos(e.node), _DEEP) from None
        except _TooBig as e:
            raise _refuse(
                path,
                e.node.start_mark.line + 1,
                e.node.start_mark.column + 1,
                f"het bestand bevat te veel waarden (meer dan {MAX_NODES:,}); "
                "gebruik geen verwijzingen (&anker/*anker) die zichzelf vermenigvuldigen".replace(",", "."),
            ) from None
        except RecursionError:
            raise _refuse(path, 0, 0, _DEEP) from None
    finally:
        loader.dispose()
    if builder.findings:
        raise YamlSyntaxError(path, builder.findings)
    return data, builder.positions


def _reader_refusal(path: Path, source: str, e: yaml.reader.ReaderError) -> YamlSyntaxError:
    if isinstance(e.character, int):
        message = (
            f"het bestand bevat een teken dat niet in YAML mag (U+{e.character:04X}); "
            "verwijder het of typ de tekst opnieuw"
        )
    else:
        message = "het bestand bevat een ongeldig teken"
    # libyaml counts the position in bytes: find the character itself (its first occurrence is
    # the first character the reader refused).
    index = source.find(chr(e.character)) if isinstance(e.character, int) and 0 <= e.character <= 0x10FFFF else -1
    return _refuse(path, *(_reader_position(source, index) if index >= 0 else (0, 0)), message)


# --- nesting, measured on the text before any parser sees it -------------------------------

_DEEP = (
    f"het bestand is te diep genest: hier zitten meer dan {MAX_DEPTH} lijsten en groepen in elkaar "
    "(een regiobestand heeft er hooguit zes); controleer het inspringen en de haakjes [ ] en { }"
)

# Where a plain (unquoted) scalar in [ ] or { } may end: , [ ] { }, 'key: ' or a comment.
_FLOW_PLAIN_END = re.compile(r"[,\[\]{}]|:(?=[ \t,\[\]{}?]|$)|[ \t]#")
_QUOTE_END = {"'": re.compile(r"[^']*(?:''[^']*)*'"), '"': re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"')}
_PROPERTY = re.compile(r"[&*][\w-]*|![^ \t,\[\]{}]*", re.ASCII)  # anchor, alias or tag
_BLOCK_HEADER = re.compile(r"[|>](?:([1-9])[+-]?|[+-]([1-9])?)?")


def nesting_depth(source: str) -> int:
    """The deepest nesting of lists and groups in the text, as too_deep measures it."""
    low, high = 0, MAX_DEPTH
    while too_deep(source, high) is not None:
        low, high = high, high * 2
    while low < high:
        middle = (low + high) // 2
        if too_deep(source, middle) is None:
            high = middle
        else:
            low = middle + 1
    return low


def too_deep(source: str, limit: int = MAX_DEPTH) -> tuple[int, int] | None:
    """(line, column) where lists and groups first nest deeper than `limit`, or None.

    One linear pass over the text that follows libyaml's tokenizer where nesting can hide:
    block indentation (open block collections by column, as libyaml's indent stack), '- ',
    '? ' and ': ' stacked on one line, flow [ ] { } (a 'key: value' pair inside [ ] is a group
    of its own), and the text that cannot nest: quoted scalars, plain scalars continued on the
    next line, block scalars (| and >) and comments. Where libyaml would stop at a syntax error
    the count may be too high. It is too low only where a [ ] or { } is itself a key (one level
    each, so never below half); the loader checks the exact depth of what it composes as well."""
    block: list[tuple[int, bool]] = []  # open block collections: (column, is a mapping)
    flow: list[int] = []  # open flow collections: 0 { }, 1 [ ], 2 [ ] with an open 'a: b' pair
    state = _TOKENS  # how the next line starts
    quote = ""  # _QUOTED: the quote character
    plain_indent = 0  # _PLAIN: a continuation line is indented at least this far (block context)
    literal = [0, 0, 0]  # _LITERAL: parent indent, content indent (0: not yet known), widest blank line
    flow_start = 0  # column of the outermost open flow collection (it may be a key)

    def depth() -> int:
        return len(block) + len(flow) + flow.count(2)

    def push(column: int, mapping: bool) -> bool:
        """Open a block collection at `column`; True when that is one level too many."""
        while block and block[-1][0] > column:
            block.pop()
        if block and block[-1][0] == column:
            if block[-1][1] == mapping:
                return False
            if mapping:  # a key after an indentless sequence: that sequence has ended
                block.pop()
                if block and block[-1] == (column, True):
                    return False
        block.append((column, mapping))
        return depth() > limit

    if source.startswith("\ufeff"):  # the reader's byte order mark; one more at a line start is skipped below
        source = source[1:]
    # str.splitlines also splits at \v, \f and \x1c-\x1e, which libyaml refuses anyway.
    for number, line in enumerate(source.splitlines(), start=1):
        end = len(line)
        first = end - len(line.lstrip(" \t"))  # the column of the line's first character
        if state == _PLAIN:
            if first == end:
                continue
            if (flow or first >= plain_indent) and line[first] != "#" and not (first == 0 and _document_marker(line)):
                p = _plain_end(line, first, bool(flow))  # the text goes on
                if p < 0:
                    continue
                state = _TOKENS
            else:
                state = _TOKENS
                p = -1
        elif state == _LITERAL:
            spaces = end - len(line.lstrip(" "))
            if spaces == end:  # blank lines belong to the block scalar
                literal[2] = max(literal[2], spaces)
                continue
            if not literal[1]:
                literal[1] = max(literal[2], spaces, literal[0] + 1, 1)
            if spaces >= literal[1]:
                continue
            state, p = _TOKENS, -1
        elif state == _QUOTED:
            match = _QUOTE_END[quote].match(line)
            if match is None:
                continue
            state, p = _TOKENS, match.end()
        else:
            p = -1
        if p < 0:  # the line starts with a token
            if first == 0 and line.startswith("\ufeff"):
                first = end - len(line[1:].lstrip(" \t"))
            if first == end or line[first] == "#":
                continue
            p = first
            if not flow:
                if p == 0 and _document_marker(line):
                    block.clear()
                    p = 3
                elif p == 0 and line[0] == "%":
                    continue
                else:
                    while block and block[-1][0] > p:
                        block.pop()
        key = -1  # column of a scalar or flow collection that a ':' would make a key
        while p < end:
            c = line[p]
            if c not in _SPECIAL:  # a plain scalar: most of a region file
                if key < 0:
                    key = p
                if flow:
                    p = _plain_end(line, p, True)
                else:  # inline: in block context only ': ' and ' #' end it
                    colon = line.find(":", p)
                    while 0 <= colon < end - 1 and line[colon + 1] not in " \t":
                        colon = line.find(":", colon + 1)
                    hash_ = line.find("#", p)
                    while hash_ > 0 and line[hash_ - 1] not in " \t":
                        hash_ = line.find("#", hash_ + 1)
                    p = end if 0 <= hash_ and (colon < 0 or hash_ < colon) else colon
                if p < 0:
                    state, plain_indent = _PLAIN, (block[-1][0] + 1 if block else 0)
                    break
            elif c == " ":
                p += 1
            elif not flow and c in "-?:" and (p + 1 == end or line[p + 1] in " \t"):
                if push(key if c == ":" and key >= 0 else p, c != "-"):
                    return number, p + 1
                key = -1
                p += 1
            elif c == "\t":
                p += 1
            elif c == "#":
                break
            elif c in "'\"":
                if key < 0:
                    key = p
                match = _QUOTE_END[c].match(line, p + 1)
                if match is None:
                    state, quote = _QUOTED, c
                    break
                p = match.end()
            elif c in "!&*":
                if key < 0:
                    key = p
                p = _PROPERTY.match(line, p).end()  # type: ignore[union-attr]
            elif c in "[{":
                if not flow:
                    flow_start = key if key >= 0 else p
                flow.append(1 if c == "[" else 0)
                if depth() > limit:
                    return number, p + 1
                p += 1
            elif flow:
                if c in "]}":
                    flow.pop()
                    if not flow:
                        key = flow_start
                elif c == "," and flow[-1] == 2:
                    flow[-1] = 1
                elif c in "?:" and flow[-1] == 1:
                    flow[-1] = 2
                    if depth() > limit:
                        return number, p + 1
                elif c in "|>%@`" or (c == "-" and line[p + 1 : p + 2] not in ("", " ", "\t")):
                    p = _plain_end(line, p, True)  # libyaml refuses most of these: counting on is safe
                    if p < 0:
                        state = _PLAIN
                        break
                    continue
                p += 1
            elif c in "]},":
                p += 1
            elif c in "|>":
                header = _BLOCK_HEADER.match(line, p)
                increment = int(header.group(1) or header.group(2) or 0)  # type: ignore[union-attr]
                parent = block[-1][0] if block else -1
                literal = [parent, (max(parent, 0) + increment) if increment else 0, 0]
                state = _LITERAL
                break
            else:  # '-', '?' or ':' starting a plain scalar; '%', '@', '`' (libyaml refuses those)
                if key < 0:
                    key = p
                p = _plain_end(line, p, False)
                if p < 0:
                    state, plain_indent = _PLAIN, (block[-1][0] + 1 if block else 0)
                    break
    return None


# What the next line of text continues.
_TOKENS, _QUOTED, _PLAIN, _LITERAL = range(4)
# Characters that may start something other than a plain scalar.
_SPECIAL = frozenset(" \t#'\"!&*[]{},?:-|>%@`")


def _document_marker(line: str) -> bool:
    return line[:3] in ("---", "...") and line[3:4] in ("", " ", "\t")


def _plain_end(line: str, p: int, in_flow: bool) -> int:
    """Where the plain scalar from `p` ends on this line: at the indicator that ends it (read
    next), at len(line) for a comment, or -1 when it may continue on the next line."""
    if in_flow:
        match = _FLOW_PLAIN_END.search(line, p)
        if match is None:
            return -1
        return len(line) if line[match.end() - 1] == "#" else match.start()
    # Block context: only ': ' and ' #' end it; str.find is much faster than a regex here.
    colon = line.find(":", p)
    while colon >= 0 and colon + 1 < len(line) and line[colon + 1] not in " \t":
        colon = line.find(":", colon + 1)
    hash_ = line.find("#", p)
    while hash_ > 0 and line[hash_ - 1] not in " \t":
        hash_ = line.find("#", hash_ + 1)
    if hash_ >= 0 and (colon < 0 or hash_ < colon):
        return len(line)
    return colon


_ESCAPE = (
    "een ongeldige code met \\ tussen dubbele aanhalingstekens (zoals \\q of \\uD800); "
    "schrijf een \\ als \\\\ of zet de tekst tussen enkele aanhalingstekens"
)

# Phrases of PyYAML's and libyaml's messages (they word them differently) -> Dutch.
_PROBLEMS = [
    ("'\\t'", "tab gevonden; gebruik spaties om in te springen"),
    ("tab character", "tab gevonden; gebruik spaties om in te springen"),
    ("mapping values are not allowed", "onverwachte dubbele punt; zet tekst met een ':' tussen aanhalingstekens"),
    ("expected ':'", "dubbele punt ontbreekt na de sleutel, of een regel springt verkeerd in"),
    ("did not find expected key", "een regel springt verkeerd in, of een dubbele punt ontbreekt"),
    ("undefined alias", "verwijzing (*naam) naar een anker dat niet bestaat"),
    ("found '-'", "een lijstregel ('- ') springt anders in dan de regels erboven"),
    ("single document", "het bestand bevat meer dan één document (---); houd één regio per bestand"),
    ("but found another document", "het bestand bevat meer dan één document (---); houd één regio per bestand"),
    ("expected ',' or ']'", "aanhalingsteken of haakje niet gesloten"),
    ("expected ',' or '}'", "aanhalingsteken of haakje niet gesloten"),
    ("unexpected end", "aanhalingsteken of haakje niet gesloten"),
    ("<stream end>", "aanhalingsteken of haakje niet gesloten"),
    ("end of stream", "aanhalingsteken of haakje niet gesloten"),
    ("unknown escape character", _ESCAPE),
    ("invalid Unicode character escape", _ESCAPE),
    ("hexdecimal number", _ESCAPE),
    ("hexadecimal numbers", _ESCAPE),
    ("cannot start any token", "een teken dat hier niet mag (een tab of een teken als @ of ` aan het begin)"),
    ("special characters are not allowed", "het bestand bevat een teken dat niet is toegestaan"),
    ("unacceptable character", "het bestand bevat een teken dat niet is toegestaan"),
]


def _yaml_message(e: yaml.MarkedYAMLError, source: str) -> str:
    text = f"{e.problem or ''} {e.context or ''}"
    mark = e.problem_mark
    if mark is not None and "cannot start any token" in text:
        text += _char_at(source, mark)
    for phrase, dutch in _PROBLEMS:
        if phrase in text:
            return f"geen geldige YAML: {dutch}"
    return (
        "geen geldige YAML; controleer hier het inspringen, de dubbele punten en de "
        f"aanhalingstekens (technisch: {text.strip()})"
    )


def _char_at(source: str, mark: Any) -> str:
    lines = source.splitlines()
    if 0 <= mark.line < len(lines) and 0 <= mark.column < len(lines[mark.line]):
        return " '\\t'" if lines[mark.line][mark.column] == "\t" else ""
    return ""
