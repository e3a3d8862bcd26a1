"""Empty fields in a document: what a concept prints for them, and what a definitief build refuses.

The context a template sees holds no None: every empty field is a `Missing` that knows its
field path in the region file. It behaves like None in a template (false in `{% if %}`, `is
none`, an empty loop) and prints as a short label ("[datum]", "[aantal trajecten]") through
every route a template has to print it (`{{ x }}`, a filter, `join`, `string`). Each time one is
printed, its path is recorded; a definitief build refuses a document that printed any, with the
file, line and field of each. Lists are `Items`, which know their path too, so `of_open` can
print "[projectdoelen]" for an empty list.

This is the root of "a definitief document holds no open place": it does not depend on a list
of required fields kept beside the templates, and it covers a policy adviser's own template.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from markupsafe import Markup, escape
from typing_extensions import TypeIs

from convenant_gen.words import typografisch

Path_ = tuple[str | int, ...]

# Labels where the field's own name is not what a reader of a concept should see.
_LABELS: dict[str, str] = {
    "doelstellingen.datum": "doeldatum",
    "doelstellingen.trajecten": "aantal trajecten",
    "doelstellingen.duurzame_plaatsingen": "aantal duurzame plaatsingen",
    "doelstellingen.trajecten_per_jaar": "aantal trajecten per jaar",
    "doelstellingen.accenten": "regionale accenten",
    "ondertekening.plaats": "plaats van ondertekening",
    "ondertekening.datum": "datum van ondertekening",
    "looptijd.ingangsdatum": "ingangsdatum",
    "looptijd.einddatum": "einddatum",
    "speerpunten.instroom_2024": "instroom 2024",
    "regio.centrumgemeente": "centrumgemeente",
    "vervolg.maanden_voor_einde": "aantal maanden",
}
# A field named like this says little alone: the label names its parent too ("[naam vertegenwoordiger]").
_GENERIC = {"naam", "functie", "datum", "plaats", "omschrijving", "aantal", "organisatie", "tekst", "rol"}
_OPEN_LABEL = "nog in te vullen"


def _plain(path: Path_) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int))


def label(path: Path_ | None) -> str:
    """A short Dutch label for an empty field: '[datum]', '[aantal trajecten]'."""
    if not path:
        return f"[{_OPEN_LABEL}]"
    key = _plain(path)
    if key in _LABELS:
        return f"[{_LABELS[key]}]"
    names = [str(p) for p in path if not isinstance(p, int)]
    last = names[-1].replace("_", " ")
    if names[-1] in _GENERIC and len(names) > 1:
        last = f"{last} {names[-2].replace('_', ' ')}"
    return f"[{last}]"


_printed: ContextVar[list[Path_ | None] | None] = ContextVar("printed", default=None)


@contextlib.contextmanager
def recording() -> Iterator[list[Path_ | None]]:
    """Collect the path of every empty field printed while the block runs (None: an empty
    value the template made itself, with no field behind it)."""
    printed: list[Path_ | None] = []
    token = _printed.set(printed)
    try:
        yield printed
    finally:
        _printed.reset(token)


def printed(path: Path_ | None) -> str:
    """Record that the empty field at `path` is printed; its label."""
    record = _printed.get()
    if record is not None:
        record.append(path)
    return label(path)


class Missing:
    """An empty field, as None is in a template, that knows where it belongs."""

    __slots__ = ("path",)

    def __init__(self, path: Path_ | None) -> None:
        self.path = path

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, Missing)

    def __hash__(self) -> int:
        return hash(None)

    def __getattr__(self, name: str) -> Missing:
        if name.startswith("_"):
            raise AttributeError(name)
        return Missing((*(self.path or ()), name))

    def __getitem__(self, key: str | int) -> Missing:
        return Missing((*(self.path or ()), key))

    def __str__(self) -> str:
        return printed(self.path)

    def __html__(self) -> Markup:
        return escape(str(self))

    def __repr__(self) -> str:
        return f"Missing({_plain(self.path or ())!r})"


class Items(list[Any]):
    """A list from the region file that knows its field path."""

    __slots__ = ("path",)

    def __init__(self, items: Any, path: Path_) -> None:
        super().__init__(items)
        self.path = path


def is_open(value: object) -> TypeIs[Missing | None]:
    return value is None or isinstance(value, Missing)


def shown_open(value: Any) -> str:
    """What a concept prints for an empty value (recorded as printed)."""
    if isinstance(value, Missing):
        return str(value)
    if isinstance(value, Items):
        return printed(value.path)
    return printed(None)


def mark(value: Any, path: Path_ = (), sources: dict[str, Path_] | None = None) -> Any:
    """`value` (the context) with every None a Missing and every list an Items, each with its
    path, and every text with curly quotes; `sources` names the field behind a computed
    top-level key ('ondertekeningsdatum' is ondertekening.datum)."""
    if value is None:
        return Missing(path)
    if isinstance(value, Items | Missing):  # marked already, with its own path
        return value
    if isinstance(value, dict):
        sources = sources or {}
        return {k: mark(v, sources.get(k, (*path, k)) if not path else (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return Items((mark(v, (*path, i)) for i, v in enumerate(value)), path)
    if isinstance(value, str):
        return typografisch(value)  # the region's straight quotes as the templates' curly ones
    return value


def none_test(value: Any) -> bool:
    """Jinja's `is none`, true for an empty field too."""
    return value is None or isinstance(value, Missing)
