"""Retry as an httpx transport: 429s, and failures of idempotent requests, retried below the API.

Because retrying happens in the transport, it applies to every request the client sends,
whichever generated operation sends it, with no per-endpoint code. One policy object
decides; `RetryTransport` and `AsyncRetryTransport` only differ in how they wait. Each
attempt first claims a send slot from the client's rate controller (`_rate/`) and waits for
it, and its body is read here, capped, so that failures while it arrives are handled like
the rest.

A 429 means the server did not process the request, so it is retried for every method, and
for as long as the call's total_timeout allows rather than max_retries times: the wait before
the retry is the rate controller's (which honours Retry-After), and waiting is not a failed
attempt. Without a total_timeout, 429 retries count against max_retries like the others.
5xx responses, timeouts and connection failures are retried only for idempotent methods:
for a POST the server may already have acted (cancelled the event) before the failure, and
sending it again is the caller's decision, not ours.
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
from typing import Literal, cast

import httpx

from meetbit._errors import MalformedResponseError, MeetBitError, error_for_transport_failure
from meetbit._rate import RateController

logger = logging.getLogger("meetbit")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRYABLE_SERVER_STATUSES = frozenset({500, 502, 503, 504})
ATTEMPTS_EXTENSION = "meetbit.attempts"
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""Bodies above this are refused: MeetBit's are kilobytes, and a runaway proxy must not OOM us."""
_DELTA_SECONDS = re.compile(r"\d{1,10}(\.\d{1,6})?")


@dataclass(frozen=True, slots=True)
class Attempt:
    """One failed attempt of a call: what came back, and how long the client waited after it."""

    number: int
    status_code: int | None
    """The response status, or None when the attempt failed without a response."""
    error: str | None
    """The failure without a response (for example "ConnectError: ..."), else None."""
    wait: float
    """Seconds waited before the next attempt; 0.0 when there was none."""
    wait_source: Literal["retry-after", "backoff", "none"]
    """Where the wait came from: the server's Retry-After, the backoff schedule, or no retry."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to retry, how long to wait, and how much time one call may take in all."""

    max_retries: int = 2
    """Retries after a 5xx or a failure without a response: N means up to N + 1 attempts.
    429s are retried until total_timeout (or max_retries times when it is None)."""
    backoff_base: float = 0.5
    """First backoff ceiling in seconds when the server gives no Retry-After; doubles per retry."""
    backoff_max: float = 8.0
    """Largest backoff ceiling in seconds; waits are drawn uniformly below it (full jitter)."""
    max_wait: float = 60.0
    """Longest Retry-After (or rate-control wait) the client sleeps; longer ones give up at once."""
    total_timeout: float | None = 120.0
    """Seconds one call may take, attempts and waits included; None for no budget."""
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


class _Call:
    """The retry state of one request: its attempts, its budget, and the policy's decisions."""

    __slots__ = ("_idempotent", "_limited", "_policy", "_request", "attempts", "deadline")

    def __init__(self, policy: RetryPolicy, request: httpx.Request) -> None:
        self._policy = policy
        self._request = request
        self._idempotent = request.method in IDEMPOTENT_METHODS
        budget = policy.total_timeout
        self.deadline = math.inf if budget is None else time.monotonic() + budget
        self.attempts: list[Attempt] = []
        self._limited: tuple[httpx.Response, Literal["retry-after", "backoff"]] | None = None

    def begin_attempt(self, slot_wait: float) -> httpx.Response | None:
        """Check the rate controller's wait against the budget; fit the timeouts to what is left.

        After a 429, reports it with this wait (the controller's, Retry-After included), or,
        when the wait does not fit, returns that 429 for the caller to return instead.
        """
        remaining = self.deadline - time.monotonic() - slot_wait
        fits = remaining > 0 and slot_wait <= self._policy.max_wait
        if self._limited is not None:
            refusal, source = self._limited
            self._limited = None
            if not fits:
                self._finish(refusal, 429)
                return refusal
            self._record(Attempt(len(self.attempts) + 1, 429, None, slot_wait, source))
        if not fits:
            spent = httpx.TimeoutException(
                f"the rate controller's wait ({slot_wait:.1f} s) is past the call's total_timeout"
                f" or max_retry_wait"
            )
            raise self._give_up(error_for_transport_failure(spent, self._request))
        if self.deadline == math.inf:
            return None
        timeouts = self._request.extensions.get("timeout", {})
        self._request.extensions["timeout"] = {
            phase: remaining if limit is None else min(limit, remaining)
            for phase, limit in timeouts.items()
        }
        return None

    def after_response(self, response: httpx.Response, retry_after: float | None) -> float | None:
        """Return how long to wait before retrying `response`, or None to return it.

        A 429 returns 0.0: the rate controller, told of it, decides the wait at the next slot.
        """
        status = response.status_code
        source: Literal["retry-after", "backoff"]
        if status == 429:
            source = "retry-after" if retry_after is not None else "backoff"
            if (retry_after or 0.0) > self._policy.max_wait or not self._can_retry_429(
                retry_after or 0.0
            ):
                self._finish(response, status)
                return None
            self._limited = (response, source)  # its body is in memory: nothing to release
            return 0.0
        if (
            status in RETRYABLE_SERVER_STATUSES
            and self._idempotent
            and self._policy.retry_idempotent_failures
        ):
            wait, source = self._backoff(), "backoff"
        else:
            self._finish(response, None)
            return None
        if not self._can_retry(wait):
            self._finish(response, status)
            return None
        self._record(Attempt(len(self.attempts) + 1, status, None, wait, source))
        return wait

    def after_failure(self, failure: httpx.TransportError) -> float:
        """Return how long to wait before retrying after `failure`, or raise the MeetBit error."""
        error = error_for_transport_failure(failure, self._request)
        described = f"{type(failure).__name__}: {failure}"
        if self._idempotent and self._policy.retry_idempotent_failures:
            wait = self._backoff()
            if self._can_retry(wait):
                self._record(Attempt(len(self.attempts) + 1, None, described, wait, "backoff"))
                return wait
        self.attempts.append(Attempt(len(self.attempts) + 1, None, described, 0.0, "none"))
        raise self._give_up(error) from failure

    def _backoff(self) -> float:
        ceiling = self._policy.backoff_base * 2 ** len(self.attempts)
        return random.uniform(0, min(self._policy.backoff_max, ceiling))  # noqa: S311

    def _can_retry_429(self, wait: float) -> bool:
        if self.deadline == math.inf:  # no time budget: a count bounds the retries instead
            return self._can_retry(wait)
        return time.monotonic() + wait < self.deadline

    def _can_retry(self, wait: float) -> bool:
        return len(self.attempts) < self._policy.max_retries and (
            time.monotonic() + wait < self.deadline
        )

    def _record(self, attempt: Attempt) -> None:
        self.attempts.append(attempt)
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

    def _finish(self, response: httpx.Response, failed_status: int | None) -> None:
        """Attach the attempts to the response the transport returns; the last failed too."""
        if failed_status is not None:
            self.attempts.append(Attempt(len(self.attempts) + 1, failed_status, None, 0.0, "none"))
        response.extensions[ATTEMPTS_EXTENSION] = tuple(self.attempts)

    def _give_up(self, error: MeetBitError) -> MeetBitError:
        error.attempts = tuple(self.attempts)
        return error


def _retry_after(response: httpx.Response) -> float | None:
    """The 429's Retry-After in seconds, parsed once for the controller and the policy."""
    if response.status_code != 429:
        return None
    return parse_retry_after(response.headers.get("Retry-After"))


def _too_large(request: httpx.Request, limit: int) -> MalformedResponseError:
    return MalformedResponseError(
        f"{request.method} {request.url.path}: response body is larger than {limit} bytes"
    )


def _refuse_declared_oversize(response: httpx.Response, request: httpx.Request, limit: int) -> None:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(request, limit)


def _in_memory(response: httpx.Response, request: httpx.Request, limit: int) -> bool:
    # A response built with its content (httpx.MockTransport, fakes) has nothing to read.
    if not response.is_stream_consumed:
        return False
    if len(response.content) > limit:
        raise _too_large(request, limit)
    return True


def _read(response: httpx.Response, request: httpx.Request, limit: int) -> httpx.Response:
    """Read the raw body off the wire, refusing more than `limit` bytes, and keep it in memory.

    The response keeps its still-encoded body as its stream: httpx decodes it once, as usual,
    when it reads the response, and the connection is back in the pool already.
    """
    if _in_memory(response, request, limit):
        return response
    _refuse_declared_oversize(response, request, limit)
    wire = cast(httpx.SyncByteStream, response.stream)
    body = bytearray()
    try:
        for chunk in wire:
            body += chunk
            if len(body) > limit:
                raise _too_large(request, limit)
    finally:
        wire.close()
    response.stream = httpx.ByteStream(bytes(body))
    return response


async def _aread(response: httpx.Response, request: httpx.Request, limit: int) -> httpx.Response:
    """`_read` without blocking the event loop."""
    if _in_memory(response, request, limit):
        return response
    _refuse_declared_oversize(response, request, limit)
    wire = cast(httpx.AsyncByteStream, response.stream)
    body = bytearray()
    try:
        async for chunk in wire:
            body += chunk
            if len(body) > limit:
                raise _too_large(request, limit)
    finally:
        await wire.aclose()
    response.stream = httpx.ByteStream(bytes(body))
    return response


class RetryTransport(httpx.BaseTransport):
    """Sends each request through `transport`, retrying as `policy` says; reads every body."""

    def __init__(
        self,
        transport: httpx.BaseTransport,
        policy: RetryPolicy,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        rate: RateController | None = None,
    ) -> None:
        self._transport = transport
        self._policy = policy
        self._rate = RateController() if rate is None else rate
        self._max_response_bytes = max_response_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        call = _Call(self._policy, request)
        rate = self._rate
        while True:
            slot_wait = rate.reserve()
            if (refusal := call.begin_attempt(slot_wait)) is not None:
                return refusal
            if slot_wait:
                time.sleep(slot_wait)
            try:
                # Reading here puts failures while the body arrives under the same policy
                # and error mapping as failures before it.
                response = _read(
                    self._transport.handle_request(request), request, self._max_response_bytes
                )
            except httpx.TransportError as failure:
                wait = call.after_failure(failure)
            else:
                retry_after = _retry_after(response)
                rate.on_response(response.status_code == 429, retry_after)
                wait_or_none = call.after_response(response, retry_after)
                if wait_or_none is None:
                    return response
                if response.status_code != 429:  # a 429 may yet be returned (begin_attempt)
                    response.close()
                wait = wait_or_none
            if wait:
                time.sleep(wait)

    def close(self) -> None:
        self._transport.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """The asynchronous twin of `RetryTransport`; waits without blocking the event loop."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        policy: RetryPolicy,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        rate: RateController | None = None,
    ) -> None:
        import anyio  # only async users pay for it; works under asyncio and trio alike

        self._transport = transport
        self._policy = policy
        self._rate = RateController() if rate is None else rate
        self._sleep = anyio.sleep
        self._max_response_bytes = max_response_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = _Call(self._policy, request)
        rate = self._rate
        while True:
            slot_wait = await rate.areserve()
            if (refusal := call.begin_attempt(slot_wait)) is not None:
                return refusal
            if slot_wait:
                await self._sleep(slot_wait)
            try:
                response = await _aread(
                    await self._transport.handle_async_request(request),
                    request,
                    self._max_response_bytes,
                )
            except httpx.TransportError as failure:
                wait = call.after_failure(failure)
            else:
                retry_after = _retry_after(response)
                await rate.aon_response(response.status_code == 429, retry_after)
                wait_or_none = call.after_response(response, retry_after)
                if wait_or_none is None:
                    return response
                if response.status_code != 429:
                    await response.aclose()
                wait = wait_or_none
            if wait:
                await self._sleep(wait)

    async def aclose(self) -> None:
        await self._transport.aclose()
