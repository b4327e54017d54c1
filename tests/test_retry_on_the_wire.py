"""429 retry, timed from the server's own records of when each attempt arrived."""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import logging
import os
import time
from typing import Any

import meetbit
import pytest
from clients import KEY_ID, OK, SECRET, make_async_client, make_client
from meetbit._rate.controller import BACKOFF_BASE, MAX_BACKOFF, MAX_JITTER
from meetbit._retry import parse_retry_after
from meetbit_api.api.events import cancel_event
from meetbit_api.models import CancelEventBody
from servers import free_port
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour

SLACK = 1.0  # upper tolerance for a loaded 2-core machine (several suites at once); lower bounds are strict
QUICK = "0.01"
"""A Retry-After for tests where the wait is not what is tested: "0" means a backoff of up to
a second, doubling (docs/retries.md), which the tests of that backoff wait for."""


def limited(retry_after: str | None = None) -> Reply:
    return Reply(
        429, "Too many requests.", {} if retry_after is None else {"Retry-After": retry_after}
    )


def gaps(server: WireServer) -> list[float]:
    times = [request.time for request in server.received]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


class TestRetryAfterParsing:
    """Retry-After as delta-seconds, decimal seconds or HTTP-date; anything else is no hint."""

    @pytest.mark.parametrize(
        ("value", "seconds"), [("2", 2.0), ("0", 0.0), (" 7 ", 7.0), ("0.25", 0.25), ("120", 120.0)]
    )
    def test_seconds(self, value: str, seconds: float) -> None:
        assert parse_retry_after(value) == seconds

    def test_http_date(self) -> None:
        now = 1_800_000_000.0
        assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == 30.0
        assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0

    def test_an_http_date_in_minus_0000_is_utc_whatever_the_machine_s_zone(self) -> None:
        # RFC 5322: "-0000" is UTC with no known local zone; Python reads it as a naive
        # datetime, which timestamp() would take as the machine's local time.
        now = 1_800_000_000.0
        zone = os.environ.get("TZ")
        os.environ["TZ"] = "America/New_York"
        time.tzset()
        try:
            stated = email.utils.formatdate(now + 30)  # "... -0000"
            assert stated.endswith("-0000")
            assert parse_retry_after(stated, now=now) == 30.0
        finally:
            if zone is None:
                del os.environ["TZ"]
            else:
                os.environ["TZ"] = zone
            time.tzset()

    @pytest.mark.parametrize(
        "value",
        [None, "", "soon", "-1", "1e9", "NaN", "inf", "0x10", "1,5", "Wed, 99 Foo 2026", "٣", "1٣"],
    )
    def test_garbage_is_no_hint(self, value: str | None) -> None:
        assert parse_retry_after(value) is None


class TestRetryOnTheWire:
    def test_retry_after_seconds_is_honoured(self, server: WireServer) -> None:
        server.queue(limited("0.3"), OK)
        with make_client(server) as client:
            client.events.cancel_event(1, 2, cancel_note="x")
        (gap,) = gaps(server)
        assert 0.3 <= gap < 0.3 + SLACK

    def test_retry_after_in_the_past_retries_after_a_short_backoff(
        self, server: WireServer
    ) -> None:
        # A date in the past, like "0", says "the window is turning": soon, not at once. The
        # wait is the documented backoff, and is labelled so (not "retry-after").
        server.queue(limited(email.utils.formatdate(time.time() - 60, usegmt=True)), OK)
        attempts: list[meetbit.Attempt] = []
        with make_client(server, on_retry=attempts.append) as client:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert attempts[0].wait_source == "backoff"
        assert 0.0 < attempts[0].wait <= BACKOFF_BASE
        assert attempts[0].wait <= gaps(server)[0] < attempts[0].wait + SLACK

    @pytest.mark.parametrize("garbage", ["soon", "-1", "1e9", ""])
    def test_garbage_retry_after_falls_back_to_bounded_backoff(
        self, server: WireServer, garbage: str
    ) -> None:
        server.queue(limited(garbage), OK)
        attempts: list[meetbit.Attempt] = []
        with make_client(server, on_retry=attempts.append) as client:
            client.events.cancel_event(1, 2, cancel_note="x")
        (attempt,) = attempts
        assert attempt.wait_source == "backoff"
        assert 0 <= attempt.wait <= 0.5, "first backoff ceiling is 0.5 s"
        assert attempt.wait <= gaps(server)[0] < attempt.wait + SLACK

    def test_refusals_in_a_row_wait_longer_each_time(self, server: WireServer) -> None:
        server.queue(limited(), limited(), OK)
        attempts: list[meetbit.Attempt] = []
        with make_client(server, on_retry=attempts.append) as client:
            client.events.cancel_event(1, 2, cancel_note="x")
        # Nothing accepted yet, so nothing known of the rate: the backoff, doubling (a guessed
        # rate paced a storm's callers at a crawl after it).
        assert [a.wait_source for a in attempts] == ["backoff", "backoff"]
        assert attempts[0].wait <= BACKOFF_BASE
        assert attempts[0].wait < attempts[1].wait <= 2 * BACKOFF_BASE + 1e-6
        for attempt, gap in zip(attempts, gaps(server), strict=True):
            assert attempt.wait <= gap < attempt.wait + SLACK

    def test_max_retries_zero_turns_retrying_off_for_429_too(self, server: WireServer) -> None:
        server.queue(limited("0"), OK)
        with (
            make_client(server, max_retries=0) as client,
            pytest.raises(meetbit.RateLimitedError) as raised,
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert len(server.received) == 1
        assert [a.status_code for a in raised.value.attempts] == [429]
        assert raised.value.retry_after == 0.0

    @pytest.mark.parametrize("max_retries", [1, 2])
    def test_429s_do_not_count_against_max_retries(
        self, server: WireServer, unpaced: None, max_retries: int
    ) -> None:
        # Waiting out a rate limit is what the caller wants while the budget allows: only
        # failures (5xx, network) are counted by max_retries.
        server.queue(*[limited(QUICK)] * 5, OK)
        with make_client(server, max_retries=max_retries) as client:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert len(server.received) == 6

    def test_429s_are_retried_until_the_budget_is_used_up(self, server: WireServer) -> None:
        server.queue(*[limited("0.2")] * 20)
        started = time.monotonic()
        with (
            make_client(server, total_timeout=1.0) as client,
            pytest.raises(meetbit.RateLimitedError) as raised,
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert time.monotonic() - started < 1.0 + SLACK
        assert 2 <= len(server.received) <= 5  # the rate controller may space them further
        assert [a.status_code for a in raised.value.attempts] == [429] * len(server.received)
        assert raised.value.attempts[-1].wait_source == "none"

    def test_without_a_budget_429s_are_retried_a_bounded_number_of_times(
        self, server: WireServer, unpaced: None
    ) -> None:
        server.queue(*[limited(QUICK)] * 15)
        with (
            make_client(server, total_timeout=None) as client,
            pytest.raises(meetbit.RateLimitedError),
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert len(server.received) == 11

    def test_default_allows_at_least_two_retries(self, server: WireServer, unpaced: None) -> None:
        server.queue(limited(QUICK), limited(QUICK), OK)
        with make_client(server) as client:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert len(server.received) == 3

    def test_wait_longer_than_the_cap_raises_at_once(self, server: WireServer) -> None:
        server.queue(limited("3"), OK)
        started = time.monotonic()
        with (
            make_client(server, max_retry_wait=0.5, total_timeout=None) as client,
            pytest.raises(meetbit.RateLimitedError) as raised,
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert time.monotonic() - started < SLACK
        assert raised.value.retry_after == 3.0
        assert "retry after 3 s" in str(raised.value)
        assert len(server.received) == 1

    def test_wait_that_does_not_fit_the_budget_raises_at_once(self, server: WireServer) -> None:
        server.queue(limited("2"), OK)
        started = time.monotonic()
        with (
            make_client(server, total_timeout=1.0) as client,
            pytest.raises(meetbit.RateLimitedError) as raised,
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert time.monotonic() - started < SLACK
        assert raised.value.retry_after == 2.0

    def test_every_operation_and_method_is_retried(self, server: WireServer, unpaced: None) -> None:
        server.queue(limited(QUICK), OK, limited(QUICK), Reply(200, "deleted"))
        with make_client(server) as client:
            cancel_event.sync_detailed(1, 2, client=client, body=CancelEventBody("x"))
            assert client.get_httpx_client().delete("/some/future/operation").text == "deleted"
        assert [r.method for r in server.received] == ["POST", "POST", "DELETE", "DELETE"]

    def test_each_retry_is_logged_and_reported(
        self, server: WireServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        server.queue(limited("0.1"), OK)
        seen: list[meetbit.Attempt] = []
        with (
            caplog.at_level(logging.INFO, logger="meetbit"),
            make_client(server, on_retry=seen.append) as client,
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        (attempt,) = seen
        assert (attempt.number, attempt.status_code, attempt.wait_source) == (1, 429, "retry-after")
        assert 0.1 <= attempt.wait <= 0.1 + MAX_JITTER  # the floor, jittered
        (record,) = [r for r in caplog.records if r.name == "meetbit"]
        assert "attempt 1" in record.getMessage()
        assert f"{attempt.wait:.2f} s" in record.getMessage()

    def test_failed_attempts_are_closed_so_the_connection_is_reused(
        self, server: WireServer, unpaced: None
    ) -> None:
        for _ in range(5):
            server.queue(limited(QUICK), limited(QUICK), OK)
        with make_client(server) as client:
            for _ in range(5):
                client.events.cancel_event(1, 2, cancel_note="x")
        assert len(server.received) == 15
        assert len({r.port for r in server.received}) == 1

    def test_shared_cool_down_holds_back_the_next_call(self, server: WireServer) -> None:
        server.queue(limited("0.3"), OK)
        with make_client(server, max_retries=0) as client:
            with pytest.raises(meetbit.RateLimitedError):
                client.events.cancel_event(1, 2, cancel_note="x")
            client.events.cancel_event(1, 2, cancel_note="x")
        (gap,) = gaps(server)
        assert 0.3 <= gap < 0.3 + SLACK

    def test_idempotent_request_retries_connection_failures(self) -> None:
        client = meetbit.Client(
            base_url=f"http://127.0.0.1:{free_port()}",
            access_key_id=KEY_ID,
            access_key_secret=SECRET,
        )
        with client, pytest.raises(meetbit.NetworkError) as raised:
            client.get_httpx_client().get("/calendars")
        assert len(raised.value.attempts) == 3
        assert all(a.error and a.error.startswith("ConnectError") for a in raised.value.attempts)


class TestAsyncRetry:
    def test_async_retry_after_waits_without_blocking_the_loop(self, server: WireServer) -> None:
        server.queue(limited("0.3"), OK)
        ticks = 0

        async def ticker(stop: asyncio.Event) -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        async def main() -> Any:
            stop = asyncio.Event()
            task = asyncio.create_task(ticker(stop))
            async with make_async_client(server) as client:
                event = await client.events.cancel_event(1, 2, cancel_note="x")
            stop.set()
            await task
            return event

        assert asyncio.run(main()).id == 345
        (gap,) = gaps(server)
        assert 0.3 <= gap < 0.3 + SLACK
        assert ticks >= 10, "the event loop kept running while the client waited"

    def test_async_generated_function_is_retried_and_errors_are_typed(
        self, server: WireServer
    ) -> None:
        server.queue(limited(QUICK), OK, Reply(404, "Resource object does not exist."))

        async def main() -> None:
            async with make_async_client(server) as client:
                response = await cancel_event.asyncio_detailed(
                    1, 2, client=client, body=CancelEventBody("x")
                )
                assert response.status_code == 200
                with pytest.raises(meetbit.NotFoundError):
                    await cancel_event.asyncio_detailed(
                        1, 2, client=client, body=CancelEventBody("x")
                    )

        asyncio.run(main())
        assert len(server.received) == 3

    def test_async_gives_up_with_attempts(self, server: WireServer) -> None:
        # The second attempt leaves 0.4 s for its answer, the third's wait does not fit: a
        # RateLimitedError however loaded the machine (0.2 in 0.5 s left 0.1 s for an answer,
        # and a slow one ended the call as a timeout instead).
        server.queue(*[limited("0.6")] * 10)

        async def main() -> None:
            async with make_async_client(server, total_timeout=1.0) as client:
                await client.events.cancel_event(1, 2, cancel_note="x")

        with pytest.raises(meetbit.RateLimitedError) as raised:
            asyncio.run(main())
        assert 2 <= len(raised.value.attempts) == len(server.received) <= 4


class TestAttemptsAndLabels:
    """`error.attempts` holds every failed attempt, the last included; labels say what waited."""

    def test_a_final_500_of_a_post_is_its_attempt(self, server: WireServer) -> None:
        server.queue(Reply(500, "An unexpected error occurred."))
        with make_client(server) as client, pytest.raises(meetbit.ServerError) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert [(a.number, a.status_code, a.wait_source) for a in raised.value.attempts] == [
            (1, 500, "none")
        ]

    def test_a_final_404_is_its_attempt(self, server: WireServer) -> None:
        server.queue(Reply(404, "Resource object does not exist."))
        with make_client(server) as client, pytest.raises(meetbit.NotFoundError) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert [a.status_code for a in raised.value.attempts] == [404]

    def test_retried_500s_then_the_final_one_are_all_there(self, server: WireServer) -> None:
        server.queue(*[Reply(503, "busy")] * 3)
        with (
            make_client(server, max_retries=2) as client,
            pytest.raises(meetbit.ServerError) as raised,
        ):
            client.get_httpx_client().get("/calendars")
        assert [(a.status_code, a.wait_source) for a in raised.value.attempts] == [
            (503, "backoff"), (503, "backoff"), (503, "none")
        ]  # fmt: skip

    def test_a_malformed_success_is_its_attempt(self, server: WireServer) -> None:
        server.queue(Reply(200, {"message": "ok", "data": {"id": "not an int"}}))
        with make_client(server) as client, pytest.raises(meetbit.MalformedResponseError) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        ((number, status, error),) = [
            (a.number, a.status_code, a.error) for a in raised.value.attempts
        ]
        assert (number, status) == (1, 200)
        assert error

    def test_retry_after_zero_waits_the_documented_backoff_and_says_so(
        self, server: WireServer
    ) -> None:
        # Five Retry-After: 0 in a row waited 0.10, 1.11, 2.00, 1.08, 2.00 s, each labelled
        # "(retry-after)". Now: the backoff, doubling, labelled "backoff"; where pacing made a
        # wait longer than that, "rate-control".
        server.queue(*[limited("0")] * 5, OK)
        attempts: list[meetbit.Attempt] = []
        with make_client(server, on_retry=attempts.append) as client:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert len(attempts) == 5
        assert "retry-after" not in {a.wait_source for a in attempts}
        for streak, (attempt, gap) in enumerate(zip(attempts, gaps(server), strict=True)):
            if attempt.wait_source == "backoff":
                assert attempt.wait <= min(MAX_BACKOFF, BACKOFF_BASE * 2**streak) + 1e-6
            assert attempt.wait <= gap < attempt.wait + SLACK

    def test_tests_can_turn_pacing_off(
        self, server: WireServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # MEETBIT_RATE_CONTROL=off: no shared pacing (a service's tests that script 429s);
        # a Retry-After is still waited for, by the call that got it.
        monkeypatch.setenv("MEETBIT_RATE_CONTROL", "off")
        server.queue(limited("0"), OK, limited("0.3"), OK)
        with make_client(server) as client:
            client.events.cancel_event(1, 2, cancel_note="x")
            client.events.cancel_event(1, 3, cancel_note="x")
        first, _, second = gaps(server)
        assert first < BACKOFF_BASE
        assert 0.3 <= second < 0.3 + SLACK
