"""When to retry and how long to wait (meetbit._retry.Call): the decisions alone, no I/O.

docs/retries.md states them: 5xx, timeouts and connection failures are retried for
idempotent methods only, at most `max_retries` times, after capped exponential backoff with
full jitter (ceilings `backoff_base`, doubling, at most `backoff_max`); every failed attempt
is reported in order, the last with no wait; `on_retry` sees each retry before its wait.
"""

from __future__ import annotations

import httpx
import meetbit
import pytest
from meetbit._rate.controller import MAX_JITTER, Slot
from meetbit._retry import Call, RetryPolicy

pytestmark = pytest.mark.behaviour

FAILURE = httpx.ConnectError("[Errno 111] Connection refused")


def call(method: str = "GET", **policy: object) -> Call:
    settings = {"total_timeout": None, **policy}
    return Call(RetryPolicy(**settings), httpx.Request(method, "https://acme.test/x"))  # type: ignore[arg-type]


def ceiling(policy: RetryPolicy, retries_so_far: int) -> float:
    return min(policy.backoff_max, policy.backoff_base * 2**retries_so_far)


@pytest.mark.parametrize("retries_so_far", [0, 1, 2, 3, 4, 6])
def test_backoff_is_drawn_uniformly_below_its_doubling_capped_ceiling(retries_so_far: int) -> None:
    policy = RetryPolicy(max_retries=10, total_timeout=None)
    waits = []
    for _ in range(300):
        this = Call(policy, httpx.Request("GET", "https://acme.test/x"))
        for _ in range(retries_so_far):
            this.after_failure(FAILURE)
        waits.append(this.after_failure(FAILURE))
    top = ceiling(policy, retries_so_far)
    assert 0.0 <= min(waits) < 0.1 * top, "full jitter: from zero"
    assert 0.9 * top < max(waits) <= top, "up to the ceiling"


def test_failures_are_retried_max_retries_times_then_raised_with_every_attempt() -> None:
    seen: list[meetbit.Attempt] = []
    this = call(max_retries=2, on_retry=seen.append)
    waits = [this.after_failure(FAILURE), this.after_failure(FAILURE)]
    with pytest.raises(meetbit.NetworkError) as raised:
        this.after_failure(FAILURE)
    attempts = raised.value.attempts
    assert seen == list(attempts[:2]), "on_retry saw each retry, the last attempt is none"
    assert [a.number for a in attempts] == [1, 2, 3]
    assert [a.wait for a in attempts] == [*waits, 0.0]
    assert [a.wait_source for a in attempts] == ["backoff", "backoff", "none"]
    assert {a.error for a in attempts} == {"ConnectError: [Errno 111] Connection refused"}
    assert {a.status_code for a in attempts} == {None}
    assert raised.value.__cause__ is FAILURE


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_request_that_is_not_idempotent_is_not_retried_after_a_failure(method: str) -> None:
    with pytest.raises(meetbit.NetworkError) as raised:
        call(method).after_failure(FAILURE)
    assert raised.value.attempts == (
        meetbit.Attempt(1, None, "ConnectError: [Errno 111] Connection refused", 0.0, "none"),
    )


def test_max_retries_zero_retries_nothing() -> None:
    with pytest.raises(meetbit.NetworkError):
        call(max_retries=0).after_failure(FAILURE)
    refused = httpx.Response(429, headers={"Retry-After": "1"})
    assert call(max_retries=0).after_response(refused, 1.0) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_of_an_idempotent_request_waits_a_backoff(status: int) -> None:
    policy = RetryPolicy(total_timeout=None)
    least = call().after_response(httpx.Response(status), None)
    assert least is not None
    assert 0.0 <= least <= ceiling(policy, 0)


@pytest.mark.parametrize(("method", "status"), [("POST", 503), ("GET", 501), ("GET", 404)])
def test_other_answers_are_handed_back(method: str, status: int) -> None:
    assert call(method).after_response(httpx.Response(status), None) is None


def test_a_429_is_retried_for_any_method_after_at_least_its_retry_after() -> None:
    assert call("POST").after_response(httpx.Response(429), 2.5) == 2.5
    assert call("POST").after_response(httpx.Response(429), None) == 0.0


def test_a_finished_call_records_its_last_answer_only_when_it_failed() -> None:
    this = call()
    this.after_response(httpx.Response(429), 2.5)
    this.finish(httpx.Response(200))
    assert this.outcome.retry_after is None, "the 429 before said nothing of the success"
    this.finish(httpx.Response(399))
    assert this.outcome.attempts == []
    this.finish(httpx.Response(400))
    assert this.outcome.attempts == [meetbit.Attempt(1, 400, None, 0.0, "none")]
    unusable = call()
    unusable.outcome.problem = "the gzip body is truncated"
    unusable.finish(httpx.Response(200))
    assert unusable.outcome.attempts == [
        meetbit.Attempt(1, 200, "the gzip body is truncated", 0.0, "none")
    ]


def test_a_wait_longer_than_max_retry_wait_ends_the_call_without_sleeping() -> None:
    this = call(max_wait=5.0)
    with pytest.raises(meetbit.RequestTimeoutError, match=r"waiting 6\.00 s to send would exceed"):
        this.before_attempt(6.0)
    this.before_attempt(5.0)


def test_a_key_held_by_retry_after_longer_than_the_call_may_wait_is_a_429_not_sent() -> None:
    # The spec's Retry-After: "seconds to wait before making another request". A call that
    # cannot wait that long meets the server's 429, not a timeout of its own.
    this = call(max_wait=5.0)
    with pytest.raises(meetbit.RateLimitedError, match="not sent") as raised:
        this.before_attempt(6.0, held=True)
    assert raised.value.retry_after == 6.0
    assert raised.value.status_code == 429
    assert "max_retry_wait (5 s)" in str(raised.value)
    budget = call(total_timeout=1.0)
    with pytest.raises(meetbit.RateLimitedError, match="left of total_timeout"):
        budget.before_attempt(2.0, held=True)
    with pytest.raises(meetbit.RequestTimeoutError):  # pacing of its own: a timeout
        budget.before_attempt(2.0)


@pytest.mark.parametrize(
    ("retry_after", "wait", "controller_said", "label"),
    [
        (1.0, 1.0, "rate-control", "retry-after"),  # what the server asked
        (1.0, 1.05, "rate-control", "retry-after"),  # within the jitter spread after it
        (1.0, 1.0 + MAX_JITTER, "rate-control", "retry-after"),  # at its edge
        (1.0, 1.2, "rate-control", "rate-control"),  # pacing made it later
        (1.0, 1.2, "retry-after", "retry-after"),  # a floor another 429 set
        (1.0, 1.2, "backoff", "retry-after"),  # later for a backoff, but it asked to wait
        (0.0, 0.1, "backoff", "backoff"),  # Retry-After: 0, the documented backoff
        (None, 0.1, "retry-after", "backoff"),  # none: the floor is a backoff
        (0.0, 0.0, "none", "backoff"),  # not paced: the backoff alone
        (None, 0.3, "rate-control", "rate-control"),
    ],
)
def test_a_retried_429_s_wait_says_where_it_came_from(
    retry_after: float | None, wait: float, controller_said: str, label: str
) -> None:
    this = call("POST")
    least = this.after_response(httpx.Response(429), retry_after)
    assert least == (retry_after or 0.0)
    assert this.retry(429, least, Slot(wait, 0.0, 0.0, controller_said))
    assert this.outcome.attempts[-1].wait_source == label


def test_a_retried_5xx_s_wait_is_backoff_unless_pacing_made_it_longer() -> None:
    paced, alone = call(), call()
    least = paced.after_response(httpx.Response(503), None)
    assert least is not None
    assert paced.retry(503, least, Slot(least + 1.0, 0.0))
    assert paced.outcome.attempts[-1].wait_source == "rate-control"
    least = alone.after_response(httpx.Response(503), None)
    assert least is not None
    assert alone.retry(503, least, Slot(0.0, None, 0.0, "none"))
    assert alone.outcome.attempts[-1].wait_source == "backoff"


def test_a_wait_of_exactly_max_retry_wait_is_waited() -> None:
    this = call("POST", max_wait=5.0)
    assert this.retry(429, 5.0, Slot(5.0, 0.0, 0.0, "retry-after"))
    assert not call("POST", max_wait=5.0).retry(429, 5.0, Slot(5.01, 0.0))


def budgeted(total: float, timeout: dict[str, float | None] | None = None) -> Call:
    """A GET with `total` seconds of budget and, if given, these timeout phases."""
    this = call(total_timeout=total)
    if timeout is not None:
        this._request.extensions["timeout"] = dict(timeout)
    return this


def test_a_wait_past_the_budget_ends_the_call_with_its_attempts() -> None:
    this = budgeted(1.0)
    this.outcome.attempts.append(meetbit.Attempt(1, 503, None, 0.2, "backoff"))
    with pytest.raises(meetbit.RequestTimeoutError) as raised:
        this.before_attempt(2.0)
    assert str(raised.value).endswith(
        "(TimeoutException: waiting 2.00 s to send would exceed max_retry_wait or total_timeout)"
    )
    assert raised.value.attempts == (meetbit.Attempt(1, 503, None, 0.2, "backoff"),)
    budgeted(1.0).before_attempt(0.5)  # within it: nothing raised


def test_a_spent_budget_says_so() -> None:
    with pytest.raises(meetbit.RequestTimeoutError) as raised:
        budgeted(0.0).before_attempt(0.0)
    assert str(raised.value).endswith("(TimeoutException: the call used up its total_timeout)")


def test_each_timeout_is_fitted_to_what_is_left_of_the_budget() -> None:
    this = budgeted(2.0, {"connect": 5.0, "read": None, "write": 1.0, "pool": 5.0})
    this.before_attempt(0.0)
    fitted = this._request.extensions["timeout"]
    assert fitted["write"] == 1.0, "already within the budget"
    for phase in ("connect", "read", "pool"):
        assert 1.5 < fitted[phase] <= 2.0, phase
    roomy = budgeted(100.0, {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0})
    roomy.before_attempt(0.0)
    assert roomy._request.extensions["timeout"] == {
        p: 5.0 for p in ("connect", "read", "write", "pool")
    }
    budgeted(2.0).before_attempt(0.0)  # a request without timeouts: nothing to fit
