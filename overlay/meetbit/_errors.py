"""The exceptions the client raises, and the one place that turns an outcome into one of them.

Everything the client raises on purpose is a `MeetBitError`, so a service can catch one
base class. Each exception says what went wrong in its message and carries what a service
needs to decide what to do next: the status and the server's own message for API errors,
the wait the server asked for on a 429, the attempts made, and the response. The request
an exception carries has the access key secret redacted, so logging ``error.response.request``
(or its headers) cannot leak it; what went on the wire was the real one.

The retry layer hands back an `Outcome` (what came back, the attempts, the parsed
Retry-After); `error_for_response` and `error_for_failure` are the only constructors the
rest of the package uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import httpx

# An error page from a proxy can be large; the message keeps what a log line can hold.
_MESSAGE_LIMIT = 1000
SECRET_HEADER = "X-Access-Key-Secret"  # noqa: S105 (a header name, not a secret)
"""The header that carries the access key secret: set by `_auth`, redacted here."""
REDACTED = "[redacted]"
OUTCOME_EXTENSION = "meetbit.outcome"
"""Where the retry transport leaves a response's `Outcome` (httpx response extensions)."""


_set = object.__setattr__


class Attempt:
    """One failed attempt of a call: what came back, and how long the client waited after it.

    Immutable, compared and hashed by value. A plain class, not a dataclass: making the
    dataclasses and loading their module cost 1.4 % of `import httpx` at every start-up.
    """

    __slots__ = ("error", "number", "status_code", "wait", "wait_source")
    __match_args__ = ("number", "status_code", "error", "wait", "wait_source")

    number: int
    """1 for the first attempt of the call."""
    status_code: int | None
    """The response status, or None when the attempt failed without a response."""
    error: str | None
    """What went wrong without a usable response ("ConnectError: ...", an undecodable body)."""
    wait: float
    """Seconds waited before the next attempt; 0.0 when there was none."""
    wait_source: Literal["retry-after", "backoff", "rate-control", "none"]
    """Where the wait came from: the server's Retry-After; the backoff schedule (5xx, network
    failures, and a 429 with `Retry-After: 0` or none); the rate controller (pacing, or a quota
    the server stated, made it longer); none (the last attempt)."""

    def __init__(
        self,
        number: int,
        status_code: int | None,
        error: str | None,
        wait: float,
        wait_source: Literal["retry-after", "backoff", "rate-control", "none"],
    ) -> None:
        _set(self, "number", number)
        _set(self, "status_code", status_code)
        _set(self, "error", error)
        _set(self, "wait", wait)
        _set(self, "wait_source", wait_source)

    def _fields(self) -> tuple[object, ...]:
        return (self.number, self.status_code, self.error, self.wait, self.wait_source)

    def __reduce__(self) -> tuple[type[Attempt], tuple[object, ...]]:
        return Attempt, self._fields()  # copy and pickle build it through __init__

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: an Attempt is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: an Attempt is immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Attempt)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"Attempt({fields})"


class Outcome:
    """What the retry layer hands back with the last response: how the call went."""

    __slots__ = ("attempts", "problem", "retry_after")

    attempts: list[Attempt]
    retry_after: float | None
    """The last response's Retry-After in seconds, parsed once (None if absent or unusable)."""
    problem: str | None
    """Why the body of the last response cannot be used (too large, undecodable), if so."""

    def __init__(
        self,
        attempts: list[Attempt] | None = None,
        retry_after: float | None = None,
        problem: str | None = None,
    ) -> None:
        self.attempts = [] if attempts is None else attempts
        self.retry_after = retry_after
        self.problem = problem

    def __repr__(self) -> str:
        return (
            f"Outcome(attempts={self.attempts!r}, retry_after={self.retry_after!r}, "
            f"problem={self.problem!r})"
        )


class MeetBitError(Exception):
    """Base class of every error raised by the MeetBit client."""

    def __init__(self, message: str, *, attempts: Sequence[Attempt] = ()) -> None:
        super().__init__(message)
        self.attempts: tuple[Attempt, ...] = tuple(attempts)
        """Every failed attempt of the call, oldest first, the one this error is about last.

        Empty when nothing was sent (bad input, configuration, a budget spent waiting)."""


class ConfigurationError(MeetBitError):
    """The client cannot be built from the given arguments and environment."""


class InvalidRequestError(MeetBitError, ValueError):
    """An argument is invalid; the request was not sent."""


class NetworkError(MeetBitError):
    """The request or its response was lost on the way: connection refused, reset or cut."""


class RequestTimeoutError(NetworkError):
    """A phase of the request took longer than its timeout, or the call used up its budget."""


class MalformedResponseError(MeetBitError):
    """The server answered with success, but the body is not what the API describes."""

    def __init__(
        self,
        message: str,
        response: httpx.Response | None = None,
        *,
        attempts: Sequence[Attempt] = (),
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.response = None if response is None else redacted(response)


class ApiError(MeetBitError):
    """The server answered with an error status; `message` is what it said."""

    def __init__(
        self,
        response: httpx.Response,
        *,
        attempts: Sequence[Attempt] = (),
        message: str | None = None,
    ) -> None:
        self.response = redacted(response)
        self.status_code = response.status_code
        self.message = response.text.strip() if message is None else message
        request = response.request
        said = " ".join(self.message.split())[:_MESSAGE_LIMIT] or "(empty body)"
        super().__init__(
            f"{request.method} {request.url.path} -> {response.status_code} "
            f"{response.reason_phrase}: {said}",
            attempts=attempts,
        )


class UnauthorizedError(ApiError):
    """401: the access key is missing, wrong, or lacks the permission the operation needs."""


class NotFoundError(ApiError):
    """404: the calendar, event or other resource does not exist (or is not visible to this key)."""


class RateLimitedError(ApiError):
    """429: the access key is over its rate limit, and waiting was not possible within policy.

    `retry_after` is the wait in seconds the server asked for, or None if it did not say.
    """

    def __init__(
        self,
        response: httpx.Response,
        retry_after: float | None = None,
        *,
        attempts: Sequence[Attempt] = (),
        message: str | None = None,
    ) -> None:
        super().__init__(response, attempts=attempts, message=message)
        self.retry_after = retry_after
        if retry_after is not None:
            self.args = (f"{self.args[0]} (retry after {retry_after:g} s)",)


class ServerError(ApiError):
    """5xx: the server or a proxy in front of it failed; the request may or may not have run."""


_BY_STATUS: dict[int, type[ApiError]] = {401: UnauthorizedError, 404: NotFoundError}


def error_class(status: int) -> type[ApiError]:
    """The exception class of an error status (the generator names it in each method's help)."""
    if status == 429:
        return RateLimitedError
    return ServerError if status >= 500 else _BY_STATUS.get(status, ApiError)


def redacted(response: httpx.Response) -> httpx.Response:
    """`response` with a copy of its request whose secret headers read "[redacted]"."""
    import httpx  # loaded by then: the response came from it

    request = response.request
    if SECRET_HEADER not in request.headers:
        return response
    headers = [
        (name, REDACTED if name.lower() == SECRET_HEADER.lower() else value)
        for name, value in request.headers.multi_items()
    ]
    copy = httpx.Request(request.method, request.url, headers=headers)
    copy.extensions = {k: v for k, v in request.extensions.items() if k == "timeout"}
    response.request = copy
    return response


def error_for_response(response: httpx.Response, outcome: Outcome | None) -> MeetBitError:
    """Return the exception for a final response that is not a usable success; body read."""
    outcome = outcome or Outcome()
    attempts = outcome.attempts
    if response.is_success:
        return MalformedResponseError(
            f"{_where(response.request)}: {outcome.problem or 'the body cannot be used'}",
            response,
            attempts=attempts,
        )
    message = None if outcome.problem is None else f"({outcome.problem})"
    if response.status_code == 429:
        return RateLimitedError(
            response, attempts=attempts, message=message, retry_after=outcome.retry_after
        )
    return error_class(response.status_code)(response, attempts=attempts, message=message)


def rate_limited_unsent(
    request: httpx.Request, message: str, retry_after: float, attempts: Sequence[Attempt] = ()
) -> RateLimitedError:
    """Return the 429 of a call that did not send: a Retry-After holds its key too long.

    `response` is the client's own (429, no headers), not the server's: nothing was sent.
    """
    import httpx  # loaded by then: the request came from it

    response = httpx.Response(429, request=request)
    return RateLimitedError(response, retry_after, attempts=attempts, message=message)


def error_for_failure(
    failure: Exception, request: httpx.Request, attempts: Sequence[Attempt] = ()
) -> MeetBitError:
    """Return the exception for an httpx transport failure (the caller chains it)."""
    import httpx  # loaded by then: the failure came from it

    described = f"{_where(request)} failed ({type(failure).__name__}: {failure})"
    if isinstance(failure, httpx.TimeoutException):
        return RequestTimeoutError(
            described.replace(" failed (", " timed out (", 1), attempts=attempts
        )
    return NetworkError(described, attempts=attempts)


def malformed(where: str, problem: str, response: httpx.Response | None) -> MalformedResponseError:
    """Return the exception for a success body that does not parse into the spec's shape."""
    attempts: list[Attempt] = []
    if response is not None:
        outcome = response.extensions.get(OUTCOME_EXTENSION)
        attempts = list(outcome.attempts) if isinstance(outcome, Outcome) else []
        attempts.append(Attempt(len(attempts) + 1, response.status_code, problem, 0.0, "none"))
    return MalformedResponseError(
        f"{where}: malformed response: {problem}", response, attempts=attempts
    )


def _where(request: httpx.Request) -> str:
    url = request.url
    return f"{request.method} {url.scheme}://{url.netloc.decode()}{url.path}"
