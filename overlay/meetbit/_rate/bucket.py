"""The send schedule: moments `1 / rate` apart, held back by floors, handed back when unused.

Why hand-rolled: the maintained limiters on PyPI (aiolimiter, pyrate-limiter, limits,
token-bucket) all either block or refuse, for a fixed rate, and none hands out a *reserved*
future moment whose wait the caller sleeps wherever it likes (time.sleep, anyio.sleep) while
the rate changes under it, nor moves moments already handed out when the server says "not
before". What is needed is the arithmetic of botocore's `TokenBucket` without its condition
variable, plus the bookkeeping below.

Capacity one (GCRA, "virtual scheduling"): the bucket never saves up a burst while idle,
because a burst at the start of a fixed window plus pacing through it is what a fixed-window
limiter refuses.

A moment handed out is *pending* until its caller sends (`sent`) or gives it back
(`hand_back`: gave up, cancelled, interrupted). A floor (Retry-After) that falls after
pending moments moves all of them by the same amount (`shift`), keeping their order and
spacing: a caller that wakes for its moment checks the shift just before sending, and a
send that meets a floor waits for it without losing its turn. A moment handed back goes to
the next caller, or, if nothing pending is behind it, pulls the schedule's end back to it.
"""

from __future__ import annotations

import bisect
import math

MIN_RATE = 0.5
"""Requests per second the bucket never goes below (botocore's floor)."""
LOST_AFTER = 30.0
"""Seconds after its moment a pending moment is forgotten: its caller is gone (a thread
killed, a process frozen); the moment must not hold a floor back forever."""
EPSILON = 1e-6


class SlotBucket:
    """Send moments at `rate` per second; see the module docstring."""

    __slots__ = (
        "_rate",
        "_spacing",
        "floor_at",
        "floor_source",
        "gaps",
        "next_free",
        "pending",
        "shift",
    )
    STATE = __slots__

    def __init__(self, rate: float, now: float) -> None:
        self._rate = self._spacing = 0.0
        self.rate = rate
        self.next_free = now
        """The earliest moment the next new slot may be handed out."""
        self.shift = 0.0
        """How far floors have moved the moments handed out so far, in all."""
        self.pending: list[float] = []
        """Moments handed out and neither sent nor handed back, less the shift when handed out."""
        self.gaps: list[float] = []
        """Moments handed back with pending ones behind them, less the shift (sorted)."""
        self.floor_at = -math.inf
        self.floor_source = "backoff"

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

    def reserve(self, now: float, not_before: float | None = None) -> tuple[float, str]:
        """Hand out the next moment (a gap first); return it and where its wait comes from."""
        while self.pending and self.pending[0] + self.shift < now - LOST_AFTER:
            self.pending.pop(0)
        start = now if not_before is None or not_before < now else not_before
        while self.gaps and self.gaps[0] + self.shift < start:
            self.gaps.pop(0)  # passed: nobody can use it any more
        if self.gaps:
            at = self.gaps.pop(0) + self.shift
        else:
            at = self.next_free if self.next_free > start else start
            self.next_free = at + self._spacing
        bisect.insort(self.pending, at - self.shift)
        source = self.floor_source if at <= self.floor_at + EPSILON else "rate-control"
        return at, source

    def sent(self, moment: float) -> None:
        """The caller of `moment` (less its shift) sends now."""
        index = bisect.bisect_left(self.pending, moment - EPSILON)
        if index < len(self.pending) and self.pending[index] <= moment + EPSILON:
            del self.pending[index]

    def hand_back(self, moment: float, now: float) -> None:
        """The caller of `moment` (less its shift) will not send: let someone else have it."""
        index = bisect.bisect_left(self.pending, moment - EPSILON)
        if not (index < len(self.pending) and self.pending[index] <= moment + EPSILON):
            return  # sent, handed back already, or forgotten
        del self.pending[index]
        last = self.pending[-1] if self.pending else -math.inf
        if moment < last:
            bisect.insort(self.gaps, moment)
            return
        # Nothing pending behind it: the schedule ends earlier, at the first free moment.
        behind = [gap for gap in self.gaps if gap > last]
        self.gaps = [gap for gap in self.gaps if gap <= last]
        self.next_free = max(now, min([moment, *behind]) + self.shift)

    def floor(self, at: float, now: float, source: str) -> None:
        """No send before `at`: pending moments move back as one, in order; new ones follow."""
        if self.pending:
            earliest = max(now, self.pending[0] + self.shift)
            if at > earliest:
                moved = at - earliest
                self.shift += moved
                self.next_free += moved
        if at > self.next_free:
            self.next_free = at
        self.floor_at, self.floor_source = at, source

    def idle(self, now: float) -> bool:
        """Nothing pending and nothing scheduled ahead: forgetting the rate loses nothing."""
        return not self.pending and self.next_free <= now
