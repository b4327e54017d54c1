"""Clients of the tests' MeetBit servers: one access key, one successful answer."""

from __future__ import annotations

from typing import Any

import meetbit
from conftest import EVENT
from wire import Reply, WireServer

SECRET = "s3cr3t-DO-NOT-LEAK-7f2a"
"""Its value must never appear in a repr, an exception, a log line or a span."""
KEY_ID = "AK-12345"
KEY = {"access_key_id": KEY_ID, "access_key_secret": SECRET}
OK = Reply(200, {"message": "Event canceled.", "data": EVENT})
"""MeetBit's answer to a cancelled event."""


BUDGET = {"total_timeout": 10.0}
"""The tests' clients' total_timeout unless a test sets its own: a retry loop that runs away
(a bug, or a mutant of make mutation) fails the test in seconds, not after the default 120."""


def make_client(server: WireServer, **settings: Any) -> meetbit.Client:
    """A client of `server` with the tests' key; `settings` add to or replace it."""
    return meetbit.Client(base_url=server.base_url, **{**KEY, **BUDGET, **settings})


def make_async_client(server: WireServer, **settings: Any) -> meetbit.AsyncClient:
    """`make_client`, asynchronous."""
    return meetbit.AsyncClient(base_url=server.base_url, **{**KEY, **BUDGET, **settings})


def cancel(client: meetbit.Client) -> object:
    """One cancel_event call, event 345 of calendar 12; its result."""
    return client.events.cancel_event(12, 345, cancel_note="Moved")
