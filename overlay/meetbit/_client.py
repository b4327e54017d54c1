"""`Client` and `AsyncClient`: generated clients with settings, auth, retry and errors wired in.

Each is a subclass of the generated `meetbit_api.client.Client`, so every generated
operation accepts it as `client=`. What makes it safe lives below the operations, where
every present and future operation passes: `AccessKeyAuth` signs each request, the retry
transport retries it, and a response hook turns every non-2xx response into a typed error.
The methods here (`cancel_event`) are thin typed conveniences on top.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from meetbit_api.client import Client as _GeneratedClient

from meetbit._auth import AccessKeyAuth, header_safe
from meetbit._errors import (
    ConfigurationError,
    InvalidRequestError,
    MalformedResponseError,
    MeetBitError,
    error_for_response,
)
from meetbit._rate import controller_for
from meetbit._retry import (
    ATTEMPTS_EXTENSION,
    AsyncRetryTransport,
    Attempt,
    RetryPolicy,
    RetryTransport,
)
from meetbit._version import __version__

if TYPE_CHECKING:
    from types import ModuleType

    from meetbit_api.models import CancelEventBody, CancelEventResponse200, Event
    from meetbit_api.types import Response

logger = logging.getLogger("meetbit")
T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
"""Every phase is bounded: the generated client's default is no timeout at all."""
USER_AGENT = f"meetbit-python/{__version__}"
CANCEL_NOTE_MAX_LENGTH = 255
_INT64_MAX = 2**63 - 1
# A host name or IP literal with an optional port: what the spec's {primary_domain} holds.
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?)+(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?"
)


def _setting(argument: str | None, env_var: str) -> str | None:
    return argument if argument is not None else os.environ.get(env_var)


def _base_url(domain: str | None, base_url: str | None) -> str:
    if base_url is not None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigurationError(f"base_url must be an http(s) URL, got {base_url!r}")
        return base_url.rstrip("/")
    domain = _setting(domain, "MEETBIT_DOMAIN")
    if not domain:
        raise ConfigurationError(
            "no MeetBit domain: pass domain= (your tenant's primary domain) or set MEETBIT_DOMAIN"
        )
    if not _DOMAIN.fullmatch(domain):
        raise ConfigurationError(
            f"domain must be a host name such as acme.meetbit.com, optionally with a port, "
            f"got {domain!r}; pass base_url= for a full URL"
        )
    return f"https://{domain}/api/public/v2.0"


def _proxy_for(base_url: str, proxy: str | None) -> httpx.Proxy | None:
    """Return the proxy for our one host: the argument, else *_PROXY/NO_PROXY from the env."""
    import urllib.request  # costly to import, and needed once per client

    if proxy is not None:
        return httpx.Proxy(proxy)
    url = httpx.URL(base_url)
    from_env = urllib.request.getproxies_environment().get(url.scheme)
    if from_env is None or urllib.request.proxy_bypass(url.host):
        return None
    return httpx.Proxy(from_env)


def _raise_for_status(response: httpx.Response) -> None:
    if response.is_success:
        return
    response.read()  # in memory already: the retry transport read it off the wire
    _raise_error(response)


async def _araise_for_status(response: httpx.Response) -> None:
    if response.is_success:
        return
    await response.aread()
    _raise_error(response)


def _raise_error(response: httpx.Response) -> None:
    error = error_for_response(response)
    error.attempts = response.extensions.get(ATTEMPTS_EXTENSION, ())
    raise error


def _parse_failure(operation: Callable[..., object], failure: Exception) -> MalformedResponseError:
    if isinstance(failure, KeyError):
        problem = f"required field {failure.args[0]!r} is missing"
    elif isinstance(failure, json.JSONDecodeError):
        problem = f"the body is not JSON ({failure})"
    else:
        problem = f"{type(failure).__name__}: {failure}"
    name = operation.__module__.rsplit(".", 1)[-1]
    return MalformedResponseError(f"{name}: malformed response: {problem}", None)


def _parsed(operation: Callable[..., object], response: Response[T]) -> T:
    if response.parsed is None:
        name = operation.__module__.rsplit(".", 1)[-1]
        raise MalformedResponseError(
            f"{name}: status {response.status_code} is not one the API documents", None
        )
    return response.parsed


def _expect(parsed: object, kind: type[T]) -> T:
    # A 2xx body parses to the operation's success model; anything else means the server
    # sent a body of another documented shape under a success status.
    if not isinstance(parsed, kind):
        raise MalformedResponseError(f"expected a {kind.__name__}, got {type(parsed).__name__}")
    return parsed


def _positive_id(name: str, value: object) -> int:
    # Strictly int: a str id is quoted into the path, and quote("..") is still "..", which
    # httpx then collapses, sending the request to a different resource.
    if type(value) is not int:
        raise InvalidRequestError(f"{name} must be an int, not {type(value).__name__}")
    if not 1 <= value <= _INT64_MAX:
        raise InvalidRequestError(f"{name} must be between 1 and 2**63 - 1, got {value}")
    return value


@functools.cache
def _cancel_event_api() -> tuple[ModuleType, type[CancelEventBody], type[CancelEventResponse200]]:
    # Imported on first use, not with `import meetbit`: the models are most of the import
    # time of the generated package. Cached: an import statement per call costs microseconds.
    from meetbit_api.api.events import cancel_event
    from meetbit_api.models import CancelEventBody, CancelEventResponse200

    return cancel_event, CancelEventBody, CancelEventResponse200


def _cancel_event_kwargs(
    calendar_id: object, event_id: object, cancel_note: object
) -> dict[str, Any]:
    if not isinstance(cancel_note, str):
        raise InvalidRequestError(f"cancel_note must be a str, not {type(cancel_note).__name__}")
    if len(cancel_note) > CANCEL_NOTE_MAX_LENGTH:
        raise InvalidRequestError(
            f"cancel_note is {len(cancel_note)} characters; the API accepts at most "
            f"{CANCEL_NOTE_MAX_LENGTH}"
        )
    return {
        "calendar_id": _positive_id("calendar_id", calendar_id),
        "event_id": _positive_id("event_id", event_id),
        "body": _cancel_event_api()[1](cancel_note=cancel_note),
    }


class _ClientBase(_GeneratedClient):
    """What `Client` and `AsyncClient` share: resolving settings, and the pieces they wire in."""

    def __init__(
        self,
        domain: str | None = None,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        total_timeout: float | None = 120.0,
        max_retry_wait: float = 60.0,
        on_retry: Callable[[Attempt], object] | None = None,
        verify: bool | str | ssl.SSLContext = True,
        proxy: str | None = None,
        headers: Mapping[str, str] | None = None,
        max_connections: int = 10,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        rate_limit_store: str | None = None,
    ) -> None:
        url = _base_url(domain, base_url)
        auth = AccessKeyAuth(
            _setting(access_key_id, "MEETBIT_ACCESS_KEY_ID") or "",
            _setting(access_key_secret, "MEETBIT_ACCESS_KEY_SECRET") or "",
        )
        if timeout is None:
            raise ConfigurationError("timeout must be finite: pass seconds or an httpx.Timeout")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
        if verify is False:
            logger.warning("TLS certificate verification is OFF for %s", url)
        extra = {
            header_safe("header name", k): header_safe(f"header {k}", v)
            for k, v in (headers or {}).items()
        }
        super().__init__(
            base_url=url,
            headers={"User-Agent": USER_AGENT, **extra},
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            verify_ssl=verify,
        )
        self._auth = auth
        self._proxy = _proxy_for(url, proxy)
        self._policy = RetryPolicy(
            max_retries=max_retries,
            total_timeout=total_timeout,
            max_wait=max_retry_wait,
            on_retry=on_retry,
        )
        self._transport = transport
        # One send rate per access key and host: in this process, or shared through the store.
        self._rate = controller_for(rate_limit_store, f"{url}|{auth.access_key_id}")
        # Also the keep-alive limit: httpx's async pool scans every pooled connection for
        # each queued request, so a small pool is faster under concurrency (make bench).
        self._limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )

    def _httpx_settings(self) -> dict[str, Any]:
        return {
            "base_url": self._base_url,
            "headers": self._headers,
            "timeout": self._timeout,
            "auth": self._auth,
            # Proxies are resolved once for our single host and given to our transport;
            # httpx's own environment handling would mount transports that bypass retry.
            "trust_env": False,
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._base_url!r}, "
            f"access_key_id={self._auth.access_key_id!r}, access_key_secret='***')"
        )


class Client(_ClientBase):
    """A synchronous MeetBit client; pass it as `client=` to any generated sync function.

    ``Client()`` reads the domain and access key from MEETBIT_DOMAIN,
    MEETBIT_ACCESS_KEY_ID and MEETBIT_ACCESS_KEY_SECRET; arguments win over them.
    Use it as a context manager, or call `close()`, to release its connections.
    """

    def get_httpx_client(self) -> httpx.Client:
        if self._client is None:
            wire = self._transport or httpx.HTTPTransport(
                verify=self._verify_ssl, proxy=self._proxy, limits=self._limits
            )
            if not isinstance(wire, httpx.BaseTransport):
                raise ConfigurationError(
                    "meetbit.Client needs a sync transport (httpx.BaseTransport)"
                )
            self._client = httpx.Client(
                transport=RetryTransport(wire, self._policy, rate=self._rate),
                event_hooks={"response": [_raise_for_status]},
                **self._httpx_settings(),
            )
        return self._client

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        raise MeetBitError(
            "meetbit.Client is synchronous: use meetbit.AsyncClient with asyncio functions"
        )

    def close(self) -> None:
        """Close the connections; the client cannot send after this."""
        if self._client is not None:
            self._client.close()

    def call(self, operation: Callable[..., Response[T]], /, **arguments: Any) -> T:
        """Call a generated `sync_detailed` function and return its parsed 2xx body, or raise."""
        try:
            response = operation(client=self, **arguments)
        except MeetBitError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as failure:
            raise _parse_failure(operation, failure) from failure
        return _parsed(operation, response)

    def cancel_event(self, calendar_id: int, event_id: int, cancel_note: str) -> Event:
        """Cancel an event and return it as the server now has it (requires events.delete.*)."""
        cancel_event, _, CancelEventResponse200 = _cancel_event_api()
        arguments = _cancel_event_kwargs(calendar_id, event_id, cancel_note)
        envelope: object = self.call(cancel_event.sync_detailed, **arguments)
        return _expect(envelope, CancelEventResponse200).data


class AsyncClient(_ClientBase):
    """An asynchronous MeetBit client; pass it as `client=` to any generated asyncio function.

    Settings are those of `Client`. Use ``async with``, or ``await aclose()``.
    """

    def get_httpx_client(self) -> httpx.Client:
        raise MeetBitError(
            "meetbit.AsyncClient is asynchronous: use meetbit.Client with sync functions"
        )

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        if self._async_client is None:
            wire = self._transport or httpx.AsyncHTTPTransport(
                verify=self._verify_ssl, proxy=self._proxy, limits=self._limits
            )
            if not isinstance(wire, httpx.AsyncBaseTransport):
                raise ConfigurationError(
                    "meetbit.AsyncClient needs an async transport (httpx.AsyncBaseTransport)"
                )
            self._async_client = httpx.AsyncClient(
                transport=AsyncRetryTransport(wire, self._policy, rate=self._rate),
                event_hooks={"response": [_araise_for_status]},
                **self._httpx_settings(),
            )
        return self._async_client

    async def aclose(self) -> None:
        """Close the connections; the client cannot send after this."""
        if self._async_client is not None:
            await self._async_client.aclose()

    async def call(
        self, operation: Callable[..., Awaitable[Response[T]]], /, **arguments: Any
    ) -> T:
        """Await a generated `asyncio_detailed` function; return its parsed 2xx body, or raise."""
        try:
            response = await operation(client=self, **arguments)
        except MeetBitError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as failure:
            raise _parse_failure(operation, failure) from failure
        return _parsed(operation, response)

    async def cancel_event(self, calendar_id: int, event_id: int, cancel_note: str) -> Event:
        """Cancel an event and return it as the server now has it (requires events.delete.*)."""
        cancel_event, _, CancelEventResponse200 = _cancel_event_api()
        arguments = _cancel_event_kwargs(calendar_id, event_id, cancel_note)
        envelope: object = await self.call(cancel_event.asyncio_detailed, **arguments)
        return _expect(envelope, CancelEventResponse200).data
