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
success, text/plain messages for errors, Laravel-style timestamps and pages. Nothing here
names an operation, a field or a limit: everything comes from `meetbit_api.operations`,
so a spec change changes the fake. The rules, in the order a request meets them:

1. It is recorded (`requests`, with the operation it was routed to).
2. The first scripted failure (`fail_next`) meant for it (any request, or its operation)
   answers it.
3. A wrong or missing access key is 401.
4. Routing, as Laravel's router: an integer path parameter must be ASCII digits; no
   route is 404; a route with other methods is 405 with `Allow` (`HEAD` is answered
   as `GET` without the body, `OPTIONS` is 200 with `Allow`).
5. Validation against the spec's constraints (path, query, header and cookie parameters,
   each where the spec puts it; the body, JSON or a form by its Content-Type): a
   violation is 422 "The given data was invalid: <reason>" as text/plain, or, when the
   operation documents a JSON 422, that shape (Laravel's message and errors by field). A
   path value that is not of its parameter's type is no route: 404.
6. The answer, from the success response's schema (`_kinds`, `_store`, `_listing`,
   `_answers`), as Laravel's route model binding finds it: a resource found by the path
   parameters that address it (404 if unknown; a kind several paths reach is found through
   any of them) and written by non-GET operations, or created by a POST to where its kind
   is listed; a listing filtered by the query parameters that name the resource's
   properties or states, in Laravel's pages; an object without an identity (a status, a
   token) answered afresh once the resource its path extends is found; any other payload
   a minimal valid instance of its schema.

Over a socket (`serve`), a chunked body is read, and a body that cannot be framed (a
`Content-Length` of `abc`) is 400 with the connection closed, never a traceback.
"""

from __future__ import annotations

from ._examples import example
from ._fake import FakeMeetBit, RecordedRequest, Unchecked
from ._routes import API_PREFIX

__all__ = ["API_PREFIX", "FakeMeetBit", "RecordedRequest", "Unchecked", "example"]
