"""`Client` and `AsyncClient`: the generated client, with settings, auth, retry and errors wired in.

Each is a subclass of the generated `meetbit_api.client.Client`, so every generated
function accepts it as `client=`, and has the generated resources, so every operation of
the spec is a typed method: ``client.<tag>.<operation>(path..., **fields)``.
What makes a call safe lives below the operations, where every present and future
operation passes: `AccessKeyAuth` signs each request, the retry transport paces and
retries it, and a response hook turns every error response into a typed exception. The
generated methods check their arguments and build the request; `_send` sends and parses.

Building a client resolves and checks its settings (`meetbit._config`) and nothing more:
the resources, the operation metadata, the models, the retry transport and the rate
controller are imported when a client first needs them, so that a short-lived process
(a `meetbit` command, a serverless cold start) pays little more than `import httpx`.
"""

from __future__ import annotations

import functools
import logging
import os
import ssl
import sys
import threading
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self, Unpack

import httpx
from meetbit_api.client import Client as _GeneratedClient

from meetbit._auth import AccessKeyAuth
from meetbit._config import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    Config,
    Options,
    refuse_generated_arguments,
)
from meetbit._errors import ConfigurationError, MeetBitError, error_for_response
from meetbit._invoke import built, check_argument, parsed, parsed_any, request_for

if TYPE_CHECKING:
    import asyncio
    from types import ModuleType

    from meetbit_api.resources import AsyncResources as _AsyncResources
    from meetbit_api.resources import Resources as _Resources

    from meetbit._errors import Attempt
    from meetbit._rate import RateController
    from meetbit._retry import RetryPolicy
else:
    # At run time the resources come from meetbit_api.resources on first use (see
    # `_ClientBase.__getattr__`); type checkers see the generated mixins themselves.
    class _Resources:
        _resources = "Resources"

    class _AsyncResources:
        _resources = "AsyncResources"


__all__ = ["DEFAULT_TIMEOUT", "USER_AGENT", "AsyncClient", "Client"]

logger = logging.getLogger("meetbit")


def _status_hook() -> Callable[[httpx.Response], None]:
    """The response hook that raises the typed error of a response that is not a usable success."""
    from meetbit._transport import OUTCOME_EXTENSION

    def raise_for_status(response: httpx.Response) -> None:
        outcome = response.extensions.get(OUTCOME_EXTENSION)
        if 200 <= response.status_code < 300 and (outcome is None or outcome.problem is None):
            return
        response.read()  # in memory already: the retry transport read it off the wire
        raise error_for_response(response, outcome)

    return raise_for_status


def _async_status_hook() -> Callable[[httpx.Response], Awaitable[None]]:
    from meetbit._transport import OUTCOME_EXTENSION

    async def raise_for_status(response: httpx.Response) -> None:
        outcome = response.extensions.get(OUTCOME_EXTENSION)
        if 200 <= response.status_code < 300 and (outcome is None or outcome.problem is None):
            return
        await response.aread()
        raise error_for_response(response, outcome)

    return raise_for_status


_CONNECTED: weakref.WeakSet[_ClientBase] = weakref.WeakSet()
"""The clients that have built an httpx client, and so may hold pooled connections."""


def _forget_connections_after_fork() -> None:
    # A forked child shares its parent's pooled sockets: using them would interleave two
    # processes' requests on one connection, and closing them could close the parent's
    # TLS session. The child drops its copies (without closing) and connects afresh.
    for client in list(_CONNECTED):
        client._client = None
        client._async_client = None


@functools.cache
def _watch_forks() -> None:
    # Registered when a first client connects, not at import: a registered hook keeps this
    # module alive into the interpreter's last clean-up, which then costs about 2 % of a
    # start-up (callgrind) in every process that only imports or builds a client.
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_forget_connections_after_fork)


def _connected(client: _ClientBase) -> None:
    _watch_forks()
    _CONNECTED.add(client)


class _SharedRate:
    """A client's use of the rate controller of its access key (one per key in a process).

    The controller comes from `meetbit._rate.acquire` when the client first sends (`get`), so
    that a client that never sends never imports rate control; a shared store (Redis) is
    acquired at construction instead, so that its URL and the `redis` package are checked
    where the setting is given. `release` gives the use back (on close, or when the client
    is collected); the last user of a controller closes it.
    """

    def __init__(self, config: Config) -> None:
        self._serves = (config.rate_limit_store, config.rate_key, config.rate_control)
        self._controller: RateController | None = None
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize[Any, Any] | None = None
        if config.rate_limit_store is not None:
            self.get()

    def get(self) -> RateController:
        with self._lock:
            if self._controller is None:
                from meetbit._rate import acquire, let_go

                self._controller = acquire(*self._serves)
                self._finalizer = weakref.finalize(self, let_go, self._controller)
            return self._controller

    def release(self) -> RateController | None:
        """Give the use back; the controller if this was its last user (the caller closes it)."""
        with self._lock:
            if self._finalizer is None or self._finalizer.detach() is None:
                return None
            from meetbit._rate import relinquish

            assert self._controller is not None
            return self._controller if relinquish(self._controller) else None


class _ClientBase(_GeneratedClient):
    """What `Client` and `AsyncClient` share: their settings, and the pieces they wire in."""

    _asynchronous: ClassVar[bool] = False
    _resources: ClassVar[str]
    _config: Config
    _rate: _SharedRate

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
        refuse_generated_arguments(follow_redirects, httpx_args, raise_on_unexpected_status)
        config = Config.resolve(
            asynchronous=self._asynchronous,
            domain=domain,
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
            max_retry_wait=max_retry_wait,
            on_retry=on_retry,
            verify=verify,
            proxy=proxy,
            headers=headers,
            cookies=cookies,
            max_connections=max_connections,
            transport=transport,
            rate_limit_store=rate_limit_store,
        )
        self._configure(config, _SharedRate(config))

    @classmethod
    def _from_config(cls, config: Config) -> Self:
        """A client of settings already resolved: a copy, or the `meetbit` command's client."""
        client = object.__new__(cls)
        client._configure(config, _SharedRate(config))
        return client

    def _configure(self, config: Config, rate: _SharedRate) -> None:
        if config.verify is False:
            logger.warning("TLS certificate verification is OFF for %s", config.base_url)
        _GeneratedClient.__init__(
            self,
            config.base_url,
            headers={"User-Agent": USER_AGENT, **config.headers},
            cookies=dict(config.cookies),
            timeout=config.timeout,
            verify_ssl=config.verify,
            raise_on_unexpected_status=False,  # the generated layer's error; ours are typed
        )
        self._config = config
        self._auth = AccessKeyAuth(config.access_key_id, config.access_key_secret)
        self._rate = rate

    @property
    def _controller(self) -> RateController:
        return self._rate.get()

    # --- copies -------------------------------------------------------------------------------

    def with_options(self, **changes: Unpack[Options]) -> Self:
        """A new client like this one, with `changes` to its settings, checked as at construction.

        ``client.with_options(timeout=5, max_retries=0).events.cancel_event(...)``. The copy
        paces with every client of its access key and base URL in this process (one key, one
        quota: one rate controller per key); this client is left as it was.
        """
        config = self._config.replace(**changes)
        return self._from_config(config)

    def with_headers(self, headers: dict[str, str]) -> Self:
        """A new client like this one (same rate limiting) that also sends `headers`."""
        return self.with_options(headers={**self._config.headers, **headers})

    def with_cookies(self, cookies: dict[str, str]) -> Self:
        """A new client like this one (same rate limiting) that also sends `cookies`."""
        return self.with_options(cookies={**self._config.cookies, **cookies})

    def with_timeout(self, timeout: float | httpx.Timeout) -> Self:
        """A new client like this one (same rate limiting) with per-phase `timeout`."""
        return self.with_options(timeout=timeout)

    def set_httpx_client(self, client: httpx.Client) -> Self:
        raise ConfigurationError(
            "set_httpx_client is not supported: meetbit builds its httpx client so that auth, "
            "retries and typed errors apply; pass transport= to send through your own transport"
        )

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        raise ConfigurationError(
            "set_async_httpx_client is not supported: meetbit builds its httpx client so that "
            "auth, retries and typed errors apply; pass transport= to send through your own"
        )

    # --- the httpx client, built on first use ---------------------------------------------------

    def _retry_policy(self) -> RetryPolicy:
        from meetbit._retry import RetryPolicy

        config = self._config
        return RetryPolicy(
            max_retries=config.max_retries,
            total_timeout=config.total_timeout,
            max_wait=config.max_retry_wait,
            on_retry=config.on_retry,
        )

    def _transport_settings(self) -> dict[str, Any]:
        """What the client's own HTTP transport is built with (when none is given)."""
        config = self._config
        proxy = config.proxy or config.environment_proxy
        return {
            "verify": config.verify,
            "proxy": None if proxy is None else httpx.Proxy(proxy),
            "limits": httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
            ),
        }

    def _httpx_settings(self) -> dict[str, Any]:
        from meetbit._transport import ACCEPT_ENCODING

        return {
            "base_url": self._base_url,
            "headers": {**self._headers, "Accept-Encoding": ACCEPT_ENCODING},
            "cookies": self._cookies,
            "timeout": self._timeout,
            "auth": self._auth,
            # Proxies are resolved once for our single host and given to our transport;
            # httpx's own environment handling would mount transports that bypass retry.
            "trust_env": False,
        }

    _check = staticmethod(check_argument)

    # --- what is loaded on first use: client.<tag>, and the 0.1 methods ------------------------

    def __getattr__(self, name: str) -> Any:
        # Only for names the client does not have: a resource the first time it is used
        # (then it is an instance attribute, as a cached_property would make it), or a
        # 0.1 method, resolved from the operation metadata.
        if not name.startswith("_"):
            resource = _resource(self._resources, name)
            if resource is not None:
                value = resource(self)
                self.__dict__[name] = value
                return value
            from meetbit_api.operations import OPERATIONS

            if name in OPERATIONS:
                from meetbit._invoke import deprecated

                return deprecated(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *_resource_names(self._resources)})

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._base_url!r}, "
            f"access_key_id={self._auth.access_key_id!r}, access_key_secret='***')"
        )


def _resource(mixin: str, name: str) -> Callable[[Any], object] | None:
    """The function that makes `client.<name>` in the generated resources mixin, if it has one."""
    import functools

    import meetbit_api.resources

    attribute = vars(getattr(meetbit_api.resources, mixin)).get(name)
    return attribute.func if isinstance(attribute, functools.cached_property) else None


def _resource_names(mixin: str) -> list[str]:
    import functools

    import meetbit_api.resources

    found = vars(getattr(meetbit_api.resources, mixin)).items()
    return [name for name, value in found if isinstance(value, functools.cached_property)]


class Client(_Resources, _ClientBase):
    """A synchronous MeetBit client: ``client.<tag>.<operation>(...)``, or `client=` anywhere.

    ``Client()`` reads its settings from the environment where the arguments leave them
    out: MEETBIT_DOMAIN (or MEETBIT_BASE_URL), MEETBIT_ACCESS_KEY_ID and
    MEETBIT_ACCESS_KEY_SECRET. Use it as a context manager, or call `close()`, to release
    its connections.
    """

    def get_httpx_client(self) -> httpx.Client:
        if self._client is None:
            from meetbit._transport import RetryTransport

            wire = self._config.transport or httpx.HTTPTransport(**self._transport_settings())
            assert isinstance(wire, httpx.BaseTransport)  # checked by Config
            self._client = httpx.Client(
                transport=RetryTransport(wire, self._retry_policy(), self._controller),
                event_hooks={"response": [_status_hook()]},
                **self._httpx_settings(),
            )
            _connected(self)
        return self._client

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        raise MeetBitError(
            "meetbit.Client is synchronous: use meetbit.AsyncClient with asyncio functions"
        )

    def close(self) -> None:
        """Close the connections and let go of the rate controller; no sends after this."""
        if self._client is not None:
            self._client.close()
        if (controller := self._rate.release()) is not None:
            controller.close()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        super().__exit__(*args, **kwargs)
        if (controller := self._rate.release()) is not None:
            controller.close()

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


class AsyncClient(_AsyncResources, _ClientBase):
    """An asynchronous MeetBit client: ``await client.<tag>.<operation>(...)``.

    Settings are those of `Client`. Use ``async with``, or ``await aclose()``. One client
    may be used from several event loops in turn (``asyncio.run`` per job): connections
    made in a loop are left behind when a call comes from another.
    """

    _asynchronous = True
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
            from meetbit._transport import AsyncRetryTransport

            wire = self._config.transport or httpx.AsyncHTTPTransport(**self._transport_settings())
            assert isinstance(wire, httpx.AsyncBaseTransport)  # checked by Config
            self._async_client = httpx.AsyncClient(
                transport=AsyncRetryTransport(wire, self._retry_policy(), self._controller),
                event_hooks={"response": [_async_status_hook()]},
                **self._httpx_settings(),
            )
            _connected(self)
            self._loop = None if loop is None else weakref.ref(loop)
        return self._async_client

    async def aclose(self) -> None:
        """Close the connections and let go of the rate controller; no sends after this."""
        if self._async_client is not None:
            await self._async_client.aclose()
        if (controller := self._rate.release()) is not None:
            await controller.aclose()

    async def __aexit__(self, *args: object, **kwargs: Any) -> None:
        await super().__aexit__(*args, **kwargs)
        if (controller := self._rate.release()) is not None:
            await controller.aclose()

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
    # Without asyncio imported no asyncio loop can be running: not importing it here keeps
    # it out of a sync program's start-up (it costs a fifth of `import httpx`).
    if "asyncio" not in sys.modules:
        return None
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # trio, or no loop: nothing to compare
        return None
