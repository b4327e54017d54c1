"""A discrete-event simulation of clients sharing one key against models of real limiters.

Each process has its own `RateController` (or all share one: the Redis store) on one fake
clock; each of its workers makes calls the way `_transport.RetryTransport` does (reserve,
wait, confirm, send, `on_response`, retry after a 429). The limiters answer as the bench's
real ones do (`make bench-limiters`), so a rule can be tried in seconds, with seeds, before
it is measured on the real servers:

* ``laravel``: Laravel's ThrottleRequests over its RateLimiter (bench/laravel.py): a fixed
  window from the key's first hit, `Retry-After` = the window timer's whole second less
  now's, `X-RateLimit-Limit`/`Remaining` on every answer, `Reset` on a 429;
* ``flask``: Flask-Limiter over `limits`' memory storage: a fixed window from the first hit,
  `Reset` = int(end + 1) and `Retry-After` = int(Reset - now) on every answer;
* ``slowapi``: the same window and no headers at all;
* ``nginx``: `limit_req` (leaky bucket, burst = rate, nodelay), with or without
  `Retry-After: 1`.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable, Generator
from typing import Any

from fakeclock import FakeClock
from meetbit._rate import FREE, RateController
from meetbit._rate.quota import quota_from

Answer = tuple[bool, list[tuple[bytes, bytes]]]
"""Refused, and the raw headers of the answer."""


def _headers(**values: float | int | None) -> list[tuple[bytes, bytes]]:
    names = {"limit": b"X-RateLimit-Limit", "remaining": b"X-RateLimit-Remaining",
             "reset": b"X-RateLimit-Reset", "retry_after": b"Retry-After"}  # fmt: skip
    return [(names[k], str(v).encode()) for k, v in values.items() if v is not None]


class Laravel:
    """ThrottleRequests over Illuminate's RateLimiter and ArrayStore (bench/laravel.py)."""

    def __init__(self, limit: int = 30, decay: int = 3) -> None:
        self.limit, self.decay = limit, decay
        self.hits, self.expires, self.timer = 0, -math.inf, 0

    def __call__(self, unix: float) -> Answer:
        if unix >= self.expires:
            self.hits = 0
        if self.hits >= self.limit:
            retry_after = max(0, self.timer - math.floor(unix))
            return True, _headers(limit=self.limit, remaining=0, retry_after=retry_after,
                                  reset=math.floor(unix) + retry_after)  # fmt: skip
        if self.hits == 0:
            self.expires, self.timer = unix + self.decay, math.floor(unix) + self.decay
        self.hits += 1
        return False, _headers(limit=self.limit, remaining=self.limit - self.hits)


class FixedWindow:
    """`limits`' fixed window in memory (Flask-Limiter, slowapi): from the first hit, 1 s."""

    def __init__(self, limit: int = 20, headers: bool = True) -> None:
        self.limit, self.headers = limit, headers
        self.hits, self.expires = 0, -math.inf

    def __call__(self, unix: float) -> Answer:
        if unix >= self.expires:
            self.hits, self.expires = 0, unix + 1.0
        refused = self.hits >= self.limit
        self.hits += not refused
        if not self.headers:
            return refused, []
        reset = int(self.expires + 1)
        return refused, _headers(limit=self.limit, remaining=self.limit - self.hits,
                                 reset=reset, retry_after=int(reset - unix))  # fmt: skip


class LeakyBucket:
    """nginx `limit_req` with `burst` = the rate and `nodelay`; `Retry-After` optional."""

    def __init__(self, rate: float = 20.0, retry_after: str | None = None) -> None:
        self.rate, self.burst, self.retry_after = rate, rate, retry_after
        self.excess, self.last = 0.0, -math.inf

    def __call__(self, unix: float) -> Answer:
        excess = max(0.0, self.excess - (unix - self.last) * self.rate) if self.excess else 0.0
        if excess + 1 > self.burst + 1:
            hint = [(b"Retry-After", self.retry_after.encode())] if self.retry_after else []
            return True, hint
        self.excess, self.last = excess + 1, unix
        return False, []


LIMITERS: dict[str, tuple[Callable[[], Callable[[float], Answer]], float]] = {
    "laravel": (Laravel, 10.0),
    # The same shape at other sizes: Laravel's default (60 per minute) scaled to 6 s, and
    # its own, and short windows, where whole-second rounding weighs most.
    "laravel-10/1": (lambda: Laravel(10, 1), 10.0),
    "laravel-20/2": (lambda: Laravel(20, 2), 10.0),
    "laravel-60/6": (lambda: Laravel(60, 6), 10.0),
    "laravel-60/60": (lambda: Laravel(60, 60), 1.0),
    "flask": (FixedWindow, 20.0),
    "slowapi": (lambda: FixedWindow(headers=False), 20.0),
    "nginx": (LeakyBucket, 20.0),
    "nginx-ra1": (lambda: LeakyBucket(retry_after="1"), 20.0),
}
"""Each limiter: how to make one, and its quota in requests/s (what "x ideal" divides by)."""


SEND = object()


def _call(controller: RateController, clock: FakeClock) -> Generator[Any, Any, int]:
    """One call as the transport makes it; yields waits and SEND; returns the 429s it drew."""
    slot, not_before, refused = controller.reserve(), 0.0, 0
    while True:
        if slot is not FREE or not_before:
            turn: Any = slot
            while turn is not None:
                if turn.wait < 0:
                    yield -turn.wait
                    turn = controller.reserve()
                    continue
                wait = turn.wait
                if not_before:
                    wait = max(wait, not_before - clock.now)
                if wait > 0:
                    yield wait
                turn = controller.confirm(turn)
        throttled, headers, unix = yield SEND
        retry_after = None
        for name, value in headers:
            if name == b"Retry-After":
                retry_after = float(value)
        controller.on_response(throttled, retry_after if throttled else None,
                               quota_from(headers, now=unix))  # fmt: skip
        if not throttled:
            return refused
        refused += 1
        slot, not_before = controller.reserve(), clock.now + (retry_after or 0.0)


def _naive_call(clock: FakeClock) -> Generator[Any, Any, int]:
    """Per-request retry: on 429 sleep Retry-After or 1 s (what the bench calls naive)."""
    refused = 0
    while True:
        throttled, headers, _ = yield SEND
        if not throttled or refused == 10:
            return refused
        refused += 1
        hint = [float(v) for n, v in headers if n == b"Retry-After"]
        yield hint[0] if hint else 1.0


def simulate(limiter: str, processes: int = 4, workers: int = 12, events: int = 200,
             seed: int = 0, shared: bool = False, naive: bool = False,
             latency: tuple[float, float] = (0.001, 0.004),
             skew: float = 0.02, trace: list[Any] | None = None) -> dict[str, float]:  # fmt: skip
    """Cancel `events` with `processes` x `workers`; return 429s, seconds and x ideal.

    `shared`: one controller for all processes (the Redis store); `naive`: the naive loop.
    `skew`: the processes start up to this many seconds apart. Unix time is the fake
    clock plus a random offset, so windows fall anywhere within their second.
    """
    draw = random.Random(seed)
    clock = FakeClock(1000.0)
    unix_offset = 1_700_000_000 + draw.random()
    make, quota = LIMITERS[limiter]
    server = make()
    one = RateController(clock=clock, rng=random.Random(seed))
    controllers = [one if shared else RateController(clock=clock, rng=random.Random(seed + n))
                   for n in range(processes)]  # fmt: skip
    todo = [list(range(n, events, processes)) for n in range(processes)]
    finished = [clock.now] * processes
    queue: list[tuple[float, int, Any]] = []
    order = itertools.count()
    limited = 0
    start = clock.now

    def next_call(process: int, worker: Any) -> Generator[Any, Any, int] | None:
        if not todo[process]:
            return None
        todo[process].pop()
        return _naive_call(clock) if naive else _call(controllers[process], clock)

    def step(at: float, task: tuple[int, Generator[Any, Any, int]], value: Any) -> None:
        nonlocal limited
        process, call = task
        clock.now = at
        try:
            action = call.send(value)
        except StopIteration:
            finished[process] = at
            following = next_call(process, None)
            if following is not None:
                heapq.heappush(queue, (at, next(order), ((process, following), None)))
            return
        if action is SEND:
            there = draw.uniform(*latency) / 2
            heapq.heappush(queue, (at + there, next(order), ("server", (process, call))))
        else:
            heapq.heappush(queue, (at + action, next(order), ((process, call), None)))

    for process in range(processes):
        begin = start + draw.uniform(0, skew)
        for _ in range(workers):
            call = next_call(process, None)
            if call is not None:
                heapq.heappush(queue, (begin, next(order), ((process, call), None)))
    while queue:
        at, _, (task, value) = heapq.heappop(queue)
        if task == "server":
            refused, headers = server(at + unix_offset)
            limited += refused
            if trace is not None:
                trace.append((at - start, value[0], refused, headers))
            back = draw.uniform(*latency) / 2
            heapq.heappush(
                queue,
                (at + back, next(order), (value, (refused, headers, at + back + unix_offset))),
            )
            continue
        step(at, task, value)
    seconds = max(finished) - start
    return {"429s": limited, "seconds": seconds, "ideal": events / seconds / quota}
