"""The in-process rate controller: paced send slots whose rate CUBIC sets after the first 429.

Modelled on botocore's adaptive retry mode (`retries/adaptive.py`): nothing at all until the
first throttle, then a client-side bucket whose rate follows CUBIC, cut at each overshoot.
Where it differs, and why:

* the first rate comes from the accepted rate over the last second (`AcceptedMeter`), not the
  measured send rate, which a burst of refusals makes meaningless;
* one cut per overshoot, not per refused request (`ThrottleDetector`);
* `Retry-After` is a floor under the next slot, jittered, after which slots continue at the
  rate: it does not release every waiting request at once. `Retry-After: 0` and no
  Retry-After both mean "not yet, no idea when": a short backoff doubling per refusal in a
  row, capped at `MAX_BACKOFF`;
* a new client starts slowly, as TCP does: it sends freely until its first answer, then
  keeps to twice its successes, so that what goes out doubles per round trip. Its 429s are
  judged together once everything it has sent is answered; until then it sends nothing more.
  Against a spent window the winners of a burst would otherwise send again before the
  burst's refusals arrive and draw as many refusals again (48 threads on a quota of 20: 28
  refused, then 20 more), and a process joining a window that others already spent would
  send its whole burst into it. Both last at most `ROUND_HOLD` after the first send, and
  cost a client that is never refused a round trip or two of its first calls, once;
* `reserve` never blocks: it hands out a slot and the caller waits for it however it waits,
  so the one lock is held only for arithmetic and a cancelled wait holds nothing;
* after `FORGET_AFTER` seconds without a throttle, it goes back to costing nothing.
"""

from __future__ import annotations

import random
import threading
import time

from meetbit._rate.bucket import MIN_RATE, SlotBucket
from meetbit._rate.clock import Clock
from meetbit._rate.cubic import Cubic
from meetbit._rate.detector import Throttle, ThrottleDetector
from meetbit._rate.jitter import Jitter
from meetbit._rate.meter import AcceptedMeter

MAX_BACKOFF = 1.0
"""Longest floor, in seconds, after a 429 that says nothing usable about when to retry."""
MAX_JITTER = 0.1
"""Widest spread, in seconds, of the first slot after a Retry-After: clients (processes) told
the same moment go within this much of it, not at it, and a lone client is not made late."""
FORGET_AFTER = 60.0
"""Seconds without a throttle after which the controller stops pacing."""
ROUND_HOLD = 1.0
"""Seconds from a new client's first send during which it starts slowly (module docstring):
a request left hanging (a slow endpoint, a lost answer) delays the others once, by at most
this, never by its whole timeout."""
POLL = 0.01
"""Seconds a held send waits before asking again."""


BACKOFF_BASE = 0.1
"""First floor, in seconds, after a 429 without a usable Retry-After (at most one slot)."""
MAX_PAYBACK = 1.0
"""Longest pause, in seconds, to pay back what was accepted lately (see `_payback`). What the
meter counts was accepted within its one-second window, so the limiter's own allowance for it
comes back within about a second (a fixed window turns, a leaky bucket drains) whatever the
share of this process. Uncapped, a rate cut to almost nothing (a process that drew no share
of the first burst) turned four accepted requests into an eight-second pause."""


def backoff(spacing: float, streak: int) -> float:
    """Floor after a 429 without a usable Retry-After: doubling per refusal in a row."""
    return min(MAX_BACKOFF, min(spacing, BACKOFF_BASE) * 2.0**streak)


class RateController:
    """One send rate per client, shared by its threads and tasks; see the module docstring."""

    def __init__(self, *, clock: Clock = time.monotonic, rng: random.Random | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._jitter = Jitter(rng)
        self._meter = AcceptedMeter(clock())
        self._count_accepted = self._meter.add  # bound once: on_response runs on every call
        self._detector = ThrottleDetector()
        self._bucket: SlotBucket | None = None  # None: never throttled, or forgotten
        self._cubic: Cubic | None = None
        # Counted without the lock on the fast path: under threads an increment may be lost
        # now and then, which the detector's time bound (HOLD) absorbs.
        self._sent = 0
        self._answered = 0
        self._first_burst = False  # still answering the burst that met the first 429
        self._guessed = False  # the first rate was guessed from the requests in flight
        self._opening = True  # the first round may still be unanswered
        self._round_start = 0.0
        self._deferred: float | None = None  # the latest moment the round's 429s asked for
        self._refused = 0  # how many 429s the round drew

    @property
    def rate(self) -> float | None:
        """The current send rate in requests per second; None while not pacing."""
        bucket = self._bucket
        return None if bucket is None else bucket.rate

    def reserve(self) -> float:
        """Claim the next send slot; return the seconds to wait before sending (0.0 = now).

        A negative value -h claims nothing: ask again in h seconds (the first round is being
        answered). Never blocks. The caller sleeps however it sleeps, and may be cancelled
        during it: the controller holds nothing for it.
        """
        if self._bucket is None:
            if self._opening and self._held():
                return -POLL
            if self._bucket is None:
                self._sent += 1
                return 0.0
        self._sent += 1
        with self._lock:
            bucket, cubic = self._bucket, self._cubic
            if bucket is None or cubic is None:
                return 0.0
            now = self._clock()
            if now - cubic.last_cut > FORGET_AFTER and bucket.next_free <= now:
                self._bucket = self._cubic = None
                return 0.0
            # The rate at the slot, not now: slots handed out while the rate regrows (a queue
            # of callers after a cut) follow the curve instead of the low rate of the moment.
            bucket.rate = cubic.rate(max(now, bucket.next_free))
            return bucket.reserve(now)

    def _held(self) -> bool:
        """Whether a send must wait while the first round is answered (module docstring)."""
        if not self._answered:  # no answer yet: this send is part of the first round
            if not self._sent:
                self._round_start = self._clock()
            return False
        if self._clock() - self._round_start < ROUND_HOLD:
            if self._deferred is None:  # no 429 yet, so every answer was a success
                return self._sent >= 2 * self._answered
            if self._answered < self._sent:
                return True
        with self._lock:
            self._open()
        return False

    def _open(self) -> None:
        """End the slow start; judge its 429s, if any, all at once. Called with the lock."""
        self._opening = False
        if self._deferred is not None:
            now = self._clock()
            retry_after, self._deferred = self._deferred - now, None
            self._throttled(now, retry_after if retry_after > 0 else None, self._refused)

    def on_response(self, throttled: bool, retry_after: float | None) -> None:
        """Feed back an attempt that got a response: `throttled` for a 429, with its Retry-After.

        Call it for every response (successes measure the accepted rate), not for attempts
        that failed without one.
        """
        now = self._clock()
        self._answered += 1
        if not throttled:
            self._count_accepted(now)
            if self._bucket is not None:
                self._detector.success(now, self._answered)
                self._guessed = False
            return
        with self._lock:
            if self._opening and self._bucket is None:
                # Judged when all that was sent is answered: a 429 that arrives before the
                # successes sent with it would set the first rate from half the story.
                # Retry-After counts from its 429, not from the judgement.
                self._deferred = max(self._deferred or now, now + (retry_after or 0.0))
                self._refused += 1
                if self._answered >= self._sent:
                    self._open()
                return
            self._throttled(now, retry_after)

    def _throttled(self, now: float, retry_after: float | None, refused: int | None = None) -> None:
        """Judge one 429, or the `refused` 429s of a first round, all of it answered."""
        accepted = self._meter.rate(now)
        if refused is not None:  # the round's successes came within ROUND_HOLD, a second
            accepted = max(accepted, float(self._answered - refused))
        bucket, cubic = self._bucket, self._cubic
        # Slots handed out for later are not sent yet: their answers will be news.
        waiting = 0 if bucket is None else max(0, int((bucket.next_free - now) * bucket.rate))
        verdict = self._detector.throttle(now, self._answered, self._sent - waiting)
        first = bucket is None or cubic is None
        if bucket is None or cubic is None:
            # Nothing accepted lately (a storm, a quota others spent, or successes not counted
            # yet): no rate to start from but how many requests were in flight.
            in_flight = max(self._sent - self._answered + (refused or 1), 1)
            self._guessed = not accepted
            cubic = Cubic(w_max=accepted or float(in_flight), last_cut=now)
            bucket = SlotBucket(cubic.rate(now), now)
        elif verdict is Throttle.OVERSHOOT:
            # Cut from the rate actually achieved: slots may have been handed out faster
            # than the client used them.
            sending = max(cubic.rate(now), MIN_RATE)
            bucket.rate = cubic.cut(accepted if 0 < accepted < sending else sending, now)
        elif verdict is Throttle.PERSISTING and self._guessed:
            # A guessed rate and still nothing accepted: others hold the quota. Halve it.
            bucket.rate = cubic.cut(max(cubic.rate(now), MIN_RATE) / 2, now)
        elif verdict is Throttle.STALE and self._first_burst and accepted:
            # The first burst, answered late: what was accepted is known better now.
            if self._guessed:
                self._guessed = False
                cubic.w_max = 0.0
            cubic.raise_ceiling(accepted)
            bucket.rate = cubic.rate(now)
        self._first_burst = (first and verdict is not Throttle.STALE) or (
            self._first_burst and verdict is Throttle.STALE
        )
        spacing = bucket.spacing
        floor = None
        if retry_after:
            floor = now + retry_after + self._jitter.below(min(spacing, MAX_JITTER))
        elif verdict is not Throttle.STALE:
            floor = now + backoff(spacing, self._detector.streak)
        if verdict is Throttle.OVERSHOOT or self._first_burst:
            floor = max(floor or now, now + self._payback(accepted, bucket.rate, now))
        if floor is not None and floor > bucket.next_free:
            bucket.floor(floor)
            # Regrowth starts when sending resumes: after a long Retry-After the rate must not
            # have grown, in the meantime, into releasing the whole queue at once.
            cubic.last_cut = max(cubic.last_cut, floor)
        self._bucket, self._cubic = bucket, cubic

    def _payback(self, accepted: float, rate: float, now: float) -> float:
        """Seconds until what was accepted lately is paid for at the new, lower rate.

        A burst the limiter took (20 in 50 ms) spent its allowance for the next second: a
        fixed window is closed until it turns, a leaky bucket is full. Sending again at the
        new rate before that only collects refusals. In steady state (20 over the whole
        second, now 17/s) it is the fraction of a second sent too fast. At most
        `MAX_PAYBACK`.
        """
        return min(MAX_PAYBACK, max(0.0, accepted / rate - self._meter.span(now)))

    async def areserve(self) -> float:
        """`reserve` for async callers (in process there is no I/O to await)."""
        return self.reserve()

    async def aon_response(self, throttled: bool, retry_after: float | None) -> None:
        """`on_response` for async callers."""
        self.on_response(throttled, retry_after)
