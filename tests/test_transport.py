"""The retry transport's guarantees, each for the sync and the async client (the twins).

docs/retries.md and docs/reliability.md state them: a body above the response cap is
refused (unread when its Content-Length says so; also when it was built in memory, by
`transport=`, `httpx.MockTransport` or the fake), a 429's Retry-After holds every later
send, a quota the server states is obeyed, and every failed attempt is reported with its
wait and where that came from. Sync and async differ only in how they wait and read, so
every case runs on both.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import time
import zlib
from collections.abc import Callable
from typing import Any

import httpx
import meetbit
import pytest
from clients import BUDGET, KEY, OK, make_async_client, make_client
from conftest import EVENT
from meetbit._rate.controller import RateController, Slot
from meetbit._rate.quota import Quota
from meetbit._retry import RetryPolicy
from meetbit._transport import MAX_RESPONSE_BYTES, AsyncRetryTransport, RetryTransport
from servers import free_port, redis_server
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour

OVER_THE_CAP = b"x" * (MAX_RESPONSE_BYTES + 1)
POLICY = RetryPolicy(total_timeout=BUDGET["total_timeout"])
"""The default policy (the tests' budget): the backoff ceilings are its backoff_base,
doubling, at most backoff_max."""


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def cancel(twin: str, client_of: Callable[[], Any], event_id: int = 2) -> Any:
    """One cancel_event call, sync or async, on a client `client_of()` builds and closes."""
    if twin == "sync":
        with client_of() as client:
            return client.events.cancel_event(1, event_id, cancel_note="x")

    async def main() -> Any:
        async with client_of() as client:
            return await client.events.cancel_event(1, event_id, cancel_note="x")

    return asyncio.run(main())


def calls(twin: str, client_of: Callable[[], Any], count: int) -> list[Any]:
    """`count` cancel_event calls in a row on one client; each result or the error it raised."""

    def one(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except meetbit.MeetBitError as error:
            return error

    if twin == "sync":
        with client_of() as client:
            return [
                one(functools.partial(client.events.cancel_event, 1, n, cancel_note="x"))
                for n in range(1, count + 1)
            ]

    async def main() -> list[Any]:
        results = []
        async with client_of() as client:
            for n in range(1, count + 1):
                try:
                    results.append(await client.events.cancel_event(1, n, cancel_note="x"))
                except meetbit.MeetBitError as error:
                    results.append(error)
        return results

    return asyncio.run(main())


def client_of(twin: str, server: WireServer, **settings: Any) -> Callable[[], Any]:
    make = make_client if twin == "sync" else make_async_client
    return lambda: make(server, **settings)


def client_at(twin: str, base_url: str, **settings: Any) -> Callable[[], Any]:
    """`client_of` for a URL where no WireServer is (nothing listening, a mock transport)."""
    kind = meetbit.Client if twin == "sync" else meetbit.AsyncClient
    return lambda: kind(base_url=base_url, **{**KEY, **BUDGET, **settings})


def gap(server: WireServer) -> float:
    first, second = server.received
    return second.time - first.time


# --- the response cap ---------------------------------------------------------------------


def test_a_body_declared_above_the_cap_is_refused_unread(twin: str, server: WireServer) -> None:
    # The server declares its Content-Length and then sends nothing: a client that read
    # the body before refusing it would wait for it until its read timeout.
    server.queue(Reply(200, OVER_THE_CAP, fault="declare-only"))
    with pytest.raises(meetbit.MalformedResponseError, match="larger than") as raised:
        cancel(twin, client_of(twin, server, timeout=5))
    assert len(raised.value.attempts) == 1


def test_a_body_declared_at_the_cap_is_read(twin: str, server: WireServer) -> None:
    body = b'{"message": "ok", "data": {}}'
    padded = body[:-2] + b" " * (MAX_RESPONSE_BYTES - len(body)) + body[-2:]
    server.queue(Reply(200, padded, {"Content-Type": "application/json"}))
    # Read whole and parsed: the cap refuses more than it, not it (data is no event).
    with pytest.raises(meetbit.MalformedResponseError, match="malformed response"):
        cancel(twin, client_of(twin, server))


def in_memory(body: bytes, **headers: str) -> httpx.MockTransport:
    """A transport whose responses are built with their content, as the fake's and mocks' are."""
    return httpx.MockTransport(lambda request: httpx.Response(200, content=body, headers=headers))


def test_an_in_memory_body_above_the_cap_is_refused(twin: str) -> None:
    transport = in_memory(OVER_THE_CAP)

    client = client_at(twin, "http://meetbit.test", transport=transport)
    with pytest.raises(meetbit.MalformedResponseError, match="larger than") as raised:
        cancel(twin, client)
    (attempt,) = raised.value.attempts
    assert attempt.status_code == 200
    assert attempt.error == f"the response body is larger than {MAX_RESPONSE_BYTES} bytes"


def test_an_in_memory_body_within_the_cap_is_used(twin: str) -> None:
    transport = in_memory(httpx.Response(200, json=OK.body).content)

    client = client_at(twin, "http://meetbit.test", transport=transport)
    assert cancel(twin, client).id == EVENT["id"]


def test_the_fake_s_in_memory_client_is_capped_too(twin: str) -> None:
    from meetbit.testing import FakeMeetBit

    fake = FakeMeetBit()
    fake.fail_next(404, "x" * (MAX_RESPONSE_BYTES + 1))
    client = fake.client if twin == "sync" else fake.async_client
    with pytest.raises(meetbit.NotFoundError) as raised:
        cancel(twin, client)
    assert raised.value.message == f"(the response body is larger than {MAX_RESPONSE_BYTES} bytes)"


# --- Retry-After, quotas and the attempts reported ----------------------------------------


def test_retry_after_holds_the_retry(twin: str, server: WireServer) -> None:
    server.queue(Reply(429, "slow down", {"Retry-After": "0.3"}), OK)
    assert cancel(twin, client_of(twin, server)).id == EVENT["id"]
    assert gap(server) >= 0.3


def test_retry_after_holds_the_next_call_of_the_key(twin: str, server: WireServer) -> None:
    server.queue(Reply(429, "slow down", {"Retry-After": "0.3"}), OK)
    refused, done = calls(twin, client_of(twin, server, max_retries=0), 2)
    assert isinstance(refused, meetbit.RateLimitedError)
    assert done.id == EVENT["id"]
    assert gap(server) >= 0.3


def test_a_final_429_carries_its_retry_after(twin: str, server: WireServer) -> None:
    server.queue(Reply(429, "Too Many Attempts.", {"Retry-After": "7"}))
    with pytest.raises(meetbit.RateLimitedError) as raised:
        cancel(twin, client_of(twin, server, max_retries=0))
    error = raised.value
    assert error.retry_after == 7.0
    assert str(error).endswith("(retry after 7 s)")
    assert error.message == "Too Many Attempts."
    assert error.attempts == (meetbit.Attempt(1, 429, None, 0.0, "none"),)


def test_a_retried_429_is_reported_with_the_error_of_the_last_attempt(
    twin: str, server: WireServer
) -> None:
    server.queue(Reply(429, "slow down", {"Retry-After": "0.05"}), Reply(200, "not json"))
    with pytest.raises(meetbit.MalformedResponseError) as raised:
        cancel(twin, client_of(twin, server))
    first, last = raised.value.attempts
    assert (first.number, first.status_code, first.error, first.wait_source) == (
        1, 429, None, "retry-after",
    )  # fmt: skip
    assert first.wait >= 0.05
    assert (last.number, last.status_code, last.wait, last.wait_source) == (2, 200, 0.0, "none")
    assert last.error is not None


def test_a_5xx_after_a_429_is_the_server_error_with_both_attempts(
    twin: str, server: WireServer
) -> None:
    server.queue(Reply(429, "slow down", {"Retry-After": "0.05"}), Reply(503, "down"))
    with pytest.raises(meetbit.ServerError) as raised:
        cancel(twin, client_of(twin, server))
    assert [(a.number, a.status_code) for a in raised.value.attempts] == [(1, 429), (2, 503)]
    assert raised.value.attempts[-1].wait_source == "none"
    assert raised.value.attempts[-1].wait == 0.0


def test_without_rate_control_retry_after_still_holds_the_retry(
    twin: str, server: WireServer, unpaced: None
) -> None:
    # No controller to set a floor: the call itself waits what the 429 asked.
    server.queue(Reply(429, "slow down", {"Retry-After": "0.3"}), OK)
    assert cancel(twin, client_of(twin, server)).id == EVENT["id"]
    assert gap(server) >= 0.3


def test_a_call_without_a_total_timeout_is_answered(twin: str, server: WireServer) -> None:
    server.queue(OK)
    assert cancel(twin, client_of(twin, server, total_timeout=None)).id == EVENT["id"]


@pytest.mark.parametrize(
    "twin",
    [
        pytest.param(
            "sync",
            marks=pytest.mark.xfail(
                reason="a sync read cannot be cut short: each byte of the head resets the read "
                "timeout, and only the body is checked against the deadline (docs/reliability.md)"
            ),
        ),
        "async",
    ],
)
def test_a_head_that_drips_is_cut_at_the_call_s_budget(twin: str, server: WireServer) -> None:
    # Each byte comes well within the read timeout: only total_timeout can end it.
    server.queue(Reply(200, OK.body, fault="drip-head", drip_interval=0.05))
    with pytest.raises(meetbit.RequestTimeoutError) as raised:
        cancel(twin, client_of(twin, server, total_timeout=0.3))
    took = time.monotonic() - server.received[0].time
    assert took < 0.8, f"ended {took:.2f} s after it was sent: at its budget, not a second on"
    assert str(raised.value).endswith("(ReadTimeout: the call used up its total_timeout)")


def get_calendars(twin: str, client_of: Callable[[], Any]) -> Any:
    """An idempotent request through the client's own httpx client."""
    if twin == "sync":
        with client_of() as client:
            return client.get_httpx_client().get("/calendars")

    async def main() -> Any:
        async with client_of() as client:
            return await client.get_async_httpx_client().get("/calendars")

    return asyncio.run(main())


def test_network_failures_of_an_idempotent_request_are_retried_with_capped_backoff(
    twin: str,
) -> None:
    client = client_at(twin, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(meetbit.NetworkError) as raised:
        get_calendars(twin, client)
    attempts = raised.value.attempts
    assert [a.number for a in attempts] == [1, 2, 3], "max_retries=2: three attempts"
    assert [a.wait_source for a in attempts] == ["backoff", "backoff", "none"]
    assert all(a.status_code is None and a.error.startswith("ConnectError") for a in attempts)
    for retries_so_far, attempt in enumerate(attempts[:-1]):
        ceiling = min(POLICY.backoff_max, POLICY.backoff_base * 2**retries_so_far)
        assert 0.0 <= attempt.wait <= ceiling
    assert attempts[-1].wait == 0.0
    assert str(raised.value).startswith("GET http://127.0.0.1:")


def test_a_failed_post_is_not_resent_and_says_so(twin: str) -> None:
    client = client_at(twin, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(meetbit.NetworkError) as raised:
        cancel(twin, client)
    (attempt,) = raised.value.attempts
    assert (attempt.number, attempt.status_code, attempt.wait, attempt.wait_source) == (
        1, None, 0.0, "none",
    )  # fmt: skip


def test_a_5xx_of_an_idempotent_request_is_retried_up_to_max_retries(
    twin: str, server: WireServer
) -> None:
    server.queue(Reply(503, "down"), Reply(502, "bad gateway"), Reply(500, "broken"))
    with pytest.raises(meetbit.ServerError, match="broken") as raised:
        get_calendars(twin, client_of(twin, server))
    assert [(a.number, a.status_code) for a in raised.value.attempts] == [
        (1, 503), (2, 502), (3, 500),
    ]  # fmt: skip
    assert [a.wait_source for a in raised.value.attempts] == ["backoff", "backoff", "none"]
    assert len(server.received) == 3


def test_a_call_that_cannot_wait_for_retry_after_ends_at_once(
    twin: str, server: WireServer
) -> None:
    server.queue(Reply(429, "slow down", {"Retry-After": "30"}))
    started = time.monotonic()
    with pytest.raises(meetbit.RateLimitedError) as raised:
        cancel(twin, client_of(twin, server, max_retry_wait=5))
    assert raised.value.retry_after == 30.0
    assert time.monotonic() - started < 5, "it did not sleep past max_retry_wait"
    assert len(server.received) == 1


def test_an_in_memory_body_at_the_cap_is_used(twin: str) -> None:
    body = b'{"message": "ok", "data": {}}'
    padded = body[:-2] + b" " * (MAX_RESPONSE_BYTES - len(body)) + body[-2:]
    client = client_at(twin, "http://meetbit.test", transport=in_memory(padded))
    # Parsed, not refused: the cap refuses more than it (data is no event).
    with pytest.raises(meetbit.MalformedResponseError, match="malformed response"):
        cancel(twin, client)


# --- a call cancelled while it waits hands its moment back --------------------------------


def cancelled_then_next(server: WireServer, **settings: Any) -> float:
    """An async call cancelled while it waits out a 429's Retry-After: 1; then, after that
    second, another call: how long that one waited to be sent."""
    import anyio

    server.queue(Reply(429, "slow down", {"Retry-After": "1"}), OK)

    async def main() -> float:
        async with make_async_client(server, total_timeout=30, **settings) as client:
            with anyio.move_on_after(0.3):
                await client.events.cancel_event(1, 1, cancel_note="x")
            await anyio.sleep(max(0.0, server.received[0].time + 1.2 - time.monotonic()))
            started = time.monotonic()
            await client.events.cancel_event(1, 2, cancel_note="x")
            return server.received[-1].time - started

    waited = anyio.run(main)
    assert len(server.received) == 2, "the cancelled call sent nothing more"
    return waited


def test_an_async_call_cancelled_while_it_waits_hands_its_moment_back(
    server: WireServer,
) -> None:
    # Kept, the moment would hold the next call a slot (about a second at the first rate).
    assert cancelled_then_next(server) < 0.6


def test_through_redis_too_even_though_handing_back_awaits_redis(server: WireServer) -> None:
    # The hand-back awaits Redis inside a cancelled scope: it must be shielded to happen.
    with redis_server() as (url, _):
        assert cancelled_then_next(server, rate_limit_store=url) < 0.6


class CancelledWhileHandingBack(RateController):
    """A controller whose hand-back is where the caller's task is cancelled (a Redis round
    trip, in the real store): it notes the moments it got back all the same."""

    def __init__(self) -> None:
        super().__init__()
        self.scope: Any = None
        self.handed_back: list[Slot] = []

    async def arelease(self, slot: Slot) -> None:
        import anyio

        self.scope.cancel()
        await anyio.sleep(0)  # a checkpoint: the cancellation lands here unless shielded
        self.handed_back.append(slot)


def test_a_retry_given_up_hands_its_moment_back_even_when_cancelled_then(
    server: WireServer,
) -> None:
    # The 429 asks for 30 s, more than max_retry_wait: the call gives the retry up and hands
    # back the moment it had been given for it, while its task is being cancelled.
    import anyio

    server.queue(Reply(429, "slow down", {"Retry-After": "30"}))
    controller = CancelledWhileHandingBack()
    wire = AsyncRetryTransport(httpx.AsyncHTTPTransport(), RetryPolicy(max_wait=5), controller)

    async def main() -> None:
        async with httpx.AsyncClient(transport=wire) as client:
            with anyio.CancelScope() as controller.scope:
                await client.get(f"{server.base_url}/calendars")

    anyio.run(main)
    assert len(controller.handed_back) == 1


# --- each twin's own loop: waits honoured, the last answer recorded, quotas passed on -------


def test_a_lost_connection_is_retried_only_after_its_backoff(twin: str, server: WireServer) -> None:
    # The backoff drawn is the one waited: the server sees each retry at least that late.
    server.queue(*[Reply(200, "", fault="close-before-reply")] * 3)
    with pytest.raises(meetbit.NetworkError) as raised:
        get_calendars(twin, client_of(twin, server))
    waits = [attempt.wait for attempt in raised.value.attempts]
    assert len(server.received) == len(waits) == 3
    for index, wait in enumerate(waits[:-1]):
        seen = server.received[index + 1].time - server.received[index].time
        assert seen >= wait, (
            f"retry {index + 1} went {seen:.3f} s after, its backoff was {wait:.3f}"
        )


def test_a_4xx_ends_the_call_with_its_one_attempt(twin: str, server: WireServer) -> None:
    server.queue(Reply(400, "The cancel note is too long."))
    with pytest.raises(meetbit.ApiError, match="too long") as raised:
        cancel(twin, client_of(twin, server))
    assert raised.value.status_code == 400
    assert raised.value.attempts == (meetbit.Attempt(1, 400, None, 0.0, "none"),)


class Told(RateController):
    """A rate controller that notes what each answer told it."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[tuple[bool, float | None, Quota | None]] = []

    def on_response(self, throttled: bool, retry_after: float | None, quota: Any = None) -> None:
        self.told.append((throttled, retry_after, quota))
        super().on_response(throttled, retry_after, quota)


class FloorMoves(RateController):
    """Paces: hands out a moment 0.05 s away, and when it is confirmed the floor has moved
    (a Retry-After another caller saw meanwhile): wait 0.3 s more, then it may go."""

    def __init__(self) -> None:
        super().__init__()
        self.confirmed = 0

    def reserve(self) -> Slot:
        return Slot(0.05, 0.0)

    def confirm(self, slot: Slot) -> Slot | None:
        self.confirmed += 1
        return Slot(0.3, 0.0, 0.0, "retry-after") if self.confirmed == 1 else None


def test_a_paced_send_waits_for_a_floor_that_moved_while_it_waited(
    twin: str, server: WireServer
) -> None:
    server.queue(OK)
    controller = FloorMoves()
    started = time.monotonic()
    status = get_through(twin, controller, f"{server.base_url}/calendars")
    assert status == 200
    assert controller.confirmed == 2, "confirmed again after the wait the first confirm asked"
    assert server.received[0].time - started >= 0.35


class Scripted(RateController):
    """Hands out the given slots in turn (the last one again and again); notes hand-backs."""

    def __init__(self, *slots: Slot) -> None:
        super().__init__()
        self.slots = list(slots)
        self.asked = 0
        self.released: list[Slot] = []

    def reserve(self) -> Slot:
        self.asked += 1
        return self.slots[min(self.asked, len(self.slots)) - 1]

    def confirm(self, slot: Slot) -> Slot | None:
        return None

    def release(self, slot: Slot) -> None:
        self.released.append(slot)


def get_through(twin: str, controller: RateController, url: str, **policy: Any) -> int:
    """One GET of `url` through the retry transport with `controller`; its status."""
    settings = RetryPolicy(**{**BUDGET, **policy})
    if twin == "sync":
        with httpx.Client(
            transport=RetryTransport(httpx.HTTPTransport(), settings, controller)
        ) as c:
            return c.get(url).status_code

    async def main() -> int:
        wire = AsyncRetryTransport(httpx.AsyncHTTPTransport(), settings, controller)
        async with httpx.AsyncClient(transport=wire) as c:
            return (await c.get(url)).status_code

    return asyncio.run(main())


def test_a_held_send_asks_again_after_the_time_it_was_told(twin: str, server: WireServer) -> None:
    # Held (the first round unanswered, a probe out): a negative wait, "ask again then".
    server.queue(OK)
    controller = Scripted(Slot(-0.1), Slot(-0.1), Slot(0.0, 0.0))
    started = time.monotonic()
    assert get_through(twin, controller, f"{server.base_url}/calendars") == 200
    assert controller.asked == 3
    assert server.received[0].time - started >= 0.2
    assert controller.released == []


def test_a_moment_too_far_off_is_handed_back_and_nothing_sent(
    twin: str, server: WireServer
) -> None:
    far = Slot(10.0, 0.0)
    controller = Scripted(far)
    with pytest.raises(meetbit.RequestTimeoutError, match="would exceed max_retry_wait"):
        get_through(twin, controller, f"{server.base_url}/calendars", max_wait=5.0)
    assert controller.released == [far]
    assert server.received == []


def test_every_answer_reaches_the_controller_with_its_quota(twin: str, server: WireServer) -> None:
    # What each answer says of the key's rate goes to the rate controller: its quota, and for
    # a 429 only, its Retry-After (a 503's is no statement about the key's rate).
    server.queue(
        Reply(200, OK.body, {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "3"}),
        Reply(429, "slow down", {"Retry-After": "0.05", "X-RateLimit-Remaining": "0"}),
        Reply(503, "down", {"Retry-After": "7"}),
        Reply(200, OK.body),
    )
    controller = Told()
    url = f"{server.base_url}/calendars"
    statuses = [get_through(twin, controller, url), get_through(twin, controller, url)]
    assert statuses == [200, 200]
    assert controller.told == [
        (False, None, Quota(5, 3, None)),
        (True, 0.05, Quota(None, 0, None)),
        (False, None, None),
        (False, None, None),
    ]


def test_a_retried_429_s_retry_after_is_not_the_success_s(twin: str, server: WireServer) -> None:
    # The outcome a success hands back says nothing of a 429 that came before it.
    server.queue(Reply(429, "slow down", {"Retry-After": "0.05"}), Reply(200, "not json"))
    with pytest.raises(meetbit.MalformedResponseError) as raised:
        cancel(twin, client_of(twin, server))
    assert raised.value.response is not None
    outcome = raised.value.response.extensions["meetbit.outcome"]
    assert outcome.retry_after is None


# --- Content-Encoding: what the client asked for (gzip, deflate), decoded within the cap ---

PLAIN = b"x" * 64
LIMIT = 64
"""The cap of these tests: PLAIN is exactly at it."""


def deflated(data: bytes, wbits: int) -> bytes:
    compressor = zlib.compressobj(wbits=wbits)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "body", "plain", "problem"),
    [
        ("identity", PLAIN, PLAIN, None),
        ("gzip", gzip.compress(PLAIN), PLAIN, None),
        ("x-gzip", gzip.compress(PLAIN), PLAIN, None),
        ("GZip", gzip.compress(PLAIN), PLAIN, None),
        ("gzip, identity", gzip.compress(PLAIN), PLAIN, None),
        ("identity, gzip", gzip.compress(PLAIN), PLAIN, None),
        ("gzip, gzip", gzip.compress(gzip.compress(PLAIN)), PLAIN, None),
        ("deflate", deflated(PLAIN, zlib.MAX_WBITS), PLAIN, None),
        ("deflate", deflated(PLAIN, -zlib.MAX_WBITS), PLAIN, None),  # raw, as some send it
        ("br", b"\x0b", b"", "the body is in an encoding the client did not ask for (br)"),
        ("gzip", gzip.compress(PLAIN + b"x"), b"", f"the decoded response body is larger than {LIMIT} bytes"),
        ("gzip", gzip.compress(PLAIN * 4), b"", f"the decoded response body is larger than {LIMIT} bytes"),
        ("gzip", gzip.compress(PLAIN)[:-8], b"", "the gzip body is truncated"),
    ],
)  # fmt: skip
def test_a_body_is_decoded_as_its_content_encoding_says_within_the_cap(
    encoding: str, body: bytes, plain: bytes, problem: str | None, server: WireServer
) -> None:
    server.queue(Reply(200, body, {"Content-Encoding": encoding}))
    transport = RetryTransport(httpx.HTTPTransport(), POLICY, RateController(), LIMIT)
    with httpx.Client(transport=transport) as client:
        response = client.get(f"{server.base_url}/calendars")
    assert response.extensions["meetbit.outcome"].problem == problem
    assert response.content == plain
    assert "Content-Encoding" not in response.headers, "decoded: httpx must not decode again"
