"""Connections over real sockets on 127.0.0.1: one lost, the pool, a 429 storm, a fork, event loops.

Each fault is bounded in time and ends in a typed outcome; docs/reliability.md has a row
for each.
"""

from __future__ import annotations

import asyncio
import os
import time

import httpx
import meetbit
import pytest
from clients import OK, make_async_client, make_client
from conftest import EVENT
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour


class TestConnections:
    def test_server_closing_before_replying_is_a_network_error_and_post_is_not_resent(
        self, server: WireServer
    ) -> None:
        server.queue(Reply(fault="close-before-reply"), OK)
        with make_client(server) as client, pytest.raises(meetbit.NetworkError) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)
        assert len(server.received) == 1


class TestRateLimitStorm:
    def test_fifty_concurrent_calls_in_a_429_storm_all_complete_once(
        self, server: WireServer
    ) -> None:
        # Every request is refused for the first 0.5 s, then all succeed. How few 429s the
        # storm costs is make bench's to measure; here: every call completes within its
        # budget, none gives up, and each is carried out exactly once. The budget is 5 s, not
        # more: a round refused whole says nothing of the rate, so after the storm the client
        # starts again slowly instead of pacing 50 calls at the rate of the storm's first
        # round (which, under load, had 21 of them give up waiting 4.69 s to send).
        storm_ends = time.monotonic() + 0.5
        server.script = lambda received: (
            Reply(429, "Too many requests.", {"Retry-After": "0.2"})
            if received.time < storm_ends
            else OK
        )

        async def main() -> list[object]:
            async with make_async_client(server, total_timeout=5) as client:
                return await asyncio.gather(
                    *(client.events.cancel_event(1, n, cancel_note="x") for n in range(1, 51)),
                    return_exceptions=True,
                )

        results = asyncio.run(main())
        assert [r for r in results if isinstance(r, BaseException)] == []
        carried_out = sorted(
            int(r.path.split("/")[-2]) for r in server.received if r.time >= storm_ends
        )
        assert carried_out == list(range(1, 51)), "each call carried out once, after the storm"
        # Connections are reused from the client's pool of 10: one per call would be 50 or
        # more. Under load a connection is now and then replaced (an 11th port), not more.
        assert len({r.port for r in server.received}) <= 20, "a connection per call, not a pool"


class TestPool:
    def test_at_most_max_connections_connections_under_concurrency(
        self, server: WireServer
    ) -> None:
        server.default = Reply(200, {"message": "ok", "data": EVENT}, delay=0.05)

        async def main() -> None:
            async with make_async_client(server, max_connections=4) as client:
                await asyncio.gather(
                    *(client.events.cancel_event(1, n, cancel_note="x") for n in range(1, 21))
                )

        asyncio.run(main())
        assert len(server.received) == 20
        assert len({r.port for r in server.received}) <= 4

    def test_default_pool_is_ten(self, server: WireServer) -> None:
        server.default = Reply(200, {"message": "ok", "data": EVENT}, delay=0.05)

        async def main() -> None:
            async with make_async_client(server) as client:
                await asyncio.gather(
                    *(client.events.cancel_event(1, n, cancel_note="x") for n in range(1, 31))
                )

        asyncio.run(main())
        assert 1 < len({r.port for r in server.received}) <= 10


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX-only")
# Python 3.12+ warns when a process with threads forks: the threads are the test's own server
# (WireServer); the client starts none.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
class TestFork:
    def test_child_uses_fresh_connections_and_parent_keeps_its_own(
        self, server: WireServer
    ) -> None:
        server.script = lambda received: Reply(  # type: ignore[assignment]
            200,
            {"message": "ok", "data": {**EVENT, "id": int(received.path.split("/")[-2])}},
        )
        with make_client(server) as client:
            assert client.events.cancel_event(1, 100, cancel_note="x").id == 100
            parent_port = server.received[-1].port
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: report what it got, and leave without cleanup
                code = 1
                try:
                    event = client.events.cancel_event(1, 200, cancel_note="x")
                    os.write(write, str(event.id).encode())
                    code = 0
                finally:
                    os._exit(code)
            os.close(write)
            _, status = os.waitpid(pid, 0)
            child_said = os.read(read, 100).decode()
            os.close(read)
            assert os.waitstatus_to_exitcode(status) == 0
            assert child_said == "200"
            assert client.events.cancel_event(1, 300, cancel_note="x").id == 300
        ports = {r.path.split("/")[-2]: r.port for r in server.received}
        assert ports["200"] != parent_port, "the child must not use the parent's pooled socket"
        assert ports["300"] == parent_port, "the parent keeps its connection"


class TestEventLoops:
    def test_one_async_client_works_from_successive_event_loops(self, server: WireServer) -> None:
        server.queue(OK, OK, OK)
        client = make_async_client(server)

        async def one() -> int | None:
            event = await client.events.cancel_event(1, 2, cancel_note="x")
            return event.id

        assert asyncio.run(one()) == EVENT["id"]
        assert asyncio.run(one()) == EVENT["id"]  # a new loop: the old pool is left behind
        assert asyncio.run(one()) == EVENT["id"]
        assert len(server.received) == 3
