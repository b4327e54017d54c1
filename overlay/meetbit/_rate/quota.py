"""The quota a server states in its headers: how many requests are left, and when that resets.

Read from any response, so that a client that has seen ``Remaining: 0`` does not send into
a window the server has said is spent (octokit's throttling plugin does the same with
GitHub's headers). Three spellings are understood:

* ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` (Laravel's ThrottleRequests, GitHub,
  Flask-Limiter): Reset is a Unix time when above 10**9 (Laravel, GitHub), else seconds;
* the IETF draft's ``RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` (seconds) and its
  ``RateLimit: limit=10, remaining=0, reset=3``;
* its later structured form, ``RateLimit: "default";r=0;t=3`` with
  ``RateLimit-Policy: "default";q=10;w=3``.

A value that is not a plain non-negative number is ignored, as a garbage Retry-After is.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable
from typing import NamedTuple

UNIX_TIME = 1_000_000_000
"""A Reset above this is a Unix time (2001 or later), not a number of seconds."""
_NUMBER = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?", re.ASCII)
_PARAMETER = re.compile(r"(?:^|[;,\s])([a-z]+)\s*=\s*\"?([0-9.]+)\"?", re.ASCII)


class Quota(NamedTuple):
    """What one response said of the key's quota; None where it said nothing."""

    limit: int | None
    remaining: int | None
    reset: float | None
    """Seconds from the response until the window resets."""


def _number(value: str) -> float | None:
    value = value.strip()
    return float(value) if _NUMBER.fullmatch(value) else None


def _seconds(reset: float | None, now: float) -> float | None:
    if reset is None:
        return None
    return max(0.0, reset - now) if reset > UNIX_TIME else reset


def quota_from(headers: Iterable[tuple[bytes, bytes]], now: float | None = None) -> Quota | None:
    """The quota stated in raw `headers` (httpx's ``headers.raw``), or None if none is."""
    found: dict[str, float] = {}
    for raw_name, raw_value in headers:
        name = raw_name.lower()
        if b"ratelimit" not in name:
            continue
        key = name.decode("latin-1").removeprefix("x-")
        value = raw_value.decode("latin-1")
        if key in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
            number = _number(value)
            if number is not None:
                found[key.removeprefix("ratelimit-")] = number
        elif key in ("ratelimit", "ratelimit-policy"):
            for parameter, text in _PARAMETER.findall(value.lower()):
                number = _number(text)
                names = {"limit": "limit", "remaining": "remaining", "reset": "reset", "r": "remaining", "t": "reset", "q": "limit"}  # fmt: skip
                if number is not None and parameter in names:
                    found.setdefault(names[parameter], number)
    if "remaining" not in found and "reset" not in found:
        return None
    limit, remaining = found.get("limit"), found.get("remaining")
    return Quota(
        None if limit is None else int(limit),
        None if remaining is None else int(remaining),
        _seconds(found.get("reset"), time.time() if now is None else now),
    )


HOLD = -1.0
"""`QuotaWindow.gate`: do not send; ask again shortly (a probe is out)."""
PROBE_BACKOFF = 0.1
"""Seconds a refused probe waits when the server says neither Retry-After nor Reset."""
PREDICTION_MARGIN = 0.05
"""Seconds added to a predicted reset: a window that starts at its first hit (Laravel's)
turns a moment after the last one ended, and a send at the predicted moment itself meets
the old window still closed."""


class QuotaWindow:
    """The key's stated quota as this client tracks it: sends left, and when the window turns.

    Engaged by the first response that states a quota; until then every method is a no-op.
    `left` is what the last response said remained, times this client's share of the
    window (1 alone; about 1/4 for one of four processes on one key, measured as the part
    of the last window's hits that were its own), less its requests still in flight. At 0,
    nothing is sent until the window turns: at its reset when the server gave one, else
    at a reset predicted from the last two it gave (`period`), else one request (a probe)
    finds out, and the rest wait for its answer.
    """

    __slots__ = ("last_reset", "left", "limit", "own", "period", "probe", "reset_at", "seen", "share", "turns")  # fmt: skip
    STATE = __slots__

    def __init__(self) -> None:
        self.limit: int | None = None
        self.left: float | None = None
        self.reset_at: float | None = None
        self.probe = False
        self.share = 1.0
        self.seen: int | None = None
        self.own = 0
        self.period: float | None = None
        self.last_reset: float | None = None
        self.turns = 0

    def gate(self, now: float) -> float | None:
        """None: send; a moment: not before it; `HOLD`: ask again shortly."""
        if self.left is None or self.left >= 1:
            return None
        reset = self.reset_at
        if reset is None and self.period is not None and self.last_reset is not None:
            passed = max(0, math.ceil((now - self.last_reset) / self.period))
            reset = self.last_reset + max(passed, 1) * self.period + PREDICTION_MARGIN
        if reset is not None:
            if now < reset:
                return reset
            self._turn(reset)
            return None
        if not self.probe:
            self.probe = True
            return None
        return HOLD

    def _turn(self, reset: float) -> None:
        if self.limit is not None and self.seen is not None and self.limit > self.seen:
            self.share = min(1.0, max(1.0 / self.limit, self.own / (self.limit - self.seen)))
        self.last_reset, self.reset_at, self.seen, self.own = reset, None, None, 0
        self.turns += 1
        self.left = None if self.limit is None else max(1.0, self.limit * self.share)

    def sent(self) -> None:
        if self.left is not None:
            self.left -= 1

    def refused_probe(self) -> bool:
        """Whether a 429 now was expected: this client sent it knowing the window was spent."""
        return self.probe or (self.left is not None and self.left < 1)

    def update(self, now: float, quota: Quota | None, retry_after: float | None,
               throttled: bool, in_flight: int) -> None:  # fmt: skip
        """Take what a response said (a 429's Retry-After included)."""
        self.probe = False
        if quota is not None:
            if quota.limit is not None:
                self.limit = quota.limit
            remaining = 0 if throttled else quota.remaining
            if remaining is not None:
                if self.seen is not None and remaining > self.seen + in_flight:
                    self.seen, self.own = None, 0  # the window turned under us
                if not throttled:
                    self.own += 1
                self.seen = remaining if self.seen is None else min(self.seen, remaining)
                self.left = self.seen * self.share - in_flight
            if quota.reset is not None and not throttled:
                self.reset_at = now + quota.reset
        if throttled and (quota is not None or self.left is not None):
            self.left = 0.0
            reset = now + (retry_after or (quota.reset if quota and quota.reset else 0.0))
            if reset <= now:
                reset = now + PROBE_BACKOFF
            if self.last_reset is not None and self.turns == 1:
                self.period = reset - self.last_reset
            if self.turns:
                self.last_reset, self.turns = reset, 0
            elif self.last_reset is None:
                self.last_reset = reset
            self.reset_at = max(self.reset_at or reset, reset)
