"""Which throttles are news: one cut per overshoot, not one per refused request of the same burst.

botocore cuts on every throttle response. With 50 requests in flight when the limit is hit,
that is dozens of cuts for one event (0.7**30 of the rate). As TCP does with its recovery
point, the detector remembers how many requests had been sent when it acted on a throttle;
the answers to those (the first that many answers, counted) are stale: they were sent
before the client knew. A throttle after them is one of two things:

* an overshoot: a request sent after the last throttle was accepted, so the limit was
  reached by sending too fast: cut the rate;
* a persisting refusal: nothing sent since was accepted, so the limiter's window has not
  turned yet (a fixed window spent by the burst): do not cut again, back off further.

Counts can drift (a cancelled wait is a send that never gets an answer), so staleness also
ends `HOLD` seconds after the throttle, whatever the counts say.
"""

from __future__ import annotations

import enum
import math


class Throttle(enum.Enum):
    STALE = "stale"
    OVERSHOOT = "overshoot"
    PERSISTING = "persisting"


HOLD = 1.0
"""Longest time, in seconds, after a throttle that answers may still count as stale."""


class ThrottleDetector:
    """Classifies each throttle; counts the persisting refusals in a row (`streak`)."""

    __slots__ = ("_hold", "fresh_success", "hold_until", "recovery_point", "streak")
    STATE = __slots__

    def __init__(self, hold: float = HOLD) -> None:
        self._hold = hold
        self.hold_until = -math.inf
        self.recovery_point = 0
        self.fresh_success = True  # the first throttle ever is an overshoot
        self.streak = 0

    def _stale(self, now: float, answered: int) -> bool:
        return now < self.hold_until and answered <= self.recovery_point

    def success(self, now: float, answered: int) -> None:
        """Note a success, the `answered`-th answer counted."""
        if not self._stale(now, answered):
            self.fresh_success = True

    def throttle(self, now: float, answered: int, sent: int) -> Throttle:
        """Classify a throttle, the `answered`-th answer, when `sent` requests have been sent."""
        if self._stale(now, answered):
            return Throttle.STALE
        self.hold_until = now + self._hold
        self.recovery_point = sent
        if self.fresh_success:
            self.fresh_success = False
            self.streak = 0
            return Throttle.OVERSHOOT
        self.streak += 1
        return Throttle.PERSISTING
