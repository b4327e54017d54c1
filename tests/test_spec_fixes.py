"""The fix layer: the strict Overlay applier, and what it does to the published spec."""

from __future__ import annotations

from typing import Any

import apply_overlay
import pytest
from conftest import ROOT
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

PATH = "/calendars/{calendar_id}/events/{event_id}/cancel"


@pytest.fixture(scope="module")
def upstream() -> Any:
    return apply_overlay.load(ROOT / "openapi.yaml")


@pytest.fixture(scope="module")
def fixed(upstream: Any) -> Any:
    document, stale = apply_overlay.apply(
        upstream, apply_overlay.load(ROOT / "spec/fixes.overlay.yaml")
    )
    assert stale == [], "every fix must still be needed"
    return document


def overlay(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)}


# --- the applier -------------------------------------------------------------------------


def test_update_merges_objects_replaces_scalars_and_appends_arrays() -> None:
    document = {"a": {"keep": 1, "replace": 1, "list": [1], "deep": {"x": 1}}}
    fixed, stale = apply_overlay.apply(
        document,
        overlay(
            {"target": "$.a", "update": {"replace": 2, "list": [2], "deep": {"y": 2}, "new": 3}}
        ),
    )
    assert fixed == {
        "a": {"keep": 1, "replace": 2, "list": [1, 2], "deep": {"x": 1, "y": 2}, "new": 3}
    }
    assert stale == []
    assert document == {"a": {"keep": 1, "replace": 1, "list": [1], "deep": {"x": 1}}}, (
        "input untouched"
    )


def test_remove_deletes_every_match_including_array_items() -> None:
    document = {"items": [{"drop": True}, {"drop": False}, {"drop": True}], "k": {"x": 1, "y": 2}}
    fixed, _ = apply_overlay.apply(
        document,
        overlay(
            {"target": "$.items[?@.drop == true]", "remove": True},
            {"target": "$.k.x", "remove": True},
        ),
    )
    assert fixed == {"items": [{"drop": False}], "k": {"y": 2}}


def test_target_matching_nothing_fails_with_the_action_and_target() -> None:
    with pytest.raises(
        apply_overlay.FixDoesNotApply, match=r"action 2: target \$\.missing matches nothing"
    ):
        apply_overlay.apply(
            {"a": {}},
            overlay({"target": "$.a", "update": {"b": 1}}, {"target": "$.missing", "update": {}}),
        )


def test_action_that_changes_nothing_is_reported_as_stale() -> None:
    _, stale = apply_overlay.apply({"a": {"b": 1}}, overlay({"target": "$.a", "update": {"b": 1}}))
    assert stale == ["action 1 ($.a) changes nothing: upstream may have fixed it"]


def test_keys_with_slashes_and_braces_are_addressable() -> None:
    fixed, _ = apply_overlay.apply(
        {"paths": {PATH: {"post": {}}}},
        overlay({"target": f"$.paths['{PATH}'].post", "update": {"operationId": "x"}}),
    )
    assert fixed["paths"][PATH]["post"] == {"operationId": "x"}


# --- the published spec and the fixed one -------------------------------------------------


def test_upstream_spec_is_invalid_for_its_undeclared_path_parameters(upstream: Any) -> None:
    # If this starts passing, upstream fixed it: check whether the first fix is still needed.
    with pytest.raises(OpenAPIValidationError, match="Path parameter 'calendar_id'"):
        validate(upstream)


def test_fixed_spec_validates(fixed: Any) -> None:
    validate(fixed)


def test_fixed_spec_declares_both_path_parameters_as_positive_integers(fixed: Any) -> None:
    parameters = {p["name"]: p for p in fixed["paths"][PATH]["parameters"]}
    assert set(parameters) == {"calendar_id", "event_id"}
    for parameter in parameters.values():
        assert parameter["in"] == "path"
        assert parameter["required"] is True
        assert parameter["schema"] == {"type": "integer", "format": "int64", "minimum": 1}


def test_fixed_spec_names_the_operation(fixed: Any) -> None:
    assert fixed["paths"][PATH]["post"]["operationId"] == "cancelEvent"


def test_no_ref_has_siblings_in_the_fixed_spec(fixed: Any) -> None:
    def walk(node: Any, where: str) -> list[str]:
        found = []
        if isinstance(node, dict):
            if "$ref" in node and len(node) > 1:
                found.append(where)
            for key, value in node.items():
                found += walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found += walk(value, f"{where}/{index}")
        return found

    assert walk(fixed, "#") == []
    assert walk(apply_overlay.load(ROOT / "openapi.yaml"), "#") != [], "upstream still has them"


def test_fixed_pattern_accepts_real_public_ids_and_rejects_others(fixed: Any) -> None:
    import re

    upstream_pattern = apply_overlay.load(ROOT / "openapi.yaml")["components"]["schemas"][
        "OnlineConference"
    ]["properties"]["public_id"]["pattern"]
    pattern = fixed["components"]["schemas"]["OnlineConference"]["properties"]["public_id"][
        "pattern"
    ]
    assert re.search(upstream_pattern, "room-42_a") is None, (
        "the upstream pattern matches nothing real"
    )
    assert re.search(pattern, "room-42_a")
    assert re.search(pattern, "room 42") is None
    assert re.search(pattern, "room/42") is None


def test_nullable_fields_the_server_sends_as_null(fixed: Any) -> None:
    event = fixed["components"]["schemas"]["Event"]["properties"]
    assert event["deleted_at"]["nullable"] is True
    assert event["canceled_by_type"]["nullable"] is True
    assert event["canceled_by_type"]["allOf"] == [
        {"$ref": "#/components/schemas/EventCanceledByType"}
    ]


def test_attendee_status_has_names_for_every_value(fixed: Any) -> None:
    status = fixed["components"]["schemas"]["EventAttendeeStatus"]
    assert len(status["x-enum-varnames"]) == len(status["enum"])
