"""The realistic cancel-event response every benchmark uses: 5 attendees and an online conference."""

from __future__ import annotations

import json
from typing import Any

EVENT: dict[str, Any] = {
    "id": 345,
    "calendar_id": 12,
    "title": "Quarterly planning",
    "body": "Agenda in the doc.",
    "start": "2026-11-23T10:15:00.000000Z",
    "end": "2026-11-23T11:15:00.000000Z",
    "attendees": [
        {"email": f"person{n}@example.com", "name": f"Person {n}", "status": n % 4, "is_organizer": n == 0,
         "customer_id": None if n % 2 else 100 + n, "calendar_id": 12 if n == 0 else None}
        for n in range(5)
    ],
    "location": None,
    "cancel_note": "Moved to next week",
    "canceled_by_id": 3,
    "canceled_by_type": "App\\Models\\Tenant\\User",
    "created_at": "2026-11-01T08:00:00.000000Z",
    "updated_at": "2026-11-23T09:00:00.000000Z",
    "deleted_at": None,
    "public_id": "evt_9f8e7d",
    "provider_event_id": "google-7f1c",
    "customer_id": None,
    "meeting_link_id": 44,
    "online_conference": {
        "id": 77, "online_conference_account_id": 5, "backer_event_id": None, "public_id": "room-42_a",
        "title": "Quarterly planning", "is_public": False, "is_occurred": False, "started_at": None,
        "ended_at": None, "deleted_at": None, "created_at": "2026-11-01T08:00:00.000000Z",
        "updated_at": "2026-11-01T08:00:00.000000Z",
    },
}  # fmt: skip
BODY = json.dumps({"message": "Event canceled.", "data": EVENT}).encode()
