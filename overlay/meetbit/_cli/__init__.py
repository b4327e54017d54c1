"""The `meetbit` command: every operation of the spec from a shell, with the client's safety.

The commands are built from `meetbit_api.operations`, so a spec change changes them with
no edit here:

    meetbit [GLOBAL FLAGS] <tag> <operation> [--<field> VALUE ...] [GLOBAL FLAGS]

* `<tag>` and `<operation>` are the spec's tag and operationId in kebab-case
  (`meetbit events cancel-event`); an operation's summary and description are its help.
* One flag per path parameter, query parameter and JSON body field: its wire name in
  kebab-case, camelCase split into words (`eventTypeId` is `--event-type-id`); a body
  field named like a parameter takes its method keyword (`--body-x`). Required fields are
  required flags. Values are typed from the schema: integers are ASCII digits only (`1.5`
  is bad input), numbers finite, booleans `true`/`false`, enums one of their values,
  date-times and dates RFC 3339 (meetbit._schema), arrays by repeating the flag,
  objects as JSON. A nullable field takes the word `null` to send JSON null. Each flag's
  help is the spec's description and limits.
* Values are checked against the spec's limits before anything is sent (exit 2).
* Global flags (--domain, --base-url, --access-key-id, --timeout, --json) are accepted
  before the tag or after the operation. Where they are left out, the settings come from
  the environment as for `meetbit.Client()` (meetbit._config resolves both).
* The 0.1 spellings keep working, unlisted, with a note (`meetbit._cli.spellings`).

Modules: `parser` (flags from the metadata), `call` (flags to a checked call), `output`
(tables, JSON, errors), `spellings` (the 0.1 names, until 1.0).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from meetbit._cli import call, output
from meetbit._cli.output import printable, table
from meetbit._cli.parser import (
    GLOBAL_FLAGS,
    Commands,
    JsonErrorsParser,
    Parser,
    add_field,
    add_globals,
    flags,
    kebab,
    secret_flag,
)
from meetbit._cli.spellings import add_old_spelling, deprecation, old_command
from meetbit._environment import ENVIRONMENT
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
from meetbit._version import __version__

if TYPE_CHECKING:
    from meetbit_api.operations import Field, Operation

    from meetbit._config import Config, Options

__all__ = ["EXIT_CODES", "main", "printable", "run", "table"]

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
USAGE_ERROR = 2

DESCRIPTION = f"""\
Act on a MeetBit tenant (Public API v2.0): meetbit <resource> <operation> [flags].
Every operation of the API is a command; `meetbit <resource> --help` lists them.

Authentication: every request carries the tenant's access key, X-Access-Key-Id and
X-Access-Key-Secret. The key id comes from --access-key-id or {ENVIRONMENT["access_key_id"]}.
The secret is never taken on the command line (it would show in shell history and in
the process list): it comes from {ENVIRONMENT["access_key_secret"]}, or from a prompt when
the terminal is interactive.

Environment (a flag wins over its variable):
  {ENVIRONMENT["domain"]}             tenant's primary domain (or --domain)
  {ENVIRONMENT["base_url"]}           full API base URL, over the domain (or --base-url)
  {ENVIRONMENT["access_key_id"]}      access key id (or --access-key-id)
  {ENVIRONMENT["access_key_secret"]}  access key secret (or the prompt)
"""

EPILOG = """\
exit codes: 0 ok, 1 other error, 2 bad input, 3 configuration, 4 unauthorized,
5 not found, 6 rate limited, 7 server error, 8 network error or timeout
"""

# How the command names the settings a user leaves out. The secret has no flag: its
# message is the command's own (see _config).
_FLAGS = {"domain": "--domain", "base_url": "--base-url", "access_key_id": "--access-key-id"}


def _flag(setting: str) -> str:
    return _FLAGS.get(setting, "the prompt")


def build_parser(
    operations: Mapping[str, Operation], *, json_errors: bool = False
) -> argparse.ArgumentParser:
    """The command line: a subcommand per tag, one per operation under it, a flag per field."""
    parser = (JsonErrorsParser if json_errors else Parser)(
        prog="meetbit",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"meetbit {__version__}")
    add_globals(parser, after=False, taken=set())
    resources = parser.add_subparsers(
        dest="resource", required=True, metavar="RESOURCE", action=Commands
    )
    tags: dict[str, list[Operation]] = {}
    for operation in operations.values():
        tags.setdefault(operation.tag, []).append(operation)
    for tag, members in tags.items():
        resource = resources.add_parser(
            kebab(tag),
            help=f"the {tag.replace('_', ' ')} operations",
            description=f"The {tag.replace('_', ' ')} operations of the MeetBit API.",
            epilog=EPILOG,
        )
        add_globals(resource, after=True, taken=set())
        commands = resource.add_subparsers(
            dest="command", required=True, metavar="OPERATION", action=Commands
        )
        assert isinstance(commands, Commands)
        _add_operations(commands, members)
    return parser


def _add_operations(commands: Commands, members: list[Operation]) -> None:
    names = {kebab(operation.name) for operation in members}
    old_names = [old_command(operation) for operation in members]
    for operation, old_name in zip(members, old_names, strict=True):
        fields = flags(operation)
        command = commands.add_parser(
            kebab(operation.name),
            help=operation.summary or operation.name,
            description=_describe(operation).replace("%", "%%"),
            epilog=f"global flags ({', '.join(GLOBAL_FLAGS)}) work here too\n{EPILOG}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,  # a new field must not change what an old abbreviation means
        )
        for flag, item in fields.items():
            add_field(command, [f"--{flag}"], f"field:{flag}", item)
        add_globals(command, after=True, taken={f"--{flag}" for flag in fields})
        command.set_defaults(operation=operation.name, renamed=None)
        if old_name and old_name not in names and old_names.count(old_name) == 1:
            add_old_spelling(commands, old_name, operation, fields)


def _describe(operation: Operation) -> str:
    return "\n\n".join(part for part in (operation.summary, operation.description) if part)


def _config(arguments: argparse.Namespace, stdin: TextIO) -> Config:
    """The client's settings from the flags and the environment, through the client's rules.

    A secret the environment does not give is asked for at a terminal, once everything
    else is known to be there.
    """
    # Here, not at the top: _config brings httpx, which `meetbit --help` does without.
    from meetbit._config import Config, MissingSettingError

    given: Options = {
        "domain": arguments.domain,
        "base_url": arguments.base_url,
        "access_key_id": arguments.access_key_id,
        "total_timeout": arguments.timeout,
    }
    try:
        return Config.resolve(spelling=_flag, **given)
    except MissingSettingError as missing:
        if missing.setting != "access_key_secret":
            raise
        if not stdin.isatty():
            raise ConfigurationError(
                f"{ENVIRONMENT['access_key_secret']} is not set: export it, or run in a "
                "terminal to be prompted"
            ) from None
    prompted: Options = {
        **given,
        "access_key_secret": getpass.getpass("MeetBit access key secret: "),
    }
    return Config.resolve(spelling=_flag, **prompted)


def _error_details(error: MeetBitError) -> dict[str, object]:
    details: dict[str, object] = {}
    for name in ("status_code", "retry_after"):
        if hasattr(error, name):
            details[name] = getattr(error, name)
    return details


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    """Run the command; return its exit code."""
    from meetbit_api.operations import OPERATIONS

    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv
    refused = secret_flag(argv)
    if refused is not None:
        return output.fail(refused, USAGE_ERROR, as_json=as_json, kind="UsageError")
    arguments = build_parser(OPERATIONS, json_errors=as_json).parse_args(argv)
    operation = OPERATIONS[arguments.operation]
    if arguments.renamed is not None:
        old, renamed = arguments.renamed
        new = f"{kebab(operation.tag)} {kebab(operation.name)}"
        output.note(deprecation(old, new, renamed), as_json=as_json)
    try:
        given = call.values(arguments, flags(operation))
        config = _config(arguments, stdin or sys.stdin)
        result = _run(config, operation, given)
    except MeetBitError as error:
        kind = next((k for k in EXIT_CODES if isinstance(error, k)), None)
        code = OTHER_ERROR if kind is None else EXIT_CODES[kind]
        return output.fail(
            str(error),
            code,
            as_json=as_json,
            kind=type(error).__name__,
            details=_error_details(error),
        )
    if arguments.json:
        print(output.json_text(result))
    elif result is not None:
        print(table(result))
    return 0


def _run(config: Config, operation: Operation, given: list[tuple[str, Field, object]]) -> object:
    from meetbit._client import Client

    with Client._from_config(config) as client:
        return output.plain(call.invoke(client, operation, given))


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
