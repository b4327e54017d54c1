"""The rate controller's decisions: when each send may go, learned from the server's answers.

Modelled on botocore's adaptive retry mode (`retries/adaptive.py`): nothing at all until the
first throttle, then a client-side bucket whose rate follows CUBIC, cut at each overshoot.
`RateController` holds its state in plain fields (`export_state`/`import_state`) and reads
time from an injectable clock, so the same decisions run in one process (a lock around them)
and on state kept in Redis (`redis_store`, which runs them on the Redis server's clock).
Where it differs from botocore, and why:

* `Retry-After` is what the spec says: no request on this key until then. It is a floor
  under every moment, those already handed out included (`SlotBucket.floor`): a caller
  checks just before sending (`confirm`) and waits for the floor without losing its turn.
  After it, moments continue one slot apart, jittered: it does not release everyone at once.
  `Retry-After: 0` and none both mean "not yet, no idea when": a backoff of one slot at
  most `BACKOFF_BASE`, doubling per refusal in a row, at most `MAX_BACKOFF`.
* a quota the server states (``X-RateLimit-Remaining: 0``, `window.QuotaWindow`) is obeyed
  without a 429 to say so; a 429 this client expected (it sent knowing the window was spent,
  to learn when it turns) is a floor, not a reason to cut the rate.
* a moment a call does not use (it gave up, was cancelled or interrupted) is handed back
  (`release`), so later calls are not delayed by calls that never went out;
* the cut is taken from the rate the client was sending at (`AcceptedMeter.pace`, over the
  time it was busy, not over idle time), never below what the server was accepting nor
  below one request per Retry-After; and a refusal
  before the rate has regrown to where it was last refused cuts again only if refusals are
  frequent (`SPORADIC`): a gateway refusing 2 % of requests whatever the pace costs each
  refusal's wait, not a rate falling with every refusal;
* a new client starts slowly, as TCP does: at most `INITIAL_WINDOW` requests before its
  first answer, then at most twice its successes out. Its 429s are judged together once
  everything it has sent is answered; until then it sends nothing more. Against a spent
  window the winners of a burst would otherwise send again before the burst's refusals
  arrive. Both last at most `ROUND_HOLD` after the first send. A round refused whole says
  nothing of the rate: after its Retry-After one request finds out, and the slow start
  begins again;
* one cut per overshoot, not per refused request (`ThrottleDetector`); after
  `FORGET_AFTER` seconds without a throttle, it goes back to costing nothing.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from meetbit._rate.bucket import MIN_RATE, SlotBucket
from meetbit._rate.clock import Clock
from meetbit._rate.cubic import BETA, Cubic
from meetbit._rate.detector import Throttle, ThrottleDetector
from meetbit._rate.jitter import Jitter
from meetbit._rate.meter import AcceptedMeter
from meetbit._rate.quota import Quota
from meetbit._rate.window import HOLD, QuotaWindow

MAX_BACKOFF = 1.0
"""Longest floor, in seconds, after a 429 that says nothing usable about when to retry."""
BACKOFF_BASE = 0.1
"""First floor, in seconds, after a 429 without a usable Retry-After (at most one slot)."""
MAX_JITTER = 0.1
"""Widest spread, in seconds, of the first slot after a Retry-After: clients (processes)
told the same moment go within this much of it, not at it."""
FORGET_AFTER = 60.0
"""Seconds without a throttle after which the controller stops pacing."""
INITIAL_WINDOW = 4
"""Requests a new client sends before its first answer: TCP's classic initial window (RFC
3390, up to four segments). A new client cannot know how many others spend its key: four
processes of 12 threads starting together against Laravel's 30 per 3 s drew 18 refusals
before anything was known when each sent a request per thread (32 allowed), and none with 4.
After the first answers the slow start doubles what may be out per round trip (below), and
quota headers, where the server sends them, say the rest."""
ROUND_HOLD = 1.0
"""Seconds from a new client's first send during which it starts slowly (module docstring):
a request left hanging delays the others once, by at most this, never by its whole timeout."""
POLL = 0.01
"""Seconds a held send waits before asking again."""
MAX_PAYBACK = 1.0
"""Longest pause, in seconds, to pay back what was accepted lately (see `_payback`). What the
meter counts was accepted within its one-second window, so the limiter's own allowance for it
comes back within about a second whatever the share of this process."""
SPORADIC = 16
"""A refusal before the rate has regrown to where it was last refused cuts again only if
at most this many requests were sent per refusal since the last cut: rarer refusals are not
the client's pace (a gateway under load, other services on the key) and cost only a floor."""


class Slot(NamedTuple):
    """A moment to send at, handed out by `reserve`; give it to `confirm` or `release`."""

    wait: float
    """Seconds from when it was handed out; negative -h: none was, ask again in h seconds."""
    at: float | None = None
    """The moment on the controller's clock; None when nothing was handed out."""
    shift: float = 0.0
    source: str = "rate-control"
    """Where the wait comes from: "retry-after", "backoff", "rate-control" ("none": no wait)."""


FREE = Slot(0.0, None, 0.0, "none")
"""Go now; counted as sent when handed out (the common case): `confirm` has nothing to do."""
UNPACED = Slot(0.0, None, 0.0, "none")
"""Go now, but confirm first: a quota the server stated may have been spent meanwhile."""
HELD = Slot(-POLL)


def backoff(spacing: float, streak: int) -> float:
    """Floor after a 429 without a usable Retry-After: doubling per refusal in a row."""
    return min(MAX_BACKOFF, min(spacing, BACKOFF_BASE) * 2.0**streak)


class RateController:
    """One send rate per access key and host, for its threads and tasks (module docstring)."""

    STATE = ("_sent", "_answered", "_first_burst", "_guessed", "_opening", "_round_start",
             "_round_sent", "_round_answered", "_round_source", "_storms", "_refused_all",
             "_deferred", "_refused",
             "_peak", "_cut_sent", "_cut_refused", "_w_last")  # fmt: skip
    PARTS = ("_bucket", "_cubic", "_detector", "_meter", "_quota")

    def __init__(self, *, clock: Clock = time.monotonic, rng: random.Random | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._jitter = Jitter(rng)
        now = clock()
        self._meter = AcceptedMeter(now)
        self._count_accepted = self._meter.add  # bound once: on_response runs on every call
        self._detector = ThrottleDetector()
        self._quota = QuotaWindow()
        self._bucket: SlotBucket | None = None  # None: never throttled, or forgotten
        self._cubic: Cubic | None = None
        # Counted without the lock on the fast path: under threads an increment may be lost
        # now and then, which the detector's time bound (HOLD) absorbs.
        self._sent = 0
        self._answered = 0
        self._first_burst = False  # still answering the burst that met the first 429
        self._guessed = False  # the first rate was guessed from the requests in flight
        self._opening = True  # the first round may still be unanswered
        self._round_start = 0.0  # the round's first send (a round after a storm: not before)
        self._round_sent = self._round_answered = 0  # sent and answered before the round
        self._round_source = "retry-after"  # what holds the round's start: or "backoff"
        self._storms = 0  # rounds refused whole in a row
        self._refused_all = 0  # 429s of every round
        self._deferred: float | None = None  # the latest moment the round's 429s asked for
        self._refused = 0  # how many 429s the round drew
        self._peak = 0  # the most requests out at once in the first round
        self._cut_sent = self._cut_refused = 0  # since the last cut
        self._w_last = 0.0  # the rate of the last cut, before it

    @property
    def rate(self) -> float | None:
        """The current send rate in requests per second; None while not pacing."""
        bucket = self._bucket
        return None if bucket is None else bucket.rate

    # --- the four steps of a call: reserve, confirm (or release), on_response ----------------

    def reserve(self) -> Slot:
        """Claim the next moment to send at. Never blocks; see `Slot`."""
        if self._opening and self._bucket is None:
            held = self._held()
            if held:
                return HELD if held == POLL else Slot(-held, None, 0.0, self._round_source)
        if self._bucket is None and self._quota.seen is None:
            self._sent += 1
            return FREE
        with self._lock:
            return self._reserve(self._clock())

    def _reserve(self, now: float) -> Slot:
        not_before = self._quota.gate(now, self._sent, self._sent - self._answered, probe=False)
        if not_before == HOLD:
            return HELD
        bucket, cubic = self._bucket, self._cubic
        forget = bucket is not None and cubic is not None and now - cubic.last_cut > FORGET_AFTER
        if forget and bucket is not None and bucket.idle(now):
            self._bucket = self._cubic = bucket = cubic = None
        if bucket is None or cubic is None:
            if not_before is None or not_before <= now:
                return UNPACED
            held = not_before == self._quota.hold_until  # a 429's Retry-After, not the quota
            return Slot(not_before - now, None, 0.0, "retry-after" if held else "rate-control")
        # The rate at the slot, not now: slots handed out while the rate regrows (a queue
        # of callers after a cut) follow the curve instead of the low rate of the moment.
        bucket.rate = cubic.rate(max(now, bucket.next_free))
        at, source = bucket.reserve(now, not_before)
        return Slot(at - now, at, bucket.shift, source)

    def confirm(self, slot: Slot) -> Slot | None:
        """Just before sending at `slot`: None to send now, or a slot to wait for first.

        A floor set since `slot` was handed out (a Retry-After seen by another caller) moved
        it; a quota seen spent holds it. Either way it keeps its turn.
        """
        if slot is FREE:
            return None
        with self._lock:
            now = self._clock()
            bucket = self._bucket
            if slot.at is not None and bucket is not None and bucket.shift > slot.shift:
                moved = slot.at + bucket.shift - slot.shift
                # A moment already past when the floor came moved by less than its caller's
                # lateness: the floor itself is what no send may precede.
                at = max(moved, bucket.floor_at)
                if at > now:
                    return Slot(at - now, moved, bucket.shift, bucket.floor_source)
            not_before = self._quota.gate(now, self._sent, self._sent - self._answered)
            if not_before == HOLD:
                return slot._replace(wait=POLL)
            if not_before is not None and not_before > now:
                return slot._replace(wait=not_before - now)
            if slot.at is not None and bucket is not None:
                bucket.sent(slot.at - slot.shift)
            self._sent += 1
            self._cut_sent += 1
            self._quota.sent(now)
            return None

    def release(self, slot: Slot) -> None:
        """Hand back `slot`: its call gave up, was cancelled or interrupted before sending."""
        if slot.at is None:
            return
        with self._lock:
            bucket = self._bucket
            if bucket is not None:
                bucket.hand_back(slot.at - slot.shift, self._clock())

    def on_response(
        self, throttled: bool, retry_after: float | None, quota: Quota | None = None
    ) -> None:
        """Feed back an attempt that got a response: `throttled` for a 429, with its Retry-After.

        Call it for every response (successes measure the accepted rate), not for attempts
        that failed without one; `quota` is what its headers said (`quota.quota_from`).
        """
        now = self._clock()
        if throttled:
            with self._lock:
                self._refused_at(now, retry_after, quota)
            return
        self._answered += 1
        if quota is not None or self._quota.limit is not None:
            with self._lock:
                answered = self._answered
                in_flight = max(0, self._sent - answered)
                self._quota.update(now, quota, retry_after, False, answered, in_flight,
                                   self._round_start or now, self._jitter.below(1.0))  # fmt: skip
        self._count_accepted(now)
        if self._bucket is not None:
            self._detector.success(now, self._answered)
            self._guessed = False

    def _refused_at(self, now: float, retry_after: float | None, quota: Quota | None) -> None:
        """Take a 429 (`on_response`). Called with the lock."""
        answered = self._answered + 1
        expected = False
        if quota is not None or self._quota.limit is not None:
            # Expected: it found out when the window turns.
            expected = self._quota.refused_probe(answered)
            in_flight = max(0, self._sent - answered)
            self._quota.update(now, quota, retry_after, True, answered, in_flight,
                               self._round_start or now, self._jitter.below(1.0))  # fmt: skip
        opening = self._opening and self._bucket is None
        if opening and not expected:
            # Judged when all that was sent is answered: a 429 that arrives before the
            # successes sent with it would set the first rate from half the story.
            # Retry-After counts from its 429, not from the judgement. Deferred before it
            # is counted as answered: `_held` reads both without the lock, and a send let go
            # in between would go out inside this 429's Retry-After.
            self._deferred = max(self._deferred or now, now + (retry_after or 0.0))
            self._refused += 1
            self._refused_all += 1
        self._answered += 1
        if expected:
            return  # it found out when the window turns; the quota holds sends until then
        if opening:
            if self._answered >= self._sent:
                self._open()
            return
        self._throttled(now, retry_after)

    # --- the slow start ---------------------------------------------------------------------

    def _held(self) -> float:
        """Seconds a send must wait while the round is answered (module docstring); 0: none."""
        out = self._sent - self._answered
        if out > self._peak:
            self._peak = out
        now = self._clock()
        if now < self._round_start:  # a storm's Retry-After is not over
            return max(POLL, self._round_start - now)
        sent, answered = self._sent - self._round_sent, self._answered - self._round_answered
        if not answered:  # no answer yet: this send is part of the round
            if not sent:
                self._round_start = now
            # After a round refused whole, one request finds out whether the storm is over.
            return POLL if sent >= (1 if self._storms else INITIAL_WINDOW) else 0.0
        if now - self._round_start < ROUND_HOLD:
            if self._deferred is None:  # no 429 yet, so every answer was a success
                return POLL if sent >= 2 * answered else 0.0
            if answered < sent:
                return POLL
        with self._lock:
            self._open()
        return 0.0

    def _open(self) -> None:
        """End the slow start; judge its 429s, if any, all at once. Called with the lock.

        A client none of whose requests was accepted yet knows nothing of the rate (a storm,
        a key others spent): it starts again slowly once the round's Retry-After is over, as
        TCP does after a timeout, instead of pacing from the size of a round it chose.
        """
        self._opening = False
        if self._deferred is None:
            return
        now = self._clock()
        retry_after, self._deferred = self._deferred - now, None
        refused, self._refused = self._refused, 0
        if self._refused_all >= self._answered:  # never accepted: nothing known of the rate
            self._opening = True
            self._round_sent, self._round_answered = self._sent, self._answered
            wait = backoff(MAX_BACKOFF, self._storms)
            self._round_source = "retry-after" if retry_after >= wait else "backoff"
            self._round_start = now + max(retry_after, wait)
            self._storms += 1
            return
        self._storms = 0
        self._throttled(now, retry_after if retry_after > 0 else None, refused)

    # --- judging a 429 ----------------------------------------------------------------------

    def _throttled(self, now: float, retry_after: float | None, refused: int | None = None) -> None:
        """Judge one 429, or the `refused` 429s of a first round, all of it answered."""
        accepted = self._meter.rate(now)
        sending = self._meter.pace(now)
        if refused is not None and self._peak > 1:
            # A burst: its successes came within ROUND_HOLD, a second, whatever their spacing.
            accepted = max(accepted, float(self._answered - self._round_answered - refused))
            sending = accepted
        bucket, cubic = self._bucket, self._cubic
        verdict = self._detector.throttle(now, self._answered, self._sent)
        first = bucket is None or cubic is None
        self._cut_refused += 1
        if bucket is None or cubic is None:
            # Nothing accepted lately (a storm, a quota others spent): no rate to start from
            # but how many requests were in flight.
            in_flight = max(self._sent - self._answered + (refused or 1), 1)
            basis = sending if refused is None or self._peak <= 1 else accepted
            self._guessed = not basis
            cubic = Cubic(w_max=basis or float(in_flight), last_cut=now)
            bucket = SlotBucket(cubic.rate(now), now)
            self._note_cut(cubic.w_max)
        elif verdict is Throttle.OVERSHOOT and not self._sporadic(cubic, now):
            rate = max(cubic.rate(now), MIN_RATE)
            basis = sending if 0 < sending < rate else rate
            # Never below what the server has been accepting, nor below one request per
            # Retry-After: refusals it sends whatever the pace (every other request refused)
            # must not cut the rate to nothing.
            least = max(BETA * accepted, 1 / retry_after if retry_after else 0.0)
            bucket.rate = cubic.cut(max(basis, least / BETA), now)
            self._note_cut(basis)
        elif verdict is Throttle.PERSISTING and self._guessed:
            # A guessed rate and still nothing accepted: others hold the quota. Halve it.
            bucket.rate = cubic.cut(max(cubic.rate(now), MIN_RATE) / 2, now)
            self._note_cut(cubic.w_max)
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
        self._bucket, self._cubic = bucket, cubic
        self._floor_after(now, retry_after, verdict, accepted)

    def _note_cut(self, rate: float) -> None:
        self._w_last = rate
        self._cut_sent = self._cut_refused = 0

    def _sporadic(self, cubic: Cubic, now: float) -> bool:
        """A refusal below the last limit, after many accepted: not the pace (SPORADIC)."""
        below = cubic.rate(now) < self._w_last
        return below and self._cut_sent > SPORADIC * self._cut_refused

    def _floor_after(
        self, now: float, retry_after: float | None, verdict: Throttle, accepted: float
    ) -> None:
        bucket, cubic = self._bucket, self._cubic
        assert bucket is not None
        assert cubic is not None
        floor, source = None, "backoff"
        if retry_after:
            floor = now + retry_after + self._jitter.below(min(bucket.spacing, MAX_JITTER))
            source = "retry-after"
        elif verdict is not Throttle.STALE:
            floor = now + backoff(bucket.spacing, self._detector.streak)
        if verdict is Throttle.OVERSHOOT or self._first_burst:
            payback = now + self._payback(accepted, bucket.rate, now)
            if floor is None or payback > floor:
                floor, source = payback, "rate-control"
        if floor is not None:
            bucket.floor(floor, now, source)
            # Regrowth starts when sending resumes: after a long Retry-After the rate must not
            # have grown, in the meantime, into releasing the whole queue at once.
            cubic.last_cut = max(cubic.last_cut, floor)

    def _payback(self, accepted: float, rate: float, now: float) -> float:
        """Seconds until what was accepted lately is paid for at the new, lower rate.

        A burst the limiter took (20 in 50 ms) spent its allowance for the next second: a
        fixed window is closed until it turns, a leaky bucket is full. Sending again at the
        new rate before that only collects refusals. At most `MAX_PAYBACK`.
        """
        return min(MAX_PAYBACK, max(0.0, accepted / rate - self._meter.span(now)))

    # --- async twins, and the state as plain data -------------------------------------------

    async def areserve(self) -> Slot:
        """`reserve` for async callers (in process there is no I/O to await)."""
        return self.reserve()

    async def aconfirm(self, slot: Slot) -> Slot | None:
        """`confirm` for async callers."""
        return self.confirm(slot)

    async def arelease(self, slot: Slot) -> None:
        """`release` for async callers."""
        self.release(slot)

    async def aon_response(
        self, throttled: bool, retry_after: float | None, quota: Quota | None = None
    ) -> None:
        """`on_response` for async callers."""
        self.on_response(throttled, retry_after, quota)

    def close(self) -> None:
        """Release what the controller holds (nothing in process; a connection for Redis)."""

    async def aclose(self) -> None:
        """`close` for async callers."""
        self.close()

    def export_state(self) -> dict[str, Any]:
        """Everything the decisions depend on, as JSON-ready data."""
        state: dict[str, Any] = {name: getattr(self, name) for name in self.STATE}
        for name in self.PARTS:
            part = getattr(self, name)
            state[name] = None if part is None else {s: getattr(part, s) for s in part.STATE}
        return state

    def import_state(self, state: dict[str, Any]) -> None:
        """Take the state `export_state` gave (from another process, through Redis)."""
        for name in self.STATE:
            setattr(self, name, state[name])
        kinds: dict[str, Callable[[], Any]] = {
            "_bucket": lambda: SlotBucket(MIN_RATE, 0.0),
            "_cubic": lambda: Cubic(0.0, 0.0),
        }
        for name in self.PARTS:
            fields = state[name]
            if fields is None:
                setattr(self, name, None)
                continue
            part = getattr(self, name) or kinds[name]()
            for slot_name, value in fields.items():
                setattr(part, slot_name, value)
            setattr(self, name, part)
