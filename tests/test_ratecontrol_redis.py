"""The Redis store: rate control shared by processes, against a real redis-server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import meetbit
import pytest
from meetbit._rate import controller_for
from meetbit._rate.cubic import BETA
from meetbit._rate.redis_store import RedisRateController

pytestmark = pytest.mark.behaviour

redis = pytest.importorskip("redis", reason="the redis extra is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not found: .ci/run installs it (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.skip(f"redis-server did not start on port {port}")
                time.sleep(0.05)
        yield url
    finally:
        process.kill()
        process.wait(timeout=10)


def key(request: pytest.FixtureRequest) -> str:
    return f"test:{request.node.name}:{time.monotonic_ns()}"


def test_unthrottled_it_never_waits(redis_url: str, request: pytest.FixtureRequest) -> None:
    controller = RedisRateController(redis_url, key(request))
    for _ in range(50):
        assert controller.reserve() == 0.0
        controller.on_response(False, None)


def test_a_429_seen_by_one_controller_slows_another_on_the_same_key(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    name = key(request)
    first, second = RedisRateController(redis_url, name), RedisRateController(redis_url, name)
    other = RedisRateController(redis_url, name + ":other")
    for _ in range(20):
        first.reserve()
        first.on_response(False, None)
    first.reserve()  # carries the 20 successes to the shared meter
    first.on_response(True, 1.0)
    assert 1.0 <= second.reserve() <= 1.2
    waits = [second.reserve() for _ in range(5)]
    assert all(b - a > 0.03 for a, b in itertools.pairwise(waits)), "paced, shared"
    assert other.reserve() == 0.0, "other keys are not slowed"


def test_the_first_rate_waits_for_the_whole_first_round(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    # One process's refusals reach Redis before the other's successes (they are carried by
    # its next call): judged at once, they would set the first rate from the 50 in flight.
    name = key(request)
    refused, accepted = RedisRateController(redis_url, name), RedisRateController(redis_url, name)
    for _ in range(30):
        refused.reserve()
    for _ in range(20):
        accepted.reserve()
    for _ in range(30):
        refused.on_response(True, 1.0)
    assert refused.reserve() < 0, "held until the round is answered"
    for _ in range(20):
        accepted.on_response(False, None)
    assert accepted.reserve() >= 1.0, "the round's Retry-After is the floor"
    rate = float(redis.Redis.from_url(redis_url).hget(f"meetbit:rate:{name}", "rate"))
    assert rate == pytest.approx(20 * BETA, rel=0.01)


def test_a_429_in_another_process_slows_this_one(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    name = key(request)
    code = (
        "import sys; from meetbit._rate.redis_store import RedisRateController as R; "
        "c = R(sys.argv[1], sys.argv[2]); c.reserve(); c.on_response(True, 2.0)"
    )
    subprocess.run([sys.executable, "-c", code, redis_url, name], check=True, timeout=60)
    assert (
        controller_for(redis_url, name).reserve() >= 1.5
    )  # 2 s from the other's 429, minus startup


def test_the_connection_survives_a_fork(redis_url: str, request: pytest.FixtureRequest) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    name = key(request)
    controller = RedisRateController(redis_url, name)
    controller.reserve()  # the parent has an open connection
    controller.on_response(False, None)
    pid = os.fork()
    if pid == 0:  # the child: its own connection, same shared state
        try:
            controller.reserve()
            controller.on_response(True, 3.0)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert controller.reserve() >= 2.5


def test_async_twins_share_the_same_state(redis_url: str, request: pytest.FixtureRequest) -> None:
    name = key(request)
    controller = RedisRateController(redis_url, name)

    async def main() -> float:
        assert await controller.areserve() == 0.0
        await controller.aon_response(True, 1.5)
        return await controller.areserve()

    assert asyncio.run(main()) >= 1.4
    assert RedisRateController(redis_url, name).reserve() >= 1.0


def test_unreachable_redis_falls_back_to_this_process_and_says_so(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    controller = RedisRateController(f"redis://127.0.0.1:{free_port()}/0", key(request))
    with caplog.at_level(logging.WARNING, logger="meetbit"):
        assert controller.reserve() == 0.0
        controller.on_response(True, 1.0)
        assert controller.reserve() >= 1.0  # the in-process controller took the 429
    assert "pacing in this process only" in caplog.text


def test_client_setting_selects_the_store(redis_url: str) -> None:
    client = meetbit.Client(
        base_url="http://127.0.0.1:1", access_key_id="id", access_key_secret="s",
        rate_limit_store=redis_url,
    )  # fmt: skip
    assert isinstance(client._controller, RedisRateController)


def test_missing_redis_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(meetbit.ConfigurationError, match=r"pip install \"meetbit\[redis\]\""):
        controller_for("redis://127.0.0.1:1/0", "key")


def test_one_controller_serves_successive_event_loops(
    redis_url: str, request: pytest.FixtureRequest
) -> None:
    controller = RedisRateController(redis_url, key(request))
    assert asyncio.run(controller.areserve()) == 0.0
    asyncio.run(controller.aon_response(True, 1.0))
    assert asyncio.run(controller.areserve()) >= 0.9
