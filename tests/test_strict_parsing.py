"""A 2xx body that breaks the spec's types fails loudly, naming the field's path and never its value."""

from __future__ import annotations

import copy
import datetime
import importlib
import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import meetbit
import pytest
from clients import make_client
from conftest import EVENT, ONLINE_CONFERENCE, ROOT
from meetbit_api.errors import ResponseShapeError
from meetbit_api.models import CancelEventResponse200, EventAttendeeStatus, OnlineConference
from wire import Reply, WireServer

# Everything here runs on every supported Python (make test-pythons) but the variant tests,
# which need the generator: it runs in .venv only, and they say SKIPPED elsewhere.
pytestmark = pytest.mark.behaviour

RAW = "__raw_json__"
JSON = {"Content-Type": "application/json"}


def body_with(raw: str, *where: str | int, remove: bool = False) -> str:
    """The cancel-event 200 body as JSON text, with the value at `where` replaced by `raw` text.

    Raw text, so that what json.loads makes of `NaN` or `1e400` is what reaches from_dict.
    """
    document: Any = {"message": "Event canceled.", "data": copy.deepcopy(EVENT)}
    parent = document
    for step in where[:-1]:
        parent = parent[step]
    if remove:
        del parent[where[-1]]
    else:
        parent[where[-1]] = RAW
    return json.dumps(document).replace(json.dumps(RAW), raw)


def shape_error(text: str) -> ResponseShapeError:
    with pytest.raises(ResponseShapeError) as raised:
        CancelEventResponse200.from_dict(json.loads(text))
    error = raised.value
    assert isinstance(error, ValueError)
    assert str(error) == f"{error.path}: {error.problem}"
    return error


def assert_value_not_named(error: ResponseShapeError, raw: str) -> None:
    parsed = json.loads(raw)
    if parsed is None:
        return  # null is its own JSON type: "got null" is the type, not a leak
    for text in {raw, raw.strip('"'), repr(parsed), str(parsed)}:
        assert text not in str(error)


EVENT_CASES = [
    # (raw JSON text, where it goes, the path reported, the problem reported)
    ("true", ("data", "id"), "data.id", "expected integer or null, got boolean"),
    ("1e400", ("data", "id"), "data.id", "expected integer or null, got non-finite number"),
    ("NaN", ("data", "id"), "data.id", "expected integer or null, got non-finite number"),
    ("-Infinity", ("data", "id"), "data.id", "expected integer or null, got non-finite number"),
    ('"12"', ("data", "id"), "data.id", "expected integer or null, got string"),
    ("12.0", ("data", "id"), "data.id", "expected integer or null, got number"),
    ("false", ("data", "calendar_id"), "data.calendar_id", "expected integer, got boolean"),
    ("5", ("data", "title"), "data.title", "expected string, got integer"),
    ('{"a": 1}', ("data", "attendees"), "data.attendees", "expected array, got object"),
    (
        '"cy@example.com"',
        ("data", "attendees", 2),
        "data.attendees[2]",
        "expected object, got string",
    ),
    (
        '"1"',
        ("data", "attendees", 2, "status"),
        "data.attendees[2].status",
        "not a valid EventAttendeeStatus: expected integer, got string",
    ),
    (
        "true",
        ("data", "attendees", 2, "status"),
        "data.attendees[2].status",
        "not a valid EventAttendeeStatus: expected integer, got boolean",
    ),
    (
        "0",
        ("data", "attendees", 3, "is_organizer"),
        "data.attendees[3].is_organizer",
        "expected boolean, got integer",
    ),
    ("[]", ("data", "online_conference"), "data.online_conference", "expected object, got array"),
    (
        '"not a date"',
        ("data", "start"),
        "data.start",
        "expected an ISO 8601 date-time",
    ),
    ("20261123", ("data", "end"), "data.end", "expected an ISO 8601 date-time, got integer"),
    ('"sometime"', ("data", "deleted_at"), "data.deleted_at", "expected an ISO 8601 date-time"),
    (
        '"App\\\\Models\\\\Tenant\\\\User"',
        ("data", "canceled_by_type"),
        None,  # a known member: no error (the control case)
        None,
    ),
    (
        "3",
        ("data", "canceled_by_type"),
        "data.canceled_by_type",
        "not a valid EventCanceledByType: expected string or null, got integer",
    ),
    ("null", ("message",), "message", "expected string, got null"),
    ("[]", ("data",), "data", "expected object, got array"),
]


@pytest.mark.parametrize(("raw", "where", "path", "problem"), EVENT_CASES)
def test_wrong_json_type_names_the_path_not_the_value(
    raw: str, where: tuple[str | int, ...], path: str | None, problem: str | None
) -> None:
    text = body_with(raw, *where)
    if path is None:
        CancelEventResponse200.from_dict(json.loads(text))
        return
    error = shape_error(text)
    assert (error.path, error.problem) == (path, problem)
    assert_value_not_named(error, raw)


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (("data", "attendees", 2, "email"), "data.attendees[2].email"),
        (("data", "title"), "data.title"),
        (("data",), "data"),
    ],
)
def test_missing_required_field_is_named(where: tuple[str | int, ...], path: str) -> None:
    error = shape_error(body_with("", *where, remove=True))
    assert (error.path, error.problem) == (path, "required field is missing")


def test_nested_model_errors_carry_the_full_path() -> None:
    conference = {**ONLINE_CONFERENCE, "id": "77", "title": "Secret board meeting"}
    text = body_with(json.dumps(conference), "data", "online_conference")
    error = shape_error(text)
    assert (error.path, error.problem) == (
        "data.online_conference.id",
        "expected integer, got string",
    )
    assert "77" not in str(error)
    assert "Secret" not in str(error)


def test_a_document_that_is_not_an_object_is_rejected_at_the_root() -> None:
    error = shape_error("[1, 2]")
    assert (error.path, error.problem) == ("$", "expected object, got array")


def test_forward_compatibility_survives_strictness() -> None:
    """Unknown fields and unknown enum values of the right JSON type still parse."""
    document = json.loads(body_with("7", "data", "attendees", 1, "status"))
    document["data"]["brand_new_field"] = [1, "two"]
    document["data"]["canceled_by_type"] = "App\\Models\\Tenant\\Robot"
    envelope = CancelEventResponse200.from_dict(document)
    assert envelope.data.attendees[1].status == 7
    assert isinstance(envelope.data.attendees[1].status, EventAttendeeStatus)
    assert envelope.data.additional_properties["brand_new_field"] == [1, "two"]
    assert envelope.data.canceled_by_type == "App\\Models\\Tenant\\Robot"


def test_numbers_that_are_exact_ints_are_still_ints() -> None:
    envelope = CancelEventResponse200.from_dict(
        json.loads(body_with("9007199254740993", "data", "id"))
    )
    assert envelope.data.id == 9007199254740993
    assert type(envelope.data.id) is int


def test_response_shape_error_is_a_value_error_with_path_and_problem() -> None:
    error = ResponseShapeError("data.id", "expected integer, got string")
    assert isinstance(error, ValueError)
    assert str(error) == "data.id: expected integer, got string"
    assert error.at("outer").path == "outer.data.id"
    assert ResponseShapeError("[3].x", "p").at("items").path == "items[3].x"
    assert ResponseShapeError("$", "p").at("data").path == "data"


# --- date-times: RFC 3339, not whatever datetime.fromisoformat reads ---------------------------

# Texts datetime.fromisoformat accepts (3.11 to 3.13) that RFC 3339 forbids: each would have
# parsed, most as a naive datetime or a different instant than the server meant.
NOT_RFC3339 = [
    "2026-11-23",  # a date alone: naive midnight
    "20261123T101500Z",  # basic format
    "2026-11-23T101500Z",
    "2026-11-23T10:15:00",  # no offset: naive
    "2026-11-23T10:15:00.000000",
    "2026-11-23T10",  # hour only
    "2026-11-23T10Z",
    "2026-11-23T10:15Z",  # no seconds
    "2026-W48-1T10:15:00Z",  # week dates
    "2026-W48T10:15:00Z",
    "2026-11-23 10:15:00Z",  # another separator than T
    "2026-11-23X10:15:00Z",
    "2026-11-23T10:15:00,5Z",  # a comma fraction
    "2026-11-23T10:15:00.Z",  # an empty fraction
    "2026-11-23T10:15:00.+01:00",
    "2026-11-23T10:15:00+0100",  # offsets RFC 3339 does not have
    "2026-11-23T10:15:00+01",
    "2026-11-23T10:15:00+01:00:30",
    "2026-11-23T10:15:00+01:00:00",
    "2026-11-23T10:15:00.5-01:00:00",
    "2026-11-23T10:15:00 +01:00",
    "2026-11-23T10:15:00-09:60",  # an offset minute past 59: read as -10:00
    "2026-11-23T10:15:00.000000:Z",  # a colon before the offset
]


def conference_with_created_at(text: object) -> dict[str, Any]:
    return {**ONLINE_CONFERENCE, "created_at": text}


@pytest.mark.parametrize("text", NOT_RFC3339)
def test_a_date_time_fromisoformat_reads_but_rfc3339_forbids_is_refused(text: str) -> None:
    datetime.datetime.fromisoformat(text)  # the trap: Python reads it
    error = shape_error(body_with(json.dumps(text), "data", "start"))
    assert (error.path, error.problem) == ("data.start", "expected an ISO 8601 date-time")
    with pytest.raises(ResponseShapeError) as raised:
        OnlineConference.from_dict(conference_with_created_at(text))
    assert raised.value.path == "created_at"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23t10:15:00z", datetime.datetime(2026, 11, 23, 10, 15, tzinfo=datetime.UTC)),
        ("2026-11-23T10:15:00z", datetime.datetime(2026, 11, 23, 10, 15, tzinfo=datetime.UTC)),
        (
            "2026-11-23t10:15:00.5Z",
            datetime.datetime(2026, 11, 23, 10, 15, 0, 500000, tzinfo=datetime.UTC),
        ),
        (
            "2026-11-23t10:15:00-01:30",
            datetime.datetime(
                2026,
                11,
                23,
                10,
                15,
                tzinfo=datetime.timezone(-datetime.timedelta(hours=1, minutes=30)),
            ),
        ),
        (
            "2026-11-23T10:15:00.123456789Z",
            datetime.datetime(2026, 11, 23, 10, 15, 0, 123456, tzinfo=datetime.UTC),
        ),
        ("2026-11-23T10:15:00-00:00", datetime.datetime(2026, 11, 23, 10, 15, tzinfo=datetime.UTC)),
    ],
)
def test_rfc3339_forms_are_read(text: str, expected: datetime.datetime) -> None:
    """Lowercase t and z, which fromisoformat refuses, reach the RFC 3339 rule and are read."""
    envelope = CancelEventResponse200.from_dict(
        json.loads(body_with(json.dumps(text), "data", "start"))
    )
    assert envelope.data.start == expected
    assert envelope.data.start.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["2026-11-23", "2026-11-23T10:15:00", "20261123T101500Z"])
def test_a_response_with_such_a_date_time_is_malformed_naming_the_field(
    server: WireServer, text: str
) -> None:
    server.queue(Reply(200, body_with(json.dumps(text), "data", "end").encode(), JSON))
    with make_client(server) as client, pytest.raises(meetbit.MalformedResponseError) as raised:
        client.events.cancel_event(12, 345, cancel_note="x")
    assert "data.end: expected an ISO 8601 date-time" in str(raised.value)
    assert text not in str(raised.value)


def single_edits(seed: str) -> Iterator[str]:
    """Every text one character away from `seed` (replaced, inserted or deleted)."""
    alphabet = "0123456789-:.,+TtZzW _\n\u0660"
    for index in range(len(seed) + 1):
        if index < len(seed):
            yield seed[:index] + seed[index + 1 :]
            for char in alphabet:
                yield seed[:index] + char + seed[index + 1 :]
        for char in alphabet:
            yield seed[:index] + char + seed[index:]


RFC3339_SEEDS = [
    "2026-11-23T10:15:00Z",
    "2026-11-23T10:15:00.000000Z",
    "2026-11-23T10:15:00+01:00",
    "2026-11-23T10:15:00.5-09:30",
    *NOT_RFC3339,
]


def test_a_date_time_is_read_exactly_when_the_rfc3339_rule_reads_it() -> None:
    """The fast path (fromisoformat behind a filter) agrees with meetbit._schema.parse_datetime,
    the one RFC 3339 rule, on every text one edit away from valid and invalid forms."""
    from meetbit._schema import parse_datetime

    checked = accepted = 0
    for text in {edit for seed in RFC3339_SEEDS for edit in single_edits(seed)}:
        try:
            expected: datetime.datetime | None = parse_datetime(text)
        except ValueError:
            expected = None
        parsed: datetime.datetime | None = None
        try:
            parsed = OnlineConference.from_dict(conference_with_created_at(text)).created_at
        except ResponseShapeError:
            assert expected is None, f"{text!r} is RFC 3339 but was refused"
        if parsed is not None:
            assert expected is not None, f"{text!r} is not RFC 3339 but was read as {parsed!r}"
            assert (parsed, parsed.utcoffset()) == (expected, expected.utcoffset()), text
            accepted += 1
        checked += 1
    assert checked > 10_000
    assert accepted > 500


@pytest.mark.parametrize("value", [{"a": 1}, {}, [], ["2026-11-23T10:15:00Z"], 5, 5.5, True])
def test_a_date_time_of_another_json_type_names_it(value: object) -> None:
    with pytest.raises(ResponseShapeError) as raised:
        OnlineConference.from_dict(conference_with_created_at(value))
    assert raised.value.path == "created_at"
    assert raised.value.problem.startswith("expected an ISO 8601 date-time, got ")


# --- the same strictness for schemas the spec does not have yet ----------------------------------

PERSON = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "nullable": True}},
}
STATS = {
    "type": "object",
    "required": ["score", "active", "grid", "owner"],
    "properties": {
        "score": {"type": "number"},
        "ratio": {"type": "number", "nullable": True},
        "active": {"type": "boolean"},
        "grid": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "owner": {"allOf": [{"$ref": "#/components/schemas/Person"}], "nullable": True},
        "people": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}},
        "day": {"type": "string", "format": "date"},
        "token": {"type": "string", "format": "uuid"},
        "either": {"oneOf": [{"type": "integer"}, {"type": "string", "format": "date-time"}]},
        "contact": {
            "oneOf": [
                {"$ref": "#/components/schemas/Person"},
                {"$ref": "#/components/schemas/OnlineConference"},
            ]
        },
        "counters": {"type": "object", "additionalProperties": {"type": "integer"}},
        "tags": {"type": "array", "items": {"type": "string", "nullable": True}},
    },
}
GOOD_STATS: dict[str, Any] = {
    "score": 2.5,
    "ratio": None,
    "active": True,
    "grid": [[1, 2], [], [3]],
    "owner": None,
    "people": [{"name": "Ada", "age": None}, {"name": "Bob", "age": 41}],
    "day": "2026-11-23",
    "token": "6f1c7b1e-2c1a-4f7e-9a51-0c6d7b0e4b11",
    "either": 5,
    "contact": {"name": "Cy"},
    "counters": {"a": 1},
    "tags": ["x", None],
}


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The package generated from the spec plus a Stats schema (on Event) with the kinds it lacks."""
    reason = "the generator's tools are in .venv only"
    apply_overlay = pytest.importorskip("apply_overlay", reason=reason)
    generator = pytest.importorskip("generate", reason=reason)
    workdir = tmp_path_factory.mktemp("strict-variant")
    spec = apply_overlay.load(ROOT / "openapi.yaml")
    schemas = spec["components"]["schemas"]
    schemas["Person"], schemas["Stats"] = PERSON, STATS
    schemas["Event"]["properties"]["stats"] = {
        "allOf": [{"$ref": "#/components/schemas/Stats"}],
        "nullable": True,
    }
    (workdir / "openapi.json").write_text(json.dumps(spec), encoding="utf-8")
    generator.generate(workdir / "openapi.json", workdir / "out" / "meetbit_api")
    # Imported under another name: meetbit_api (the committed package) is already loaded.
    shutil.copytree(workdir / "out" / "meetbit_api", workdir / "pkgs" / "strict_variant_api")
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(workdir / "pkgs")
        yield importlib.import_module("strict_variant_api.models")


def stats_body(**changes: Any) -> dict[str, Any]:
    stats = {**copy.deepcopy(GOOD_STATS), **changes}
    return {"message": "ok", "data": {**copy.deepcopy(EVENT), "stats": stats}}


def test_variant_parses_a_valid_body(variant: ModuleType) -> None:
    stats = variant.CancelEventResponse200.from_dict(stats_body()).data.stats
    assert isinstance(stats, variant.Stats)
    assert (stats.score, stats.ratio, stats.active, stats.grid) == (
        2.5,
        None,
        True,
        [[1, 2], [], [3]],
    )
    assert stats.owner is None
    assert [person.age for person in stats.people] == [None, 41]
    assert str(stats.day) == "2026-11-23"
    assert stats.token.version == 4
    assert stats.either == 5
    assert isinstance(stats.contact, variant.Person)
    assert stats.counters.additional_properties == {"a": 1}
    assert stats.tags == ["x", None]
    later = stats_body(either="2026-11-23T10:15:00Z", score=3, owner={"name": "Di"})
    stats = variant.CancelEventResponse200.from_dict(later).data.stats
    assert stats.either.year == 2026
    assert stats.score == 3
    assert stats.owner.name == "Di"
    conference = variant.CancelEventResponse200.from_dict(stats_body(contact=ONLINE_CONFERENCE))
    assert isinstance(conference.data.stats.contact, variant.OnlineConference)


VARIANT_CASES = [
    ({"score": True}, "data.stats.score", "expected number, got boolean"),
    ({"score": math.nan}, "data.stats.score", "expected number, got non-finite number"),
    ({"score": math.inf}, "data.stats.score", "expected number, got non-finite number"),
    ({"score": "2.5"}, "data.stats.score", "expected number, got string"),
    ({"ratio": "half"}, "data.stats.ratio", "expected number or null, got string"),
    ({"active": 1}, "data.stats.active", "expected boolean, got integer"),
    ({"grid": [[1, 2], [3, "4"]]}, "data.stats.grid[1][1]", "expected integer, got string"),
    ({"grid": [[1], 2]}, "data.stats.grid[1]", "expected array, got integer"),
    ({"grid": [[True]]}, "data.stats.grid[0][0]", "expected integer, got boolean"),
    ({"owner": []}, "data.stats.owner", "expected object, got array"),
    ({"owner": {"name": 5}}, "data.stats.owner.name", "expected string, got integer"),
    ({"owner": {}}, "data.stats.owner.name", "required field is missing"),
    (
        {"people": [{"name": "a"}, {"name": "b", "age": 4.0}]},
        "data.stats.people[1].age",
        "expected integer or null, got number",
    ),
    ({"day": "2026-13-01"}, "data.stats.day", "expected an ISO 8601 date"),
    # date.fromisoformat reads these; RFC 3339's full-date does not have them.
    ({"day": "20261123"}, "data.stats.day", "expected an ISO 8601 date"),
    ({"day": "2026-W48-1"}, "data.stats.day", "expected an ISO 8601 date"),
    ({"token": "not-a-uuid"}, "data.stats.token", "expected a UUID"),
    ({"token": 7}, "data.stats.token", "expected a UUID, got integer"),
    (
        {"either": True},
        "data.stats.either",
        "expected integer or an ISO 8601 date-time, got boolean",
    ),
    ({"either": "soon"}, "data.stats.either", "expected an ISO 8601 date-time"),
    ({"contact": 5}, "data.stats.contact", "expected object, got integer"),
    ({"contact": {}}, "data.stats.contact.id", "required field is missing"),
    ({"counters": {"a": "1"}}, "data.stats.counters.a", "expected integer, got string"),
    ({"tags": ["x", 1]}, "data.stats.tags[1]", "expected string or null, got integer"),
]


@pytest.mark.parametrize(("changes", "path", "problem"), VARIANT_CASES)
def test_variant_is_strict_too(
    variant: ModuleType, changes: dict[str, Any], path: str, problem: str
) -> None:
    # The variant's own ResponseShapeError: a class of the generated package, not of meetbit_api.
    variant_error = sys.modules["strict_variant_api.errors"].ResponseShapeError
    with pytest.raises(variant_error) as raised:
        variant.CancelEventResponse200.from_dict(stats_body(**changes))
    assert (raised.value.path, raised.value.problem) == (path, problem)
    assert isinstance(raised.value, ValueError)


def test_variant_missing_required_field(variant: ModuleType) -> None:
    body = stats_body()
    del body["data"]["stats"]["grid"]
    with pytest.raises(ValueError, match=r"^data\.stats\.grid: required field is missing$"):
        variant.CancelEventResponse200.from_dict(body)


def test_variant_models_pass_mypy_strict(variant: ModuleType) -> None:
    """What users type-check against stays clean (client.py's findings are the generator's own)."""
    package = Path(variant.__file__).parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(package)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    checked = re.search(
        r"\(checked (\d+) source files\)|Success: no issues found in (\d+)", result.stdout
    )
    assert checked, result.stdout + result.stderr
    assert int(checked.group(1) or checked.group(2)) >= len(list(package.rglob("*.py")))
    findings = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line for line in findings if not line.startswith(str(package / "client.py"))] == []
