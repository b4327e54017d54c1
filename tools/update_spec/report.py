"""What update-spec tells the maintainer, and what it records: CHANGELOG.md and the version.

The version a spec change implies comes from the one rule (tools/versioning.py). The
change's lines go into CHANGELOG.md's unreleased section (tools/changelog.py), with a
"Breaking" bullet for each break of the public API that `make api-check` would otherwise
ask to be declared by hand, so `make test` passes after a spec update as it did before.
"""

from __future__ import annotations

from pathlib import Path

import api_check
import changelog
import versioning

from update_spec.diff import ADDED, BREAKING, INFO, Change

_ORDER = (BREAKING, ADDED, INFO)


def print_changes(changes: list[Change], stale: list[str]) -> None:
    for line in stale:
        print(f"fix no longer needed: {line} -- delete it from spec/fixes.overlay.yaml")
    visible = sorted(
        (change for change in changes if change.kind != INFO),
        key=lambda change: (change.kind != BREAKING, change.what),
    )
    info = sorted(change.what for change in changes if change.kind == INFO)
    unchanged = ":" if visible else ": unchanged for callers."
    print(f"\nChanges for callers ({len(visible)}){unchanged}")
    for change in visible:
        print(f"  {change.kind:<8}  {change.what}")
    if info:
        print(f"\nDifferences callers cannot notice through the client ({len(info)}):")
        for what in info:
            print(f"  {INFO:<8}  {what}")


def kind_of(changes: list[Change], generated_changed: bool) -> str | None:
    """The kind of change, for the rule: what a caller notices, else whether the package
    built from the tree changes at all (a fix), else none."""
    kinds = {change.kind for change in changes}
    if BREAKING in kinds:
        return versioning.BREAKING
    if ADDED in kinds:
        return versioning.ADDITION
    return versioning.FIX if generated_changed else None


def _undeclared_api_breaks(
    root: Path, decision: versioning.Decision, text: str
) -> list[api_check.Finding]:
    """Breaks of the public API since the last release that CHANGELOG does not declare yet
    (in the unreleased section the update writes to; none without a release)."""
    try:
        snapshot = api_check.latest_snapshot(root, decision.version)
    except SystemExit:
        return []
    old, new = api_check.load_snapshot(snapshot), api_check.load_tree(root)
    findings = api_check.find_breakages(old, new)
    section = decision.version if decision.released else decision.current
    declared = api_check.declared_breakages(text, section)
    unique = {finding for finding in findings if not finding.spellings & declared}
    return sorted(unique, key=lambda finding: (finding.path, finding.explanation))


def changelog_lines(
    root: Path, decision: versioning.Decision, changes: list[Change], sources: list[str]
) -> list[str]:
    """The bullets a spec update adds to CHANGELOG.md."""
    ordered = sorted(changes, key=lambda change: (_ORDER.index(change.kind), change.what))
    visible = sum(change.kind != INFO for change in changes)
    origin = ", ".join(f"spec/upstream/{name}" for name in sources)
    summary = f"{visible} change(s) for callers" if visible else "nothing callers notice"
    lines = [f"- MeetBit spec update ({origin}): {summary}."]
    lines += [f"  - {change.kind}: {change.what}" for change in ordered]
    path = root / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines += [
        f"- Breaking (MeetBit spec update): `{finding.path}`: {finding.explanation}."
        for finding in _undeclared_api_breaks(root, decision, text)
    ]
    return lines


def record(root: Path, changes: list[Change], generated_changed: bool, sources: list[str]) -> None:
    """Move the version by the rule and write the update into CHANGELOG.md; say both."""
    if not (root / versioning.VERSION_FILE).exists():  # a scratch project of specs alone
        print(f"\nVersion: not recorded, this tree has no {versioning.VERSION_FILE}.")
        return
    decision = versioning.decide(root, kind_of(changes, generated_changed))
    print(f"\nVersion: {decision.explain()}")
    if decision.kind is None:
        print("Nothing for CHANGELOG.md.")
        return
    if decision.changed:
        versioning.set_tree_version(root, decision.version)
    lines = changelog_lines(root, decision, changes, sources)
    heading = changelog.record(root / "CHANGELOG.md", decision.current, decision.version, lines)
    moved = f"{decision.current} -> {decision.version}" if decision.changed else "unchanged"
    print(
        f"Recorded: CHANGELOG.md '{heading}' ({len(lines)} line{'s' * (len(lines) != 1)}), "
        f"{versioning.VERSION_FILE} {decision.version} ({moved})."
    )
