"""Driving a rate controller as one caller does, in process or through Redis; Laravel's window as a script."""

from __future__ import annotations

import math
import time
from typing import Any

from clients import OK
from laravel import RateLimiter  # bench/laravel.py: Laravel's, step for step
from wire import Received, Reply


def until_send(slot: Any) -> float:
    """Seconds before the caller of `slot` may send: its wait, or, held (a negative wait,
    a round's Retry-After not over), how long it is held."""
    return abs(float(slot.wait))


def wait_and_send(controller: Any, clock: Any) -> float:
    """Reserve, wait on the fake `clock` and confirm one send as the transport does; the
    seconds it waited."""
    started = clock.now
    slot = controller.reserve()
    while slot.wait < 0:
        clock.advance(-slot.wait)
        slot = controller.reserve()
    clock.advance(slot.wait)
    again = controller.confirm(slot)
    while again is not None:
        clock.advance(again.wait)
        again = controller.confirm(again)
    return float(clock.now - started)


def go(controller: Any) -> float:
    """Reserve and confirm a send; the wait its slot asked for (negative: held, nothing sent).

    The caller sends at once, whatever the wait: the controller counts a send when confirmed.
    """
    slot = controller.reserve()
    if slot.wait >= 0:
        controller.confirm(slot)
    return float(slot.wait)


def laravel_window(max_attempts: int, decay: int) -> Any:
    """A WireServer script answering as Laravel's ThrottleRequests over its RateLimiter."""
    limiter = RateLimiter()

    def script(received: Received) -> Reply:
        key = received.headers.get("x-access-key-id", "")
        limit = {"X-RateLimit-Limit": str(max_attempts)}
        if limiter.too_many_attempts(key, max_attempts):
            retry_after = limiter.available_in(key)
            return Reply(429, "Too Many Attempts.", {**limit, "X-RateLimit-Remaining": "0",
                         "Retry-After": str(retry_after),
                         "X-RateLimit-Reset": str(math.floor(time.time()) + retry_after)})  # fmt: skip
        limiter.hit(key, decay)
        remaining = str(limiter.remaining(key, max_attempts))
        return Reply(200, OK.body, {**limit, "X-RateLimit-Remaining": remaining})

    return script
