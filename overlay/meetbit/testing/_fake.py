"""FakeMeetBit: the small facade over routing, the store, listing, answers and scripts."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from meetbit._client import AsyncClient, Client

from . import _answers, _listing, _routes, _server
from ._examples import example
from ._routes import API_PREFIX, Invalid, Route, Values
from ._script import Script, Scripted
from ._store import Store

if TYPE_CHECKING:
    from meetbit_api.operations import Operation


@dataclass(frozen=True)
class RecordedRequest:
    """A request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    time: float
    """`time.monotonic()` when it arrived."""
    operation: str | None = None
    """The operation its method and path route to, or None if none does."""
    query: str = ""
    """The query string, as sent (without the `?`)."""

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"RecordedRequest({self.method} {self.path}, body={self.body[:80]!r})"


@dataclass
class FakeMeetBit:
    """An in-memory MeetBit tenant with scriptable failures and a record of what it received."""

    access_key_id: str = "fake-key-id"
    access_key_secret: str = field(default="fake-key-secret", repr=False)
    operations: Mapping[str, Operation] | None = field(default=None, repr=False)
    """The operations to answer; `meetbit_api.operations.OPERATIONS` by default."""
    requests: list[RecordedRequest] = field(default_factory=list)
    _script: Script = field(default_factory=Script, init=False, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _routes: list[Route] = field(default_factory=list, init=False, repr=False)
    _store: Store = field(init=False, repr=False)
    _filters: dict[str, dict[str, _listing.Test]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.operations is None:
            from meetbit_api.operations import OPERATIONS

            self.operations = OPERATIONS
        self._routes = _routes.build(self.operations.values())
        self._store = Store(self._routes)
        self._filters = {r.operation.name: _listing.filters(r) for r in self._routes if r.listing}

    # --- arranging ----------------------------------------------------------------------------

    def add_resource(self, name: str, /, *key: Any, **fields: Any) -> dict[str, Any]:
        """Store a resource and return its JSON form.

        `name` is a tag (its usual kind of resource) or an operation (the kind it
        returns). `key` is the values of the path parameters that address one (in path
        order), given positionally or by their names; `fields` override realistic
        defaults. The resource must be one MeetBit could send: a field of the wrong type,
        one the schema does not have, or a missing required one is refused with
        ValueError (`unchecked().add_resource(...)` stores it anyway).
        """
        return self._add(name, key, fields, check=True)

    def _add(
        self, name: str, key: tuple[Any, ...], fields: dict[str, Any], *, check: bool
    ) -> dict[str, Any]:
        kind = self._store.kinds.kind(name)
        with self._lock:
            return self._store.add(name, kind, key, fields, check=check)

    def unchecked(self) -> Unchecked:
        """The `add_*` methods without the schema check, for tests of malformed answers."""
        return Unchecked(self)

    def key_of(self, name: str) -> tuple[str, ...]:
        """The path parameters whose values key a tag's or an operation's resources.

        For an operation, the ones its own path addresses a resource by (a kind reached
        by several paths takes the values of any of them in `add_resource`).
        """
        return self._store.kinds.key_of(name)

    def resources(self, name: str) -> dict[tuple[Any, ...], dict[str, Any]]:
        """The stored resources of a tag's or an operation's kind, by key (live)."""
        return self._store.kinds.kind(name).stored

    def add_event(self, *key: Any, **fields: Any) -> dict[str, Any]:
        """Store an event: `add_resource("events", ...)`, e.g. ``add_event(12, 345, title="x")``."""
        return self.add_resource("events", *key, **fields)

    @property
    def events(self) -> dict[tuple[Any, ...], dict[str, Any]]:
        """The stored events by key (the path parameters' values, e.g. calendar and event)."""
        return self.resources("events")

    def fail_next(
        self,
        status: int,
        message: str | None = None,
        *,
        retry_after: float | str | None = None,
        times: int = 1,
        operation: str | None = None,
    ) -> None:
        """Answer the next `times` requests (to `operation`, or any) with `status`.

        The message defaults to the one the spec documents for that status; `retry_after`
        adds a Retry-After header.
        """
        assert self.operations is not None
        if operation is not None and operation not in self.operations:
            known = ", ".join(sorted(self.operations))
            raise ValueError(f"unknown operation {operation!r}; the spec has: {known}")
        header = retry_after if isinstance(retry_after, str | None) else f"{retry_after:g}"
        self._script.add(Scripted(status, message, header, operation), times)

    # --- acting -------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as MeetBit would; the transport and the server both call this."""
        body = request.read()
        path = request.url.path
        route, allowed = _routes.find(self._routes, request.method, path)
        name = route.operation.name if route else None
        query = request.url.query.decode("ascii", "replace")
        recorded = RecordedRequest(
            request.method, path, dict(request.headers), body, time.monotonic(), name, query
        )
        with self._lock:
            self.requests.append(recorded)
        scripted = self._script.take(name)
        if scripted is not None:
            headers = {} if scripted.retry_after is None else {"Retry-After": scripted.retry_after}
            said = scripted.message or _answers.message(route, scripted.status)
            return _answers.text(scripted.status, said, headers)
        if (
            request.headers.get("X-Access-Key-Id") != self.access_key_id
            or request.headers.get("X-Access-Key-Secret") != self.access_key_secret
        ):
            return _answers.text(401, _answers.message(route, 401))
        if route is None:
            if request.method == "OPTIONS" and allowed:
                return httpx.Response(200, headers={"Allow": ", ".join(allowed)})
            if allowed:
                return _answers.not_allowed(request.method, allowed)
            return _answers.text(404, _answers.message(None, 404))
        try:
            media_type = request.headers.get("Content-Type", _routes.JSON)
            values = _routes.read(route, path, query, body, media_type, request.headers)
            with self._lock:
                response = self._answer(route, request.method, values, request.url)
        except Invalid as problem:
            if problem.status == 422:
                return _answers.invalid(route, problem)
            return _answers.text(problem.status, _answers.message(route, problem.status))
        if request.method == "HEAD":
            length = str(len(response.content))
            return httpx.Response(
                response.status_code, headers={**response.headers, "Content-Length": length}
            )
        return response

    def _answer(self, route: Route, method: str, values: Values, url: httpx.URL) -> httpx.Response:
        operation = route.operation
        kind = self._store.kinds.by_operation.get(operation.name)
        if kind is None:
            bound = self._store.bound_key(route, values.params)  # 404 when it is missing
            if bound is not None and method == "DELETE":
                del bound[0].stored[bound[1]]
            data = None if route.payload is None else example(route.payload)
            return _answers.respond(route, data, None, url)
        if route.listing:
            tests = self._filters.get(operation.name, {})
            found = [
                copy.deepcopy(kind.stored[key])
                for key in sorted(kind.matching(values.params), key=_in_key_order)
                if all(
                    tests[name](kind.stored[key], value)
                    for name, value in values.query.items()
                    if name in tests
                )
            ]
            page = _listing.page(route, found, values.query)
            return _answers.respond(route, page.items, page, url)
        key = self._store.one(route, kind, values.params)
        if key is None:  # a route naming no one resource, with none in its scope
            fresh = self._store.new(kind, (), ())
            return _answers.respond(route, fresh, None, url)
        resource = kind.stored[key]
        if method not in ("GET", "HEAD"):
            self._store.write(route, kind, resource, values.body or {})
        if method == "DELETE":
            del kind.stored[key]
        return _answers.respond(route, copy.deepcopy(resource), None, url)

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
        with _server.serve(self.handle, API_PREFIX) as base_url:
            yield base_url

    def _settings(self) -> dict[str, Any]:
        return {
            "base_url": f"https://fake.meetbit.test{API_PREFIX}",
            "access_key_id": self.access_key_id,
            "access_key_secret": self.access_key_secret,
        }


def _in_key_order(key: tuple[Any, ...]) -> list[tuple[int, Any]]:
    """Numbers by value, then text: the order of Laravel's auto-increment keys."""
    return [
        (0, part)
        if isinstance(part, int | float) and not isinstance(part, bool)
        else (1, str(part))
        for part in key
    ]


class Unchecked:
    """A fake's `add_*` that store what they are given, valid for the spec or not."""

    def __init__(self, fake: FakeMeetBit) -> None:
        self._fake = fake

    def add_resource(self, name: str, /, *key: Any, **fields: Any) -> dict[str, Any]:
        """`FakeMeetBit.add_resource` without the check."""
        return self._fake._add(name, key, fields, check=False)

    def add_event(self, *key: Any, **fields: Any) -> dict[str, Any]:
        """`FakeMeetBit.add_event` without the check."""
        return self.add_resource("events", *key, **fields)
