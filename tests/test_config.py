"""One home for settings (meetbit._config): what Client, AsyncClient, copies and the CLI are built from.

Each setting is resolved (argument, then environment, then default) and checked in one
place, so a copy made with `with_options` is checked exactly as a new client is, and the
command line reads the environment the way `meetbit.Client()` does (tests/test_cli.py).
"""

from __future__ import annotations

import inspect
import math
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import httpx
import meetbit
import pytest
from clients import KEY, KEY_ID, OK, SECRET, cancel
from conftest import ROOT
from meetbit._config import Config, Options
from wire import Reply, WireServer

# The generated client's own arguments: accepted by the constructor only to be refused.
GENERATED_ONLY = {"follow_redirects", "httpx_args", "raise_on_unexpected_status"}
LONGEST_HOST = ("a" * 63 + ".") * 3 + "a" * 61
"""253 characters, the most a host name may have (RFC 1035); one more is refused."""


class TestOneDeclaration:
    """The constructor, `with_options` and `Config.resolve` know the same settings."""

    @pytest.mark.parametrize("cls", [meetbit.Client, meetbit.AsyncClient])
    def test_every_constructor_argument_is_an_option_and_back(self, cls: type[Any]) -> None:
        parameters = set(inspect.signature(cls).parameters) - GENERATED_ONLY
        assert parameters == set(Options.__annotations__)

    def test_the_constructor_s_defaults_are_the_configuration_s(self) -> None:
        given: dict[str, Any] = {
            name: parameter.default
            for name, parameter in inspect.signature(meetbit.Client).parameters.items()
            if name not in GENERATED_ONLY and parameter.default is not inspect.Parameter.empty
        }
        given.update(domain="acme.meetbit.com", **KEY)
        assert Config.resolve(**given) == Config.resolve(domain="acme.meetbit.com", **KEY)

    def test_copies_have_the_client_s_type_for_mypy_strict(self, tmp_path: Path) -> None:
        pytest.importorskip("mypy", reason="mypy is in the dev virtualenv, not the oldest-deps one")
        checked = tmp_path / "copies.py"
        checked.write_text(
            "import httpx, meetbit\n"
            "from typing import assert_type\n"
            "sync = meetbit.Client('acme.meetbit.com', access_key_id='a', access_key_secret='b')\n"
            "assert_type(sync.with_headers({'X-Trace': '1'}), meetbit.Client)\n"
            "assert_type(sync.with_cookies({'a': '1'}), meetbit.Client)\n"
            "assert_type(sync.with_timeout(httpx.Timeout(2.0)), meetbit.Client)\n"
            "assert_type(sync.with_options(max_retries=0, timeout=5), meetbit.Client)\n"
            "aio = meetbit.AsyncClient('acme.meetbit.com', access_key_id='a', access_key_secret='b')\n"
            "assert_type(aio.with_headers({}), meetbit.AsyncClient)\n"
            "assert_type(aio.with_options(total_timeout=None), meetbit.AsyncClient)\n"
            "sync.with_options(max_retries='3')  # E: a wrong type is caught\n"
            "sync.with_options(max_retrys=3)  # E: so is a misspelt setting\n",
            encoding="utf-8",
        )
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(checked)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        errors = [line for line in result.stdout.splitlines() if ": error:" in line]
        assert [line.split(":")[1] for line in errors] == ["11", "12"], result.stdout


class TestWithOptions:
    def test_a_copy_has_the_changes_and_the_original_is_untouched(self) -> None:
        client = meetbit.Client("acme.meetbit.com", **KEY)
        copy = client.with_options(max_retries=0, timeout=5, headers={"X-Trace": "1"})
        assert (copy._config.max_retries, copy._config.timeout.read) == (0, 5)
        assert copy._config.headers == {"X-Trace": "1"}
        assert (client._config.max_retries, client._config.timeout.read) == (2, 30)
        assert client._config.headers == {}

    @pytest.mark.parametrize(
        "changes",
        [
            {"max_connections": 0},
            {"max_retries": -1},
            {"timeout": float("nan")},
            {"headers": {"X-Access-Key-Secret": "x"}},
            {"headers": {"X-Ok": "a\r\nX-Injected: 1"}},
            {"domain": "acme meetbit.com"},
            {"base_url": "ftp://example.com"},
            {"access_key_secret": "  "},
        ],
    )
    def test_changes_are_checked_as_at_construction(self, changes: dict[str, Any]) -> None:
        client = meetbit.Client("acme.meetbit.com", **KEY)
        with pytest.raises(meetbit.ConfigurationError):
            client.with_options(**changes)
        with pytest.raises(meetbit.ConfigurationError):
            meetbit.Client(**{"domain": "acme.meetbit.com", **KEY, **changes})

    def test_a_copy_on_the_same_key_shares_the_rate_another_key_does_not(self) -> None:
        client = meetbit.Client("acme.meetbit.com", **KEY)
        assert client.with_options(max_retries=0)._controller is client._controller
        assert client.with_headers({"X-Trace": "1"})._controller is client._controller
        assert client.with_options(access_key_id="AK-other")._controller is not client._controller
        assert client.with_options(domain="other.meetbit.com")._controller is not (
            client._controller
        )

    def test_a_copy_with_another_key_sends_it(self, server: WireServer) -> None:
        server.queue(OK, OK)
        with meetbit.Client(base_url=server.base_url, **KEY) as client:
            copy = client.with_options(access_key_id="AK-2", access_key_secret="second-secret")
            with copy:
                cancel(copy)
            cancel(client)
        first, second = server.received
        assert first.headers["x-access-key-id"] == "AK-2"
        assert first.headers["x-access-key-secret"] == "second-secret"
        assert second.headers["x-access-key-id"] == KEY_ID

    def test_a_new_domain_gives_the_copy_that_domain_s_url(self) -> None:
        client = meetbit.Client("acme.meetbit.com", **KEY)
        copy = client.with_options(domain="other.meetbit.com:8443")
        assert copy._base_url == "https://other.meetbit.com:8443/api/public/v2.0"
        assert repr(copy).startswith("Client(base_url='https://other.meetbit.com:8443/")


class TestBaseUrlFromTheEnvironment:
    """MEETBIT_BASE_URL sends every client not given base_url= elsewhere, as AWS_ENDPOINT_URL."""

    def test_it_sends_a_client_built_from_the_environment_to_the_server(
        self, server: WireServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("MEETBIT_BASE_URL", server.base_url + "/api/public/v2.0")
        monkeypatch.setenv("MEETBIT_ACCESS_KEY_ID", KEY_ID)
        monkeypatch.setenv("MEETBIT_ACCESS_KEY_SECRET", SECRET)
        server.queue(OK, OK)
        with meetbit.Client() as client:
            cancel(client)
        with meetbit.Client("acme.meetbit.com") as client:  # a domain, too, is sent there
            cancel(client)
        assert [r.path for r in server.received] == [
            "/api/public/v2.0/calendars/12/events/345/cancel"
        ] * 2

    def test_it_wins_over_the_domain_and_base_url_wins_over_it(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("MEETBIT_BASE_URL", "http://127.0.0.1:9/from-env")
        monkeypatch.setenv("MEETBIT_DOMAIN", "env.meetbit.com")
        assert meetbit.Client(**KEY)._base_url == "http://127.0.0.1:9/from-env"
        assert meetbit.Client("arg.meetbit.com", **KEY)._base_url == "http://127.0.0.1:9/from-env"
        given = meetbit.Client(base_url="http://127.0.0.1:9/arg", **KEY)
        assert given._base_url == "http://127.0.0.1:9/arg"

    def test_empty_counts_as_unset(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MEETBIT_BASE_URL", "")
        client = meetbit.Client("acme.meetbit.com", **KEY)
        assert client._base_url == "https://acme.meetbit.com/api/public/v2.0"

    def test_a_bad_value_is_named_by_its_variable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MEETBIT_BASE_URL", "ftp://example.com")
        with pytest.raises(meetbit.ConfigurationError, match=r"^MEETBIT_BASE_URL must be an http"):
            meetbit.Client(**KEY)

    def test_nothing_set_names_every_way_to_say_where(self) -> None:
        with pytest.raises(meetbit.ConfigurationError, match=r"pass domain=.*MEETBIT_DOMAIN"):
            meetbit.Client(**KEY)


class TestChecks:
    """Settings that would hang a call, be ignored, or inject something are refused up front."""

    @pytest.mark.parametrize(
        "timeout",
        [
            httpx.Timeout(None),
            httpx.Timeout(5.0, pool=None),
            httpx.Timeout(5.0, read=math.inf),
            -1,
            0,
            math.nan,
            math.inf,
            True,
            "30",
        ],
    )
    def test_a_timeout_with_a_phase_that_can_hang_is_refused(self, timeout: Any) -> None:
        with pytest.raises(meetbit.ConfigurationError, match="timeout"):
            meetbit.Client("acme.meetbit.com", timeout=timeout, **KEY)
        client = meetbit.Client("acme.meetbit.com", **KEY)
        with pytest.raises(meetbit.ConfigurationError, match="timeout"):
            client.with_timeout(timeout)

    @pytest.mark.parametrize(
        "settings",
        [
            {"total_timeout": math.inf},
            {"total_timeout": 0},
            {"max_retry_wait": math.inf},
            {"max_retries": 1.5},
            {"on_retry": "log"},
            {"verify": "/no/such/ca-bundle.pem"},
            {"verify": 1},
            {"headers": [("X-A", "1")]},
        ],
    )
    def test_other_bad_values_are_refused(self, settings: dict[str, Any]) -> None:
        with pytest.raises(meetbit.ConfigurationError):
            meetbit.Client("acme.meetbit.com", **KEY, **settings)

    @pytest.mark.parametrize(
        ("cls", "transport"),
        [
            (meetbit.Client, httpx.AsyncHTTPTransport()),
            (meetbit.AsyncClient, httpx.HTTPTransport()),
        ],
    )
    def test_a_transport_of_the_wrong_kind_is_refused_at_construction(
        self, cls: type[Any], transport: Any
    ) -> None:
        with pytest.raises(meetbit.ConfigurationError, match="transport"):
            cls("acme.meetbit.com", transport=transport, **KEY)

    @pytest.mark.parametrize(
        "cookies", [{"a": "1; admin=true"}, {"a=b": "1"}, {"a": "1\r\nX: y"}, {"": "1"}]
    )
    def test_a_cookie_that_would_add_another_is_refused(self, cookies: dict[str, str]) -> None:
        with pytest.raises(meetbit.ConfigurationError, match="cookie"):
            meetbit.Client("acme.meetbit.com", cookies=cookies, **KEY)

    def test_credentials_in_base_url_are_refused_without_repeating_them(self) -> None:
        with pytest.raises(meetbit.ConfigurationError) as raised:
            meetbit.Client(base_url="https://user:hunter2@acme.meetbit.com/api", **KEY)
        assert "hunter2" not in str(raised.value)
        assert "credentials" in str(raised.value)

    def test_a_bad_proxy_is_a_configuration_error_without_its_password(self) -> None:
        with pytest.raises(meetbit.ConfigurationError) as raised:
            meetbit.Client("acme.meetbit.com", proxy="socks9://user:hunter2@proxy:1", **KEY)
        assert "hunter2" not in str(raised.value)


class TestTheSecret:
    def test_no_repr_shows_it(self) -> None:
        client = meetbit.Client(
            "acme.meetbit.com", proxy="http://u:pw-proxy@proxy:3128", headers={"X-T": "tok"}, **KEY
        )
        for shown in (client, client._config, client.with_options(max_retries=0)):
            text = repr(shown)
            assert SECRET not in text
            assert "pw-proxy" not in text
            assert "tok" not in text

    @pytest.mark.parametrize("bad", [SECRET + "\n", SECRET + "\x00", SECRET + "é"])
    def test_no_error_about_it_repeats_it(self, bad: str) -> None:
        client = meetbit.Client("acme.meetbit.com", **KEY)
        for build in (
            lambda: meetbit.Client("acme.meetbit.com", access_key_id=KEY_ID, access_key_secret=bad),
            lambda: client.with_options(access_key_secret=bad),
        ):
            with pytest.raises(meetbit.ConfigurationError) as raised:
                build()
            assert SECRET not in str(raised.value)
            assert raised.value.__cause__ is None or SECRET not in str(raised.value.__cause__)


def test_the_generated_client_s_repr_shows_no_header(server: WireServer) -> None:
    from meetbit_api.client import AuthenticatedClient, Client

    plain = Client(base_url=server.base_url, headers={"X-Key": "plain-token"})
    authenticated = AuthenticatedClient(base_url=server.base_url, token="bearer-token")
    assert "plain-token" not in repr(plain)
    assert "bearer-token" not in repr(authenticated)
    server.queue(Reply(200, "{}"))
    with authenticated as client:  # and it still does what the attrs version did
        client.get_httpx_client().get("/")
    assert server.received[0].headers["authorization"] == "Bearer bearer-token"


class TestEverySetting:
    """Each setting survives a copy, and a bad value is refused in words naming its bound."""

    SETTINGS: ClassVar[dict[str, Any]] = {  # none of them the default
        "base_url": "https://api.example.test/v2",
        "access_key_id": "id-1",
        "access_key_secret": "secret-1",
        "timeout": httpx.Timeout(3.0),
        "max_retries": 5,
        "total_timeout": 30.0,
        "max_retry_wait": 7.0,
        "on_retry": print,
        "verify": False,
        "proxy": "http://proxy.test:3128",
        "headers": {"X-Team": "a"},
        "cookies": {"c": "1"},
        "max_connections": 3,
        "rate_limit_store": "redis://127.0.0.1:6399/0",
    }

    def test_a_copy_without_changes_has_every_setting(self) -> None:
        config = Config.resolve(**self.SETTINGS)
        assert {name: getattr(config, name) for name in self.SETTINGS} == self.SETTINGS
        assert config.replace() == config
        asynchronous = Config.resolve(asynchronous=True, **self.SETTINGS)
        assert asynchronous.replace().asynchronous is True

    @pytest.mark.parametrize(
        ("setting", "value"),
        [("access_key_id", "id-2"), ("access_key_secret", "secret-2"), ("max_retries", 0)],
    )
    def test_a_copy_changes_only_what_it_is_given(self, setting: str, value: Any) -> None:
        config = Config.resolve(**self.SETTINGS)
        copy = config.replace(**{setting: value})
        assert copy == config._replace(**{setting: value})

    @pytest.mark.parametrize(
        ("settings", "message"),
        [
            ({"max_retries": -1}, "max_retries must be an int >= 0, got -1"),
            ({"max_retries": True}, "max_retries must be an int >= 0, got True"),
            ({"max_connections": 0}, "max_connections must be an int >= 1, got 0"),
            (
                {"max_retry_wait": -1},
                "max_retry_wait must be a finite number of seconds >= 0, got -1",
            ),
            (
                {"total_timeout": 0},
                "total_timeout must be a finite number of seconds above 0, or None, got 0",
            ),
            (
                {"total_timeout": math.inf},
                "total_timeout must be a finite number of seconds above 0, or None, got inf",
            ),
        ],
    )
    def test_a_bad_number_is_refused_naming_its_bound(
        self, settings: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(meetbit.ConfigurationError) as raised:
            meetbit.Client("acme.meetbit.com", **KEY, **settings)
        assert str(raised.value) == message

    def test_the_bounds_themselves_are_accepted(self) -> None:
        config = Config.resolve(
            domain="acme.meetbit.com", max_retries=0, max_connections=1, max_retry_wait=0,
            total_timeout=None, **KEY,
        )  # fmt: skip
        assert (config.max_retries, config.max_connections, config.max_retry_wait) == (0, 1, 0)

    @pytest.mark.parametrize("settings", [{"verify": False}, {"proxy": "http://proxy.test:1"}])
    def test_transport_refuses_what_only_the_client_s_own_transport_uses(
        self, settings: dict[str, Any]
    ) -> None:
        with pytest.raises(
            meetbit.ConfigurationError, match=r"^proxy= and verify= do not apply with transport="
        ):
            meetbit.Client(
                "acme.meetbit.com", transport=httpx.MockTransport(print), **KEY, **settings
            )

    def test_a_transport_of_the_wrong_kind_names_the_client_and_the_kind(self) -> None:
        with pytest.raises(meetbit.ConfigurationError) as raised:
            meetbit.AsyncClient("acme.meetbit.com", transport=httpx.HTTPTransport(), **KEY)
        assert str(raised.value) == (
            "meetbit.AsyncClient needs an httpx.AsyncBaseTransport as transport=, got HTTPTransport"
        )
        with pytest.raises(meetbit.ConfigurationError) as raised:
            meetbit.Client("acme.meetbit.com", transport=httpx.AsyncHTTPTransport(), **KEY)
        assert str(raised.value) == (
            "meetbit.Client needs an httpx.BaseTransport as transport=, got AsyncHTTPTransport"
        )


class TestWhereTheApiIs:
    """A domain is a host name or an IP literal, with a port or none; anything else is refused."""

    @pytest.mark.parametrize(
        ("domain", "url"),
        [
            ("acme.meetbit.com", "https://acme.meetbit.com/api/public/v2.0"),
            ("acme.meetbit.com.", "https://acme.meetbit.com./api/public/v2.0"),
            ("acme.meetbit.com:1", "https://acme.meetbit.com:1/api/public/v2.0"),
            ("acme.meetbit.com:65535", "https://acme.meetbit.com:65535/api/public/v2.0"),
            ("[::1]", "https://[::1]/api/public/v2.0"),
            ("[::1]:8443", "https://[::1]:8443/api/public/v2.0"),
            ("a-b.c" + ".d" * 100, "https://a-b.c" + ".d" * 100 + "/api/public/v2.0"),
        ],
    )
    def test_a_domain_gives_its_url(self, domain: str, url: str) -> None:
        assert Config.resolve(domain=domain, **KEY).base_url == url

    @pytest.mark.parametrize(
        "domain",
        [
            "acme.meetbit.com:0",
            "acme.meetbit.com:65536",
            "acme.meetbit.com:99999",
            "acme.meetbit.com:",
            "acme.meetbit.com:8o",
            "acme.meetbit.com:\uff18\uff10",  # fullwidth digits: isdigit(), not ASCII
            "[::1]:0",
            "[::1]8443",
            "[::1",
            "[nope]",
            "[::::]",
            "a:b:c",
            "-acme.com",
            "acme-.com",
            "ac_me.com",
            "acme..com",
            "x" * 64 + ".com",
            "a." * 127 + "com",
            "acmé.com",
        ],
    )
    def test_anything_else_is_refused_naming_what_to_pass_instead(self, domain: str) -> None:
        with pytest.raises(meetbit.ConfigurationError) as raised:
            Config.resolve(domain=domain, **KEY)
        assert str(raised.value) == (
            "domain must be a host name such as acme.meetbit.com, optionally with a port, "
            f"got {domain!r}; pass base_url= for a full URL"
        )

    @pytest.mark.parametrize("domain", [" acme.meetbit.com", "acme.meetbit.com\n", "ac\tme.com"])
    def test_whitespace_says_where_it_may_come_from(self, domain: str) -> None:
        with pytest.raises(meetbit.ConfigurationError, match=r"^domain contains whitespace"):
            Config.resolve(domain=domain, **KEY)

    def test_a_domain_from_the_environment_is_named_by_its_variable(self) -> None:
        with pytest.raises(meetbit.ConfigurationError, match=r"^MEETBIT_DOMAIN must be a host"):
            Config.resolve(environ={"MEETBIT_DOMAIN": "a:b:c"}, **KEY)
        with pytest.raises(meetbit.ConfigurationError, match=r"^domain must be a str, not int"):
            Config.resolve(domain=7, **KEY)  # type: ignore[arg-type]


class TestConfigurationInput:
    def test_domain_with_a_trailing_newline_is_refused_quickly(self) -> None:
        # Run in a subprocess with a timeout: an exponential regex would hang the suite.
        code = (
            "import meetbit\n"
            "try:\n"
            "    meetbit.Client('acmecorporationglobal.meetbit.com\\n',"
            " access_key_id='a', access_key_secret='b')\n"
            "except meetbit.ConfigurationError as error:\n"
            "    print(error)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=10, check=True
        )
        assert "newline" in result.stdout

    @pytest.mark.parametrize(
        "base_url",
        [
            "https://acme.test/api/public/v2.0?tenant=acme",
            "https://acme.test/api#x",
            "https://a.test?",
        ],
    )
    def test_base_url_with_a_query_or_fragment_is_refused(self, base_url: str) -> None:
        with pytest.raises(meetbit.ConfigurationError, match="query or a fragment"):
            meetbit.Client(base_url=base_url, access_key_id="a", access_key_secret="b")


class TestEveryRefusalSaysWhy:
    """Each refusal names the setting and what it must be, never a value that may be secret."""

    @pytest.mark.parametrize(
        ("settings", "message"),
        [
            ({"on_retry": 5}, "on_retry must be a function of a meetbit.Attempt, or None"),
            ({"verify": "/nonexistent/ca.pem"},
             "verify names a CA bundle that does not exist: /nonexistent/ca.pem"),
            ({"rate_limit_store": 5}, "rate_limit_store must be None or a redis:// URL"),
            ({"base_url": 5}, "base_url must be a str, not int"),
            ({"headers": 5}, "headers must be a mapping, not int"),
            ({"headers": {"X-A": 5}}, "header X-A must be a str, not int"),
            ({"headers": {"X-A": "caf\u00e9"}}, "header X-A contains non-ASCII characters"),
            ({"headers": {"X-A": "a\x7fb"}},
             "header X-A contains a control character (CR, LF, tab...)"),
            ({"headers": {"X-A": "a\x1fb"}},
             "header X-A contains a control character (CR, LF, tab...)"),
            ({"headers": {"X\u00e9": "v"}}, "header name contains non-ASCII characters"),
            ({"cookies": 5}, "cookies must be a mapping, not int"),
            ({"cookies": {"a;b": "v"}}, "cookie name 'a;b' is empty or holds ; = , or a space"),
            ({"cookies": {"a=b": "v"}}, "cookie name 'a=b' is empty or holds ; = , or a space"),
            ({"cookies": {"": "v"}}, "cookie name '' is empty or holds ; = , or a space"),
            ({"cookies": {"a b": "v"}}, "cookie name 'a b' is empty or holds ; = , or a space"),
            ({"cookies": {"a": "v;w"}}, "cookie a holds a ';'"),
            ({"cookies": {"c\u00e9": "v"}}, "cookie name contains non-ASCII characters"),
            ({"timeout": None}, "timeout must be finite: pass seconds or an httpx.Timeout"),
            ({"timeout": "5"}, "timeout must be seconds or an httpx.Timeout, not str"),
            ({"timeout": httpx.Timeout(5.0, read=None)},
             "timeout's read phase must be a finite number of seconds above 0 (a phase "
             "without one can hang the call), got None"),
            ({"timeout": httpx.Timeout(5.0, pool=0)},
             "timeout's pool phase must be a finite number of seconds above 0 (a phase "
             "without one can hang the call), got 0"),
            ({"max_retry_wait": True},
             "max_retry_wait must be a finite number of seconds >= 0, got True"),
            ({"access_key_id": "  "},
             "access_key_id is empty: pass access_key_id= or set MEETBIT_ACCESS_KEY_ID"),
            ({"access_key_id": 5}, "access_key_id must be a str, not int"),
            ({"access_key_secret": "\u00e9"}, "access_key_secret contains non-ASCII characters"),
            ({"access_key_secret": "a\tb"},
             "access_key_secret contains a control character (CR, LF, tab...)"),
            ({"domain": "a.com", "base_url": "https://acme.test/v2#x"},
             "base_url must not have a query or a fragment; put headers= or a proxy in front "
             "instead, got 'https://acme.test/v2#x'"),
            ({"base_url": "ftp://acme.test"}, "base_url must be an http(s) URL, got 'ftp://acme.test'"),
            ({"verify": 5}, "verify must be True, False, a CA bundle's path or an ssl.SSLContext"),
            ({"proxy": "ftp://x"},
             "proxy is not a proxy URL httpx can use: http://, https://, socks5:// or "
             "socks5h://, a host, and a port or none"),
            ({"domain": None, "base_url": "https://acme.test/v2#"},
             "base_url must not have a query or a fragment; put headers= or a proxy in front "
             "instead, got 'https://acme.test/v2#'"),
            *[({"domain": bad}, f"domain must be a host name such as acme.meetbit.com, optionally "
               f"with a port, got {bad!r}; pass base_url= for a full URL")
              for bad in ("acme..com", "[::1]x", "a" * 64 + ".com", LONGEST_HOST + "a")],
        ],
    )  # fmt: skip
    def test_the_message(self, settings: dict[str, Any], message: str) -> None:
        with pytest.raises(meetbit.ConfigurationError) as raised:
            Config.resolve(**{"domain": "acme.meetbit.com", **KEY, **settings})
        assert str(raised.value) == message

    @pytest.mark.parametrize(
        ("settings", "accepted"),
        [
            ({"headers": {"X-A": "a b"}}, "a space is printable"),
            ({"timeout": 0.5}, "half a second is above 0"),
            ({"timeout": httpx.Timeout(5.0, read=0.5)}, "so is each phase"),
            ({"verify": ssl.create_default_context()}, "an SSLContext"),
            ({"total_timeout": 0.5}, "half a second of budget is above 0"),
            ({"domain": "a" * 63 + ".com"}, "a label of 63 characters"),
            ({"domain": LONGEST_HOST}, "a host name of 253 characters"),
            ({"domain": "tenant.x."}, "a fully qualified name, its last label one letter"),
        ],
    )
    def test_what_is_allowed(self, settings: dict[str, Any], accepted: str) -> None:
        Config.resolve(**{"domain": "acme.meetbit.com", **KEY, **settings})

    def test_a_base_url_httpx_cannot_parse_is_refused_naming_the_setting(self) -> None:
        # httpx's own words follow (they differ between the httpx versions we admit).
        with pytest.raises(meetbit.ConfigurationError) as raised:
            Config.resolve(base_url="http://[::1", **KEY)
        assert str(raised.value).startswith("base_url ")

    def test_a_base_url_loses_its_trailing_slash_only(self) -> None:
        config = Config.resolve(base_url="https://acme.test//v2/", **KEY)
        assert config.base_url == "https://acme.test//v2"
        assert Config.resolve(base_url="https://acme.test/APIX/", **KEY).base_url == (
            "https://acme.test/APIX"
        )

    @pytest.mark.parametrize(
        ("argument", "message"),
        [
            ({"follow_redirects": True},
             "follow_redirects=True is not supported: a redirect would carry the access key "
             "headers to whatever host it names"),
            ({"httpx_args": {"b": 1, "a": 2}},
             "httpx_args is not supported (got ['a', 'b']): the client builds its own httpx "
             "client so that auth, retries and errors apply; use transport=, proxy=, verify=, "
             "headers=, cookies= or timeout="),
            ({"raise_on_unexpected_status": False},
             "raise_on_unexpected_status=False is not supported: every status the API does "
             "not document raises a meetbit.MeetBitError"),
        ],
    )  # fmt: skip
    def test_the_generated_client_s_own_arguments_are_refused_saying_why(
        self, argument: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(meetbit.ConfigurationError) as raised:
            meetbit.Client("acme.meetbit.com", **KEY, **argument)
        assert str(raised.value) == message

    def test_the_repr_hides_the_store_s_url_but_says_whether_there_is_one(self) -> None:
        assert repr(Config.resolve(domain="a.com", **KEY)).endswith(", rate_limit_store=None)")
        shared = Config.resolve(domain="a.com", rate_limit_store="redis://u:pw@h:6379/0", **KEY)
        assert repr(shared).endswith(", rate_limit_store='***')")
        assert "pw" not in repr(shared)

    def test_a_copy_given_none_for_a_part_of_the_key_keeps_it(self) -> None:
        config = Config.resolve(domain="a.com", **KEY)
        copy = config.replace(access_key_id=None, access_key_secret=None, base_url=None)
        assert copy == config
        moved = config.replace(domain="b.com")
        assert moved.base_url == "https://b.com/api/public/v2.0"


class TestRateControlSwitch:
    """MEETBIT_RATE_CONTROL is resolved here with every other setting, not read elsewhere."""

    @pytest.mark.parametrize(
        ("value", "paced"),
        [("", True), ("on", True), (" 1 ", True), ("off", False), ("OFF", False), ("0", False),
         ("false", False), ("no", False)],
    )  # fmt: skip
    def test_the_environment_turns_pacing_on_or_off(self, value: str, paced: bool) -> None:
        config = Config.resolve(
            domain="acme.meetbit.com", environ={"MEETBIT_RATE_CONTROL": value}, **KEY
        )
        assert config.rate_control is paced

    def test_an_unknown_value_is_refused_naming_the_variable(self) -> None:
        with pytest.raises(
            meetbit.ConfigurationError, match="MEETBIT_RATE_CONTROL must be on or off"
        ):
            Config.resolve(
                domain="acme.meetbit.com", environ={"MEETBIT_RATE_CONTROL": "slow"}, **KEY
            )

    def test_a_client_built_with_it_off_is_not_paced(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from meetbit._rate import Unpaced

        monkeypatch.setenv("MEETBIT_RATE_CONTROL", "off")
        with meetbit.Client("acme.meetbit.com", **KEY) as client:
            assert type(client._controller) is Unpaced
        monkeypatch.delenv("MEETBIT_RATE_CONTROL")
        with meetbit.Client("acme.meetbit.com", **KEY) as client:
            assert type(client._controller) is not Unpaced
