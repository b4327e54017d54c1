"""The `meetbit` command: every operation of the spec from a shell, with the client's safety.

The commands are built from `meetbit_api.operations`, so a spec change changes them with
no edit here:

    meetbit [GLOBAL FLAGS] <tag> <operation> [--<field> VALUE ...] [GLOBAL FLAGS]

* `<tag>` and `<operation>` are the spec's tag and operationId in kebab-case
  (`meetbit events cancel-event`); an operation's summary and description are its help.
* One flag per path parameter, query parameter and JSON body field: its wire name in
  kebab-case (a body field named like a parameter takes its method keyword, `--body-x`).
  Required fields are required flags. Values are typed from the schema: integers are
  ASCII digits only (`1.5` is bad input), numbers finite, booleans `true`/`false`, enums
  one of their values, date-times and dates RFC 3339 (`meetbit._schema.from_text`), arrays
  by repeating the flag, objects as JSON. A nullable field takes the word `null` to send
  JSON null. Each flag's help is the spec's description and limits.
* Values are checked against the spec's limits before anything is sent (exit 2).
* Global flags (--domain, --base-url, --access-key-id, --timeout, --json) are accepted
  before the tag or after the operation.
* Older spellings keep working, with a deprecation note on stderr: the operation's name
  without the tag's singular noun (`events cancel` for `events cancel-event`), and each
  field by its name without a trailing `_id`, or without its leading words that are also
  words of the operation's name (`--calendar`, `--event`, `--note`).

Everything printed that came from the network (error messages, values, keys) has its
control characters escaped, so a hostile server or proxy cannot drive the terminal.
"""

from __future__ import annotations

import argparse
import datetime
import getpass
import importlib
import json
import math
import os
import re
import sys
import typing
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from meetbit._errors import (
    ConfigurationError,
    InvalidRequestError,
    MeetBitError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
)
from meetbit._schema import compile_check, from_text
from meetbit._version import __version__

if TYPE_CHECKING:
    from meetbit_api.operations import Field, Operation

    from meetbit._client import Client

# Distinct exit codes, so scripts can tell what went wrong without parsing messages.
EXIT_CODES: dict[type[MeetBitError], int] = {
    InvalidRequestError: 2,  # argparse uses 2 for usage errors too
    ConfigurationError: 3,
    UnauthorizedError: 4,
    NotFoundError: 5,
    RateLimitedError: 6,
    ServerError: 7,
    NetworkError: 8,
}
OTHER_ERROR = 1
SECRET_VARIABLE = "MEETBIT_ACCESS_KEY_SECRET"  # noqa: S105 (the name of a variable)

DESCRIPTION = """\
Act on a MeetBit tenant (Public API v2.0): meetbit <resource> <operation> [flags].
Every operation of the API is a command; `meetbit <resource> --help` lists them.

Authentication: every request carries the tenant's access key, X-Access-Key-Id and
X-Access-Key-Secret. The key id comes from --access-key-id or MEETBIT_ACCESS_KEY_ID.
The secret is never taken on the command line (it would show in shell history and in
the process list): it comes from MEETBIT_ACCESS_KEY_SECRET, or from a prompt when
the terminal is interactive.

Environment:
  MEETBIT_DOMAIN             tenant's primary domain (or --domain)
  MEETBIT_ACCESS_KEY_ID      access key id (or --access-key-id)
  MEETBIT_ACCESS_KEY_SECRET  access key secret (or the prompt)
"""

EPILOG = """\
exit codes: 0 ok, 1 other error, 2 bad input, 3 configuration, 4 unauthorized,
5 not found, 6 rate limited, 7 server error, 8 network error or timeout
"""

GLOBAL_FLAGS = ("--domain", "--base-url", "--access-key-id", "--timeout", "--json")
_NULL = "null"

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


def _json_text(value: Any) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_CONTROLS.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


# --- building the parser from the operations ---------------------------------------------------


def _kebab(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", name).strip("-").lower()


def _singular(tag: str) -> str:
    if tag.endswith("ies"):
        return tag[:-3] + "y"
    return tag[:-1] if tag.endswith("s") else tag


def _old_command(operation: Operation) -> str | None:
    """The operation's name without the tag's singular noun (`cancel_event` -> `cancel`)."""
    noun = set(_singular(operation.tag).split("_"))
    words = operation.name.split("_")
    kept = [word for word in words if word not in noun]
    return _kebab("_".join(kept)) if kept and kept != words else None


def _old_flag(item: Field, operation: Operation) -> str:
    """The field without `_id`, or without leading words of the operation's name."""
    if item.name.endswith("_id") and len(item.name) > 3:
        return _kebab(item.name[:-3])
    words = item.name.split("_")
    ours = set(operation.name.split("_"))
    while len(words) > 1 and words[0] in ours:
        words.pop(0)
    return _kebab("_".join(words))


def _flags(operation: Operation) -> dict[str, Field]:
    """Each field's flag (without the dashes)."""
    flags: dict[str, Field] = {}
    for item in operation.fields:
        flag = _kebab(item.name)
        if flag in flags or f"--{flag}" in GLOBAL_FLAGS:
            flag = _kebab(item.argument)
        flags[flag] = item
    return flags


class _Converter:
    """Turn a flag's text into the value its schema asks for (argparse's `type=`)."""

    def __init__(self, schema: Mapping[str, Any], nullable: bool) -> None:
        self.schema, self.nullable = schema, nullable
        self.__name__ = schema.get("format") or schema.get("type") or "value"  # for argparse

    def __call__(self, text: str) -> Any:
        if self.nullable and text == _NULL:
            return None
        return _typed(self.schema, text)


def _typed(schema: Mapping[str, Any], text: str) -> Any:
    try:
        value = from_text(schema, text)  # the one text-to-value rule (meetbit._schema)
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
    limits = item.limits.replace("may be None", f"may be {_NULL}")
    parts = [part for part in (item.location, "required" if item.required else "", limits) if part]
    text = f"{item.description.strip()} ({'; '.join(parts)})".strip()
    return text.replace("%", "%%")  # argparse formats help with %


def _add_field(parser: argparse.ArgumentParser, names: list[str], dest: str, item: Field) -> None:
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


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return seconds


def _add_globals(parser: argparse.ArgumentParser, *, after: bool, taken: set[str]) -> None:
    """The global flags; `after` (on a subcommand) leaves them unset unless given there."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if after else value

    def add(flag: str, **settings: Any) -> None:
        if flag not in taken:
            parser.add_argument(flag, default=default(settings.pop("default", None)), **settings)

    add("--domain", help="tenant's primary domain, e.g. acme.meetbit.com[:port]")
    add("--base-url", help="full API base URL; overrides --domain (proxies, tests)")
    add("--access-key-id", help="access key id (default: $MEETBIT_ACCESS_KEY_ID)")
    add(
        "--timeout",
        type=_positive_seconds,
        default=30.0,
        help="seconds the whole call may take (default 30)",
    )
    add("--json", action="store_true", default=False, help="print the result as JSON")


def _describe(operation: Operation) -> str:
    return "\n\n".join(part for part in (operation.summary, operation.description) if part)


def _parser(operations: Mapping[str, Operation]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="meetbit",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"meetbit {__version__}")
    _add_globals(parser, after=False, taken=set())
    resources = parser.add_subparsers(dest="resource", required=True, metavar="RESOURCE")
    tags: dict[str, list[Operation]] = {}
    for operation in operations.values():
        tags.setdefault(operation.tag, []).append(operation)
    for tag, members in tags.items():
        resource = resources.add_parser(
            _kebab(tag),
            help=f"the {tag.replace('_', ' ')} operations",
            description=f"The {tag.replace('_', ' ')} operations of the MeetBit API.",
            epilog=EPILOG,
        )
        _add_globals(resource, after=True, taken=set())
        commands = resource.add_subparsers(dest="command", required=True, metavar="OPERATION")
        names = {_kebab(operation.name) for operation in members}
        old_names = [_old_command(operation) for operation in members]
        for operation, old_name in zip(members, old_names, strict=True):
            flags = _flags(operation)
            taken = {f"--{flag}" for flag in flags}
            command = commands.add_parser(
                _kebab(operation.name),
                help=operation.summary or operation.name,
                description=_describe(operation).replace("%", "%%"),
                epilog=f"global flags ({', '.join(GLOBAL_FLAGS)}) work here too\n{EPILOG}",
                formatter_class=argparse.RawDescriptionHelpFormatter,
                allow_abbrev=False,  # a new field must not change what an old abbreviation means
            )
            for flag, item in flags.items():
                _add_field(command, [f"--{flag}"], f"field:{flag}", item)
            _add_globals(command, after=True, taken=taken)
            command.set_defaults(operation=operation.name, renamed=None)
            if old_name and old_name not in names and old_names.count(old_name) == 1:
                _add_old_spelling(commands, old_name, operation, flags)
    return parser


def _add_old_spelling(
    commands: Any, old_name: str, operation: Operation, flags: dict[str, Field]
) -> None:
    """A hidden command under the old name, with the old flag names beside the new ones."""
    old_flags = {flag: _old_flag(item, operation) for flag, item in flags.items()}
    taken = set(flags) | {flag.lstrip("-") for flag in GLOBAL_FLAGS}
    unique = [old for old in old_flags.values() if list(old_flags.values()).count(old) == 1]
    new = f"meetbit {_kebab(operation.tag)} {_kebab(operation.name)}"
    command = commands.add_parser(  # no help=: not listed among the operations
        old_name,
        description=f"Deprecated spelling of '{new}' (removed in 1.0).",
        allow_abbrev=False,
    )
    renamed: dict[str, str] = {}
    for flag, item in flags.items():
        old = old_flags[flag]
        names = [f"--{flag}"]
        if old != flag and old in unique and old not in taken:
            names.insert(0, f"--{old}")
            renamed[f"--{old}"] = f"--{flag}"
        _add_field(command, names, f"field:{flag}", item)
    _add_globals(command, after=True, taken={f"--{flag}" for flag in (*flags, *renamed)})
    command.set_defaults(
        operation=operation.name, renamed=(f"{_kebab(operation.tag)} {old_name}", renamed)
    )


# --- running ------------------------------------------------------------------------------------


class _Unconfigured(Exception):
    """A setting the CLI needs is missing; the message says which flag or variable gives it."""


def _settings(arguments: argparse.Namespace, stdin: TextIO) -> dict[str, Any]:
    if arguments.base_url is None and not (arguments.domain or os.environ.get("MEETBIT_DOMAIN")):
        raise _Unconfigured(
            "no MeetBit domain: pass --domain (your tenant's primary domain, e.g. "
            "acme.meetbit.com) or set MEETBIT_DOMAIN"
        )
    key_id = arguments.access_key_id or os.environ.get("MEETBIT_ACCESS_KEY_ID")
    if not key_id:
        raise _Unconfigured("no access key id: pass --access-key-id or set MEETBIT_ACCESS_KEY_ID")
    secret = os.environ.get(SECRET_VARIABLE)
    if secret is None and stdin.isatty():
        secret = getpass.getpass("MeetBit access key secret: ")
    if secret is None:
        raise _Unconfigured(
            f"{SECRET_VARIABLE} is not set: export it, or run in a terminal to be prompted"
        )
    if not secret:
        raise _Unconfigured(f"the access key secret is empty: set {SECRET_VARIABLE} to it")
    return {
        "domain": arguments.domain,
        "base_url": arguments.base_url,
        "access_key_id": key_id,
        "access_key_secret": secret,
        "total_timeout": arguments.timeout,
    }


def _values(arguments: argparse.Namespace, operation: Operation) -> list[tuple[Field, Any]]:
    """The fields given, in the operation's order, checked against the spec's limits."""
    values: list[tuple[Field, Any]] = []
    for flag, item in _flags(operation).items():
        dest = f"field:{flag}"
        if hasattr(arguments, dest):
            value = getattr(arguments, dest)
            compile_check(item.schema, python=True)(value, f"--{flag}")
            values.append((item, value))
    return values


def _invoke(client: Client, operation: Operation, values: list[tuple[Field, Any]]) -> Any:
    """Call `client.<tag>.<operation>(path..., **others)` with the flags' values."""
    values = _as_models(operation, values)
    method = getattr(getattr(client, operation.tag), operation.name)
    path = [value for item, value in values if item.location == "path"]
    keywords = {item.argument: value for item, value in values if item.location != "path"}
    return method(*path, **keywords)


def _hints(function: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function)
    except (NameError, TypeError):  # a forward reference the module never imports at run time
        return {}


def _as_models(operation: Operation, values: list[tuple[Field, Any]]) -> list[tuple[Field, Any]]:
    """Values typed with a generated model become one (the generated code wants them).

    The flags give JSON-shaped values (a str, an int, a dict); the types come from the
    generated function's and body model's annotations, so no operation is named here.
    """
    parameters = _hints(importlib.import_module(operation.module).sync_detailed)
    body: dict[str, Any] = {}
    if operation.body_model is not None:
        models = importlib.import_module("meetbit_api.models")
        body = _hints(getattr(models, operation.body_model).__init__)
    converted = []
    for item, value in values:
        hint = (body if item.location == "body" else parameters).get(item.python_name)
        converted.append((item, _as_type(hint, value)))
    return converted


def _as_type(hint: Any, value: Any) -> Any:
    if value is None:
        return value
    # Raw enum values need nothing here: the client converts them for the generated code.
    for kind in typing.get_args(hint) or (hint,):
        if isinstance(kind, type) and hasattr(kind, "from_dict") and isinstance(value, dict):
            return kind.from_dict(value)
    return value


def _plain(result: Any) -> Any:
    """The result as JSON data (models through their to_dict)."""
    if hasattr(result, "to_dict"):
        return result.to_dict()
    if isinstance(result, list | tuple):
        return [_plain(item) for item in result]
    if isinstance(result, datetime.date):
        return result.isoformat()
    return result


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_cell(item) for item in value)
    return str(value)


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


def _fail(message: str, code: int) -> int:
    print(f"meetbit: {printable(message)}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    """Run the command; return its exit code."""
    from meetbit_api.operations import OPERATIONS

    from meetbit._client import Client

    arguments = _parser(OPERATIONS).parse_args(argv)
    operation = OPERATIONS[arguments.operation]
    if arguments.renamed is not None:
        old, flags = arguments.renamed
        new = f"{_kebab(operation.tag)} {_kebab(operation.name)}"
        renames = ", ".join(f"{old_flag} -> {new_flag}" for old_flag, new_flag in flags.items())
        print(
            f"meetbit: note: 'meetbit {old}' is deprecated; use 'meetbit {new}'"
            + (f" ({renames})" if renames else ""),
            file=sys.stderr,
        )
    try:
        values = _values(arguments, operation)
        settings = _settings(arguments, stdin or sys.stdin)
    except InvalidRequestError as error:
        return _fail(str(error), EXIT_CODES[InvalidRequestError])
    except _Unconfigured as problem:
        return _fail(str(problem), EXIT_CODES[ConfigurationError])
    try:
        with Client(**settings) as client:
            result = _plain(_invoke(client, operation, values))
    except MeetBitError as error:
        code = next((c for kind, c in EXIT_CODES.items() if isinstance(error, kind)), OTHER_ERROR)
        return _fail(str(error), code)
    if arguments.json:
        print(_json_text(result))
    elif result is not None:
        print(table(result))
    return 0


def run() -> None:
    """Console-script entry point."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`meetbit ... | head`): not an error worth a traceback.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)
