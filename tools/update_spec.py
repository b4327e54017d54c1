"""Take a new upstream spec: check the fix layer, summarise what changed for callers, regenerate.

Usage: python tools/update_spec.py NEW_SPEC [--root PROJECT_DIR]

Nothing is replaced unless every fix still applies. The summary compares the *fixed*
documents, old and new, from the caller's side: what a service using the client would
notice. Breaking: removed operations or fields, type changes, responses that may now be
null, new required request fields or parameters, narrowed enums. Non-breaking: additions,
and widened response enums (the client's enums are open, see README).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apply_overlay
import generate

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Change:
    breaking: bool
    what: str


class _Diff:
    def __init__(self, old: Any, new: Any) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def note(self, breaking: bool, what: str) -> None:
        self.changes.append(Change(breaking, what))

    @staticmethod
    def _resolve(document: Any, schema: Any) -> Any:
        """Follow $ref, and see through a one-element allOf (how the fix layer wraps refs)."""
        if not isinstance(schema, dict):
            return {}
        if "$ref" in schema:
            return _Diff._resolve(
                document, document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            )
        if len(schema.get("allOf", [])) == 1:
            rest = {key: value for key, value in schema.items() if key != "allOf"}
            return {**_Diff._resolve(document, schema["allOf"][0]), **rest}
        return schema

    def schema(self, old: Any, new: Any, where: str, side: str) -> None:
        """Compare two schemas; `side` is "response" (we read it) or "request" (we send it)."""
        if where.count(".") > 30:  # a self-referencing schema: deep enough
            return
        old, new = self._resolve(self.old, old), self._resolve(self.new, new)
        old_type, new_type = old.get("type"), new.get("type")
        if old_type != new_type and None not in (old_type, new_type):
            self.note(True, f"{where}: type changed from {old_type} to {new_type}")
            return
        if old.get("format") != new.get("format"):
            self.note(
                True, f"{where}: format changed from {old.get('format')} to {new.get('format')}"
            )
        if side == "response" and new.get("nullable") and not old.get("nullable"):
            self.note(True, f"{where}: may now be null")
        if side == "request" and old.get("nullable") and not new.get("nullable"):
            self.note(True, f"{where}: may no longer be null")
        if "enum" in old and "enum" in new:
            removed = [v for v in old["enum"] if v not in new["enum"]]
            added = [v for v in new["enum"] if v not in old["enum"]]
            if removed:
                self.note(True, f"{where}: enum narrowed, {removed} removed")
            if added:
                self.note(side == "request", f"{where}: enum widened, {added} added")
        self._properties(old, new, where, side)
        if "items" in old and "items" in new:
            self.schema(old["items"], new["items"], f"{where}[]", side)

    def _properties(self, old: Any, new: Any, where: str, side: str) -> None:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        for name in old_props.keys() - new_props.keys():
            self.note(True, f"{where}.{name}: field removed")
        for name in new_props.keys() - old_props.keys():
            required = side == "request" and name in new.get("required", [])
            self.note(required, f"{where}.{name}: {'required ' if required else ''}field added")
        for name in old_props.keys() & new_props.keys():
            self.schema(old_props[name], new_props[name], f"{where}.{name}", side)
        if side == "request":
            for name in set(new.get("required", [])) - set(old.get("required", [])):
                if name in old_props:
                    self.note(True, f"{where}.{name}: now required")
        elif side == "response":
            for name in set(old.get("required", [])) - set(new.get("required", [])):
                if name in new_props:
                    self.note(True, f"{where}.{name}: no longer always present")


def _operations(document: Any) -> dict[str, tuple[Any, Any]]:
    found = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                found[f"{method.upper()} {path}"] = (item, item[method])
    return found


def _body_schema(document: Any, holder: Any, ref_kind: str) -> Any:
    if "$ref" in holder:
        holder = document["components"][ref_kind][holder["$ref"].rsplit("/", 1)[1]]
    content = holder.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    return media.get("schema", {})


def summarise(old: Any, new: Any) -> list[Change]:
    diff = _Diff(old, new)
    old_ops, new_ops = _operations(old), _operations(new)
    for name in old_ops.keys() - new_ops.keys():
        diff.note(True, f"{name}: operation removed")
    for name in new_ops.keys() - old_ops.keys():
        diff.note(False, f"{name}: operation added")
    for name in sorted(old_ops.keys() & new_ops.keys()):
        (old_item, old_op), (new_item, new_op) = old_ops[name], new_ops[name]
        old_params = {
            (p["in"], p["name"]): p
            for p in old_item.get("parameters", []) + old_op.get("parameters", [])
        }
        new_params = {
            (p["in"], p["name"]): p
            for p in new_item.get("parameters", []) + new_op.get("parameters", [])
        }
        for key in new_params.keys() - old_params.keys():
            diff.note(
                bool(new_params[key].get("required")),
                f"{name}: parameter {key[1]} ({key[0]}) added",
            )
        for key in old_params.keys() & new_params.keys():
            diff.schema(
                old_params[key].get("schema", {}),
                new_params[key].get("schema", {}),
                f"{name} {key[1]}",
                "request",
            )
        if "requestBody" in old_op or "requestBody" in new_op:
            diff.schema(
                _body_schema(old, old_op.get("requestBody", {}), "requestBodies"),
                _body_schema(new, new_op.get("requestBody", {}), "requestBodies"),
                f"{name} request body",
                "request",
            )
        for status in old_op.get("responses", {}).keys() & new_op.get("responses", {}).keys():
            diff.schema(
                _body_schema(old, old_op["responses"][status], "responses"),
                _body_schema(new, new_op["responses"][status], "responses"),
                f"{name} {status}",
                "response",
            )
    return diff.changes


def next_version(current: str, changes: list[Change]) -> tuple[str, str]:
    major, minor, patch = (int(part) for part in re.findall(r"\d+", current)[:3])
    if any(change.breaking for change in changes):
        # SemVer: breaking bumps the major; while 0.x, the minor (README: pin >=0.N,<0.N+1).
        return ("major", f"{major + 1}.0.0") if major else ("minor (0.x)", f"0.{minor + 1}.0")
    if changes:
        return (
            ("minor", f"{major}.{minor + 1}.0")
            if major
            else ("patch (0.x)", f"0.{minor}.{patch + 1}")
        )
    return ("none", current)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make update-spec SPEC=...")
    parser.add_argument("spec", type=Path)
    parser.add_argument("--root", type=Path, default=generate.ROOT)
    arguments = parser.parse_args(argv)
    root: Path = arguments.root
    overlay = apply_overlay.load(root / "spec/fixes.overlay.yaml")
    try:
        new_fixed, stale = apply_overlay.apply(apply_overlay.load(arguments.spec), overlay)
    except apply_overlay.FixDoesNotApply as error:
        print(
            f"update-spec: the fix layer no longer applies: {error}.\n"
            "Upstream changed the part of the spec this fix was written for: read the new\n"
            "spec, then adapt or delete the action in spec/fixes.overlay.yaml. Nothing changed.",
            file=sys.stderr,
        )
        return 1
    old_fixed, _ = apply_overlay.apply(apply_overlay.load(root / "openapi.yaml"), overlay)
    changes = summarise(old_fixed, new_fixed)

    shutil.copyfile(arguments.spec, root / "openapi.yaml")  # byte-for-byte, as published
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "meetbit_api"
        generate.generate(root / "openapi.yaml", output, root=root)
        shutil.rmtree(root / "generated/meetbit_api", ignore_errors=True)
        shutil.copytree(output, root / "generated/meetbit_api")

    for line in stale:
        print(f"fix no longer needed: {line} -- delete it from spec/fixes.overlay.yaml")
    print(f"\nChanges for callers ({len(changes)}):")
    for change in sorted(changes, key=lambda c: (not c.breaking, c.what)):
        print(f"  {'BREAKING' if change.breaking else 'added   '}  {change.what}")
    current = re.search(
        r'__version__ = "([^"]+)"', (root / "overlay/meetbit/_version.py").read_text()
    )
    bump, version = next_version(current[1] if current else "0.0.0", changes)
    print(
        f"\nImplied version bump: {bump} -> {version}. Record it in CHANGELOG.md and _version.py."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
