"""From an outcome to an exception, in one place (meetbit._errors): class, message, attempts.

Every failure is a typed `MeetBitError` with the server's message and the attempts made;
the request an error carries has the secret redacted. The wire tests (test_client.py,
test_transport.py) reach these through a call; here each rule is held alone.
"""

from __future__ import annotations

import httpx
import meetbit
import pytest
from clients import KEY_ID, SECRET
from meetbit._errors import (
    OUTCOME_EXTENSION,
    Outcome,
    error_class,
    error_for_failure,
    error_for_response,
    malformed,
)

pytestmark = pytest.mark.behaviour

URL = "https://acme.meetbit.com/api/public/v2.0/calendars/1/events/2/cancel"


def request(method: str = "POST") -> httpx.Request:
    headers = {"X-Access-Key-Id": KEY_ID, "X-Access-Key-Secret": SECRET}
    return httpx.Request(method, URL, headers=headers)


def response(status: int, body: bytes = b"", **outcome: object) -> httpx.Response:
    answer = httpx.Response(status, content=body, request=request())
    if outcome:
        answer.extensions[OUTCOME_EXTENSION] = Outcome(**outcome)  # type: ignore[arg-type]
    return answer


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, meetbit.UnauthorizedError),
        (404, meetbit.NotFoundError),
        (429, meetbit.RateLimitedError),
        (500, meetbit.ServerError),
        (503, meetbit.ServerError),
        (599, meetbit.ServerError),
        (400, meetbit.ApiError),
        (418, meetbit.ApiError),
        (499, meetbit.ApiError),
    ],
)
def test_each_status_has_its_error_class(status: int, kind: type[meetbit.ApiError]) -> None:
    assert error_class(status) is kind
    assert type(error_for_response(response(status), None)) is kind


def test_an_api_error_says_method_path_status_and_the_server_s_message() -> None:
    error = error_for_response(response(404, b"  Resource object\n does not exist.  "), None)
    assert isinstance(error, meetbit.ApiError)
    assert error.message == "Resource object\n does not exist."
    assert error.status_code == 404
    assert str(error) == (
        "POST /api/public/v2.0/calendars/1/events/2/cancel -> 404 Not Found: "
        "Resource object does not exist."
    )


def test_an_empty_error_body_says_so() -> None:
    error = error_for_response(response(500), None)
    assert str(error).endswith("-> 500 Internal Server Error: (empty body)")


def test_a_long_error_body_is_cut_in_the_message_not_in_error_message() -> None:
    page = b"<html>" + b"x" * 5000
    error = error_for_response(response(502, page), None)
    assert isinstance(error, meetbit.ApiError)
    assert error.message == page.decode()
    assert len(str(error)) < 1200


def test_a_body_the_client_could_not_use_is_the_message_of_its_status_s_error() -> None:
    problem = "the response body is larger than 10 bytes"
    error = error_for_response(response(429, b"x" * 20), Outcome(problem=problem, retry_after=2))
    assert isinstance(error, meetbit.RateLimitedError)
    assert error.message == f"({problem})"
    assert error.retry_after == 2
    assert str(error).endswith(f"Too Many Requests: ({problem}) (retry after 2 s)")


def test_a_429_without_retry_after_says_nothing_of_it() -> None:
    error = error_for_response(response(429, b"slow down"), Outcome())
    assert isinstance(error, meetbit.RateLimitedError)
    assert error.retry_after is None
    assert str(error).endswith("Too Many Requests: slow down")


def test_a_success_whose_body_cannot_be_used_is_malformed_with_the_response() -> None:
    attempts = [meetbit.Attempt(1, 429, None, 1.0, "retry-after")]
    error = error_for_response(
        response(200, b"x"), Outcome(attempts=attempts, problem="the gzip body is truncated")
    )
    assert isinstance(error, meetbit.MalformedResponseError)
    assert str(error) == f"POST {URL}: the gzip body is truncated"
    assert error.attempts == tuple(attempts)
    assert error.response is not None
    assert error.response.request.headers["X-Access-Key-Secret"] == "[redacted]"


def test_errors_carry_their_request_with_the_secret_redacted_and_the_id_kept() -> None:
    error = error_for_response(response(404), None)
    assert isinstance(error, meetbit.ApiError)
    sent = error.response.request
    assert sent.headers["X-Access-Key-Secret"] == "[redacted]"
    assert sent.headers["X-Access-Key-Id"] == KEY_ID
    assert SECRET not in repr(sent.headers.raw)


def test_the_carried_request_keeps_its_timeouts_and_nothing_else_it_was_sent_with() -> None:
    # Extensions hold what transports and tracing hooks attached (the original request, a
    # span, a callback): any of them may reach the secret. The timeouts say how it was sent.
    answer = response(404)
    timeouts = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}
    answer.request.extensions = {"timeout": timeouts, "trace": print, "original": request()}
    error = error_for_response(answer, None)
    assert error.response is not None
    assert error.response.request.extensions == {"timeout": timeouts}


def test_a_success_handed_over_without_a_problem_still_says_what_is_wrong() -> None:
    error = error_for_response(response(200, b"x"), None)
    assert isinstance(error, meetbit.MalformedResponseError)
    assert str(error) == f"POST {URL}: the body cannot be used"


def test_a_malformed_response_error_may_have_no_response() -> None:
    assert meetbit.MalformedResponseError("no body").response is None


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "failed (ConnectError: "),
        (httpx.ReadTimeout("read failed (slow)"), "timed out (ReadTimeout: read failed (slow))"),
        (httpx.PoolTimeout("no connection"), "timed out (PoolTimeout: no connection)"),
        (httpx.RemoteProtocolError("cut off"), "failed (RemoteProtocolError: cut off)"),
    ],
)
def test_a_transport_failure_names_the_request_and_what_failed(
    failure: httpx.TransportError, said: str
) -> None:
    attempts = [meetbit.Attempt(1, None, "ConnectError: x", 0.0, "none")]
    error = error_for_failure(failure, request("GET"), attempts)
    timed_out = isinstance(failure, httpx.TimeoutException)
    assert type(error) is (meetbit.RequestTimeoutError if timed_out else meetbit.NetworkError)
    assert str(error).startswith(f"GET {URL} {said}")
    assert error.attempts == tuple(attempts)


def test_a_malformed_body_adds_its_attempt_to_those_before_it() -> None:
    before = [meetbit.Attempt(1, 429, None, 0.5, "retry-after")]
    answer = response(200, b"{}", attempts=before)
    error = malformed("cancel_event", "data is missing", answer)
    assert str(error) == "cancel_event: malformed response: data is missing"
    assert error.attempts == (
        before[0],
        meetbit.Attempt(2, 200, "data is missing", 0.0, "none"),
    )
    assert error.response is answer


def test_a_malformed_body_without_attempts_before_is_the_first() -> None:
    error = malformed("cancel_event", "data is missing", response(200, b"{}"))
    assert error.attempts == (meetbit.Attempt(1, 200, "data is missing", 0.0, "none"),)
    assert malformed("cancel_event", "no response", None).attempts == ()
