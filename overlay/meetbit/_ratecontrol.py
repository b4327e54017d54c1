"""Placeholder rate controller: honours Retry-After as a floor for the next send, nothing more.

(Replaced by the adaptive controller of the rate-limiting work.)
"""

from __future__ import annotations

import threading
import time


class RateController:
    """One per client (its copies share it): when the next request may be sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._not_before = 0.0

    def reserve(self) -> float:
        return max(0.0, self._not_before - time.monotonic())

    def on_response(self, throttled: bool, retry_after: float | None) -> None:
        if throttled and retry_after is not None:
            with self._lock:
                self._not_before = max(self._not_before, time.monotonic() + retry_after)

    async def areserve(self) -> float:
        return self.reserve()

    async def aon_response(self, throttled: bool, retry_after: float | None) -> None:
        self.on_response(throttled, retry_after)


def controller_for(store: str | None, key: str) -> RateController:
    """The controller for `store` (None: in this process)."""
    return RateController()
