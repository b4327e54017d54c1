"""meetbit.testing, the fake MeetBit services use in their own tests: both modes, as documented."""

from __future__ import annotations

import asyncio
import http.client
import re
import socket
import time
import urllib.parse
from typing import Any

import httpx
import meetbit
import pytest
from meetbit._schema import compile_check
from meetbit.testing import FakeMeetBit, example
from meetbit_api.operations import OPERATIONS

pytestmark = pytest.mark.behaviour

PREFIX = "/api/public/v2.0"


def raw(fake: FakeMeetBit) -> httpx.Client:
    """Plain httpx on the fake's transport, with its keys: requests the client would refuse."""
    return httpx.Client(
        transport=fake.transport(),
        base_url=f"http://fake{PREFIX}",
        headers={
            "X-Access-Key-Id": fake.access_key_id,
            "X-Access-Key-Secret": fake.access_key_secret,
        },
    )


class TestInProcess:
    def test_cancel_updates_the_event_and_records_the_request(self, fake: FakeMeetBit) -> None:
        with fake.client() as client:
            event = client.events.cancel_event(12, 345, cancel_note="Moved")
        assert (event.title, event.cancel_note) == ("Planning", "Moved")
        assert fake.events[(12, 345)]["cancel_note"] == "Moved"
        (request,) = fake.requests
        assert (request.method, request.path, request.json, request.operation) == (
            "POST",
            f"{PREFIX}/calendars/12/events/345/cancel",
            {"cancel_note": "Moved"},
            "cancel_event",
        )
        assert request.headers["x-access-key-id"] == fake.access_key_id
        assert fake.access_key_secret not in repr(request)

    def test_a_cancel_operation_fills_the_canceled_properties(self, fake: FakeMeetBit) -> None:
        # The documented verb rule: cancel_* fills the resource's null canceled_* properties.
        assert fake.events[(12, 345)]["canceled_by_type"] is None
        with fake.client() as client:
            event = client.events.cancel_event(12, 345, cancel_note="Moved")
        assert event.canceled_by_type == "App\\Models\\Tenant\\User"  # the enum's first value
        assert event.canceled_by_id == 1
        assert fake.events[(12, 345)]["updated_at"] >= fake.events[(12, 345)]["created_at"]

    def test_add_event_takes_the_key_positionally_or_by_name(self) -> None:
        fake = FakeMeetBit()
        assert fake.key_of("events") == ("calendar_id", "event_id")
        stored = fake.add_event(12, 346, location="Room 4")
        assert fake.add_event(calendar_id=13, event_id=1)["calendar_id"] == 13
        assert (stored["id"], stored["calendar_id"], stored["location"]) == (346, 12, "Room 4")
        assert stored["attendees"][0]["email"] == "user@example.com"  # its format's example
        assert set(fake.events) == {(12, 346), (13, 1)}
        with pytest.raises(TypeError, match="calendar_id, event_id"):
            fake.add_event(12)

    def test_stored_events_are_valid_events(self, fake: FakeMeetBit) -> None:
        schema = OPERATIONS["cancel_event"].responses["200"].schema
        assert schema is not None
        compile_check(schema["properties"]["data"], python=False)(fake.events[(12, 345)], "event")

    def test_unknown_event_is_404(self, fake: FakeMeetBit) -> None:
        with (
            fake.client() as client,
            pytest.raises(meetbit.NotFoundError, match="Resource object does not exist"),
        ):
            client.events.cancel_event(12, 999, cancel_note="x")

    def test_wrong_key_is_401(self, fake: FakeMeetBit) -> None:
        with (
            fake.client(access_key_secret="wrong") as client,
            pytest.raises(meetbit.UnauthorizedError),
        ):
            client.events.cancel_event(12, 345, cancel_note="x")

    @pytest.mark.parametrize(
        ("status", "error"),
        [
            (401, meetbit.UnauthorizedError),
            (404, meetbit.NotFoundError),
            (500, meetbit.ServerError),
        ],
    )
    def test_scripted_failures(
        self, fake: FakeMeetBit, status: int, error: type[meetbit.ApiError]
    ) -> None:
        fake.fail_next(status, "scripted")
        with fake.client() as client, pytest.raises(error, match="scripted"):
            client.events.cancel_event(12, 345, cancel_note="x")

    def test_scripted_failure_for_one_operation_waits_for_it(self, fake: FakeMeetBit) -> None:
        fake.fail_next(500, "only for cancel", operation="cancel_event")
        with raw(fake) as http:
            assert http.get("/nowhere").status_code == 404  # not the operation: not consumed
            answer = http.post("/calendars/12/events/345/cancel", json={"cancel_note": "x"})
            again = http.post("/calendars/12/events/345/cancel", json={"cancel_note": "x"})
        assert (answer.status_code, answer.text) == (500, "only for cancel")
        assert again.status_code == 200
        assert [r.operation for r in fake.requests] == [None, "cancel_event", "cancel_event"]

    def test_scripted_message_defaults_to_the_spec_s(self, fake: FakeMeetBit) -> None:
        fake.fail_next(429, retry_after=7)
        with raw(fake) as http:
            answer = http.post("/calendars/12/events/345/cancel", json={"cancel_note": "x"})
        assert (answer.status_code, answer.text) == (429, "Too many requests.")
        assert answer.headers["Retry-After"] == "7"

    def test_scripting_an_unknown_operation_is_refused(self, fake: FakeMeetBit) -> None:
        with pytest.raises(ValueError, match="cancel_event"):
            fake.fail_next(500, operation="no_such_operation")

    def test_scripted_429_is_retried_after_retry_after(self, fake: FakeMeetBit) -> None:
        fake.fail_next(429, retry_after=0.2, times=2)
        with fake.client() as client:
            client.events.cancel_event(12, 345, cancel_note="x")
        times = [r.time for r in fake.requests]
        assert len(times) == 3
        assert times[1] - times[0] >= 0.2
        assert times[2] - times[1] >= 0.2

    def test_async_client(self, fake: FakeMeetBit) -> None:
        async def main() -> Any:
            async with fake.async_client() as client:
                event = await client.events.cancel_event(12, 345, cancel_note="Async")
            return event.cancel_note

        assert asyncio.run(main()) == "Async"

    def test_raw_transport_serves_plain_httpx(self, fake: FakeMeetBit) -> None:
        with httpx.Client(transport=fake.transport(), base_url="http://x") as plain:
            assert (
                plain.post(f"{PREFIX}/calendars/12/events/345/cancel", json={}).status_code == 401
            )


class TestStoresOnlyWhatTheSpecAllows:
    """add_* checks fields against the response schema; unchecked() is the way around it."""

    @pytest.mark.parametrize(
        ("fields", "says"),
        [
            ({"title": 5}, "title must be a string, not int"),
            ({"titel": "Planning"}, "titel is not a field of the resource"),
            ({"online_conference": {"title": "Call"}}, "online_conference.id is required"),
            ({"attendees": [{"email": "a@example.com"}]}, "attendees[0].name is required"),
        ],
    )
    def test_a_resource_meetbit_could_not_send_is_refused_at_add_time(
        self, fields: dict[str, Any], says: str
    ) -> None:
        fake = FakeMeetBit()
        with pytest.raises(ValueError, match=re.escape(says)) as refused:
            fake.add_event(12, 345, **fields)
        assert "unchecked()" in str(refused.value)
        assert fake.events == {}

    def test_a_key_no_route_can_address_is_refused(self) -> None:
        with pytest.raises(ValueError, match="calendar_id=0"):
            FakeMeetBit().add_event(0, 345)

    def test_unchecked_stores_it_and_the_client_refuses_the_answer(self) -> None:
        fake = FakeMeetBit()
        stored = fake.unchecked().add_event(12, 345, title=5)
        assert (stored["title"], fake.events[(12, 345)]["title"]) == (5, 5)
        with (
            fake.client() as client,
            pytest.raises(meetbit.MalformedResponseError, match="title"),
        ):
            client.events.cancel_event(12, 345, cancel_note="x")

    def test_a_complete_valid_nested_object_is_taken(
        self, online_conference_payload: dict[str, Any]
    ) -> None:
        fake = FakeMeetBit()
        fake.add_event(12, 345, online_conference=online_conference_payload)
        with fake.client() as client:
            event = client.events.cancel_event(12, 345, cancel_note="x")
        assert event.online_conference is not None
        assert event.online_conference.public_id == online_conference_payload["public_id"]


class TestValidation:
    """What MeetBit's routes and validation would refuse, sent past the client's checks."""

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            ({"cancel_note": 5}, "cancel_note must be a string, not int"),
            ({"cancel_note": "x" * 256}, "cancel_note is 256 characters long; at most 255"),
            ({}, "cancel_note is required"),
            ([], "the body must be a JSON object"),
        ],
    )
    def test_an_invalid_body_is_422_with_the_reason(
        self, fake: FakeMeetBit, body: Any, reason: str
    ) -> None:
        with raw(fake) as http:
            answer = http.post("/calendars/12/events/345/cancel", json=body)
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("text/plain")
        assert answer.text.startswith(f"The given data was invalid: {reason}")
        assert fake.events[(12, 345)]["cancel_note"] is None

    @pytest.mark.parametrize("calendar", ["1.5", "-1", "12abc", "\uff11\uff12"])
    def test_a_non_digit_integer_path_parameter_is_404(
        self, fake: FakeMeetBit, calendar: str
    ) -> None:
        with raw(fake) as http:
            answer = http.post(
                f"/calendars/{calendar}/events/345/cancel", json={"cancel_note": "x"}
            )
        assert answer.status_code == 404

    def test_a_path_parameter_out_of_range_is_422(self, fake: FakeMeetBit) -> None:
        with raw(fake) as http:
            answer = http.post("/calendars/0/events/345/cancel", json={"cancel_note": "x"})
        assert answer.status_code == 422
        assert "calendar_id is out of range: it must be at least 1" in answer.text

    def test_another_method_on_a_known_path_is_405(self, fake: FakeMeetBit) -> None:
        with raw(fake) as http:
            answer = http.get("/calendars/12/events/345/cancel")
        assert answer.status_code == 405
        assert answer.headers["Allow"] == "POST"

    def test_the_key_is_checked_before_the_route(self, fake: FakeMeetBit) -> None:
        with httpx.Client(transport=fake.transport(), base_url="http://x") as plain:
            assert plain.get(f"{PREFIX}/nowhere").status_code == 401


class TestEveryOperation:
    """Iterates the spec's operations: a spec with more of them is covered with no edit."""

    @pytest.mark.parametrize("name", sorted(OPERATIONS))
    def test_answers_with_its_documented_success(
        self, exercised: dict[str, dict[str, Any]], name: str
    ) -> None:
        result = exercised[name]
        assert result["status"] == result["expected"]
        assert result["schema_problem"] is None
        assert result["scripted"] == [404, 429, 500]
        assert result["recorded_operation"] == name

    @pytest.mark.parametrize("name", sorted(OPERATIONS))
    def test_each_broken_limit_is_422_with_the_reason(
        self, exercised: dict[str, dict[str, Any]], name: str
    ) -> None:
        violations = exercised[name]["violations"]
        assert violations, "every operation of the spec has a limit to break"
        for field, seen in violations.items():
            assert seen["fake"] == 422, (field, seen)
            assert field in seen["fake_says"]

    def test_examples_are_valid_instances_of_every_schema(self) -> None:
        for operation in OPERATIONS.values():
            for field in operation.fields:
                compile_check(field.schema, python=False)(example(field.schema), field.name)
            for response in operation.responses.values():
                if response.schema and response.media_type == "application/json":
                    compile_check(response.schema, python=False)(
                        example(response.schema), operation.name
                    )


class TestLoopbackServer:
    def test_a_real_client_over_a_real_socket(self, fake: FakeMeetBit) -> None:
        fake.fail_next(429, retry_after=0.1)
        with fake.serve() as base_url:
            assert base_url.startswith("http://127.0.0.1:")
            client = meetbit.Client(
                base_url=base_url,
                access_key_id=fake.access_key_id,
                access_key_secret=fake.access_key_secret,
            )
            with client:
                event = client.events.cancel_event(12, 345, cancel_note="Over the wire")
        assert event.cancel_note == "Over the wire"
        assert [r.path for r in fake.requests] == [f"{PREFIX}/calendars/12/events/345/cancel"] * 2

    def test_invalid_body_is_422(self, fake: FakeMeetBit) -> None:
        with fake.serve() as base_url:
            response = httpx.post(
                f"{base_url}/calendars/12/events/345/cancel",
                json={"cancel_note": 5},
                headers={
                    "X-Access-Key-Id": fake.access_key_id,
                    "X-Access-Key-Secret": fake.access_key_secret,
                },
            )
        assert response.status_code == 422
        assert "cancel_note must be a string" in response.text

    def test_server_stops_with_the_block(self, fake: FakeMeetBit) -> None:
        with fake.serve() as base_url:
            pass
        started = time.monotonic()
        with pytest.raises(httpx.ConnectError):
            httpx.get(base_url, timeout=2)
        assert time.monotonic() - started < 2


class Connection:
    """One raw keep-alive connection to the fake: bytes out, parsed answers back."""

    def __init__(self, fake: FakeMeetBit, base_url: str) -> None:
        address = urllib.parse.urlsplit(base_url)
        self.socket = socket.create_connection((address.hostname, address.port), timeout=10)
        self.keys = (
            f"X-Access-Key-Id: {fake.access_key_id}\r\n"
            f"X-Access-Key-Secret: {fake.access_key_secret}\r\n"
        )

    def send(self, head: str, body: bytes = b"") -> http.client.HTTPResponse:
        method, _, rest = head.partition(" ")
        start, _, headers = rest.partition("\r\n")
        request = f"{method} {PREFIX}{start} HTTP/1.1\r\nHost: fake\r\n{self.keys}{headers}\r\n"
        self.socket.sendall(request.encode("latin-1") + body)
        answer = http.client.HTTPResponse(self.socket, method=method)
        answer.begin()
        answer.body = answer.read()  # type: ignore[attr-defined]
        return answer

    def closed_by_server(self) -> bool:
        return self.socket.recv(1) == b""

    def close(self) -> None:
        self.socket.close()


CANCEL_PATH = "/calendars/12/events/345/cancel"


@pytest.fixture
def wire(fake: FakeMeetBit) -> Any:
    with fake.serve() as base_url:
        connection = Connection(fake, base_url)
        yield connection
        connection.close()


class TestEveryRequestOverTheWire:
    """On a real socket, every method and every framing gets MeetBit's answer, never a traceback."""

    @pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"])
    def test_a_method_the_route_lacks_is_405_with_allow(
        self, wire: Connection, method: str
    ) -> None:
        answer = wire.send(f"{method} {CANCEL_PATH}\r\nContent-Length: 0\r\n")
        assert (answer.status, answer.getheader("Allow")) == (405, "POST")
        assert answer.getheader("Content-Type", "").startswith("text/plain")
        assert b"Supported methods: POST." in answer.body  # type: ignore[attr-defined]

    def test_head_is_405_without_a_body_and_options_is_200_with_allow(
        self, wire: Connection
    ) -> None:
        head = wire.send(f"HEAD {CANCEL_PATH}\r\n")
        assert (head.status, head.getheader("Allow"), head.body) == (405, "POST", b"")  # type: ignore[attr-defined]
        options = wire.send(f"OPTIONS {CANCEL_PATH}\r\n")
        assert (options.status, options.getheader("Allow")) == (200, "POST")

    def test_a_chunked_body_is_read_and_the_connection_stays_in_step(
        self, wire: Connection, fake: FakeMeetBit
    ) -> None:
        body = b'{"cancel_note"' + b': "Chunked"}'
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:7], body[7:]))
        answer = wire.send(
            f"POST {CANCEL_PATH}\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/json\r\n",
            chunks + b"0\r\n\r\n",
        )
        assert answer.status == 200, answer.body  # type: ignore[attr-defined]
        assert fake.events[(12, 345)]["cancel_note"] == "Chunked"
        again = wire.send(f"OPTIONS {CANCEL_PATH}\r\n")
        assert again.status == 200

    @pytest.mark.parametrize(
        "framing",
        [
            "Content-Length: abc\r\n",
            "Content-Length: -1\r\n",
            "Content-Length: +5\r\n",
            "Content-Length: 5\r\nContent-Length: 6\r\n",
            "Transfer-Encoding: gzip\r\n",
            "Transfer-Encoding: chunked\r\n",  # and then no valid chunk size
        ],
    )
    def test_a_body_that_cannot_be_framed_is_400_and_the_connection_closes(
        self, wire: Connection, framing: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        answer = wire.send(f"POST {CANCEL_PATH}\r\n{framing}", b"zz\r\n{}")
        assert answer.status == 400
        assert answer.getheader("Connection") == "close"
        assert wire.closed_by_server()
        assert "Traceback" not in capfd.readouterr().err

    def test_a_body_over_the_limit_is_413_before_it_is_read(self, wire: Connection) -> None:
        answer = wire.send(f"POST {CANCEL_PATH}\r\nContent-Length: 999999999\r\n")
        assert (answer.status, answer.getheader("Connection")) == (413, "close")

    def test_a_method_that_is_no_token_is_400(self, wire: Connection) -> None:
        assert wire.send(f"GE(T {CANCEL_PATH}\r\n").status == 400

    @pytest.mark.parametrize("body", [b"{", b"[" * 100_000, b"\xff\xfe", b'{"cancel_note": NaN}'])
    def test_a_malformed_json_body_is_422_and_the_next_request_is_answered(
        self, wire: Connection, body: bytes
    ) -> None:
        answer = wire.send(
            f"POST {CANCEL_PATH}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n",
            body,
        )
        assert answer.status == 422, answer.body  # type: ignore[attr-defined]
        note = b'{"cancel_note": "x"}'
        again = wire.send(f"POST {CANCEL_PATH}\r\nContent-Length: {len(note)}\r\n", note)
        assert again.status == 200
