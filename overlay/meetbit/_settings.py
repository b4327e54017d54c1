"""Settings: what a client is built from, resolved from arguments and the environment.

Everything is checked here, at construction, so that a bad setting fails with a
`ConfigurationError` naming it rather than at the first call: a domain is a host name
(checked label by label, in linear time), a base URL has no query or fragment, the access
key has no control characters, every timeout is finite.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from meetbit._errors import ConfigurationError
from meetbit._retry import RetryPolicy
from meetbit._version import __version__

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
"""Every phase is bounded: the generated client's default is no timeout at all."""
USER_AGENT = f"meetbit-python/{__version__}"


def setting(argument: str | None, env_var: str) -> str | None:
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


def base_url_for(domain: str | None, base_url: str | None) -> str:
    """The API's base URL: base_url=, domain=, then MEETBIT_BASE_URL, then MEETBIT_DOMAIN."""
    name = "base_url"
    if base_url is None and domain is None and os.environ.get("MEETBIT_BASE_URL"):
        # An argument wins over every variable; of the two variables the whole URL wins.
        name, base_url = "MEETBIT_BASE_URL", os.environ["MEETBIT_BASE_URL"]
    if base_url is not None:
        try:
            url = httpx.URL(base_url)
        except (httpx.InvalidURL, TypeError) as error:
            raise ConfigurationError(f"{name} is not a valid URL: {error}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigurationError(f"{name} must be an http(s) URL, got {base_url!r}")
        if url.query or url.fragment or "?" in base_url or "#" in base_url:
            # The operation's path is appended to the base URL: a query or fragment in it
            # would end up in front of the path (/v2.0?tenant=acme/calendars/...).
            raise ConfigurationError(
                f"{name} must not have a query or a fragment; put headers= or a proxy "
                f"in front instead, got {base_url!r}"
            )
        return base_url.rstrip("/")
    domain = setting(domain, "MEETBIT_DOMAIN")
    if not domain:
        raise ConfigurationError(
            "no MeetBit domain: pass domain= (your tenant's primary domain) or set "
            "MEETBIT_DOMAIN (or MEETBIT_BASE_URL)"
        )
    https = f"https://{_checked_host(domain)}/api/public/v2.0"
    try:
        httpx.URL(https)
    except httpx.InvalidURL:
        raise _bad_domain(domain) from None
    return https


def proxy_for(base_url: str, proxy: str | None) -> httpx.Proxy | None:
    """Return the proxy for our one host: the argument, else *_PROXY/NO_PROXY from the env."""
    import urllib.request  # costly to import, and needed once per client

    if proxy is not None:
        return httpx.Proxy(proxy)
    url = httpx.URL(base_url)
    from_env = urllib.request.getproxies_environment().get(url.scheme)
    if from_env is None or urllib.request.proxy_bypass(url.host):
        return None
    return httpx.Proxy(from_env)


@dataclass(frozen=True)
class Settings:
    """Everything a client was built from, so `with_*` copies can be built the same way."""

    base_url: str
    access_key_id: str
    access_key_secret: str = field(repr=False)  # the one thing no repr may show
    timeout: httpx.Timeout
    policy: RetryPolicy
    verify: bool | str | ssl.SSLContext
    proxy: str | None
    headers: Mapping[str, str]
    cookies: Mapping[str, str]
    max_connections: int
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None
    rate_limit_store: str | None
