"""The form, generated from the model: one node per field, in the model's order (the format's
order), with the model's Dutch description as label and its Toelichting as help. Nothing about
a field is written here: a field the model gains is in the form.

Input names are the dotted YAML path with list positions counted from 0, as the YAML has them
(`looptijd.einddatum`, `partijen.2.naam`); a list's item template uses `*` for its position.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from convenant_gen.region.annotations import field_type

Widget = typing.Literal["text", "textarea", "number", "decimal", "date", "month", "select", "yesno", "names", "changes"]
LONG_TEXT = ("tekst", "omschrijving", "samenstelling", "toelichting", "rol", "afspraken", "wat")


@dataclass
class Node:
    kind: str  # "group" | "field" | "list"
    path: str  # dotted; "*" for the position in a list's item template
    name: str  # the key in its group
    label: str
    help: str = ""
    widget: Widget | None = None  # fields
    choices: list[str] = field(default_factory=list)  # select
    required: bool = False
    example: str = ""
    children: list[Node] = field(default_factory=list)  # group
    item: Node | None = None  # list

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "path": self.path, "name": self.name, "label": self.label}
        if self.help:
            data["help"] = self.help
        if self.kind == "field":
            data.update(widget=self.widget, required=self.required)
            if self.choices:
                data["choices"] = self.choices
            if self.example:
                data["example"] = self.example
        if self.children:
            data["children"] = [c.as_json() for c in self.children]
        if self.item is not None:
            data["item"] = self.item.as_json()
        return data


def form(model: type[BaseModel] | None = None) -> list[Node]:
    """The sections of the region file, each a group (or list) of fields."""
    from convenant_gen.region.model import Region

    return _fields(model or Region, "")


def _fields(model: type[BaseModel], prefix: str) -> list[Node]:
    nodes = []
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        path = f"{prefix}.{name}" if prefix else name
        label = info.description or name.replace("_", " ")
        nodes.append(
            _node(info.annotation, path, name, label, str(extra.get("toelichting") or ""), info.is_required(), extra)
        )
    return nodes


def _node(
    annotation: Any, path: str, name: str, label: str, help_text: str, required: bool, extra: dict[str, Any]
) -> Node:
    kind = field_type(annotation)
    example = extra.get("voorbeeld")
    shown = "" if example is None or isinstance(example, dict | list) else str(example)
    if _names_or_number(annotation):
        return Node("field", path, name, label, help_text, "names", required=required, example=shown)
    if kind.model is not None and getattr(kind.model, "__name__", "") == "Bereik":  # '50' or '25 tot 50'
        return Node("field", path, name, label, help_text, "text", required=required, example=shown or "25 tot 50")
    if kind.kind == "model" and kind.model is not None:
        return Node("group", path, name, label, help_text, children=_fields(kind.model, path))
    if kind.kind == "list":
        item_type = kind.item
        item_label = label
        if item_type is not None and item_type.kind == "model" and item_type.model is not None:
            item = Node("group", f"{path}.*", "*", item_label, children=_fields(item_type.model, f"{path}.*"))
        elif item_type is not None:
            widget = _widget(item_type, name)
            item = Node("field", f"{path}.*", "*", item_label, widget=widget, choices=list(item_type.choices))
        else:
            item = Node("field", f"{path}.*", "*", item_label, widget="text")
        return Node("list", path, name, label, help_text, item=item)
    return Node(
        "field",
        path,
        name,
        label,
        help_text,
        _widget(kind, name),
        choices=list(kind.choices),
        required=required and not kind.optional,
        example=shown,
    )


def _widget(kind: Any, name: str) -> Widget:
    if kind.kind == "choice":
        return "select"
    base = kind.base
    if base is dict:
        return "changes"
    if base is bool:
        return "yesno"
    if base is int:
        return "number"
    if base is float:
        return "decimal"
    if base is dt.date:
        return "month" if "maand" in name or name == "eerste_bijeenkomst" else "date"
    if base is Fraction:
        return "text"
    if isinstance(base, type) and issubclass(base, BaseModel):  # a value type such as Bereik: '25 tot 50'
        return "text"
    return "textarea" if name.endswith(LONG_TEXT) else "text"


def _names_or_number(annotation: Any) -> bool:
    """Consent given as names or as a number (toetreding.besluiten.instemming)."""
    inner = annotation
    while typing.get_origin(inner) is typing.Annotated:
        inner = typing.get_args(inner)[0]
    options = [a for a in typing.get_args(inner) if a is not type(None)]
    return (
        len(options) == 2
        and {typing.get_origin(options[0]), typing.get_origin(options[1])} & {list} != set()
        and (any(field_type(o).base is int for o in options))
    )
