"""When to retry, how long to wait, and how much time one call may take: decisions, no I/O.

`RetryPolicy` holds the settings; `Call` is one request's retry state and decides after
each attempt. The transports (`_transport.py`) do the waiting and the sending, sync or
async, and ask the rate controller (`_rate/`) when the next send may go.

`error.attempts` holds every failed attempt of a call, the last one included (the response
or failure the error is about, with no wait after it): one rule for a final 429, 500, 404
or lost connection alike.

A 429 means the server did not process the request, so it is retried for every method,
as long as the call's time budget allows: waiting for the rate limit is what the caller
wants, and the rate controller keeps those retries from adding load. 5xx responses,
timeouts and connection failures are retried only for idempotent methods, at most
`max_retries` times: for a POST the server may already have acted (cancelled the event)
before the failure, and sending it again is the caller's decision, not ours.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Literal

import httpx

from meetbit._errors import Attempt, Outcome, error_for_failure, rate_limited_unsent
from meetbit._rate import Slot
from meetbit._rate.controller import MAX_JITTER

logger = logging.getLogger("meetbit")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRYABLE_SERVER_STATUSES = frozenset({500, 502, 503, 504})
RATE_LIMIT_RETRIES_WITHOUT_BUDGET = 10
"""How many 429s a call retries when it has no total_timeout to bound them."""
# RFC 9110 delta-seconds are ASCII digits; \d would also take "٣" (Arabic-Indic three).
_DELTA_SECONDS = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,6})?", re.ASCII)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to retry, how long to wait, and how much time one call may take in all."""

    max_retries: int = 2
    """Retries after failures (5xx, timeouts, connection errors) of idempotent requests."""
    backoff_base: float = 0.5
    """First backoff ceiling in seconds when the server gives no Retry-After; doubles per retry."""
    backoff_max: float = 8.0
    """Largest backoff ceiling in seconds; waits are drawn uniformly below it (full jitter)."""
    max_wait: float = 60.0
    """Longest single wait the client accepts (Retry-After or rate control); longer raises."""
    total_timeout: float | None = 120.0
    """Seconds one call may take, attempts and waits included; None for no overall budget."""
    retry_idempotent_failures: bool = True
    """Retry 5xx, timeouts and connection failures for idempotent methods (GET, PUT, DELETE...)."""
    on_retry: Callable[[Attempt], object] | None = None
    """Called with each failed attempt just before the client waits and tries again."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds, decimal or HTTP-date), or None.

    A value that is none of these ("soon", "-1", "1e9", "") means the server gave no usable
    hint, so the caller falls back to backoff rather than guessing.
    """
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" in the date: RFC 5322 says UTC with no known zone
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


class Call:
    """The retry state of one request: its budget, its attempts, and the policy's decisions."""

    __slots__ = (
        "_failures",
        "_idempotent",
        "_limited",
        "_policy",
        "_request",
        "deadline",
        "outcome",
    )

    def __init__(self, policy: RetryPolicy, request: httpx.Request) -> None:
        self._policy = policy
        self._request = request
        self._idempotent = request.method in IDEMPOTENT_METHODS
        budget = policy.total_timeout
        self.deadline = math.inf if budget is None else time.monotonic() + budget
        self.outcome = Outcome()
        self._failures = 0
        self._limited = 0

    def before_attempt(self, wait: float, held: bool = False) -> None:
        """Check that waiting `wait` s and then sending fits the budget; fit the timeouts to it.

        Raises the MeetBitError to give up with when it does not: `RateLimitedError` when a
        server's Retry-After holds the key that long (`held`: the spec's 429 "wait before
        making another request", nothing sent), else `RequestTimeoutError`.
        """
        remaining = self.deadline - time.monotonic() - wait
        too_long = wait > self._policy.max_wait
        if too_long or remaining <= 0:
            if held and wait:
                limit = (
                    f"max_retry_wait ({self._policy.max_wait:g} s)"
                    if too_long
                    else f"what is left of total_timeout ({max(0.0, remaining + wait):.2f} s)"
                )
                said = (
                    f"not sent: a Retry-After holds this access key {wait:.2f} s more, over {limit}"
                )
                raise rate_limited_unsent(self._request, said, wait, self.outcome.attempts)
            spent = httpx.TimeoutException(
                f"waiting {wait:.2f} s to send would exceed max_retry_wait or total_timeout"
                if wait
                else "the call used up its total_timeout"
            )
            raise error_for_failure(spent, self._request, self.outcome.attempts)
        if self.deadline == math.inf:
            return
        timeouts = self._request.extensions.get("timeout", {})
        for limit in timeouts.values():
            if limit is None or limit > remaining:
                break
        else:
            return  # the common case: every phase already ends well inside the budget
        self._request.extensions["timeout"] = {
            phase: remaining if limit is None else min(limit, remaining)
            for phase, limit in timeouts.items()
        }

    def after_response(self, response: httpx.Response, retry_after: float | None) -> float | None:
        """Return the least wait before retrying `response`, or None to hand it back.

        The transport then asks the rate controller, and passes the wait it will really
        make to `retry`, which decides whether that fits.
        """
        status = response.status_code
        self.outcome.retry_after = retry_after
        if status == 429:
            # Retry-After is a floor; the rate controller knows the rest (it was told of
            # this 429), including how to back off when the server gives no usable hint.
            limited_out = self.deadline == math.inf and (
                self._limited >= RATE_LIMIT_RETRIES_WITHOUT_BUDGET
            )
            if self._policy.max_retries == 0 or limited_out:
                return None
            return retry_after or 0.0
        if (
            status in RETRYABLE_SERVER_STATUSES
            and self._idempotent
            and self._policy.retry_idempotent_failures
            and self._failures < self._policy.max_retries
        ):
            return self._backoff(self._failures)
        return None

    def retry(self, status: int, least: float, slot: Slot) -> bool:
        """Whether to retry `status` after at least `least` s and then `slot`; records it if so."""
        wait = max(least, abs(slot.wait))  # negative: held that long (`Slot.wait`)
        if not self._fits(wait):
            return False
        if status == 429:
            self._limited += 1
            source = _source(wait, self.outcome.retry_after, slot.source)
        else:
            self._failures += 1
            source = "backoff" if wait <= least else "rate-control"
        self._record(Attempt(len(self.outcome.attempts) + 1, status, None, wait, source))
        return True

    def finish(self, response: httpx.Response) -> None:
        """The call ends with `response`: record it as its last failed attempt if it failed."""
        status = response.status_code
        if status < 400 and self.outcome.problem is None:
            self.outcome.retry_after = None  # a 429 retried before said nothing of this
            return
        failed = Attempt(len(self.outcome.attempts) + 1, status, self.outcome.problem, 0.0, "none")
        self.outcome.attempts.append(failed)

    def after_failure(self, failure: httpx.TransportError) -> float:
        """Return how long to wait before retrying after `failure`, or raise the MeetBit error."""
        described = f"{type(failure).__name__}: {failure}"
        if self._idempotent and self._policy.retry_idempotent_failures:
            wait = self._backoff(self._failures)
            if self._may_retry_failure(wait):
                self._failures += 1
                self._record(
                    Attempt(len(self.outcome.attempts) + 1, None, described, wait, "backoff")
                )
                return wait
        self.outcome.attempts.append(
            Attempt(len(self.outcome.attempts) + 1, None, described, 0.0, "none")
        )
        raise error_for_failure(failure, self._request, self.outcome.attempts) from failure

    def _backoff(self, retries_so_far: int) -> float:
        ceiling = self._policy.backoff_base * 2**retries_so_far
        return random.uniform(0, min(self._policy.backoff_max, ceiling))  # noqa: S311

    def _fits(self, wait: float) -> bool:
        return wait <= self._policy.max_wait and time.monotonic() + wait < self.deadline

    def _may_retry_failure(self, wait: float) -> bool:
        return self._failures < self._policy.max_retries and self._fits(wait)

    def _record(self, attempt: Attempt) -> None:
        self.outcome.attempts.append(attempt)
        logger.info(
            "%s %s attempt %d failed (%s); retrying in %.2f s (%s)",
            self._request.method,
            self._request.url.path,
            attempt.number,
            attempt.status_code or attempt.error,
            attempt.wait,
            attempt.wait_source,
        )
        if self._policy.on_retry is not None:
            self._policy.on_retry(attempt)


WaitSource = Literal["retry-after", "backoff", "rate-control"]


def _source(wait: float, retry_after: float | None, controller_said: str) -> WaitSource:
    """Why a retry after a 429 waits `wait`: what the server asked, or what the controller added.

    Within the jitter of a positive Retry-After: "retry-after". Otherwise what the controller
    says of the slot: "backoff" for the documented backoff after `Retry-After: 0` or none,
    "rate-control" when pacing (or a quota the server stated) made it later.
    """
    if retry_after and wait <= retry_after + MAX_JITTER:
        return "retry-after"
    if controller_said in ("retry-after", "backoff"):
        return "backoff" if not retry_after else "retry-after"
    if controller_said == "none":
        return "backoff"
    return "rate-control"
