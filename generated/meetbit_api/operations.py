"""What the spec says about each operation of MeetBit Public API: fields, limits, responses.

Generated from the fixed spec by tools/operations.py; never edit. The client checks
arguments against these limits before sending, the fake validates requests with them, and
the CLI builds its commands from them, so a spec change changes all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Field:
    """A parameter (path, query, header, cookie), a body field, or the whole body of an operation."""

    name: str
    """The name on the wire (path template, query string, header, cookie, JSON key; "" for the
    whole body)."""
    python_name: str
    """The name of the generated function's parameter or the body model's attribute."""
    argument: str
    """The keyword of the resource method (python_name, unless a body field shadows a parameter)."""
    location: Literal["path", "query", "header", "cookie", "body", "payload"]
    """Where it goes: "body" is a field of the body model, "payload" the whole request body."""
    required: bool
    schema: Mapping[str, Any]
    """Its JSON Schema constraints (type, format, nullable, enum, bounds, lengths, pattern, items)."""
    description: str
    limits: str
    """The constraints in words, as the docstrings and the CLI's help show them."""


@dataclass(frozen=True, slots=True)
class Response:
    """A documented response of an operation."""

    status: str
    description: str
    media_type: str | None
    schema: Mapping[str, Any] | None
    """The body's JSON Schema with references inlined, or None without a body."""
    headers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation: where it is, what it takes, what it answers."""

    name: str
    """snake_case operationId: the generated module and the resource method are named so."""
    tag: str
    """snake_case tag: the resource (client.<tag>) and the generated api/<tag> package."""
    method: str
    path: str
    summary: str
    description: str
    fields: tuple[Field, ...]
    """Path parameters in path order, then query, header and cookie parameters, then body
    fields (or the whole body)."""
    module: str
    """The generated module with sync_detailed/asyncio_detailed."""
    body_model: str | None
    """The generated model (in meetbit_api.models) the JSON body is built with."""
    success_status: int | None
    unwrap: str | None
    """The envelope field resource methods return ("data"), or None to return the whole body."""
    responses: Mapping[str, Response]
    deprecated: bool = False
    """The spec deprecates it: calling it warns."""
    paginated: bool = False
    """A Laravel-paginated list: the resource also has ``iter_<name>``, every item of every page."""


OPERATIONS: Mapping[str, Operation] = {
    "cancel_event": Operation(
        name="cancel_event",
        tag="events",
        method="POST",
        path="/calendars/{calendar_id}/events/{event_id}/cancel",
        summary="Cancel Event",
        description="Required permissions: `events.delete.*`",
        fields=(
            Field(
                name="calendar_id",
                python_name="calendar_id",
                argument="calendar_id",
                location="path",
                required=True,
                schema={"format": "int64", "minimum": 1, "type": "integer"},
                description="Id of the calendar the event belongs to.",
                limits="64-bit integer; at least 1",
            ),
            Field(
                name="event_id",
                python_name="event_id",
                argument="event_id",
                location="path",
                required=True,
                schema={"format": "int64", "minimum": 1, "type": "integer"},
                description="Id of the event to cancel.",
                limits="64-bit integer; at least 1",
            ),
            Field(
                name="cancel_note",
                python_name="cancel_note",
                argument="cancel_note",
                location="body",
                required=True,
                schema={"maxLength": 255, "type": "string"},
                description="",
                limits="at most 255 characters",
            ),
        ),
        module="meetbit_api.api.events.cancel_event",
        body_model="CancelEventBody",
        success_status=200,
        unwrap="data",
        responses={
            "200": Response(
                status="200",
                description="",
                media_type="application/json",
                schema={
                    "properties": {
                        "data": {
                            "description": "An Event resource object.",
                            "properties": {
                                "attendees": {
                                    "items": {
                                        "properties": {
                                            "calendar_id": {
                                                "format": "int64",
                                                "nullable": True,
                                                "readOnly": True,
                                                "type": "integer",
                                            },
                                            "customer_id": {
                                                "format": "int64",
                                                "nullable": True,
                                                "readOnly": True,
                                                "type": "integer",
                                            },
                                            "email": {
                                                "format": "email",
                                                "maxLength": 255,
                                                "nullable": False,
                                                "readOnly": False,
                                                "type": "string",
                                            },
                                            "is_organizer": {
                                                "nullable": False,
                                                "readOnly": True,
                                                "type": "boolean",
                                            },
                                            "name": {
                                                "maxLength": 255,
                                                "nullable": True,
                                                "readOnly": False,
                                                "type": "string",
                                            },
                                            "status": {
                                                "description": "Attendee response status:\n* `0` - NoResponse: invited, has not answered\n* `1` - Confirmed: will attend\n* `2` - NotGoing: declined\n* `3` - Maybe: tentatively attending\n",
                                                "enum": [0, 1, 2, 3],
                                                "readOnly": True,
                                                "type": "integer",
                                                "x-enum-varnames": [
                                                    "NO_RESPONSE",
                                                    "CONFIRMED",
                                                    "NOT_GOING",
                                                    "MAYBE",
                                                ],
                                            },
                                        },
                                        "required": [
                                            "email",
                                            "name",
                                            "status",
                                            "is_organizer",
                                            "customer_id",
                                            "calendar_id",
                                        ],
                                        "type": "object",
                                    },
                                    "type": "array",
                                },
                                "body": {
                                    "maxLength": 1000,
                                    "nullable": True,
                                    "readOnly": False,
                                    "type": "string",
                                },
                                "calendar_id": {
                                    "format": "int64",
                                    "nullable": False,
                                    "readOnly": True,
                                    "type": "integer",
                                },
                                "cancel_note": {
                                    "maxLength": 255,
                                    "nullable": True,
                                    "readOnly": True,
                                    "type": "string",
                                },
                                "canceled_by_id": {
                                    "format": "int64",
                                    "nullable": True,
                                    "readOnly": True,
                                    "type": "integer",
                                },
                                "canceled_by_type": {
                                    "enum": [
                                        "App\\Models\\Tenant\\User",
                                        "App\\Models\\Tenant\\Customer",
                                        "App\\Models\\Tenant\\Client",
                                        None,
                                    ],
                                    "nullable": True,
                                    "readOnly": True,
                                    "type": "string",
                                },
                                "created_at": {
                                    "format": "date-time",
                                    "nullable": False,
                                    "readOnly": True,
                                    "type": "string",
                                },
                                "customer_id": {
                                    "format": "int64",
                                    "nullable": True,
                                    "readOnly": True,
                                    "type": "integer",
                                },
                                "deleted_at": {
                                    "format": "date-time",
                                    "nullable": True,
                                    "readOnly": True,
                                    "type": "string",
                                },
                                "end": {
                                    "format": "date-time",
                                    "nullable": False,
                                    "readOnly": False,
                                    "type": "string",
                                },
                                "id": {
                                    "format": "int64",
                                    "nullable": True,
                                    "readOnly": True,
                                    "type": "integer",
                                },
                                "location": {
                                    "maxLength": 255,
                                    "nullable": True,
                                    "readOnly": False,
                                    "type": "string",
                                },
                                "meeting_link_id": {
                                    "format": "int64",
                                    "nullable": True,
                                    "readOnly": True,
                                    "type": "integer",
                                },
                                "online_conference": {
                                    "nullable": True,
                                    "properties": {
                                        "backer_event_id": {
                                            "format": "int64",
                                            "nullable": True,
                                            "readOnly": False,
                                            "type": "integer",
                                        },
                                        "created_at": {
                                            "format": "date-time",
                                            "nullable": False,
                                            "readOnly": True,
                                            "type": "string",
                                        },
                                        "deleted_at": {
                                            "format": "date-time",
                                            "nullable": True,
                                            "readOnly": True,
                                            "type": "string",
                                        },
                                        "ended_at": {
                                            "format": "date-time",
                                            "nullable": True,
                                            "readOnly": True,
                                            "type": "string",
                                        },
                                        "id": {
                                            "format": "int64",
                                            "nullable": False,
                                            "readOnly": True,
                                            "type": "integer",
                                        },
                                        "is_occurred": {
                                            "nullable": False,
                                            "readOnly": True,
                                            "type": "boolean",
                                        },
                                        "is_public": {
                                            "nullable": False,
                                            "readOnly": False,
                                            "type": "boolean",
                                        },
                                        "online_conference_account_id": {
                                            "format": "int64",
                                            "nullable": False,
                                            "readOnly": False,
                                            "type": "integer",
                                        },
                                        "public_id": {
                                            "nullable": False,
                                            "pattern": "^[a-zA-Z0-9_-]+$",
                                            "readOnly": False,
                                            "type": "string",
                                        },
                                        "started_at": {
                                            "format": "date-time",
                                            "nullable": True,
                                            "readOnly": True,
                                            "type": "string",
                                        },
                                        "title": {
                                            "maxLength": 255,
                                            "nullable": False,
                                            "readOnly": False,
                                            "type": "string",
                                        },
                                        "updated_at": {
                                            "format": "date-time",
                                            "nullable": False,
                                            "readOnly": True,
                                            "type": "string",
                                        },
                                    },
                                    "readOnly": True,
                                    "required": [
                                        "id",
                                        "online_conference_account_id",
                                        "public_id",
                                        "title",
                                        "is_public",
                                        "created_at",
                                        "updated_at",
                                        "deleted_at",
                                    ],
                                    "type": "object",
                                },
                                "provider_event_id": {
                                    "nullable": True,
                                    "readOnly": True,
                                    "type": "string",
                                },
                                "public_id": {
                                    "nullable": True,
                                    "readOnly": True,
                                    "type": "string",
                                },
                                "start": {
                                    "format": "date-time",
                                    "nullable": False,
                                    "readOnly": False,
                                    "type": "string",
                                },
                                "title": {
                                    "maxLength": 255,
                                    "nullable": False,
                                    "readOnly": False,
                                    "type": "string",
                                },
                                "updated_at": {
                                    "format": "date-time",
                                    "nullable": False,
                                    "readOnly": True,
                                    "type": "string",
                                },
                            },
                            "required": [
                                "id",
                                "title",
                                "start",
                                "end",
                                "attendees",
                                "calendar_id",
                            ],
                            "type": "object",
                        },
                        "message": {"type": "string"},
                    },
                    "required": ["message", "data"],
                    "type": "object",
                },
                headers=tuple([]),
            ),
            "401": Response(
                status="401",
                description="Client does not have the appropriate permissions.",
                media_type="text/plain",
                schema={
                    "anyOf": [
                        {"example": "Invalid or missing access key.", "type": "string"},
                        {"example": "Access denied.", "type": "string"},
                    ]
                },
                headers=tuple([]),
            ),
            "404": Response(
                status="404",
                description="Resource object does not exist.",
                media_type="text/plain",
                schema={"example": "Resource object does not exist.", "type": "string"},
                headers=tuple([]),
            ),
            "429": Response(
                status="429",
                description="Too many requests have been made.",
                media_type="text/plain",
                schema={"example": "Too many requests.", "type": "string"},
                headers=tuple(["Retry-After"]),
            ),
            "500": Response(
                status="500",
                description="An unexpected error occurred.",
                media_type="text/plain",
                schema={"example": "An unexpected error occurred.", "type": "string"},
                headers=tuple([]),
            ),
            "422": Response(
                status="422",
                description="The request failed validation; the message says which value and why.",
                media_type="text/plain",
                schema={"example": "The given data was invalid.", "type": "string"},
                headers=tuple([]),
            ),
        },
        deprecated=False,
        paginated=False,
    ),
}
"""Every operation the generator produced, by name."""
