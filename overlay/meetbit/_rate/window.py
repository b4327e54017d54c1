"""The key's stated quota window as one client tracks it: what is left, when it ends, its pace.

What the headers give every client of a key for free (`quota.Quota`): `Remaining` is what
the *whole key* has left in the window, every process's spending included; `Limit` what a
window holds; a 429's `Retry-After` (or `Reset`) when the window ends. From those, and from
when its own answers show what is left rising again (the window turned), a client learns the
window's length and phase, and then needs no 429 to know when the next one ends. The rules:

* **Spend what is left over the time left.** Once the window's end is known, the next
  request goes when ``(end - last send) / left`` has passed since the last one. Every client
  of the key sees the same `Remaining`, so each goes at the same pace, and together they do
  not spend the window before its end: with n clients, what is left falls as
  ``(time left / window) ** n``, to zero only at the end. (Each counting on all that is left,
  four processes on Laravel's window sent four times what it held.) A client alone (it
  spent all the key spent, `share` 1) spends the window as soon as it likes.
* **Share of a last request.** When less is left than one request per client, each takes
  it with the chance of its share of the key's spending (`lot`): on average as many go as
  are left, instead of every client sending into the last one.
* **Until the end is known, its share of what is left**: its own accepted requests over
  the fall of `Remaining` it saw, in this window and the one before.
* **The window's length is bracketed** between the time a request was seen inside the
  window (`period_lo`) and the time one found it turned (`period`); the last request a
  client has in a window goes half-way between the two, so each window narrows the bracket
  at no cost (the request is accepted either way). Whole-second `Retry-After` and `Reset`
  are only as exact as the server's rounding: Laravel's may be a second early, and
  Flask-Limiter states the next whole second after the end (a stated `Reset` on a success
  bounds the end, but is not waited for). `RateLimit-Policy`'s ``w`` states the length.
* **When nothing is left, nothing is sent until the end**; then one request (a probe) goes
  first and its answer says what the new window holds; the others wait for it. A probe
  refused there shows the window is longer.
* **A 429's `Retry-After` holds every send until it is over** (`hold_until`), whatever a
  later answer says is left.
"""

from __future__ import annotations

from meetbit._rate.quota import Quota

HOLD = -1.0
"""`QuotaWindow.gate`: do not send; ask again shortly (a probe is out)."""
PROBE_BACKOFF = 0.1
"""Seconds a refused probe waits when the server says neither Retry-After nor Reset (or
`Retry-After: 0`, Laravel's answer in a window's last fraction of a second); doubles per
refusal in a row, up to `MAX_PROBE_BACKOFF`."""
MAX_PROBE_BACKOFF = 1.0
MARGIN = 0.02
"""Seconds past a window's supposed whole-second end before its probe goes: the window began
when the first request arrived, a little after this client sent it."""
PROBE_PATIENCE = 2.0
"""Seconds after which another probe may go if the last one got no answer (a lost request)."""


class QuotaWindow:
    """The quota window as this client tracks it (module docstring).

    Engaged by the first response that states a quota; until then every method is a no-op.
    """

    __slots__ = ("accepted", "accepted_before", "end", "hold_until", "last_sent", "limit",
                 "lot", "period", "period_lo", "probe", "probe_at", "refusals", "seen",
                 "spent_before", "stale", "start")  # fmt: skip
    STATE = __slots__

    def __init__(self) -> None:
        self.limit: int | None = None
        self.seen: int | None = None  # Remaining in this window as known; None: not engaged
        self.stale = 0  # answers still due that may have been counted before `seen`'s
        self.start: float | None = None  # when this window began, as far as this client knows
        self.end: float | None = None  # when it ends, as far as known
        self.period: float | None = None  # a window is at most this long, as far as known
        self.period_lo = 0.0  # a window is longer than this
        self.hold_until = 0.0
        self.last_sent = 0.0
        self.probe = 0  # the probe out: how many had been sent with it; 0: none is out
        self.probe_at = 0.0
        self.refusals = 0  # 429s in a row
        self.accepted = 0  # this client's accepted requests in this window
        self.accepted_before = 0  # ... in the window before
        self.spent_before = 0  # what the whole key spent in the window before, as seen
        self.lot = 0.0  # a draw in [0, 1): whether this client takes a contested request

    def share(self) -> float:
        """The part of the key's spending that is this client's: 1 alone, 1/4 of 4 equals."""
        if self.limit is None or self.seen is None:
            return 1.0
        spent = self.spent_before + max(0, self.limit - self.seen)
        if spent <= 0:
            return 1.0
        return min(1.0, max(1, self.accepted_before + self.accepted) / spent)

    def gate(self, now: float, sent: int, in_flight: int, probe: bool = True) -> float | None:
        """None: send; a moment: not before it; `HOLD`: ask again shortly.

        With `probe` False (a moment being handed out, not a send about to go) a window
        spent with no known end lets it through: the send decides when it is confirmed.
        """
        if now < self.hold_until:
            return self.hold_until
        if self.seen is None:
            return None
        end = self.end
        if end is None:
            if self.share() * self.seen - in_flight >= 1:
                return None
        elif now < end:
            ready = self._ready(end, self.seen - in_flight)
            return None if ready <= now else ready
        if not probe:
            return None
        if not self.probe or now - self.probe_at > PROBE_PATIENCE:
            self.probe, self.probe_at = sent + 1, now
            return None
        return HOLD

    def _ready(self, end: float, left: int) -> float:
        """When the next request may go, the window's `end` known and `left` left of it."""
        share = self.share()
        if share * left < 1 and self.lot >= share * left:
            return end  # contested, and another client's
        whole = self._whole()
        if share >= 1 and (left >= 2 or (left >= 1 and whole is not None)):
            return 0.0  # alone: at once (its last request has nothing left to learn)
        if left >= 2:
            return self.last_sent + (end - self.last_sent) / left
        if left >= 1 and self.start is not None and self.period is not None:
            middle = (self.period_lo + self.period) / 2  # it narrows the bracket
            if whole is not None:  # or confirms the whole seconds, from inside the window
                middle = min(middle, whole - MARGIN)
            return self.start + middle
        return end

    def sent(self, now: float) -> None:
        if self.seen is not None:
            self.last_sent = now

    def refused_probe(self, answered: int) -> bool:
        """Whether the `answered`-th answer, a 429, was expected: the window was known spent."""
        return (bool(self.probe) and answered >= self.probe) or (
            self.seen is not None and self.seen < 1
        )

    def update(self, now: float, quota: Quota | None, retry_after: float | None,
               throttled: bool, answered: int, in_flight: int,
               started: float, lot: float) -> None:  # fmt: skip
        """Take what the `answered`-th response said (a 429's Retry-After included).

        `started`: when this client began sending (the first window began no later);
        `lot`: a draw in [0, 1), fresh for each answer.
        """
        probed = bool(self.probe) and answered >= self.probe  # the probe's answer, or later
        self.lot = lot
        if probed:
            self.probe = 0
        if quota is not None:
            self.limit = quota.limit if quota.limit is not None else self.limit
            if quota.window:
                self.period = self.period_lo = quota.window
        if throttled:
            if self.seen is None and quota is not None:
                self._begin(started, 0, in_flight)
                self.accepted = 0
            if self.seen is not None:
                self._refused(now, quota, retry_after, probed)
                self.stale = in_flight
            return
        if quota is None or quota.remaining is None:
            if self.seen is not None:
                self.accepted += 1
            return
        self.refusals = 0
        self._accepted(now, quota, quota.remaining, in_flight, probed, started)

    def _accepted(self, now: float, quota: Quota, remaining: int, in_flight: int,
                  probed: bool, started: float) -> None:  # fmt: skip
        # When the request answered went, if that is known: it was the only one out.
        went = None if in_flight else (self.probe_at if probed else self.last_sent)
        if self.seen is None:
            self._begin(started, remaining, in_flight)
        elif (remaining > self.seen and not self.stale) or (
            went is not None and self.end is not None and went >= self.end
        ):
            # More than was left, from a request sent after that was known (within a window
            # what is left only goes down; answers to requests out together come in any
            # order), or an answer to a request sent after the end: the window turned.
            stated = bool(quota.window)  # RateLimit-Policy's w: the length is known
            self._turn(went if went is not None else now, remaining, in_flight, went, stated)
        else:
            self.stale = max(0, self.stale - 1)
            if remaining < self.seen:
                self.seen, self.stale = remaining, in_flight
            self.accepted += 1
            if went is not None and self.start is not None:
                self._longer_than(went - self.start)
        if quota.reset is not None and self.start is not None and self.period is not None:
            latest = now + quota.reset - self.start  # the window ends by its stated reset
            if latest > self.period_lo:
                self.period = min(self.period, latest)
                self.end = self.start + self._length()

    def _begin(self, start: float, remaining: int, in_flight: int) -> None:
        self.start, self.seen, self.accepted, self.stale = start, remaining, 1, in_flight

    def _whole(self) -> float | None:
        """The whole seconds the window's length is taken to be, if the bracket holds one.

        Limiters configure windows in whole seconds (Laravel's decay, "20 per second", "60
        per minute"), while the bracket narrows by one request a window: a first 429 at
        1.17 s of a 1 s window would cost 0.17 s a window for several windows. Should the
        window be longer, the probe at its supposed end is refused and the bracket moves
        past the whole second (`period_lo`), which ends the guess.
        """
        if self.period is None:
            return None
        whole = float(int(self.period))
        return whole if whole >= 1 and whole > self.period_lo else None

    def _length(self) -> float:
        """The length to plan on: its whole seconds with a margin, else the bracket's top."""
        whole = self._whole()
        if whole is None:
            assert self.period is not None
            return self.period
        return whole + MARGIN

    def _longer_than(self, seconds: float) -> None:
        self.period_lo = max(self.period_lo, seconds)
        if self.period is not None and self.period < self.period_lo:
            self.period = self.period_lo
        if self.period is not None and self.start is not None:
            self.end = max(self.end or 0.0, self.start + self._length())

    def _turn(self, start: float, remaining: int, in_flight: int, went: float | None,
              stated: bool) -> None:  # fmt: skip
        if self.limit is not None and self.seen is not None:
            self.accepted_before = self.accepted
            self.spent_before = max(0, self.limit - self.seen)
        # A turn found after a quiet spell says only that the window is at most that long:
        # a length the server states is not learned again from it.
        if went is not None and self.start is not None and not stated:
            longest = went - self.start  # sent then, it found the window turned
            if self.period is not None and self.period > self.period_lo:
                self.period = max(self.period_lo, min(self.period, longest))
            elif self.period is not None or (self.seen is not None and self.seen < 1):
                # No top known (refused past it), or it was spent: a real turn.
                self.period = max(self.period_lo, longest)
        self._begin(start, remaining, in_flight)
        self.end = None if self.period is None else start + self._length()

    def _refused(self, now: float, quota: Quota | None, retry_after: float | None,
                 probed: bool) -> None:  # fmt: skip
        self.seen = 0
        # Retry-After: 0 says "not yet, no idea when": a backoff. A Reset then is no better
        # (Flask-Limiter's is the next whole second after the end).
        wait = retry_after
        if wait is None:
            wait = quota.reset if quota is not None and quota.reset else 0.0
        # The backoff doubles per "no idea when" in a row: a refusal that said when does not
        # make the next Retry-After: 0 (a window's last fraction of a second) any longer.
        backoff = min(MAX_PROBE_BACKOFF, PROBE_BACKOFF * 2.0**self.refusals)
        self.refusals = 0 if wait else self.refusals + 1
        end = now + (wait or backoff)
        if retry_after:
            self.hold_until = max(self.hold_until, end)
        self.end = max(self.end or end, end)
        if self.start is None:
            return
        if self.period is None:
            if wait:
                self.period = self.end - self.start
        elif probed and self.share() >= 1:
            # Refused at the end: a window is longer than thought; the next probe finds out.
            # (Not when others spend the key: they may have spent the new window first.)
            self._longer_than(self.probe_at - self.start)
            self.period = max(self.period, self.end - self.start)
