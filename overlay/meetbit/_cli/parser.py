"""The pieces of the `meetbit` command line: flags from the operation metadata, global flags.

A flag is a field's wire name in kebab-case (`eventTypeId` and `event_type_id` are both
`--event-type-id`); its value is typed from the field's schema, and its help is the spec's
description and limits. Nothing here names an operation or a field.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from meetbit._cli.output import fail
from meetbit._environment import ENVIRONMENT
from meetbit._errors import ConfigurationError

if TYPE_CHECKING:
    from meetbit_api.operations import Field, Operation

GLOBAL_FLAGS = ("--domain", "--base-url", "--access-key-id", "--timeout", "--json")
NULL = "null"
"""How a flag sends JSON null to a nullable field."""
SECRET_FLAG = "--access-key-secret"  # noqa: S105 (the name of a flag no one may use)

# A lowercase letter or digit before a capital (eventType -> event-Type), and a run of
# capitals before a capital and a lowercase letter (HTTPServer -> HTTP-Server).
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def kebab(name: str) -> str:
    """A spec name as a command or flag: `eventTypeId`, `event_type_id` -> `event-type-id`."""
    return re.sub(r"[^0-9A-Za-z]+", "-", _WORD_BOUNDARY.sub("-", name)).strip("-").lower()


def flags(operation: Operation) -> dict[str, Field]:
    """Each field's flag (without the dashes); a clash takes the method's keyword instead."""
    found: dict[str, Field] = {}
    for item in operation.fields:
        flag = kebab(item.name)  # the whole body has no name: its keyword (`--body`)
        if not flag or flag in found or f"--{flag}" in GLOBAL_FLAGS:
            flag = kebab(item.argument)
        found[flag] = item
    return found


class _Converter:
    """Turn a flag's text into the value its schema asks for (argparse's `type=`)."""

    def __init__(self, schema: Mapping[str, Any], nullable: bool) -> None:
        self.schema, self.nullable = schema, nullable
        self.__name__ = schema.get("format") or schema.get("type") or "value"  # for argparse

    def __call__(self, text: str) -> Any:
        if self.nullable and text == NULL:
            return None
        return _typed(self.schema, text)


def _typed(schema: Mapping[str, Any], text: str) -> Any:
    from meetbit._schema import from_text  # the one text -> value rule, shared with the fake

    try:
        value = from_text(schema, text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    allowed = schema.get("enum")
    if allowed is not None and value not in allowed:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not one of: {', '.join(str(v) for v in allowed)}"
        )
    return value


def _metavar(schema: Mapping[str, Any]) -> str:
    if "enum" in schema:
        return "{" + ",".join(str(value) for value in schema["enum"]) + "}"
    kind, shape = schema.get("type"), schema.get("format")
    if kind == "string" and shape in ("date-time", "date"):
        return str(shape).upper()
    return {"integer": "INT", "number": "NUMBER", "boolean": "true|false", "object": "JSON"}.get(
        kind or "", "TEXT"
    )


def _help(item: Field) -> str:
    limits = item.limits.replace("may be None", f"may be {NULL}")
    parts = [part for part in (item.location, "required" if item.required else "", limits) if part]
    text = f"{item.description.strip()} ({'; '.join(parts)})".strip()
    return text.replace("%", "%%")  # argparse formats help with %


def add_field(parser: argparse.ArgumentParser, names: list[str], dest: str, item: Field) -> None:
    """The flag (or flags: `names`) of one field, typed and checked as its schema says."""
    schema = item.schema
    many = schema.get("type") == "array"
    inner = schema.get("items", {}) if many else schema
    parser.add_argument(
        *names,
        dest=dest,
        type=_Converter(inner, bool(schema.get("nullable") or inner.get("nullable"))),
        action="append" if many else "store",
        required=item.required,
        default=argparse.SUPPRESS,
        metavar=_metavar(inner),
        help=_help(item) + (" (repeat for each item)" if many else ""),
    )


def _total_timeout(text: str) -> float:
    # Text to a number here; whether the number will do is the configuration's rule
    # (loaded here: _config brings httpx, which `meetbit --help` does without).
    from meetbit._config import checked_total_timeout

    try:
        return checked_total_timeout(float(text))
    except (ValueError, ConfigurationError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds") from None


def add_globals(parser: argparse.ArgumentParser, *, after: bool, taken: set[str]) -> None:
    """The global flags; `after` (on a subcommand) leaves them unset unless given there."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if after else value

    def add(flag: str, **settings: Any) -> None:
        if flag not in taken:
            parser.add_argument(flag, default=default(settings.pop("default", None)), **settings)

    add("--domain", help=f"tenant's primary domain, e.g. acme.meetbit.com[:port] "
                         f"(default: ${ENVIRONMENT['domain']})")  # fmt: skip
    add("--base-url", help=f"full API base URL; overrides --domain (proxies, tests; "
                           f"default: ${ENVIRONMENT['base_url']})")  # fmt: skip
    add("--access-key-id", help=f"access key id (default: ${ENVIRONMENT['access_key_id']})")
    add(
        "--timeout",
        type=_total_timeout,
        default=30.0,
        help="seconds the whole call may take (default 30)",
    )
    add("--json", action="store_true", default=False, help="print the result and errors as JSON")


# --- argparse, told what to list and how to report -------------------------------------------


class _Listed:
    """Subcommand names for argparse: all are accepted, the hidden ones are never listed."""

    def __init__(self, parsers: Mapping[str, object], hidden: set[str]) -> None:
        self._parsers, self._hidden = parsers, hidden

    def __contains__(self, name: object) -> bool:
        return name in self._parsers

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._parsers if name not in self._hidden)


class Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """argparse's subcommands, some of them hidden: not in help, nor in "choose from"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hidden: set[str] = set()
        # argparse checks a subcommand with `in choices` and lists `choices` in its error:
        # a live view of every parser that leaves the hidden ones out of the list.
        self.choices = _Listed(self._name_parser_map, self._hidden)  # type: ignore[assignment]

    def hide(self, name: str) -> None:
        self._hidden.add(name)


class Parser(argparse.ArgumentParser):
    """argparse's parser; with `json_errors`, usage errors are one JSON object on stderr."""

    json_errors = False

    def error(self, message: str) -> NoReturn:
        if not self.json_errors:
            super().error(message)
        fail(f"{self.prog}: {message}", 2, as_json=True, kind="UsageError")
        sys.exit(2)


class JsonErrorsParser(Parser):
    json_errors = True


def secret_flag(argv: list[str]) -> str | None:
    """Why a command line that tries to give the secret is refused (the value is never shown)."""
    for word in argv:
        if word == "--":
            break
        name = word.partition("=")[0]
        if len(name) > len("--access-key-") and SECRET_FLAG.startswith(name):
            return (
                f"{SECRET_FLAG} is not accepted: the secret never comes from the command line, "
                "where shell history and the process list (ps) would show it to others; "
                f"set {ENVIRONMENT['access_key_secret']}, or run in a terminal to be prompted"
            )
    return None
