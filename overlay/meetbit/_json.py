"""Response bodies from JSON: msgspec's decoder when the `fast` extra installed it, else json.loads.

Every generated operation decodes its JSON body with `decode_json(response)`, so the client,
the bare generated functions and a client of the fake all read JSON in this one place.

msgspec's untyped decoder (`msgspec.json.decode`) makes the same dicts, lists, str, int,
float, bool and None as `json.loads`, in about a third of its instructions
(docs/benchmarks.md). Wherever the two would differ, msgspec refuses and httpx's
`response.json()` (json.loads) decides, so every result and every error is json.loads's own:

* `NaN`, `Infinity` and numbers beyond a float (`1e400`), which json.loads reads;
* a BOM, UTF-16 or UTF-32, and lone surrogates (`"\\ud800"`, or encoded in the bytes),
  which json.loads reads from bytes; invalid UTF-8, control characters in strings, and
  nesting too deep for either, which both refuse (json.loads's error is the one raised);
* a declared non-UTF-8 charset, which httpx before 0.26 decodes the text with (probed once,
  below); later versions ignore it, as msgspec does.

Integers of any size, duplicate keys (the last one wins) and float rounding agree; tests/
test_json_decoding.py holds both decoders to that on a battery of bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


def _standard(response: httpx.Response) -> Any:
    return response.json()


def _with_msgspec(decode: Callable[[bytes], Any]) -> Callable[[httpx.Response], Any]:
    def decode_json(response: httpx.Response) -> Any:
        try:
            return decode(response.content)
        except Exception:  # msgspec refused: json.loads decides, and raises its own error
            return response.json()

    return decode_json


def _honouring_charset(
    decode_utf8: Callable[[httpx.Response], Any],
) -> Callable[[httpx.Response], Any]:
    def decode_json(response: httpx.Response) -> Any:
        charset = response.charset_encoding
        if charset is not None and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
            return response.json()
        return decode_utf8(response)

    return decode_json


def _json_honours_charset() -> bool:
    """Whether this httpx's `Response.json()` decodes with a declared charset (before 0.26)."""
    import httpx

    latin1 = httpx.Response(
        200, content='"é"'.encode(), headers={"Content-Type": "application/json; charset=latin-1"}
    )
    return bool(latin1.json() != "é")


# What an older or a future msgspec might read differently: checked once, at import, so
# that a release that does falls back to json.loads instead of answering differently.
_AGREED = (
    (
        b"[18446744073709551616, -9223372036854775809, 1e-400, -0.0]",
        [2**64, -(2**63) - 1, 0.0, -0.0],
    ),
    (b'{"a": 1, "b": 2, "a": 3}', {"a": 3, "b": 2}),
)
_REFUSED = (b"NaN", b"1e400", b'"\\ud800"', b"\xef\xbb\xbf{}", b'"\xed\xa0\x80"')


def _agrees(decode: Callable[[bytes], Any]) -> bool:
    for body, expected in _AGREED:
        try:
            if repr(decode(body)) != repr(expected):
                return False
        except Exception:
            return False
    for body in _REFUSED:
        try:
            decode(body)
        except Exception:  # noqa: S112 - refusing is the expected outcome
            continue
        return False
    return True


def _choose() -> tuple[Callable[[httpx.Response], Any], str]:
    try:
        import msgspec
    except ImportError:  # the `fast` extra is not installed
        return _standard, "json"
    if not _agrees(msgspec.json.decode):
        return _standard, f"json (msgspec {msgspec.__version__} reads JSON differently)"
    decode = _with_msgspec(msgspec.json.decode)
    if _json_honours_charset():
        decode = _honouring_charset(decode)
    return decode, f"msgspec {msgspec.__version__}"


decode_json, DECODER = _choose()
"""`decode_json(response)`: the body as json.loads would read it; DECODER says which decoder
reads it ("msgspec 0.22.0" or "json")."""
