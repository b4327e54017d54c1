"""The clock the rate controller reads: monotonic seconds, replaceable by a fake one in tests."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds on a monotonic scale; only differences matter."""


class FakeClock:
    """A clock that moves only when told to, for testing each part without sleeping."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


monotonic: Clock = time.monotonic
