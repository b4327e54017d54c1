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

import re
import time
from typing import NamedTuple

UNIX_TIME = 1_000_000_000
"""A Reset above this is a Unix time (2001 or later), not a number of seconds."""
_NUMBER = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?", re.ASCII)
_PARAMETER = re.compile(r"(?:^|[;,\s])([a-z]+)\s*=\s*\"?([0-9.]+)\"?", re.ASCII)


_NAMES = {"limit": "limit", "remaining": "remaining", "reset": "reset",
          "q": "limit", "r": "remaining", "t": "reset", "w": "window"}  # fmt: skip
"""Parameters of the draft's RateLimit and RateLimit-Policy fields, by what they state."""


class Quota(NamedTuple):
    """What one response said of the key's quota; None where it said nothing."""

    limit: int | None
    remaining: int | None
    reset: float | None
    """Seconds from the response until the window resets."""
    window: float | None = None
    """The window's length in seconds (`RateLimit-Policy`'s ``w``), when stated."""


def _number(value: str) -> float | None:
    value = value.strip()
    return float(value) if _NUMBER.fullmatch(value) else None


def _seconds(reset: float | None, now: float) -> float | None:
    if reset is None:
        return None
    return max(0.0, reset - now) if reset > UNIX_TIME else reset


def quota_from(headers: list[tuple[bytes, bytes]], now: float | None = None) -> Quota | None:
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
                if number is not None and parameter in _NAMES:
                    found.setdefault(_NAMES[parameter], number)
    if "remaining" not in found and "reset" not in found:
        return None
    limit, remaining = found.get("limit"), found.get("remaining")
    return Quota(
        None if limit is None else int(limit),
        None if remaining is None else int(remaining),
        _seconds(found.get("reset"), time.time() if now is None else now),
        found.get("window") or None,
    )
