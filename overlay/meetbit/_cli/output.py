"""What the `meetbit` command prints: a result as a table or JSON, an error as text or JSON.

Everything printed that came from the network (values, keys, error messages) has its
control characters escaped, so a hostile server or proxy cannot drive the terminal. With
`--json` every line on stderr is one JSON object too (``{"error": {...}}``, ``{"note":
"..."}``), so a script reads errors the way it reads results.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from collections.abc import Mapping
from typing import Any

# C0 and C1 controls, DEL, and the Unicode line separators and bidirectional overrides:
# what can move the cursor, ring, retitle the terminal or reorder what the operator reads.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# What JSON leaves raw: JSON escapes C0 itself.
_JSON_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with every control character written as a Python-style escape (`\\x1b`)."""

    def escape(match: re.Match[str]) -> str:
        char = match[0]
        code = ord(char)
        return _NAMED_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")

    return _CONTROLS.sub(escape, text)


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """`value` as JSON, non-ASCII kept, and what JSON leaves raw but a terminal obeys escaped."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _JSON_CONTROLS.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


def plain(result: Any) -> Any:
    """The result as JSON data (models through their to_dict)."""
    if hasattr(result, "to_dict"):
        return result.to_dict()
    if isinstance(result, list | tuple):
        return [plain(item) for item in result]
    if isinstance(result, datetime.date):
        return result.isoformat()
    return result


def _cell(value: Any) -> str:
    """A value as a table cell; JSON null, "", [] and {} each read differently.

    A string is shown as it is unless it could be read as something else (empty, space at
    either end, or the spelling of null, a boolean or a number): then it is quoted as JSON.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_cell(item) for item in value) if value else "[]"
    if isinstance(value, dict):
        return "{}"  # a non-empty one is rows of its own
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if _ambiguous(value) else value
    return str(value)


def _ambiguous(text: str) -> bool:
    if text != text.strip() or not text:
        return True
    try:
        json.loads(text)
    except ValueError:
        return False
    return True  # null, true, 12, "quoted": a bare cell would read as that value


def _rows(data: Mapping[str, Any], first: str, rest: str, rows: list[tuple[str, str]]) -> None:
    for index, (key, value) in enumerate(data.items()):
        label = (first if index == 0 else rest) + str(key)
        if isinstance(value, dict) and value:
            rows.append((label, ""))
            _rows(value, rest + "  ", rest + "  ", rows)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows.append((label, ""))
            for item in value:
                _rows(item, rest + "  - ", rest + "    ", rows)
        else:
            rows.append((label, _cell(value)))


def table(data: Any) -> str:
    """A two-column table of JSON data: nested objects and lists of objects as indented rows."""
    rows: list[tuple[str, str]] = []
    if isinstance(data, dict):
        _rows(data, "", "", rows)
    elif isinstance(data, list) and all(isinstance(item, dict) for item in data):
        for item in data:
            _rows(item, "- ", "  ", rows)
    else:
        return printable(_cell(data))
    rows = [(printable(label), printable(value)) for label, value in rows]
    width = max((len(label) for label, _ in rows), default=0)
    return "\n".join(f"{label.ljust(width)}  {value}".rstrip() for label, value in rows)


def note(message: str, *, as_json: bool) -> None:
    """A note on stderr (a deprecated spelling): a line of text, or ``{"note": ...}``."""
    if as_json:
        print(json_text({"note": message}, indent=None), file=sys.stderr)
    else:
        print(f"meetbit: note: {printable(message)}", file=sys.stderr)


def fail(
    message: str,
    code: int,
    *,
    as_json: bool,
    kind: str,
    details: Mapping[str, object] | None = None,
) -> int:
    """Report an error on stderr and return its exit code.

    With `as_json`: ``{"error": {"type": kind, "message": ..., "exit_code": code, ...}}``,
    where the details of an API error (status_code, retry_after) are fields of their own.
    """
    if as_json:
        error = {"type": kind, "message": message, "exit_code": code, **(details or {})}
        print(json_text({"error": error}, indent=None), file=sys.stderr)
    else:
        print(f"meetbit: {printable(message)}", file=sys.stderr)
    return code
