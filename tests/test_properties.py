"""Spec-driven properties: every body the fixed spec allows parses; every request we build is allowed.

Response bodies come from hypothesis-jsonschema, fed the fixed spec's own schemas (OpenAPI
3.0 schema objects turned into JSON Schema: `nullable` becomes a null alternative, refs are
inlined). Requests are checked by openapi-core against the fixed spec, not by our code.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import Any

import httpx
import meetbit
import pytest
from conftest import EVENT, fixed_spec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from meetbit import _schema
from meetbit_api.models import CancelEventResponse200, Event
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

settings.register_profile(
    "meetbit", max_examples=200, deadline=None, derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
settings.load_profile("meetbit")

FIXED_SPEC = fixed_spec()
_DROP = {
    "readOnly",
    "writeOnly",
    "example",
    "nullable",
    "discriminator",
    "xml",
    "externalDocs",
    "deprecated",
}


def json_schema(node: Any) -> Any:
    """Turn an OpenAPI 3.0 schema object into JSON Schema (refs and allOf by meetbit._schema)."""
    return _json_schema(_schema.resolve(FIXED_SPEC, node))


def _json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: value if key in ("enum", "required") else _json_schema(value)
        for key, value in node.items()
        if key not in _DROP and not key.startswith("x-")
    }
    if key_props := converted.get("properties"):
        converted["properties"] = {name: _json_schema(sub) for name, sub in key_props.items()}
    if _schema.allows_null(node):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


ENVELOPE = json_schema(
    FIXED_SPEC["components"]["responses"]["EventResponse"]["content"]["application/json"]["schema"]
)


def datetimes_as_values(value: Any, schema: Any) -> Any:
    """Replace date-time strings by datetimes, so "Z" and "+00:00" compare equal."""
    if isinstance(schema, dict) and "anyOf" in schema:
        schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), {})
    if isinstance(schema, dict) and "allOf" in schema:
        schema = schema["allOf"][0]
    if isinstance(value, str) and isinstance(schema, dict) and schema.get("format") == "date-time":
        return datetime.datetime.fromisoformat(value)
    if isinstance(value, dict):
        properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
        return {
            key: datetimes_as_values(item, properties.get(key, {})) for key, item in value.items()
        }
    if isinstance(value, list):
        items = schema.get("items", {}) if isinstance(schema, dict) else {}
        return [datetimes_as_values(item, items) for item in value]
    return value


class TestEveryAllowedResponseParses:
    @given(body=from_schema(ENVELOPE))
    def test_body_parses_round_trips_and_passes_through_the_client(
        self, body: dict[str, Any]
    ) -> None:
        envelope = CancelEventResponse200.from_dict(body)
        event = envelope.data
        assert isinstance(event, Event)
        assert Event.from_dict(event.to_dict()) == event
        event_schema = ENVELOPE["properties"]["data"]
        assert datetimes_as_values(event.to_dict(), event_schema) == datetimes_as_values(
            body["data"], event_schema
        )

        transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
        with meetbit.Client(
            "acme.meetbit.com", access_key_id="id", access_key_secret="secret", transport=transport
        ) as client:
            assert client.events.cancel_event(1, 2, cancel_note="x") == event


OPENAPI = OpenAPI.from_dict(FIXED_SPEC)


def werkzeug_request(request: httpx.Request) -> WerkzeugOpenAPIRequest:
    builder = EnvironBuilder(
        method=request.method,
        base_url=f"{request.url.scheme}://{request.url.netloc.decode()}",
        path=request.url.raw_path.decode("ascii").split("?", 1)[0],
        headers=list(request.headers.items()),
        data=request.content,
    )
    return WerkzeugOpenAPIRequest(Request(builder.get_environ()))


def sent_request(calendar_id: int, event_id: int, note: str) -> httpx.Request:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"message": "ok", "data": EVENT})

    transport = httpx.MockTransport(handler)
    with meetbit.Client(
        "acme.meetbit.com", access_key_id="AK1", access_key_secret="s3cr3t", transport=transport
    ) as client:
        client.events.cancel_event(calendar_id, event_id, cancel_note=note)
    (request,) = sent
    return request


ids = st.integers(min_value=1, max_value=2**63 - 1)
notes = st.text(max_size=255) | st.sampled_from(
    ["", "😀" * 255, '"quoted" \\ \n\r\t', "é" * 255, "\x00\u2028"]
)


class TestEveryRequestWeBuildIsAllowed:
    @given(calendar_id=ids, event_id=ids, note=notes)
    def test_request_validates_against_the_spec(
        self, calendar_id: int, event_id: int, note: str
    ) -> None:
        request = sent_request(calendar_id, event_id, note)
        OPENAPI.validate_request(werkzeug_request(request))
        assert json.loads(request.content) == {"cancel_note": note}
        assert (
            request.url.path == f"/api/public/v2.0/calendars/{calendar_id}/events/{event_id}/cancel"
        )

    def test_the_validator_rejects_what_the_spec_forbids(self) -> None:
        # The property above is only worth something if the validator can say no.
        from openapi_core.validation.request.exceptions import (
            RequestValidationError,
            SecurityValidationError,
        )

        request = sent_request(1, 2, "x")
        too_long = request.content.replace(b'"x"', b'"' + b"x" * 256 + b'"')
        forged = httpx.Request("POST", request.url, headers=request.headers, content=too_long)
        with pytest.raises(RequestValidationError):
            OPENAPI.validate_request(werkzeug_request(forged))
        anonymous = httpx.Request(
            "POST",
            request.url,
            headers={"Content-Type": "application/json"},
            content=request.content,
        )
        with pytest.raises(SecurityValidationError):
            OPENAPI.validate_request(werkzeug_request(anonymous))
