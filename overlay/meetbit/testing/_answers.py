"""Answers as MeetBit shapes them: JSON envelopes for success, text/plain for errors.

The envelope of a success is its schema's: the payload in `data` (or the whole body),
the operation's summary in its free text, and, beside a listed page, Laravel's paginator
values wherever the schema has their names (at the top, as a plain paginator, or in
`meta`/`links` objects, as a resource collection).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from meetbit._schema import accepts, merged

from ._examples import example
from ._listing import PAGE, Page
from ._routes import Invalid, Route

_MESSAGES = {
    400: "Bad request.",
    401: "Invalid or missing access key.",
    404: "Resource object does not exist.",
    405: "The method is not supported for this route.",
    413: "The request body is too large.",
    422: "The given data was invalid.",
    429: "Too many requests.",
    500: "An unexpected error occurred.",
}


def text(status: int, message: str, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        text=message,
        headers={"Content-Type": "text/plain; charset=UTF-8", **(headers or {})},
    )


def message(route: Route | None, status: int) -> str:
    """The message the spec documents for `status` (its example), else Laravel's."""
    documented = route.operation.responses.get(str(status)) if route else None
    if documented is not None and documented.schema:
        said = example(documented.schema)
        if isinstance(said, str) and said:
            return said
    return _MESSAGES.get(status, "Error.")


def not_allowed(method: str, allowed: list[str]) -> httpx.Response:
    listed = ", ".join(allowed)
    return text(
        405,
        f"The {method} method is not supported for this route. Supported methods: {listed}.",
        {"Allow": listed},
    )


def invalid(route: Route, problem: Invalid) -> httpx.Response:
    """422 as the operation documents it: Laravel's {message, errors} in JSON, else text."""
    sentence = f"{_MESSAGES[422][:-1]}: {problem.reason}"
    documented = route.operation.responses.get("422")
    schema = merged(documented.schema) if documented and documented.schema else None
    if not (documented and documented.media_type == "application/json" and schema):
        return text(422, sentence)
    answer = example(schema)
    for name, sub in schema.get("properties", {}).items():
        lists = sub.get("additionalProperties", {})
        if sub.get("type") == "string":
            answer[name] = sentence
        elif sub.get("type") == "object" and lists.get("type") == "array":
            answer[name] = {problem.where or "request": [problem.reason]}
    return httpx.Response(422, json=answer)


def respond(route: Route, data: Any, page: Page | None, url: httpx.URL) -> httpx.Response:
    """The success answer of `route` carrying `data` (and a listing's `page`)."""
    operation = route.operation
    status = operation.success_status or 200
    schema = route.success
    if schema is None:
        return httpx.Response(status) if data is None else httpx.Response(status, json=data)
    if route.payload_key is None:
        return httpx.Response(status, json=data)
    envelope = example(schema)
    values = {} if page is None else paginator(page, url)
    for name, sub in schema.get("properties", {}).items():
        sub = merged(sub)
        if name == route.payload_key:
            envelope[name] = data
        elif name in values and accepts(sub, values[name]):
            envelope[name] = values[name]
        elif sub.get("properties"):
            inner = example(sub)
            for key, value in values.items():
                if key in sub["properties"] and accepts(sub["properties"][key], value):
                    inner[key] = value
            envelope[name] = inner
        elif sub.get("type") == "string" and "example" not in sub and "enum" not in sub:
            envelope[name] = operation.summary or operation.name
    return httpx.Response(status, json=envelope)


def paginator(page: Page, url: httpx.URL) -> dict[str, Any]:
    """Laravel's paginator values for `page`, its links keeping the request's query."""

    def at(number: int) -> str:
        return str(url.copy_set_param(PAGE, number))

    number, last = page.number, page.last
    following = at(number + 1) if number < last else None
    previous = at(number - 1) if number > 1 else None
    return {
        "current_page": number,
        "per_page": page.per_page,
        "total": page.total,
        "last_page": last,
        "from": page.first_index,
        "to": page.last_index,
        "path": str(url.copy_with(query=None)),
        "first_page_url": at(1),
        "last_page_url": at(last),
        "next_page_url": following,
        "prev_page_url": previous,
        "first": at(1),
        "last": at(last),
        "next": following,
        "prev": previous,
        "links": [
            {"url": previous, "label": "&laquo; Previous", "active": False},
            *(
                {
                    "url": None if shown is None else at(shown),
                    "label": str(shown or "..."),
                    "active": shown == number,
                }
                for shown in _window(number, last)
            ),
            {"url": following, "label": "Next &raquo;", "active": False},
        ],
    }


def _window(number: int, last: int) -> list[int | None]:
    """The page numbers Laravel's UrlWindow shows (None is its "..."), 3 on each side."""
    if last <= 13:
        return list(range(1, last + 1))
    if number <= 7:
        return [*range(1, 11), None, last - 1, last]
    if number >= last - 6:
        return [1, 2, None, *range(last - 9, last + 1)]
    return [1, 2, None, *range(number - 3, number + 4), None, last - 1, last]
