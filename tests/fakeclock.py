"""A clock for the rate controller that moves only when told to (test-only: not shipped)."""

from __future__ import annotations


class FakeClock:
    """Seconds on a monotonic scale that move only by `advance` (or by setting `now`)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
