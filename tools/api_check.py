"""Check the public API against the last release's snapshot; fail on undeclared breaking changes.

Usage:
    python tools/api_check.py check [--root DIR]      (make api-check, part of make test)
    python tools/api_check.py snapshot [--root DIR]   (make api-snapshot, at release time)

`snapshot` dumps the packages' API with griffe to api/meetbit-X.Y.Z.json (X.Y.Z from
overlay/meetbit/_version.py). `check` loads the newest snapshot not newer than the working
tree's version and runs griffe's breaking-change check (`griffe.find_breaking_changes`)
against the working tree. Every breakage must be declared in CHANGELOG.md's section for
the tree's version (`## X.Y.Z — ...`) by a bullet containing "Breaking" and the object's
path in backticks, e.g.

    - Breaking: `meetbit.Client.cancel_event` is now `client.events.cancel_event`.

The snapshot is committed, so the check works from a fresh clone without tags.

griffe reports an object by where it is defined (`meetbit._client.Client.cancel_event`);
users reach it by the public names that re-export it (`meetbit.Client.cancel_event`).
This script maps each breakage to those public spellings (any is accepted in CHANGELOG,
the shortest is printed), and ignores breakages that no public name reaches: private
names (a leading underscore) are not part of the API.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import griffe
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("meetbit", "meetbit_api")
SEARCH_PATHS = ("overlay", "generated")
SNAPSHOT_DIR = "api"
SNAPSHOT_NAME = re.compile(r"^meetbit-(?P<version>\d+\.\d+\.\d+.*)\.json$")


def tree_version(root: Path) -> str:
    text = (root / "overlay/meetbit/_version.py").read_text(encoding="utf-8")
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.MULTILINE)
    if match is None:
        raise SystemExit(f"api check: no __version__ in {root}/overlay/meetbit/_version.py")
    return match.group(1)


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
    candidates = []
    for path in (root / SNAPSHOT_DIR).glob("meetbit-*.json"):
        match = SNAPSHOT_NAME.match(path.name)
        if match and Version(match["version"]) <= Version(version):
            candidates.append((Version(match["version"]), path))
    if not candidates:
        raise SystemExit(
            f"api check: no snapshot in {SNAPSHOT_DIR}/ for a release up to {version} "
            "(make api-snapshot writes one at release time)"
        )
    return max(candidates)[1]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def public_prefixes(modules: dict[str, griffe.Module]) -> dict[str, set[str]]:
    """Where each object is defined -> the public paths users reach it by."""
    prefixes: dict[str, set[str]] = {}
    seen: set[tuple[str, str]] = set()

    def walk(obj: griffe.Object | griffe.Alias, public_path: str) -> None:
        try:
            target = obj.final_target if obj.is_alias else obj  # type: ignore[union-attr]
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return  # outside our packages (httpx, attrs...): not ours to check
        if (target.path, public_path) in seen or target.package.name not in modules:
            return
        seen.add((target.path, public_path))
        prefixes.setdefault(target.path, set()).add(public_path)
        if target.is_module or target.is_class:
            for name, member in target.members.items():
                if member.is_public and not _is_private(name):
                    walk(member, f"{public_path}.{name}")

    for name, module in modules.items():
        walk(module, name)
    return prefixes


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


def declared_breakages(changelog: str, version: str) -> set[str]:
    """Backticked paths of the "Breaking" bullets in the CHANGELOG section for `version`."""
    section = re.search(
        rf"^## {re.escape(version)}(?:[ \t][^\n]*)?$(?P<body>.*?)(?=^## |\Z)",
        changelog,
        re.MULTILINE | re.DOTALL,
    )
    if section is None:
        return set()
    bullets = re.split(r"^\s*[-*] ", section["body"], flags=re.MULTILINE)[1:]
    declared: set[str] = set()
    for bullet in bullets:
        if "Breaking" in bullet:
            declared.update(re.findall(r"`([^`]+)`", bullet))
    return declared


def check(root: Path) -> int:
    version = tree_version(root)
    snapshot = latest_snapshot(root, version)
    findings = sorted(
        set(find_breakages(load_snapshot(snapshot), load_tree(root))),
        key=lambda finding: (finding.path, finding.explanation),
    )
    changelog_path = root / "CHANGELOG.md"
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else ""
    declared = declared_breakages(changelog, version)
    undeclared = [finding for finding in findings if not finding.spellings & declared]
    for finding in findings:
        if finding not in undeclared:
            print(
                f"api check: declared in CHANGELOG {version}: {finding.path}: {finding.explanation}"
            )
    if undeclared:
        print(
            f"api check: {len(undeclared)} breaking change(s) since {snapshot.name} that "
            f"CHANGELOG.md's '## {version}' section does not declare:",
            file=sys.stderr,
        )
        for finding in undeclared:
            print(f"  {finding.path}: {finding.explanation}", file=sys.stderr)
        print(
            "Restore the API, or declare each with a bullet in that section, e.g.\n"
            f"  - Breaking: `{undeclared[0].path}` ... (what changed and what to use instead)",
            file=sys.stderr,
        )
        return 1
    print(f"api check: public API compatible with {snapshot.name}, or declared ({version})")
    return 0


def snapshot(root: Path) -> Path:
    path = root / SNAPSHOT_DIR / f"meetbit-{tree_version(root)}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(dump(load_tree(root), root), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "snapshot"])
    parser.add_argument("--root", type=Path, default=ROOT, help="project tree (default: this one)")
    arguments = parser.parse_args(argv)
    if arguments.command == "snapshot":
        print(f"api snapshot: wrote {snapshot(arguments.root.resolve())}")
        return 0
    return check(arguments.root.resolve())


if __name__ == "__main__":
    sys.exit(main())
