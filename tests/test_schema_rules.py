"""meetbit._schema: OpenAPI 3.0's schema rules, held to what the standards say they mean.

ECMA-262 patterns are checked against regress (bindings to the Rust regress engine, an
ECMA-262 implementation we did not write); RFC 3339 and the rest against the RFC's words.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

import meetbit
import pytest
from meetbit import _schema
from meetbit._schema import compile_check

regress = pytest.importorskip("regress", reason="regress (the ECMA-262 oracle) is a dev dependency")

PATTERNS = [
    r"^[a-z]+$", r"^\d+$", r"^\w+$", r"\bword\b", r"^a.c$", r"^\s+$", r"^[^]$", r"^[]$",
    r"^(?<year>[0-9]{4})-\k<year>$", r"^[a-zA-Z0-9_-]+$", r"^\S+$", r"^\D+$", r"^\W$",
    r"^[\d\s]+$", r"a\/b", r"^\x41\u0042$", r"^[\b]$", r"^\cJ$", r"colou?r", r"^.{2,3}$",
    r"^(a|b)*c$", r"(?=a)a", r"(?<!x)y$", r"^\0$", r"^a{,2}$", r"^a{1,2}$",
]  # fmt: skip
TEXTS = [
    "abc", "abc\n", "ABC", "123", "١٢٣", "x_1", "é", "a word here", "aXc", "a\nc", "a\rc",
    "a\u2028c", " \t", "\u00a0\ufeff", "\u200b", "", "x", "2024-2024", "a/b", "AB", "\x08",
    "\n", "color", "colour", "abab", "bac", "ababc", "xy", "zy", "\x00", "Ab-_9", "a\u0301",
    "a{,2}", "aa", "a",
]  # fmt: skip


@pytest.mark.parametrize("pattern", PATTERNS)
def test_patterns_mean_what_ecma_262_says(pattern: str) -> None:
    oracle = regress.Regex(pattern)
    ours = _schema.compile_pattern(pattern)
    for text in TEXTS:
        expected = oracle.find(text) is not None
        assert (ours.search(text) is not None) == expected, (pattern, text)


def test_a_dollar_does_not_match_before_a_final_newline_and_nothing_is_sent() -> None:
    check = compile_check({"type": "string", "pattern": "^[a-z]+$"}, python=True)
    check("abc", "name")
    with pytest.raises(meetbit.InvalidRequestError, match="does not match the pattern"):
        check("abc\n", "name")


def test_digits_are_ascii_digits() -> None:
    check = compile_check({"type": "string", "pattern": r"^\d+$"}, python=True)
    with pytest.raises(meetbit.InvalidRequestError):
        check("١٢٣", "code")  # Arabic-Indic digits: Python's \d, not JavaScript's


@pytest.mark.parametrize("pattern", [r"\p{L}", r"\u{1F600}", r"[\D]"])
def test_a_pattern_without_a_translation_is_refused_by_name(pattern: str) -> None:
    with pytest.raises(_schema.UnsupportedPattern, match=r"flag|class"):
        _schema.python_pattern(pattern)


def test_a_number_too_large_for_any_float_is_an_invalid_request() -> None:
    check = compile_check({"type": "number"}, python=True)
    with pytest.raises(meetbit.InvalidRequestError, match="too large"):
        check(10**400, "amount")
    check(10**300, "amount")


@pytest.mark.parametrize(
    "text",
    ["2026-11-25T10:00:00Z", "2026-11-25t10:00:00z", "2026-11-25T10:00:00.123456789+02:00",
     "2026-11-25t10:00:00-00:00"],
)  # fmt: skip
def test_rfc_3339_date_times_in_either_case_are_accepted(text: str) -> None:
    moment = _schema.parse_datetime(text)
    assert moment.tzinfo is not None
    compile_check({"type": "string", "format": "date-time"}, python=False)(text, "at")


@pytest.mark.parametrize(
    "text", ["2026-11-25", "2026-11-25T10:00:00", "2026-11-25 10:00:00Z", "next tuesday",
             "2026-13-25T10:00:00Z", "2026-11-25T10:00:00+24:00"],
)  # fmt: skip
def test_what_rfc_3339_does_not_allow_is_refused(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked below
        _schema.parse_datetime(text)
    with pytest.raises(meetbit.InvalidRequestError, match="RFC 3339"):
        compile_check({"type": "string", "format": "date-time"}, python=False)(text, "at")


def test_a_lowercase_date_time_in_a_response_parses() -> None:
    from meetbit.testing import example
    from meetbit_api.models.event import Event
    from meetbit_api.operations import OPERATIONS

    schema = OPERATIONS["cancel_event"].responses["200"].schema
    assert schema is not None
    wire = dict(example(schema["properties"]["data"], complete=True))
    wire["start"] = "2026-11-25t10:00:00z"
    event = Event.from_dict(wire)
    assert event.start == datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC)
    wire["start"] = "next tuesday"
    with pytest.raises(ValueError, match="start: expected an ISO 8601 date-time"):
        Event.from_dict(wire)


@pytest.mark.parametrize(
    ("schema", "text", "value"),
    [
        ({"type": "integer"}, "12", 12),
        ({"type": "integer"}, "-3", -3),
        ({"type": "number"}, "1.5", 1.5),
        ({"type": "number"}, "2", 2),
        ({"type": "boolean"}, "true", True),
        ({"type": "boolean"}, "false", False),
        ({"type": "string", "format": "date"}, "2026-11-25", datetime.date(2026, 11, 25)),
        ({"type": "string"}, "+12", "+12"),
    ],
)
def test_text_becomes_the_value_its_schema_says(
    schema: dict[str, Any], text: str, value: Any
) -> None:
    assert _schema.from_text(schema, text) == value


@pytest.mark.parametrize(
    ("schema", "text"),
    [({"type": "integer"}, "+12"), ({"type": "integer"}, "1_000"), ({"type": "integer"}, " 1"),
     ({"type": "number"}, "inf"), ({"type": "number"}, "nan"), ({"type": "boolean"}, "1"),
     ({"type": "boolean"}, "0"), ({"type": "boolean"}, "True")],
)  # fmt: skip
def test_text_that_is_not_the_schema_s_type_is_refused(schema: dict[str, Any], text: str) -> None:
    with pytest.raises(ValueError, match="is not"):
        _schema.from_text(schema, text)


def test_resolve_inlines_refs_merges_all_of_and_leaves_cycles_open() -> None:
    document = {
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "integer"}, "next": {"$ref": "#/components/schemas/Node"}},
                },
                "Named": {"allOf": [{"$ref": "#/components/schemas/Node"},
                                    {"required": ["name"], "properties": {"name": {"type": "string"}}}]},
            }
        }
    }  # fmt: skip
    named = _schema.resolve(document, {"$ref": "#/components/schemas/Named"})
    assert named["required"] == ["id", "name"]
    assert set(named["properties"]) == {"id", "next", "name"}
    assert named["properties"]["next"] == {}  # Node inside Node: the cycle, left open


@pytest.mark.parametrize(
    ("schema", "expected"),
    [({"minimum": 0, "exclusiveMinimum": True}, (0, True, None, False)),
     ({"exclusiveMinimum": 0}, (0, True, None, False)),
     ({"maximum": 5, "exclusiveMaximum": False}, (None, False, 5, False)),
     ({"exclusiveMaximum": True}, (None, False, None, False))],
)  # fmt: skip
def test_bounds_read_3_0_booleans_and_3_1_numbers_alike(
    schema: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    assert _schema.bounds(schema) == expected


class TestNullable:
    """`nullable` as OpenAPI 3.0.3 clarifies it, as openapi-python-client's models read it."""

    ENUM: ClassVar[dict[str, Any]] = {"type": "string", "enum": ["weekly", "daily"]}

    def test_a_nullable_enum_without_null_refuses_null(self) -> None:
        # Was: accepted (so the fake sent null, which the generated model refused to parse).
        check = compile_check({**self.ENUM, "nullable": True}, python=False)
        check("weekly", "kind")
        with pytest.raises(meetbit.InvalidRequestError, match="kind must not be None"):
            check(None, "kind")
        assert not _schema.allows_null({**self.ENUM, "nullable": True})

    def test_null_listed_in_a_nullable_enum_is_a_value(self) -> None:
        schema = {**self.ENUM, "enum": ["weekly", None], "nullable": True}
        compile_check(schema, python=False)(None, "kind")
        assert _schema.allows_null(schema)
        assert _schema.allows_null({"type": "string", "nullable": True})

    def test_a_nullable_reference_to_an_enum_takes_null(self) -> None:
        # `allOf: [$ref]` + `nullable` is how a spec (our fix layer too) says "this enum, or null".
        document = {"components": {"schemas": {"Kind": self.ENUM}}}
        node = {"allOf": [{"$ref": "#/components/schemas/Kind"}], "nullable": True}
        resolved = _schema.resolve(document, node)
        assert resolved["enum"] == ["weekly", "daily", None]
        compile_check(resolved, python=False)(None, "kind")
        assert _schema.resolve(document, {"allOf": [{"$ref": "#/components/schemas/Kind"}]}) == (
            self.ENUM
        )


def test_text_in_json_mode_keeps_strings_as_text() -> None:
    # The fake reads path and query text this way: its checks take JSON, where a date is text.
    moment = {"type": "string", "format": "date-time"}
    assert _schema.from_text(moment, "2024-05-06t07:08:09z", python=False) == "2024-05-06t07:08:09z"
    assert _schema.from_text(moment, "2024-05-06t07:08:09z") == datetime.datetime(
        2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC
    )
    assert _schema.from_text({"type": "integer"}, "12", python=False) == 12


def test_accepts_is_compile_check_as_a_yes_or_no() -> None:
    schema = {"type": "integer", "minimum": 0, "exclusiveMinimum": True}
    assert _schema.accepts(schema, 1)
    assert not _schema.accepts(schema, 0)
    assert not _schema.accepts({"type": "string", "format": "date-time"}, "yesterday")
