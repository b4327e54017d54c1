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
          "q": "limit", "r": "remaining", "t": "reset"}  # fmt: skip
"""Parameters of the draft's RateLimit and RateLimit-Policy fields, by what they state."""


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
    )


HOLD = -1.0
"""`QuotaWindow.gate`: do not send; ask again shortly (a probe is out)."""
PROBE_BACKOFF = 0.1
"""Seconds a refused probe waits when the server says neither Retry-After nor Reset (or
`Retry-After: 0`, Laravel's answer in a window's last fraction of a second); doubles per
refusal in a row, up to `MAX_PROBE_BACKOFF`."""
MAX_PROBE_BACKOFF = 1.0
PROBE_PATIENCE = 2.0
"""Seconds after which another probe may go if the last one got no answer (a lost request)."""


SHARE_GROWTH = 1.25
"""Growth of `QuotaWindow.share` per window that drew no surprise."""
MIN_SHARE = 0.05


class QuotaWindow:
    """The key's stated quota as this client tracks it: sends left, and when the window turns.

    Engaged by the first response that states a quota; until then every method is a no-op.
    `left` is what the last response said remained, less this client's requests still in
    flight. At 0, nothing is sent until the window turns: one request (a probe) finds out,
    and the rest wait for its answer; a refused probe's Retry-After (or, without one, its
    Reset) says when. A Reset on a success is not waited for: Flask-Limiter states a 1 s
    window's reset a second late (the next whole second after it), which halved throughput.
    After a reset, too, one request goes first and its answer says how many may follow. A 429's
    Retry-After holds every send until it is over (`hold_until`), whatever a later answer
    says is left. A 429 while some was thought left means others spend the same quota (other
    processes on the key, without the Redis store): the client then counts on half of what
    is left (`share`), once a window, and on a quarter more per window without one.
    (Predicting the next reset from the last two was tried: with Laravel's
    whole-second Retry-After the prediction is off by up to a second either way.)
    """

    __slots__ = (
        "hold_until",
        "left",
        "limit",
        "probe",
        "probe_at",
        "refusals",
        "reset_at",
        "seen",
        "share",
        "surprised",
    )
    STATE = __slots__

    def __init__(self) -> None:
        self.limit: int | None = None
        self.left: float | None = None
        self.reset_at: float | None = None
        self.hold_until = 0.0
        self.probe = 0  # the probe out: how many had been sent with it; 0: none is out
        self.probe_at = 0.0
        self.seen: int | None = None
        self.refusals = 0  # 429s in a row
        self.share = 1.0  # of what is left, the part this client counts as its own
        self.surprised = False  # refused this window while it thought some was left

    def gate(self, now: float, sent: int, probe: bool = True) -> float | None:
        """None: send; a moment: not before it; `HOLD`: ask again shortly.

        With `probe` False (a moment being handed out, not a send about to go) a window
        spent with no known reset lets it through: the send decides when it is confirmed.
        """
        if now < self.hold_until:
            return self.hold_until
        if self.left is None or self.left >= 1:
            return None
        reset = self.reset_at
        if reset is not None:
            if now < reset:
                return reset
            self._turn()
            return None
        if not probe:
            return None
        if not self.probe or now - self.probe_at > PROBE_PATIENCE:
            self.probe, self.probe_at = sent + 1, now
            return None
        return HOLD

    def _turn(self) -> None:
        if not self.surprised:
            self.share = min(1.0, self.share * SHARE_GROWTH)
        self.surprised = False
        # One request first: a reset is as exact as the server's clock and rounding allow
        # (Laravel's Retry-After is whole seconds, off by up to one either way), and a whole
        # window's worth sent into a window not yet turned would all be refused.
        self.reset_at, self.seen, self.left = None, None, 1.0

    def sent(self) -> None:
        if self.left is not None:
            self.left -= 1

    def refused_probe(self, answered: int) -> bool:
        """Whether the `answered`-th answer, a 429, was expected: the window was known spent."""
        return (bool(self.probe) and answered >= self.probe) or (
            self.left is not None and self.left < 1
        )

    def update(self, now: float, quota: Quota | None, retry_after: float | None,
               throttled: bool, answered: int, in_flight: int) -> None:  # fmt: skip
        """Take what the `answered`-th response said (a 429's Retry-After included)."""
        probed = bool(self.probe) and answered >= self.probe  # the probe's answer, or later
        if probed:
            self.probe = 0
        if quota is not None:
            if quota.limit is not None:
                self.limit = quota.limit
            if not throttled:
                self.refusals = 0
            if quota.remaining is not None and not throttled:
                # Within a window what is left only goes down: answers that arrive out of
                # order say more than is left. A probe's answer, or the first after a
                # reset, says what the window now holds.
                remaining = quota.remaining
                if self.seen is None or probed:
                    self.seen = remaining
                self.seen = min(self.seen, remaining)
                self.left = self.seen * self.share - in_flight
        if throttled and (quota is not None or self.left is not None):
            if not probed and (self.left is None or self.left >= 1) and not self.surprised:
                # Refused while some was thought left: others spend the same quota (other
                # processes on the key). Count on half as much of what is left, once a window.
                self.surprised = True
                self.share = max(MIN_SHARE, self.share / 2)
            self.left = 0.0
            wait = retry_after or (quota.reset if quota is not None and quota.reset else 0.0)
            backoff = min(MAX_PROBE_BACKOFF, PROBE_BACKOFF * 2.0**self.refusals)
            self.refusals += 1
            reset = now + (wait or backoff)
            if retry_after:
                self.hold_until = max(self.hold_until, reset)
            self.reset_at = max(self.reset_at or reset, reset)
