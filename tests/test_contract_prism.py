"""The client against Stoplight Prism, a third-party mock serving the fixed spec on 127.0.0.1.

Prism in dynamic mode invents a fresh schema-valid body for every response, and validates
every request it receives against the spec, reporting violations in an `sl-violations`
header and in its log. Installed by `make contract` (npm); skipped, with the reason shown,
on a machine without node and npm.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import meetbit
import pytest
from conftest import ROOT, fixed_spec
from servers import free_port

PRISM = ROOT / "contract/node_modules/.bin/prism"
CALLS = 200  # per mode: sync, then async
pytestmark = pytest.mark.skipif(
    not PRISM.exists(), reason="Prism is not installed: run `make contract` (needs node and npm)"
)


class Recording(httpx.BaseTransport):
    """Keeps every response's violation report, then hands the response on unchanged."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.transport = transport
        self.violations: list[str] = []
        self.responses = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.transport.handle_request(request)
        self.responses += 1
        if "sl-violations" in response.headers:
            self.violations.append(response.headers["sl-violations"])
        return response


class AsyncRecording(httpx.AsyncBaseTransport):
    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        self.violations: list[str] = []
        self.responses = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.transport.handle_async_request(request)
        self.responses += 1
        if "sl-violations" in response.headers:
            self.violations.append(response.headers["sl-violations"])
        return response


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    workdir = tmp_path_factory.mktemp("prism")
    spec = workdir / "openapi.fixed.json"
    spec.write_text(json.dumps(fixed_spec()), encoding="utf-8")
    port = free_port()
    log = workdir / "prism.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [PRISM, "mock", "--dynamic", "--host", "127.0.0.1", "--port", str(port), spec],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "Prism is listening" not in log.read_text():
            assert process.poll() is None, f"Prism exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, (
                f"Prism did not start within 60 s:\n{log.read_text()}"
            )
            time.sleep(0.1)
        # Prism serves the paths at its root, without the server URL's /api/public/v2.0.
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=10)


def arguments(rng: random.Random) -> tuple[int, int, str]:
    alphabet = "abc xyz ÄÖü 😀 \"'\\\n\t€"
    note = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 255)))
    # Prism, in JavaScript, caps int64 at 2**53 - 1 (it answers 422 above); the full int64
    # range is checked against openapi-core in test_properties.py.
    largest = 2**53 - 1
    return rng.randint(1, largest), rng.randint(1, largest), note


def settings() -> dict[str, str]:
    return {"access_key_id": "AK-contract", "access_key_secret": "contract-secret"}


def test_sync_calls_parse_and_violate_nothing(prism: tuple[str, Path]) -> None:
    base_url, log = prism
    recording = Recording(httpx.HTTPTransport())
    rng = random.Random(1)
    with meetbit.Client(base_url=base_url, transport=recording, **settings()) as client:
        for _ in range(CALLS):
            calendar, event_id, note = arguments(rng)
            event = client.events.cancel_event(calendar, event_id, cancel_note=note)
            assert isinstance(event.title, str)
    assert recording.responses == CALLS
    assert recording.violations == []
    assert "Violation" not in log.read_text()


def test_async_calls_parse_and_violate_nothing(prism: tuple[str, Path]) -> None:
    base_url, log = prism
    recording = AsyncRecording(httpx.AsyncHTTPTransport())
    rng = random.Random(2)

    async def main() -> None:
        limit = asyncio.Semaphore(20)

        async def one(client: meetbit.AsyncClient) -> None:
            async with limit:
                calendar, event_id, note = arguments(rng)
                event = await client.events.cancel_event(calendar, event_id, cancel_note=note)
                assert isinstance(event.title, str)

        async with meetbit.AsyncClient(
            base_url=base_url, transport=recording, **settings()
        ) as client:
            await asyncio.gather(*(one(client) for _ in range(CALLS)))

    asyncio.run(main())
    assert recording.responses == CALLS
    assert recording.violations == []
    assert "Violation" not in log.read_text()


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, meetbit.UnauthorizedError), (404, meetbit.NotFoundError), (500, meetbit.ServerError)],
)
def test_documented_errors_become_typed_errors(
    prism: tuple[str, Path], status: int, error: type[meetbit.ApiError]
) -> None:
    base_url, _ = prism
    headers = {"Prefer": f"code={status}"}
    with (
        meetbit.Client(base_url=base_url, headers=headers, **settings()) as client,
        pytest.raises(error) as raised,
    ):
        client.events.cancel_event(1, 2, cancel_note="x")
    assert raised.value.message, "the server's text/plain message is carried"


def test_rate_limit_from_prism_is_a_rate_limited_error(prism: tuple[str, Path]) -> None:
    base_url, _ = prism
    headers = {"Prefer": "code=429"}
    with (
        meetbit.Client(base_url=base_url, headers=headers, max_retries=0, **settings()) as client,
        pytest.raises(meetbit.RateLimitedError) as raised,
    ):
        client.events.cancel_event(1, 2, cancel_note="x")
    assert raised.value.message


def test_prism_reports_violations_it_receives(prism: tuple[str, Path]) -> None:
    # The checks above are only worth something if Prism can say no: a string id, a number
    # for the note and no keys must be reported.
    base_url, _ = prism
    response = httpx.post(f"{base_url}/calendars/abc/events/1/cancel", json={"cancel_note": 5})
    assert "sl-violations" in response.headers
