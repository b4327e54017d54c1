"""Example answers: a valid instance of any schema, found by proposing values to the checks.

The schema's rules (bounds, exclusive bounds, lengths, patterns, formats) live in
`meetbit._schema`; nothing here reads them again. A value is built from what the schema
names (its `example`, enum, the numbers its bounds mention) and kept only when the check
accepts it, so a spec change cannot make the fake answer something the client refuses.
"""

from __future__ import annotations

import copy
import datetime
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from meetbit._schema import accepts, allows_null, bounds, integer_range, json_type, merged

_FORMATS: dict[str, Callable[[], str]] = {
    "date": lambda: datetime.date.today().isoformat(),
    "email": lambda: "user@example.com",
    "uri": lambda: "https://example.com/",
    "url": lambda: "https://example.com/",
    "uuid": lambda: "00000000-0000-4000-8000-000000000000",
}


def timestamp(moment: datetime.datetime | None = None) -> str:
    """Laravel's JSON timestamp: microseconds, UTC, a Z."""
    moment = moment or datetime.datetime.now(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def example(schema: Mapping[str, Any], *, complete: bool = False) -> Any:
    """A minimal valid instance of a JSON Schema (all properties when `complete`)."""
    schema = merged(schema)
    if "example" in schema and accepts(schema, schema["example"]):
        return copy.deepcopy(schema["example"])
    for alternatives in ("anyOf", "oneOf"):
        if schema.get(alternatives):
            return example(schema[alternatives][0], complete=complete)
    if allows_null(schema):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    kind = json_type(schema)
    if kind in ("integer", "number"):
        return _first_fitting(schema, _numbers(schema, integer=kind == "integer"), 1)
    if kind == "string":
        return _first_fitting(schema, _strings(schema), "example")
    if kind == "boolean":
        return False
    if kind == "array":
        count = max(schema.get("minItems", 0), 1 if complete else 0)
        return [example(schema.get("items", {}), complete=complete) for _ in range(count)]
    if kind == "object":
        required = set(schema.get("required", ()))
        return {
            name: example(sub, complete=complete)
            for name, sub in schema.get("properties", {}).items()
            if complete or name in required
        }
    return None


def realistic(schema: Mapping[str, Any], named: Mapping[str, Any]) -> Any:
    """A complete instance: nulls where allowed, `named` values where they fit."""
    schema = merged(schema)
    value = example(schema, complete=True)
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            sub = merged(sub)
            nested = json_type(sub) in ("object", "array")
            if nested and not allows_null(sub):
                value[name] = realistic(sub, named)
            if name in named and accepts(sub, named[name]):
                value[name] = named[name]
    elif isinstance(value, list) and value:
        value = [realistic(schema.get("items", {}), named) for _ in value]
    return value


def _first_fitting(schema: Mapping[str, Any], candidates: Iterator[Any], fallback: Any) -> Any:
    return next((value for value in candidates if accepts(schema, value)), fallback)


def _numbers(schema: Mapping[str, Any], *, integer: bool) -> Iterator[int | float]:
    """1, then the ends of what the bounds allow and their neighbours (multiples when asked)."""
    convert: Callable[[float], int | float] = int if integer else float
    if integer:
        low, high = integer_range(schema)
        mentioned: list[float] = [low, high]
    else:
        minimum, _, maximum, _ = bounds(schema)
        mentioned = [n for n in (minimum, maximum) if type(n) in (int, float)]
    multiple = schema.get("multipleOf")
    for number in [1, *mentioned]:
        for near in (number, number + 1, number - 1):
            if multiple:
                near = math.ceil(near / multiple) * multiple
            if math.isfinite(near):
                yield convert(near)


def _strings(schema: Mapping[str, Any]) -> Iterator[str]:
    kind = schema.get("format", "")
    if kind == "date-time":
        yield timestamp()
    shortest: int = schema.get("minLength", 0)
    longest: int | None = schema.get("maxLength")
    candidates = [_FORMATS[kind]()] if kind in _FORMATS else []
    for text in [*candidates, "example", "a", "A", "0", "a-1", "A_1"]:
        text = (text * (shortest // max(len(text), 1) + 1))[: max(shortest, len(text))]
        yield text if longest is None else text[:longest]
