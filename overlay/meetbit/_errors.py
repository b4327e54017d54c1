"""The exceptions the client raises, and the mapping from responses and httpx errors to them.

Everything the client raises on purpose is a `MeetBitError`, so a service can catch one
base class. Each exception says what went wrong in its message and carries the detail a
service needs to decide what to do next: the status and the server's own message for API
errors, the suggested wait for rate limits, the attempts made so far for anything retried.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from meetbit._retry import Attempt

# An error page from a proxy can be large; the message keeps what a log line can hold.
_MESSAGE_LIMIT = 1000


class MeetBitError(Exception):
    """Base class of every error raised by the MeetBit client."""

    attempts: Sequence[Attempt] = ()
    """The attempts that failed before this error was raised, oldest first (empty if none)."""


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

    def __init__(self, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


class ApiError(MeetBitError):
    """The server answered with an error status; `message` is what it said."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        self.message = response.text.strip()
        request = response.request
        said = " ".join(self.message.split())[:_MESSAGE_LIMIT] or "(empty body)"
        super().__init__(
            f"{request.method} {request.url.path} -> {response.status_code} "
            f"{response.reason_phrase}: {said}"
        )


class UnauthorizedError(ApiError):
    """401: the access key is missing, wrong, or lacks the permission the operation needs."""


class NotFoundError(ApiError):
    """404: the calendar, event or other resource does not exist (or is not visible to this key)."""


class RateLimitedError(ApiError):
    """429: the access key is over its rate limit, and waiting was not possible within policy.

    `retry_after` is the wait in seconds the server asked for, or None if it did not say.
    """

    def __init__(self, response: httpx.Response, retry_after: float | None) -> None:
        super().__init__(response)
        self.retry_after = retry_after
        if retry_after is not None:
            self.args = (f"{self.args[0]} (retry after {retry_after:g} s)",)


class ServerError(ApiError):
    """5xx: the server or a proxy in front of it failed; the request may or may not have run."""


_BY_STATUS: dict[int, type[ApiError]] = {401: UnauthorizedError, 404: NotFoundError}


def error_for_response(response: httpx.Response) -> ApiError:
    """Return the exception for an error response; its body must already be read."""
    if response.status_code == 429:
        from meetbit._retry import parse_retry_after

        return RateLimitedError(response, parse_retry_after(response.headers.get("Retry-After")))
    if response.status_code >= 500:
        return ServerError(response)
    return _BY_STATUS.get(response.status_code, ApiError)(response)


def error_for_transport_failure(
    error: httpx.TransportError, request: httpx.Request
) -> MeetBitError:
    """Return the exception for an httpx transport failure (the caller chains it)."""
    import httpx  # loaded by then: the failure came from it

    where = (
        f"{request.method} {request.url.scheme}://{request.url.netloc.decode()}{request.url.path}"
    )
    if isinstance(error, httpx.TimeoutException):
        return RequestTimeoutError(f"{where} timed out ({type(error).__name__}: {error})")
    return NetworkError(f"{where} failed ({type(error).__name__}: {error})")
