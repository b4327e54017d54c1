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
shares is, as in TCP, that all of them keep the same fraction at a cut (BETA) and regrow by
the same number of requests per second, so a small share is back at its last limit sooner
(K grows as the cube root of W_max) and gains on a large one. A C relative to W_max (1 % of
it, floored at 0.1, before) made the growth of a process at 5-16/s multiplicative: every
share regrew in proportion to itself and kept its ratio to the others, and the process
dealt the smallest share of the first burst decided when a 4-process run ended. Half of
botocore's 0.4 because a lone client at 20/s then probes past its limit less often: 0.4
drew a third more 429s in the 50-worker simulation of `tests/test_ratecontrol.py` and, on
a fixed window, lost a second to each extra overshoot. At 20/s, K = 2.2 s."""
C_RELATIVE = 0.002
"""Growth per s³ as a share of W_max, when that is more than `C`: it takes over above 100 req/s.

With an absolute 0.2 alone, a client cut at 5,000 req/s needs K = 14 s to regrow to where it
was refused, and under sporadic refusals (a gateway refusing 2 % of requests whatever the
pace) it never gets there: each refusal cut it again, and throughput fell from thousands of
calls a second to tens. With this floor K is at most 3.7 s at any rate; at the rates of a
shared quota (below 100 req/s, where processes must even out their shares) nothing changes."""
BETA = 0.9
"""The fraction of the rate kept after a cut. botocore keeps 0.7, which leaves ~15 % of the
quota unused on average. With 0.85 (before), the Redis store's one schedule ran at
0.83-0.87 x the quota against slowapi's fixed window on `make bench-limiters`; with 0.9 at
0.89-0.90 (three runs each; Flask-Limiter's rows moved less than their noise). The price
is a probe past the limit a little more often (one cut per overshoot, see
`ThrottleDetector`)."""


class Cubic:
    """The rate to send at, `seconds` after the last cut."""

    __slots__ = ("_beta", "_c", "_c_floor", "_k", "last_cut", "w_max")
    STATE = __slots__

    def __init__(self, w_max: float, last_cut: float, c: float = C, beta: float = BETA):
        self._c_floor, self._beta = c, beta
        self._c = c
        self.w_max = w_max
        self.last_cut = last_cut
        self._k = self._zero_point()

    def _zero_point(self) -> float:
        self._c = max(self._c_floor, C_RELATIVE * self.w_max)
        return float((self.w_max * (1 - self._beta) / self._c) ** (1 / 3))

    def rate(self, now: float) -> float:
        since_cut = max(now - self.last_cut, 0.0)
        return self._c * (since_cut - self._k) ** 3 + self.w_max

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
