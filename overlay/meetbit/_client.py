"""`Client` and `AsyncClient`: the generated client, with settings, auth, retry and errors wired in.

Each is a subclass of the generated `meetbit_api.client.Client`, so every generated
function accepts it as `client=`, and of the generated resources, so every operation of
the spec is a typed method: ``client.<tag>.<operation>(path..., **fields)``.
What makes a call safe lives below the operations, where every present and future
operation passes: `AccessKeyAuth` signs each request, the retry transport paces and
retries it, and a response hook turns every error response into a typed exception. The
one method that runs an operation, `_invoke`, reads the operation's metadata: it checks
the arguments against the spec's limits, calls the generated code, and parses.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import importlib
import ipaddress
import json
import logging
import os
import ssl
import sys
import typing
import warnings
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from meetbit_api.client import Client as _GeneratedClient
from meetbit_api.errors import ResponseShapeError
from meetbit_api.operations import OPERATIONS, Operation
from meetbit_api.resources import AsyncResources, Resources
from meetbit_api.types import UNSET

from meetbit._auth import AccessKeyAuth, header_safe
from meetbit._checks import Check, compile_check
from meetbit._errors import (
    ConfigurationError,
    InvalidRequestError,
    MalformedResponseError,
    MeetBitError,
    error_for_response,
    malformed,
)
from meetbit._ratecontrol import controller_for
from meetbit._retry import RetryPolicy
from meetbit._transport import (
    ACCEPT_ENCODING,
    OUTCOME_EXTENSION,
    AsyncRetryTransport,
    RateController,
    RetryTransport,
)
from meetbit._version import __version__

if TYPE_CHECKING:
    from types import ModuleType

    from meetbit._errors import Attempt

logger = logging.getLogger("meetbit")
T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
"""Every phase is bounded: the generated client's default is no timeout at all."""
USER_AGENT = f"meetbit-python/{__version__}"
# What a failed parse of a body can raise inside the generated models and json: nothing
# else runs while a body is parsed, so these mean "the body is not what the spec says".
_PARSE_FAILURES = (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)


def _setting(argument: str | None, env_var: str) -> str | None:
    return argument if argument is not None else os.environ.get(env_var)


def _checked_host(domain: str) -> str:
    """Validate a host[:port] in linear time; return it (a regex with nested groups may not)."""
    if domain != domain.strip() or any(c in domain for c in "\r\n\t"):
        raise ConfigurationError(
            f"domain contains whitespace or a newline (read from a file? strip it): {domain!r}"
        )
    host, port = domain, ""
    if domain.startswith("["):
        host, _, rest = domain[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else rest
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise _bad_domain(domain) from None
        if rest and not rest.startswith(":"):
            raise _bad_domain(domain)
    elif ":" in domain:
        host, _, port = domain.rpartition(":")
    if (port or domain.endswith(":")) and not (
        port.isascii() and port.isdigit() and 0 < int(port) < 65536
    ):
        raise _bad_domain(domain)
    if not domain.startswith("["):
        labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
        if len(host) > 253 or not all(_label(label) for label in labels):
            raise _bad_domain(domain)
    return domain


def _label(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and label.isascii()
        and label.replace("-", "").isalnum()
        and not label.startswith("-")
        and not label.endswith("-")
    )


def _bad_domain(domain: str) -> ConfigurationError:
    return ConfigurationError(
        f"domain must be a host name such as acme.meetbit.com, optionally with a port, "
        f"got {domain!r}; pass base_url= for a full URL"
    )


def _base_url(domain: str | None, base_url: str | None) -> str:
    if base_url is not None:
        try:
            url = httpx.URL(base_url)
        except (httpx.InvalidURL, TypeError) as error:
            raise ConfigurationError(f"base_url is not a valid URL: {error}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigurationError(f"base_url must be an http(s) URL, got {base_url!r}")
        if url.query or url.fragment or "?" in base_url or "#" in base_url:
            # The operation's path is appended to the base URL: a query or fragment in it
            # would end up in front of the path (/v2.0?tenant=acme/calendars/...).
            raise ConfigurationError(
                "base_url must not have a query or a fragment; put headers= or a proxy "
                f"in front instead, got {base_url!r}"
            )
        return base_url.rstrip("/")
    domain = _setting(domain, "MEETBIT_DOMAIN")
    if not domain:
        raise ConfigurationError(
            "no MeetBit domain: pass domain= (your tenant's primary domain) or set MEETBIT_DOMAIN"
        )
    https = f"https://{_checked_host(domain)}/api/public/v2.0"
    try:
        httpx.URL(https)
    except httpx.InvalidURL:
        raise _bad_domain(domain) from None
    return https


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


@dataclass(frozen=True)
class _Plan:
    """How `_invoke` runs one operation: its generated module, body model and compiled checks."""

    operation: Operation
    module: ModuleType
    body_model: Callable[..., Any] | None
    checks: tuple[tuple[str, bool, Check], ...]
    path: tuple[str, ...]
    query: tuple[tuple[str, str], ...]
    body: tuple[tuple[str, str], ...]
    enums: Mapping[str, type[enum.Enum]]
    """Arguments the generated code takes as enum members; a raw value is converted."""


def _enum_arguments(operation: Operation, *functions: Any) -> dict[str, type[enum.Enum]]:
    """Which arguments the generated function or body model annotate with an enum class."""
    hints: dict[str, Any] = {}
    models = vars(importlib.import_module("meetbit_api.models"))  # names models import lazily
    for function in functions:
        if function is not None:
            with contextlib.suppress(Exception):  # an unresolvable hint: no conversion
                hints.update(typing.get_type_hints(function, localns=models))
    found = {}
    for field in operation.fields:
        hint = hints.get(field.python_name)
        for candidate in typing.get_args(hint) or (hint,):
            if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
                found[field.argument] = candidate
    return found


@functools.cache
def _plan(name: str) -> _Plan:
    # Built on first use, not with `import meetbit`: the models are most of the import
    # time of the generated package.
    operation = OPERATIONS[name]
    module = importlib.import_module(operation.module)
    body_model = None
    if operation.body_model is not None:
        body_model = getattr(importlib.import_module("meetbit_api.models"), operation.body_model)
    fields = operation.fields
    return _Plan(
        operation,
        module,
        body_model,
        tuple((f.argument, f.required, compile_check(f.schema, python=True)) for f in fields),
        tuple(f.argument for f in fields if f.location == "path"),
        tuple((f.argument, f.python_name) for f in fields if f.location == "query"),
        tuple((f.argument, f.python_name) for f in fields if f.location == "body"),
        _enum_arguments(operation, module._get_kwargs, body_model),
    )


def _request(plan: _Plan, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Check the arguments against the spec and build the generated request; nothing is sent."""
    for argument, required, check in plan.checks:
        value = arguments.get(argument, UNSET)
        if value is UNSET:
            if required:
                raise InvalidRequestError(f"{argument} is required")
            continue
        check(value, argument)
        kind = plan.enums.get(argument)
        if kind is not None and not isinstance(value, kind) and value is not None:
            arguments = {**arguments, argument: kind(value)}  # checked: a listed value
    keywords = {name: arguments[argument] for argument, name in plan.query if argument in arguments}
    if plan.body_model is not None:
        keywords["body"] = plan.body_model(
            **{name: arguments[argument] for argument, name in plan.body if argument in arguments}
        )
    try:
        request: dict[str, Any] = plan.module._get_kwargs(
            *(arguments[argument] for argument in plan.path), **keywords
        )
    except (TypeError, ValueError) as error:  # a value the checks let through but JSON cannot take
        raise InvalidRequestError(f"{plan.operation.name}: {error}") from None
    return request


def _parsed(plan: _Plan, client: _ClientBase, response: httpx.Response) -> Any:
    where = f"{plan.operation.method} {response.request.url.path}"
    try:
        parsed = plan.module._parse_response(client=client, response=response)
    except _PARSE_FAILURES as error:
        raise _malformed(where, error, response) from error
    if parsed is None or isinstance(parsed, str):
        raise MalformedResponseError(
            f"{where}: status {response.status_code} is not one the API documents", response
        )
    return parsed if plan.operation.unwrap is None else getattr(parsed, plan.operation.unwrap)


def _malformed(where: str, error: BaseException, response: httpx.Response) -> MeetBitError:
    if isinstance(error, json.JSONDecodeError):
        problem = f"the body is not JSON ({error.msg} at line {error.lineno} column {error.colno})"
    elif isinstance(error, RecursionError):
        problem = "the body is nested too deeply to parse"
    elif isinstance(error, ResponseShapeError):
        problem = str(error)  # the field's path and what is wrong; never the value
    else:
        problem = f"{type(error).__name__}: {error}"
    return malformed(where, problem, response)


def _deprecated(client: _ClientBase, name: str) -> Callable[..., Any]:
    """The 0.1 method `client.<operation>(path..., other...)`, resolved from the metadata."""
    operation = OPERATIONS[name]
    path = [f.argument for f in operation.fields if f.location == "path"]
    others = [f.argument for f in operation.fields if f.location != "path" and f.required]
    positional = path + others
    new = f"client.{operation.tag}.{name}"

    def call(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"client.{name}() is deprecated and will be removed in 1.0: use {new}() "
            f"(path parameters positional, the rest as keywords)",
            DeprecationWarning,
            stacklevel=2,
        )
        if len(args) > len(positional):
            raise TypeError(f"{name}() takes {len(positional)} positional arguments")
        return client._invoke(name, **dict(zip(positional, args, strict=False)), **kwargs)

    call.__name__ = name
    call.__doc__ = f"Deprecated: use {new}()."
    return call


@dataclass(frozen=True)
class _Settings:
    """Everything a client was built from, so `with_*` copies can be built the same way."""

    base_url: str
    access_key_id: str
    access_key_secret: str
    timeout: httpx.Timeout
    policy: RetryPolicy
    verify: bool | str | ssl.SSLContext
    proxy: str | None
    headers: Mapping[str, str]
    cookies: Mapping[str, str]
    max_connections: int
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None
    rate_limit_store: str | None


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
        settings = _Settings(
            base_url=_base_url(domain, base_url),
            access_key_id=_setting(access_key_id, "MEETBIT_ACCESS_KEY_ID") or "",
            access_key_secret=_setting(access_key_secret, "MEETBIT_ACCESS_KEY_SECRET") or "",
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

    def _build(self, settings: _Settings, controller: RateController | None) -> None:
        auth = AccessKeyAuth(settings.access_key_id, settings.access_key_secret)
        if settings.verify is False:
            logger.warning("TLS certificate verification is OFF for %s", settings.base_url)
        extra = {
            header_safe("header name", k): header_safe(f"header {k}", v)
            for k, v in settings.headers.items()
        }
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
        self._proxy = _proxy_for(settings.base_url, settings.proxy)
        # One rate controller per access key and host, shared by every with_* copy.
        self._controller = controller or controller_for(
            settings.rate_limit_store, f"{settings.base_url}|{settings.access_key_id}"
        )
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

    def __getattr__(self, name: str) -> Any:
        if name in OPERATIONS:
            return _deprecated(self, name)
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
        """Close the connections; the client cannot send after this."""
        if self._client is not None:
            self._client.close()

    def _invoke(self, operation: str, /, **arguments: Any) -> Any:
        plan = _plan(operation)
        request = _request(plan, arguments)
        return _parsed(plan, self, self.get_httpx_client().request(**request))

    def call(self, operation: Callable[..., Any], /, **arguments: Any) -> Any:
        """Call a generated function's operation with these arguments; return its parsed body."""
        module = sys.modules[operation.__module__]
        try:
            request = module._get_kwargs(**arguments)
        except TypeError as error:
            raise InvalidRequestError(f"{module.__name__}: {error}") from None
        response = self.get_httpx_client().request(**request)
        return _parsed_any(module, self, response)


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
        """Close the connections; the client cannot send after this."""
        if self._async_client is not None:
            await self._async_client.aclose()

    async def _invoke(self, operation: str, /, **arguments: Any) -> Any:
        plan = _plan(operation)
        request = _request(plan, arguments)
        response = await self.get_async_httpx_client().request(**request)
        return _parsed(plan, self, response)

    async def call(self, operation: Callable[..., Awaitable[Any]], /, **arguments: Any) -> Any:
        """Await a generated function's operation with these arguments; return its parsed body."""
        module = sys.modules[operation.__module__]
        try:
            request = module._get_kwargs(**arguments)
        except TypeError as error:
            raise InvalidRequestError(f"{module.__name__}: {error}") from None
        response = await self.get_async_httpx_client().request(**request)
        return _parsed_any(module, self, response)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # trio, or no loop: nothing to compare
        return None


def _parsed_any(module: ModuleType, client: _ClientBase, response: httpx.Response) -> Any:
    """What `call()` returns: the generated function's parsed body (the whole envelope)."""
    where = f"{response.request.method} {response.request.url.path}"
    try:
        parsed = module._parse_response(client=client, response=response)
    except _PARSE_FAILURES as error:
        raise _malformed(where, error, response) from error
    if parsed is None or isinstance(parsed, str):
        raise MalformedResponseError(
            f"{where}: status {response.status_code} is not one the API documents", response
        )
    return parsed
