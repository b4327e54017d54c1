"""Paths cannot be escaped, headers cannot be injected, secrets do not leak, TLS stays on."""

from __future__ import annotations

import logging
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import meetbit
import pytest
from clients import KEY_ID, OK, SECRET, make_client
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour


@pytest.mark.parametrize(
    "sneaky",
    [
        "..",
        "../9",
        "9/../../10",
        "9%2F..%2F10",
        "9 ",
        " 9",
        "9\n",
        "%39",
        "9?x=1",
        "9#x",
        "",
        "٣",
        9.0,
        b"9",
        None,
    ],
)
@pytest.mark.parametrize("position", ["calendar_id", "event_id"])
def test_ids_that_could_leave_the_path_are_refused_before_sending(
    server: WireServer, sneaky: Any, position: str
) -> None:
    arguments = {"calendar_id": 9, "event_id": 10, position: sneaky}
    with make_client(server) as client, pytest.raises(meetbit.InvalidRequestError, match=position):
        client.events.cancel_event(arguments["calendar_id"], arguments["event_id"], cancel_note="x")
    assert server.received == []


def test_note_with_crlf_stays_inside_the_json_body(server: WireServer) -> None:
    server.queue(OK)
    note = "bye\r\nX-Injected: 1\r\n\r\nGET / HTTP/1.1"
    with make_client(server) as client:
        client.events.cancel_event(9, 10, cancel_note=note)
    (request,) = server.received
    assert "x-injected" not in request.headers
    assert request.path == "/calendars/9/events/10/cancel"


@pytest.mark.parametrize(
    "headers", [{"X-Trace": "a\r\nX-Injected: 1"}, {"X-Trace\r\nX-Injected": "1"}]
)
def test_extra_headers_with_crlf_are_refused_at_construction(headers: dict[str, str]) -> None:
    with pytest.raises(meetbit.ConfigurationError, match="control character"):
        meetbit.Client(
            "acme.meetbit.com", access_key_id=KEY_ID, access_key_secret=SECRET, headers=headers
        )


def test_secret_is_absent_from_httpx_request_and_response_reprs(server: WireServer) -> None:
    server.queue(OK)
    seen: list[httpx.Response] = []
    with make_client(server) as client:
        client.get_httpx_client().event_hooks["response"].append(seen.append)
        client.events.cancel_event(9, 10, cancel_note="x")
    (response,) = seen
    assert SECRET not in repr(response)
    assert SECRET not in repr(response.request)
    assert SECRET not in str(response.request.url)


# --- TLS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder: Path = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", folder / "key.pem", "-out", folder / "cert.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@pytest.fixture
def tls_server(self_signed: ssl.SSLContext) -> Iterator[WireServer]:
    wire = WireServer(tls=self_signed).start()
    yield wire
    wire.stop()


def test_tls_is_verified_by_default(tls_server: WireServer) -> None:
    tls_server.queue(OK)
    with (
        make_client(tls_server) as client,
        pytest.raises(meetbit.NetworkError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.events.cancel_event(9, 10, cancel_note="x")
    assert tls_server.received == [], (
        "nothing, the secret included, was sent to the unverified server"
    )


def test_environment_cannot_turn_verification_off(
    tls_server: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "PYTHONHTTPSVERIFY": "0",
        "CURL_CA_BUNDLE": "",
        "REQUESTS_CA_BUNDLE": "",
        "SSL_CERT_FILE": "",
    }.items():
        monkeypatch.setenv(name, value)
    with make_client(tls_server) as client, pytest.raises(meetbit.NetworkError):
        client.events.cancel_event(9, 10, cancel_note="x")
    assert tls_server.received == []


def test_only_an_explicit_argument_turns_verification_off_and_it_warns(
    tls_server: WireServer, caplog: pytest.LogCaptureFixture
) -> None:
    tls_server.queue(OK)
    with (
        caplog.at_level(logging.WARNING, logger="meetbit"),
        make_client(tls_server, verify=False) as client,
    ):
        client.events.cancel_event(9, 10, cancel_note="x")
    assert "TLS certificate verification is OFF" in caplog.text
    assert len(tls_server.received) == 1
    assert KEY_ID in tls_server.received[0].headers["x-access-key-id"]


def test_a_head_that_drips_over_tls_is_cut_at_the_call_s_budget(tls_server: WireServer) -> None:
    # The sync client bounds each socket read by the deadline: the TLS stream too.
    tls_server.queue(Reply(200, OK.body, fault="drip-head", drip_interval=0.05))
    with (
        make_client(tls_server, verify=False, total_timeout=0.3) as client,
        pytest.raises(meetbit.RequestTimeoutError, match="used up its total_timeout"),
    ):
        client.events.cancel_event(9, 10, cancel_note="x")
    took = time.monotonic() - tls_server.received[0].time
    assert took < 0.8, f"ended {took:.2f} s after it was sent: at its budget, not a second on"


class TestSecretInErrors:
    def test_the_request_an_error_carries_has_the_secret_redacted(self, server: WireServer) -> None:
        server.queue(Reply(404, "Resource object does not exist."))
        with make_client(server) as client, pytest.raises(meetbit.NotFoundError) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        request = raised.value.response.request
        assert request.headers["X-Access-Key-Secret"] == "[redacted]"
        assert request.headers["X-Access-Key-Id"] == KEY_ID
        assert SECRET not in repr(request.headers)
        assert SECRET not in repr(raised.value.response.request.headers.raw)
        assert server.received[0].headers["x-access-key-secret"] == SECRET  # the wire is untouched

    def test_malformed_response_error_carries_a_redacted_request(self, server: WireServer) -> None:
        server.queue(Reply(200, "not json"))
        with make_client(server) as client, pytest.raises(meetbit.MalformedResponseError) as raised:
            client.events.cancel_event(1, 2, cancel_note="x")
        assert raised.value.response is not None
        assert raised.value.response.request.headers["X-Access-Key-Secret"] == "[redacted]"
