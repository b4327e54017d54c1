"""Access-key authentication, the httpx way: an `httpx.Auth` that signs every request."""

from __future__ import annotations

import re
from collections.abc import Generator

import httpx

from meetbit._errors import SECRET_HEADER, ConfigurationError

# Header values go on the wire as-is: a CR or LF would let a value start a new header,
# and other control characters are not legal in a header value at all.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def header_safe(what: str, value: str) -> str:
    """Return `value` if it can be sent as a header value as-is, else raise ConfigurationError."""
    if not isinstance(value, str):
        raise ConfigurationError(f"{what} must be a str, not {type(value).__name__}")
    if _UNSAFE.search(value):
        # The message never repeats the value: it may be the secret.
        raise ConfigurationError(f"{what} contains a control character (CR, LF, tab...)")
    if not value.isascii():
        raise ConfigurationError(f"{what} contains non-ASCII characters")
    return value


def _checked(name: str, value: str, env_var: str) -> str:
    if isinstance(value, str) and not value.strip():
        raise ConfigurationError(f"{name} is empty: pass {name}= or set {env_var}")
    return header_safe(name, value)


class AccessKeyAuth(httpx.Auth):
    """Sends `X-Access-Key-Id` and `X-Access-Key-Secret`, MeetBit's two API-key headers."""

    def __init__(self, access_key_id: str, access_key_secret: str) -> None:
        self.access_key_id = _checked("access_key_id", access_key_id, "MEETBIT_ACCESS_KEY_ID")
        self._access_key_secret = _checked(
            "access_key_secret", access_key_secret, "MEETBIT_ACCESS_KEY_SECRET"
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Access-Key-Id"] = self.access_key_id
        request.headers[SECRET_HEADER] = self._access_key_secret
        yield request

    def __repr__(self) -> str:
        return f"AccessKeyAuth(access_key_id={self.access_key_id!r}, access_key_secret='***')"
