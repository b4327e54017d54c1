"""CUBIC send rate (botocore `retries/throttling.py`): cut on a throttle, then regrow smoothly.

After a throttle at rate W_max, the rate drops to beta * W_max and then follows
C * (t - K)**3 + W_max: it climbs quickly at first, flattens out near W_max (where the
last throttle was) and only then probes beyond it, faster the longer nothing is refused.
The rate is a pure function of time since the last cut, so it is computed when a slot is
handed out rather than updated on every response.
"""

from __future__ import annotations

C = 0.2
"""Growth, in req/s per second cubed, the same at every rate: half botocore's absolute 0.4.

Absolute on purpose. Processes sharing one quota cannot see each other; what evens out their
shares is, as in TCP, that all of them lose the same fraction at a cut (BETA) and regrow by
the same number of requests per second: a small share is back at its last limit sooner (K
grows as the cube root of W_max) and probes beyond it first, so the gap to a large share
shrinks with every cut. A C relative to W_max (0.01 * W_max, tried before) made the growth
multiplicative too: every share regrew in proportion to itself, the ratio between processes
never changed, and the process that drew the smallest share of the first burst decided when
the run ended (0.66-0.84 x ideal on the 4-process rows of `make bench-limiters`). Half of
botocore's 0.4 because one client alone at 20/s probes past its limit less often that way
(K = (20 * 0.15 / 0.2)**(1/3) = 2.5 s, as before): 0.4 drew a third more 429s there and, on
a fixed window, a second lost to each extra overshoot."""
BETA = 0.85
"""The fraction of the rate kept after a cut. botocore keeps 0.7; that leaves ~7.5 % of the
quota unused on average and the panel in `make bench` wants 0.9 of it, so we keep more and
accept more frequent (single) probes."""


class Cubic:
    """The rate to send at, `seconds` after the last cut."""

    __slots__ = ("_beta", "_c", "_k", "_start", "last_cut", "w_max")

    def __init__(self, w_max: float, last_cut: float, c: float = C, beta: float = BETA):
        self._c, self._beta = c, beta
        self.w_max = w_max
        self.last_cut = last_cut
        self._start = beta * w_max  # the rate just after the cut
        self._k = self._zero_point()

    def _zero_point(self) -> float:
        # K, the time from the cut back to W_max (RFC 9438's form: from the cut rate).
        return float((max(self.w_max - self._start, 0.0) / self._c) ** (1 / 3))

    def rate(self, now: float) -> float:
        since_cut = max(now - self.last_cut, 0.0)
        return self._c * (since_cut - self._k) ** 3 + self.w_max

    def cut(self, rate_at_throttle: float, now: float) -> float:
        """Record a throttle while sending at `rate_at_throttle`; return the reduced rate."""
        if rate_at_throttle < self.w_max:
            # CUBIC's fast convergence (RFC 8312, 4.6): a share that is shrinking (others
            # on the quota grew) plateaus below where it was cut, leaving them room.
            self.w_max = rate_at_throttle * (1 + self._beta) / 2
        else:
            self.w_max = rate_at_throttle
        self._start = rate_at_throttle * self._beta
        self._k = self._zero_point()
        self.last_cut = now
        return self._start

    def raise_ceiling(self, w_max: float) -> None:
        """Move W_max up without a new cut (a better estimate of where the limit is)."""
        if w_max > self.w_max:
            self.w_max = w_max
            self._start = self._beta * w_max
            self._k = self._zero_point()
