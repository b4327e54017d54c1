"""Measured rate of accepted requests: a sliding one-second window from two fixed buckets.

The first throttle has to start the send rate somewhere, and the accepted rate just before
it is the best guess of the quota (botocore starts from its measured send rate, which counts
the refused requests too, and after a burst reads as zero or as hundreds per second). The
count is divided by one second, never by a shorter span: twenty accepted in 50 ms is not
400/s, it is "at least twenty a second".

`add` runs on every response before the first throttle, so it takes no lock: under threads
an increment may be lost now and then, which skews an estimate by a request, not more.
"""

from __future__ import annotations

import threading

MIN_SPAN = 0.01
"""Shortest span, in seconds, `AcceptedMeter.pace` divides by."""


class AcceptedMeter:
    """Accepted requests per second, over the last second."""

    __slots__ = ("_current", "_end", "_first", "_lock", "_previous")
    STATE = ("_current", "_end", "_first", "_previous")

    WIDTH = 1.0

    def __init__(self, now: float) -> None:
        self._previous = 0
        self._current = 0
        self._end = now + self.WIDTH
        self._first: float | None = None  # the first event counted since the meter was empty
        self._lock = threading.Lock()

    def add(self, now: float) -> None:
        if now >= self._end:
            self._roll(now)
        if self._first is None:
            self._first = now
        self._current += 1

    def _roll(self, now: float) -> None:
        with self._lock:
            if now < self._end:
                return
            skipped = (now - self._end) // self.WIDTH  # whole idle buckets since the last
            self._previous = self._current if skipped == 0 else 0
            if skipped:
                self._first = None
            self._current = 0
            self._end += (skipped + 1) * self.WIDTH

    def span(self, now: float) -> float:
        """Seconds the current reading covers: a second, or less if counting began later."""
        return self.WIDTH if self._first is None else min(self.WIDTH, now - self._first)

    def rate(self, now: float) -> float:
        if now >= self._end:
            self._roll(now)
        elapsed_share = 1.0 - (self._end - now) / self.WIDTH
        return self._previous * (1.0 - elapsed_share) + self._current

    def pace(self, now: float) -> float:
        """Accepted per second over the time the client has been busy, not over a whole second.

        What a cut is taken from: 50 accepted in 10 ms read 5,000/s, not 50/s, and idle time
        before them (a second or more without an answer) does not dilute them. At least
        `MIN_SPAN` is taken, so one answer alone does not read as thousands a second.
        """
        return self.rate(now) * self.WIDTH / max(self.span(now), MIN_SPAN)
