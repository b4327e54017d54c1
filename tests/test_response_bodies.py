"""Trying to break the client: bombs, drips, forks, event loops, hostile configuration.

Each test here reproduced a failure before its fix (issue 12); docs/reliability.md has a
row for each.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
import time
import tracemalloc
import zlib

import meetbit
import pytest
from clients import KEY_ID, OK, SECRET, make_async_client, make_client
from conftest import EVENT
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour

BOMB_SIZE = 64 * 1024 * 1024


@pytest.fixture(scope="module")
def bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    chunk = b"\0" * (1 << 20)
    body = b"".join(compressor.compress(chunk) for _ in range(BOMB_SIZE >> 20))
    return body + compressor.flush()


def cancel(client: meetbit.Client) -> object:
    return client.events.cancel_event(1, 2, cancel_note="x")


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


class TestConfigurationInput:
    def test_domain_with_a_trailing_newline_is_refused_quickly(self) -> None:
        # Run in a subprocess with a timeout: an exponential regex would hang the suite.
        code = (
            "import meetbit\n"
            "try:\n"
            "    meetbit.Client('acmecorporationglobal.meetbit.com\\n',"
            " access_key_id='a', access_key_secret='b')\n"
            "except meetbit.ConfigurationError as error:\n"
            "    print(error)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=10, check=True
        )
        assert "newline" in result.stdout

    @pytest.mark.parametrize(
        "domain", ["[::::]", "[::1", "[::1]x", "a..b", "-a.com", "a.com:0", "a.com:99999", "a.com:"]
    )
    def test_bad_domains_are_refused_at_construction(self, domain: str) -> None:
        with pytest.raises(meetbit.ConfigurationError):
            meetbit.Client(domain, access_key_id="a", access_key_secret="b")

    @pytest.mark.parametrize(
        "domain", ["[::1]", "[::1]:8443", "acme.meetbit.com:8443", "localhost"]
    )
    def test_good_domains_are_accepted(self, domain: str) -> None:
        client = meetbit.Client(domain, access_key_id="a", access_key_secret="b")
        assert client.get_httpx_client().base_url == f"https://{domain}/api/public/v2.0/"

    @pytest.mark.parametrize(
        "base_url",
        [
            "https://acme.test/api/public/v2.0?tenant=acme",
            "https://acme.test/api#x",
            "https://a.test?",
        ],
    )
    def test_base_url_with_a_query_or_fragment_is_refused(self, base_url: str) -> None:
        with pytest.raises(meetbit.ConfigurationError, match="query or a fragment"):
            meetbit.Client(base_url=base_url, access_key_id="a", access_key_secret="b")


class TestSecretInErrors:
    def test_the_request_an_error_carries_has_the_secret_redacted(self, server: WireServer) -> None:
        server.queue(Reply(404, "Resource object does not exist."))
        with make_client(server) as client, pytest.raises(meetbit.NotFoundError) as raised:
            cancel(client)
        request = raised.value.response.request
        assert request.headers["X-Access-Key-Secret"] == "[redacted]"
        assert request.headers["X-Access-Key-Id"] == KEY_ID
        assert SECRET not in repr(request.headers)
        assert SECRET not in repr(raised.value.response.request.headers.raw)
        assert server.received[0].headers["x-access-key-secret"] == SECRET  # the wire is untouched

    def test_malformed_response_error_carries_a_redacted_request(self, server: WireServer) -> None:
        server.queue(Reply(200, "not json"))
        with make_client(server) as client, pytest.raises(meetbit.MalformedResponseError) as raised:
            cancel(client)
        assert raised.value.response is not None
        assert raised.value.response.request.headers["X-Access-Key-Secret"] == "[redacted]"
