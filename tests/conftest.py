"""Shared fixtures: paths of the project and realistic MeetBit payloads."""

from __future__ import annotations

import copy
import functools
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# As tools/update_spec/validate.py does for `make update-spec`: openapi-spec-validator picks its
# backend once a process, on first use, and would take jsonschema-rs (which Schemathesis
# brings) if any test validated a document before update_spec is imported.
os.environ.setdefault("OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND", "jsonschema")

# What the MeetBit server (a Laravel app) sends for a cancelled event: microsecond UTC
# timestamps with a Z, null soft-delete columns, integer attendee statuses, and fields the
# spec does not list (extra_field), which must survive parsing.
EVENT: dict[str, Any] = {
    "id": 345,
    "calendar_id": 12,
    "title": "Quarterly planning",
    "body": "Agenda in the doc.",
    "start": "2026-11-23T10:15:00.000000Z",
    "end": "2026-11-23T11:15:00.000000Z",
    "attendees": [
        {
            "email": "ada@example.com",
            "name": "Ada",
            "status": 0,
            "is_organizer": True,
            "customer_id": None,
            "calendar_id": 12,
        },
        {
            "email": "bob@example.com",
            "name": None,
            "status": 1,
            "is_organizer": False,
            "customer_id": 7,
            "calendar_id": None,
        },
        {
            "email": "cy@example.com",
            "name": "Cy",
            "status": 2,
            "is_organizer": False,
            "customer_id": None,
            "calendar_id": None,
        },
        {
            "email": "di@example.com",
            "name": "Di",
            "status": 3,
            "is_organizer": False,
            "customer_id": None,
            "calendar_id": None,
            "rsvp_source": "email",
        },
    ],
    "location": None,
    "cancel_note": "Moved to next week",
    "canceled_by_id": 3,
    "canceled_by_type": "App\\Models\\Tenant\\User",
    "created_at": "2026-11-01T08:00:00.000000Z",
    "updated_at": "2026-11-23T09:00:00.000000Z",
    "deleted_at": None,
    "public_id": "evt_9f8e7d",
    "provider_event_id": None,
    "customer_id": None,
    "meeting_link_id": None,
    "online_conference": None,
    "extra_field": {"nested": [1, 2]},
}

ONLINE_CONFERENCE: dict[str, Any] = {
    "id": 77,
    "online_conference_account_id": 5,
    "backer_event_id": None,
    "public_id": "room-42_a",
    "title": "Quarterly planning",
    "is_public": False,
    "is_occurred": False,
    "started_at": None,
    "ended_at": None,
    "deleted_at": None,
    "created_at": "2026-11-01T08:00:00.000000Z",
    "updated_at": "2026-11-01T08:00:00.000000Z",
}


@pytest.fixture
def event_payload() -> dict[str, Any]:
    return copy.deepcopy(EVENT)


@pytest.fixture
def online_conference_payload() -> dict[str, Any]:
    return copy.deepcopy(ONLINE_CONFERENCE)


@functools.cache
def fixed_spec() -> Any:
    """The published spec with the fix layer applied, as the generator sees it."""
    sys.path.insert(0, str(ROOT / "tools"))
    import apply_overlay

    document, _ = apply_overlay.apply(
        apply_overlay.load(ROOT / "openapi.yaml"),
        apply_overlay.load(ROOT / "spec/fixes.overlay.yaml"),
    )
    return document
