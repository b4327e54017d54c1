"""Retry and rate control as httpx transports, below every operation: the I/O shell.

Because this happens in the client's transport, it applies to every request the client
sends, whichever generated operation sends it. `Call` (`_retry.py`) decides; the rate
controller says when the next send may go; these classes only wait, send and read, and
differ between sync and async in how they do so.

Each send takes three steps with the controller: `reserve` a moment, sleep until it, then
`confirm` just before sending (a Retry-After that came in the meantime moves the moment,
and the send waits for it). Whatever ends a call before it sends (its budget, a
cancellation, a signal's exception) hands the moment back with `release`.

Each body is read here, whole, so that failures while it arrives fall under the same
policy as failures before it, and so that it can be held to three limits: its size on
the wire, its size once decoded (a 64 KB gzip body may inflate to gigabytes), and the
call's deadline (a server dripping a byte a second resets every read timeout). Only the
encodings the client asks for (gzip, deflate) are decoded, with a cap; anything else is
a body the client cannot use. What goes wrong with a body becomes `Outcome.problem`, and
`_errors` turns the response into the error of its status.
"""

from __future__ import annotations

import math
import operator
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import cast

import httpx

from meetbit._auth import _APPEND_RAW as RAW_HEADER_LIST
from meetbit._errors import OUTCOME_EXTENSION as OUTCOME_EXTENSION
from meetbit._rate import FREE, RateController, Slot
from meetbit._rate.quota import Quota, quota_from
from meetbit._retry import Call, RetryPolicy, parse_retry_after

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""Bodies above this, on the wire or decoded, are refused: MeetBit's are kilobytes."""
ACCEPT_ENCODING = "gzip, deflate"
"""What the client asks for, and so the only encodings it decodes."""


class _BodyLimits:
    """Reads a body off the wire and decodes it, within a size cap and the call's deadline."""

    def __init__(self, limit: int, deadline: float) -> None:
        self.limit = limit
        self.deadline = deadline
        self.raw = bytearray()

    def take(self, chunk: bytes) -> bool:
        """Add a chunk; False once the body is larger than the cap (stop reading)."""
        self.raw += chunk
        if time.monotonic() > self.deadline:
            raise httpx.ReadTimeout("the call used up its total_timeout while the body arrived")
        return len(self.raw) <= self.limit

    def finish(self, response: httpx.Response, complete: bool) -> str | None:
        """Put the decoded body back on `response`; return what is wrong with it, if anything."""
        body, problem = b"", None
        if not complete:
            problem = f"the response body is larger than {self.limit} bytes"
        else:
            try:
                body = _decode(
                    bytes(self.raw), response.headers.get("Content-Encoding", ""), self.limit
                )
            except _Undecodable as error:
                problem = str(error)
        if "Content-Encoding" in response.headers:
            del response.headers["Content-Encoding"]  # decoded here; httpx must not decode again
        response.stream = httpx.ByteStream(body)
        return problem


class _Undecodable(Exception):
    pass


def _decode(body: bytes, encodings: str, limit: int) -> bytes:
    for encoding in reversed([e.strip().lower() for e in encodings.split(",") if e.strip()]):
        if encoding == "identity":
            continue
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise _Undecodable(
                f"the body is in an encoding the client did not ask for ({encoding})"
            )
        # gzip: the gzip wrapper; deflate: zlib-wrapped, though some servers send it raw.
        attempts = (
            (zlib.MAX_WBITS | 16,) if "gzip" in encoding else (zlib.MAX_WBITS, -zlib.MAX_WBITS)
        )
        for wbits in attempts:
            decoder = zlib.decompressobj(wbits)
            try:
                decoded = decoder.decompress(body, limit + 1)
            except zlib.error as error:
                if wbits == attempts[-1]:
                    raise _Undecodable(f"the body is not valid {encoding} ({error})") from None
                continue
            if len(decoded) > limit or decoder.unconsumed_tail:
                raise _Undecodable(f"the decoded response body is larger than {limit} bytes")
            if not decoder.eof:
                raise _Undecodable(f"the {encoding} body is truncated")
            body = decoded
            break
    return body


def _in_memory(response: httpx.Response, limit: int) -> str | None:
    # Built with its content (httpx.MockTransport, fakes): httpx read and decoded it already.
    if len(response.content) > limit:
        response.stream = httpx.ByteStream(b"")
        return f"the response body is larger than {limit} bytes"
    return None


def _declared_too_large(response: httpx.Response, limit: int) -> bool:
    declared = response.headers.get("Content-Length", "")
    return declared.isdigit() and int(declared) > limit


_LOWERCASE_NAME = operator.itemgetter(1)


def _stated_quota(headers: httpx.Headers) -> Quota | None:
    """The quota a response states (`quota_from`), or None.

    On every response, so the common case (none) is one C-level search of httpx's
    lowercased names, where their layout is the one `_auth` probed.
    """
    # find(), not `in`: bytes.__contains__ first tries its argument as an integer, and the
    # TypeError it builds and clears costs twice the search.
    if RAW_HEADER_LIST and b"\n".join(map(_LOWERCASE_NAME, headers._list)).find(b"ratelimit") < 0:
        return None
    return quota_from(headers.raw)


def _finished(call: Call, response: httpx.Response) -> httpx.Response:
    """Hand `response` back with how the call went (`Outcome`), its last attempt recorded."""
    call.finish(response)
    response.extensions[OUTCOME_EXTENSION] = call.outcome
    return response


class RetryTransport(httpx.BaseTransport):
    """Sends each request through `transport` when the controller allows; retries per `policy`."""

    def __init__(
        self,
        transport: httpx.BaseTransport,
        policy: RetryPolicy,
        controller: RateController,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._transport = transport
        self._policy = policy
        self._controller = controller
        self._limit = max_response_bytes

    def _take_turn(self, call: Call, slot: Slot, not_before: float = 0.0) -> None:
        """Sleep until `slot` (and `not_before`) and until the controller lets the send go."""
        controller = self._controller
        turn: Slot | None = slot
        try:
            while turn is not None:
                if turn.wait < 0:  # held: ask again later (see `RateController.reserve`)
                    call.before_attempt(-turn.wait, turn.source == "retry-after")
                    time.sleep(-turn.wait)
                    turn = controller.reserve()
                    continue
                wait = turn.wait
                if not_before:
                    wait = max(wait, not_before - time.monotonic())
                # Raises when the wait does not fit the budget (a 429 if a Retry-After holds it).
                call.before_attempt(wait, turn.source == "retry-after")
                if wait > 0:
                    time.sleep(wait)
                turn = controller.confirm(turn)
        except BaseException:
            if turn is not None:
                controller.release(turn)
            raise

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        call = Call(self._policy, request)
        controller = self._controller
        slot, not_before = controller.reserve(), 0.0
        while True:
            if slot is FREE and not not_before:  # the common case: not paced, nothing held
                call.before_attempt(0.0)
            else:
                self._take_turn(call, slot, not_before)
            try:
                response = self._send(request, call)
            except httpx.TransportError as failure:
                backoff = call.after_failure(failure)  # raises when it is not retried
                slot, not_before = controller.reserve(), time.monotonic() + backoff
                continue
            status = response.status_code
            quota = _stated_quota(response.headers)
            if status < 429:  # the common case: nothing to retry, nothing to parse
                controller.on_response(False, None, quota)
                if status < 400 and call.outcome.problem is None:
                    call.outcome.retry_after = None  # a 429 retried before said nothing of this
                    response.extensions[OUTCOME_EXTENSION] = call.outcome
                    return response
                return _finished(call, response)
            throttled = status == 429
            retry_after = (
                parse_retry_after(response.headers.get("Retry-After")) if throttled else None
            )
            controller.on_response(throttled, retry_after, quota)
            least = call.after_response(response, retry_after)
            if least is not None:
                # Waiting for the controller is not an attempt: only this response was.
                slot = controller.reserve()
                if call.retry(status, least, slot):
                    response.close()
                    not_before = time.monotonic() + least
                    continue
                controller.release(slot)
            return _finished(call, response)

    def _send(self, request: httpx.Request, call: Call) -> httpx.Response:
        response = self._transport.handle_request(request)
        if response.is_stream_consumed or isinstance(response.stream, httpx.ByteStream):
            call.outcome.problem = _in_memory(response, self._limit)
        else:
            body = _BodyLimits(self._limit, call.deadline)
            wire = cast(Iterator[bytes], response.stream)
            complete = not _declared_too_large(response, self._limit)
            try:
                if complete:
                    for chunk in wire:
                        if not body.take(chunk):
                            complete = False
                            break
            finally:
                cast(httpx.SyncByteStream, response.stream).close()
            call.outcome.problem = body.finish(response, complete)
        return response

    def close(self) -> None:
        self._transport.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """The asynchronous twin of `RetryTransport`; waits without blocking the event loop."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        policy: RetryPolicy,
        controller: RateController,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        import anyio  # only async users pay for it; works under asyncio and trio alike

        self._anyio = anyio
        self._transport = transport
        self._policy = policy
        self._controller = controller
        self._limit = max_response_bytes

    async def _take_turn(self, call: Call, slot: Slot, not_before: float = 0.0) -> None:
        """`RetryTransport._take_turn`, waiting without blocking the event loop."""
        controller = self._controller
        turn: Slot | None = slot
        try:
            while turn is not None:
                if turn.wait < 0:
                    call.before_attempt(-turn.wait, turn.source == "retry-after")
                    await self._anyio.sleep(-turn.wait)
                    turn = await controller.areserve()
                    continue
                wait = turn.wait
                if not_before:
                    wait = max(wait, not_before - time.monotonic())
                call.before_attempt(wait, turn.source == "retry-after")
                if wait > 0:
                    await self._anyio.sleep(wait)
                turn = await controller.aconfirm(turn)
        except BaseException:
            if turn is not None:
                # A cancelled task may not await: shield the hand-back (it is bounded).
                with self._anyio.CancelScope(shield=True):
                    await controller.arelease(turn)
            raise

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = Call(self._policy, request)
        controller = self._controller
        slot, not_before = await controller.areserve(), 0.0
        while True:
            if slot is FREE and not not_before:
                call.before_attempt(0.0)
            else:
                await self._take_turn(call, slot, not_before)
            try:
                response = await self._send(request, call)
            except httpx.TransportError as failure:
                backoff = call.after_failure(failure)
                slot, not_before = await controller.areserve(), time.monotonic() + backoff
                continue
            status = response.status_code
            quota = _stated_quota(response.headers)
            if status < 429:
                await controller.aon_response(False, None, quota)
                if status < 400 and call.outcome.problem is None:
                    call.outcome.retry_after = None
                    response.extensions[OUTCOME_EXTENSION] = call.outcome
                    return response
                return _finished(call, response)
            throttled = status == 429
            retry_after = (
                parse_retry_after(response.headers.get("Retry-After")) if throttled else None
            )
            await controller.aon_response(throttled, retry_after, quota)
            least = call.after_response(response, retry_after)
            if least is not None:
                slot = await controller.areserve()
                if call.retry(status, least, slot):
                    await response.aclose()
                    not_before = time.monotonic() + least
                    continue
                with self._anyio.CancelScope(shield=True):
                    await controller.arelease(slot)
            return _finished(call, response)

    async def _send(self, request: httpx.Request, call: Call) -> httpx.Response:
        if call.deadline == math.inf:
            return await self._attempt(request, call)
        # The deadline holds for the whole attempt, however the server spaces its bytes.
        with self._anyio.move_on_after(max(0.0, call.deadline - time.monotonic())):
            return await self._attempt(request, call)
        raise httpx.ReadTimeout("the call used up its total_timeout")

    async def _attempt(self, request: httpx.Request, call: Call) -> httpx.Response:
        response = await self._transport.handle_async_request(request)
        if response.is_stream_consumed or isinstance(response.stream, httpx.ByteStream):
            call.outcome.problem = _in_memory(response, self._limit)
        else:
            body = _BodyLimits(self._limit, call.deadline)
            wire = cast(AsyncIterator[bytes], response.stream)
            complete = not _declared_too_large(response, self._limit)
            try:
                if complete:
                    async for chunk in wire:
                        if not body.take(chunk):
                            complete = False
                            break
            finally:
                await cast(httpx.AsyncByteStream, response.stream).aclose()
            call.outcome.problem = body.finish(response, complete)
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()
