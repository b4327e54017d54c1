"""A minimal HTTP/1.1 server for benchmarks: asyncio, keep-alive, ~30 µs a request.

Usage: python bench/server.py PORT [RATE BURST]

Answers every request with the same realistic cancel-event envelope, so what a benchmark
measures is the client. With RATE and BURST it enforces a token bucket per access key
(X-Access-Key-Id), answering 429 with a whole-second Retry-After beyond it, as MeetBit does.
`GET /stats` returns the counts of 200s and 429s; `POST /reset` zeroes them and refills.
Prints "ready" when listening; runs until killed.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time

from payload import BODY as OK


def response(status: bytes, body: bytes, content_type: bytes, extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: " + content_type + b"\r\nContent-Length: "
        + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body
    )  # fmt: skip


OK_RESPONSE = response(b"200 OK", OK, b"application/json")


class Buckets:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.state: dict[bytes, tuple[float, float]] = {}

    def take(self, key: bytes) -> float:
        """Return 0 if a token was taken, else the seconds until one is available."""
        now = time.monotonic()
        tokens, last = self.state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self.state[key] = (tokens - 1, now)
            return 0.0
        self.state[key] = (tokens, now)
        return (1 - tokens) / self.rate


class Server(asyncio.Protocol):
    buckets: Buckets | None = None
    counts = {"200": 0, "429": 0}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].lower()
            length = 0
            key = b""
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name == b"content-length":
                    length = int(value)
                elif name == b"x-access-key-id":
                    key = value.strip()
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(self.answer(head.split(b" ", 2), key))  # type: ignore[attr-defined]

    def answer(self, request_line: list[bytes], key: bytes) -> bytes:
        path = request_line[1]
        if path == b"/stats":
            return response(b"200 OK", json.dumps(Server.counts).encode(), b"application/json")
        if path == b"/reset":
            Server.counts = {"200": 0, "429": 0}
            if Server.buckets:
                Server.buckets.state.clear()
            return response(b"200 OK", b"{}", b"application/json")
        if Server.buckets is not None and (wait := Server.buckets.take(key)):
            Server.counts["429"] += 1
            retry_after = str(math.ceil(wait)).encode()
            return response(
                b"429 Too Many Requests",
                b"Too many requests.",
                b"text/plain",
                b"Retry-After: " + retry_after + b"\r\n",
            )
        Server.counts["200"] += 1
        return OK_RESPONSE


async def main() -> None:
    port = int(sys.argv[1])
    if len(sys.argv) > 3:
        Server.buckets = Buckets(float(sys.argv[2]), float(sys.argv[3]))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Server, "127.0.0.1", port, backlog=512)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
