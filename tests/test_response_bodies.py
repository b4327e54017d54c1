"""What a response body may be: over the cap, chunked, truncated, a decompression bomb,
undecodable, dripping a byte at a time, nested too deep; each refused as a typed error.

Each test here reproduced a failure before its fix (issue 12); docs/reliability.md has a
row for each.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import tracemalloc
import zlib

import meetbit
import pytest
from clients import cancel, make_async_client, make_client
from conftest import EVENT
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour

BOMB_SIZE = 64 * 1024 * 1024
BIG = 17 * 1024 * 1024  # just over the 16 MiB response cap


@pytest.fixture(scope="module")
def bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    chunk = b"\0" * (1 << 20)
    body = b"".join(compressor.compress(chunk) for _ in range(BOMB_SIZE >> 20))
    return body + compressor.flush()


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


class TestDecompressionBomb:
    def test_gzip_bomb_is_refused_without_inflating_it(
        self, server: WireServer, bomb: bytes
    ) -> None:
        assert len(bomb) < 128 * 1024
        server.queue(Reply(200, bomb, {"Content-Encoding": "gzip"}))
        tracemalloc.start()
        try:
            with (
                make_client(server) as client,
                pytest.raises(meetbit.MalformedResponseError, match="decoded response body"),
            ):
                cancel(client)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # The cap is 16 MiB decoded: what was allocated stays near it, not near 64 MiB.
        assert peak < 40 * 1024 * 1024

    def test_async_gzip_bomb_is_refused(self, server: WireServer, bomb: bytes) -> None:
        server.queue(Reply(200, bomb, {"Content-Encoding": "gzip"}))

        async def main() -> None:
            async with make_async_client(server) as client:
                await client.events.cancel_event(1, 2, cancel_note="x")

        with pytest.raises(meetbit.MalformedResponseError, match="decoded response body"):
            asyncio.run(main())

    def test_a_normal_gzip_body_is_decoded(self, server: WireServer) -> None:
        payload = json.dumps({"message": "ok", "data": EVENT}).encode()
        server.queue(Reply(200, gzip.compress(payload), {"Content-Encoding": "gzip"}))
        with make_client(server) as client:
            assert cancel(client).id == EVENT["id"]  # type: ignore[attr-defined]
        assert server.received[0].headers["accept-encoding"] == "gzip, deflate"


class TestUndecodableBodies:
    @pytest.mark.parametrize(
        ("encoding", "body"),
        [("gzip", b"not gzip at all"), ("deflate", b"\x00\x01garbage"), ("br", b"\x1b\x00")],
    )
    def test_2xx_with_an_undecodable_body_is_malformed(
        self, server: WireServer, encoding: str, body: bytes
    ) -> None:
        server.queue(Reply(200, body, {"Content-Encoding": encoding}))
        with make_client(server) as client, pytest.raises(meetbit.MalformedResponseError):
            cancel(client)

    def test_error_status_with_an_undecodable_body_is_the_error_of_its_status(
        self, server: WireServer
    ) -> None:
        server.queue(Reply(404, b"garbage", {"Content-Encoding": "gzip"}))
        with make_client(server) as client, pytest.raises(meetbit.NotFoundError) as raised:
            cancel(client)
        assert "not valid gzip" in raised.value.message

    def test_truncated_gzip_is_malformed(self, server: WireServer) -> None:
        body = gzip.compress(json.dumps({"message": "ok", "data": EVENT}).encode())
        server.queue(Reply(200, body[: len(body) // 2], {"Content-Encoding": "gzip"}))
        with (
            make_client(server) as client,
            pytest.raises(meetbit.MalformedResponseError, match="truncated"),
        ):
            cancel(client)


DRIPPED = Reply(200, {"message": "ok", "data": EVENT}, fault="drip", drip_interval=0.2)
"""A byte every 0.2 s: the whole body would take minutes, and no read ever times out."""
BUDGET = 1.0


class TestSlowDrip:
    """A body trickling in a byte at a time resets each read timeout; the budget still holds.

    Whether the call ends at its budget or at the body's end (minutes later) is behaviour;
    how close to the budget it ends is not asserted (a loaded machine may add seconds).
    """

    def test_sync_call_ends_at_its_budget(self, server: WireServer) -> None:
        server.queue(DRIPPED)
        started = time.monotonic()
        with (
            make_client(server, total_timeout=BUDGET) as client,
            pytest.raises(meetbit.RequestTimeoutError),
        ):
            cancel(client)
        assert time.monotonic() - started < BUDGET + 10 < dripping_takes()

    def test_async_call_ends_at_its_budget(self, server: WireServer) -> None:
        server.queue(DRIPPED)

        async def main() -> None:
            async with make_async_client(server, total_timeout=BUDGET) as client:
                await client.events.cancel_event(1, 2, cancel_note="x")

        started = time.monotonic()
        with pytest.raises(meetbit.RequestTimeoutError):
            asyncio.run(main())
        assert time.monotonic() - started < BUDGET + 10 < dripping_takes()


def dripping_takes() -> float:
    return len(DRIPPED.payload()[0]) * DRIPPED.drip_interval


class TestDeepJson:
    def test_deeply_nested_json_is_malformed(self, server: WireServer) -> None:
        server.queue(
            Reply(200, b"[" * 100_000 + b"]" * 100_000, {"Content-Type": "application/json"})
        )
        with (
            make_client(server) as client,
            pytest.raises(meetbit.MalformedResponseError, match="nested too deeply"),
        ):
            cancel(client)
