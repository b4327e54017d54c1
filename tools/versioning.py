"""The one version rule, and where a version stands: released (snapshotted) or not yet.

The rule (docs/releasing.md, "The version rule"; README's Versions section says the same):

    while 0.x:  a change that breaks callers bumps the minor; an addition or a fix, the patch
    from 1.0:   breaking bumps the major; an addition, the minor; a fix, the patch

so a service pinning `meetbit>=0.2,<0.3` gets additions and fixes and never a break.
`make update-spec` (the version a spec change implies), `make api-check` (a break since the
last release needs the version the rule gives), `make dist` (a released version's public
API is frozen) and the docs all take it from here.

A version is released when its public API snapshot, api/meetbit-X.Y.Z.json, is committed
(`make api-snapshot`, a release step): the snapshot is the record a fresh clone has
without tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

BREAKING, ADDITION, FIX = "breaking", "addition", "fix"
KINDS = (FIX, ADDITION, BREAKING)  # in increasing weight

VERSION_FILE = "overlay/meetbit/_version.py"
SNAPSHOT_DIR = "api"
SNAPSHOT_NAME = re.compile(r"^meetbit-(?P<version>\d+\.\d+\.\d+.*)\.json$")
_VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def rule(version: str) -> str:
    """The rule as it applies from `version`, in one line."""
    if Version(version).major == 0:
        return "while 0.x: breaking -> minor, addition or fix -> patch"
    return "from 1.0: breaking -> major, addition -> minor, fix -> patch"


def bump(version: str, kind: str) -> str:
    """The version after `version` for a change of `kind` (BREAKING, ADDITION or FIX)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of change: {kind!r}")
    major, minor, patch = Version(version).release[:3]
    if major == 0:
        return f"0.{minor + 1}.0" if kind == BREAKING else f"0.{minor}.{patch + 1}"
    if kind == BREAKING:
        return f"{major + 1}.0.0"
    return f"{major}.{minor + 1}.0" if kind == ADDITION else f"{major}.{minor}.{patch + 1}"


def heaviest(kinds: list[str]) -> str | None:
    """The kind that decides the bump of several changes (None: no change)."""
    present = [kind for kind in KINDS if kind in kinds]
    return present[-1] if present else None


def tree_version(root: Path) -> str:
    match = _VERSION_LINE.search((root / VERSION_FILE).read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit(f"no __version__ in {root / VERSION_FILE}")
    return match.group(1)


def set_tree_version(root: Path, version: str) -> None:
    path = root / VERSION_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(_VERSION_LINE.sub(f'__version__ = "{version}"', text, count=1), "utf-8")


def snapshots(root: Path) -> dict[Version, Path]:
    """The released versions: each committed api/meetbit-X.Y.Z.json."""
    found = {}
    for path in (root / SNAPSHOT_DIR).glob("meetbit-*.json"):
        match = SNAPSHOT_NAME.match(path.name)
        if match:
            found[Version(match["version"])] = path
    return found


def is_released(root: Path, version: str) -> bool:
    return Version(version) in snapshots(root)


def last_release(root: Path, before: str | None = None) -> str | None:
    """The newest released version (only those older than `before`, if given)."""
    versions = [v for v in snapshots(root) if before is None or v < Version(before)]
    return str(max(versions)) if versions else None


@dataclass(frozen=True)
class Decision:
    """What a change of `kind` means for the tree's version."""

    kind: str | None  # None: nothing a built package would show
    current: str  # the tree's version before
    version: str  # the tree's version after
    base: str | None  # the release the bump is counted from
    released: bool  # whether `current` is released

    @property
    def changed(self) -> bool:
        return self.version != self.current

    def explain(self) -> str:
        if self.kind is None:
            return f"no change a built package would show: {self.current} stays."
        if self.base is None:
            return f"{self.kind}; no release yet, so the first one will be {self.current}."
        needed = bump(self.base, self.kind)
        line = f"{self.kind} -> at least {needed} after {self.base} ({rule(self.base)}); "
        if self.released:
            return line + f"{self.current} is released, so the tree moves to {self.version}."
        if self.changed:
            return line + f"the unreleased {self.current} becomes {self.version}."
        return line + f"the unreleased {self.current} already covers it."


def decide(root: Path, kind: str | None) -> Decision:
    """The tree's next version for a change of `kind`, by the rule, from the last release.

    An unreleased tree version already collects the changes made since the last release:
    it moves only when this change needs more (an addition after a release is a patch; a
    break on top of it makes it the next minor while 0.x). A released one always moves.
    """
    current = tree_version(root)
    released = is_released(root, current)
    base = current if released else last_release(root, before=current)
    if kind is None or base is None:
        return Decision(kind, current, current, base, released)
    needed = bump(base, kind)
    version = needed if released else str(max(Version(current), Version(needed)))
    return Decision(kind, current, version, base, released)
