"""Rate control on the wire: a quota shared by many concurrent calls of one client."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Iterator

import meetbit
import pytest
from test_client import OK, make_async_client, make_client
from wire import Received, Reply, WireServer


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
                *(client.events.cancel_event(1, n, cancel_note="x") for n in range(1, 61)),
                return_exceptions=True,
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
                    client.events.cancel_event(1, n, cancel_note="x")
                except meetbit.MeetBitError as error:
                    errors.append(error)

        threads = [threading.Thread(target=work, args=(i * 10 + 1,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert counts["200"] == 30
