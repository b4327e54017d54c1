"""Response bodies decode to the same values and errors with msgspec (the fast extra) as without.

meetbit._json decodes every operation's JSON body: msgspec's decoder when it is importable,
json.loads (httpx's `response.json()`) otherwise. Each body here is decoded in this process
(msgspec installed: .venv and every other Python's venv) and in a subprocess where msgspec
cannot be imported; the two must agree on every value, type and error. The
oldest-dependencies run (make test-min-deps) has no msgspec at all.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import httpx
import meetbit
import meetbit._json
import pytest
from clients import make_client
from conftest import EVENT
from meetbit_api.api.events import cancel_event
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour

with_msgspec = pytest.mark.skipif(
    meetbit._json.DECODER == "json", reason="msgspec (the fast extra) is not installed here"
)

JSON = "application/json"
BODIES: list[tuple[bytes, str]] = [
    (json.dumps({"message": "Event canceled.", "data": EVENT}).encode(), JSON),
    (b'{"n": 18446744073709551616, "m": -9223372036854775809, "big": 1' + b"0" * 80 + b"}", JSON),
    (b"123456789012345678901234567890.5", JSON),
    (b"[NaN, Infinity, -Infinity]", JSON),
    (b"1e400", JSON),
    (b"-1e400", JSON),
    (b"1.7976931348623159e308", JSON),
    (b"[1e-400, -0, -0.0, 1E2, 0.1, 2.2250738585072011e-308, 9007199254740993.0]", JSON),
    (b'{"a": 1, "b": 2, "a": 3}', JSON),  # duplicate keys: the last one wins
    (b'"\xff"', JSON),  # invalid UTF-8
    (b'"\xc0\xaf"', JSON),
    (b'"\xf0\x9f\x98"', JSON),
    (b'"\xed\xa0\x80"', JSON),  # a lone surrogate, encoded
    (b'"\\ud800" ', JSON),  # a lone surrogate, escaped
    (b'{"\\udc00x": "\\ud83d\\ude00"}', JSON),
    (b"\xef\xbb\xbf{}", JSON),  # a BOM
    (b"\xef\xbb\xbf{}", JSON + "; charset=utf-8"),
    ('{"a": "é"}'.encode("utf-16"), JSON),
    ('{"a": "é"}'.encode("utf-32"), JSON),
    ('{"a": "é"}'.encode(), JSON + "; charset=utf-8"),
    ('{"a": "é"}'.encode(), JSON + "; charset=latin-1"),  # decoded by it before httpx 0.26
    ('{"a": "é"}'.encode("latin-1"), JSON + "; charset=iso-8859-1"),
    (b'"a\x01b"', JSON),  # a control character in a string
    (b'"a\x7fb"', JSON),
    (b"[1,2] x", JSON),
    (b"[1,]", JSON),
    (b"", JSON),
    (b"  ", JSON),
    (b"tru", JSON),
    (b"01", JSON),
    (b"\x0c[1]", JSON),
    (b"\t[1]\r\n", JSON),
    (b"[" * 5000 + b"]" * 5000, JSON),  # too deep for msgspec; json.loads reads it on 3.13
    (b"[" * 100_000 + b"]" * 100_000, JSON),  # too deep for either
    (b'{"a":' * 1500 + b"1" + b"}" * 1500, JSON),
]


def outcome(decode: Any, body: bytes, content_type: str) -> str:
    """What decoding gives, as comparable text: the value's repr with its types, or the error."""
    response = httpx.Response(200, content=body, headers={"Content-Type": content_type})
    try:
        value = decode(response)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return typed(value)


_CLOSE = {"]": object(), "}": object()}


def typed(value: Any) -> str:
    """The value with every item's type, without recursion (a body may nest thousands deep)."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if any(item is mark for mark in _CLOSE.values()):
            out.append("]" if item is _CLOSE["]"] else "}")
        elif isinstance(item, dict):
            out.append("{")
            stack.append(_CLOSE["}"])
            for key, member in reversed(item.items()):
                stack += [member, f"key:{key!r}"]
        elif isinstance(item, list):
            out.append("[")
            stack.append(_CLOSE["]"])
            stack += reversed(item)
        elif isinstance(item, float) and math.isnan(item):
            out.append("float:nan,")
        elif isinstance(item, str) and item.startswith("key:") and stack:
            out.append(item + "=")
        else:
            out.append(f"{type(item).__name__}:{item!r},")
    return "".join(out)


WITHOUT_MSGSPEC = """
import sys, json
sys.modules["msgspec"] = None  # as if the fast extra were not installed
sys.path[:0] = json.loads(sys.argv[1])
import meetbit._json
from test_json_decoding import BODIES, outcome
print(json.dumps([meetbit._json.DECODER, [outcome(meetbit._json.decode_json, *b) for b in BODIES]]))
"""


def decoded_without_msgspec() -> tuple[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_MSGSPEC, json.dumps(sys.path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    decoder, outcomes = json.loads(result.stdout)
    return decoder, outcomes


@with_msgspec
def test_msgspec_and_json_loads_agree_on_every_body() -> None:
    assert meetbit._json.DECODER.startswith("msgspec ")
    decoder, without = decoded_without_msgspec()
    assert decoder == "json"
    with_ = [outcome(meetbit._json.decode_json, *body) for body in BODIES]
    for body, fast, standard in zip(BODIES, with_, without, strict=True):
        assert fast == standard, body
    # ... and both are what httpx's own response.json() gives.
    assert with_ == [outcome(httpx.Response.json, *body) for body in BODIES]
    # The battery has bodies each side accepts and refuses.
    assert any(":" in item and "Error" not in item for item in with_)
    assert any(item.startswith("JSONDecodeError") for item in with_)
    assert any(item.startswith("UnicodeDecodeError") for item in with_)
    assert any(item.startswith("RecursionError") for item in with_)


def test_without_msgspec_bodies_are_what_response_json_gives() -> None:
    if meetbit._json.DECODER == "json":
        decode = meetbit._json.decode_json
    else:
        decoder, outcomes = decoded_without_msgspec()
        assert decoder == "json"
        assert outcomes == [outcome(httpx.Response.json, *body) for body in BODIES]
        return
    assert decode is meetbit._json._standard
    assert [outcome(decode, *body) for body in BODIES] == [
        outcome(httpx.Response.json, *body) for body in BODIES
    ]


def test_every_operation_decodes_through_the_one_function() -> None:
    assert cancel_event.decode_json is meetbit._json.decode_json


def test_a_charset_is_honoured_where_this_httpx_honours_it() -> None:
    """httpx before 0.26 decodes a declared charset's text; msgspec only reads UTF-8."""
    version = tuple(int(part) for part in httpx.__version__.split(".")[:2])
    assert meetbit._json._json_honours_charset() is (version < (0, 26))


@with_msgspec
def test_a_release_of_msgspec_that_reads_json_differently_is_not_used() -> None:
    import msgspec

    assert meetbit._json._agrees(msgspec.json.decode)
    assert not meetbit._json._agrees(json.loads)  # it reads NaN
    as_floats = lambda body: json.loads(body, parse_int=float)  # noqa: E731
    assert not meetbit._json._agrees(as_floats)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xef\xbb\xbf" + json.dumps({"message": "ok", "data": EVENT}).encode(), JSON),
        (json.dumps({"message": "ok", "data": EVENT}).encode("utf-16"), JSON),
        (json.dumps({"message": "ok", "data": EVENT}, ensure_ascii=False).encode(), JSON),
    ],
)
def test_a_body_only_json_loads_reads_still_parses(
    server: WireServer, body: bytes, content_type: str
) -> None:
    server.queue(Reply(200, body, {"Content-Type": content_type}))
    with make_client(server) as client:
        event = client.events.cancel_event(12, 345, cancel_note="x")
    assert event.id == EVENT["id"]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("NaN", "data.id: expected integer or null, got non-finite number"),
        ("1e400", "data.id: expected integer or null, got non-finite number"),
        ("18446744073709551616", None),  # beyond 64 bits: an int, in range of no check here
    ],
)
def test_what_msgspec_refuses_is_judged_as_json_loads_reads_it(
    server: WireServer, raw: str, problem: str | None
) -> None:
    body = json.dumps({"message": "ok", "data": {**EVENT, "id": "RAW"}}).replace('"RAW"', raw)
    server.queue(Reply(200, body.encode(), {"Content-Type": JSON}))
    with make_client(server) as client:
        if problem is None:
            assert client.events.cancel_event(12, 345, cancel_note="x").id == int(raw)
            return
        with pytest.raises(meetbit.MalformedResponseError) as raised:
            client.events.cancel_event(12, 345, cancel_note="x")
    assert problem in str(raised.value)


def test_a_body_neither_reads_is_malformed_with_json_loads_words(server: WireServer) -> None:
    body = b'{"message": "ok", "data": [1,]}'
    with pytest.raises(json.JSONDecodeError) as refused:
        json.loads(body)
    error = refused.value
    server.queue(Reply(200, body, {"Content-Type": JSON}))
    with make_client(server) as client, pytest.raises(meetbit.MalformedResponseError) as raised:
        client.events.cancel_event(12, 345, cancel_note="x")
    words = f"the body is not JSON ({error.msg} at line {error.lineno} column {error.colno})"
    assert words in str(raised.value)
