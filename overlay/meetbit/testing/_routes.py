"""Spec routing: each operation's path template as a route, and a request's values read by it.

Routes are MeetBit's (Laravel's): a path parameter whose schema is an integer matches ASCII
digits only (a route constraint, so `/calendars/abc` is no route: 404); a path that some
route matches with another method is 405 with `Allow`; `HEAD` is answered by a `GET`
route and `OPTIONS` by the router itself (200 with `Allow`), as Laravel's router does.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from meetbit import _schema as schema_rules
from meetbit._errors import InvalidRequestError
from meetbit._schema import compile_check, merged

if TYPE_CHECKING:
    from meetbit_api.operations import Field, Operation

API_PREFIX = "/api/public/v2.0"
JSON, FORM = "application/json", "application/x-www-form-urlencoded"
# Framework vocabulary (Laravel's), not the spec's: the resource envelope's payload.
ENVELOPE = "data"


class Invalid(Exception):
    """A request breaks the spec: 404 for the path, 422 for a value (with the reason)."""

    def __init__(self, status: int, reason: str, where: str = "") -> None:
        super().__init__(reason)
        self.status, self.reason, self.where = status, reason, where


@dataclass
class Route:
    """One operation, as the router and the validator see it."""

    operation: Operation
    pattern: re.Pattern[str]
    checks: dict[tuple[str, str], Callable[[object, str], None]]
    success: Mapping[str, Any] | None
    """The success response's JSON schema (allOf merged), or None without a JSON body."""
    payload_key: str | None
    """The envelope property holding the payload, or None when the body is the payload."""
    payload: Mapping[str, Any] | None
    listing: bool
    path_fields: tuple[Field, ...] = field(default=())

    @property
    def item(self) -> Mapping[str, Any] | None:
        """The schema of one answered object (a listing's items), or None."""
        schema = self.payload.get("items") if self.listing and self.payload else self.payload
        return None if schema is None else merged(schema)


@dataclass(frozen=True)
class Values:
    """What a request carries, typed by the spec: path parameters, query, JSON body."""

    params: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any] | None


def build(operations: Iterable[Operation]) -> list[Route]:
    """The routes of `operations`, literal segments first (`/x/archived` before `/x/{id}`)."""
    routes = [_route(operation) for operation in operations]
    routes.sort(key=lambda route: -len(re.sub(r"\{[^}]+\}", "", route.operation.path)))
    return routes


def _route(operation: Operation) -> Route:
    success = operation.responses.get(str(operation.success_status))
    schema = merged(success.schema) if success is not None and success.schema else None
    if success is not None and success.media_type != "application/json":
        schema = None
    payload_key = operation.unwrap
    if payload_key is None and schema and ENVELOPE in schema.get("properties", {}):
        payload_key = ENVELOPE
    payload = merged(schema["properties"][payload_key]) if schema and payload_key else schema
    path_fields = tuple(f for f in operation.fields if f.location == "path")
    return Route(
        operation=operation,
        pattern=_pattern(operation, path_fields),
        checks={
            (f.location, f.name): compile_check(f.schema, python=False) for f in operation.fields
        },
        success=schema,
        payload_key=payload_key,
        payload=payload,
        listing=bool(payload and payload.get("type") == "array"),
        path_fields=path_fields,
    )


def _pattern(operation: Operation, path_fields: Sequence[Field]) -> re.Pattern[str]:
    integers = {f.name for f in path_fields if f.schema.get("type") == "integer"}
    parts = re.split(r"\{([^}]+)\}", operation.path)
    regex = "".join(
        re.escape(part)
        if index % 2 == 0
        else f"(?P<p{index // 2}>{'[0-9]+' if part in integers else '[^/]+'})"
        for index, part in enumerate(parts)
    )
    return re.compile(re.escape(API_PREFIX) + regex)


def find(routes: Sequence[Route], method: str, path: str) -> tuple[Route | None, list[str]]:
    """The route answering `method` on `path`, and the methods the path allows (Laravel's)."""
    matching = [route for route in routes if route.pattern.fullmatch(path)]
    methods = {route.operation.method for route in matching}
    if "GET" in methods:
        methods.add("HEAD")
    wanted = "GET" if method == "HEAD" else method
    route = next((r for r in matching if r.operation.method == wanted), None)
    return route, sorted(methods)


def read(
    route: Route,
    path: str,
    query: str,
    body: bytes,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
) -> Values:
    """The request's values, typed and checked against the spec; raises Invalid.

    Path, query, header and cookie parameters are each read where the spec puts them
    (never from the body). The body is read by its Content-Type, as Laravel's request
    input is: a form (`application/x-www-form-urlencoded`) as text per field, typed by the
    field's schema as a query value is; anything else as JSON.
    """
    params = _path_values(route, path)
    # An empty value is a value (Laravel makes it null, which the rules then refuse).
    values = _text_values(route, "query", urllib.parse.parse_qs(query, keep_blank_values=True))
    sent = {name.lower(): value for name, value in (headers or {}).items()}
    _text_values(route, "header", {name: [value] for name, value in sent.items()}, fold=True)
    _text_values(route, "cookie", _cookies(sent.get("cookie", "")))
    return Values(params, values, _body(route, body, media_type))


def _cookies(header: str) -> dict[str, list[str]]:
    """The Cookie header's pairs as PHP reads them: split at `;`, values URL-decoded.

    Not `http.cookies`: it silently drops a pair it finds malformed (a space, a quote,
    a non-ASCII letter), so a value the rules must refuse would pass as absent.
    """
    found: dict[str, list[str]] = {}
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name:
            found.setdefault(name, [urllib.parse.unquote(value)])  # PHP keeps the first
    return found


def _path_values(route: Route, path: str) -> dict[str, Any]:
    match = route.pattern.fullmatch(path)
    assert match is not None
    params: dict[str, Any] = {}
    for index, item in enumerate(route.path_fields):
        text = urllib.parse.unquote(match[f"p{index}"])
        try:
            params[item.name] = from_text(item.schema, text, item.name)
        except Invalid:
            raise Invalid(404, "no such route") from None  # a route constraint, as Laravel's
        _check(route, item, params[item.name])
    return params


def _text_values(
    route: Route, location: str, given: Mapping[str, list[str]], *, fold: bool = False
) -> dict[str, Any]:
    """The parameters at `location` (query, header, cookie) from their texts, checked."""
    values: dict[str, Any] = {}
    for item in route.operation.fields:
        if item.location != location:
            continue
        name = item.name.lower() if fold else item.name  # header names are case-insensitive
        texts = given.get(name, []) + given.get(f"{name}[]", [])
        if location == "header" and item.schema.get("type") == "array" and texts:
            texts = [part.strip() for part in texts[-1].split(",")]  # the simple style
        if not texts:
            if item.required:
                raise Invalid(422, f"{item.name} is required", item.name)
            continue
        values[item.name] = _from_texts(item, texts)
        _check(route, item, values[item.name])
    return values


def _body(route: Route, body: bytes, media_type: str) -> dict[str, Any] | None:
    """The JSON object or form the operation takes, its fields checked (or the whole body)."""
    operation = route.operation
    whole = next((f for f in operation.fields if f.location == "payload"), None)
    if whole is not None:
        if not body:
            if whole.required:
                raise Invalid(422, "the body is required", whole.name)
            return None
        parsed = _json(body)
        _check(route, whole, parsed)
        return parsed if isinstance(parsed, dict) else None
    if operation.body_model is None and not any(f.location == "body" for f in operation.fields):
        return None
    form = media_type.split(";")[0].strip().lower() == FORM
    payload = _form(operation, body) if form else _json_object(body)
    for item in operation.fields:
        if item.location != "body":
            continue
        if item.name not in payload:
            if item.required:
                raise Invalid(422, f"{item.name} is required", item.name)
            continue
        _check(route, item, payload[item.name])
    return payload


def _form(operation: Operation, body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(422, "the form is not UTF-8") from None
    given = urllib.parse.parse_qs(text, keep_blank_values=True)
    payload: dict[str, Any] = {name: texts[-1] for name, texts in given.items()}
    for item in operation.fields:
        texts = given.get(item.name, []) + given.get(f"{item.name}[]", [])
        if item.location == "body" and texts:
            payload[item.name] = _from_texts(item, texts)
    return payload


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise Invalid(422, "the body is not JSON") from None


def _json_object(body: bytes) -> dict[str, Any]:
    parsed = _json(body) if body else {}
    if not isinstance(parsed, dict):
        raise Invalid(422, "the body must be a JSON object")
    return parsed


def _check(route: Route, item: Field, value: Any) -> None:
    try:
        route.checks[(item.location, item.name)](value, item.name)
    except InvalidRequestError as error:
        raise Invalid(422, str(error), item.name) from None


def _from_texts(item: Field, texts: list[str]) -> Any:
    if item.schema.get("type") == "array":
        inner = item.schema.get("items", {})
        return [from_text(inner, text, item.name) for text in texts]
    return from_text(item.schema, texts[-1], item.name)


# Text to a typed value (a path segment, a query value): the CLI's flags use the same rule.
def from_text(schema: Mapping[str, Any], text: str, name: str) -> Any:
    """The value `text` stands for under `schema`; Invalid (422) if none (one rule: _schema)."""
    try:
        return schema_rules.from_text(schema, text, python=False)  # JSON, as the checks want
    except ValueError as error:
        raise Invalid(422, f"{name}: {error}", name) from None
