"""CHANGELOG.md's sections: find one by version, and write the unreleased one.

A section is a `## X.Y.Z — ...` heading and the lines up to the next `## ` heading. The
section being prepared is `## X.Y.Z — unreleased` for the tree's version; tools write into
it (make update-spec: what a spec update changes for callers), people add the client's own
changes, and the release replaces "unreleased" with the date (docs/releasing.md).
"""

from __future__ import annotations

import re
from pathlib import Path

UNRELEASED = "unreleased"


def _heading(version: str) -> re.Pattern[str]:
    return re.compile(rf"^## {re.escape(version)}(?:[ \t][^\n]*)?$", re.MULTILINE)


def section(text: str, version: str) -> str | None:
    """The body of the section for `version` (None: there is none)."""
    heading = _heading(version).search(text)
    if heading is None:
        return None
    following = re.compile(r"^## ", re.MULTILINE).search(text, heading.end())
    return text[heading.end() : following.start() if following else len(text)]


def record(path: Path, old: str, new: str, lines: list[str]) -> str:
    """Append `lines` to the unreleased section for `new`; return its heading.

    The section is `old`'s unreleased one renamed to `new` when there is one, else a new
    section opened above the newest one (after a release, `old`'s section carries a date).
    """
    text = path.read_text(encoding="utf-8") if path.exists() else "# Changelog\n"
    title = f"## {new} — {UNRELEASED}"
    current = _heading(old).search(text)
    if current is not None and current.group(0).endswith(UNRELEASED):
        text = text[: current.start()] + title + text[current.end() :]
    elif _heading(new).search(text) is None:
        first = re.compile(r"^## ", re.MULTILINE).search(text)
        at = first.start() if first else len(text)
        text = text[:at].rstrip("\n") + f"\n\n{title}\n\n" + text[at:]
    heading = _heading(new).search(text)
    assert heading is not None
    following = re.compile(r"^## ", re.MULTILINE).search(text, heading.end())
    end = following.start() if following else len(text)
    body = text[heading.end() : end].rstrip("\n")
    rest = "\n" + text[end:] if following else ""
    added = "".join(f"{line}\n" for line in lines)
    text = text[: heading.end()] + body + "\n\n" + added + rest
    path.write_text(text, encoding="utf-8")
    return title


def close(path: Path, version: str, day: str) -> bool:
    """Date `version`'s unreleased section (the release); False when there is none."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    heading = f"## {version} — {UNRELEASED}"
    if not re.search(rf"^{re.escape(heading)}$", text, re.MULTILINE):
        return False
    path.write_text(text.replace(heading, f"## {version} — {day}", 1), encoding="utf-8")
    return True


def reopen(path: Path, version: str, day: str) -> None:
    """Undo `close`."""
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(f"## {version} — {day}", f"## {version} — {UNRELEASED}", 1), encoding="utf-8"
    )
