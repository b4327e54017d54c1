"""Servers the tests start on 127.0.0.1 besides wire.py's: ports, and a real redis-server.

A server whose program is missing makes its tests say SKIPPED with the reason; one that is
there but does not start fails them: that is a broken machine or a broken test, not a skip.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

START_WITHIN = 10.0
"""Seconds a server may take to answer after it is started."""


def free_port() -> int:
    """A loopback port nothing listens on (bound, then closed): connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of its own, without persistence: its URL and process; killed after."""
    redis = pytest.importorskip("redis", reason="the redis extra is not installed")
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not found: .ci/run installs it (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--loglevel", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + START_WITHIN
        while True:
            try:
                redis.Redis.from_url(url, socket_timeout=1).ping()
                break
            except redis.RedisError:  # not up yet (or someone else is on the port)
                if process.poll() is not None:
                    said = process.stdout.read().decode(errors="replace") if process.stdout else ""
                    pytest.fail(f"redis-server exited at start:\n{said}")
                if time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not answer on port {port} in {START_WITHIN} s")
                time.sleep(0.05)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a test may have stopped it
            process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
