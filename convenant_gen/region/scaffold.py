"""Starter region files for `convenant init`, generated from the model itself.

Every field is written with its Dutch description and the format's guidance (Toelichting) as
comments, so a project leader can fill the file in without the format beside them. The file
is a valid concept from the start; `convenant validate --definitief` lists what is still open.
"""

from __future__ import annotations

import json
import re
import textwrap
from fractions import Fraction
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from convenant_gen.errors import UsageProblem
from convenant_gen.region.annotations import field_type
from convenant_gen.region.model import Region, Tekst, shown
from convenant_gen.region.reference import ReferenceRegion
from convenant_gen.words import breuk

SCHEMA_FILE = "regio.schema.json"
WIDTH = 92


def schema_json() -> str:
    schema = Region.model_json_schema()
    schema["title"] = "Regiobestand convenant 'Sterk door werk'"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _checked(label: str, value: str) -> str:
    """A name from the command line, held to the model's rules for text: the starter file
    must be one that `convenant validate` accepts."""
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(Tekst).validate_python(value)
    except ValidationError as e:
        problem = e.errors()[0].get("ctx", {}).get("error") or e.errors()[0]["msg"]
        raise UsageProblem(f"{label} {shown(value)} {problem}") from None


def starter_yaml(naam: str, centrumgemeente: str | None, ref: ReferenceRegion | None) -> str:
    naam = _checked("de naam van de regio", naam)
    if centrumgemeente is not None:
        centrumgemeente = _checked("de centrumgemeente", centrumgemeente)
    prefill: dict[str, Any] = {
        "regio": {"naam": naam, "code": ref.code if ref else None, "centrumgemeente": centrumgemeente},
    }
    if ref:
        prefill["partijen"] = [
            {"naam": f"Gemeente {g}", "soort": "gemeente", "vertegenwoordiger": {"functie": "wethouder"}}
            for g in ref.gemeenten
        ]
    elif centrumgemeente:
        prefill["partijen"] = [
            {"naam": f"Gemeente {centrumgemeente}", "soort": "gemeente", "vertegenwoordiger": {"functie": "wethouder"}}
        ]
    head = [
        f"# yaml-language-server: $schema={SCHEMA_FILE}",
        f"# Regionaal convenant 'Sterk door werk' en plan van aanpak Hoofdzaak Werk: {' '.join(naam.split())}",
        "#",
        "# Vul de velden in; regels met # zijn uitleg. Data schrijft u als 2022-01-01 of",
        "# 1 januari 2022, ja/nee als ja of nee. Een leeg veld verschijnt in een concept als",
        "# label, zoals [datum]. Controleer het bestand met:  convenant validate  (en --definitief",
        "# als het convenant ter ondertekening gaat).",
        "",
    ]
    lines = head + _fields(Region, prefill, 0)
    return "\n".join(lines).rstrip() + "\n"


def _comment(text: str, indent: int, prefix: str = "") -> list[str]:
    pad = " " * indent + "# "
    return textwrap.wrap(prefix + text, WIDTH, initial_indent=pad, subsequent_indent=pad)


def _extra(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _fields(model: type[BaseModel], prefill: dict[str, Any], indent: int) -> list[str]:
    out: list[str] = []
    for name, info in model.model_fields.items():
        extra = _extra(info)
        if indent == 0:
            out.append("")
        if info.description:
            out += _comment(info.description, indent)
        if extra.get("toelichting"):
            out += _comment(str(extra["toelichting"]), indent, "Toelichting: ")
        out += _value(name, info, prefill.get(name), indent)
    return out


def _value(name: str, info: FieldInfo, given: Any, indent: int) -> list[str]:
    pad = " " * indent
    kind = field_type(info.annotation)
    sub = kind.submodel
    is_list = kind.kind == "list" and not kind.optional
    example = _extra(info).get("voorbeeld")
    if is_list:
        items = given if given is not None else _plain(info.get_default(call_default_factory=True))
        if sub and items:
            out = [f"{pad}{name}:"]
            for item in items:
                out += _item(sub, item, indent + 2)
            return out + _reference(sub, indent)
        if items:
            return [f"{pad}{name}:"] + [f"{pad}  - {_scalar(v)}" for v in items]
        out = [f"{pad}{name}: []"]
        example_item = _item(sub, {}, 2, examples_only=True) if sub else []
        if sub:
            out += _reference(sub, indent)
        if example_item:
            out.append(f"{pad}#   bijvoorbeeld:")
            out += [f"{pad}#{line[1:]}" if line.startswith(" ") else f"{pad}# {line}" for line in example_item]
        elif example:
            out.append(f"{pad}#   bijvoorbeeld:")
            out += [f"{pad}#   - {_scalar(v)}" for v in example]
        return out
    if sub and not kind.optional:
        default = info.get_default(call_default_factory=True)
        base = default.model_dump() if isinstance(default, BaseModel) else {}
        return [f"{pad}{name}:", *_fields(sub, {**base, **(given or {})}, indent + 2)]
    value = given
    if value is None and not info.is_required():
        value = _plain(info.get_default(call_default_factory=True))
    if value is None or (sub and not given):
        hint = f"  # bijvoorbeeld: {_scalar(example)}" if example is not None else ""
        return [f"{pad}{name}:{hint}"]
    return [f"{pad}{name}: {_scalar(value)}"]


def _reference(model: type[BaseModel], indent: int, depth: int = 1) -> list[str]:
    """Commented list of every field of a list item, with its meaning and choices."""
    pad = " " * indent
    out = [f"{pad}# Velden per item:"] if depth == 1 else []
    for name, info in model.model_fields.items():
        kind = field_type(info.annotation)
        text = info.description or ""
        if kind.choices:
            text += f" (een van: {', '.join(kind.choices)})"
        out.append(f"{pad}#{'  ' * depth} {name}: {text}")
        if kind.kind == "model" and kind.model:
            out += _reference(kind.model, indent, depth + 1)
    return out


def _item(model: type[BaseModel], item: dict[str, Any], indent: int, examples_only: bool = False) -> list[str]:
    out: list[str] = []
    for name, info in model.model_fields.items():
        value = item.get(name)
        if value is None and examples_only:
            value = _extra(info).get("voorbeeld")
        if value is None or value == []:
            continue
        lead = "- " if not out else "  "
        if isinstance(value, dict):
            out.append(f"{' ' * indent}{lead}{name}:")
            out += [f"{' ' * (indent + 4)}{k}: {_scalar(v)}" for k, v in value.items() if v is not None]
        else:
            out.append(f"{' ' * indent}{lead}{name}: {_scalar(value)}")
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_defaults=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _scalar(value: Any) -> str:
    if isinstance(value, str) and value in ("2/3", "3/4"):
        value = Fraction(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, Fraction):
        return breuk(value)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = yaml.safe_dump(value, allow_unicode=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()
