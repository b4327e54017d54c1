"""The shared rate-limit gate: one 429 holds back the client's other requests, and it learns the quota."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Iterator

import meetbit
import pytest
from meetbit._ratelimit import RateLimitGate
from test_client import OK, make_async_client, make_client
from wire import Received, Reply, WireServer


class TestGate:
    def test_stays_out_of_the_way_until_the_first_429(self) -> None:
        gate = RateLimitGate()
        assert all(gate.admits(time.monotonic()) for _ in range(1000))

    def test_learns_how_many_the_quota_took_and_lets_that_many_go_at_once(self) -> None:
        gate = RateLimitGate()
        for _ in range(5):
            gate.succeeded(gate.window)
        gate.limited(0.5, gate.window)
        opened = gate.until
        assert [gate.admits(opened) for _ in range(5)] == [True] * 5
        # The next window after a refusal is paced: it closes itself for the learned length.
        assert gate.admits(opened) is None
        assert gate.until >= opened + 0.5

    def test_probe_window_sends_the_rest_one_at_a_time(self) -> None:
        gate = RateLimitGate()
        for _ in range(3):
            gate.succeeded(gate.window)
        gate.limited(0.1, gate.window)
        for _ in range(3):
            assert gate.admits(gate.until)
            gate.succeeded(gate.window)
        assert gate.admits(gate.until) is None  # paced window ends
        for _ in range(3):  # the probe window: the learned three at once...
            assert gate.admits(gate.until + 0.001)
        assert gate.admits(gate.until + 0.001) is False  # ...then one at a time

    def test_after_a_window_where_nothing_went_through_it_starts_slow(self) -> None:
        gate = RateLimitGate()
        gate.limited(0.1, gate.window)  # refused with nothing learned: previous window took 0
        at = gate.until
        assert gate.admits(at) is False  # one probe, one at a time
        gate.succeeded(gate.window)
        assert [gate.admits(at) for _ in range(3)] == [True, True, False]  # two more per success

    def test_late_refusals_move_the_start_but_not_the_lesson(self) -> None:
        gate = RateLimitGate()
        first = gate.window
        for _ in range(4):
            gate.succeeded(first)
        gate.limited(0.2, first)
        window, until = gate.window, gate.until
        gate.limited(0.3, first)  # sent in the same window, answered later
        assert gate.window == window
        assert gate.until > until
        assert [gate.admits(gate.until) for _ in range(4)] == [True] * 4

    def test_forgets_after_a_quiet_spell(self) -> None:
        gate = RateLimitGate()
        gate.limited(0.0, gate.window)
        assert gate.admits(time.monotonic() + 10) is True
        assert all(gate.admits(time.monotonic() + 10) for _ in range(100))


def token_bucket(rate: float, burst: float) -> tuple[object, dict[str, int]]:
    lock = threading.Lock()
    state = {"tokens": burst, "last": time.monotonic()}
    counts = {"200": 0, "429": 0}

    def script(received: Received) -> Reply:
        with lock:
            now = received.time
            state["tokens"] = min(burst, state["tokens"] + (now - state["last"]) * rate)
            state["last"] = now
            if state["tokens"] >= 1:
                state["tokens"] -= 1
                counts["200"] += 1
                return OK
            counts["429"] += 1
            return Reply(
                429,
                "Too many requests.",
                {
                    "Retry-After": str(math.ceil((1 - state["tokens"]) / rate))
                },  # whole seconds, as MeetBit
            )

    return script, counts


@pytest.fixture
def server() -> Iterator[WireServer]:
    wire = WireServer().start()
    yield wire
    wire.stop()


def test_concurrent_async_calls_under_a_quota_all_complete_with_far_fewer_429s(
    server: WireServer,
) -> None:
    import httpx

    async def naive() -> None:  # per-request retry, what common SDKs do
        async with httpx.AsyncClient(base_url=server.base_url) as client:

            async def one(n: int) -> None:
                while (
                    response := await client.post(f"/calendars/1/events/{n}/cancel", json={})
                ).status_code == 429:
                    await asyncio.sleep(float(response.headers["Retry-After"]))

            await asyncio.gather(*(one(n) for n in range(1, 61)))

    async def coordinated() -> list[object]:
        async with make_async_client(server) as client:
            return await asyncio.gather(
                *(client.cancel_event(1, n, "x") for n in range(1, 61)), return_exceptions=True
            )

    script, naive_counts = token_bucket(rate=20, burst=20)
    server.script = script  # type: ignore[assignment]
    asyncio.run(naive())
    script, counts = token_bucket(rate=20, burst=20)
    server.script = script  # type: ignore[assignment]
    results = asyncio.run(coordinated())
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert counts["200"] == 60
    # Per-request retry sends all 60 at once (40 refused) and keeps finding the limit.
    # The client sends at most max_connections (10) before it learns the limit, so the first
    # wave costs at most 10 refusals, and the paced windows that follow about none.
    print(f"429s: coordinated {counts['429']}, per-request retry {naive_counts['429']}")
    assert counts["429"] <= 10 + 3
    assert naive_counts["429"] >= 40


def test_threads_share_the_gate_of_a_sync_client(server: WireServer) -> None:
    script, counts = token_bucket(rate=20, burst=10)
    server.script = script  # type: ignore[assignment]
    errors: list[BaseException] = []
    # Threads race for the gate's counters, so an unlucky request may see more refusals
    # than with coroutines; a little more retry room keeps this test about sharing.
    with make_client(server, max_retries=4) as client:

        def work(start: int) -> None:
            for n in range(start, start + 5):
                try:
                    client.cancel_event(1, n, "x")
                except meetbit.MeetBitError as error:
                    errors.append(error)

        threads = [threading.Thread(target=work, args=(i * 10 + 1,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert counts["200"] == 30
