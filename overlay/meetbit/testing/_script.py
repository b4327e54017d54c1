"""Failure scripting: what the fake answers next instead of the operation (`fail_next`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Scripted:
    """One scripted answer: a status, its message and Retry-After, for one operation or any."""

    status: int
    message: str | None
    retry_after: str | None
    operation: str | None


class Script:
    """The scripted answers, oldest first; each answers one request meant for it."""

    def __init__(self) -> None:
        self._queue: list[Scripted] = []
        self._lock = threading.Lock()

    def add(self, scripted: Scripted, times: int) -> None:
        with self._lock:
            self._queue += [scripted] * times

    def take(self, operation: str | None) -> Scripted | None:
        """The first answer meant for a request routed to `operation` (None: no route)."""
        with self._lock:
            for index, scripted in enumerate(self._queue):
                if scripted.operation is None or scripted.operation == operation:
                    return self._queue.pop(index)
        return None
