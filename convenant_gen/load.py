"""YAML -> plain data plus a map from field path to (line, column), safely.

We compose the node graph ourselves instead of calling yaml.safe_load, so that we know where
every key sits, can refuse duplicate keys, and can bound alias expansion (billion laughs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from convenant_gen.errors import Finding, YamlSyntaxError

# libyaml when PyYAML has it (same nodes and marks, ~10x faster scanning), else pure Python.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 1_000_000
MAX_NODES = 100_000

Path_ = tuple[str | int, ...]
Positions = dict[Path_, tuple[int, int]]


def format_path(path: Path_) -> str:
    """('partijen', 3, 'naam') -> 'partijen[4].naam' (list positions counted from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
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

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.nodes_left -= 1
        if self.nodes_left < 0:
            raise _TooBig(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, child in enumerate(node.value):
                self.positions.setdefault((*path, i), _pos(child))
                items.append(self.build(child, (*path, i)))
            return items
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict:
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
            result[key] = self.build(value_node, (*path, key))
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, yaml.constructor.ConstructorError, OverflowError):
            # e.g. 2022-02-30 looks like a date but is none: keep the text, the model explains.
            return node.value


class _TooBig(Exception):
    def __init__(self, node: yaml.Node):
        self.node = node


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _reader_position(source: str, index: int) -> tuple[int, int]:
    line = source.count("\n", 0, index) + 1
    return line, index - (source.rfind("\n", 0, index) + 1) + 1


def _refuse(path: Path | str, line: int, column: int, message: str) -> YamlSyntaxError:
    return YamlSyntaxError(path, [Finding(str(path), line, column, "", message)])


def load_yaml(path: Path | str, text: bytes | None = None) -> tuple[dict, Positions]:
    """Read one region file. Raises YamlSyntaxError with Dutch findings on any problem."""
    path = Path(path)
    if text is None:
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            raise _refuse(path, 0, 0, "bestand niet gevonden") from None
        except IsADirectoryError:
            raise _refuse(path, 0, 0, "dit is een map, geen YAML-bestand") from None
        except OSError as e:
            raise _refuse(path, 0, 0, f"kan het bestand niet lezen ({e.strerror})") from None
    if len(text) > MAX_BYTES:
        raise _refuse(
            path,
            0,
            0,
            f"bestand is te groot ({len(text):,} bytes; maximaal {MAX_BYTES:,}); "
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
    try:
        loader = Loader(source)
    except yaml.reader.ReaderError as e:
        raise _refuse(
            path,
            *_reader_position(source, e.position),
            f"het bestand bevat een teken dat niet in YAML mag (U+{e.character:04X}); "
            "verwijder het of typ de tekst opnieuw"
            if isinstance(e.character, int)
            else "het bestand bevat een ongeldig teken",
        ) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            raise _refuse(path, line, column, _yaml_message(e, source)) from None
        except yaml.YAMLError as e:  # reader errors: control characters and the like
            raise _refuse(path, 0, 0, f"geen geldige YAML: {e}") from None
        except RecursionError:
            raise _refuse(path, 0, 0, "het bestand is te diep genest") from None
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
        except _TooBig as e:
            raise _refuse(
                path,
                e.node.start_mark.line + 1,
                e.node.start_mark.column + 1,
                f"het bestand bevat te veel waarden (meer dan {MAX_NODES:,}); "
                "gebruik geen verwijzingen (&anker/*anker) die zichzelf vermenigvuldigen".replace(",", "."),
            ) from None
        except RecursionError:
            raise _refuse(path, 0, 0, "het bestand is te diep genest") from None
    finally:
        loader.dispose()
    if builder.findings:
        raise YamlSyntaxError(path, builder.findings)
    return data, builder.positions


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
