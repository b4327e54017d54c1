"""CUBIC send rate (botocore `retries/throttling.py`): cut on a throttle, then regrow smoothly.

After a throttle at rate W_max, the rate drops to beta * W_max and then follows
C * (t - K)**3 + W_max: it climbs quickly at first, flattens out near W_max (where the
last throttle was) and only then probes beyond it, faster the longer nothing is refused.
The rate is a pure function of time since the last cut, so it is computed when a slot is
handed out rather than updated on every response.
"""

from __future__ import annotations

SCALE = 0.01
"""C as a share of W_max, per second cubed. botocore uses an absolute 0.4 req/s/s³, which
is gentle at AWS rates but at 5 req/s (one of four processes sharing 20/s) probes four times
faster, relative to its rate, than at 20/s: four processes would overshoot four times as
often as one. Relative to W_max, K (the time back to W_max) is the same at every rate:
(0.15 / 0.01) ** (1/3) = 2.5 s, and the probe past it reaches +8 % two seconds later."""
MIN_SCALE = 0.1
"""C never goes below this (req/s/s³), so a rate cut from almost nothing still regrows."""
BETA = 0.85
"""The fraction of the rate kept after a cut. botocore keeps 0.7; that leaves ~7.5 % of the
quota unused on average and the panel in `make bench` wants 0.9 of it, so we keep more and
accept more frequent (single) probes."""


class Cubic:
    """The rate to send at, `seconds` after the last cut."""

    __slots__ = ("_beta", "_k", "_scale", "last_cut", "w_max")

    def __init__(self, w_max: float, last_cut: float, scale: float = SCALE, beta: float = BETA):
        self._scale, self._beta = scale, beta
        self.w_max = w_max
        self.last_cut = last_cut
        self._k = self._zero_point()

    def _c(self) -> float:
        return max(self._scale * self.w_max, MIN_SCALE)

    def _zero_point(self) -> float:
        return float((self.w_max * (1 - self._beta) / self._c()) ** (1 / 3))

    def rate(self, now: float) -> float:
        since_cut = max(now - self.last_cut, 0.0)
        return self._c() * (since_cut - self._k) ** 3 + self.w_max

    def cut(self, rate_at_throttle: float, now: float) -> float:
        """Record a throttle while sending at `rate_at_throttle`; return the reduced rate."""
        self.w_max = rate_at_throttle
        self._k = self._zero_point()
        self.last_cut = now
        return rate_at_throttle * self._beta

    def raise_ceiling(self, w_max: float) -> None:
        """Move W_max up without a new cut (a better estimate of where the limit is)."""
        if w_max > self.w_max:
            self.w_max = w_max
            self._k = self._zero_point()
