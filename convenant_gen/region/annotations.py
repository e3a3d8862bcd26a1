"""One walker over the model's annotations, shared by validation, `convenant init` and the
template shapes: what a field holds (a group, a list, a choice or a value), whether it may be
left empty, and which model validates it."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

Kind = Literal["model", "list", "choice", "value"]


@dataclass(frozen=True)
class FieldType:
    kind: Kind
    optional: bool = False  # None is allowed
    model: type[BaseModel] | None = None  # kind "model"
    item: FieldType | None = None  # kind "list"
    choices: tuple[str, ...] = ()  # kind "choice"
    base: Any = None  # kind "value": the plain Python type (str, int, date, Fraction, ...)

    @property
    def submodel(self) -> type[BaseModel] | None:
        """The model that validates this field's mapping, or each item's for a list."""
        if self.kind == "list":
            return self.item.submodel if self.item else None
        return self.model

    @property
    def type_name(self) -> str:
        return getattr(self.base, "__name__", str(self.base))


def field_type(annotation: Any) -> FieldType:
    """Unwrap Annotated, `X | None` and list[...] down to what the field holds."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return field_type(args[0])
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = field_type(options[0]) if options else FieldType("value", base=type(None))
        if len(options) > 1:  # a union of several kinds: the first that validates a mapping decides
            inner = next((t for t in map(field_type, options) if t.submodel), inner)
        optional = len(options) < len(args) or inner.optional
        return FieldType(inner.kind, optional, inner.model, inner.item, inner.choices, inner.base)
    if origin is list:
        return FieldType("list", item=field_type(args[0]) if args else None, base=list)
    if origin is dict:  # field paths with their new values (an amendment)
        return FieldType("value", base=dict)
    if origin is typing.Literal:
        return FieldType("choice", choices=tuple(str(a) for a in args), base=str)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return FieldType("model", model=annotation, base=annotation)
    return FieldType("value", base=annotation)


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class that validates a value of this annotation (or each of its items)."""
    return field_type(annotation).submodel
