"""The rate controller on the wire: many threads and tasks against a real limiter, and cancellation."""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import meetbit
import pytest
from clients import KEY_ID, OK, SECRET, make_async_client, make_client
from machine import finish, run_threads
from meetbit._rate.controller import MAX_JITTER
from pacing import laravel_window
from wire import Received, Reply, WireServer

pytestmark = pytest.mark.behaviour

QUOTA = 25  # per second, per access key
CALLS = 100


@pytest.fixture
def flask_limiter() -> Iterator[tuple[str, dict[str, int], list[int]]]:
    """Flask-Limiter (fixed window, Retry-After on), served by werkzeug's threaded server.

    Yields its URL, the count of each status it answered, and the event of each success.
    """
    flask = pytest.importorskip("flask", reason="Flask is a dev dependency (requirements/dev.txt)")
    limiter_module = pytest.importorskip(
        "flask_limiter", reason="Flask-Limiter is a dev dependency"
    )
    from werkzeug.serving import make_server

    app = flask.Flask("limited")
    counts = {"200": 0, "429": 0}
    carried_out: list[int] = []
    lock = threading.Lock()
    limiter = limiter_module.Limiter(
        key_func=lambda: flask.request.headers.get("X-Access-Key-Id", ""),
        app=app,
        storage_uri="memory://",
        strategy="fixed-window",
        headers_enabled=True,
    )

    @app.after_request
    def count(response: Any) -> Any:
        with lock:
            counts[str(response.status_code)] = counts.get(str(response.status_code), 0) + 1
            if response.status_code == 200:
                carried_out.append(int((flask.request.view_args or {})["event_id"]))
        return response

    @app.post("/calendars/<int:calendar_id>/events/<int:event_id>/cancel")
    @limiter.limit(f"{QUOTA} per second")
    def cancel(calendar_id: int, event_id: int) -> Any:
        return flask.Response(json.dumps(OK.body), mimetype="application/json")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", counts, carried_out
    finally:
        server.shutdown()
        finish(thread, timeout=10)


def cancel_in_threads(
    client: meetbit.Client, ids: range, *, threads: int, timeout: float, together: bool = False
) -> list[BaseException]:
    """Cancel each of `ids` once from `threads` threads sharing `client`; the errors raised.

    `together`: every thread starts its first call at the same moment (a barrier).
    """
    pending, errors = iter(ids), list[BaseException]()
    barrier = threading.Barrier(threads) if together else None

    def work() -> None:
        if barrier is not None:
            barrier.wait(timeout=10)
        for event_id in pending:  # the iterator is shared: each id once
            try:
                client.events.cancel_event(1, event_id, cancel_note="x")
            except meetbit.MeetBitError as error:
                errors.append(error)

    run_threads(work, threads, timeout=timeout)
    return errors


def test_fifty_threads_on_one_client_all_complete_once(
    flask_limiter: tuple[str, dict[str, int], list[int]],
) -> None:
    # How few 429s it draws, against per-request retry, is make bench's to measure (a ratio
    # in the same run); here: every call completes, none gives up, none is carried out twice.
    base_url, counts, carried_out = flask_limiter
    with meetbit.Client(
        base_url=base_url, access_key_id=KEY_ID, access_key_secret=SECRET
    ) as client:
        errors = cancel_in_threads(client, range(1, CALLS + 1), threads=50, timeout=120)
    assert errors == []
    assert sorted(carried_out) == list(range(1, CALLS + 1))
    print(f"50 threads: {counts['429']} 429s")


def test_fifty_tasks_on_one_async_client_all_complete_once(
    flask_limiter: tuple[str, dict[str, int], list[int]],
) -> None:
    base_url, counts, carried_out = flask_limiter

    async def main() -> list[object]:
        async with meetbit.AsyncClient(
            base_url=base_url, access_key_id=KEY_ID, access_key_secret=SECRET
        ) as client:
            queue = list(range(1, CALLS + 1))

            async def work() -> None:
                while queue:
                    await client.events.cancel_event(1, queue.pop(), cancel_note="x")

            return await asyncio.gather(*(work() for _ in range(50)), return_exceptions=True)

    results = asyncio.run(main())
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sorted(carried_out) == list(range(1, CALLS + 1))
    print(f"50 tasks: {counts['429']} 429s")


def refuse_for(seconds: float, retry_after: str) -> Any:
    """429 with `retry_after` for `seconds` from the first request, then OK. From the first
    request, not from the test's start: on a loaded machine a first call (loading the
    resources it uses) may not go out within a tenth of a second."""
    first: list[float] = []

    def script(received: Received) -> Reply:
        if not first:
            first.append(received.time)
        if received.time < first[0] + seconds:
            return Reply(429, "Too many requests.", {"Retry-After": retry_after})
        return OK

    return script


def test_fifty_async_calls_cancelled_mid_wait_leave_nothing_behind(server: WireServer) -> None:
    # Every call is refused at first with Retry-After: 1; all 50 are then waiting at the
    # controller when they are cancelled. Before, each held a slot of the pool for good and
    # after max_connections such cancellations the client was wedged for total_timeout.
    server.script = refuse_for(2.0, "1")

    async def main() -> tuple[int, list[object], int]:
        async with make_async_client(server, total_timeout=30) as client:
            cancelled = await asyncio.gather(
                *(
                    asyncio.wait_for(client.events.cancel_event(1, n, cancel_note="x"), 1.5)
                    for n in range(1, 51)
                ),
                return_exceptions=True,
            )
            timeouts = sum(isinstance(r, TimeoutError) for r in cancelled)
            # A call cancelled while its request was on the wire sent it before: let the
            # server finish reading it, so that only what is sent afterwards counts.
            await asyncio.sleep(0.2)
            sent_by_cancelled = len(server.received)
            await asyncio.sleep(1.0)  # when the cancelled calls would have sent again
            leaked = len(server.received) - sent_by_cancelled
            later = await asyncio.gather(
                *(client.events.cancel_event(1, n, cancel_note="x") for n in range(51, 101)),
                return_exceptions=True,
            )
            return timeouts, later, leaked

    started = time.monotonic()
    timeouts, later, leaked = asyncio.run(main())
    assert timeouts == 50, "all 50 were waiting when cancelled"
    assert leaked == 0, "a cancelled call sends nothing afterwards"
    assert [r for r in later if isinstance(r, BaseException)] == []
    # Liveness, not speed: the next 50 complete within seconds, not after total_timeout.
    assert time.monotonic() - started < 15


def test_a_sync_wait_interrupted_by_a_signal_leaves_nothing_behind(server: WireServer) -> None:
    # A signal handler raising (a signal-based timeout, KeyboardInterrupt) while calls wait
    # for the floor of a Retry-After: 1. The moments they were handed must come back: the
    # next call after the floor was made to wait behind them (1.3 s on a quiet server).
    if not hasattr(signal, "setitimer"):
        pytest.skip("no interval timers on this platform")
    server.script = refuse_for(0.1, "1")

    class Interrupted(Exception):
        pass

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with make_client(server, total_timeout=30) as client:
            for n in range(1, 5):  # each is interrupted while it waits for the floor
                signal.setitimer(signal.ITIMER_REAL, 0.15)
                with pytest.raises(Interrupted):
                    client.events.cancel_event(1, n, cancel_note="x")
            signal.setitimer(signal.ITIMER_REAL, 0)
            floor = server.received[0].time + 1.0
            time.sleep(max(0.0, floor + MAX_JITTER - time.monotonic()))
            started = time.monotonic()
            client.events.cancel_event(1, 5, cancel_note="x")
            waited = server.received[-1].time - started
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    # The first was sent and refused; the three after it were interrupted before sending.
    assert len(server.received) == 1 + 1
    assert waited < 0.5, "not queued behind the moments of the interrupted calls"


def test_the_winners_of_a_first_burst_wait_for_its_refusals(server: WireServer) -> None:
    # 30 threads, 60 calls, against a fixed window that the first burst spends: 10 taken at
    # once, 20 refused (no Retry-After) after 0.5 s, as a busy limiter or a far server answers;
    # the window turns after 1 s. Winners that sent again on their quick success would draw
    # 10 more refusals from the spent window before any refusal was known.
    lock, taken = threading.Lock(), itertools.count()
    start = time.monotonic()

    def window(received: Received) -> Reply:
        with lock:
            winner = next(taken) < 10
        if winner or received.time > start + 1.0:
            return OK
        return Reply(429, "Too many requests.", delay=0.5)

    server.script = window
    with make_client(server, max_connections=30) as client:
        errors = cancel_in_threads(client, range(1, 61), threads=30, timeout=30, together=True)
    assert errors == []
    first = min(r.time for r in server.received)
    early = sum(r.time < first + 0.4 for r in server.received)
    # The slow start lets 4 go, then twice what was answered: the 10 winners' answers let
    # the refused 20 out, as fast as the machine answers. Never the winners' second calls,
    # which would be requests past the 30 threads' first ones before any refusal is known.
    assert 10 <= early <= 30, "one round, then a hold"
    assert len(server.received) <= 60 + 20 + 5, "after the round, paced into the new window"


def test_threads_of_one_sync_client_share_one_rate(server: WireServer) -> None:
    # One refusal with Retry-After: 0.5 seen by one thread holds back the others too.
    server.queue(Reply(429, "Too many requests.", {"Retry-After": "0.5"}))
    server.script = None
    for _ in range(12):
        server.queue(OK)
    with make_client(server) as client:
        client.events.cancel_event(1, 1, cancel_note="x")  # 429, then OK after 0.5 s
        refused_at = server.received[0].time
        ids = iter(range(2, 12))
        run_threads(
            lambda: client.events.cancel_event(1, next(ids), cancel_note="x"), 10, timeout=30
        )
    times = sorted(r.time for r in server.received[1:])
    assert len(times) == 11
    assert times[0] >= refused_at + 0.5
    assert all(b > a for a, b in itertools.pairwise(times)), "one at a time, paced"


def test_anyio_cancel_scopes_around_waiting_calls_leave_nothing_behind(server: WireServer) -> None:
    import anyio

    server.script = refuse_for(1.5, "1")

    async def main() -> tuple[bool, int, int]:
        async with make_async_client(server, total_timeout=30) as client:
            with anyio.move_on_after(1.0) as scope:
                async with anyio.create_task_group() as group:
                    for n in range(1, 21):
                        group.start_soon(
                            functools.partial(client.events.cancel_event, 1, n, cancel_note="x")
                        )
            sent = len(server.received)
            await anyio.sleep(1.0)
            leaked = len(server.received) - sent
            async with anyio.create_task_group() as group:
                for n in range(21, 41):
                    group.start_soon(
                        functools.partial(client.events.cancel_event, 1, n, cancel_note="x")
                    )
            return scope.cancelled_caught, leaked, len(server.received) - sent

    cancelled, leaked, later = anyio.run(main)
    assert cancelled, "the scope cancelled calls that were waiting"
    assert leaked == 0
    assert later == 20, "the next 20 went through, none refused"


# --- MeetBit's own limiter shape: Laravel's ThrottleRequests, and what a 429 means ---------


class Recorder:
    """When the controller let each send go, and when it learnt of each 429 and its Retry-After."""

    def __init__(self, client: meetbit.Client) -> None:
        self.lock = threading.Lock()
        self.sent: list[float] = []
        self.refused: list[tuple[float, float]] = []
        controller = client._controller
        confirm, on_response = controller.confirm, controller.on_response

        def confirmed(slot: Any) -> Any:
            again = confirm(slot)
            if again is None:
                with self.lock:
                    self.sent.append(time.monotonic())
            return again

        def answered(throttled: bool, retry_after: float | None, quota: Any = None) -> None:
            on_response(throttled, retry_after, quota)
            if throttled:
                with self.lock:
                    self.refused.append((time.monotonic(), retry_after or 0.0))

        controller.confirm, controller.on_response = confirmed, answered  # type: ignore[method-assign]

    def sent_inside_a_floor(self) -> list[float]:
        """Sends let go after a 429 was known and before its Retry-After was over (seconds in)."""
        return [at - known for known, retry_after in self.refused for at in self.sent
                if known < at < known + retry_after - 0.001]  # fmt: skip


def test_on_a_laravel_window_nothing_is_sent_into_a_window_the_server_said_is_spent(
    server: WireServer,
) -> None:
    # 20 threads, 40 calls, 10 per 1 s. Retry-After is whole seconds; X-RateLimit-Remaining
    # comes on every answer. Sends already handed a moment went out into the window a 429 had
    # just said was spent (183-211 429s of the naive loop's 270 on the bench's 30 per 3 s).
    server.script = laravel_window(10, 1)
    with make_client(server, max_connections=20) as client:
        wire = Recorder(client)
        errors = cancel_in_threads(client, range(1, 41), threads=20, timeout=60, together=True)
    assert errors == []
    assert len(server.received) - 40 == len(wire.refused)
    assert wire.sent_inside_a_floor() == [], "no request on this key until Retry-After is over"
    # The first burst (20 against 10) draws 10 before anything is known; after that, at most
    # one request per window finds out when it turns.
    assert len(wire.refused) <= 25


def test_a_retry_after_holds_back_moments_already_handed_out(server: WireServer) -> None:
    # Paced after a first 429, 12 threads hold moments ahead; then one of them is refused with
    # Retry-After: 1. None of the others may go before it is over, and they keep their order.
    answered = itertools.count()

    def script(received: Received) -> Reply:
        if next(answered) in (0, 25):
            return Reply(429, "Too many requests.", {"Retry-After": "1"})
        return OK

    server.script = script
    with make_client(server, max_connections=12) as client:
        wire = Recorder(client)
        errors = cancel_in_threads(client, range(1, 41), threads=12, timeout=60, together=True)
    assert errors == []
    assert wire.sent_inside_a_floor() == []


def test_calls_that_give_up_hand_their_moments_back(server: WireServer) -> None:
    # After a Retry-After: 2, calls that cannot wait that long (max_retry_wait=1) give up at
    # once. They sent nothing, and took nothing: once the 2 s are over, the next call goes
    # (it waited about 10 s more, behind the moments of the calls that gave up).
    first = itertools.count()
    server.script = lambda received: (
        Reply(429, "Too many requests.", {"Retry-After": "2"}) if next(first) == 0 else OK
    )
    with make_client(server, max_retry_wait=1.0) as client:
        with pytest.raises(meetbit.RateLimitedError):
            client.events.cancel_event(1, 1, cancel_note="x")
        floor = server.received[0].time + 2.0
        gave_up = 0
        while time.monotonic() < floor - 1.1:  # their wait is over max_retry_wait
            with pytest.raises(meetbit.RateLimitedError, match=r"not sent.*max_retry_wait"):
                client.events.cancel_event(1, 2, cancel_note="x")
            gave_up += 1
            time.sleep(0.02)
        assert len(server.received) == 1, "the calls that gave up sent nothing"
        time.sleep(max(0.0, floor + MAX_JITTER - time.monotonic()))
        started = time.monotonic()
        client.events.cancel_event(1, 3, cancel_note="x")
    assert gave_up > 10
    assert server.received[-1].time - started < 0.5, "not behind the calls that gave up"


def test_clients_of_one_access_key_and_host_share_one_controller(server: WireServer) -> None:
    # The spec's Retry-After holds for every thread, task and process sharing the key: two
    # clients of one key and host in a process pace as one; another key or host does not.
    with make_client(server) as first, make_client(server) as second:
        assert first._controller is second._controller
        with make_client(server, access_key_id="another") as other:
            assert other._controller is not first._controller
        server.queue(Reply(429, "Too many requests.", {"Retry-After": "0.5"}), OK, OK)
        first.events.cancel_event(1, 1, cancel_note="x")
        refused_at = server.received[0].time
        second.events.cancel_event(1, 2, cancel_note="x")
        assert server.received[-1].time >= refused_at + 0.5, "the other client waited too"
    with make_client(server) as third:
        assert third._controller is not first._controller, "closed: a new one"
