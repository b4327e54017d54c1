"""meetbit._schema's document helpers: $ref and allOf, integer ranges, limits in words, dates.

The generator reads specs through them (tools/operations.py) and the client, the CLI and the
fake check and parse values with them; test_schema_rules.py holds the pattern and format
rules to the standards, test_checks.py the compiled checks.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import meetbit
import pytest
from meetbit._schema import (
    compile_check,
    describe_limits,
    integer_range,
    json_type,
    merged,
    parse_date,
    parse_datetime,
    pointer,
    resolve,
)

pytestmark = pytest.mark.behaviour

DOCUMENT: dict[str, Any] = {
    "components": {
        "schemas": {
            "Event": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "integer"},
                    "parent": {"$ref": "#/components/schemas/Event"},
                },
            },
            "Titled": {
                "allOf": [
                    {"$ref": "#/components/schemas/Event"},
                    {"required": ["title", "id"], "properties": {"title": {"type": "string"}}},
                ],
                "description": "an event with a title",
            },
            "a/b~c": {"type": "string"},
            "Tree": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/Tree"}]},
        }
    },
    "Xtop": {"type": "boolean"},
    "list": [{"first": 1}, {"second": 2}],
}


def test_a_pointer_follows_json_pointer_escapes_and_list_indexes() -> None:
    assert pointer(DOCUMENT, "#/components/schemas/a~1b~0c") == {"type": "string"}
    assert pointer(DOCUMENT, "#/list/1") == {"second": 2}
    assert pointer(DOCUMENT, "#") is DOCUMENT
    assert pointer(DOCUMENT, "#/Xtop") == {"type": "boolean"}, "a step may begin with any letter"
    with pytest.raises(KeyError, match="only local references"):
        pointer(DOCUMENT, "other.yaml#/x")
    with pytest.raises(KeyError):
        pointer(DOCUMENT, "#/components/schemas/Missing")


def test_resolve_inlines_references_and_leaves_a_cycle_open() -> None:
    event = resolve(DOCUMENT, {"$ref": "#/components/schemas/Event"})
    assert event == {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "integer"}, "parent": {}},  # itself: any value
    }
    assert (
        event["properties"]["id"]
        is not DOCUMENT["components"]["schemas"]["Event"]["properties"]["id"]
    ), "a copy: the document is never changed through what resolve returns"


def test_a_cycle_through_a_list_is_left_open_too() -> None:
    tree = resolve(DOCUMENT, {"$ref": "#/components/schemas/Tree"})
    assert tree == {"oneOf": [{"type": "string"}, {}]}


def test_all_of_skips_a_part_that_is_no_schema_object() -> None:
    # OpenAPI 3.1 allows boolean schemas; `true` adds nothing, and the parts after it count.
    merged = resolve(DOCUMENT, {"allOf": [True, {"type": "string"}], "maxLength": 3})
    assert merged == {"type": "string", "maxLength": 3}


def test_all_of_is_merged_uniting_properties_and_required() -> None:
    titled = resolve(DOCUMENT, {"$ref": "#/components/schemas/Titled"})
    assert titled["required"] == ["id", "title"]
    assert set(titled["properties"]) == {"id", "parent", "title"}
    assert titled["description"] == "an event with a title"
    assert "allOf" not in titled
    assert merged({"allOf": [{"minimum": 1}, {"maximum": 3}]}) == {"minimum": 1, "maximum": 3}
    schema = {"type": "integer"}
    assert merged(schema) is schema
    assert resolve({}, {"allOf": "not a list"}) == {"allOf": "not a list"}
    assert resolve({}, {"allOf": [{"a": 1}, "text"]}) == {"a": 1}


@pytest.mark.parametrize(
    ("schema", "allowed"),
    [
        ({}, (-(2**63), 2**63 - 1)),
        ({"format": "int32"}, (-(2**31), 2**31 - 1)),
        ({"format": "int32", "minimum": 1, "maximum": 10}, (1, 10)),
        ({"minimum": 1, "exclusiveMinimum": True, "maximum": 10, "exclusiveMaximum": True}, (2, 9)),
        ({"exclusiveMinimum": 1, "exclusiveMaximum": 10}, (2, 9)),  # 3.1's numbers
        ({"minimum": 0.5, "maximum": 9.5}, (1, 9)),
        ({"minimum": -0.5, "maximum": -0.25}, (0, -1)),  # empty
        ({"format": "int32", "minimum": -(2**40), "maximum": 2**40}, (-(2**31), 2**31 - 1)),
        ({"format": "uint8"}, (-(2**63), 2**63 - 1)),  # a format it does not know: int64's
    ],
)
def test_integer_range_is_the_format_s_narrowed_by_the_bounds(
    schema: dict[str, Any], allowed: tuple[int, int]
) -> None:
    assert integer_range(schema) == allowed


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": "integer", "format": "int32", "minimum": 1}, "32-bit integer; at least 1"),
        ({"type": "integer", "format": "int64", "maximum": 9}, "64-bit integer; at most 9"),
        ({"type": "integer", "minimum": 0, "exclusiveMinimum": True}, "more than 0"),
        ({"type": "number", "maximum": 1.5, "exclusiveMaximum": True}, "less than 1.5"),
        ({"type": "string", "format": "date-time"}, "RFC 3339 date-time"),
        ({"type": "string", "format": "date"}, "RFC 3339 date"),
        ({"type": "string", "format": "email"}, ""),
        (
            {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-z]+$"},
            "at least 1 characters; at most 255 characters; matching ^[a-z]+$",
        ),
        ({"enum": [0, 1, 2], "default": 1}, "one of 0, 1, 2; default 1"),
        ({"default": None, "nullable": True}, "may be None"),
        ({"type": "array", "minItems": 1, "maxItems": 3}, "at least 1 items; at most 3 items"),
        ({"nullable": False}, ""),
    ],
)
def test_describe_limits_says_each_limit_in_words(schema: dict[str, Any], words: str) -> None:
    assert describe_limits(schema) == words


def test_a_date_is_a_full_date_only() -> None:
    assert parse_date("2026-11-23") == datetime.date(2026, 11, 23)
    for text in ("2026-11-23T10:00:00Z", "26-11-23", "2026-13-01", " 2026-11-23", 20261123):
        with pytest.raises(ValueError, match=r"^(not an RFC 3339 date|month must be in 1..12)$"):
            parse_date(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", "n must be a number, not str"),
        (True, "n must be a number, not bool"),
        (math.nan, "n must be a finite number (JSON has no NaN or inf)"),
        (math.inf, "n must be a finite number (JSON has no NaN or inf)"),
        (10**400, "n is out of range: it is too large for a number"),
        (0.5, "n is out of range: it must be at least 1"),
    ],
)
def test_a_number_check_refuses_what_json_cannot_carry(value: object, message: str) -> None:
    check = compile_check({"type": "number", "minimum": 1}, python=True)
    with pytest.raises(meetbit.InvalidRequestError) as raised:
        check(value, "n")
    assert str(raised.value).startswith(message)
    check(1, "n")
    check(2.5, "n")


UTC = datetime.UTC


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-11-23T10:00:00-05:30",
         datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.timezone(-datetime.timedelta(hours=5, minutes=30)))),
        ("2026-11-23T10:00:00+05:30",
         datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30)))),
        ("2026-11-23T10:00:00+23:59",
         datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=23, minutes=59)))),
        ("2026-11-23T10:00:00.5Z", datetime.datetime(2026, 11, 23, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2026-11-23T10:00:00.1234567Z", datetime.datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_date_time_keeps_its_offset_and_fraction(text: str, moment: datetime.datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == moment
    assert parsed.utcoffset() == moment.utcoffset()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("next tuesday", "not an RFC 3339 date-time"),
        (20261123, "not an RFC 3339 date-time"),
        # The offset's ranges are part of the grammar (RFC3339_DATE_TIME), which the models
        # match before fromisoformat (it reads +00:60 as +01:00).
        ("2026-11-23T10:00:00+24:00", "not an RFC 3339 date-time"),
        ("2026-11-23T10:00:00+00:60", "not an RFC 3339 date-time"),
        ("2026-11-23T10:00:00-19:59", None),
        ("2026-11-23T10:00:00+23:59", None),
        ("2026-11-23T10:00:00-20:00", None),
    ],
)
def test_what_is_no_rfc_3339_date_time_says_so(text: object, message: str | None) -> None:
    if message is None:  # the edges that are allowed
        assert parse_datetime(text).utcoffset() is not None  # type: ignore[arg-type]
        return
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_datetime(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("schema", "kind"),
    [
        ({"type": "string"}, "string"),
        ({"properties": {}}, "object"),  # properties without a type: an object
        ({"type": "string", "properties": {}}, "string"),
        ({"type": ["string", "null"]}, None),  # 3.1's list of types: none JSON type alone
        ({}, None),
    ],
)
def test_json_type_is_the_type_or_an_object_for_properties(
    schema: dict[str, Any], kind: str | None
) -> None:
    assert json_type(schema) == kind
