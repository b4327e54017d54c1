"""Python client for the MeetBit Public API v2.0.

import meetbit

with meetbit.Client("acme.meetbit.com") as client:  # keys from MEETBIT_ACCESS_KEY_*
    help(client.events)  # one typed method per operation of the spec
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from meetbit._errors import (
    ApiError,
    Attempt,
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
from meetbit._version import API_VERSION, __version__

if TYPE_CHECKING:
    from meetbit._client import AsyncClient, Client
    from meetbit._config import DEFAULT_TIMEOUT
    from meetbit._status import AttendeeStatus

# Loaded on first use, so that `import meetbit` costs no more than the exceptions: the
# clients bring httpx, attrs and the generated client with them, AttendeeStatus the models.
_LAZY = {
    "Client": "meetbit._client",
    "AsyncClient": "meetbit._client",
    "DEFAULT_TIMEOUT": "meetbit._config",
    "AttendeeStatus": "meetbit._status",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'meetbit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    # Without this, dir() and completion list only what is loaded already, not _LAZY's names.
    return sorted({*globals(), *_LAZY})


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
