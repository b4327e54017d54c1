"""The meetbit overlay: configuration, auth, errors, validation, timeouts and secrets, on the wire."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import httpx
import meetbit
import pytest
from clients import KEY_ID, OK, SECRET, make_async_client, make_client
from conftest import EVENT
from meetbit_api.api.events import cancel_event
from meetbit_api.client import Client as GeneratedClient
from meetbit_api.models import CancelEventBody, Event
from servers import free_port
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour


class TestConfiguration:
    """Settings come from arguments, then env vars; anything missing or unsafe fails at construction."""

    def test_env_vars_are_the_fallback(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MEETBIT_DOMAIN", "acme.meetbit.com")
        monkeypatch.setenv("MEETBIT_ACCESS_KEY_ID", KEY_ID)
        monkeypatch.setenv("MEETBIT_ACCESS_KEY_SECRET", SECRET)
        client = meetbit.Client()
        assert client.get_httpx_client().base_url == "https://acme.meetbit.com/api/public/v2.0/"

    def test_explicit_arguments_win_over_env_vars(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MEETBIT_DOMAIN", "env.example.com")
        monkeypatch.setenv("MEETBIT_ACCESS_KEY_ID", "env-id")
        monkeypatch.setenv("MEETBIT_ACCESS_KEY_SECRET", "env-secret")
        client = meetbit.Client(
            "arg.example.com:8443", access_key_id="arg-id", access_key_secret="arg-secret"
        )
        assert client.get_httpx_client().base_url == "https://arg.example.com:8443/api/public/v2.0/"
        assert "arg-id" in repr(client)

    @pytest.mark.parametrize(
        ("missing", "env_var"),
        [
            ("domain", "MEETBIT_DOMAIN"),
            ("access_key_id", "MEETBIT_ACCESS_KEY_ID"),
            ("access_key_secret", "MEETBIT_ACCESS_KEY_SECRET"),
        ],
    )
    def test_missing_setting_names_its_env_var(self, missing: str, env_var: str) -> None:
        settings = {
            "domain": "acme.meetbit.com",
            "access_key_id": KEY_ID,
            "access_key_secret": SECRET,
        }
        del settings[missing]
        with pytest.raises(meetbit.ConfigurationError, match=env_var):
            meetbit.Client(**settings)

    @pytest.mark.parametrize("bad", ["", "   ", "abc\r\nX-Injected: 1", "abc\n", "abc\x00", "clé"])
    @pytest.mark.parametrize("field", ["access_key_id", "access_key_secret"])
    def test_empty_or_unsafe_key_values_are_refused(self, field: str, bad: str) -> None:
        settings = {"access_key_id": KEY_ID, "access_key_secret": SECRET, field: bad}
        with pytest.raises(meetbit.ConfigurationError) as raised:
            meetbit.Client("acme.meetbit.com", **settings)
        if bad.strip():
            assert bad not in str(raised.value), "the value itself may be the secret"

    @pytest.mark.parametrize(
        "domain",
        ["https://acme.meetbit.com", "acme.meetbit.com/api", "acme meetbit.com", "a.com:port"],
    )
    def test_domain_must_be_a_host_name(self, domain: str) -> None:
        with pytest.raises(meetbit.ConfigurationError, match="base_url"):
            meetbit.Client(domain, access_key_id=KEY_ID, access_key_secret=SECRET)

    def test_base_url_overrides_the_domain_whole(self) -> None:
        client = meetbit.Client(
            "ignored.example.com",
            base_url="http://127.0.0.1:9/prefix/",
            access_key_id=KEY_ID,
            access_key_secret=SECRET,
        )
        assert client.get_httpx_client().base_url == "http://127.0.0.1:9/prefix/"

    def test_client_is_a_generated_client(self) -> None:
        client = meetbit.Client("acme.meetbit.com", access_key_id=KEY_ID, access_key_secret=SECRET)
        assert isinstance(client, GeneratedClient)
        assert isinstance(
            meetbit.AsyncClient("acme.meetbit.com", access_key_id=KEY_ID, access_key_secret=SECRET),
            GeneratedClient,
        )

    def test_defaults_are_safe(self) -> None:
        client = meetbit.Client("acme.meetbit.com", access_key_id=KEY_ID, access_key_secret=SECRET)
        httpx_client = client.get_httpx_client()
        timeout = httpx_client.timeout
        assert all(
            value is not None and value <= 30
            for value in (timeout.connect, timeout.read, timeout.write, timeout.pool)
        )
        assert httpx_client.headers["User-Agent"] == f"meetbit-python/{meetbit.__version__}"
        assert httpx_client.follow_redirects is False

    def test_turning_tls_verification_off_is_logged(self, caplog: pytest.LogCaptureFixture) -> None:
        with caplog.at_level(logging.WARNING, logger="meetbit"):
            meetbit.Client(
                "acme.meetbit.com", access_key_id=KEY_ID, access_key_secret=SECRET, verify=False
            )
        assert "TLS certificate verification is OFF" in caplog.text

    def test_timeout_none_is_refused(self) -> None:
        with pytest.raises(meetbit.ConfigurationError, match="finite"):
            meetbit.Client(
                "acme.meetbit.com", access_key_id=KEY_ID, access_key_secret=SECRET, timeout=None
            )  # type: ignore[arg-type]

    def test_sync_client_refuses_async_functions_without_sending(self, server: WireServer) -> None:
        with (
            make_client(server) as client,
            pytest.raises(meetbit.MeetBitError, match="AsyncClient"),
        ):
            asyncio.run(
                cancel_event.asyncio_detailed(1, 2, client=client, body=CancelEventBody("x"))
            )
        assert server.received == []


class TestAuthAndHeaders:
    """Both access-key headers and the User-Agent go out on every request, whichever function sends it."""

    def test_convenience_method_sends_both_headers(self, server: WireServer) -> None:
        server.queue(OK)
        with make_client(server) as client:
            event = client.events.cancel_event(12, 345, cancel_note="Moved")
        assert isinstance(event, Event)
        (request,) = server.received
        assert request.method == "POST"
        assert request.path == "/calendars/12/events/345/cancel"
        assert request.headers["x-access-key-id"] == KEY_ID
        assert request.headers["x-access-key-secret"] == SECRET
        assert request.headers["user-agent"] == f"meetbit-python/{meetbit.__version__}"
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.body) == {"cancel_note": "Moved"}

    @pytest.mark.parametrize("append_raw", [True, False], ids=["raw", "public-api"])
    def test_each_key_header_goes_out_once(
        self, server: WireServer, append_raw: bool, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Both ways of setting them (httpx's raw header list, and the public fallback for an
        # httpx that keeps headers otherwise); a request already naming one gets it replaced.
        import meetbit._auth

        monkeypatch.setattr(meetbit._auth, "_APPEND_RAW", append_raw)
        server.queue(OK, OK)
        with make_client(server) as client:
            client.events.cancel_event(12, 345, cancel_note="Moved")
            client.get_httpx_client().post(
                "/calendars/12/events/345/cancel",
                json={"cancel_note": "x"},
                headers={"X-Access-Key-Id": "someone-else", "x-access-key-secret": "guess"},
            )
        for request in server.received:
            assert request.header_names.count("x-access-key-id") == 1
            assert request.header_names.count("x-access-key-secret") == 1
            assert request.headers["x-access-key-id"] == KEY_ID
            assert request.headers["x-access-key-secret"] == SECRET

    def test_the_raw_header_list_is_used_where_httpx_keeps_one(self) -> None:
        # The probe must recognise this httpx's layout, or every request takes the slow way.
        import meetbit._auth

        assert meetbit._auth._can_append_raw() is True

    @pytest.mark.parametrize("name", ["X-Access-Key-Id", "x-access-key-secret"])
    def test_headers_may_not_set_the_key_headers(self, name: str) -> None:
        with pytest.raises(meetbit.ConfigurationError, match="access_key_id="):
            meetbit.Client("acme.example", access_key_id="k", access_key_secret="s",
                           headers={name: "v"})  # fmt: skip
        client = meetbit.Client("acme.example", access_key_id="k", access_key_secret="s")
        with pytest.raises(meetbit.ConfigurationError, match="access_key_id="):
            client.with_headers({name: "v"})

    def test_generated_function_gets_the_same_auth(self, server: WireServer) -> None:
        server.queue(OK)
        with make_client(server) as client:
            response = cancel_event.sync_detailed(12, 345, client=client, body=CancelEventBody("x"))
        assert response.status_code == 200
        assert server.received[0].headers["x-access-key-secret"] == SECRET

    def test_async_generated_function_gets_the_same_auth(self, server: WireServer) -> None:
        server.queue(OK)

        async def main() -> None:
            async with make_async_client(server) as client:
                await cancel_event.asyncio_detailed(
                    12, 345, client=client, body=CancelEventBody("x")
                )

        asyncio.run(main())
        assert server.received[0].headers["x-access-key-id"] == KEY_ID

    def test_connections_are_reused(self, server: WireServer) -> None:
        server.queue(OK, OK, OK)
        with make_client(server) as client:
            for _ in range(3):
                client.events.cancel_event(12, 345, cancel_note="x")
        assert len({request.port for request in server.received}) == 1


class TestErrors:
    """Every non-2xx status is a typed ApiError carrying the server's message, for every function."""

    @pytest.mark.parametrize(
        ("status", "error"),
        [
            (401, meetbit.UnauthorizedError),
            (404, meetbit.NotFoundError),
            (500, meetbit.ServerError),
            (503, meetbit.ServerError),
            (403, meetbit.ApiError),
            (422, meetbit.ApiError),
            (302, meetbit.ApiError),
        ],
    )
    def test_status_maps_to_its_error_with_the_server_message(
        self, server: WireServer, status: int, error: type[meetbit.ApiError]
    ) -> None:
        server.queue(Reply(status, "Resource object does not exist."))
        with make_client(server) as client, pytest.raises(error) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert type(raised.value) is error
        assert raised.value.status_code == status
        assert raised.value.message == "Resource object does not exist."
        assert raised.value.response.status_code == status
        assert "Resource object does not exist." in str(raised.value)

    def test_generated_function_raises_the_same_typed_error(self, server: WireServer) -> None:
        server.queue(Reply(404, "Resource object does not exist."))
        with make_client(server) as client, pytest.raises(meetbit.NotFoundError):
            cancel_event.sync_detailed(1, 2, client=client, body=CancelEventBody("x"))

    def test_proxy_html_502_is_a_server_error(self, server: WireServer) -> None:
        page = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n"
        server.queue(Reply(502, page, {"Content-Type": "text/html"}))
        with make_client(server) as client, pytest.raises(meetbit.ServerError) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert "502 Bad Gateway" in raised.value.message
        assert "\n" not in str(raised.value)

    def test_post_5xx_is_not_retried(self, server: WireServer) -> None:
        server.queue(Reply(503, "down"), OK)
        with make_client(server) as client, pytest.raises(meetbit.ServerError):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert len(server.received) == 1

    def test_idempotent_5xx_is_retried(self, server: WireServer) -> None:
        server.queue(Reply(503, "down"), Reply(200, "fine"))
        with make_client(server) as client:
            assert client.get_httpx_client().get("/anything").text == "fine"
        assert len(server.received) == 2

    @pytest.mark.parametrize(
        ("reply", "problem"),
        [
            (Reply(200, "<html>captive portal</html>"), "not JSON"),
            (Reply(200, b'{"message": "ok", "data": {"id": 1'), "not JSON"),
            (Reply(200, {"message": "ok"}), "data: required field is missing"),
            (
                Reply(200, {"message": "ok", "data": {**EVENT, "start": 12345}}),
                "data.start: expected an ISO 8601 date-time, got integer",
            ),
            (
                Reply(200, {"message": "ok", "data": {**EVENT, "attendees": "everyone"}}),
                "data.attendees: expected array, got string",
            ),
            (Reply(200, {"message": "ok", "data": []}), "malformed"),
            (Reply(204, b""), "status 204 is not one the API documents"),
        ],
    )
    def test_malformed_success_body_is_a_meetbit_error(
        self, server: WireServer, reply: Reply, problem: str
    ) -> None:
        server.queue(reply)
        with (
            make_client(server) as client,
            pytest.raises(meetbit.MalformedResponseError, match=problem),
        ):
            client.events.cancel_event(1, 2, cancel_note="x")

    def test_connection_refused_is_a_network_error_chained_from_httpx(self) -> None:
        client = meetbit.Client(
            base_url=f"http://127.0.0.1:{free_port()}",
            access_key_id=KEY_ID,
            access_key_secret=SECRET,
        )
        with pytest.raises(meetbit.NetworkError) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert isinstance(raised.value.__cause__, httpx.ConnectError)
        assert len(raised.value.attempts) == 1

    def test_server_closing_mid_body_is_a_network_error(self, server: WireServer) -> None:
        server.queue(Reply(200, {"message": "ok", "data": EVENT}, fault="close-mid-body"))
        with make_client(server) as client, pytest.raises(meetbit.NetworkError) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert isinstance(raised.value.__cause__, httpx.TransportError)


class TestTimeouts:
    """A stalled server raises RequestTimeoutError at the configured timeout; nothing hangs.

    The server stalls for 10 s (wire.MAX_STALL): each bound tells a timeout that fired from
    one that did not, with room for a loaded machine, not how promptly it fired.
    """

    def test_read_timeout_fires_near_its_value(self, server: WireServer) -> None:
        server.queue(Reply(fault="stall"))
        started = time.monotonic()
        with (
            make_client(server, timeout=0.3) as client,
            pytest.raises(meetbit.RequestTimeoutError) as raised,
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert 0.3 <= time.monotonic() - started < 5, "the read timeout, not the server's 10 s"
        assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
        assert len(server.received) == 1, "a POST that timed out is not sent again"

    def test_total_timeout_caps_the_attempt(self, server: WireServer) -> None:
        server.queue(Reply(fault="stall"))
        started = time.monotonic()
        with (
            make_client(server, timeout=5, total_timeout=0.3) as client,
            pytest.raises(meetbit.RequestTimeoutError),
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert 0.3 <= time.monotonic() - started < 3, "the budget, not the 5 s read timeout"

    def test_async_read_timeout(self, server: WireServer) -> None:
        server.queue(Reply(fault="stall"))

        async def main() -> None:
            async with make_async_client(server, timeout=0.3) as client:
                await client.events.cancel_event(1, 2, cancel_note="x")

        with pytest.raises(meetbit.RequestTimeoutError):
            asyncio.run(main())


class TestInputValidation:
    """Bad input raises before anything is sent."""

    @pytest.mark.parametrize(
        ("calendar_id", "event_id", "note"),
        [
            (1, 2, "x" * 256),
            ("1", 2, "x"),
            (1, "../../calendars/9/events/1", "x"),
            (True, 2, "x"),
            (1, 0, "x"),
            (-1, 2, "x"),
            (1, 2**63, "x"),
            (1.0, 2, "x"),
            (1, 2, None),
        ],
    )
    def test_invalid_arguments_raise_and_send_nothing(
        self, server: WireServer, calendar_id: Any, event_id: Any, note: Any
    ) -> None:
        with make_client(server) as client, pytest.raises(meetbit.InvalidRequestError) as raised:
            client.events.cancel_event(calendar_id, event_id, cancel_note=note)
        assert isinstance(raised.value, ValueError)
        assert isinstance(raised.value, meetbit.MeetBitError)
        assert server.received == []

    def test_a_body_json_cannot_encode_is_bad_input_and_sends_nothing(
        self, server: WireServer
    ) -> None:
        # What the checks cannot see (here: a set inside the body, as a free-form object
        # field could hold) fails while the request is built, as bad input.
        import types

        def _get_kwargs() -> dict[str, Any]:
            return {"method": "post", "url": "/calendars/1/events/2/cancel", "json": {"a": {1}}}

        generated = types.ModuleType("meetbit_api.api.events.some_operation")
        generated._get_kwargs = _get_kwargs  # type: ignore[attr-defined]
        with make_client(server) as client, pytest.raises(meetbit.InvalidRequestError) as raised:
            client._send(generated, (), {}, None)
        assert str(raised.value) == "some_operation: Object of type set is not JSON serializable"
        assert raised.value.__cause__ is None
        assert server.received == []

    def test_note_of_exactly_255_characters_is_sent(self, server: WireServer) -> None:
        server.queue(OK)
        with make_client(server) as client:
            client.events.cancel_event(1, 2, cancel_note="é" * 255)
        assert len(server.received) == 1

    def test_async_validation_sends_nothing(self, server: WireServer) -> None:
        async def main() -> None:
            async with make_async_client(server) as client:
                await client.events.cancel_event(1, 2, cancel_note="x" * 256)

        with pytest.raises(meetbit.InvalidRequestError, match="at most 255"):
            asyncio.run(main())
        assert server.received == []


class TestSecrets:
    """The secret appears in no repr, no exception text (whole chain) and no log record."""

    def test_repr_of_client_and_auth(self) -> None:
        client = meetbit.Client("acme.meetbit.com", access_key_id=KEY_ID, access_key_secret=SECRET)
        assert SECRET not in repr(client)
        assert SECRET not in repr(client._auth)
        assert SECRET not in repr(vars(client))  # the settings it keeps for with_* copies too
        assert SECRET not in repr(
            meetbit.AsyncClient("acme.meetbit.com", access_key_id=KEY_ID, access_key_secret=SECRET)
        )

    def test_no_secret_in_exceptions_or_debug_logs_of_any_logger(
        self, server: WireServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        server.queue(
            Reply(429, "Too many requests.", {"Retry-After": "0.01"}),
            Reply(401, "Invalid or missing access key."),
            Reply(fault="close-mid-body", body={"data": 1}),
        )
        texts: list[str] = []
        with caplog.at_level(logging.DEBUG), make_client(server) as client:
            for _ in range(2):
                with pytest.raises(meetbit.MeetBitError) as raised:
                    client.events.cancel_event(1, 2, cancel_note="x")
                error: BaseException | None = raised.value
                while error is not None:
                    texts += [str(error), repr(error)]
                    error = error.__cause__ or error.__context__
        import httpcore

        loggers = {"httpx", "meetbit"} | ({"httpcore"} if httpcore.__version__ >= "1" else set())
        assert {record.name.split(".")[0] for record in caplog.records} >= loggers
        for record in caplog.records:
            assert SECRET not in record.getMessage()
        for text in texts:
            assert SECRET not in text


class TestAttendeeStatus:
    """The documented enum is the generated one, and documents every value the spec has."""

    def test_members(self) -> None:
        assert [(m.name, m.value) for m in meetbit.AttendeeStatus] == [
            ("NO_RESPONSE", 0),
            ("CONFIRMED", 1),
            ("NOT_GOING", 2),
            ("MAYBE", 3),
        ]

    def test_parsed_statuses_are_the_members(self, server: WireServer) -> None:
        server.queue(OK)
        with make_client(server) as client:
            event = client.events.cancel_event(1, 2, cancel_note="x")
        assert [attendee.status for attendee in event.attendees] == list(meetbit.AttendeeStatus)
        assert event.attendees[1].status is meetbit.AttendeeStatus.CONFIRMED

    def test_help_explains_every_member(self) -> None:
        import pydoc

        text = pydoc.render_doc(meetbit.AttendeeStatus)
        for meaning in ("has not answered", "will attend", "will not attend", "might attend"):
            assert meaning in text
        assert meetbit.AttendeeStatus.MAYBE.__doc__ == "Tentative: might attend."

    def test_every_value_in_the_spec_is_documented(self) -> None:
        from conftest import ROOT
        from meetbit._status import MEANINGS
        from ruamel.yaml import YAML

        spec = YAML(typ="safe", pure=True).load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
        values = spec["components"]["schemas"]["EventAttendeeStatus"]["enum"]
        undocumented = set(values) - {int(member) for member in MEANINGS}
        assert not undocumented, f"the spec has attendee statuses nobody documented: {undocumented}"


class TestTheGeneratedClientDoneRight:
    """The generated client's own API works on meetbit.Client, or is refused; never ignored."""

    def test_with_headers_returns_a_working_copy_and_leaves_the_original(
        self, server: WireServer
    ) -> None:
        server.queue(OK, OK)
        with make_client(server) as client:
            client.events.cancel_event(1, 2, cancel_note="x")  # the original's pool exists
            copy = client.with_headers({"X-Trace": "abc"})
            assert copy is not client
            assert copy._controller is client._controller, "one key, one rate"
            with copy:
                copy.events.cancel_event(1, 2, cancel_note="x")
        first, second = server.received
        assert "x-trace" not in first.headers
        assert second.headers["x-trace"] == "abc"
        assert second.headers["x-access-key-secret"] == SECRET  # auth kept
        assert "x-trace" not in dict(client.get_httpx_client().headers)

    def test_with_cookies_and_cookies_are_sent(self, server: WireServer) -> None:
        server.queue(OK)
        with make_client(server, cookies={"a": "1"}).with_cookies({"b": "2"}) as client:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert sorted(server.received[0].headers["cookie"].split("; ")) == ["a=1", "b=2"]

    def test_with_timeout_keeps_retry_and_errors(self, server: WireServer) -> None:
        server.queue(Reply(429, "slow down", {"Retry-After": "0.01"}), Reply(404, "gone"))
        with (
            make_client(server).with_timeout(httpx.Timeout(2.0)) as client,
            pytest.raises(meetbit.NotFoundError) as raised,
        ):
            client.events.cancel_event(1, 2, cancel_note="x")
        assert [a.status_code for a in raised.value.attempts] == [429, 404]  # retried, then the 404
        assert client.get_httpx_client().timeout.read == 2.0

    @pytest.mark.parametrize(
        "settings",
        [{"httpx_args": {"event_hooks": {}}}, {"follow_redirects": True},
         {"raise_on_unexpected_status": False}],
    )  # fmt: skip
    def test_arguments_that_would_weaken_the_client_are_refused(
        self, settings: dict[str, Any]
    ) -> None:
        with pytest.raises(meetbit.ConfigurationError):
            meetbit.Client("acme.meetbit.com", access_key_id="a", access_key_secret="b", **settings)

    def test_set_httpx_client_is_refused(self) -> None:
        client = meetbit.Client("acme.meetbit.com", access_key_id="a", access_key_secret="b")
        with pytest.raises(meetbit.ConfigurationError, match="transport="):
            client.set_httpx_client(httpx.Client())
        async_client = meetbit.AsyncClient(
            "acme.meetbit.com", access_key_id="a", access_key_secret="b"
        )
        with pytest.raises(meetbit.ConfigurationError, match="transport="):
            async_client.set_async_httpx_client(httpx.AsyncClient())

    def test_the_old_method_works_with_a_deprecation_warning(self, server: WireServer) -> None:
        server.queue(OK)
        with (
            make_client(server) as client,
            pytest.warns(DeprecationWarning, match="client.events.cancel_event"),
        ):
            event = client.cancel_event(1, 2, "note")
        assert event.id == EVENT["id"]
        assert json.loads(server.received[0].body) == {"cancel_note": "note"}


@pytest.mark.parametrize(
    "settings",
    [
        {"max_connections": 0},
        {"max_connections": True},
        {"max_retry_wait": -1},
        {"max_retry_wait": float("nan")},
        {"transport": httpx.MockTransport(lambda request: httpx.Response(200)), "verify": False},
        {
            "transport": httpx.MockTransport(lambda request: httpx.Response(200)),
            "proxy": "http://p:3128",
        },
    ],
)
def test_settings_that_would_be_ignored_or_hang_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(meetbit.ConfigurationError):
        meetbit.Client("acme.meetbit.com", access_key_id="a", access_key_secret="b", **settings)
