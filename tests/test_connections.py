"""A hostile network, over real sockets on 127.0.0.1: each fault bounded in time, each outcome typed."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import meetbit
import pytest
from clients import OK, make_async_client, make_client
from conftest import EVENT
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour

BIG = 17 * 1024 * 1024  # just over the 16 MiB response cap


class TestBodies:
    def test_very_large_declared_body_is_refused_without_reading_it(
        self, server: WireServer
    ) -> None:
        server.queue(Reply(200, b"x" * BIG))
        started = time.monotonic()
        with (
            make_client(server) as client,
            pytest.raises(meetbit.MalformedResponseError, match="larger than"),
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert time.monotonic() - started < 2

    def test_very_large_chunked_body_is_cut_off_at_the_cap(self, server: WireServer) -> None:
        server.queue(Reply(200, b"x" * BIG, fault="chunked"))
        with (
            make_client(server) as client,
            pytest.raises(meetbit.MalformedResponseError, match="larger than"),
        ):
            client.events.cancel_event(1, 2, cancel_note="x")

    def test_async_very_large_chunked_body_is_cut_off(self, server: WireServer) -> None:
        server.queue(Reply(200, b"x" * BIG, fault="chunked"))

        async def main() -> None:
            async with make_async_client(server) as client:
                await client.events.cancel_event(1, 2, cancel_note="x")

        with pytest.raises(meetbit.MalformedResponseError, match="larger than"):
            asyncio.run(main())

    def test_large_but_allowed_chunked_body_parses(self, server: WireServer) -> None:
        padded = {
            "message": "ok",
            "data": {**EVENT, "body": "y" * 1000, "padding": "z" * (2 * 1024 * 1024)},
        }
        server.queue(
            Reply(
                200,
                json.dumps(padded).encode(),
                {"Content-Type": "application/json"},
                fault="chunked",
            )
        )
        with make_client(server) as client:
            assert client.events.cancel_event(1, 2, cancel_note="x").additional_properties[
                "padding"
            ] == "z" * (2 * 1024 * 1024)

    def test_truncated_json_is_malformed(self, server: WireServer) -> None:
        body = json.dumps({"message": "ok", "data": EVENT}).encode()
        server.queue(Reply(200, body[: len(body) // 2], {"Content-Type": "application/json"}))
        with (
            make_client(server) as client,
            pytest.raises(meetbit.MalformedResponseError, match="not JSON"),
        ):
            client.events.cancel_event(1, 2, cancel_note="x")


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
        # budget, none gives up, and each is carried out exactly once.
        storm_ends = time.monotonic() + 0.5
        server.script = lambda received: (
            Reply(429, "Too many requests.", {"Retry-After": "0.2"})
            if received.time < storm_ends
            else OK
        )

        async def main() -> list[object]:
            async with make_async_client(server, total_timeout=30) as client:
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
        assert len({r.port for r in server.received}) <= 10, "within the client's pool of 10"


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
