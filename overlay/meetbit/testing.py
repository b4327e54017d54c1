"""A fake MeetBit for tests: every operation of the spec, in-process or on 127.0.0.1.

    fake = FakeMeetBit()
    fake.add_event(12, 345, title="Planning")        # the path parameters' values, then fields
    fake.fail_next(429, retry_after=0.1)            # script what the server does next
    with fake.client() as client:                    # in-process, no sockets
        client.<tag>.<operation>(12, 345, ...)       # any operation of the spec
    fake.requests[-1].operation, fake.requests[-1].json, fake.events[(12, 345)]

    with fake.serve() as base_url:                   # a real HTTP server, for other processes
        ...

It answers like MeetBit does: the same paths under /api/public/v2.0, JSON envelopes for
success, text/plain messages for errors, Laravel-style timestamps. Nothing here names an
operation, a field or a limit: everything comes from `meetbit_api.operations`, so a spec
change changes the fake. The rules, in the order a request meets them:

1. It is recorded (`requests`, with the operation it was routed to).
2. The first scripted failure (`fail_next`) meant for it (any request, or its operation)
   answers it.
3. A wrong or missing access key is 401.
4. Routing: each operation's path template is a regex; a parameter whose schema is an
   integer must be ASCII digits (Laravel's route constraints). No match is 404; a match
   with another method is 405.
5. Validation against the spec's constraints (path parameters, query parameters, the JSON
   body): a violation is 422 "The given data was invalid: <reason>" as text/plain, or, when
   the operation documents a JSON 422, that shape (Laravel's message and errors by field).
6. The answer, from the success response's schema. The payload is the envelope's `data`
   (MeetBit's and Laravel's resource envelope) or the whole body.

   - Resources: a payload that is an object is a resource kind, known by its set of
     properties; the kind most of a tag's operations return is that tag's (`add_event`
     and `events` are the `events` tag's; `add_resource`/`resources` any tag's). A stored
     resource is keyed by the values of the path parameters of the operations that
     address one (in path order); the last is its own id, stored as its `id` property, and
     earlier ones that name a property are stored in it (so are nested objects' properties
     of that name).
   - An operation returning a stored kind finds the resource by its path parameters
     (unknown: 404) and returns it. Unless it is a GET, it writes the JSON body's fields
     that are properties of the resource into it, sets `updated_at` (Laravel's timestamp),
     and, when its name starts with a verb, fills the resource's null properties named
     `<verb>ed_...` (`cancel_x` sets `canceled_*`: `..._at` now, others the first value
     their schema allows: who did it is the fake's key). DELETE removes the resource; a
     POST whose path lacks the resource's own id creates one (the next free id).
   - An operation returning an array of a stored kind lists the stored resources whose
     leading key values match its path parameters, in key order. Objects beside it in the
     envelope (a pagination meta) get Laravel's paginator values (`current_page`,
     `per_page`, `total`, `last_page`, `from`, `to`) for the properties they have, paged by
     the `page`/`per_page` query parameters when the operation has them (15 a page, as
     Laravel). Query filters are validated, not applied.
   - Any other payload is a minimal valid instance of its schema (required properties,
     types, formats, enums, within limits; `example` values when the spec gives them).
     The envelope's text (`message`) is the operation's summary.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx

from meetbit._client import AsyncClient, Client
from meetbit._errors import InvalidRequestError
from meetbit._schema import bounds, compile_check, from_text

if TYPE_CHECKING:
    from meetbit_api.operations import Field, Operation

API_PREFIX = "/api/public/v2.0"
_MESSAGES = {
    401: "Invalid or missing access key.",
    404: "Resource object does not exist.",
    405: "The method is not supported for this route.",
    422: "The given data was invalid.",
    429: "Too many requests.",
    500: "An unexpected error occurred.",
}
# Framework vocabulary (Laravel's), not the spec's operations: the resource envelope, the
# Eloquent timestamp a write touches, and the paginator's query parameters and meta.
_ENVELOPE = "data"
_UPDATED_AT = "updated_at"
_PAGE, _PER_PAGE, _LARAVEL_PER_PAGE = "page", "per_page", 15
_OWN_ID = "id"
# Sample values that make stored resources look real; each applies only to a property of
# that name whose schema accepts it (checked), so a spec change cannot make them wrong.
_SAMPLES: dict[str, Any] = {
    "start": "2026-11-23T10:15:00.000000Z",
    "end": "2026-11-23T11:15:00.000000Z",
    "email": "organizer@example.com",
    "name": "Organizer",
    "status": 1,
    "is_organizer": True,
}


def _timestamp(moment: datetime.datetime | None = None) -> str:
    moment = moment or datetime.datetime.now(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # Laravel's format


def _fits(schema: Mapping[str, Any], value: Any) -> bool:
    try:
        compile_check(schema, python=False)(value, "value")
    except InvalidRequestError:
        return False
    return True


def example(schema: Mapping[str, Any], *, complete: bool = False) -> Any:
    """A minimal valid instance of a JSON Schema (all properties when `complete`)."""
    if "example" in schema and _fits(schema, schema["example"]):
        return copy.deepcopy(schema["example"])
    for alternatives in ("anyOf", "oneOf"):
        if schema.get(alternatives):
            return example(schema[alternatives][0], complete=complete)
    if schema.get("nullable"):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind in ("integer", "number"):
        return _example_number(schema, integer=kind == "integer")
    if kind == "string":
        return _example_string(schema)
    if kind == "boolean":
        return False
    if kind == "array":
        count = max(schema.get("minItems", 0), 1 if complete else 0)
        return [example(schema.get("items", {}), complete=complete) for _ in range(count)]
    if kind == "object":
        required = set(schema.get("required", ()))
        return {
            name: example(sub, complete=complete)
            for name, sub in schema.get("properties", {}).items()
            if complete or name in required
        }
    return None


def _example_number(schema: Mapping[str, Any], *, integer: bool) -> int | float:
    low, exclusive_low, _, _ = bounds(schema)  # the one bounds rule (meetbit._schema)
    value: float = 1 if low is None else low + (1 if exclusive_low else 0)
    high = schema.get("maximum")
    if high is not None and value > high:
        value = high
    multiple = schema.get("multipleOf")
    if multiple:
        value = math.ceil(value / multiple) * multiple
    return int(value) if integer else float(value)


_FORMATS: dict[str, Callable[[], str]] = {
    "date": lambda: datetime.date.today().isoformat(),
    "email": lambda: "user@example.com",
    "uri": lambda: "https://example.com/",
    "url": lambda: "https://example.com/",
    "uuid": lambda: "00000000-0000-4000-8000-000000000000",
}


def _example_string(schema: Mapping[str, Any]) -> str:
    kind = schema.get("format", "")
    if kind == "date-time":
        return _timestamp()
    shortest: int = schema.get("minLength", 0)
    longest: int | None = schema.get("maxLength")
    candidates = [_FORMATS[kind]()] if kind in _FORMATS else []
    candidates += ["example", "a", "A", "0", "a-1", "A_1"]
    for text in candidates:
        text = (text * (shortest // max(len(text), 1) + 1))[: max(shortest, len(text))]
        if longest is not None:
            text = text[:longest]
        if _fits(schema, text):
            return text
    text = candidates[0]
    return text[:longest] if longest is not None else text


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


@dataclass(frozen=True)
class _Scripted:
    status: int
    message: str | None
    retry_after: str | None
    operation: str | None


@dataclass
class _Kind:
    """A resource kind: the objects with one set of properties, and where they are stored."""

    schema: Mapping[str, Any]
    key: tuple[str, ...]
    """The path parameters addressing one resource, in path order; the last is its own id."""
    tag: str
    stored: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)


def _properties(schema: Mapping[str, Any] | None) -> frozenset[str] | None:
    if not schema or schema.get("type", "object") != "object" or not schema.get("properties"):
        return None
    return frozenset(schema["properties"])


@dataclass
class _Route:
    operation: Operation
    pattern: re.Pattern[str]
    checks: dict[tuple[str, str], Callable[[object, str], None]]
    payload_key: str | None
    """The envelope property holding the payload, or None when the body is the payload."""
    payload: Mapping[str, Any] | None
    kind: _Kind | None
    listing: bool


class _Invalid(Exception):
    """A request breaks the spec: 404 for the path, 422 for a value (with the reason)."""

    def __init__(self, status: int, reason: str, where: str = "") -> None:
        super().__init__(reason)
        self.status, self.reason, self.where = status, reason, where


def _route_pattern(operation: Operation) -> re.Pattern[str]:
    parts = re.split(r"\{([^}]+)\}", operation.path)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<p{index // 2}>[^/]+)"
        for index, part in enumerate(parts)
    )
    return re.compile(re.escape(API_PREFIX) + regex)


def _specificity(route: _Route) -> int:
    # Literal segments first, so `/things/archived` wins over `/things/{id}`.
    return -len(re.sub(r"\{[^}]+\}", "", route.operation.path))


@dataclass
class FakeMeetBit:
    """An in-memory MeetBit tenant with scriptable failures and a record of what it received."""

    access_key_id: str = "fake-key-id"
    access_key_secret: str = field(default="fake-key-secret", repr=False)
    operations: Mapping[str, Operation] | None = field(default=None, repr=False)
    """The operations to answer; `meetbit_api.operations.OPERATIONS` by default."""
    requests: list[RecordedRequest] = field(default_factory=list)
    _script: list[_Scripted] = field(default_factory=list, init=False, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _routes: list[_Route] = field(default_factory=list, init=False, repr=False)
    _kinds: dict[frozenset[str], _Kind] = field(default_factory=dict, init=False, repr=False)
    _tags: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.operations is None:
            from meetbit_api.operations import OPERATIONS

            self.operations = OPERATIONS
        self._routes = [self._route(operation) for operation in self.operations.values()]
        self._routes.sort(key=_specificity)
        self._learn_kinds()

    # --- what the spec says -------------------------------------------------------------------

    def _route(self, operation: Operation) -> _Route:
        success = operation.responses.get(str(operation.success_status))
        schema = success.schema if success is not None else None
        payload_key = operation.unwrap
        if payload_key is None and schema and _ENVELOPE in schema.get("properties", {}):
            payload_key = _ENVELOPE
        payload = schema["properties"][payload_key] if schema and payload_key else schema
        return _Route(
            operation=operation,
            pattern=_route_pattern(operation),
            checks={
                (f.location, f.name): compile_check(f.schema, python=False)
                for f in operation.fields
            },
            payload_key=payload_key,
            payload=payload,
            kind=None,
            listing=bool(payload and payload.get("type") == "array"),
        )

    def _learn_kinds(self) -> None:
        votes: dict[str, dict[frozenset[str], int]] = {}
        for route in self._routes:
            schema = (
                route.payload.get("items") if route.listing and route.payload else route.payload
            )
            properties = _properties(schema)
            if properties is None or schema is None:
                continue
            tag = route.operation.tag
            kind = self._kinds.get(properties)
            if kind is None:
                kind = self._kinds[properties] = _Kind(schema=schema, key=(), tag=tag)
            route.kind = kind
            path_names = tuple(f.name for f in route.operation.fields if f.location == "path")
            if not route.listing and len(path_names) > len(kind.key):
                kind.key = path_names
            tally = votes.setdefault(tag, {})
            tally[properties] = tally.get(properties, 0) + 1
        for route in self._routes:
            if route.kind is not None and route.listing and not route.kind.key:
                listed = tuple(f.name for f in route.operation.fields if f.location == "path")
                route.kind.key = (*listed, _OWN_ID)
        self._tags = {tag: max(tally, key=tally.__getitem__) for tag, tally in votes.items()}

    def _kind_of(self, tag: str) -> _Kind:
        if tag not in self._tags:
            raise LookupError(f"no operation of the spec returns {tag} resources")
        return self._kinds[self._tags[tag]]

    # --- arranging ----------------------------------------------------------------------------

    def add_resource(self, tag: str, *key: Any, **fields: Any) -> dict[str, Any]:
        """Store a resource of `tag`'s kind and return its JSON form.

        `key` is the values of the path parameters that address one (in path order), given
        positionally or by their names; `fields` override realistic defaults.
        """
        kind = self._kind_of(tag)
        values = list(key)
        for name in kind.key[len(values) :]:
            if name not in fields:
                raise TypeError(f"add_resource({tag!r}) needs {', '.join(kind.key)}")
            values.append(fields.pop(name))
        if len(values) != len(kind.key):
            raise TypeError(f"add_resource({tag!r}) takes {len(kind.key)} key values")
        resource = {**self._new(kind, tuple(values)), **fields}
        with self._lock:
            kind.stored[tuple(values)] = resource
        return copy.deepcopy(resource)

    def key_of(self, tag: str) -> tuple[str, ...]:
        """The path parameters whose values key `tag`'s resources, in path order."""
        return self._kind_of(tag).key

    def resources(self, tag: str) -> dict[tuple[Any, ...], dict[str, Any]]:
        """The stored resources of `tag`'s kind, by key (live: changes show in answers)."""
        return self._kind_of(tag).stored

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
        header = (
            None
            if retry_after is None
            else (retry_after if isinstance(retry_after, str) else f"{retry_after:g}")
        )
        with self._lock:
            self._script += [_Scripted(status, message, header, operation)] * times

    # --- acting -------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as MeetBit would; the transport and the server both call this."""
        body = request.read()
        path = request.url.path
        routed = [route for route in self._routes if route.pattern.fullmatch(path)]
        route = next((r for r in routed if r.operation.method == request.method), None)
        name = route.operation.name if route else None
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    request.method,
                    path,
                    dict(request.headers),
                    body,
                    time.monotonic(),
                    name,
                    request.url.query.decode("ascii", "replace"),
                )
            )
            scripted = next(
                (s for s in self._script if s.operation is None or s.operation == name), None
            )
            if scripted is not None:
                self._script.remove(scripted)
        if scripted is not None:
            headers = {} if scripted.retry_after is None else {"Retry-After": scripted.retry_after}
            text = scripted.message or self._message(route, scripted.status)
            return _text(scripted.status, text, headers)
        if (
            request.headers.get("X-Access-Key-Id") != self.access_key_id
            or request.headers.get("X-Access-Key-Secret") != self.access_key_secret
        ):
            return _text(401, self._message(route, 401))
        if route is None:
            if routed:
                allowed = ", ".join(sorted({r.operation.method for r in routed}))
                message = (
                    f"The {request.method} method is not supported for this route. "
                    f"Supported methods: {allowed}."
                )
                return _text(405, message, {"Allow": allowed})
            return _text(404, self._message(None, 404))
        try:
            params, query, payload = self._validated(route, request, body)
            with self._lock:
                return self._answer(route, request.method, params, query, payload)
        except _Invalid as invalid:
            if invalid.status == 422:
                return self._invalid(route, invalid)
            return _text(invalid.status, self._message(route, invalid.status))

    def _message(self, route: _Route | None, status: int) -> str:
        documented = route.operation.responses.get(str(status)) if route else None
        if documented is not None and documented.schema:
            text = example(documented.schema)
            if isinstance(text, str) and text:
                return text
        return _MESSAGES.get(status, "Error.")

    def _invalid(self, route: _Route, invalid: _Invalid) -> httpx.Response:
        sentence = f"The given data was invalid: {invalid.reason}"
        documented = route.operation.responses.get("422")
        schema = documented.schema if documented else None
        if not (documented and documented.media_type == "application/json" and schema):
            return _text(422, sentence)
        # Laravel's shape: the sentence in its string properties, the reason by field in
        # an object of string lists.
        answer = example(schema)
        for name, sub in schema.get("properties", {}).items():
            lists = sub.get("additionalProperties", {})
            if sub.get("type") == "string":
                answer[name] = sentence
            elif sub.get("type") == "object" and lists.get("type") == "array":
                answer[name] = {invalid.where or "request": [invalid.reason]}
        return httpx.Response(422, json=answer)

    def _validated(
        self, route: _Route, request: httpx.Request, body: bytes
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
        operation = route.operation
        match = route.pattern.fullmatch(request.url.path)
        assert match is not None
        params: dict[str, Any] = {}
        query: dict[str, Any] = {}
        given = urllib.parse.parse_qs(request.url.query.decode("ascii", "replace"))
        has_body = any(f.location == "body" for f in operation.fields) or operation.body_model
        payload: dict[str, Any] | None = self._json_object(body) if has_body else None
        path_index = 0
        for item in operation.fields:
            if item.location == "path":
                raw = match[f"p{path_index}"]
                path_index += 1
                if item.schema.get("type") == "integer":
                    if not re.fullmatch(r"[0-9]+", raw):
                        raise _Invalid(404, "no such route")
                    params[item.name] = int(raw)
                else:
                    params[item.name] = urllib.parse.unquote(raw)
                self._check(route, item, params[item.name])
            elif item.location == "query":
                texts = given.get(item.name, []) + given.get(f"{item.name}[]", [])
                if not texts:
                    if item.required:
                        raise _Invalid(422, f"{item.name} is required", item.name)
                    continue
                query[item.name] = _from_query(item, texts)
                self._check(route, item, query[item.name])
            elif payload is not None:
                if item.name not in payload:
                    if item.required:
                        raise _Invalid(422, f"{item.name} is required", item.name)
                    continue
                self._check(route, item, payload[item.name])
        return params, query, payload

    @staticmethod
    def _json_object(body: bytes) -> dict[str, Any]:
        try:
            parsed = json.loads(body) if body.strip() else {}
        except ValueError:
            raise _Invalid(422, "the body is not JSON") from None
        if not isinstance(parsed, dict):
            raise _Invalid(422, "the body must be a JSON object")
        return parsed

    @staticmethod
    def _check(route: _Route, item: Field, value: Any) -> None:
        try:
            route.checks[(item.location, item.name)](value, item.name)
        except InvalidRequestError as error:
            raise _Invalid(422, str(error), item.name) from None

    # --- answering ----------------------------------------------------------------------------

    def _answer(
        self,
        route: _Route,
        method: str,
        params: dict[str, Any],
        query: dict[str, Any],
        payload: dict[str, Any] | None,
    ) -> httpx.Response:
        operation = route.operation
        status = operation.success_status or 200
        if route.payload is None and operation.method == "DELETE":
            self._delete(params)  # a 204-style answer still removes the resource
        if route.kind is None:
            data: Any = example(route.payload) if route.payload is not None else None
            return self._respond(route, status, data, {})
        if route.listing:
            return self._list(route, status, params, query)
        kind = route.kind
        key = self._find(kind, params)
        if key is None and method == "POST" and kind.key[-1] not in params:
            key = (*(params.get(name) for name in kind.key[:-1]), self._next_id(kind))
            kind.stored[key] = self._new(kind, key)
        if key is None:
            raise _Invalid(404, "unknown resource")
        resource = kind.stored[key]
        if method != "GET":
            self._write(operation, kind, resource, payload or {})
        if method == "DELETE":
            del kind.stored[key]
        return self._respond(route, status, copy.deepcopy(resource), {})

    @staticmethod
    def _find(kind: _Kind, params: dict[str, Any]) -> tuple[Any, ...] | None:
        wanted = [(i, params[name]) for i, name in enumerate(kind.key) if name in params]
        if kind.key[-1] not in params:
            return None  # a path without the resource's own id addresses no one resource
        return next(
            (key for key in kind.stored if all(key[i] == value for i, value in wanted)), None
        )

    @staticmethod
    def _write(
        operation: Operation, kind: _Kind, resource: dict[str, Any], payload: dict[str, Any]
    ) -> None:
        for item in operation.fields:
            if item.location == "body" and item.name in payload and item.name in resource:
                resource[item.name] = copy.deepcopy(payload[item.name])
        verb = operation.name.split("_", 1)[0]
        done = verb + ("d" if verb.endswith("e") else "ed") + "_"
        for name, schema in kind.schema.get("properties", {}).items():
            if name.startswith(done) and resource.get(name) is None:
                is_moment = schema.get("format") == "date-time"
                resource[name] = (
                    _timestamp() if is_moment else example({**schema, "nullable": False})
                )
        if _UPDATED_AT in resource:
            resource[_UPDATED_AT] = _timestamp()

    def _delete(self, params: dict[str, Any]) -> None:
        for kind in self._kinds.values():
            if kind.key and all(name in params for name in kind.key):
                kind.stored.pop(tuple(params[name] for name in kind.key), None)

    @staticmethod
    def _next_id(kind: _Kind) -> int:
        return 1 + max((k[-1] for k in kind.stored if isinstance(k[-1], int)), default=0)

    def _new(self, kind: _Kind, key: tuple[Any, ...]) -> dict[str, Any]:
        """A complete resource of `kind` with realistic values and its key stored in it."""
        named = dict(zip(kind.key, key, strict=True))
        own = key[-1]
        resource = _realistic(kind.schema, named)
        if isinstance(resource, dict):
            if kind.key[-1] not in resource:
                resource[_OWN_ID] = own
            singular = kind.tag[:-1] if kind.tag.endswith("s") else kind.tag
            words = singular.replace("_", " ")
            for name, text in (
                ("title", f"{words.capitalize()} {own}"),
                ("public_id", f"{singular}_{own}"),
            ):
                if name in resource and _fits(kind.schema["properties"][name], text):
                    resource[name] = text
            return resource
        return {}

    def _list(
        self, route: _Route, status: int, params: dict[str, Any], query: dict[str, Any]
    ) -> httpx.Response:
        assert route.kind is not None
        kind = route.kind
        wanted = [(i, params[n]) for i, n in enumerate(kind.key) if n in params]
        found = [
            copy.deepcopy(resource)
            for key, resource in sorted(kind.stored.items(), key=lambda item: repr(item[0]))
            if all(key[i] == value for i, value in wanted)
        ]
        fields = {f.name for f in route.operation.fields if f.location == "query"}
        paged = _PAGE in fields or _PER_PAGE in fields
        per_page = max(1, query.get(_PER_PAGE, _LARAVEL_PER_PAGE) if paged else len(found))
        page = max(1, query.get(_PAGE, 1))
        shown = found[(page - 1) * per_page : page * per_page]
        first = (page - 1) * per_page + 1 if shown else None
        paginator = {
            "current_page": page,
            "per_page": per_page,
            "total": len(found),
            "last_page": max(1, math.ceil(len(found) / per_page)),
            "from": first,
            "to": first + len(shown) - 1 if first is not None else None,
        }
        return self._respond(route, status, shown, paginator)

    def _respond(
        self, route: _Route, status: int, data: Any, paginator: dict[str, Any]
    ) -> httpx.Response:
        operation = route.operation
        success = operation.responses.get(str(status))
        schema = success.schema if success else None
        if schema is None or not success or success.media_type != "application/json":
            if data is None:
                return httpx.Response(status)
            return httpx.Response(status, json=data)
        if route.payload_key is None:
            return httpx.Response(status, json=data)
        envelope = example(schema)
        for name, sub in schema.get("properties", {}).items():
            if name == route.payload_key:
                envelope[name] = data
            elif sub.get("type") == "string" and "example" not in sub and "enum" not in sub:
                envelope[name] = operation.summary or operation.name
            elif _properties(sub) is not None:
                meta = example(sub)
                for key, value in paginator.items():
                    if key in sub["properties"] and _fits(sub["properties"][key], value):
                        meta[key] = value
                envelope[name] = meta
        return httpx.Response(status, json=envelope)

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
                try:
                    response = fake.handle(request)
                except Exception as error:
                    # A defect of the fake: the test sees it as an answer, not as a
                    # traceback printed from the server's thread.
                    response = _text(500, f"FakeMeetBit failed: {type(error).__name__}: {error}")
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


def _realistic(schema: Mapping[str, Any], named: dict[str, Any]) -> Any:
    """A complete instance: nulls where allowed, samples and key values where they fit."""
    value = example(schema, complete=True)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            nested = sub.get("type") in ("object", "array") or "properties" in sub
            if nested and not sub.get("nullable"):
                value[name] = _realistic(sub, named)
            if name in named and _fits(sub, named[name]):
                value[name] = named[name]
            elif name in _SAMPLES and _fits(sub, _SAMPLES[name]):
                value[name] = _SAMPLES[name]
    elif isinstance(value, list) and value:
        value = [_realistic(schema.get("items", {}), named) for _ in value]
    return value


def _from_query(item: Field, texts: list[str]) -> Any:
    schema = item.schema
    if schema.get("type") == "array":
        inner = schema.get("items", {})
        return [_scalar(inner, text, item.name) for text in texts]
    return _scalar(schema, texts[-1], item.name)


def _scalar(schema: Mapping[str, Any], text: str, name: str) -> Any:
    if schema.get("type") not in ("integer", "number", "boolean"):
        return text
    try:
        return from_text(schema, text)  # the one text-to-value rule (meetbit._schema)
    except ValueError:
        raise _Invalid(422, f"{name} must be {_KIND_NAMES[schema['type']]}", name) from None


_KIND_NAMES = {"integer": "an integer", "number": "a number", "boolean": "true or false"}


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        text=message,
        headers={"Content-Type": "text/plain; charset=UTF-8", **(headers or {})},
    )


__all__ = ["FakeMeetBit", "RecordedRequest", "example"]
