"""OpenAPI 3.0 schema rules, once: every check, the generator, the fake, the CLI and the diff.

What a schema keyword means is decided here and nowhere else:

* `resolve`: `$ref` (local, JSON Pointer) and `allOf` inlined, cycles left open;
* `allows_null`: `nullable`, which an `enum` without null does not override (3.0.3);
* `json_type`: the JSON type a schema describes (`properties` without `type`: an object);
* `bounds` / `integer_range`: minimum/maximum with OpenAPI 3.0's boolean exclusive bounds
  (and 3.1's numeric ones), and the int32/int64 ranges of `format`;
* `python_pattern`: a `pattern` is ECMA-262, not Python: `$` is the end of the text (not
  before a final newline), `\\d` and `\\w` are ASCII, `.` stops at every line terminator;
  translated to an equivalent Python regex (or refused by name);
* `parse_datetime` / `parse_date`: RFC 3339 (`t` and `z` in either case);
* `from_text`: a command-line flag or a query-string value to the typed value its schema says;
* `compile_check`: the checks of values against all of the above (InvalidRequestError);
  `accepts`, the same as a yes or no.

This module imports nothing from meetbit at import time, so the generator (tools/) loads it
by its path and applies the same rules when it writes the inline checks and the docs.

Why not jsonschema or fastjsonschema for the checks: both follow JSON Schema in calling 12.0 an
integer (we would format it into a path as "12.0"), neither knows OpenAPI 3.0's `nullable`, and
both put the offending value in their messages. A check raises `InvalidRequestError` naming
where the value goes, the limit and the size, never the value itself (it may be personal data,
and it lands in logs).

Two modes share the rules: ``python=True`` checks a caller's arguments (a date-time must
be a `datetime`, an enum may be a member, a model an instance); ``python=False`` checks
JSON from the wire (a date-time is an RFC 3339 string), as the fake server does.
"""

from __future__ import annotations

import copy
import datetime
import enum
import functools
import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from meetbit._errors import InvalidRequestError

Check = Callable[[object, str], None]
INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_NAMES = {"integer": "an integer", "number": "a number", "string": "a string",
          "boolean": "a boolean", "array": "a list", "object": "an object"}  # fmt: skip


def _invalid(message: str) -> InvalidRequestError:
    from meetbit._errors import InvalidRequestError  # loaded with the client; here for tools/

    return InvalidRequestError(message)


# --- $ref and allOf --------------------------------------------------------------------------


def pointer(document: Any, reference: str) -> Any:
    """The node a local `$ref` ("#/components/schemas/Event") names; KeyError if none."""
    if not reference.startswith("#"):
        raise KeyError(f"{reference}: only local references (#/...) are supported")
    target: Any = document
    for step in reference[1:].lstrip("/").split("/") if reference != "#" else []:
        step = step.replace("~1", "/").replace("~0", "~")
        target = target[int(step)] if isinstance(target, list) else target[step]
    return target


def resolve(document: Any, node: Any, _open: frozenset[str] = frozenset()) -> Any:
    """`node` with every local `$ref` inlined and `allOf` merged, recursively.

    allOf parts are merged as the document means them: properties and required lists are
    united, other keywords taken from the later part; `nullable` beside an `allOf` whose
    parts are an `enum` lists null among its values (see `allows_null`). A reference to a
    schema that is already being inlined (a self-referencing schema) is left open: `{}`.
    """
    if isinstance(node, list):
        return [resolve(document, item, _open) for item in node]
    if not isinstance(node, dict):
        return copy.deepcopy(node)
    reference = node.get("$ref")
    if isinstance(reference, str):
        if reference in _open:
            return {}
        return resolve(document, pointer(document, reference), _open | {reference})
    resolved = {key: resolve(document, value, _open) for key, value in node.items()}
    parts = resolved.pop("allOf", None)
    if not isinstance(parts, list):
        if parts is not None:
            resolved["allOf"] = parts
        return resolved
    merged: dict[str, Any] = {}
    for part in [*parts, resolved]:
        if not isinstance(part, dict):
            continue
        properties = {**merged.get("properties", {}), **part.get("properties", {})}
        required = [*merged.get("required", []), *part.get("required", [])]
        merged.update(part)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = list(dict.fromkeys(required))
    enum = merged.get("enum")
    if resolved.get("nullable") is True and isinstance(enum, list) and None not in enum:
        # `allOf: [enum]` + `nullable` is a nullable reference (openapi-python-client's
        # reading too): null is one of its values, which `enum` alone would refuse.
        merged["enum"] = [*enum, None]
    return merged


def merged(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """`schema` with its `allOf` merged as `resolve` merges it.

    For schemas with no `$ref` left (the operation metadata, resolved at generation time),
    where it is usually a no-op.
    """
    return resolve({}, schema) if "allOf" in schema else schema


def json_type(schema: Mapping[str, Any]) -> str | None:
    """The JSON type `schema` describes: its `type`, or "object" for `properties` without one."""
    kind = schema.get("type")
    if kind is None and "properties" in schema:
        return "object"
    return kind if isinstance(kind, str) else None


def allows_null(schema: Mapping[str, Any]) -> bool:
    """Whether null is a valid value: `nullable: true`, and null listed if there is an `enum`.

    OpenAPI 3.0.3 clarifies that `nullable` does not override `enum`: a nullable enum
    without null in its list still refuses null (openapi-python-client's models agree).
    """
    enum = schema.get("enum")
    return bool(schema.get("nullable")) and (not isinstance(enum, list) or None in enum)


# --- numbers ---------------------------------------------------------------------------------


def bounds(schema: Mapping[str, Any]) -> tuple[Any, bool, Any, bool]:
    """(minimum, exclusive, maximum, exclusive); None for a side without a bound.

    OpenAPI 3.0 writes exclusive bounds as booleans beside minimum/maximum; 3.1 (and JSON
    Schema) as numbers of their own: both read the same here.
    """
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    low_exclusive = schema.get("exclusiveMinimum", False)
    high_exclusive = schema.get("exclusiveMaximum", False)
    if low_exclusive is not True and low_exclusive is not False:
        minimum, low_exclusive = low_exclusive, True
    if high_exclusive is not True and high_exclusive is not False:
        maximum, high_exclusive = high_exclusive, True
    return (minimum, bool(low_exclusive and minimum is not None),
            maximum, bool(high_exclusive and maximum is not None))  # fmt: skip


def integer_range(schema: Mapping[str, Any]) -> tuple[int, int]:
    """The inclusive range of integers `schema` allows (empty when low > high).

    Its format's range (int64 without one) narrowed by its bounds: exclusive and fractional
    bounds move inwards to the nearest integer allowed.
    """
    low, high = INT_RANGES.get(schema.get("format", "int64"), INT_RANGES["int64"])
    minimum, low_exclusive, maximum, high_exclusive = bounds(schema)
    if minimum is not None:
        inward = low_exclusive or minimum != math.floor(minimum)
        low = max(low, int(math.floor(minimum) + 1 if inward else minimum))
    if maximum is not None:
        inward = high_exclusive or maximum != math.ceil(maximum)
        high = min(high, int(math.ceil(maximum) - 1 if inward else maximum))
    return low, high


def describe_limits(schema: Mapping[str, Any]) -> str:
    """The constraints of a schema as a phrase for a docstring or --help."""
    parts: list[str] = []
    kind = schema.get("type")
    if kind == "integer" and schema.get("format") in ("int32", "int64"):
        parts.append(f"{schema['format'][3:]}-bit integer")
    if kind == "string" and schema.get("format") in ("date-time", "date"):
        parts.append(f"RFC 3339 {schema['format']}")
    minimum, low_exclusive, maximum, high_exclusive = bounds(schema)
    if minimum is not None:
        parts.append(f"{'more than' if low_exclusive else 'at least'} {minimum}")
    if maximum is not None:
        parts.append(f"{'less than' if high_exclusive else 'at most'} {maximum}")
    if "minLength" in schema:
        parts.append(f"at least {schema['minLength']} characters")
    if "maxLength" in schema:
        parts.append(f"at most {schema['maxLength']} characters")
    if "pattern" in schema:
        parts.append(f"matching {schema['pattern']}")
    if "enum" in schema:
        parts.append("one of " + ", ".join(str(value) for value in schema["enum"]))
    if "default" in schema and schema["default"] is not None:
        parts.append(f"default {schema['default']}")
    if "minItems" in schema:
        parts.append(f"at least {schema['minItems']} items")
    if "maxItems" in schema:
        parts.append(f"at most {schema['maxItems']} items")
    if allows_null(schema):
        parts.append("may be None")
    return "; ".join(parts)


# --- ECMA-262 patterns -----------------------------------------------------------------------


class UnsupportedPattern(ValueError):
    """A `pattern` this module cannot translate to an equivalent Python regex."""


# ECMA-262 WhiteSpace and LineTerminator, what JavaScript's \s matches.
_JS_SPACE = (
    "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
_CLASSES = {"d": "0-9", "w": "A-Za-z0-9_", "s": _JS_SPACE}
_PLAIN_ESCAPES = set("tnvfr0123456789bBxu")


@functools.cache
def python_pattern(pattern: str) -> str:
    """The Python regex (for `re.search`, with re.ASCII) that matches what ECMA-262 matches.

    OpenAPI's `pattern` is an ECMA-262 regular expression without flags, tested anywhere in
    the value. The differences that change answers are translated: `$` is `\\Z` (Python's `$`
    also matches before a final newline), `\\d`/`\\w`/`\\s` get JavaScript's sets, `.` excludes
    every line terminator, `(?<name>` and `\\k<name>` are Python's `(?P<name>`/`(?P=name)`,
    `[]` and `[^]` mean nothing and anything. What has no translation (\\p{...}, \\u{...}, a
    negated shorthand inside a class) raises UnsupportedPattern.
    """
    out: list[str] = []
    index, in_class, length = 0, False, len(pattern)
    while index < length:
        char = pattern[index]
        if char == "\\":
            if index + 1 >= length:
                raise UnsupportedPattern(f"{pattern!r}: ends with a lone backslash")
            escaped = pattern[index + 1]
            index += 2
            lower = escaped.lower()
            if lower in _CLASSES:
                negated = escaped != lower
                if in_class and negated:
                    raise UnsupportedPattern(f"{pattern!r}: \\{escaped} inside a character class")
                members = _CLASSES[lower]
                out.append(members if in_class else f"[{'^' if negated else ''}{members}]")
            elif escaped == "b" and in_class:
                out.append("\\x08")
            elif escaped == "c" and index < length and pattern[index].isalpha():
                out.append(f"\\x{ord(pattern[index]) % 32:02x}")
                index += 1
            elif escaped == "k" and pattern.startswith("<", index):
                end = pattern.index(">", index)
                out.append(f"(?P={pattern[index + 1 : end]})")
                index = end + 1
            elif escaped in "pP" or (escaped == "u" and pattern.startswith("{", index)):
                raise UnsupportedPattern(f"{pattern!r}: \\{escaped}{{...}} needs the u flag")
            elif escaped == "0" and not pattern[index : index + 1].isdigit():
                out.append("\\x00")
            elif escaped in _PLAIN_ESCAPES or not escaped.isalnum():
                out.append("\\" + escaped)
            else:  # an identity escape of a letter: the letter itself
                out.append(re.escape(escaped))
            continue
        index += 1
        if in_class:
            if char == "]":
                in_class = False
            elif char == "[":
                char = "\\["  # literal in JavaScript; a nested set (FutureWarning) in Python
            out.append(char)
        elif char == "[":
            if pattern.startswith("]", index):
                out.append("(?!)")
                index += 1
            elif pattern.startswith("^]", index):
                out.append("[\\s\\S]")
                index += 2
            else:
                in_class = True
                out.append(char)
                if pattern.startswith("^", index):
                    out.append("^")
                    index += 1
        elif char == "$":
            out.append("\\Z")
        elif char == "{" and re.match(r",[0-9]*\}", pattern[index:]):
            out.append("\\{")  # `{,n}` is literal text in ECMA-262, a quantifier in Python
        elif char == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")
        elif (
            char == "("
            and pattern.startswith("?<", index)
            and pattern[index + 2 : index + 3] not in ("=", "!")
        ):
            out.append("(?P<")
            index += 2
        else:
            out.append(char)
    translated = "".join(out)
    try:
        re.compile(translated, re.ASCII)
    except re.error as error:
        raise UnsupportedPattern(f"{pattern!r}: {error}") from None
    return translated


@functools.cache
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The compiled Python equivalent of an ECMA-262 `pattern` (use `.search`)."""
    return re.compile(python_pattern(pattern), re.ASCII)


# --- RFC 3339 --------------------------------------------------------------------------------

# The grammar, once, the offset's ranges in it (fromisoformat reads "+09:60" as -10:00). The
# generated models match a text against it before they hand it to datetime.fromisoformat
# (fast, but it also reads "2026-11-23", "20261123T101500Z", week dates, no offset,
# "+0100"...), and come to parse_datetime when fromisoformat refuses an RFC 3339 form (a
# lowercase t or z). The other fields' ranges are the datetime constructor's, in both.
RFC3339_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:([Zz])|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))"
)
RFC3339_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_datetime(text: str) -> datetime.datetime:
    """An RFC 3339 date-time (`T`/`t`, `Z`/`z` or an offset; any fraction); ValueError if not."""
    match = RFC3339_DATE_TIME.fullmatch(text) if type(text) is str else None
    if match is None:
        raise ValueError("not an RFC 3339 date-time")
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction = (match[7] or "0")[:6].ljust(6, "0")
    if match[8]:
        zone = datetime.UTC
    else:
        sign = -1 if match[9] == "-" else 1
        hours, minutes = int(match[10]), int(match[11])
        zone = datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
    return datetime.datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=zone)


def parse_date(text: str) -> datetime.date:
    """An RFC 3339 full-date (YYYY-MM-DD); ValueError if not."""
    match = RFC3339_DATE.fullmatch(text) if type(text) is str else None
    if match is None:
        raise ValueError("not an RFC 3339 date")
    return datetime.date(int(match[1]), int(match[2]), int(match[3]))


# --- text to typed value ---------------------------------------------------------------------

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def from_text(schema: Mapping[str, Any], text: str, *, python: bool = True) -> Any:
    """The value a text (a command-line flag, a query-string value) stands for under `schema`.

    One rule for every reader of text: an integer is ASCII digits with an optional `-` (not
    `+12`, not `1_000`); a number is a JSON number; a boolean is `true` or `false` (what the
    client sends; not `1`/`0`); a date-time or date is RFC 3339; an object is JSON text;
    anything else is the text itself. ValueError says what the text is not.
    With ``python=False`` the value is its JSON form, as `compile_check(python=False)` checks
    it: a string (a date-time too) stays the text.
    """
    kind, shape = schema.get("type"), schema.get("format")
    if kind == "string" and not python:
        return text
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"{text!r} is not an integer")
        return int(text)
    if kind == "number":
        if not _NUMBER.fullmatch(text):
            raise ValueError(f"{text!r} is not a number")
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return int(text) if _INTEGER.fullmatch(text) else value
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return text == "true"
    if kind == "object":
        import json

        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(f"{text!r} is not JSON") from None
    parse = {"date-time": parse_datetime, "date": parse_date}.get(shape or "")
    if kind == "string" and parse is not None:
        try:
            return parse(text)
        except ValueError:
            raise ValueError(f"{text!r} is not an RFC 3339 {shape}") from None
    return text


# --- checks ----------------------------------------------------------------------------------


def compile_check(schema: Mapping[str, Any], *, python: bool) -> Check:
    """Return a function `check(value, where)` that raises InvalidRequestError on a violation."""
    kind = json_type(schema)
    nullable = allows_null(schema)
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
    elif kind == "object":
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
                raise _invalid(f"{where} must not be None")
            if isinstance(value, enum.Enum):
                value = value.value
            step(value, where)

        return check_argument

    def check(value: object, where: str) -> None:
        if value is None:
            if nullable:
                return
            raise _invalid(f"{where} must not be None")
        if isinstance(value, enum.Enum):  # wire JSON never holds one: the same either way
            value = value.value
        for step in steps:
            step(value, where)

    return check


def accepts(schema: Mapping[str, Any], value: Any) -> bool:
    """Whether JSON `value` is valid for `schema`, by `compile_check`'s wire-JSON rules."""
    from meetbit._errors import InvalidRequestError

    try:
        compile_check(schema, python=False)(value, "value")
    except InvalidRequestError:
        return False
    return True


def _anything(value: object, where: str) -> None:
    return None


def _type_error(where: str, kind: str, value: object) -> InvalidRequestError:
    return _invalid(f"{where} must be {_NAMES[kind]}, not {type(value).__name__}")


def _exact(cls: type, kind: str) -> Check:
    def check(value: object, where: str) -> None:
        if type(value) is not cls:
            raise _type_error(where, kind, value)

    return check


def _bounds(schema: Mapping[str, Any], low: float, high: float) -> Callable[[Any, str], None]:
    minimum, exclusive_min, maximum, exclusive_max = bounds(schema)
    minimum = low if minimum is None else minimum
    maximum = high if maximum is None else maximum
    multiple = schema.get("multipleOf")

    def check(value: Any, where: str) -> None:
        if value < minimum or (exclusive_min and value == minimum):
            limit = "more than" if exclusive_min else "at least"
            raise _invalid(f"{where} is out of range: it must be {limit} {minimum}")
        if value > maximum or (exclusive_max and value == maximum):
            limit = "less than" if exclusive_max else "at most"
            raise _invalid(f"{where} is out of range: it must be {limit} {maximum}")
        if multiple and value % multiple:
            raise _invalid(f"{where} must be a multiple of {multiple}")

    return check


def _integer(schema: Mapping[str, Any]) -> Check:
    # Unbounded integers still go through a JSON parser on the server: without a format,
    # hold them to int64 like MeetBit's (Laravel/MySQL) keys.
    kind = schema.get("format", "int64")
    low, high = INT_RANGES.get(kind, INT_RANGES["int64"])
    limited = any(key in schema for key in ("minimum", "maximum", "exclusiveMinimum",
                                             "exclusiveMaximum", "multipleOf"))  # fmt: skip
    bounds = _bounds(schema, low, high) if limited else None

    def check(value: object, where: str) -> None:
        if type(value) is not int:
            raise _type_error(where, "integer", value)
        if not low <= value <= high:
            raise _invalid(f"{where} is out of range: it must fit in {kind}")
        if bounds is not None:
            bounds(value, where)

    return check


def _number(schema: Mapping[str, Any]) -> Check:
    bounds = _bounds(schema, -math.inf, math.inf)

    def check(value: object, where: str) -> None:
        if type(value) not in (int, float):
            raise _type_error(where, "number", value)
        try:
            finite = math.isfinite(value)  # type: ignore[arg-type]
        except OverflowError:  # an int beyond any float: no JSON parser reads it as a number
            raise _invalid(f"{where} is out of range: it is too large for a number") from None
        if not finite:
            raise _invalid(f"{where} must be a finite number (JSON has no NaN or inf)")
        bounds(value, where)

    return check


def _string(schema: Mapping[str, Any], python: bool) -> Check:
    shortest = schema.get("minLength", 0)
    longest = schema.get("maxLength")
    source = schema.get("pattern")
    pattern = None if source is None else compile_pattern(source)
    kind = schema.get("format")
    moment = {"date-time": datetime.datetime, "date": datetime.date}.get(kind or "")
    parse = {"date-time": parse_datetime, "date": parse_date}.get(kind or "")

    def check(value: object, where: str) -> None:
        if moment is not None and python:
            # The generated models take and serialise datetime objects, not strings.
            if not isinstance(value, moment) or (
                moment is datetime.date and isinstance(value, datetime.datetime)
            ):
                raise _invalid(
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
                raise _invalid(
                    f"{where} cannot be sent: it holds a lone surrogate, which UTF-8 cannot encode"
                ) from None
        size = len(text)  # code points, as JSON Schema and Laravel's max: count
        if longest is not None and size > longest:
            raise _invalid(f"{where} is {size} characters long; at most {longest} are allowed")
        if size < shortest:
            raise _invalid(f"{where} is {size} characters long; at least {shortest} are required")
        if pattern is not None and not pattern.search(text):
            raise _invalid(f"{where} does not match the pattern {source}")
        if parse is not None and not python:
            try:
                parse(text)
            except ValueError:
                raise _invalid(f"{where} must be an RFC 3339 {kind}") from None

    return check


def _enum(allowed: list[Any]) -> Check:
    # bool == int in Python (True == 1): compare types too, so True is not the member 1.
    members = {(type(value), value) for value in allowed}
    shown = ", ".join(str(value) for value in allowed)

    def check(value: object, where: str) -> None:
        if (type(value), value) not in members:
            raise _invalid(f"{where} must be one of: {shown}")

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
            raise _invalid(f"{where} has {len(sequence)} items; at most {most} are allowed")
        if len(sequence) < fewest:
            raise _invalid(f"{where} has {len(sequence)} items; at least {fewest} are required")
        if unique and len({repr(item) for item in sequence}) != len(sequence):
            raise _invalid(f"{where} must not repeat items")
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
                raise _invalid(f"{where}.{name} is required")
        for name, item in value.items():
            checker = properties.get(name)
            if checker is not None:
                checker(item, f"{where}.{name}")

    return check
