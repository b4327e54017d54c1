"""Resource methods for MeetBit Public API: ``client.<tag>.<operation>(...)``, sync and async.

Generated from the fixed spec by tools/operations.py; never edit. Each method takes the
path parameters positionally, in path order, and query parameters and body fields as
keywords, with the spec's names. It hands them to its client's ``_invoke``, which checks
them against the spec's limits before anything is sent (meetbit.Client does).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .models.event import Event


class Invoker(Protocol):
    """What a resource needs from its client: one call that checks, sends and parses."""

    def _invoke(self, operation: str, /, **arguments: Any) -> Any: ...


class AsyncInvoker(Protocol):
    """The asynchronous `Invoker`."""

    async def _invoke(self, operation: str, /, **arguments: Any) -> Any: ...


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
            meetbit.ApiError: 401 Client does not have the appropriate permissions.
            meetbit.ApiError: 404 Resource object does not exist.
            meetbit.ApiError: 429 Too many requests have been made.
            meetbit.ApiError: 500 An unexpected error occurred.
            meetbit.MeetBitError: the network, a timeout, or a malformed response.
        """

        result: Event = self._client._invoke(
            "cancel_event",
            calendar_id=calendar_id,
            event_id=event_id,
            cancel_note=cancel_note,
        )
        return result


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
            meetbit.ApiError: 401 Client does not have the appropriate permissions.
            meetbit.ApiError: 404 Resource object does not exist.
            meetbit.ApiError: 429 Too many requests have been made.
            meetbit.ApiError: 500 An unexpected error occurred.
            meetbit.MeetBitError: the network, a timeout, or a malformed response.
        """

        result: Event = await self._client._invoke(
            "cancel_event",
            calendar_id=calendar_id,
            event_id=event_id,
            cancel_note=cancel_note,
        )
        return result


class Resources:
    """One attribute per tag of the spec; mixed into a sync client that provides ``_invoke``."""

    @cached_property
    def events(self) -> Events:
        """The events operations."""
        return Events(self)  # type: ignore[arg-type]


class AsyncResources:
    """One attribute per tag of the spec; mixed into an async client that provides ``_invoke``."""

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
