"""The shape of the template context: which names exist, which are lists, what their items hold.

Derived from the model (so it never drifts) plus the computed keys of a real context; used by
`templates fields` and `templates check`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from convenant_gen.region.annotations import FieldType, field_type

# Python type names as an adviser reads them.
TYPE_NAMES = {
    "str": "tekst",
    "int": "geheel getal",
    "float": "getal",
    "bool": "ja/nee",
    "date": "datum",
    "Fraction": "breuk",
    "dict": "velden met hun nieuwe waarde",
    "NoneType": "leeg",
}


@dataclass
class Shape:
    kind: str  # "object" | "list" | "value"
    type: str = ""
    description: str = ""
    example: Any = None
    fields: dict[str, Shape] = field(default_factory=dict)
    item: Shape | None = None


def _annotation_shape(annotation: Any, description: str = "", example: Any = None) -> Shape:
    return _shape(field_type(annotation), description, example)


def _shape(kind: FieldType, description: str = "", example: Any = None) -> Shape:
    if kind.kind == "list":
        return Shape("list", "lijst", description, example, item=_shape(kind.item) if kind.item else None)
    if kind.kind == "choice":
        return Shape("value", "keuze: " + ", ".join(kind.choices), description, example)
    if kind.kind == "model" and kind.model:
        return Shape("object", "groep", description, example, fields=model_fields(kind.model))
    return Shape("value", TYPE_NAMES.get(kind.type_name, kind.type_name), description, example)


def model_fields(model: type[BaseModel]) -> dict[str, Shape]:
    out: dict[str, Shape] = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        out[name] = _annotation_shape(info.annotation, info.description or "", extra.get("voorbeeld"))
    return out


def _value_shape(value: Any, description: str = "") -> Shape:
    from convenant_gen.documents.placeholders import Missing

    if isinstance(value, Missing):  # an empty field of the sample region
        return Shape("value", TYPE_NAMES["NoneType"], description)
    if isinstance(value, dict):
        return Shape("object", "groep", description, fields={k: _value_shape(v) for k, v in value.items()})
    if isinstance(value, list):
        return Shape("list", "lijst", description, item=_value_shape(value[0]) if value else None)
    return Shape("value", TYPE_NAMES.get(type(value).__name__, type(value).__name__), description, example=value)


def _merge(precise: Shape, observed: Shape) -> Shape:
    """The model's shape, with keys the context adds (such as an organ's 'lidwoord')."""
    if precise.kind == "object" and observed.kind == "object":
        merged = dict(precise.fields)
        for key, value in observed.fields.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return Shape("object", precise.type, precise.description, precise.example, merged)
    if precise.kind == "list" and observed.kind == "list" and precise.item and observed.item:
        return Shape(
            "list", precise.type, precise.description, precise.example, item=_merge(precise.item, observed.item)
        )
    return precise


SAMPLE: dict[str, Any] = {
    "regio": {"naam": "Voorbeeld", "centrumgemeente": "Voorbeeldstad"},
    "looptijd": {"ingangsdatum": "2022-01-01", "einddatum": "2023-12-31"},
    "partijen": [{"naam": "Gemeente Voorbeeldstad", "soort": "gemeente"}],
    "plan_van_aanpak": {"mijlpalen": [{"datum": "2022-06-01", "omschrijving": "start", "aantal": 1}]},
}


def kinds_of(template: str | None) -> list[Any]:
    """The kinds of document rendered from a template of this file name; all kinds for a name
    no kind has (a region's own choice may stand in for any of them), and for None."""
    from convenant_gen.documents.kinds import all_kinds

    found = [kind for kind in all_kinds() if kind.template == template]
    return found or all_kinds()


@functools.cache
def context_shape(template: str | None = None) -> Shape:
    """Every name a template may use, from the model and from contexts built for a sample region:
    for the kinds rendered from `template` (a file name), or for every kind."""
    shape: Shape | None = None
    for kind in kinds_of(template):
        one = _kind_shape(kind.key)
        shape = one if shape is None else _union(shape, one)
    assert shape is not None
    return shape


@functools.cache
def _kind_shape(key: str) -> Shape:
    from convenant_gen.documents.context import COMPUTED, DETAILS
    from convenant_gen.documents.decisions import document_context, with_sample_decisions
    from convenant_gen.documents.kinds import get
    from convenant_gen.region.model import Region

    kind = get(key)
    sample = with_sample_decisions(Region.model_validate(SAMPLE))
    items = [(None, None)] if kind.per_item is None else list(kind.per_item(sample))
    observed = _value_shape(document_context(kind, sample, items[0][1]))
    fields = {}
    for name, value in observed.fields.items():
        if name in Region.model_fields:
            fields[name] = _merge(model_fields(Region)[name], value)
        else:
            shape = Shape(value.kind, value.type, COMPUTED.get(name, ""), value.example, value.fields, value.item)
            fields[name] = _described(shape, DETAILS.get(name, {}))
    return Shape("object", "context", fields=fields)


def _union(a: Shape, b: Shape) -> Shape:
    """Both shapes' names: what one kind's context has and another's has too (a group wins
    over a plain value of the same name: `geconsolideerd` is empty in a normal covenant)."""
    if a.kind == "object" and b.kind == "object":
        fields = dict(a.fields)
        for name, sub in b.fields.items():
            fields[name] = _union(fields[name], sub) if name in fields else sub
        return Shape("object", a.type, a.description or b.description, a.example, fields)
    if a.kind == "list" and b.kind == "list" and a.item and b.item:
        return Shape("list", a.type, a.description or b.description, a.example, item=_union(a.item, b.item))
    if b.kind != "value" and a.kind == "value":
        return Shape(b.kind, b.type, a.description or b.description, b.example, b.fields, b.item)
    return a


def _described(shape: Shape, details: dict[str, str], prefix: str = "") -> Shape:
    """A computed key's parts with their descriptions ('mijlpalen.rijen[].datum')."""
    for name, sub in shape.fields.items():
        path = f"{prefix}{name}"
        sub.description = sub.description or details.get(path, "")
        _described(sub, details, f"{path}.")
        if sub.item is not None:
            _described(sub.item, details, f"{path}[].")
    return shape


def flatten(shape: Shape, prefix: str = "") -> list[tuple[str, Shape]]:
    """('regio.naam', shape), ... with list items as 'partijen[].naam'."""
    rows = []
    for name, sub in shape.fields.items():
        path = f"{prefix}.{name}" if prefix else name
        rows.append((path, sub))
        if sub.kind == "object":
            rows += flatten(sub, path)
        elif sub.kind == "list" and sub.item and sub.item.kind == "object":
            rows += flatten(sub.item, f"{path}[]")
    return rows
