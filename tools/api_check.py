"""Check the public API against the last release's snapshot, by the version rule.

Usage:
    python tools/api_check.py check [--root DIR]      (make api-check, part of make test)
    python tools/api_check.py release [--root DIR]    (make release: date CHANGELOG, snapshot)
    python tools/api_check.py snapshot [--root DIR]   (make api-snapshot: the snapshot alone)

`snapshot` dumps the packages' API with griffe to api/meetbit-X.Y.Z.json (X.Y.Z from
overlay/meetbit/_version.py): that version is then released (tools/versioning.py).
`check` compares the working tree with the newest snapshot not newer than its version:

- The tree at a released version: its public API must be the snapshot's. Any difference
  (an added, removed or changed public object) is listed, and the version the rule gives
  for it named: a changed API is a new version.
- The tree at a newer, unreleased version: griffe's breaking-change check
  (`griffe.find_breaking_changes`). A break needs the version the rule gives (while 0.x,
  the next minor), and every break must be declared in CHANGELOG.md's section for the
  tree's version (`## X.Y.Z — ...`) by a bullet containing "Breaking" and the object's
  path in backticks, e.g.

    - Breaking: `meetbit.Client.cancel_event` is now `client.events.cancel_event`.

The snapshot is committed, so the check works from a fresh clone without tags.

griffe reports an object by where it is defined (`meetbit._client.Client.cancel_event`);
users reach it by the public names that re-export it (`meetbit.Client.cancel_event`).
This script maps each object to those public spellings (any is accepted in CHANGELOG,
the shortest is printed), and ignores what no public name reaches: private names (a
leading underscore) are not part of the API.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import changelog
import griffe
import versioning
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("meetbit", "meetbit_api")
SEARCH_PATHS = ("overlay", "generated")


def tree_version(root: Path) -> str:
    return versioning.tree_version(root)


def load_tree(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, griffe.Module]:
    """The packages as the working tree at `root` defines them, aliases resolved."""
    loader = griffe.GriffeLoader(search_paths=[str(root / path) for path in SEARCH_PATHS])
    modules = {name: loader.load(name) for name in packages}
    loader.resolve_aliases(implicit=True, external=None)
    return modules  # type: ignore[return-value]


def _portable(data: Any, root: str) -> Any:
    # Docstrings are not API: leaving them out keeps doc edits from churning the snapshot.
    # File paths are made relative to the project, so the snapshot is the same on every machine.
    if isinstance(data, dict):
        return {
            key: value.removeprefix(root) if key == "filepath" else _portable(value, root)
            for key, value in data.items()
            if key != "docstring"
        }
    if isinstance(data, list):
        return [_portable(value, root) for value in data]
    return data


def dump(modules: dict[str, griffe.Module], root: Path) -> str:
    encoded = json.loads(json.dumps(modules, cls=griffe.JSONEncoder))
    return json.dumps(_portable(encoded, f"{root}/"), indent=1) + "\n"


def load_snapshot(path: Path) -> dict[str, griffe.Module]:
    """A snapshot's packages, in one modules collection so their aliases resolve."""
    modules: dict[str, griffe.Module] = json.loads(
        path.read_text(encoding="utf-8"), object_hook=griffe.json_decoder
    )
    collection = griffe.ModulesCollection()
    for name, module in modules.items():
        collection.set_member(name, module)
        module._modules_collection = collection  # what GriffeLoader sets on the modules it loads
    return modules


def latest_snapshot(root: Path, version: str) -> Path:
    """The newest api/meetbit-X.Y.Z.json not newer than `version`: the last release."""
    candidates = {v: p for v, p in versioning.snapshots(root).items() if v <= Version(version)}
    if not candidates:
        raise SystemExit(
            f"api check: no snapshot in {versioning.SNAPSHOT_DIR}/ for a release up to {version} "
            "(make api-snapshot writes one at release time)"
        )
    return candidates[max(candidates)]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _public_objects(
    modules: dict[str, griffe.Module],
) -> Iterator[tuple[str, griffe.Object]]:
    """Each public path users can reach, and the object it leads to (aliases followed)."""
    seen: set[tuple[str, str]] = set()
    pending: list[tuple[griffe.Object | griffe.Alias, str]] = [
        (module, name) for name, module in modules.items()
    ]
    while pending:
        obj, public_path = pending.pop()
        try:
            target = obj.final_target if obj.is_alias else obj  # type: ignore[union-attr]
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            continue  # outside our packages (httpx, attrs...): not ours to check
        if (target.path, public_path) in seen or target.package.name not in modules:
            continue
        seen.add((target.path, public_path))
        yield public_path, target
        if target.is_module or target.is_class:
            for name, member in target.members.items():
                if member.is_public and not _is_private(name):
                    pending.append((member, f"{public_path}.{name}"))


def public_prefixes(modules: dict[str, griffe.Module]) -> dict[str, set[str]]:
    """Where each object is defined -> the public paths users reach it by."""
    prefixes: dict[str, set[str]] = {}
    for public_path, target in _public_objects(modules):
        prefixes.setdefault(target.path, set()).add(public_path)
    return prefixes


def _signature(target: griffe.Object) -> str:
    """What a caller relies on: kind, parameters and return type, bases, type and value."""
    parts = [target.kind.value]
    if isinstance(target, griffe.Function):
        parts += [f"{p.name}:{p.kind.value}:{p.annotation}={p.default}" for p in target.parameters]
        parts.append(f"-> {target.returns}")
    elif isinstance(target, griffe.Class):
        parts += [f"base {base}" for base in target.bases]
    elif isinstance(target, griffe.Attribute):
        parts.append(f"{target.annotation} = {target.value}")
    return "\n".join(parts)


def public_api(modules: dict[str, griffe.Module]) -> dict[str, str]:
    """Each public path and its signature: equal dicts, the same public API."""
    return {path: _signature(target) for path, target in _public_objects(modules)}


def api_differences(old: dict[str, griffe.Module], new: dict[str, griffe.Module]) -> list[str]:
    """Every difference of two public APIs, one line each: added, removed or changed."""
    before, after = public_api(old), public_api(new)
    return (
        [f"added: {path}" for path in sorted(after.keys() - before.keys())]
        + [f"removed: {path}" for path in sorted(before.keys() - after.keys())]
        + [
            f"changed: {path}"
            for path in sorted(before.keys() & after.keys())
            if before[path] != after[path]
        ]
    )


def spellings(path: str, prefixes: dict[str, set[str]]) -> set[str]:
    """The public paths that reach the object griffe calls `path` (none: it is private)."""
    found = {path} if not any(_is_private(part) for part in path.split(".")) else set()
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        for public in prefixes.get(".".join(parts[:cut]), ()):
            found.add(".".join([public, *parts[cut:]]))
    return found


@dataclass(frozen=True)
class Finding:
    path: str  # the shortest public spelling
    spellings: frozenset[str]
    explanation: str


def _explain(breakage: griffe.Breakage) -> str:
    what = breakage.kind.value
    old, new = breakage.old_value, breakage.new_value
    name = getattr(old, "name", None) or getattr(new, "name", None)
    if isinstance(breakage, griffe.ObjectRemovedBreakage) or name is None:
        return what
    return f"{what} ({name})"


def find_breakages(
    old: dict[str, griffe.Module], new: dict[str, griffe.Module]
) -> Iterator[Finding]:
    prefixes = public_prefixes(old)
    for path, publics in public_prefixes(new).items():
        prefixes.setdefault(path, set()).update(publics)
    for name, old_module in old.items():
        if name not in new:
            yield Finding(name, frozenset({name}), "Package was removed")
            continue
        for breakage in griffe.find_breaking_changes(old_module, new[name]):
            names = spellings(breakage.obj.path, prefixes)
            if names:  # else only private names reach it
                shortest = min(names, key=lambda spelling: (len(spelling), spelling))
                yield Finding(shortest, frozenset(names), _explain(breakage))


def declared_breakages(text: str, version: str) -> set[str]:
    """Backticked paths of the "Breaking" bullets in the CHANGELOG section for `version`."""
    body = changelog.section(text, version)
    if body is None:
        return set()
    bullets = re.split(r"^\s*[-*] ", body, flags=re.MULTILINE)[1:]
    declared: set[str] = set()
    for bullet in bullets:
        if "Breaking" in bullet:
            declared.update(re.findall(r"`([^`]+)`", bullet))
    return declared


def _snapshot_version(path: Path) -> str:
    match = versioning.SNAPSHOT_NAME.match(path.name)
    assert match is not None
    return match["version"]


def release_differences(root: Path) -> tuple[str, list[str]] | None:
    """For a tree at a released version: its snapshot's name and how the tree's public API
    differs from it (empty: it is the release's). None when the version is not released."""
    version = tree_version(root)
    path = versioning.snapshots(root).get(Version(version))
    if path is None:
        return None
    return path.name, api_differences(load_snapshot(path), load_tree(root))


def _complain(heading: str, lines: list[str], hint: str) -> None:
    print(heading, file=sys.stderr)
    for line in lines:
        print(f"  {line}", file=sys.stderr)
    print(hint, file=sys.stderr)


def _refuse_changed_release(
    version: str, snapshot_name: str, differences: list[str], findings: list[Finding]
) -> int:
    kind = versioning.BREAKING if findings else versioning.ADDITION
    _complain(
        f"api check: meetbit {version} is released ({versioning.SNAPSHOT_DIR}/{snapshot_name}) "
        f"and this tree's public API differs from it ({len(differences)}):",
        differences,
        f"A changed API is a new version: {kind} -> {versioning.bump(version, kind)} "
        f"({versioning.rule(version)}). make update-spec moves the version for a spec "
        "change; otherwise set it in overlay/meetbit/_version.py.",
    )
    return 1


def check(root: Path) -> int:
    version = tree_version(root)
    snapshot = latest_snapshot(root, version)
    released = _snapshot_version(snapshot)
    old, new = load_snapshot(snapshot), load_tree(root)
    findings = sorted(
        set(find_breakages(old, new)), key=lambda finding: (finding.path, finding.explanation)
    )
    if Version(released) == Version(version):
        differences = api_differences(old, new)
        if differences:
            return _refuse_changed_release(version, snapshot.name, differences, findings)
        print(f"api check: public API is that of the release {version} ({snapshot.name})")
        return 0
    status = 0
    needed = versioning.bump(released, versioning.BREAKING)
    if findings and Version(version) < Version(needed):
        print(
            f"api check: {len(findings)} breaking change(s) since {released} need version "
            f"{needed} or later ({versioning.rule(released)}); _version.py says {version}",
            file=sys.stderr,
        )
        status = 1
    changelog_path = root / "CHANGELOG.md"
    text = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else ""
    declared = declared_breakages(text, version)
    undeclared = [finding for finding in findings if not finding.spellings & declared]
    for finding in findings:
        if finding not in undeclared:
            print(
                f"api check: declared in CHANGELOG {version}: {finding.path}: {finding.explanation}"
            )
    if undeclared:
        _complain(
            f"api check: {len(undeclared)} breaking change(s) since {snapshot.name} that "
            f"CHANGELOG.md's '## {version}' section does not declare:",
            [f"{finding.path}: {finding.explanation}" for finding in undeclared],
            "Restore the API, or declare each with a bullet in that section, e.g.\n"
            f"  - Breaking: `{undeclared[0].path}` ... (what changed and what to use instead)",
        )
        return 1
    if status == 0:
        print(f"api check: public API compatible with {snapshot.name}, or declared ({version})")
    return status


def snapshot(root: Path) -> Path:
    path = root / versioning.SNAPSHOT_DIR / f"meetbit-{tree_version(root)}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(dump(load_tree(root), root), encoding="utf-8")
    return path


def release(root: Path, day: str) -> int:
    """Mark the tree's version released: its CHANGELOG section dated, its API snapshotted."""
    version = tree_version(root)
    if versioning.is_released(root, version):
        print(
            f"release: {version} is released already (api/meetbit-{version}.json)", file=sys.stderr
        )
        return 1
    path = root / "CHANGELOG.md"
    if not changelog.close(path, version, day):
        print(f"release: CHANGELOG.md has no '## {version} — unreleased' section", file=sys.stderr)
        return 1
    if check(root):
        changelog.reopen(path, version, day)
        print("release: refused, the API check above fails; nothing changed", file=sys.stderr)
        return 1
    written = snapshot(root)
    print(
        f"release: {version} dated {day} in CHANGELOG.md, API snapshot {written.name} written.\n"
        f"Next: make test, commit, git tag -a v{version}, make dist, upload (docs/releasing.md)."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "snapshot", "release"])
    parser.add_argument("--root", type=Path, default=ROOT, help="project tree (default: this one)")
    parser.add_argument("--date", default=date.today().isoformat(), help="release date")
    arguments = parser.parse_args(argv)
    root = arguments.root.resolve()
    if arguments.command == "snapshot":
        print(f"api snapshot: wrote {snapshot(root)}")
        return 0
    if arguments.command == "release":
        return release(root, arguments.date)
    return check(root)


if __name__ == "__main__":
    sys.exit(main())
