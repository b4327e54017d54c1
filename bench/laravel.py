"""A Laravel-style fixed window for `make bench-limiters`: MeetBit's own limiter shape, port for port.

MeetBit is a Laravel app, so its 429s come from Laravel's `ThrottleRequests` middleware
over `Illuminate\\Cache\\RateLimiter`. This reproduces both, step for step (laravel/framework
`src/Illuminate/Routing/Middleware/ThrottleRequests.php`, `src/Illuminate/Cache/RateLimiter.php`
and the `ArrayStore` they use in tests):

* `tooManyAttempts`: the key's hits >= max and its `:timer` entry still exists -> 429;
  hits >= max without the timer -> the hits are reset and the request goes through.
* `hit` (before the handler runs): `add(key:timer, availableAt(decay), decay)`,
  `add(key, 0, decay)`, `increment(key)`; so the window starts at the key's first hit and
  both entries expire `decay` seconds after it (ArrayStore keeps millisecond expiry times).
* `availableIn` = max(0, timer - currentTime()): the timer holds the *whole* second
  (Carbon's timestamp) of the first hit plus decay, so Retry-After is whole seconds and may
  read 0 during the last fraction of a second of a window that is still closed.
* headers: `X-RateLimit-Limit` and `X-RateLimit-Remaining` (max - hits after this hit) on
  every response; on a 429 also `Retry-After` and `X-RateLimit-Reset` (now's whole second +
  Retry-After), and Remaining 0. A 429 is not a hit.

Usage: python bench/laravel.py PORT MAX DECAY_SECONDS. The key is X-Access-Key-Id (Laravel's
default signature is the user or the IP; an API key is what MeetBit limits per).
"""

from __future__ import annotations

import asyncio
import math
import sys
import time

from payload import BODY


class ArrayStore:
    """Laravel's ArrayStore: values with an expiry in (millisecond) Unix time, 0 = forever."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[int, float]] = {}

    def get(self, key: str) -> int | None:
        item = self.items.get(key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at != 0 and time.time() >= expires_at:
            del self.items[key]
            return None
        return value

    def put(self, key: str, value: int, seconds: int) -> None:
        self.items[key] = (value, time.time() + seconds if seconds > 0 else 0)

    def add(self, key: str, value: int, seconds: int) -> bool:
        if self.get(key) is not None:
            return False
        self.put(key, value, seconds)
        return True

    def increment(self, key: str, amount: int = 1) -> int:
        existing = self.get(key)
        if existing is not None:
            self.items[key] = (existing + amount, self.items[key][1])
            return existing + amount
        self.put(key, amount, 0)  # forever(), as Laravel does
        return amount

    def forget(self, key: str) -> None:
        self.items.pop(key, None)


def current_time() -> int:
    """Carbon::now()->getTimestamp(): whole seconds."""
    return math.floor(time.time())


class RateLimiter:
    """Illuminate\\Cache\\RateLimiter over an ArrayStore."""

    def __init__(self) -> None:
        self.cache = ArrayStore()

    def too_many_attempts(self, key: str, max_attempts: int) -> bool:
        if self.attempts(key) >= max_attempts:
            if self.cache.get(key + ":timer") is not None:
                return True
            self.cache.forget(key)  # resetAttempts
        return False

    def hit(self, key: str, decay_seconds: int) -> int:
        self.cache.add(key + ":timer", current_time() + decay_seconds, decay_seconds)
        added = self.cache.add(key, 0, decay_seconds)
        hits = self.cache.increment(key)
        if not added and hits == 1:
            self.cache.put(key, 1, decay_seconds)
        return hits

    def attempts(self, key: str) -> int:
        return self.cache.get(key) or 0

    def remaining(self, key: str, max_attempts: int) -> int:
        return max(0, max_attempts - self.attempts(key))

    def available_in(self, key: str) -> int:
        return max(0, (self.cache.get(key + ":timer") or 0) - current_time())


def response(status: bytes, body: bytes, headers: dict[str, int]) -> bytes:
    extra = b"".join(f"{name}: {value}\r\n".encode() for name, value in headers.items())
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body
    )  # fmt: skip


class ThrottleRequests:
    """The middleware: 429 with Retry-After when too many, else hit, run, add the headers."""

    def __init__(self, max_attempts: int, decay_seconds: int) -> None:
        self.max_attempts, self.decay_seconds = max_attempts, decay_seconds
        self.limiter = RateLimiter()
        self.counts = {"200": 0, "429": 0}

    def handle(self, key: str) -> bytes:
        if self.limiter.too_many_attempts(key, self.max_attempts):
            retry_after = self.limiter.available_in(key)
            self.counts["429"] += 1
            return response(
                b"429 Too Many Requests",
                b'{"message":"Too Many Attempts."}',
                {
                    "X-RateLimit-Limit": self.max_attempts,
                    "X-RateLimit-Remaining": 0,
                    "Retry-After": retry_after,
                    "X-RateLimit-Reset": current_time() + retry_after,
                },
            )
        self.limiter.hit(key, self.decay_seconds)
        self.counts["200"] += 1
        return response(
            b"200 OK",
            BODY,
            {
                "X-RateLimit-Limit": self.max_attempts,
                "X-RateLimit-Remaining": self.limiter.remaining(key, self.max_attempts),
            },
        )


class Server(asyncio.Protocol):
    throttle: ThrottleRequests

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length, key = 0, ""
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
                elif name.lower() == b"x-access-key-id":
                    key = value.strip().decode()
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(Server.throttle.handle(key))  # type: ignore[attr-defined]


async def main() -> None:
    port, max_attempts, decay = (int(argument) for argument in sys.argv[1:4])
    Server.throttle = ThrottleRequests(max_attempts, decay)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Server, "127.0.0.1", port, backlog=512)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
