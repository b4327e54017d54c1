"""A client-side token bucket of capacity one: hands out send slots `1 / rate` apart, never blocks.

Why hand-rolled: the maintained limiters on PyPI (aiolimiter, pyrate-limiter, limits,
token-bucket) all either block or refuse, for a fixed rate, and none hands out a *reserved*
future slot whose wait the caller sleeps wherever it likes (time.sleep, anyio.sleep) while
the rate changes under it. What is needed is the arithmetic of botocore's `TokenBucket`
without its condition variable: a dozen lines, here.

Capacity one (GCRA, "virtual scheduling"): the bucket never saves up a burst while idle,
because a burst at the start of a fixed window plus pacing through it is what a fixed-window
limiter refuses. A slot is a point in time, not a resource: a caller that never uses its
slot (cancelled while waiting) leaves nothing behind but that moment, which passes.
"""

from __future__ import annotations

MIN_RATE = 0.5
"""Requests per second the bucket never goes below (botocore's floor)."""


class SlotBucket:
    """Send slots at `rate` per second; `floor` holds every slot back to a moment (Retry-After)."""

    __slots__ = ("_rate", "_spacing", "next_free")

    def __init__(self, rate: float, now: float) -> None:
        self._rate = self._spacing = 0.0
        self.rate = rate
        self.next_free = now
        """The earliest moment the next slot may be handed out."""

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        self._rate = max(value, MIN_RATE)
        self._spacing = 1.0 / self._rate

    @property
    def spacing(self) -> float:
        return self._spacing

    def reserve(self, now: float) -> float:
        """Claim the next slot; return the seconds from `now` until it."""
        slot = self.next_free if self.next_free > now else now
        self.next_free = slot + self._spacing
        return slot - now

    def floor(self, at: float) -> None:
        """No slot before `at`; slots already handed out keep their times."""
        if at > self.next_free:
            self.next_free = at
