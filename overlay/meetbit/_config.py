"""Every setting of a client, in one place: declared, defaulted, read from the environment, checked.

`Config.resolve()` is the one way settings become a client's: `Client`, `AsyncClient`, their
`with_options()` copies and the `meetbit` command all go through it. Adding a setting
touches this module (its `Options` key, its `Config` field, its line in `resolve`, its
check) and the constructor's signature, which tests/test_config.py holds to this module.

A bad setting fails here, at construction, with a `ConfigurationError` that names it and
says how to give it, never at the first call. No message repeats a value that may be
secret: the access key, a header, a cookie, a proxy URL (it may carry a password).
"""

# No `from __future__ import annotations` here: typing turns each string annotation of a
# NamedTuple or TypedDict into a ForwardRef, compiling it, about 150,000 instructions a
# field on every start-up; evaluated annotations cost next to nothing.

import ipaddress
import math
import os
import ssl
from collections.abc import Callable, Mapping
from typing import NamedTuple, Self, TypedDict, Unpack

import httpx

from meetbit._auth import KEY_HEADERS
from meetbit._environment import ENVIRONMENT, RATE_CONTROL
from meetbit._errors import Attempt, ConfigurationError
from meetbit._version import __version__

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
"""Every phase is bounded: the generated client's default is no timeout at all."""
USER_AGENT = f"meetbit-python/{__version__}"

Transport = httpx.BaseTransport | httpx.AsyncBaseTransport


class Options(TypedDict, total=False):
    """A client's settings as `Client(...)` and `with_options(...)` take them."""

    domain: str | None
    base_url: str | None
    access_key_id: str | None
    access_key_secret: str | None
    timeout: float | httpx.Timeout
    max_retries: int
    total_timeout: float | None
    max_retry_wait: float
    on_retry: Callable[[Attempt], object] | None
    verify: bool | str | ssl.SSLContext
    proxy: str | None
    headers: Mapping[str, str] | None
    cookies: Mapping[str, str] | None
    max_connections: int
    transport: Transport | None
    rate_limit_store: str | None


class MissingSettingError(ConfigurationError):
    """A setting neither the arguments nor the environment give; `setting` names it."""

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


def python_spelling(setting: str) -> str:
    """How Python code gives a setting (`domain=`); the CLI names its flags instead."""
    return f"{setting}="


class Config(NamedTuple):
    """A client's settings, resolved and checked: what it and its copies are built from.

    Made by `resolve` (and `replace`) only, which check every field. A NamedTuple, not a
    dataclass: creating a dataclass costs a millisecond at every start-up.
    """

    base_url: str
    access_key_id: str
    access_key_secret: str
    timeout: httpx.Timeout
    max_retries: int
    total_timeout: float | None
    max_retry_wait: float
    on_retry: Callable[[Attempt], object] | None
    verify: bool | str | ssl.SSLContext
    proxy: str | None
    environment_proxy: str | None
    """What HTTPS_PROXY (HTTP_PROXY for http://) names for base_url, unless NO_PROXY covers it."""
    headers: Mapping[str, str]
    cookies: Mapping[str, str]
    max_connections: int
    transport: Transport | None
    rate_limit_store: str | None
    rate_control: bool
    """False when MEETBIT_RATE_CONTROL turns the shared pacing off (`_environment.RATE_CONTROL`)."""
    asynchronous: bool
    """For an `AsyncClient`, whose transport must be an async one."""

    @classmethod
    def resolve(
        cls,
        *,
        asynchronous: bool = False,
        environ: Mapping[str, str] = os.environ,
        spelling: Callable[[str], str] = python_spelling,
        **arguments: Unpack[Options],
    ) -> Self:
        """The settings from `arguments`, then the environment, then the defaults; checked.

        Where the API is: `base_url=`, else MEETBIT_BASE_URL (like AWS_ENDPOINT_URL, it
        sends every client not given base_url= to a test server or a proxy), else
        ``https://{domain}/api/public/v2.0`` from `domain=`, else MEETBIT_DOMAIN.
        `spelling` names a missing setting the way the caller gives it.
        """
        base_url, source = arguments.get("base_url"), "base_url"
        if base_url is None:
            base_url, source = _given(None, "base_url", environ), ENVIRONMENT["base_url"]
        if base_url is None:
            domain, source = arguments.get("domain"), "domain"
            if domain is None:
                domain, source = _given(None, "domain", environ), ENVIRONMENT["domain"]
            if domain is None:
                raise MissingSettingError(
                    f"no MeetBit domain: pass {spelling('domain')} (your tenant's primary "
                    f"domain, e.g. acme.meetbit.com) or set {ENVIRONMENT['domain']}",
                    "domain",
                )
            base_url = base_url_for_domain(domain, spelling, source)
        else:
            base_url = checked_base_url(base_url, source)
        proxy = arguments.get("proxy")
        config = cls(
            base_url=base_url,
            access_key_id=_access_key(
                "access_key_id", arguments.get("access_key_id"), environ, spelling
            ),
            access_key_secret=_access_key(
                "access_key_secret", arguments.get("access_key_secret"), environ, spelling
            ),
            timeout=checked_timeout(arguments.get("timeout", DEFAULT_TIMEOUT)),
            max_retries=arguments.get("max_retries", 2),
            total_timeout=arguments.get("total_timeout", 120.0),
            max_retry_wait=arguments.get("max_retry_wait", 60.0),
            on_retry=arguments.get("on_retry"),
            verify=arguments.get("verify", True),
            proxy=None if proxy is None else checked_proxy(proxy),
            environment_proxy=_environment_proxy(base_url),
            headers=checked_headers(arguments.get("headers") or {}),
            cookies=checked_cookies(arguments.get("cookies") or {}),
            max_connections=arguments.get("max_connections", 10),
            transport=arguments.get("transport"),
            rate_limit_store=arguments.get("rate_limit_store"),
            rate_control=rate_control(environ),
            asynchronous=asynchronous,
        )
        return config._checked()

    def replace(self, **changes: Unpack[Options]) -> Self:
        """The settings of a client built with these settings as arguments, and `changes`.

        So a new `domain` gives its URL (unless MEETBIT_BASE_URL sends every client
        elsewhere), and None for the URL or a part of the key keeps this config's.
        """
        options: Options = {**self._as_options(), **changes}
        if changes.get("base_url") is None:
            options["base_url"] = None if changes.get("domain") else self.base_url
        if changes.get("access_key_id") is None:
            options["access_key_id"] = self.access_key_id
        if changes.get("access_key_secret") is None:
            options["access_key_secret"] = self.access_key_secret
        return self.resolve(asynchronous=self.asynchronous, **options)

    def _as_options(self) -> Options:
        return {
            "base_url": self.base_url,
            "access_key_id": self.access_key_id,
            "access_key_secret": self.access_key_secret,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "total_timeout": self.total_timeout,
            "max_retry_wait": self.max_retry_wait,
            "on_retry": self.on_retry,
            "verify": self.verify,
            "proxy": self.proxy,
            "headers": self.headers,
            "cookies": self.cookies,
            "max_connections": self.max_connections,
            "transport": self.transport,
            "rate_limit_store": self.rate_limit_store,
        }

    def _checked(self) -> Self:
        # What resolve() took as given.
        _count("max_retries", self.max_retries, minimum=0)
        _count("max_connections", self.max_connections, minimum=1)
        if self.total_timeout is not None:
            checked_total_timeout(self.total_timeout)
        _seconds("max_retry_wait", self.max_retry_wait, above_zero=False)
        if self.on_retry is not None and not callable(self.on_retry):
            raise ConfigurationError("on_retry must be a function of a meetbit.Attempt, or None")
        if not isinstance(self.verify, bool | str | ssl.SSLContext):
            raise ConfigurationError(
                "verify must be True, False, a CA bundle's path or an ssl.SSLContext"
            )
        if isinstance(self.verify, str) and not os.path.exists(self.verify):
            raise ConfigurationError(f"verify names a CA bundle that does not exist: {self.verify}")
        if self.rate_limit_store is not None and not isinstance(self.rate_limit_store, str):
            raise ConfigurationError("rate_limit_store must be None or a redis:// URL")
        if self.transport is not None:
            self._check_transport(self.transport)
        return self

    def _check_transport(self, transport: object) -> None:
        if self.proxy is not None or self.verify is not True:
            # They configure the transport the client would build; yours has its own.
            raise ConfigurationError(
                "proxy= and verify= do not apply with transport=: configure them on your transport"
            )
        wanted = httpx.AsyncBaseTransport if self.asynchronous else httpx.BaseTransport
        if not isinstance(transport, wanted):
            client = "AsyncClient" if self.asynchronous else "Client"
            raise ConfigurationError(
                f"meetbit.{client} needs an httpx.{wanted.__name__} as transport=, "
                f"got {type(transport).__name__}"
            )

    @property
    def rate_key(self) -> str:
        """Whose rate a client paces: the access key, at this API."""
        return f"{self.base_url}|{self.access_key_id}"

    def __repr__(self) -> str:
        # Never the secret, nor what may hold a password or a token (proxies, headers, cookies).
        return (
            f"Config(base_url={self.base_url!r}, access_key_id={self.access_key_id!r}, "
            f"access_key_secret='***', timeout={self.timeout!r}, max_retries={self.max_retries}, "
            f"total_timeout={self.total_timeout}, max_retry_wait={self.max_retry_wait}, "
            f"max_connections={self.max_connections}, rate_limit_store="
            f"{'None' if self.rate_limit_store is None else repr('***')})"
        )


_SWITCH = {"": True, "on": True, "1": True, "true": True, "yes": True,
           "off": False, "0": False, "false": False, "no": False}  # fmt: skip


def rate_control(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether clients pace their sends (MEETBIT_RATE_CONTROL; on unless it says off)."""
    value = environ.get(RATE_CONTROL, "").strip().lower()
    if value not in _SWITCH:
        raise ConfigurationError(
            f"{RATE_CONTROL} must be on or off (or 1/0, true/false, yes/no), got {value!r}"
        )
    return _SWITCH[value]


def refuse_generated_arguments(
    follow_redirects: bool, httpx_args: Mapping[str, object] | None, raise_on_unexpected: bool
) -> None:
    """Refuse the generated client's own arguments where they would weaken the client."""
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
    if raise_on_unexpected is not True:
        raise ConfigurationError(
            "raise_on_unexpected_status=False is not supported: every status the API does "
            "not document raises a meetbit.MeetBitError"
        )


# --- where the API is ---------------------------------------------------------------------------


def _given(argument: str | None, setting: str, environ: Mapping[str, str]) -> str | None:
    """The argument, else the setting's variable; an empty variable counts as unset."""
    if argument is not None:
        return argument
    return environ.get(ENVIRONMENT[setting]) or None


def base_url_for_domain(
    domain: str, spelling: Callable[[str], str] = python_spelling, source: str = "domain"
) -> str:
    """``https://{domain}/api/public/v2.0`` for a host name (or IP literal), with a port or not.

    `source` names where the domain came from (the argument, or MEETBIT_DOMAIN) in errors.
    """
    url = f"https://{_checked_host(domain, spelling, source)}/api/public/v2.0"
    try:
        httpx.URL(url)
    except httpx.InvalidURL:
        raise _bad_domain(domain, spelling, source) from None
    return url


def _checked_host(domain: str, spelling: Callable[[str], str], source: str) -> str:
    """Validate a host[:port] in linear time; return it (a regex with nested groups may not)."""
    if not isinstance(domain, str):
        raise ConfigurationError(f"{source} must be a str, not {type(domain).__name__}")
    if domain != domain.strip() or any(c in domain for c in "\r\n\t"):
        raise ConfigurationError(
            f"{source} contains whitespace or a newline (read from a file? strip it): {domain!r}"
        )
    host, port = domain, ""
    if domain.startswith("["):
        host, bracket, rest = domain[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else rest
        if not bracket:  # newer httpx refuses "[::1" itself, older ones take it
            raise _bad_domain(domain, spelling, source)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise _bad_domain(domain, spelling, source) from None
        if rest and not rest.startswith(":"):
            raise _bad_domain(domain, spelling, source)
    elif ":" in domain:
        host, _, port = domain.rpartition(":")
    if (port or domain.endswith(":")) and not (
        port.isascii() and port.isdigit() and 0 < int(port) < 65536
    ):
        raise _bad_domain(domain, spelling, source)
    if not domain.startswith("["):
        labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
        if len(host) > 253 or not all(_label(label) for label in labels):
            raise _bad_domain(domain, spelling, source)
    return domain


def _label(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and label.isascii()
        and label.replace("-", "").isalnum()
        and not label.startswith("-")
        and not label.endswith("-")
    )


def _bad_domain(domain: str, spelling: Callable[[str], str], source: str) -> ConfigurationError:
    return ConfigurationError(
        f"{source} must be a host name such as acme.meetbit.com, optionally with a port, "
        f"got {domain!r}; pass {spelling('base_url')} for a full URL"
    )


def checked_base_url(base_url: str, source: str = "base_url") -> str:
    """An http(s) URL with a host and no query, fragment or credentials; no trailing slash.

    `source` names where the URL came from (the argument, or MEETBIT_BASE_URL) in errors.
    """
    if not isinstance(base_url, str):
        raise ConfigurationError(f"{source} must be a str, not {type(base_url).__name__}")
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as error:
        raise ConfigurationError(f"{source} is not a valid URL: {error}") from None
    if url.userinfo:
        # Never echoed: it holds a password. The access key goes in its own headers.
        raise ConfigurationError(
            f"{source} must not carry credentials (user:password@): the access key is sent "
            "in its own headers; a proxy's credentials go in proxy="
        )
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"{source} must be an http(s) URL, got {base_url!r}")
    if url.query or url.fragment or "?" in base_url or "#" in base_url:
        # The operation's path is appended to the base URL: a query or fragment in it
        # would end up in front of the path (/v2.0?tenant=acme/calendars/...).
        raise ConfigurationError(
            f"{source} must not have a query or a fragment; put headers= or a proxy "
            f"in front instead, got {base_url!r}"
        )
    return base_url.rstrip("/")


# --- the access key and what goes in headers ----------------------------------------------------


def header_safe(what: str, value: str) -> str:
    """Return `value` if it can be sent as a header value as-is, else raise ConfigurationError.

    Header values go on the wire as-is: a CR or LF would let a value start a new header,
    and other control characters are not legal in a header value at all. Printable ASCII
    is exactly what is left (a str test, not a regex: compiling one costs at start-up).
    """
    if not isinstance(value, str):
        raise ConfigurationError(f"{what} must be a str, not {type(value).__name__}")
    if not (value.isascii() and value.isprintable()):
        # The message never repeats the value: it may be the secret.
        if any(char < " " or char == "\x7f" for char in value):
            raise ConfigurationError(f"{what} contains a control character (CR, LF, tab...)")
        raise ConfigurationError(f"{what} contains non-ASCII characters")
    return value


def _access_key(
    setting: str, argument: str | None, environ: Mapping[str, str], spelling: Callable[[str], str]
) -> str:
    value = _given(argument, setting, environ)
    words = setting.replace("_", " ")
    if value is None:
        raise MissingSettingError(
            f"no {words}: pass {spelling(setting)} or set {ENVIRONMENT[setting]}", setting
        )
    if isinstance(value, str) and not value.strip():
        raise ConfigurationError(
            f"{setting} is empty: pass {spelling(setting)} or set {ENVIRONMENT[setting]}"
        )
    return header_safe(setting, value)


def checked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers every request carries: safe names and values, none of the access key's."""
    if not isinstance(headers, Mapping):
        raise ConfigurationError(f"headers must be a mapping, not {type(headers).__name__}")
    checked = {
        header_safe("header name", name): header_safe(f"header {name}", value)
        for name, value in headers.items()
    }
    if KEY_HEADERS.intersection(name.lower() for name in checked):
        raise ConfigurationError(
            "headers= may not set the access key headers: pass access_key_id= and "
            "access_key_secret= (or set MEETBIT_ACCESS_KEY_ID, MEETBIT_ACCESS_KEY_SECRET)"
        )
    return checked


def checked_cookies(cookies: Mapping[str, str]) -> dict[str, str]:
    """Cookies every request carries: a `;` or `=` where it does not belong would add another."""
    if not isinstance(cookies, Mapping):
        raise ConfigurationError(f"cookies must be a mapping, not {type(cookies).__name__}")
    for name, value in cookies.items():
        header_safe("cookie name", name)
        header_safe(f"cookie {name}", value)
        if not name or any(c in name for c in ";=, "):
            raise ConfigurationError(f"cookie name {name!r} is empty or holds ; = , or a space")
        if ";" in value:
            raise ConfigurationError(f"cookie {name} holds a ';'")
    return dict(cookies)


# --- time, counts, the network ------------------------------------------------------------------


def checked_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    """Every phase (connect, read, write, pool) a finite number of seconds above zero."""
    if timeout is None or isinstance(timeout, bool):
        raise ConfigurationError("timeout must be finite: pass seconds or an httpx.Timeout")
    if not isinstance(timeout, httpx.Timeout | int | float):
        raise ConfigurationError(
            f"timeout must be seconds or an httpx.Timeout, not {type(timeout).__name__}"
        )
    checked = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    for phase in ("connect", "read", "write", "pool"):
        seconds = getattr(checked, phase)
        if seconds is None or not (isinstance(seconds, int | float) and 0 < seconds < math.inf):
            raise ConfigurationError(
                f"timeout's {phase} phase must be a finite number of seconds above 0 (a phase "
                f"without one can hang the call), got {seconds!r}"
            )
    return checked


def _count(setting: str, value: int, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(f"{setting} must be an int >= {minimum}, got {value!r}")


def _seconds(setting: str, value: float, *, above_zero: bool, alternative: str = "") -> None:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not (number and math.isfinite(value) and (value > 0 if above_zero else value >= 0)):
        bound = "above 0" if above_zero else ">= 0"
        raise ConfigurationError(
            f"{setting} must be a finite number of seconds {bound}{alternative}, got {value!r}"
        )


def checked_total_timeout(seconds: float) -> float:
    """Seconds one call may take in all: finite and above 0 (for no budget, None is not checked)."""
    _seconds("total_timeout", seconds, above_zero=True, alternative=", or None")
    return seconds


def checked_proxy(proxy: str) -> str:
    """A proxy URL httpx can use (the message never repeats it: it may hold a password)."""
    try:
        httpx.Proxy(proxy)
    except (httpx.InvalidURL, TypeError, ValueError):
        # Not httpx's reason: it may quote part of the URL, and so of the password.
        raise ConfigurationError(
            "proxy is not a proxy URL httpx can use: http://, https://, socks5:// or "
            "socks5h://, a host, and a port or none"
        ) from None
    return proxy


def _environment_proxy(base_url: str) -> str | None:
    """What HTTPS_PROXY (HTTP_PROXY for http://) names for base_url, unless NO_PROXY covers it."""
    import urllib.request  # already loaded with httpx

    url = httpx.URL(base_url)
    found = urllib.request.getproxies_environment().get(url.scheme)
    if found is None or urllib.request.proxy_bypass(url.host):
        return None
    return checked_proxy(found)
