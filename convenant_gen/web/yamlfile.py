"""A region file as the form reads and writes it: plain data for the form, and a save that
keeps the user's comments, key order and layout (ruamel.yaml round trip), writes atomically,
and never overwrites a file that changed on disk since it was read.

Only what the form changed is touched: a value equal to what the file says (a date written as
2022-01-01 and the form's "2022-01-01") keeps its original spelling; a field the form left
empty is removed from its group; list items are updated in place, added at the end or
removed from the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convenant_gen.errors import ConvenantError


class Conflict(ConvenantError):
    """The file changed on disk since the form read it."""


@dataclass(frozen=True)
class Opened:
    data: dict[str, Any]  # plain JSON values, as the form shows them
    version: str  # SHA-256 of the bytes read


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap the user's long lines
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Unreadable(ConvenantError):
    """The file is no region file the form can show: not YAML, or not a mapping at the top."""

    def __init__(self, findings: list[Any]):
        super().__init__("\n".join(str(f) for f in findings))
        self.findings = findings


def read(path: Path) -> Opened:
    """The file's data as plain JSON values (dates as YYYY-MM-DD) and its version. Raises
    Unreadable with the CLI's own Dutch findings (line and column) for a file that is not valid
    YAML or has no fields at the top: the form would show an empty file and saving would wipe it."""
    from convenant_gen.region.load import load_yaml

    raw = path.read_bytes()
    try:
        data, _ = load_yaml(path)  # the checks and messages of `convenant validate`
    except ConvenantError as e:
        raise Unreadable(e.as_findings()) from None
    if data is not None and not isinstance(data, dict):
        from convenant_gen.errors import Finding

        raise Unreadable(
            [
                Finding(
                    str(path),
                    1,
                    1,
                    "",
                    "verwacht velden als 'regio:' en 'looptijd:' bovenaan, geen lijst of losse tekst; "
                    "het formulier opent dit bestand niet, zodat opslaan niets kan wissen",
                )
            ]
        )
    document = _yaml().load(raw.decode("utf-8")) if raw.strip() else {}
    return Opened(plain(document) or {}, version_of(raw))


def plain(value: Any) -> Any:
    """ruamel's round-trip values as JSON values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def save(path: Path, data: dict[str, Any], version: str) -> str:
    """Write `data` into the file at `path`, keeping its comments and layout; returns the new
    version. Raises Conflict if the file is no longer the one read as `version`."""
    from convenant_gen.output.write import write_atomic

    raw = path.read_bytes() if path.exists() else b""
    if version_of(raw) != version:
        raise Conflict(
            f"{path.name} is buiten het formulier gewijzigd sinds u het opende; het formulier schrijft er niet "
            "overheen. Kopieer uw wijzigingen, laad de pagina opnieuw en breng ze opnieuw aan"
        )
    if raw.strip():
        read(path)  # raises Unreadable for a file the form could not have shown: never overwritten
    text = render(raw, data)
    if text is None:
        return version  # nothing changed: the file stays byte for byte as it is
    write_atomic(path, text)
    return version_of(text)


def render(raw: bytes, data: dict[str, Any]) -> bytes | None:
    """The file `raw` with `data` merged in, comments and layout kept; None if it already says
    exactly that."""
    y = _yaml()
    document = y.load(raw.decode("utf-8")) if raw.strip() else None
    if isinstance(document, dict) and plain(document) == data:
        return None
    if not isinstance(document, dict):
        from ruamel.yaml.comments import CommentedMap

        document = CommentedMap()
    merge(document, data)
    out = io.StringIO()
    y.dump(document, out)
    return out.getvalue().encode("utf-8")


def merge(target: Any, new: dict[str, Any]) -> None:
    """Bring the round-trip mapping `target` to `new`, changing only what differs. A key the
    form leaves empty stays in the file if it was empty there too (a starter file's empty
    fields keep their place and their comments)."""
    for key in [k for k in target if k not in new and not _empty(target[k])]:
        del target[key]
    for key, value in new.items():
        if key in target and _same(target[key], value):
            continue
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        elif isinstance(value, list) and isinstance(target.get(key), list):
            _merge_list(target[key], value)
        else:
            target[key] = _fresh(value)


def _merge_list(target: Any, new: list[Any]) -> None:
    while len(target) > len(new):
        del target[len(target) - 1]
    for index, value in enumerate(new):
        if index >= len(target):
            target.append(_fresh(value))
        elif _same(target[index], value):
            continue
        elif isinstance(value, dict) and isinstance(target[index], dict):
            merge(target[index], value)
        elif isinstance(value, list) and isinstance(target[index], list):
            _merge_list(target[index], value)
        else:
            target[index] = _fresh(value)


def _empty(value: Any) -> bool:
    """Nothing filled in: null, an empty text, list or group (or a group of only such)."""
    if value is None or value == "" or value == []:
        return True
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return False


def _same(old: Any, new: Any) -> bool:
    """Whether the file's value already says what the form says (its spelling kept)."""
    return bool(plain(old) == new)


def _fresh(value: Any) -> Any:
    """A value the file did not have: a date string as a date, so it is written unquoted."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, str) and value.isdigit() and not value.startswith("0") and len(value) < 16:
        return int(value)  # '60' typed into a number-or-range field: written as 60 (text fields accept it too)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value
