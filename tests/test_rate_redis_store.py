"""The Redis store: rate control shared by processes, against a real redis-server on 127.0.0.1.

Also its faults, each bounded: a redis-server stopped (SIGSTOP) and resumed mid-run, one
killed, and a socket that accepts connections and never answers; sync and async. A call's
wall time must stay within total_timeout plus one read timeout, every call must complete
(pacing in process meanwhile), and the client says so once."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import meetbit
import pytest
from clients import OK
from machine import finish
from meetbit._rate import controller_for
from meetbit._rate.controller import (
    FORGET_AFTER,
    INITIAL_WINDOW,
    MAX_BACKOFF,
    RateController,
    Slot,
)
from meetbit._rate.cubic import BETA
from meetbit._rate.quota import Quota
from meetbit._rate.redis_store import STATE_TTL, RedisRateController
from pacing import go, until_send
from servers import free_port, redis_server
from wire import WireServer

pytestmark = pytest.mark.behaviour

redis = pytest.importorskip("redis", reason="the redis extra is not installed")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A redis-server of this module's, shared by its tests (each uses keys of its own)."""
    with redis_server() as (url, _):
        yield url


def key(request: pytest.FixtureRequest) -> str:
    return f"test:{request.node.name}:{time.monotonic_ns()}"


def test_unthrottled_it_never_waits(redis_url: str, request: pytest.FixtureRequest) -> None:
    controller = RedisRateController(redis_url, key(request))
    for _ in range(50):
        assert go(controller) == 0.0
        controller.on_response(False, None)


def test_a_429_seen_by_one_controller_slows_another_on_the_same_key(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    name = key(request)
    first, second = RedisRateController(redis_url, name), RedisRateController(redis_url, name)
    other = RedisRateController(redis_url, name + ":other")
    for _ in range(20):
        go(first)
        first.on_response(False, None)
    go(first)
    first.on_response(True, 1.0)
    assert 0.95 <= second.reserve().wait <= 1.2  # less the time since, by Redis's clock
    # Moments on the Redis server's clock: one schedule, whatever time passes between calls.
    moments = [second.reserve().at for _ in range(5)]
    assert None not in moments
    assert all(b > a for a, b in itertools.pairwise(moments)), "one schedule, shared"
    assert go(other) == 0.0, "other keys are not slowed"


def test_the_first_rate_waits_for_the_whole_first_round(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    # One process's refusals reach Redis before the other's successes: judged at once, they
    # would set the first rate from the requests in flight, not from what was accepted.
    name = key(request)
    refused, accepted = RedisRateController(redis_url, name), RedisRateController(redis_url, name)
    for _ in range(INITIAL_WINDOW - 2):
        go(refused)
    for _ in range(2):
        go(accepted)
    for _ in range(INITIAL_WINDOW - 2):
        refused.on_response(True, 1.0)
    assert go(refused) < 0, "held until the round is answered"
    for _ in range(2):
        accepted.on_response(False, None)
    assert go(accepted) >= 1.0, "the round's Retry-After is the floor"
    state = json.loads(redis.Redis.from_url(redis_url).get(f"meetbit:rate:{name}"))
    assert state["_bucket"]["_rate"] == pytest.approx(2 * BETA, rel=0.01)


def test_a_429_in_another_process_slows_this_one(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    name = key(request)
    code = (
        "import sys; from meetbit._rate.redis_store import RedisRateController as R; "
        "c = R(sys.argv[1], sys.argv[2]); c.confirm(c.reserve()); c.on_response(True, 30.0)"
    )
    subprocess.run([sys.executable, "-c", code, redis_url, name], check=True, timeout=60)
    # 30 s from the other's 429, less the time the other took to exit (a loaded machine
    # took more than half a second): nothing local could make a wait this long.
    assert until_send(controller_for(redis_url, name).reserve()) >= 20


def test_the_connection_survives_a_fork(redis_url: str, request: pytest.FixtureRequest) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    name = key(request)
    controller = RedisRateController(redis_url, name)
    go(controller)  # the parent has an open connection
    controller.on_response(False, None)
    pid = os.fork()
    if pid == 0:  # the child: its own connection, same shared state
        try:
            go(controller)
            controller.on_response(True, 3.0)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert until_send(controller.reserve()) >= 2.5


def test_async_twins_share_the_same_state(redis_url: str, request: pytest.FixtureRequest) -> None:
    name = key(request)
    controller = RedisRateController(redis_url, name)

    async def main() -> float:
        slot = await controller.areserve()
        assert slot.wait == 0.0
        await controller.aconfirm(slot)
        await controller.aon_response(True, 1.5)
        return until_send(await controller.areserve())

    assert asyncio.run(main()) >= 1.4
    assert until_send(RedisRateController(redis_url, name).reserve()) >= 1.0


@pytest.mark.parametrize("twin", ["sync", "async"])
def test_unreachable_redis_falls_back_to_this_process_and_says_so(
    twin: str, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    controller = RedisRateController(f"redis://127.0.0.1:{free_port()}/0", key(request))
    with caplog.at_level(logging.WARNING, logger="meetbit"):
        if twin == "sync":
            assert go(controller) == 0.0
            controller.on_response(True, 1.0)
            assert until_send(controller.reserve()) >= 1.0  # the in-process controller took the 429
        else:

            async def main() -> float:
                slot = await controller.areserve()
                assert slot.wait == 0.0
                await controller.aconfirm(slot)
                await controller.aon_response(True, 1.0)
                return until_send(await controller.areserve())

            assert asyncio.run(main()) >= 1.0
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "pacing in this process only" in warning.getMessage()
    assert "(ConnectionError: " in warning.getMessage(), "it says what failed"


def test_one_event_loop_s_steps_share_one_connection(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    controller = RedisRateController(redis_url, key(request))
    observer = redis.Redis.from_url(redis_url)

    def connections_made() -> int:
        return int(observer.info("stats")["total_connections_received"])

    before = connections_made()

    async def main() -> int:
        for _ in range(20):
            await controller.aon_response(False, None)
            await controller.aconfirm(await controller.areserve())
        return connections_made() - before

    assert asyncio.run(main()) <= 1, "a new connection per step"
    asyncio.run(controller.aclose())


def test_clients_of_different_keys_on_one_redis_keep_apart(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    name = key(request)
    settings = {"base_url": "http://127.0.0.1:1", "access_key_secret": "s",
                "rate_limit_store": redis_url}  # fmt: skip
    with (
        meetbit.Client(access_key_id=f"{name}-a", **settings) as a,
        meetbit.Client(access_key_id=f"{name}-b", **settings) as b,
    ):
        go(a._controller)
        a._controller.on_response(True, 5.0)
        assert until_send(a._controller.reserve()) >= 4.0
        assert b._controller.reserve().wait == 0.0, "another key's 429 holds nothing here"


@pytest.mark.parametrize("url", ["rediss://127.0.0.1:1/0", "unix:///tmp/no-such-redis.sock"])
def test_every_redis_url_scheme_selects_the_store(url: str) -> None:
    assert isinstance(controller_for(url, "key"), RedisRateController)


def test_client_setting_selects_the_store(redis_url: str) -> None:
    client = meetbit.Client(
        base_url="http://127.0.0.1:1", access_key_id="id", access_key_secret="s",
        rate_limit_store=redis_url,
    )  # fmt: skip
    assert isinstance(client._controller, RedisRateController)


def test_missing_redis_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(
        meetbit.ConfigurationError,
        match=r'^rate_limit_store="redis://\.\.\." needs the redis package: pip install "meetbit\[redis\]"$',
    ):
        controller_for("redis://127.0.0.1:1/0", "key")


def test_one_controller_serves_successive_event_loops(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    controller = RedisRateController(redis_url, key(request))
    slot = asyncio.run(controller.areserve())
    assert slot.wait == 0.0
    asyncio.run(controller.aconfirm(slot))
    asyncio.run(controller.aon_response(True, 1.0))
    assert until_send(asyncio.run(controller.areserve())) >= 0.9


# --- faults: a Redis that stops answering must never stall a call ------------------------


@contextlib.contextmanager
def broken_redis(*, hangs: bool) -> Iterator[tuple[str, list[float]]]:
    """A socket in place of Redis: its URL, and when each connection came.

    It accepts every connection and then either holds it open, never answering (`hangs`: a
    stuck proxy, a full buffer), or closes it at once (each try fails quickly).
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    came: list[float] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            came.append(time.monotonic())
            if hangs:
                held.append(connection)
            else:
                connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0", came
    finally:
        stop.set()
        finish(thread, timeout=5)
        for connection in held:
            connection.close()
        listener.close()


TOTAL, READ = 1.0, 0.5
RUN = 2.0  # seconds of calls; the fault comes at 0.3 s, a stopped server resumes at 1.0 s


def calls_through(url: str, fault: Any, asynchronous: bool) -> list[float]:
    """Make calls for RUN seconds on a client using the store at `url`; `fault()` at 0.3 s.

    Returns each call's wall time; every call must succeed.
    """
    wire = WireServer().start()
    wire.default = OK
    timeout = httpx.Timeout(READ, connect=READ)
    settings = {"base_url": wire.base_url, "access_key_id": "fault", "access_key_secret": "s",
                "rate_limit_store": url, "total_timeout": TOTAL, "timeout": timeout}  # fmt: skip
    timer = threading.Timer(0.3, fault)
    durations: list[float] = []
    try:
        timer.start()
        started = time.monotonic()
        if asynchronous:

            async def main() -> None:
                async with meetbit.AsyncClient(**settings) as client:
                    while time.monotonic() - started < RUN:
                        began = time.monotonic()
                        await client.events.cancel_event(1, 2, cancel_note="x")
                        durations.append(time.monotonic() - began)

            asyncio.run(main())
        else:
            with meetbit.Client(**settings) as client:
                while time.monotonic() - started < RUN:
                    began = time.monotonic()
                    client.events.cancel_event(1, 2, cancel_note="x")
                    durations.append(time.monotonic() - began)
    finally:
        timer.cancel()
        wire.stop()
    return durations


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("fault", ["stopped and resumed", "killed", "never answers"])
def test_a_failing_redis_never_holds_a_call_past_its_budget(
    fault: str, asynchronous: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with contextlib.ExitStack() as stack:
        if fault == "never answers":
            url, _ = stack.enter_context(broken_redis(hangs=True))
            act: Any = lambda: None  # noqa: E731 - silent from the start
        else:
            url, process = stack.enter_context(redis_server())
            if fault == "killed":
                act = process.kill
            else:

                def act() -> None:
                    process.send_signal(signal.SIGSTOP)
                    threading.Timer(0.7, process.send_signal, (signal.SIGCONT,)).start()

        with caplog.at_level(logging.INFO, logger="meetbit"):
            durations = calls_through(url, act, asynchronous)
    print(f"{fault}, {len(durations)} calls, slowest {max(durations):.3f} s")
    assert len(durations) > 10, "calls went on"
    assert max(durations) <= TOTAL + READ, "no call waited on Redis past its budget"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) <= 1 + (fault == "stopped and resumed")
    assert "pacing in this process only" in warnings[0].getMessage()


def test_a_resumed_redis_is_used_again(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    with redis_server() as (url, process), caplog.at_level(logging.INFO, logger="meetbit"):
        name = key(request)
        controller, other = RedisRateController(url, name), RedisRateController(url, name)
        for _ in range(2):  # each outage is said once, and so is each recovery
            process.send_signal(signal.SIGSTOP)
            began = time.monotonic()
            go(controller)
            assert time.monotonic() - began < 0.5, "one operation's deadline, not a hang"
            process.send_signal(signal.SIGCONT)
            time.sleep(1.1)  # tried again a second after a failure
            go(controller)
            controller.on_response(False, None)
        controller.on_response(True, 2.0)
        assert until_send(other.reserve()) >= 1.5, "the 429 reached the shared state again"
    said = [r.getMessage() for r in caplog.records if r.name == "meetbit"]
    assert sum("pacing in this process only" in m for m in said) == 2, said
    assert sum("answers again" in m for m in said) == 2, said


def test_close_releases_the_redis_connections(redis_url: str) -> None:
    client = meetbit.Client(
        base_url="http://127.0.0.1:1", access_key_id="close", access_key_secret="s",
        rate_limit_store=redis_url,
    )  # fmt: skip
    controller = client._controller
    assert isinstance(controller, RedisRateController)
    go(controller)  # opens a connection
    (connection,) = controller._client.connection_pool._available_connections
    ours = f"127.0.0.1:{connection._sock.getsockname()[1]}"
    clients = redis.Redis.from_url(redis_url)
    assert ours in {entry["addr"] for entry in clients.client_list()}
    client.close()
    deadline = time.monotonic() + 5
    while ours in {entry["addr"] for entry in clients.client_list()}:
        assert time.monotonic() < deadline, "close() left the Redis connection open"
        time.sleep(0.02)
    other = meetbit.Client(
        base_url="http://127.0.0.1:1", access_key_id="close", access_key_secret="s",
        rate_limit_store=redis_url,
    )  # fmt: skip
    assert other._controller is not controller, "closed: the next client gets a new one"
    other.close()


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize("store", ["up", "down"])
def test_a_spent_quota_holds_sends_at_confirm_with_redis_up_or_down(
    store: str, twin: str, redis_url: str, request: pytest.FixtureRequest
) -> None:
    # A window the server said is spent: one send goes to find out when it turns (a probe),
    # the next is held when confirmed, whether the state is in Redis or, Redis down, in this
    # process. The held moment is then handed back (Redis down: nothing to hand it back to).
    url = redis_url if store == "up" else f"redis://127.0.0.1:{free_port()}/0"
    controller = RedisRateController(url, key(request))
    spent = Quota(5, 0, 1.0)
    if twin == "sync":
        controller.confirm(controller.reserve())  # the request whose answer said so
        controller.on_response(False, None, spent)
        probe = controller.confirm(controller.reserve())
        held = controller.confirm(controller.reserve())
        if held is not None:
            controller.release(held)
    else:

        async def main() -> tuple[Slot | None, Slot | None]:
            await controller.aconfirm(await controller.areserve())
            await controller.aon_response(False, None, spent)
            probe = await controller.aconfirm(await controller.areserve())
            held = await controller.aconfirm(await controller.areserve())
            if held is not None:
                await controller.arelease(held)
            return probe, held

        probe, held = asyncio.run(main())
    assert probe is None, "one send finds out when the window turns"
    assert held is not None, "the next waits for its answer"
    assert held.wait > 0


def test_aclose_closes_the_loop_s_connection_with_the_current_redis_api(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    controller = RedisRateController(redis_url, key(request))
    observer = redis.Redis.from_url(redis_url)
    itself = observer.client_id()

    def connections() -> set[int]:
        """The ids of the connections Redis has open (other tests' may close meanwhile)."""
        return {int(entry["id"]) for entry in observer.client_list()} - {itself}

    async def main() -> tuple[set[int], set[int], list[warnings.WarningMessage]]:
        before = connections()
        await controller.aon_response(False, None)  # opens this loop's connection
        ours = connections() - before
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await controller.aclose()
            await controller.aclose()  # again: nothing left to close, and no error
        deadline = time.monotonic() + 5
        while ours & connections() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return ours, ours & connections(), caught

    ours, left, caught = asyncio.run(main())
    assert ours, "this loop's connection was opened"
    assert not left, "aclose() left this loop's Redis connection open"
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]


# --- the decisions hold through Redis as in process ---------------------------------------


def test_refusals_in_a_row_back_off_doubling_in_every_process(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    # docs/retries.md: Retry-After 0 or none is "not yet": a backoff doubling per refusal in
    # a row. The count of refusals in a row is shared state: two processes take turns here.
    name = key(request)
    processes = (RedisRateController(redis_url, name), RedisRateController(redis_url, name))
    for _ in range(20):  # a pace to cut from: a second of successes
        go(processes[0])
        processes[0].on_response(False, None)
        time.sleep(1 / 20)
    server = redis.Redis.from_url(redis_url)

    def refused(process: RedisRateController) -> float:
        """A 429 without Retry-After; when it came, on the Redis server's clock."""
        seconds, micros = server.time()
        process.on_response(True, None)
        return float(seconds) + micros / 1e6

    go(processes[0])
    told = refused(processes[0])  # the overshoot: a cut
    # Each backoff is read as its floor (the slot's moment, on the server's clock) less the
    # moment of the 429 that set it: what a loaded machine delays is the caller, not these.
    backoffs = []
    for turn in range(5):  # the window has not turned: refused again, and again
        process = processes[turn % 2]
        slot = process.reserve()
        assert slot.at is not None
        backoffs.append(slot.at - told)
        if turn == 4:
            process.release(slot)
            break
        process.confirm(slot)
        time.sleep(max(0.0, slot.wait))
        told = refused(process)
    print(f"backoffs {backoffs}")
    assert backoffs[2] == pytest.approx(2 * backoffs[1], rel=0.15), "doubling"
    assert backoffs[3] == pytest.approx(2 * backoffs[2], rel=0.15), "doubling, in either process"
    assert backoffs[4] == pytest.approx(min(2 * backoffs[3], MAX_BACKOFF), rel=0.15), (
        "at most MAX_BACKOFF"
    )


class ClockAhead(RedisRateController):
    """A process that reads the Redis server's clock `ahead` seconds later: time passed."""

    def __init__(self, url: str, name: str, ahead: float) -> None:
        super().__init__(url, name)
        self.ahead = ahead

    def _engine(self, found: list[Any]) -> tuple[RateController, str]:
        raw, seconds, micros = found
        return super()._engine([raw, int(seconds) + int(self.ahead), micros])


def test_after_a_quiet_spell_every_process_forgets_the_pace(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    name = key(request)
    first = RedisRateController(redis_url, name)
    go(first)
    go(first)
    first.on_response(False, None)  # one accepted: a rate to pace at (a round refused
    first.on_response(True, 1.0)  # whole would only start again slowly)
    other = RedisRateController(redis_url, name)
    slot = other.reserve()
    assert until_send(slot) > 0, "paced, shared"
    other.release(slot)
    go(ClockAhead(redis_url, name, ahead=FORGET_AFTER / 2))
    assert stored(redis_url, name)["_bucket"] is not None, "not quiet for long enough yet"
    later = ClockAhead(redis_url, name, ahead=FORGET_AFTER + 2)
    assert go(later) == 0.0
    assert stored(redis_url, name)["_bucket"] is None, "forgotten in Redis, for everyone"


def test_an_unused_key_s_state_expires_and_every_write_renews_it(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    # What was learned outlives a restart, not a day: Redis drops a key left unused for
    # STATE_TTL seconds, so a key no process uses any more starts afresh.
    name = key(request)
    controller = RedisRateController(redis_url, name)
    go(controller)
    controller.on_response(True, 1.0)
    server, where = redis.Redis.from_url(redis_url), f"meetbit:rate:{name}"
    assert STATE_TTL - 5 <= server.ttl(where) <= STATE_TTL, "kept for STATE_TTL seconds"
    server.expire(where, 3)
    controller.on_response(False, None)  # a new state, written
    assert server.ttl(where) >= STATE_TTL - 5, "each write keeps it STATE_TTL seconds more"
    server.pexpire(where, 1)
    time.sleep(0.05)
    assert go(RedisRateController(redis_url, name)) == 0.0, "expired: nothing is paced"


def stored(redis_url: str, name: str) -> dict[str, Any]:
    """The state of key `name` in Redis."""
    return dict(json.loads(redis.Redis.from_url(redis_url).get(f"meetbit:rate:{name}")))


def test_a_failing_redis_is_tried_again_after_a_pause_that_doubles(
    request: pytest.FixtureRequest,
) -> None:
    # docs/retries.md: the client paces in process, and tries Redis again after 1 s,
    # doubling while it keeps failing. Each try is one connection.
    with broken_redis(hangs=False) as (url, came):
        controller = RedisRateController(url, key(request))

        def tries_after(moment: float) -> int:
            time.sleep(max(0.0, moment - (time.monotonic() - started)))
            controller.on_response(False, None)
            return len(came)

        started = time.monotonic()
        controller.on_response(False, None)
        assert len(came) == 1
        assert tries_after(0.1) == 1, "not again at once"
        assert tries_after(1.2) == 2, "again after the first pause"
        assert tries_after(2.6) == 2, "the next pause is twice as long"
        assert tries_after(3.5) == 3
