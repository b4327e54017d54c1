"""Contains shared errors types that can be raised from API functions"""

from __future__ import annotations

import datetime
import math


class UnexpectedStatus(Exception):
    """Raised by api functions when the response status an undocumented status and Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Unexpected status code: {status_code}\n\nResponse content:\n{content.decode(errors='ignore')}"
        )


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        # json.loads turns NaN, Infinity and out-of-range literals such as 1e400 into these.
        return "number" if math.isfinite(value) else "non-finite number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class ResponseShapeError(ValueError):
    """A response body does not have the shape the API's spec promises (raised by the models' `from_dict`).

    `path` locates the offending value from the top of the parsed document, for example
    `data.attendees[2].status` (`$` is the document itself); `problem` says what was expected
    and which JSON type came instead. Neither ever contains the value: bodies carry personal
    data, and exception messages end up in logs and bug reports.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"

    def at(self, location: str) -> ResponseShapeError:
        """Prefix the path with where the failing value sits in its parent; returns self, to re-raise.

        A nested model or list item reports its path relative to itself; each level that catches
        the error on its way up adds its own step, so the happy path pays nothing for paths.
        """
        if self.path == "$":
            self.path = location
        elif self.path.startswith("["):
            self.path = location + self.path
        else:
            self.path = f"{location}.{self.path}"
        self.args = (self.path, self.problem)
        return self

    @classmethod
    def wrong_type(
        cls, path: str, expected: str, value: object, enum: str = ""
    ) -> ResponseShapeError:
        """`expected integer, got string` (with `enum`: `not a valid Status: expected integer, got string`)."""
        problem = f"expected {expected}, got {_json_type(value)}"
        return cls(path, f"not a valid {enum}: {problem}" if enum else problem)

    @classmethod
    def bad_format(cls, path: str, expected: str, value: object) -> ResponseShapeError:
        """A string in the wrong format (`expected an ISO 8601 date-time`), or not a string at all."""
        if isinstance(value, str):
            return cls(path, f"expected {expected}")
        return cls(path, f"expected {expected}, got {_json_type(value)}")

    @classmethod
    def missing_field(cls, path: str) -> ResponseShapeError:
        return cls(path, "required field is missing")


def rfc3339_date_time(value: object, path: str) -> datetime.datetime:
    """A date-time datetime.fromisoformat refused, read by RFC 3339 (a lowercase `t` and `z` too).

    Only reached when the fast parse failed (the text did not match the RFC 3339 grammar,
    or fromisoformat refused it), so the common case pays nothing for it. The
    rule has one home, the client's schema module (meetbit._schema), imported here on
    first use: the generated package ships inside the meetbit distribution.
    """
    from meetbit._schema import parse_datetime

    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:
            pass
    raise ResponseShapeError.bad_format(path, "an ISO 8601 date-time", value)


__all__ = ["ResponseShapeError", "UnexpectedStatus", "rfc3339_date_time"]
