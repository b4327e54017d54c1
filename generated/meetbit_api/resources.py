"""Resource methods for MeetBit Public API: ``client.<tag>.<operation>(...)``, sync and async.

Generated from the fixed spec by tools/operations.py; never edit. Each method takes the
path parameters positionally, in path order, and query parameters and body fields as
keywords, with the spec's names. It checks each against the spec's limits before anything
is sent: inline for the common case, else through its client's ``_check``, which raises
the precise error; then it hands the generated module and the arguments to its client's
``_send`` (meetbit.Client's builds the request, sends, retries, raises typed errors and
parses). The methods' own names (``_client``, ``_code``, ``_result``) start with an
underscore because the generator never gives a parameter one: a spec parameter named
``code``, ``client`` or ``result`` cannot shadow them.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from . import code as _code

if TYPE_CHECKING:
    from .models.event import Event


class Invoker(Protocol):
    """What a resource needs from its client: a full check of an argument, and a send."""

    def _check(self, operation: str, argument: str, value: object, /) -> None:
        """Raise the error for a value the inline check did not pass, or accept it."""

    def _send(
        self,
        code: Any,
        path: tuple[Any, ...],
        keywords: dict[str, Any],
        unwrap: str | None,
        /,
    ) -> Any:
        """Send the generated module's request for these arguments; return its parsed body
        (or the body's `unwrap` field)."""


class AsyncInvoker(Protocol):
    """The asynchronous `Invoker`."""

    def _check(self, operation: str, argument: str, value: object, /) -> None: ...

    async def _send(
        self,
        code: Any,
        path: tuple[Any, ...],
        keywords: dict[str, Any],
        unwrap: str | None,
        /,
    ) -> Any: ...


class Events:
    """The events operations: ``client.events.<operation>(...)``."""

    def __init__(self, client: Invoker) -> None:
        self._client = client

    def cancel_event(
        self,
        calendar_id: int,
        event_id: int,
        *,
        cancel_note: str,
    ) -> Event:
        """Cancel Event

        Required permissions: `events.delete.*`

        Args:
            calendar_id: Id of the calendar the event belongs to. (path, required; 64-bit integer; at
                least 1)
            event_id: Id of the event to cancel. (path, required; 64-bit integer; at least 1)
            cancel_note: (body, required; at most 255 characters)

        Returns:
            Event: the ``data`` of the 200 response.

        Raises:
            meetbit.InvalidRequestError: an argument breaks the spec's limits; nothing was sent.
            meetbit.UnauthorizedError: 401 Client does not have the appropriate permissions.
            meetbit.NotFoundError: 404 Resource object does not exist.
            meetbit.RateLimitedError: 429 Too many requests have been made.
            meetbit.ServerError: 500 An unexpected error occurred.
            meetbit.ApiError: 422 The request failed validation; the message says which value and why.
            meetbit.ApiError: any other error status.
            meetbit.MeetBitError: the network, a timeout, or a malformed response.
        """

        _client = self._client
        if not (type(calendar_id) is int and 1 <= calendar_id <= 9223372036854775807):
            _client._check("cancel_event", "calendar_id", calendar_id)
        if not (type(event_id) is int and 1 <= event_id <= 9223372036854775807):
            _client._check("cancel_event", "event_id", event_id)
        if not (
            type(cancel_note) is str
            and cancel_note.isascii()
            and len(cancel_note) <= 255
        ):
            _client._check("cancel_event", "cancel_note", cancel_note)

        _result: Event = _client._send(
            _code.cancel_event,
            (
                calendar_id,
                event_id,
            ),
            {
                "body": _code.CancelEventBody(
                    cancel_note=cancel_note,
                ),
            },
            "data",
        )
        return _result


class AsyncEvents:
    """The events operations, awaitable: ``await client.events.<operation>(...)``."""

    def __init__(self, client: AsyncInvoker) -> None:
        self._client = client

    async def cancel_event(
        self,
        calendar_id: int,
        event_id: int,
        *,
        cancel_note: str,
    ) -> Event:
        """Cancel Event

        Required permissions: `events.delete.*`

        Args:
            calendar_id: Id of the calendar the event belongs to. (path, required; 64-bit integer; at
                least 1)
            event_id: Id of the event to cancel. (path, required; 64-bit integer; at least 1)
            cancel_note: (body, required; at most 255 characters)

        Returns:
            Event: the ``data`` of the 200 response.

        Raises:
            meetbit.InvalidRequestError: an argument breaks the spec's limits; nothing was sent.
            meetbit.UnauthorizedError: 401 Client does not have the appropriate permissions.
            meetbit.NotFoundError: 404 Resource object does not exist.
            meetbit.RateLimitedError: 429 Too many requests have been made.
            meetbit.ServerError: 500 An unexpected error occurred.
            meetbit.ApiError: 422 The request failed validation; the message says which value and why.
            meetbit.ApiError: any other error status.
            meetbit.MeetBitError: the network, a timeout, or a malformed response.
        """

        _client = self._client
        if not (type(calendar_id) is int and 1 <= calendar_id <= 9223372036854775807):
            _client._check("cancel_event", "calendar_id", calendar_id)
        if not (type(event_id) is int and 1 <= event_id <= 9223372036854775807):
            _client._check("cancel_event", "event_id", event_id)
        if not (
            type(cancel_note) is str
            and cancel_note.isascii()
            and len(cancel_note) <= 255
        ):
            _client._check("cancel_event", "cancel_note", cancel_note)

        _result: Event = await _client._send(
            _code.cancel_event,
            (
                calendar_id,
                event_id,
            ),
            {
                "body": _code.CancelEventBody(
                    cancel_note=cancel_note,
                ),
            },
            "data",
        )
        return _result


class Resources:
    """One attribute per tag of the spec; mixed into a sync client that is an `Invoker`."""

    @cached_property
    def events(self) -> Events:
        """The events operations."""
        return Events(self)  # type: ignore[arg-type]


class AsyncResources:
    """One attribute per tag of the spec; mixed into an async client that is an `AsyncInvoker`."""

    @cached_property
    def events(self) -> AsyncEvents:
        """The events operations, awaitable."""
        return AsyncEvents(self)  # type: ignore[arg-type]


__all__ = [
    "AsyncEvents",
    "AsyncInvoker",
    "AsyncResources",
    "Events",
    "Invoker",
    "Resources",
]
