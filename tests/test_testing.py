"""meetbit.testing, the fake MeetBit services use in their own tests: both modes, as documented."""

from __future__ import annotations

import asyncio
import time

import httpx
import meetbit
import pytest
from meetbit.testing import FakeMeetBit


@pytest.fixture
def fake() -> FakeMeetBit:
    fake = FakeMeetBit()
    fake.add_event(calendar_id=12, event_id=345, title="Planning")
    return fake


class TestInProcess:
    def test_cancel_updates_the_event_and_records_the_request(self, fake: FakeMeetBit) -> None:
        with fake.client() as client:
            event = client.cancel_event(12, 345, "Moved")
        assert (event.title, event.cancel_note) == ("Planning", "Moved")
        assert event.canceled_by_type == "App\\Models\\Tenant\\User"
        assert fake.events[(12, 345)]["cancel_note"] == "Moved"
        (request,) = fake.requests
        assert (request.method, request.path, request.json) == (
            "POST",
            "/api/public/v2.0/calendars/12/events/345/cancel",
            {"cancel_note": "Moved"},
        )
        assert request.headers["x-access-key-id"] == fake.access_key_id
        assert fake.access_key_secret not in repr(request)

    def test_unknown_event_is_404(self, fake: FakeMeetBit) -> None:
        with (
            fake.client() as client,
            pytest.raises(meetbit.NotFoundError, match="Resource object does not exist"),
        ):
            client.cancel_event(12, 999, "x")

    def test_wrong_key_is_401(self, fake: FakeMeetBit) -> None:
        with (
            fake.client(access_key_secret="wrong") as client,
            pytest.raises(meetbit.UnauthorizedError),
        ):
            client.cancel_event(12, 345, "x")

    @pytest.mark.parametrize(
        ("status", "error"),
        [
            (401, meetbit.UnauthorizedError),
            (404, meetbit.NotFoundError),
            (500, meetbit.ServerError),
        ],
    )
    def test_scripted_failures(
        self, fake: FakeMeetBit, status: int, error: type[meetbit.ApiError]
    ) -> None:
        fake.fail_next(status, "scripted")
        with fake.client() as client, pytest.raises(error, match="scripted"):
            client.cancel_event(12, 345, "x")

    def test_scripted_429_is_retried_after_retry_after(self, fake: FakeMeetBit) -> None:
        fake.fail_next(429, retry_after=0.2, times=2)
        with fake.client() as client:
            client.cancel_event(12, 345, "x")
        times = [r.time for r in fake.requests]
        assert len(times) == 3
        assert times[1] - times[0] >= 0.2
        assert times[2] - times[1] >= 0.2

    def test_async_client(self, fake: FakeMeetBit) -> None:
        async def main() -> str | None:
            async with fake.async_client() as client:
                event = await client.cancel_event(12, 345, "Async")
            return event.cancel_note if isinstance(event.cancel_note, str) else None

        assert asyncio.run(main()) == "Async"

    def test_raw_transport_serves_plain_httpx(self, fake: FakeMeetBit) -> None:
        with httpx.Client(transport=fake.transport(), base_url="http://x") as raw:
            assert (
                raw.post("/api/public/v2.0/calendars/12/events/345/cancel", json={}).status_code
                == 401
            )


class TestLoopbackServer:
    def test_a_real_client_over_a_real_socket(self, fake: FakeMeetBit) -> None:
        fake.fail_next(429, retry_after=0.1)
        with fake.serve() as base_url:
            assert base_url.startswith("http://127.0.0.1:")
            client = meetbit.Client(
                base_url=base_url,
                access_key_id=fake.access_key_id,
                access_key_secret=fake.access_key_secret,
            )
            with client:
                event = client.cancel_event(12, 345, "Over the wire")
        assert event.cancel_note == "Over the wire"
        assert [r.path for r in fake.requests] == [
            "/api/public/v2.0/calendars/12/events/345/cancel"
        ] * 2

    def test_invalid_body_is_422(self, fake: FakeMeetBit) -> None:
        with fake.serve() as base_url:
            response = httpx.post(
                f"{base_url}/calendars/12/events/345/cancel",
                json={"cancel_note": 5},
                headers={
                    "X-Access-Key-Id": fake.access_key_id,
                    "X-Access-Key-Secret": fake.access_key_secret,
                },
            )
        assert response.status_code == 422

    def test_server_stops_with_the_block(self, fake: FakeMeetBit) -> None:
        with fake.serve() as base_url:
            pass
        started = time.monotonic()
        with pytest.raises(httpx.ConnectError):
            httpx.get(base_url, timeout=2)
        assert time.monotonic() - started < 2
