"""YAML file -> validated Region, or every problem in the file at once, in Dutch, with lines."""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from convenant_gen.errors import Finding, RegionInvalid
from convenant_gen.region.annotations import field_type, model_in
from convenant_gen.region.load import Path_, Positions, format_path, load_yaml
from convenant_gen.region.model import Region, dutch_number, shown
from convenant_gen.region.rules import check_region


@dataclass
class Loaded:
    """A valid region with the warnings found in it."""

    path: Path
    region: Region
    warnings: list[Finding] = field(default_factory=list)
    positions: Positions = field(default_factory=dict)


def load_region(path: Path | str, definitief: bool = False) -> Loaded:
    """Load and validate one region file; raises YamlSyntaxError or RegionInvalid."""
    path = Path(path)
    data, positions = load_yaml(path)
    return validate_data(data, positions, path=path, definitief=definitief)


def validate_data(
    data: Any, positions: Positions | None = None, *, path: Path | str = "<regio>", definitief: bool = False
) -> Loaded:
    """Validate a region given as data (a dict as YAML or a web form gives it); raises
    RegionInvalid with every problem at once. `positions` maps field paths to (line, column)."""
    path = Path(path)
    positions = positions or {}
    try:
        region = Region.model_validate(data)
    except ValidationError as e:
        errors = e.errors()
        findings = [pydantic_finding(path, positions, err) for err in errors]
        findings += _rules_despite(path, positions, data, errors, definitief)
        raise RegionInvalid(path, findings) from None
    findings = _rule_findings(path, positions, region, definitief)
    if any(f.severity == "fout" for f in findings):
        raise RegionInvalid(path, findings)
    return Loaded(path, region, sorted(findings), positions)


def missing_for_signing(loaded: Loaded) -> list[Finding]:
    """What a valid concept still lacks to be signed (the definitief rules), with lines."""
    from convenant_gen.region.rules import DEFINITIEF_RULES

    return [
        Finding(str(loaded.path), *locate(loaded.positions, issue.path), format_path(issue.path), issue.message)
        for rule in DEFINITIEF_RULES
        for issue in rule(loaded.region)
    ]


def _rule_findings(
    path: Path, positions: Positions, region: Region, definitief: bool, skip: frozenset[Path_] = frozenset()
) -> list[Finding]:
    return [
        Finding(str(path), *locate(positions, issue.path), format_path(issue.path), issue.message, issue.severity)  # type: ignore[arg-type]
        for issue in check_region(region, definitief)
        if not any(issue.path[: len(p)] == p for p in skip)
    ]


def _rules_despite(path: Path, positions: Positions, data: Any, errors: list[Any], definitief: bool) -> list[Finding]:
    """Run the domain rules on the file without its invalid optional fields, so one pass
    reports every problem. Gives up (returns nothing) when a required field is invalid."""
    pruned = copy.deepcopy(data)
    skip: set[Path_] = set()
    for err in errors:
        loc = tuple(err["loc"])
        parent = _walk(pruned, loc[:-1])
        if err["type"] == "missing" or not isinstance(parent, dict) or loc[-1] not in parent:
            return []
        model = model_at(loc[:-1])
        info = model.model_fields.get(str(loc[-1])) if model else None
        if info is not None and info.is_required():
            # A required choice (soort: uvw): stand in a neutral choice; findings on it are skipped.
            choices = field_type(info.annotation).choices
            if not choices:
                return []
            parent[loc[-1]] = "overig" if "overig" in choices else choices[0]
        else:
            del parent[loc[-1]]
        skip.add(loc)
    try:
        region = Region.model_validate(pruned)
    except ValidationError:
        return []
    return _rule_findings(path, positions, region, definitief, frozenset(skip))


def _walk(data: Any, loc: Path_) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def locate(positions: Positions, path: Path_) -> tuple[int, int]:
    """Line and column of a field, or of its nearest ancestor that is in the file."""
    for end in range(len(path), 0, -1):
        if path[:end] in positions:
            return positions[path[:end]]
    return (1, 1)


# --- pydantic errors in Dutch -------------------------------------------------------------


def pydantic_finding(path: Path, positions: Positions, err: Any) -> Finding:
    loc: Path_ = tuple(err["loc"])
    message = dutch_message(err, loc)
    line, column = locate(positions, loc)
    return Finding(str(path), line, column, format_path(loc), message)


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "een groep velden"
    if isinstance(value, list):
        return "een lijst"
    if value is None:
        return "niets"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return shown(value, quote='"')


def _limit(value: Any) -> str:
    return dutch_number(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)


def dutch_message(err: Any, loc: Path_) -> str:
    kind: str = err["type"]
    ctx = err.get("ctx") or {}
    got = _shown(err.get("input"))
    if kind == "missing":
        return "ontbreekt; dit veld is verplicht"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind in ("int_parsing", "int_type", "int_parsing_size"):
        return f"verwacht een geheel getal, gekregen {got}"
    if kind == "int_from_float":
        return f"verwacht een geheel getal zonder decimalen, gekregen {got}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"verwacht een getal, gekregen {got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"verwacht ja of nee, gekregen {got}"
    if kind in ("string_type", "string_sub_type", "string_unicode"):
        return f"verwacht tekst, gekregen {got}"
    if kind == "list_type":
        return f"verwacht een lijst (regels die beginnen met '- '), gekregen {got}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"verwacht een groep velden (zoals 'naam: ...' op de regels eronder), gekregen {got}"
    if kind == "literal_error":
        options = [o.strip().strip("'") for o in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
        hint = difflib.get_close_matches(str(err.get("input")).lower(), options, n=1, cutoff=0.5)
        suggestion = f"; bedoelde u '{hint[0]}'?" if hint else ""
        return f"verwacht een van: {', '.join(options)}; gekregen {got}{suggestion}"
    if kind.startswith("date"):
        return f"verwacht een datum zoals 2022-01-01 of 1 januari 2022, gekregen {got}"
    if kind == "greater_than_equal":
        return f"moet minstens {_limit(ctx.get('ge'))} zijn, gekregen {got}"
    if kind == "less_than_equal":
        return f"mag hoogstens {_limit(ctx.get('le'))} zijn, gekregen {got}"
    if kind == "too_short":
        return f"verwacht minstens {ctx.get('min_length')} waarde(n)"
    if kind == "too_long":
        return f"verwacht hoogstens {ctx.get('max_length')} waarde(n)"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", err["msg"]))
    return f"ongeldige waarde {got}"


def _unknown_key(loc: Path_) -> str:
    key = str(loc[-1])
    model = model_at(loc[:-1])
    allowed = list(model.model_fields) if model else []
    hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6) if len(key) <= 100 else []
    if hint:
        return f"onbekend veld {shown(key, 40)}; bedoelde u '{hint[0]}'?"
    return f"onbekend veld {shown(key, 40)}; toegestaan zijn: {', '.join(allowed)}"


def model_at(loc: Path_) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc`."""
    current: type[BaseModel] | None = Region
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue  # an item of the list whose item model `current` already is
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = model_in(info.annotation)
    return current


_model_in = model_in  # the name tests/test_cli.py imports
