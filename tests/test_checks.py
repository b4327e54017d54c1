"""Checks compiled from JSON Schema limits: every keyword, both modes, messages without values."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import meetbit
import pytest
from meetbit._schema import compile_check, from_text

SECRETISH = "Very-Private-Value-9d1c"


def violation(schema: dict[str, Any], value: object, *, python: bool = True) -> str | None:
    try:
        compile_check(schema, python=python)(value, "field")
    except meetbit.InvalidRequestError as error:
        return str(error)
    return None


@pytest.mark.parametrize(
    ("schema", "good", "bad", "says"),
    [
        ({"type": "integer"}, 5, True, "must be an integer, not bool"),
        ({"type": "integer"}, 5, 5.0, "must be an integer, not float"),
        ({"type": "integer", "format": "int64"}, 2**63 - 1, 2**63, "fit in int64"),
        ({"type": "integer", "format": "int32"}, 2**31 - 1, 2**31, "fit in int32"),
        ({"type": "integer", "minimum": 1}, 1, 0, "at least 1"),
        ({"type": "integer", "maximum": 100}, 100, 101, "at most 100"),
        ({"type": "integer", "minimum": 0, "exclusiveMinimum": True}, 1, 0, "more than 0"),
        ({"type": "integer", "maximum": 9, "exclusiveMaximum": True}, 8, 9, "less than 9"),
        ({"type": "number", "exclusiveMinimum": 0.5}, 0.6, 0.5, "more than 0.5"),
        ({"type": "number"}, 1.5, float("nan"), "finite"),
        ({"type": "number"}, 2, float("inf"), "finite"),
        ({"type": "number", "multipleOf": 5}, 10, 12, "multiple of 5"),
        ({"type": "string", "maxLength": 3}, "abc", "abcd", "4 characters long; at most 3"),
        ({"type": "string", "minLength": 1}, "a", "", "0 characters long; at least 1"),
        ({"type": "string", "maxLength": 2}, "😀😀", "😀😀😀", "3 characters"),  # code points
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc", "ab1", "does not match the pattern"),
        ({"type": "string"}, "ok", "\ud800", "lone surrogate"),
        ({"type": "string", "enum": ["a", "b"]}, "a", "c", "one of: a, b"),
        ({"type": "integer", "enum": [0, 1]}, 1, True, "must be an integer"),
        ({"enum": [0, 1]}, 1, True, "one of: 0, 1"),
        ({"type": "boolean"}, False, 0, "must be a boolean, not int"),
        ({"type": "string"}, "x", None, "must not be None"),
        (
            {"type": "array", "maxItems": 2, "items": {"type": "integer"}},
            [1, 2],
            [1, 2, 3],
            "3 items",
        ),
        (
            {"type": "array", "items": {"type": "integer"}},
            [1],
            [1, "2"],
            "field[1] must be an integer",
        ),
        ({"type": "array", "uniqueItems": True}, [1, 2], [1, 1], "must not repeat"),
        (
            {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {"a": 1},
            {},
            "field.a is required",
        ),
    ],
)
def test_each_limit_accepts_and_refuses(
    schema: dict[str, Any], good: object, bad: object, says: str
) -> None:
    assert violation(schema, good) is None
    message = violation(schema, bad)
    assert message is not None
    assert says in message


def test_nullable_accepts_none() -> None:
    assert violation({"type": "string", "nullable": True}, None) is None


def test_messages_never_repeat_the_value() -> None:
    for schema in (
        {"type": "string", "maxLength": 5},
        {"type": "string", "pattern": "^[0-9]+$"},
        {"type": "string", "enum": ["x"]},
        {"type": "integer"},
    ):
        message = violation(schema, SECRETISH)
        assert message is not None
        assert SECRETISH not in message


class TestModes:
    """A caller passes Python objects; the wire carries JSON. The same rules, each its form."""

    def test_date_time_is_a_datetime_from_python_and_an_iso_string_on_the_wire(self) -> None:
        schema = {"type": "string", "format": "date-time"}
        moment = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
        assert violation(schema, moment, python=True) is None
        assert "must be a datetime.datetime" in (violation(schema, "2026-11-25", python=True) or "")
        assert violation(schema, "2026-11-25T10:00:00.000000Z", python=False) is None
        assert "RFC 3339" in (violation(schema, "next tuesday", python=False) or "")

    def test_enum_members_are_checked_by_value(self) -> None:
        class Colour(enum.StrEnum):
            RED = "red"
            BLUE = "blue"

        schema = {"type": "string", "enum": ["red"]}
        assert violation(schema, Colour.RED) is None
        assert violation(schema, Colour.BLUE) is not None

    def test_a_tuple_is_a_list_for_python_callers_only(self) -> None:
        schema = {"type": "array", "items": {"type": "integer"}}
        assert violation(schema, (1, 2), python=True) is None
        assert violation(schema, (1, 2), python=False) is not None

    def test_models_are_checked_as_what_they_send(self) -> None:
        class Model:
            def to_dict(self) -> dict[str, Any]:
                return {"title": "x" * 10}

        schema = {"type": "object", "properties": {"title": {"type": "string", "maxLength": 5}}}
        assert "field.title is 10 characters" in (violation(schema, Model()) or "")


def test_no_constraints_accepts_anything() -> None:
    assert violation({}, object()) is None


# --- the resource methods' inline checks (tools/operations.py fast_check) ----------------------

SAMPLES: list[object] = [
    None, True, False, 0, 1, -1, 2, 5, 8, 9, 10, 100, 101, 2**31 - 1, 2**31, -(2**31) - 1,
    2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 1.0, 0.5, float("nan"), "", "a", "ab", "abc",
    "abcd", "x" * 255, "x" * 256, "é", "😀", "\ud800", "a\x00b", b"abc", [], {},
]  # fmt: skip


class _IntSubclass(int):
    pass


def _generator_step() -> Any:
    """tools/operations.py, the generation step that writes the inline checks."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "operations.py"
    spec = importlib.util.spec_from_file_location("tools_operations", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _schemas_of_the_specs() -> list[dict[str, Any]]:
    """The installed spec's field schemas that get an inline check (the rest never skip)."""
    from meetbit_api.operations import OPERATIONS

    fast_check = _generator_step().fast_check
    schemas = [dict(field.schema) for op in OPERATIONS.values() for field in op.fields]
    return [schema for schema in schemas if fast_check(schema, "value", True) is not None]


FAST_SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer"},
    {"type": "integer", "format": "int32"},
    {"type": "integer", "minimum": 1},
    {"type": "integer", "minimum": 1, "maximum": 100},
    {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
    {"type": "integer", "maximum": 9, "exclusiveMaximum": True},
    {"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 10},  # OpenAPI 3.1
    {"type": "integer", "minimum": 0.5},  # fractional bounds move inwards: at least 1
    {"type": "integer", "minimum": -1.5, "maximum": 9.5, "exclusiveMaximum": True},
    {"type": "integer", "nullable": True, "minimum": 2},
    {"type": "string"},
    {"type": "string", "maxLength": 3},
    {"type": "string", "minLength": 1},
    {"type": "string", "minLength": 2, "maxLength": 3},
    {"type": "string", "nullable": True, "maxLength": 255},
    {"type": "boolean"},
    {"type": "boolean", "nullable": True},
    *_schemas_of_the_specs(),
]


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("schema", FAST_SCHEMAS, ids=repr)
def test_the_inline_check_never_passes_what_the_full_check_refuses(
    schema: dict[str, Any], required: bool
) -> None:
    """The generated methods skip the full check when the inline one passes: it must be sound."""
    from meetbit_api.types import UNSET

    operations = _generator_step()
    expression = operations.fast_check(schema, "value", required)
    assert expression is not None
    # The expression is code we generate, evaluated as the generated method runs it.
    test = eval(f"lambda value: {expression}", {"UNSET": UNSET})
    full = compile_check(schema, python=True)
    passed = 0
    for value in [*SAMPLES, UNSET, _IntSubclass(5)]:
        if test(value):
            passed += 1
            if value is UNSET:
                assert not required
                continue
            full(value, "value")  # raises if the inline check was wrong
    assert passed  # a check that lets nothing through would make every call take the slow path


def test_the_inline_checks_are_what_the_methods_run() -> None:
    """The generated resources hold each field's inline check, so the test above covers them."""
    import inspect

    import meetbit_api.resources as resources
    from meetbit_api.operations import OPERATIONS

    operations = _generator_step()
    source = inspect.getsource(resources).replace("\n", " ")
    squashed = " ".join(source.split())
    for op in OPERATIONS.values():
        for field in op.fields:
            expression = operations.fast_check(dict(field.schema), field.argument, field.required)
            if expression is not None:
                assert " ".join(expression.split()) in squashed.replace("( ", "(").replace(
                    " )", ")"
                ), (op.name, field.argument)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "number"},
        {"type": "integer", "multipleOf": 2},
        {"type": "string", "enum": ["a"]},
        {"type": "string", "pattern": "^a$"},
        {"type": "string", "format": "date-time"},
        {"type": "array", "items": {"type": "integer"}},
        {"type": "object"},
    ],
    ids=repr,
)
def test_kinds_without_an_inline_check_always_take_the_full_one(schema: dict[str, Any]) -> None:
    assert _generator_step().fast_check(schema, "value", True) is None


DATE = {"type": "string", "format": "date"}


@pytest.mark.parametrize(
    ("schema", "value", "python", "says"),
    [
        ({"type": "array"}, 5, True, "field must be a list, not int"),
        ({"type": "array", "minItems": 2}, [1], True, "field has 1 items; at least 2 are required"),
        ({"type": "array", "minItems": 2}, [1, 2], True, None),
        ({"type": "array", "uniqueItems": True}, [1, 1], True, "field must not repeat items"),
        ({"type": "array"}, [1, 1], True, None),
        ({"type": "array", "items": DATE}, [datetime.date(2026, 1, 1)], True, None),
        ({"type": "array", "items": DATE}, ["2026-01-01"], True,
         "field[0] must be a datetime.date, not str"),
        ({"type": "array", "items": DATE}, ["2026-01-01"], False, None),
        ({"type": "object"}, 5, True, "field must be an object, not int"),
        ({"type": "object"}, {"a": 1}, True, None),
        ({"type": "object", "properties": {"d": DATE}}, {"d": "2026-13-01"}, True,
         "field.d must be an RFC 3339 date"),
        ({"type": "object", "properties": {"d": DATE}}, {"d": "2026-01-01"}, True, None),
        (DATE, "2026-01-01", True, "field must be a datetime.date, not str"),
        (DATE, datetime.date(2026, 1, 1), True, None),
        (DATE, "2026-13-01", False, "field must be an RFC 3339 date"),
        ({"type": "string"}, 5, True, "field must be a string, not int"),
        ({"type": "boolean"}, 1, True, "field must be a boolean, not int"),
        ({"type": "integer"}, 2**63, True, "field is out of range: it must fit in int64"),
        ({"type": "integer", "minimum": 0, "maximum": 10, "exclusiveMinimum": False,
          "exclusiveMaximum": False, "multipleOf": 2}, 3, True, "field must be a multiple of 2"),
    ],
)  # fmt: skip
def test_each_kind_s_refusal_in_words(
    schema: dict[str, Any], value: object, python: bool, says: str | None
) -> None:
    assert violation(schema, value, python=python) == says


@pytest.mark.parametrize(
    ("schema", "text", "value"),
    [
        ({"type": "object"}, '{"a": 1}', {"a": 1}),
        ({"type": "number"}, "12", 12),
        ({"type": "number"}, "1.5", 1.5),
        (DATE, "2026-01-01", datetime.date(2026, 1, 1)),
        ({"type": "string"}, "2026-01-01", "2026-01-01"),
    ],
)
def test_text_becomes_the_value_its_schema_says(
    schema: dict[str, Any], text: str, value: object
) -> None:
    parsed = from_text(schema, text)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("schema", "text", "says"),
    [
        ({"type": "object"}, "nope", "'nope' is not JSON"),
        ({"type": "number"}, "1e999", "'1e999' is not a finite number"),
        (DATE, "2026-13-01", "'2026-13-01' is not an RFC 3339 date"),
    ],
)
def test_text_that_is_not_its_schema_s_value_says_why(
    schema: dict[str, Any], text: str, says: str
) -> None:
    with pytest.raises(ValueError, match=f"^{says}$"):
        from_text(schema, text)


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("schema", "value", "says"),
    [
        ({"type": "string"}, Colour.RED, None),  # an enum member is checked by its value
        ({"type": "integer", "format": "uint8"}, 5, None),  # a format it does not know
        (
            {"type": "integer", "exclusiveMinimum": 5},
            5,
            "field is out of range: it must be more than 5",
        ),
        (
            {"type": "integer", "exclusiveMaximum": 5},
            5,
            "field is out of range: it must be less than 5",
        ),
        ({"type": "integer", "multipleOf": 2}, 3, "field must be a multiple of 2"),
    ],
)
def test_a_lone_check_and_each_bound_alone(
    schema: dict[str, Any], value: object, says: str | None
) -> None:
    assert violation(schema, value) == says
