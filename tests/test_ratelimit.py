"""The shared rate-limit gate: one 429 holds back the client's other requests, and it learns the quota."""

from __future__ import annotations

import asyncio
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
        gate.limited(0.0, gate.window)
        now = time.monotonic()
        assert [gate.admits(now) for _ in range(5)] == [True] * 5
        # The next window after a refusal is paced: it closes itself for the learned length.
        assert gate.admits(now) is None
        assert gate.until > now

    def test_probe_window_sends_the_rest_one_at_a_time(self) -> None:
        gate = RateLimitGate()
        for _ in range(3):
            gate.succeeded(gate.window)
        gate.limited(0.0, gate.window)
        for _ in range(3):
            assert gate.admits(time.monotonic())
            gate.succeeded(gate.window)
        assert gate.admits(time.monotonic()) is None  # paced window ends
        for _ in range(3):  # the probe window: the learned three at once...
            assert gate.admits(gate.until + 0.001)
        assert gate.admits(gate.until + 0.001) is False  # ...then one at a time

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
                429, "Too many requests.", {"Retry-After": f"{(1 - state['tokens']) / rate:.2f}"}
            )

    return script, counts


@pytest.fixture
def server() -> Iterator[WireServer]:
    wire = WireServer().start()
    yield wire
    wire.stop()


def test_concurrent_async_calls_under_a_quota_all_complete_with_few_429s(
    server: WireServer,
) -> None:
    script, counts = token_bucket(rate=40, burst=10)
    server.script = script  # type: ignore[assignment]

    async def main() -> list[object]:
        async with make_async_client(server) as client:
            return await asyncio.gather(
                *(client.cancel_event(1, n, "x") for n in range(1, 61)), return_exceptions=True
            )

    results = asyncio.run(main())
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert counts["200"] == 60
    # 60 concurrent requests, 10 of burst: the first wave costs up to 50 refusals, later
    # windows about one probe every other window; per-request retry costs hundreds here.
    assert counts["429"] <= 50 + 10


def test_threads_share_the_gate_of_a_sync_client(server: WireServer) -> None:
    script, counts = token_bucket(rate=40, burst=5)
    server.script = script  # type: ignore[assignment]
    errors: list[BaseException] = []
    with make_client(server) as client:

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
