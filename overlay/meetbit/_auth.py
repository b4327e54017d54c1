"""Access-key authentication, the httpx way: an `httpx.Auth` that signs every request."""

from __future__ import annotations

import operator
from collections.abc import AsyncGenerator, Generator

import httpx

from meetbit._errors import SECRET_HEADER


def _can_append_raw() -> bool:
    # httpx keeps headers as (name, lowercased name, value) byte triples in `_list`, and has
    # since 0.18; setting one through `headers[name] = value` re-encodes and scans them all,
    # about 10,000 instructions a header, 1 % of a whole call. Appending the triples we
    # encoded once costs nothing. Private, so probed once: any other layout, and we fall
    # back to the public way.
    probe = httpx.Headers({"X-Probe": "1"})
    return getattr(probe, "_list", None) == [(b"X-Probe", b"x-probe", b"1")]


_APPEND_RAW = _can_append_raw()
ID_HEADER = "X-Access-Key-Id"
KEY_HEADERS = frozenset({ID_HEADER.lower(), SECRET_HEADER.lower()})
"""The headers only the access key sets (lowercase): `headers=` may not name them."""
KEY_HEADERS_RAW = frozenset(name.encode() for name in KEY_HEADERS)
_LOWERCASE_NAME = operator.itemgetter(1)


class AccessKeyAuth(httpx.Auth):
    """Sends `X-Access-Key-Id` and `X-Access-Key-Secret`, MeetBit's two API-key headers.

    The secret goes on each request as it is sent, not into the client's default headers,
    where `repr(httpx_client.headers)` would show it. The flow methods are overridden
    rather than `auth_flow`: one generator per request instead of two.
    """

    def __init__(self, access_key_id: str, access_key_secret: str) -> None:
        # Checked by the configuration (meetbit._config), which every client is built from.
        self.access_key_id = access_key_id
        self._headers = ((ID_HEADER, access_key_id), (SECRET_HEADER, access_key_secret))
        self._raw = tuple(
            (name.encode(), name.lower().encode(), value.encode()) for name, value in self._headers
        )

    def _sign(self, request: httpx.Request) -> None:
        if _APPEND_RAW:
            raw: list[tuple[bytes, bytes, bytes]] = request.headers._list
            # A request that already names them (a spec declaring them as parameters) gets
            # them replaced, below, never sent twice.
            if KEY_HEADERS_RAW.isdisjoint(map(_LOWERCASE_NAME, raw)):
                raw.extend(self._raw)
                return
        for name, value in self._headers:
            request.headers[name] = value

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        self._sign(request)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        self._sign(request)
        yield request

    def __repr__(self) -> str:
        return f"AccessKeyAuth(access_key_id={self.access_key_id!r}, access_key_secret='***')"
