"""The `meetbit` command: act on a MeetBit tenant from a shell, with the client's safety."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from meetbit._client import Client
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
    from meetbit_api.models import Event

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

DESCRIPTION = """\
Act on a MeetBit tenant (Public API v2.0).

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="meetbit",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"meetbit {__version__}")
    parser.add_argument("--domain", help="tenant's primary domain, e.g. acme.meetbit.com[:port]")
    parser.add_argument("--base-url", help="full API base URL; overrides --domain (proxies, tests)")
    parser.add_argument("--access-key-id", help="access key id (default: $MEETBIT_ACCESS_KEY_ID)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds the whole call may take (default 30)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as JSON instead of a table"
    )
    resources = parser.add_subparsers(dest="resource", required=True, metavar="RESOURCE")
    events = resources.add_parser("events", help="calendar events").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    cancel = events.add_parser("cancel", help="cancel an event (needs events.delete.*)")
    cancel.add_argument("--calendar", type=int, required=True, help="calendar id")
    cancel.add_argument("--event", type=int, required=True, help="event id")
    cancel.add_argument(
        "--note", required=True, help="why it is cancelled (at most 255 characters)"
    )
    return parser


def _secret(stdin: TextIO) -> str | None:
    secret = os.environ.get("MEETBIT_ACCESS_KEY_SECRET")
    if secret is None and stdin.isatty():
        secret = getpass.getpass("MeetBit access key secret: ")
    return secret


def _table(event: Event) -> str:
    rows = [
        ("id", event.id),
        ("calendar", event.calendar_id),
        ("title", event.title),
        ("start", event.start.isoformat()),
        ("end", event.end.isoformat()),
        ("cancel note", event.cancel_note),
        ("attendees", ""),
    ]
    rows += [
        (f"  {a.email}", f"{a.status.name.lower()}{' (organizer)' if a.is_organizer else ''}")
        for a in event.attendees
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(
        f"{label.ljust(width)}  {'' if value is None else value}" for label, value in rows
    )


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    """Run the command; return its exit code."""
    arguments = _parser().parse_args(argv)
    try:
        with Client(
            arguments.domain,
            base_url=arguments.base_url,
            access_key_id=arguments.access_key_id,
            access_key_secret=_secret(stdin or sys.stdin),
            total_timeout=arguments.timeout,
        ) as client:
            event = client.cancel_event(arguments.calendar, arguments.event, arguments.note)
    except MeetBitError as error:
        print(f"meetbit: {error}", file=sys.stderr)
        code = next((c for kind, c in EXIT_CODES.items() if isinstance(error, kind)), OTHER_ERROR)
        return code
    if arguments.json:
        print(json.dumps(event.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(_table(event))
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
