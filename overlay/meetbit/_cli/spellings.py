"""The 0.1 spellings of the commands, kept working (with a note) until 1.0 and never listed.

An operation's old command is its name without the tag's singular noun (`events cancel`
for `events cancel-event`); a field's old flag is its name without a trailing `_id`, or
without its leading words that are also words of the operation's name (`--calendar`,
`--event`, `--note`). Each is a hidden subcommand beside the new one: it takes the old
flags and the new, and says what to use instead.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from meetbit._cli.parser import GLOBAL_FLAGS, add_field, add_globals, kebab

if TYPE_CHECKING:
    from meetbit_api.operations import Field, Operation


def _singular(tag: str) -> str:
    if tag.endswith("ies"):
        return tag[:-3] + "y"
    return tag[:-1] if tag.endswith("s") else tag


def old_command(operation: Operation) -> str | None:
    """The operation's name without the tag's singular noun (`cancel_event` -> `cancel`)."""
    noun = set(_singular(operation.tag).split("_"))
    words = operation.name.split("_")
    kept = [word for word in words if word not in noun]
    return kebab("_".join(kept)) if kept and kept != words else None


def _old_flag(item: Field, operation: Operation) -> str:
    """The field without `_id`, or without leading words of the operation's name."""
    if item.name.endswith("_id") and len(item.name) > 3:
        return kebab(item.name[:-3])
    words = item.name.split("_")
    ours = set(operation.name.split("_"))
    while len(words) > 1 and words[0] in ours:
        words.pop(0)
    return kebab("_".join(words))


def add_old_spelling(
    commands: Any, old_name: str, operation: Operation, flags: dict[str, Field]
) -> None:
    """A hidden command under the old name, with the old flag names beside the new ones."""
    old_flags = {flag: _old_flag(item, operation) for flag, item in flags.items()}
    taken = set(flags) | {flag.lstrip("-") for flag in GLOBAL_FLAGS}
    unique = [old for old in old_flags.values() if list(old_flags.values()).count(old) == 1]
    new = f"meetbit {kebab(operation.tag)} {kebab(operation.name)}"
    command: argparse.ArgumentParser = commands.add_parser(  # no help=: not listed
        old_name,
        description=f"Deprecated spelling of '{new}' (removed in 1.0).",
        allow_abbrev=False,
    )
    commands.hide(old_name)
    renamed: dict[str, str] = {}
    for flag, item in flags.items():
        old = old_flags[flag]
        names = [f"--{flag}"]
        if old != flag and old in unique and old not in taken:
            names.insert(0, f"--{old}")
            renamed[f"--{old}"] = f"--{flag}"
        add_field(command, names, f"field:{flag}", item)
    add_globals(command, after=True, taken={f"--{flag}" for flag in (*flags, *renamed)})
    command.set_defaults(
        operation=operation.name, renamed=(f"{kebab(operation.tag)} {old_name}", renamed)
    )


def deprecation(old: str, new: str, flags: dict[str, str]) -> str:
    """What a command given in its old spelling says on stderr."""
    renames = ", ".join(f"{old_flag} -> {new_flag}" for old_flag, new_flag in flags.items())
    return f"'meetbit {old}' is deprecated; use 'meetbit {new}'" + (
        f" ({renames})" if renames else ""
    )
