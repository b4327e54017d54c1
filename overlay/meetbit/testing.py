"""A fake MeetBit for tests: in-process (an httpx transport) or as a real server on 127.0.0.1.

    fake = FakeMeetBit()
    fake.add_event(calendar_id=12, event_id=345, title="Planning")
    fake.fail_next(429, retry_after=0.1)            # script what the server does next
    with fake.client() as client:                    # in-process, no sockets
        event = client.cancel_event(12, 345, "Moved")
    assert fake.requests[-1].json == {"cancel_note": "Moved"}

    with fake.serve() as base_url:                   # a real HTTP server, for other processes
        ...

It answers like MeetBit does: the same paths under /api/public/v2.0, JSON envelopes for
success, text/plain messages for 401, 404, 422, 429 and 500, and Laravel-style timestamps.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from meetbit._client import AsyncClient, Client

API_PREFIX = "/api/public/v2.0"
_CANCEL = re.compile(rf"{re.escape(API_PREFIX)}/calendars/(\d+)/events/(\d+)/cancel")
_MESSAGES = {
    401: "Invalid or missing access key.",
    404: "Resource object does not exist.",
    422: "The given data was invalid.",
    429: "Too many requests.",
    500: "An unexpected error occurred.",
}


def _timestamp(moment: datetime.datetime | None = None) -> str:
    moment = moment or datetime.datetime.now(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # Laravel's format


@dataclass(frozen=True)
class RecordedRequest:
    """A request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    time: float
    """`time.monotonic()` when it arrived."""

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"RecordedRequest({self.method} {self.path}, body={self.body[:80]!r})"


@dataclass(frozen=True)
class _Scripted:
    status: int
    message: str
    retry_after: str | None


@dataclass
class FakeMeetBit:
    """An in-memory MeetBit tenant with scriptable failures and a record of what it received."""

    access_key_id: str = "fake-key-id"
    access_key_secret: str = field(default="fake-key-secret", repr=False)
    events: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _script: deque[_Scripted] = field(default_factory=deque, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # --- arranging ----------------------------------------------------------------------------

    def add_event(self, calendar_id: int, event_id: int, **fields: Any) -> dict[str, Any]:
        """Store an event (fields override realistic defaults) and return its JSON form."""
        now = _timestamp()
        event: dict[str, Any] = {
            "id": event_id,
            "calendar_id": calendar_id,
            "title": f"Event {event_id}",
            "body": None,
            "start": "2026-11-23T10:15:00.000000Z",
            "end": "2026-11-23T11:15:00.000000Z",
            "attendees": [
                {"email": "organizer@example.com", "name": "Organizer", "status": 1,
                 "is_organizer": True, "customer_id": None, "calendar_id": calendar_id},
            ],
            "location": None,
            "cancel_note": None,
            "canceled_by_id": None,
            "canceled_by_type": None,
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
            "public_id": f"evt_{event_id}",
            "provider_event_id": None,
            "customer_id": None,
            "meeting_link_id": None,
            "online_conference": None,
            **fields,
        }  # fmt: skip
        self.events[(calendar_id, event_id)] = event
        return copy.deepcopy(event)

    def fail_next(
        self,
        status: int,
        message: str | None = None,
        *,
        retry_after: float | str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests with `status` (and a Retry-After, if given)."""
        header = (
            None
            if retry_after is None
            else (retry_after if isinstance(retry_after, str) else f"{retry_after:g}")
        )
        for _ in range(times):
            self._script.append(
                _Scripted(status, message or _MESSAGES.get(status, "Error."), header)
            )

    # --- acting -------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as MeetBit would; the transport and the server both call this."""
        body = request.read()
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    request.method, request.url.path, dict(request.headers), body, time.monotonic()
                )
            )
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            headers = {} if scripted.retry_after is None else {"Retry-After": scripted.retry_after}
            return _text(scripted.status, scripted.message, headers)
        if (
            request.headers.get("X-Access-Key-Id") != self.access_key_id
            or request.headers.get("X-Access-Key-Secret") != self.access_key_secret
        ):
            return _text(401, _MESSAGES[401])
        match = _CANCEL.fullmatch(request.url.path)
        if request.method != "POST" or match is None:
            return _text(404, _MESSAGES[404])
        return self._cancel(int(match[1]), int(match[2]), body)

    def _cancel(self, calendar_id: int, event_id: int, body: bytes) -> httpx.Response:
        try:
            note = json.loads(body)["cancel_note"]
        except (ValueError, KeyError, TypeError):
            note = None
        if not isinstance(note, str) or len(note) > 255:
            return _text(422, _MESSAGES[422])
        with self._lock:
            event = self.events.get((calendar_id, event_id))
            if event is None:
                return _text(404, _MESSAGES[404])
            event.update(
                cancel_note=note,
                canceled_by_id=1,
                canceled_by_type="App\\Models\\Tenant\\User",
                updated_at=_timestamp(),
            )
            payload = {"message": "Event canceled.", "data": copy.deepcopy(event)}
        return httpx.Response(200, json=payload)

    # --- connecting ---------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering in-process: pass it as `transport=` to a client."""
        return httpx.MockTransport(self.handle)

    def client(self, **settings: Any) -> Client:
        """A `meetbit.Client` wired to this fake in-process, with the fake's keys."""
        return Client(**{**self._settings(), "transport": self.transport(), **settings})

    def async_client(self, **settings: Any) -> AsyncClient:
        """A `meetbit.AsyncClient` wired to this fake in-process, with the fake's keys."""
        return AsyncClient(**{**self._settings(), "transport": self.transport(), **settings})

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = httpx.Request(
                    self.command,
                    f"http://127.0.0.1{self.path}",
                    headers=list(self.headers.items()),
                    content=self.rfile.read(length) if length else b"",
                )
                response = fake.handle(request)
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in ("content-length", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

        server = Server(("127.0.0.1", 0), Handler)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}{API_PREFIX}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    def _settings(self) -> dict[str, Any]:
        return {
            "base_url": f"https://fake.meetbit.test{API_PREFIX}",
            "access_key_id": self.access_key_id,
            "access_key_secret": self.access_key_secret,
        }


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        text=message,
        headers={"Content-Type": "text/plain; charset=UTF-8", **(headers or {})},
    )


__all__ = ["FakeMeetBit", "RecordedRequest"]
