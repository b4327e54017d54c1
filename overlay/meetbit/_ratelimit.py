"""One rate-limit gate per client, so that one 429 holds back all the client's requests.

Per-request retry (what most SDKs do) lets every request in flight discover the limit on
its own: with 50 concurrent requests, each window of a quota costs dozens of 429s, and a
request unlucky several times in a row gives up. The gate coordinates instead:

* a 429 closes the gate until its Retry-After; every request of the client waits for that
  moment, and waiting is not a failed attempt;
* the gate learns how many requests the quota took in that window (counting requests by
  the window they were sent in) and how long the window was;
* the next window lets that many go at once and then closes by itself for the learned
  window length: no request is sent only to be refused;
* every other window probes instead: after the learned number, requests go one at a time
  until one is refused, so the gate keeps up when the quota changes, at one 429 per probe;
* when nothing went through in the last window, it starts slow: one request, then two
  more for each that succeeds;
* after a quiet spell with no 429 the gate forgets, and stays out of the way.

Until the first 429, the gate costs a comparison and an addition per request.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import anyio


class RateLimitGate:
    """What the client has learned about its access key's rate limit."""

    __slots__ = (
        "_learned",
        "_opened",
        "_period",
        "_previous",
        "_probe",
        "_quiet_after",
        "_sent",
        "_successes",
        "until",
        "window",
    )

    def __init__(self) -> None:
        self.until = 0.0
        """`time.monotonic()` before which no request should be sent."""
        self.window = 0
        """Which window requests are being sent in now; a 429 or a cool-down starts the next."""
        self._opened = time.monotonic()
        self._learned = False  # False: never limited, or quiet again
        self._previous = 0  # successes of requests sent in the previous window, late ones too
        self._period = 1.0
        self._probe = True
        self._sent = 0
        self._successes = 0
        self._quiet_after = math.inf

    def limited(self, wait: float, window: int) -> None:
        """Record a 429, asking for `wait` seconds, to a request sent in `window`."""
        now = time.monotonic()
        if window == self.window:  # the first refusal of this window: it ends here
            self._learned = True
            self._period = max(now + wait - self._opened, 0.0)
            self._probe = False
            self._open(now + wait)
        else:  # a request sent earlier, answered late: it moves the start, not the lesson
            self.until = self._opened = max(self.until, now + wait)
        self._quiet_after = self.until + max(wait, 1.0)

    def succeeded(self, window: int) -> None:
        if window == self.window:
            self._successes += 1
        elif window == self.window - 1:  # answered after its window ended: still its lesson
            self._previous += 1

    def admits(self, now: float) -> bool | None:
        """Once the cool-down is over: True to go now, False to go one at a time, None to wait."""
        if not self._learned:
            return True
        if now > self._quiet_after:
            self._learned = False
            return True
        # What went through last window may go at once. When nothing did (a storm of 429s),
        # start slow: each success in this window lets two more go.
        if self._sent < (self._previous or 2 * self._successes):
            self._sent += 1
            return True
        if self._probe or not self._previous:
            return False
        # A paced window: the quota took this many last time, so close for the learned
        # length rather than send requests only to be refused; the next window probes.
        self._probe = True
        self._open(self._opened + self._period)
        self._quiet_after = max(self._quiet_after, self.until + self._period)
        return None

    def _open(self, at: float) -> None:
        self.window += 1
        self.until = self._opened = at
        self._previous, self._successes, self._sent = self._successes, 0, 0


class Turns:
    """Waiting at the gate, for threads: sleep through cool-downs, queue one-at-a-time sends.

    With `in_flight`, a request also takes one of that many slots before it looks at the
    gate, so that what the gate lets through goes on the wire at once instead of queueing
    in the connection pool, where it would reach the server after the window it was
    admitted for.
    """

    def __init__(self, gate: RateLimitGate, in_flight: int | None = None) -> None:
        self.gate = gate
        self._one_at_a_time = threading.Lock()
        self._slots = threading.BoundedSemaphore(in_flight) if in_flight else None

    def take(self, deadline: float, longest: float) -> bool | None:
        """Wait for this request's turn: True if it holds the one-at-a-time slot, None if late.

        A cool-down longer than `longest` or past `deadline` is not waited for: the request
        goes, and the server's answer decides (the caller raises RateLimitedError at once).
        """
        slots = self._slots
        if slots is not None and not slots.acquire(timeout=_until(deadline)):
            return None
        turn = self._at_gate(deadline, longest)
        if turn is None and slots is not None:
            slots.release()
        return turn

    def _at_gate(self, deadline: float, longest: float) -> bool | None:
        while True:
            now = time.monotonic()
            wait = self.gate.until - now
            if 0 < wait <= longest and now + wait < deadline:
                time.sleep(wait)
                continue
            admitted = True if wait > 0 else self.gate.admits(now)
            if admitted is None:
                continue
            if admitted:
                return False
            if not self._one_at_a_time.acquire(timeout=_until(deadline)):
                return None
            if self.gate.until <= time.monotonic():
                return True
            self._one_at_a_time.release()  # a 429 closed the gate meanwhile: wait again

    def leave(self, turn: bool | None) -> None:
        if turn is None:
            return
        if turn:
            self._one_at_a_time.release()
        if self._slots is not None:
            self._slots.release()


class AsyncTurns:
    """Waiting at the gate for coroutines: the same rules, without blocking the event loop."""

    def __init__(self, gate: RateLimitGate, in_flight: int | None = None) -> None:
        import anyio  # only async users pay for it; works under asyncio and trio alike

        self.gate = gate
        self.sleep = anyio.sleep
        self._anyio = anyio
        self._in_flight = in_flight
        # Made on first use, inside the event loop.
        self._one_at_a_time: anyio.Lock | None = None
        self._slots: anyio.Semaphore | None = None

    async def take(self, deadline: float, longest: float) -> bool | None:
        """Wait for this request's turn; see `Turns.take`."""
        if self._in_flight:
            if self._slots is None:
                self._slots = self._anyio.Semaphore(self._in_flight)
            try:
                self._slots.acquire_nowait()  # the common case, without a trip to the loop
            except self._anyio.WouldBlock:
                with self._anyio.move_on_after(_until(deadline)) as scope:
                    await self._slots.acquire()
                if scope.cancelled_caught:
                    return None
        turn = await self._at_gate(deadline, longest)
        if turn is None and self._slots is not None:
            self._slots.release()
        return turn

    async def _at_gate(self, deadline: float, longest: float) -> bool | None:
        while True:
            now = time.monotonic()
            wait = self.gate.until - now
            if 0 < wait <= longest and now + wait < deadline:
                await self.sleep(wait)
                continue
            admitted = True if wait > 0 else self.gate.admits(now)
            if admitted is None:
                continue
            if admitted:
                return False
            if self._one_at_a_time is None:
                self._one_at_a_time = self._anyio.Lock()
            with self._anyio.move_on_after(_until(deadline)) as scope:
                await self._one_at_a_time.acquire()
            if scope.cancelled_caught:
                return None
            if self.gate.until <= time.monotonic():
                return True
            self._one_at_a_time.release()

    def leave(self, turn: bool | None) -> None:
        if turn is None:
            return
        if turn and self._one_at_a_time is not None:
            self._one_at_a_time.release()
        if self._slots is not None:
            self._slots.release()


def _until(deadline: float) -> float:
    """Seconds left until `deadline`, as a lock timeout (which must be finite)."""
    return max(0.0, min(deadline - time.monotonic(), 3600.0))
