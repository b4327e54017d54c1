"""The README's quick start as a program: `make lint` type-checks it with mypy --strict."""

from __future__ import annotations

import asyncio
import logging

import meetbit
from meetbit_api.api.events import cancel_event
from meetbit_api.models import CancelEventBody, Event
from meetbit_api.types import Unset


def cancel(calendar_id: int, event_id: int) -> Event | None:
    # Domain and keys from MEETBIT_DOMAIN, MEETBIT_ACCESS_KEY_ID, MEETBIT_ACCESS_KEY_SECRET.
    with meetbit.Client(max_retries=3, total_timeout=30) as client:
        try:
            event = client.events.cancel_event(
                calendar_id, event_id, cancel_note="Moved to next week"
            )
        except meetbit.NotFoundError:
            return None
        except meetbit.RateLimitedError as error:
            logging.warning(
                "still limited; retry in %s s after %d attempts",
                error.retry_after,
                len(error.attempts),
            )
            raise
        except meetbit.ApiError as error:
            logging.error("MeetBit said %d: %s", error.status_code, error.message)
            raise
        confirmed = [
            a.email for a in event.attendees if a.status is meetbit.AttendeeStatus.CONFIRMED
        ]
        logging.info("told %d confirmed attendees", len(confirmed))
        return event


async def cancel_many(calendar_id: int, event_ids: list[int]) -> list[Event]:
    async with meetbit.AsyncClient("acme.meetbit.com") as client:
        return list(
            await asyncio.gather(
                *(
                    client.events.cancel_event(calendar_id, e, cancel_note="Office closed")
                    for e in event_ids
                )
            )
        )


def cancel_with_the_generated_function(client: meetbit.Client) -> int:
    response = cancel_event.sync_detailed(
        12, 345, client=client, body=CancelEventBody(cancel_note="Moved")
    )
    return response.status_code


def on_retry(attempt: meetbit.Attempt) -> None:
    logging.info(
        "attempt %d: %s, waiting %.1f s (%s)",
        attempt.number,
        attempt.status_code,
        attempt.wait,
        attempt.wait_source,
    )


def counted_client() -> meetbit.Client:
    return meetbit.Client(on_retry=on_retry)


def describe(event: Event) -> str:
    # Optional fields are `X | None | Unset`: UNSET when the response left the field out,
    # None when it sent null. Both are falsy, and mypy narrows on either test.
    if isinstance(event.location, Unset):
        where = "location not sent"
    elif event.location is None:
        where = "no location"
    else:
        where = event.location.strip()
    room = event.online_conference.title if event.online_conference else "no video room"
    note = event.cancel_note or "no note"
    return f"{event.title}: {where}; {room}; {note}"
