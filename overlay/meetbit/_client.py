"""`Client` and `AsyncClient`: the generated client, with settings, auth, retry and errors wired in.

Each is a subclass of the generated `meetbit_api.client.Client`, so every generated
function accepts it as `client=`, and of the generated resources, so every operation of
the spec is a typed method: ``client.<tag>.<operation>(path..., **fields)``.
What makes a call safe lives below the operations, where every present and future
operation passes: `AccessKeyAuth` signs each request, the retry transport paces and
retries it, and a response hook turns every error response into a typed exception. The
generated methods check their arguments and build the request; `_send` sends and parses.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx
from meetbit_api.client import Client as _GeneratedClient
from meetbit_api.operations import OPERATIONS
from meetbit_api.resources import AsyncResources, Resources

from meetbit._auth import KEY_HEADERS, AccessKeyAuth, header_safe
from meetbit._errors import (
    ConfigurationError,
    MeetBitError,
    error_for_response,
)
from meetbit._invoke import built, check_argument, deprecated, parsed, parsed_any, request_for
from meetbit._rate import RateController, acquire, let_go, relinquish
from meetbit._retry import RetryPolicy
from meetbit._settings import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    Settings,
    base_url_for,
    proxy_for,
    setting,
)
from meetbit._transport import (
    ACCEPT_ENCODING,
    OUTCOME_EXTENSION,
    AsyncRetryTransport,
    RetryTransport,
)

if TYPE_CHECKING:
    from types import ModuleType

    from meetbit._errors import Attempt

__all__ = ["DEFAULT_TIMEOUT", "USER_AGENT", "AsyncClient", "Client"]

logger = logging.getLogger("meetbit")


def _raise_for_status(response: httpx.Response) -> None:
    outcome = response.extensions.get(OUTCOME_EXTENSION)
    if response.is_success and (outcome is None or outcome.problem is None):
        return
    response.read()  # in memory already: the retry transport read it off the wire
    raise error_for_response(response, outcome)


async def _araise_for_status(response: httpx.Response) -> None:
    outcome = response.extensions.get(OUTCOME_EXTENSION)
    if response.is_success and (outcome is None or outcome.problem is None):
        return
    await response.aread()
    raise error_for_response(response, outcome)


# By id: attrs makes the clients compare by value, so they are not hashable.
_LIVE: weakref.WeakValueDictionary[int, _ClientBase] = weakref.WeakValueDictionary()


def _forget_connections_after_fork() -> None:
    # A forked child shares its parent's pooled sockets: using them would interleave two
    # processes' requests on one connection, and closing them could close the parent's
    # TLS session. The child drops its copies (without closing) and connects afresh.
    for client in list(_LIVE.values()):
        client._client = None
        client._async_client = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_connections_after_fork)


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
        cookies: Mapping[str, str] | None = None,
        max_connections: int = 10,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        rate_limit_store: str | None = None,
        follow_redirects: bool = False,
        httpx_args: Mapping[str, Any] | None = None,
        raise_on_unexpected_status: bool = True,
    ) -> None:
        # The generated client's own arguments, where they would weaken the client, are refused.
        if follow_redirects:
            raise ConfigurationError(
                "follow_redirects=True is not supported: a redirect would carry the access "
                "key headers to whatever host it names"
            )
        if httpx_args:
            raise ConfigurationError(
                f"httpx_args is not supported (got {sorted(httpx_args)}): the client builds its "
                "own httpx client so that auth, retries and errors apply; use transport=, "
                "proxy=, verify=, headers=, cookies= or timeout="
            )
        if raise_on_unexpected_status is not True:
            raise ConfigurationError(
                "raise_on_unexpected_status=False is not supported: every status the API does "
                "not document raises a meetbit.MeetBitError"
            )
        if timeout is None:
            raise ConfigurationError("timeout must be finite: pass seconds or an httpx.Timeout")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
        if total_timeout is not None and not total_timeout > 0:
            raise ConfigurationError(f"total_timeout must be > 0 or None, got {total_timeout!r}")
        if not max_retry_wait >= 0:
            raise ConfigurationError(f"max_retry_wait must be >= 0, got {max_retry_wait!r}")
        if (
            isinstance(max_connections, bool)
            or not isinstance(max_connections, int)
            or (max_connections < 1)
        ):
            raise ConfigurationError(
                f"max_connections must be an int >= 1, got {max_connections!r}"
            )
        if transport is not None and (proxy is not None or verify is not True):
            # They configure the transport the client would build; yours has its own.
            raise ConfigurationError(
                "proxy= and verify= do not apply with transport=: configure them on your transport"
            )
        settings = Settings(
            base_url=base_url_for(domain, base_url),
            access_key_id=setting(access_key_id, "MEETBIT_ACCESS_KEY_ID") or "",
            access_key_secret=setting(access_key_secret, "MEETBIT_ACCESS_KEY_SECRET") or "",
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            policy=RetryPolicy(
                max_retries=max_retries,
                total_timeout=total_timeout,
                max_wait=max_retry_wait,
                on_retry=on_retry,
            ),
            verify=verify,
            proxy=proxy,
            headers=dict(headers or {}),
            cookies=dict(cookies or {}),
            max_connections=max_connections,
            transport=transport,
            rate_limit_store=rate_limit_store,
        )
        self._build(settings, None)

    def _build(self, settings: Settings, controller: RateController | None) -> None:
        auth = AccessKeyAuth(settings.access_key_id, settings.access_key_secret)
        if settings.verify is False:
            logger.warning("TLS certificate verification is OFF for %s", settings.base_url)
        extra = {
            header_safe("header name", k): header_safe(f"header {k}", v)
            for k, v in settings.headers.items()
        }
        if KEY_HEADERS.intersection(name.lower() for name in extra):
            raise ConfigurationError(
                "headers= may not set the access key headers: pass access_key_id= and "
                "access_key_secret= (or set MEETBIT_ACCESS_KEY_ID, MEETBIT_ACCESS_KEY_SECRET)"
            )
        _GeneratedClient.__init__(
            self,
            base_url=settings.base_url,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING, **extra},
            cookies=dict(settings.cookies),
            timeout=settings.timeout,
            verify_ssl=settings.verify,
            raise_on_unexpected_status=False,  # the generated layer's error; ours are typed
        )
        self._settings = settings
        self._auth = auth
        self._proxy = proxy_for(settings.base_url, settings.proxy)
        # One rate controller per access key and host in this process (the spec's Retry-After
        # holds for every client on the key), shared by every with_* copy; the last client of
        # a key to close (or be collected) closes it.
        host = httpx.URL(settings.base_url).netloc.decode("ascii")
        self._controller = acquire(settings.rate_limit_store, f"{host}|{settings.access_key_id}")
        self._let_go = weakref.finalize(self, let_go, self._controller)
        self._limits = httpx.Limits(
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_connections,
        )
        _LIVE[id(self)] = self

    def _copy(self, **changes: Any) -> Any:
        copy = object.__new__(type(self))
        copy._build(replace(self._settings, **changes), self._controller)
        return copy

    def with_headers(self, headers: dict[str, str]) -> Any:
        """A new client like this one (same rate limiting) that also sends `headers`."""
        return self._copy(headers={**self._settings.headers, **headers})

    def with_cookies(self, cookies: dict[str, str]) -> Any:
        """A new client like this one (same rate limiting) that also sends `cookies`."""
        return self._copy(cookies={**self._settings.cookies, **cookies})

    def with_timeout(self, timeout: httpx.Timeout) -> Any:
        """A new client like this one (same rate limiting) with per-phase `timeout`."""
        if timeout is None:
            raise ConfigurationError("timeout must be finite: pass seconds or an httpx.Timeout")
        if not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(timeout)
        return self._copy(timeout=timeout)

    def set_httpx_client(self, client: httpx.Client) -> Any:
        raise ConfigurationError(
            "set_httpx_client is not supported: meetbit builds its httpx client so that auth, "
            "retries and typed errors apply; pass transport= to send through your own transport"
        )

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Any:
        raise ConfigurationError(
            "set_async_httpx_client is not supported: meetbit builds its httpx client so that "
            "auth, retries and typed errors apply; pass transport= to send through your own"
        )

    def _httpx_settings(self) -> dict[str, Any]:
        return {
            "base_url": self._base_url,
            "headers": self._headers,
            "cookies": self._cookies,
            "timeout": self._timeout,
            "auth": self._auth,
            # Proxies are resolved once for our single host and given to our transport;
            # httpx's own environment handling would mount transports that bypass retry.
            "trust_env": False,
        }

    _check = staticmethod(check_argument)

    def __getattr__(self, name: str) -> Any:
        if name in OPERATIONS:
            return deprecated(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._base_url!r}, "
            f"access_key_id={self._auth.access_key_id!r}, access_key_secret='***')"
        )


class Client(Resources, _ClientBase):
    """A synchronous MeetBit client: ``client.<tag>.<operation>(...)``, or `client=` anywhere.

    ``Client()`` reads the domain and access key from MEETBIT_DOMAIN,
    MEETBIT_ACCESS_KEY_ID and MEETBIT_ACCESS_KEY_SECRET; arguments win over them.
    Use it as a context manager, or call `close()`, to release its connections.
    """

    def get_httpx_client(self) -> httpx.Client:
        if self._client is None:
            settings = self._settings
            wire = settings.transport or httpx.HTTPTransport(
                verify=settings.verify, proxy=self._proxy, limits=self._limits
            )
            if not isinstance(wire, httpx.BaseTransport):
                raise ConfigurationError(
                    "meetbit.Client needs a sync transport (httpx.BaseTransport)"
                )
            self._client = httpx.Client(
                transport=RetryTransport(wire, settings.policy, self._controller),
                event_hooks={"response": [_raise_for_status]},
                **self._httpx_settings(),
            )
        return self._client

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        raise MeetBitError(
            "meetbit.Client is synchronous: use meetbit.AsyncClient with asyncio functions"
        )

    def close(self) -> None:
        """Close the connections and let go of the rate controller; no sends after this."""
        if self._client is not None:
            self._client.close()
        self._let_go()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        super().__exit__(*args, **kwargs)
        self._let_go()

    def _send(
        self,
        code: ModuleType,
        path: tuple[Any, ...],
        keywords: dict[str, Any],
        unwrap: str | None,
        /,
    ) -> Any:
        client = self.get_httpx_client()
        request = built(client, code, path, keywords)
        return parsed(code, self, client.send(request), unwrap)

    def call(self, operation: Callable[..., Any], /, **arguments: Any) -> Any:
        """Call a generated function's operation with these arguments; return its parsed body."""
        module, request = request_for(operation, arguments)
        response = self.get_httpx_client().request(**request)
        return parsed_any(module, self, response)


class AsyncClient(AsyncResources, _ClientBase):
    """An asynchronous MeetBit client: ``await client.<tag>.<operation>(...)``.

    Settings are those of `Client`. Use ``async with``, or ``await aclose()``. One client
    may be used from several event loops in turn (``asyncio.run`` per job): connections
    made in a loop are left behind when a call comes from another.
    """

    _loop: weakref.ReferenceType[asyncio.AbstractEventLoop] | None = None

    def get_httpx_client(self) -> httpx.Client:
        raise MeetBitError(
            "meetbit.AsyncClient is asynchronous: use meetbit.Client with sync functions"
        )

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        loop = _running_loop()
        if self._loop is not None and loop is not None and self._loop() is not loop:
            # Pooled connections belong to the loop that opened them; that loop may be
            # closed. Drop them (not closed: their loop cannot run the closing).
            self._async_client = None
        if self._async_client is None:
            settings = self._settings
            wire = settings.transport or httpx.AsyncHTTPTransport(
                verify=settings.verify, proxy=self._proxy, limits=self._limits
            )
            if not isinstance(wire, httpx.AsyncBaseTransport):
                raise ConfigurationError(
                    "meetbit.AsyncClient needs an async transport (httpx.AsyncBaseTransport)"
                )
            self._async_client = httpx.AsyncClient(
                transport=AsyncRetryTransport(wire, settings.policy, self._controller),
                event_hooks={"response": [_araise_for_status]},
                **self._httpx_settings(),
            )
            self._loop = None if loop is None else weakref.ref(loop)
        return self._async_client

    async def aclose(self) -> None:
        """Close the connections and let go of the rate controller; no sends after this."""
        if self._async_client is not None:
            await self._async_client.aclose()
        if self._let_go.detach() is not None and relinquish(self._controller):
            await self._controller.aclose()

    async def __aexit__(self, *args: object, **kwargs: Any) -> None:
        await super().__aexit__(*args, **kwargs)
        if self._let_go.detach() is not None and relinquish(self._controller):
            await self._controller.aclose()

    async def _send(
        self,
        code: ModuleType,
        path: tuple[Any, ...],
        keywords: dict[str, Any],
        unwrap: str | None,
        /,
    ) -> Any:
        client = self.get_async_httpx_client()
        request = built(client, code, path, keywords)
        return parsed(code, self, await client.send(request), unwrap)

    async def call(self, operation: Callable[..., Awaitable[Any]], /, **arguments: Any) -> Any:
        """Await a generated function's operation with these arguments; return its parsed body."""
        module, request = request_for(operation, arguments)
        response = await self.get_async_httpx_client().request(**request)
        return parsed_any(module, self, response)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # trio, or no loop: nothing to compare
        return None
