"""Python client for the MeetBit Public API v2.0.

import meetbit

with meetbit.Client("acme.meetbit.com") as client:  # keys from MEETBIT_ACCESS_KEY_*
    event = client.cancel_event(12, 345, "Moved to next week")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from meetbit._client import DEFAULT_TIMEOUT, AsyncClient, Client
from meetbit._errors import (
    ApiError,
    ConfigurationError,
    InvalidRequestError,
    MalformedResponseError,
    MeetBitError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    UnauthorizedError,
)
from meetbit._retry import Attempt
from meetbit._version import API_VERSION, __version__

if TYPE_CHECKING:
    from meetbit._status import AttendeeStatus


def __getattr__(name: str) -> object:
    # AttendeeStatus lives in the generated models, whose import is deferred until first
    # use so that `import meetbit` stays as cheap as importing httpx.
    if name == "AttendeeStatus":
        from meetbit._status import AttendeeStatus

        return AttendeeStatus
    raise AttributeError(f"module 'meetbit' has no attribute {name!r}")


__all__ = [
    "API_VERSION",
    "DEFAULT_TIMEOUT",
    "ApiError",
    "AsyncClient",
    "Attempt",
    "AttendeeStatus",
    "Client",
    "ConfigurationError",
    "InvalidRequestError",
    "MalformedResponseError",
    "MeetBitError",
    "NetworkError",
    "NotFoundError",
    "RateLimitedError",
    "RequestTimeoutError",
    "ServerError",
    "UnauthorizedError",
    "__version__",
]
