"""Holds every socket read of a sync attempt to its call's deadline.

httpcore gives each read the whole read timeout afresh, so a server that drips a byte
well within it can hold a call forever; the async client cuts the attempt at the deadline
with a cancel scope, which a blocking socket does not have. So the sync client's own
transport reads through streams that shorten each read timeout to what is left of
the deadline `RetryTransport` sets in `DEADLINE` around an attempt. A sync request runs
on its caller's thread, so a context variable carries the deadline down to the socket.
"""

from __future__ import annotations

import contextvars
import math
import ssl
import time
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

if TYPE_CHECKING:
    from httpcore import NetworkBackend, NetworkStream

DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar(
    "meetbit_deadline", default=math.inf
)
"""The `time.monotonic()` by which the attempt running in this context must end."""
SPENT = "the call used up its total_timeout"


def held_to_deadline(transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
    """Make `transport`'s connections (direct or through a proxy) read within `DEADLINE`.

    httpx (0.23 to 0.28) takes no network backend, so this wraps the one of the httpcore
    pool it built, rather than building that pool again from httpx's own arguments (its
    TLS context, its proxy kinds) and following them from release to release.
    """
    pool: Any = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None:  # else only the body is checked (tests/test_transport.py fails)
        pool._network_backend = _Backend(backend)
    return transport


class _Stream:
    def __init__(self, stream: NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read with `timeout`, or with what is left of `DEADLINE` if that is less."""
        deadline = DEADLINE.get()
        if deadline == math.inf:  # no total_timeout: no clock read on the way to the socket
            return self._stream.read(max_bytes, timeout)
        left = deadline - time.monotonic()
        if timeout is not None and timeout <= left:
            return self._stream.read(max_bytes, timeout)
        if left <= 0:  # a socket timeout of 0 would not wait at all but fail another way
            raise httpcore.ReadTimeout(SPENT)
        try:
            return self._stream.read(max_bytes, left)
        except httpcore.ReadTimeout:
            raise httpcore.ReadTimeout(SPENT) from None

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # Not held to the deadline: `Call.before_attempt` fits the write timeout to it, and
        # MeetBit's request bodies fit in the socket's buffer, so a write does not wait.
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _Stream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend:
    def __init__(self, backend: NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(self, *args: Any, **kwargs: Any) -> _Stream:
        return _Stream(self._backend.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> _Stream:
        return _Stream(self._backend.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
