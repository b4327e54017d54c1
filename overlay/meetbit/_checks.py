"""Checks of values against the spec's JSON Schema limits, compiled once per schema.

The limits come from the generated `meetbit_api.operations` (read from the fixed spec at
generation time), so a spec change changes the checks with no edit here. A check raises
`InvalidRequestError` naming where the value goes, the limit and the size, never the
value itself (it may be personal data, and it lands in logs).

Why not jsonschema or fastjsonschema: both follow JSON Schema in calling 12.0 an integer
(we would format it into a path as "12.0"), neither knows OpenAPI 3.0's `nullable`, and
both put the offending value in their messages. What we need is small: the keywords
OpenAPI 3.0 uses, on values that are either Python arguments or parsed JSON.

Two modes share the rules: ``python=True`` checks a caller's arguments (a date-time must
be a `datetime`, an enum may be a member, a model an instance); ``python=False`` checks
JSON from the wire (a date-time is an ISO 8601 string), as the fake server does.
"""

from __future__ import annotations

import datetime
import enum
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from meetbit._errors import InvalidRequestError

Check = Callable[[object, str], None]
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_NAMES = {"integer": "an integer", "number": "a number", "string": "a string",
          "boolean": "a boolean", "array": "a list", "object": "an object"}  # fmt: skip


def merged(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """`schema` with its `allOf` parts merged in: properties and required united.

    A value must satisfy every part; for the object schemas OpenAPI documents compose this
    way (a base and its extension), that is one object with all their properties. A
    property two parts both define keeps both schemas (an `allOf` of them, merged in turn
    when it is checked).
    """
    parts = schema.get("allOf")
    if not parts:
        return schema
    result = {key: value for key, value in schema.items() if key != "allOf"}
    for part in parts:
        for key, value in merged(part).items():
            if key == "properties":
                properties = dict(result.get("properties", {}))
                for name, sub in value.items():
                    properties[name] = (
                        {"allOf": [properties[name], sub]} if name in properties else sub
                    )
                result["properties"] = properties
            elif key == "required":
                result["required"] = list(dict.fromkeys([*result.get("required", ()), *value]))
            else:
                result.setdefault(key, value)
    return result


def compile_check(schema: Mapping[str, Any], *, python: bool) -> Check:
    """Return a function `check(value, where)` that raises InvalidRequestError on a violation."""
    schema = merged(schema)
    kind = schema.get("type")
    nullable = bool(schema.get("nullable"))
    steps: list[Check] = []
    if kind == "integer":
        steps.append(_integer(schema))
    elif kind == "number":
        steps.append(_number(schema))
    elif kind == "string":
        steps.append(_string(schema, python))
    elif kind == "boolean":
        steps.append(_exact(bool, "boolean"))
    elif kind == "array":
        steps.append(_array(schema, python))
    elif kind == "object" or "properties" in schema:
        steps.append(_object(schema, python))
    if "enum" in schema:
        steps.append(_enum(schema["enum"]))
    if not steps:
        return _anything
    if len(steps) == 1 and not nullable:
        step = steps[0]

        def check_argument(value: object, where: str) -> None:
            # The common case, kept short: checks run on every call of every operation.
            if value is None:
                raise InvalidRequestError(f"{where} must not be None")
            if isinstance(value, enum.Enum):
                value = value.value
            step(value, where)

        return check_argument

    def check(value: object, where: str) -> None:
        if value is None:
            if nullable:
                return
            raise InvalidRequestError(f"{where} must not be None")
        if isinstance(value, enum.Enum):  # wire JSON never holds one: the same either way
            value = value.value
        for step in steps:
            step(value, where)

    return check


def _anything(value: object, where: str) -> None:
    return None


def _type_error(where: str, kind: str, value: object) -> InvalidRequestError:
    return InvalidRequestError(f"{where} must be {_NAMES[kind]}, not {type(value).__name__}")


def _exact(cls: type, kind: str) -> Check:
    def check(value: object, where: str) -> None:
        if type(value) is not cls:
            raise _type_error(where, kind, value)

    return check


def _bounds(schema: Mapping[str, Any], low: float, high: float) -> Callable[[Any, str], None]:
    minimum = schema.get("minimum", low)
    maximum = schema.get("maximum", high)
    # OpenAPI 3.0 writes exclusive bounds as booleans beside minimum/maximum; 3.1 as numbers.
    exclusive_min = schema.get("exclusiveMinimum", False)
    exclusive_max = schema.get("exclusiveMaximum", False)
    if exclusive_min is not True and exclusive_min is not False:
        minimum, exclusive_min = exclusive_min, True
    if exclusive_max is not True and exclusive_max is not False:
        maximum, exclusive_max = exclusive_max, True
    multiple = schema.get("multipleOf")

    def check(value: Any, where: str) -> None:
        if value < minimum or (exclusive_min and value == minimum):
            limit = "more than" if exclusive_min else "at least"
            raise InvalidRequestError(f"{where} is out of range: it must be {limit} {minimum}")
        if value > maximum or (exclusive_max and value == maximum):
            limit = "less than" if exclusive_max else "at most"
            raise InvalidRequestError(f"{where} is out of range: it must be {limit} {maximum}")
        if multiple and value % multiple:
            raise InvalidRequestError(f"{where} must be a multiple of {multiple}")

    return check


def _integer(schema: Mapping[str, Any]) -> Check:
    # Unbounded integers still go through a JSON parser on the server: without a format,
    # hold them to int64 like MeetBit's (Laravel/MySQL) keys.
    kind = schema.get("format", "int64")
    low, high = _INT_RANGES.get(kind, _INT_RANGES["int64"])
    limited = any(key in schema for key in ("minimum", "maximum", "exclusiveMinimum",
                                             "exclusiveMaximum", "multipleOf"))  # fmt: skip
    bounds = _bounds(schema, low, high) if limited else None

    def check(value: object, where: str) -> None:
        if type(value) is not int:
            raise _type_error(where, "integer", value)
        if not low <= value <= high:
            raise InvalidRequestError(f"{where} is out of range: it must fit in {kind}")
        if bounds is not None:
            bounds(value, where)

    return check


def _number(schema: Mapping[str, Any]) -> Check:
    bounds = _bounds(schema, -math.inf, math.inf)

    def check(value: object, where: str) -> None:
        if type(value) not in (int, float):
            raise _type_error(where, "number", value)
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise InvalidRequestError(f"{where} must be a finite number (JSON has no NaN or inf)")
        bounds(value, where)

    return check


def _string(schema: Mapping[str, Any], python: bool) -> Check:
    shortest = schema.get("minLength", 0)
    longest = schema.get("maxLength")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    kind = schema.get("format")
    moment = {"date-time": datetime.datetime, "date": datetime.date}.get(kind or "")

    def check(value: object, where: str) -> None:
        if moment is not None and python:
            # The generated models take and serialise datetime objects, not strings.
            if not isinstance(value, moment) or (
                moment is datetime.date and isinstance(value, datetime.datetime)
            ):
                raise InvalidRequestError(
                    f"{where} must be a {moment.__module__}.{moment.__name__}, "
                    f"not {type(value).__name__}"
                )
            return
        if type(value) is not str and not (python and isinstance(value, str)):
            raise _type_error(where, "string", value)
        text: str = value
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidRequestError(
                    f"{where} cannot be sent: it holds a lone surrogate, which UTF-8 cannot encode"
                ) from None
        size = len(text)  # code points, as JSON Schema and Laravel's max: count
        if longest is not None and size > longest:
            raise InvalidRequestError(
                f"{where} is {size} characters long; at most {longest} are allowed"
            )
        if size < shortest:
            raise InvalidRequestError(
                f"{where} is {size} characters long; at least {shortest} are required"
            )
        if pattern is not None and not pattern.search(text):
            raise InvalidRequestError(f"{where} does not match the pattern {pattern.pattern}")
        if moment is not None and not python:
            try:
                moment.fromisoformat(text)
            except ValueError:
                raise InvalidRequestError(f"{where} must be an ISO 8601 {kind}") from None

    return check


def _enum(allowed: list[Any]) -> Check:
    # bool == int in Python (True == 1): compare types too, so True is not the member 1.
    members = {(type(value), value) for value in allowed}
    shown = ", ".join(str(value) for value in allowed)

    def check(value: object, where: str) -> None:
        if (type(value), value) not in members:
            raise InvalidRequestError(f"{where} must be one of: {shown}")

    return check


def _array(schema: Mapping[str, Any], python: bool) -> Check:
    items = compile_check(schema.get("items", {}), python=python)
    fewest = schema.get("minItems", 0)
    most = schema.get("maxItems")
    unique = schema.get("uniqueItems", False)
    accepted = (list, tuple) if python else (list,)

    def check(value: object, where: str) -> None:
        if type(value) not in accepted:
            raise _type_error(where, "array", value)
        sequence: list[Any] = list(value)  # type: ignore[call-overload]
        if most is not None and len(sequence) > most:
            raise InvalidRequestError(
                f"{where} has {len(sequence)} items; at most {most} are allowed"
            )
        if len(sequence) < fewest:
            raise InvalidRequestError(
                f"{where} has {len(sequence)} items; at least {fewest} are required"
            )
        if unique and len({repr(item) for item in sequence}) != len(sequence):
            raise InvalidRequestError(f"{where} must not repeat items")
        for index, item in enumerate(sequence):
            items(item, f"{where}[{index}]")

    return check


def _object(schema: Mapping[str, Any], python: bool) -> Check:
    properties = {
        name: compile_check(sub, python=False) for name, sub in schema.get("properties", {}).items()
    }
    required = tuple(schema.get("required", ()))

    def check(value: object, where: str) -> None:
        if python and hasattr(value, "to_dict"):
            value = value.to_dict()  # a generated model: check what it will send
        if type(value) is not dict:
            raise _type_error(where, "object", value)
        for name in required:
            if name not in value:
                raise InvalidRequestError(f"{where}.{name} is required")
        for name, item in value.items():
            checker = properties.get(name)
            if checker is not None:
                checker(item, f"{where}.{name}")

    return check
