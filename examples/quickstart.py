"""The README's examples as one program: `make lint` type-checks it with mypy --strict.

`python examples/quickstart.py` runs the quick start against the fake MeetBit, then the
functions below against the same fake served on 127.0.0.1 (MEETBIT_BASE_URL), as they
would run against a tenant.
"""

from __future__ import annotations

import asyncio
import logging
import os

import meetbit
from meetbit.testing import FakeMeetBit
from meetbit_api.api.events import cancel_event
from meetbit_api.models import CancelEventBody, Event
from meetbit_api.types import Unset


def quick_start() -> None:
    fake = FakeMeetBit()
    fake.add_event(12, 345, title="Quarterly planning")  # calendar 12, event 345

    with fake.client() as client:  # a meetbit.Client wired to the fake
        event = client.events.cancel_event(12, 345, cancel_note="Moved to next week")

    print(event.title, "|", event.cancel_note)  # Quarterly planning | Moved to next week


def cancel(calendar_id: int, event_id: int) -> Event | None:
    # Domain and keys from MEETBIT_DOMAIN (or MEETBIT_BASE_URL), MEETBIT_ACCESS_KEY_ID and
    # MEETBIT_ACCESS_KEY_SECRET.
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
    async with meetbit.AsyncClient() as client:
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


def main() -> None:
    quick_start()
    tenant = FakeMeetBit()
    tenant.add_event(12, 345, title="Quarterly planning")
    tenant.add_event(12, 346, title="Team lunch")
    with tenant.serve() as base_url:
        os.environ.pop("MEETBIT_DOMAIN", None)
        os.environ["MEETBIT_BASE_URL"] = base_url
        os.environ["MEETBIT_ACCESS_KEY_ID"] = tenant.access_key_id
        os.environ["MEETBIT_ACCESS_KEY_SECRET"] = tenant.access_key_secret
        cancelled = cancel(12, 345)
        print(describe(cancelled) if cancelled else "not found")
        print("missing event:", cancel(12, 999))
        print([event.title for event in asyncio.run(cancel_many(12, [345, 346]))])
        with counted_client() as client:
            print("generated function:", cancel_with_the_generated_function(client))


if __name__ == "__main__":
    main()
