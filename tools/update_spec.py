"""Take a new upstream spec: validate it, report what changes for callers, regenerate, type-check.

Usage: python tools/update_spec.py NEW_SPEC [--root PROJECT_DIR] [--no-type-check]

In order, stopping at the first refusal (a refusal changes nothing):

1. Read NEW_SPEC. Missing, unreadable, not YAML, or not a mapping: one line, exit 2.
2. Byte-identical to openapi.yaml: "unchanged", no version bump, exit 0.
3. Apply the fix layer strictly (spec/fixes.overlay.yaml): a fix whose target is gone: exit 1.
4. Validate the *fixed* document with openapi-spec-validator (the published one is known to
   be invalid until the fix layer repairs it): the validator's first error, exit 1.
5. Generate into a scratch directory with the same --fail-on-warning generation as
   `make generate`: an operation the generator would skip is named, with its reason, exit 1.
6. Replace openapi.yaml (byte-for-byte, as published) and generated/, then report: fixes no
   longer needed, every change a caller would notice (BREAKING / added, constraints
   included), differences callers cannot notice (info), and the implied version bump.
7. Type-check the hand-written code (overlay/, examples/) with mypy --strict against the new
   generated code and name each line that breaks: exit 1 if any, because `make test` (lint)
   would fail until they are fixed. The spec and generated/ stay replaced: fixing those lines
   is the next step.

Classification, from the caller's side. Request side (what the caller sends, and the server
validates): a tightened limit (maxLength/maximum/maxItems lowered, minLength/minimum/minItems
raised, exclusive bound made exclusive, pattern changed or added, enum value removed), a new
required field or parameter, a removed field or parameter, a type change: BREAKING; the
reverse: added. Response side (what the caller reads): removed fields, type changes, values
that may now be null or absent, enum values removed (the member disappears from the generated
enum): BREAKING; new fields and enum values: added (the client's enums are open, see README).
Response limits are info: the client does not check them, so no caller code can break, but a
widened one is worth reading if you store the value.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apply_overlay
import generate
from openapi_python_client.strings import PythonIdentifier, kebab_case
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing.exceptions import Unresolvable
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
BREAKING, ADDED, INFO = "BREAKING", "added", "info"

# Numeric limits: True for upper bounds (a lower value lets fewer values through), False
# for lower bounds. A missing lower bound on a length or count means 0.
LIMITS = {
    "maxLength": True,
    "maxItems": True,
    "maxProperties": True,
    "minLength": False,
    "minItems": False,
    "minProperties": False,
}
ZERO_WHEN_ABSENT = {"minLength", "minItems", "minProperties"}


@dataclass(frozen=True)
class Change:
    kind: str  # BREAKING, ADDED or INFO
    what: str

    @property
    def breaking(self) -> bool:
        return self.kind == BREAKING


class Refused(Exception):
    """The new spec cannot be taken; nothing was changed."""


def _deref(document: Any, node: Any) -> Any:
    """`node` with its $refs and allOf resolved (meetbit._schema's resolver); {} if not a node."""
    try:
        node = generate.operations.resolve(document, node)
    except (KeyError, IndexError, ValueError, TypeError):  # a $ref to nothing: the validator says
        return {}
    return node if isinstance(node, dict) else {}


class _Diff:
    def __init__(self, old: Any, new: Any) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def note(self, kind: str, what: str) -> None:
        self.changes.append(Change(kind, what))

    def schema(self, old: Any, new: Any, where: str, side: str) -> None:
        """Compare two schemas; `side` is "response" (we read it) or "request" (we send it)."""
        if where.count(".") > 30:  # a self-referencing schema: deep enough
            return
        old, new = _deref(self.old, old), _deref(self.new, new)
        old_type, new_type = old.get("type"), new.get("type")
        if old_type != new_type and None not in (old_type, new_type):
            self.note(BREAKING, f"{where}: type changed from {old_type} to {new_type}")
            return
        if old.get("format") != new.get("format"):
            self.note(
                BREAKING,
                f"{where}: format changed from {old.get('format')} to {new.get('format')}",
            )
        if side == "response" and new.get("nullable") and not old.get("nullable"):
            self.note(BREAKING, f"{where}: may now be null")
        if side == "request" and old.get("nullable") and not new.get("nullable"):
            self.note(BREAKING, f"{where}: may no longer be null")
        if side == "request" and new.get("nullable") and not old.get("nullable"):
            self.note(ADDED, f"{where}: may now be null")
        self._enum(old, new, where, side)
        self._limits(old, new, where, side)
        self._properties(old, new, where, side)
        if "items" in old and "items" in new:
            self.schema(old["items"], new["items"], f"{where}[]", side)
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.schema(old_extra, new_extra, f"{where}.*", side)

    def _enum(self, old: Any, new: Any, where: str, side: str) -> None:
        if "enum" not in old or "enum" not in new:
            # Request side: the server now refuses other values (or accepts any). Response
            # side: the generated type changes between str/int and an enum class.
            if "enum" in new and "enum" not in old:
                self.note(
                    BREAKING if side == "request" else ADDED,
                    f"{where}: now limited to the enum {new['enum']}",
                )
            elif "enum" in old:
                self.note(ADDED if side == "request" else BREAKING, f"{where}: no longer an enum")
            return
        removed = [value for value in old["enum"] if value not in new["enum"]]
        added = [value for value in new["enum"] if value not in old["enum"]]
        if removed:
            # Request side: the server refuses the value. Response side: the member
            # disappears from the generated enum, so code naming it no longer type-checks.
            self.note(BREAKING, f"{where}: enum narrowed, {removed} removed")
        if added:
            self.note(ADDED, f"{where}: enum widened, {added} added")

    def _limits(self, old: Any, new: Any, where: str, side: str) -> None:
        def classify(tighter: bool, what: str) -> None:
            if side == "request":
                self.note(BREAKING if tighter else ADDED, f"{where}: {what}")
            else:
                # The client does not check response values against limits: no caller code
                # breaks either way, but a reader that stores the value wants to know.
                hint = "" if tighter else " (responses may now carry values outside the old limit)"
                self.note(INFO, f"{where}: {what}{hint}")

        def limit(keyword: str, upper: bool, before: Any, after: Any) -> None:
            if before is None:
                classify(True, f"{keyword} {after} added")
            elif after is None:
                classify(False, f"{keyword} {before} removed")
            else:
                direction = "lowered" if after < before else "raised"
                classify(
                    (after < before) == upper, f"{keyword} {direction} from {before} to {after}"
                )

        for keyword, upper in LIMITS.items():
            default = 0 if keyword in ZERO_WHEN_ABSENT else None
            before, after = old.get(keyword, default), new.get(keyword, default)
            if before != after:
                limit(keyword, upper, before, after)
        # Bounds as meetbit._schema reads them (3.0 boolean and 3.1 numeric exclusive bounds).
        was, now = (
            generate.operations.schema_rules.bounds(old),
            generate.operations.schema_rules.bounds(new),
        )
        for index, keyword, upper in ((0, "minimum", False), (2, "maximum", True)):
            (before, before_x), (after, after_x) = was[index : index + 2], now[index : index + 2]
            exclusive = "exclusiveMinimum" if index == 0 else "exclusiveMaximum"
            if before != after:
                limit(keyword, upper, before, after)
            elif before_x != after_x:
                classify(after_x, f"{exclusive} {'set' if after_x else 'unset'}")
        before, after = old.get("pattern"), new.get("pattern")
        if before != after:
            # Whether one regex accepts a subset of another is not decidable in general:
            # any new or changed pattern may refuse what the old one accepted.
            if after is None:
                classify(False, f"pattern {before!r} removed")
            elif before is None:
                classify(True, f"pattern {after!r} added")
            else:
                classify(True, f"pattern changed from {before!r} to {after!r}")
        before, after = old.get("multipleOf"), new.get("multipleOf")
        if before != after:
            looser = after is None or (before is not None and before % after == 0)
            classify(not looser, f"multipleOf {before} -> {after}")
        if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
            classify(bool(new.get("uniqueItems")), f"uniqueItems -> {bool(new.get('uniqueItems'))}")

    def _properties(self, old: Any, new: Any, where: str, side: str) -> None:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        for name in sorted(old_props.keys() - new_props.keys()):
            self.note(BREAKING, f"{where}.{name}: field removed")
        for name in sorted(new_props.keys() - old_props.keys()):
            required = side == "request" and name in new_required
            self.note(
                BREAKING if required else ADDED,
                f"{where}.{name}: {'required ' if required else ''}field added",
            )
        for name in sorted(old_props.keys() & new_props.keys()):
            self.schema(old_props[name], new_props[name], f"{where}.{name}", side)
        both = old_props.keys() & new_props.keys()
        for name in sorted((new_required - old_required) & both):
            if side == "request":
                self.note(BREAKING, f"{where}.{name}: now required")
            else:
                self.note(ADDED, f"{where}.{name}: now always present")
        for name in sorted((old_required - new_required) & both):
            if side == "request":
                self.note(ADDED, f"{where}.{name}: now optional")
            else:
                self.note(BREAKING, f"{where}.{name}: no longer always present")


def _operations(document: Any) -> dict[str, tuple[Any, Any]]:
    found = {}
    for path, item in (document.get("paths") or {}).items():
        item = _deref(document, item)
        for method in METHODS:
            if isinstance(item.get(method), dict):
                found[f"{method.upper()} {path}"] = (item, item[method])
    return found


def _parameters(document: Any, item: Any, operation: Any) -> dict[tuple[str, str], Any]:
    """The operation's parameters by (in, name); operation-level ones override the path's."""
    found = {}
    for parameter in item.get("parameters", []) + operation.get("parameters", []):
        parameter = _deref(document, parameter)
        if "in" in parameter and "name" in parameter:
            found[parameter["in"], parameter["name"]] = parameter
    return found


def _body_schema(document: Any, holder: Any) -> Any:
    content = _deref(document, holder).get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    return media.get("schema", {})


def python_names(method: str, path: str, operation: Any) -> str:
    """How a generated operation is reached, with the generator's own naming functions."""
    tag = (operation.get("tags") or ["default"])[0]
    name = operation.get("operationId") or (
        method.lower() + "_" + path.replace("{", "").replace("}", "").replace("/", "_").strip("_")
    )
    module = PythonIdentifier(tag, prefix="tag")
    function = PythonIdentifier(name, prefix="field")
    return (
        f"{name}: meetbit_api.api.{module}.{function}, client.{module}.{function}, "
        f"meetbit {kebab_case(module)} {kebab_case(function)}"
    )


def summarise(old: Any, new: Any) -> list[Change]:
    diff = _Diff(old, new)
    old_ops, new_ops = _operations(old), _operations(new)
    for name in sorted(old_ops.keys() - new_ops.keys()):
        diff.note(BREAKING, f"{name}: operation removed ({old_ops[name][1].get('operationId')})")
    for name in sorted(new_ops.keys() - old_ops.keys()):
        method, path = name.split(" ", 1)
        diff.note(
            ADDED, f"{name}: operation added ({python_names(method, path, new_ops[name][1])})"
        )
    for name in sorted(old_ops.keys() & new_ops.keys()):
        (old_item, old_op), (new_item, new_op) = old_ops[name], new_ops[name]
        _operation(diff, name, old_item, old_op, new_item, new_op)
    return diff.changes


def _operation(
    diff: _Diff, name: str, old_item: Any, old_op: Any, new_item: Any, new_op: Any
) -> None:
    old, new = diff.old, diff.new
    if old_op.get("operationId") != new_op.get("operationId"):
        diff.note(
            BREAKING,
            f"{name}: operationId changed from {old_op.get('operationId')} to "
            f"{new_op.get('operationId')} (the generated function and method are renamed)",
        )
    old_tag, new_tag = (
        (old_op.get("tags") or ["default"])[0],
        (new_op.get("tags") or ["default"])[0],
    )
    if old_tag != new_tag:
        diff.note(
            BREAKING, f"{name}: tag changed from {old_tag} to {new_tag} (the operation moves)"
        )
    if new_op.get("deprecated") and not old_op.get("deprecated"):
        diff.note(INFO, f"{name}: now deprecated")

    old_params = _parameters(old, old_item, old_op)
    new_params = _parameters(new, new_item, new_op)
    for key in sorted(old_params.keys() - new_params.keys()):
        diff.note(BREAKING, f"{name}: parameter {key[1]} ({key[0]}) removed")
    for key in sorted(new_params.keys() - old_params.keys()):
        required = bool(new_params[key].get("required"))
        diff.note(
            BREAKING if required else ADDED,
            f"{name}: {'required ' if required else ''}parameter {key[1]} ({key[0]}) added",
        )
    for key in sorted(old_params.keys() & new_params.keys()):
        was, now = bool(old_params[key].get("required")), bool(new_params[key].get("required"))
        if was != now:
            diff.note(
                BREAKING if now else ADDED,
                f"{name}: parameter {key[1]} ({key[0]}) now {'required' if now else 'optional'}",
            )
        diff.schema(
            old_params[key].get("schema", {}),
            new_params[key].get("schema", {}),
            f"{name} {key[1]}",
            "request",
        )

    old_body, new_body = old_op.get("requestBody"), new_op.get("requestBody")
    if old_body is None and new_body is not None:
        required = bool(_deref(new, new_body).get("required"))
        diff.note(BREAKING if required else ADDED, f"{name}: request body added")
    elif old_body is not None and new_body is None:
        diff.note(BREAKING, f"{name}: request body removed")
    elif old_body is not None and new_body is not None:
        if bool(_deref(new, new_body).get("required")) and not _deref(old, old_body).get(
            "required"
        ):
            diff.note(BREAKING, f"{name}: request body now required")
        diff.schema(
            _body_schema(old, old_body),
            _body_schema(new, new_body),
            f"{name} request body",
            "request",
        )

    old_responses, new_responses = old_op.get("responses", {}), new_op.get("responses", {})
    for status in sorted(new_responses.keys() - old_responses.keys()):
        diff.note(ADDED, f"{name}: response {status} declared")
    for status in sorted(old_responses.keys() - new_responses.keys()):
        success = str(status).startswith("2")
        diff.note(BREAKING if success else INFO, f"{name}: response {status} no longer declared")
    for status in sorted(old_responses.keys() & new_responses.keys()):
        diff.schema(
            _body_schema(old, old_responses[status]),
            _body_schema(new, new_responses[status]),
            f"{name} {status}",
            "response",
        )


def next_version(current: str, changes: list[Change]) -> tuple[str, str]:
    major, minor, patch = (int(part) for part in re.findall(r"\d+", current)[:3])
    if any(change.kind == BREAKING for change in changes):
        # SemVer: breaking bumps the major; while 0.x, the minor (README: pin >=0.N,<0.N+1).
        return ("major", f"{major + 1}.0.0") if major else ("minor (0.x)", f"0.{minor + 1}.0")
    if any(change.kind == ADDED for change in changes):
        return (
            ("minor", f"{major}.{minor + 1}.0")
            if major
            else ("patch (0.x)", f"0.{minor}.{patch + 1}")
        )
    return ("none", current)


def read_spec(path: Path) -> tuple[bytes, Any]:
    """The file's bytes and its parsed document; SystemExit(2) with one line otherwise."""

    def fail(reason: str) -> SystemExit:
        print(f"update-spec: {path}: {reason}", file=sys.stderr)
        return SystemExit(2)

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise fail(f"cannot read it ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("not UTF-8 text, so not an OpenAPI YAML document") from None
    try:
        # YAML 1.2 safe loading, the dialect apply_overlay and the generator read.
        document = YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise fail(f"not valid YAML: {error.problem or error.context}{at}") from None
    except YAMLError as error:
        raise fail(f"not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(document, dict):
        kind = "empty" if document is None else f"a YAML {type(document).__name__}"
        raise fail(f"not an OpenAPI document (a mapping with openapi, info, paths): it is {kind}")
    return raw, document


def _json_path(steps: Any) -> str:
    """$.paths['/calendars'].get.parameters[1]: the notation of the fix layer's targets."""
    path = "$"
    for step in steps:
        if isinstance(step, int):
            path += f"[{step}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(step)):
            path += f".{step}"
        else:
            path += f"[{str(step)!r}]"
    return path


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def validate(document: Any) -> None:
    """Refuse a fixed document that openapi-spec-validator rejects, with its first error."""
    version = str(document.get("openapi", ""))
    if not version.startswith(("3.0", "3.1")):
        raise Refused(f"not an OpenAPI 3.0/3.1 document (openapi: {version or 'missing'})")
    validator_class = (
        OpenAPIV31SpecValidator if version.startswith("3.1") else (OpenAPIV30SpecValidator)
    )
    try:
        errors = list(validator_class(document).iter_errors())
    except Unresolvable as error:  # a broken $ref ends the validator's walk
        raise Refused(
            "openapi-spec-validator cannot check the fixed document: "
            f"$ref {getattr(error, 'ref', '')!r} points to nothing"
        ) from None
    if not errors:
        return
    # A oneOf/anyOf failure quotes the whole subtree; the deepest sub-error (the misspelt
    # type, the bad minimum) is the useful one. Not jsonschema's best_match: it needs a type
    # checker that openapi-spec-validator's errors do not carry.
    first = errors[0]
    while getattr(first, "context", None):
        first = max(first.context, key=lambda sub: len(sub.absolute_path))
    where = _json_path(getattr(first, "absolute_path", []))
    hint = ""
    if where == "$" and re.match(r"'/", first.message):
        hint = " (a path outside `paths:`? check its indentation)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise Refused(
        f"openapi-spec-validator rejects the fixed document at {where}: "
        f"{_short(first.message)}{hint}{more}"
    )


def _skipped_operations(output: str, document: Any) -> list[str]:
    """Each operation the generator's warnings name, with the generator's reason."""
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)
    found = []
    for match in re.finditer(
        r"^WARNING parsing (\S+) (\S+) within .*?\."
        r"( Endpoint will not be generated\.)?\n\n(.*?)\n\n",
        output,
        re.MULTILINE | re.DOTALL,
    ):
        method, path, skipped, reason = match.groups()
        operation = (document.get("paths", {}).get(path) or {}).get(method.lower()) or {}
        what = "skipped" if skipped else "generated with parts missing"
        found.append(
            f"{method} {path} ({operation.get('operationId', 'no operationId')}): {what}: "
            # The generator prints some names as object reprs; say what they are instead.
            + re.sub(
                r"<openapi_python_client[\w.]* object at 0x[0-9a-f]+>",
                "a property",
                " ".join(reason.split()),
            )
        )
    return found


def generate_into(spec: Path, output: Path, root: Path, document: Any) -> None:
    try:
        # apply_overlay prints stale fixes to stderr; this tool reports them itself.
        with contextlib.redirect_stderr(io.StringIO()):
            generate.generate(spec, output, root=root)
    except generate.operations.OperationRefused as refused:
        raise Refused(
            "the generator cannot make these operations into working methods:\n"
            + "".join(f"  {line}\n" for line in refused.lines)
            + "Remove or fix them in spec/fixes.overlay.yaml (one action each), then run\n"
            "make update-spec again."
        ) from None
    except generate.GenerationFailed as error:
        skipped = _skipped_operations(error.output, document)
        if not skipped:
            raise Refused(f"openapi-python-client failed:\n{error.output.strip()}") from None
        raise Refused(
            "the generator would skip or truncate these operations (make generate runs it with\n"
            "--fail-on-warning, so generated/ could not be kept in sync):\n"
            + "".join(f"  {line}\n" for line in skipped)
            + "Fix them in spec/fixes.overlay.yaml (one action per upstream defect), then run\n"
            "make update-spec again."
        ) from None


def type_check(root: Path) -> list[str] | None:
    """mypy --strict errors of the hand-written code against root/generated; None: no mypy."""
    targets = [name for name in ("overlay", "examples") if (root / name).is_dir()]
    if not targets:
        return []
    if importlib.util.find_spec("mypy") is None:
        return None
    # The same check as `make lint`, with the search path spelled out so it does not depend
    # on a pyproject.toml being in `root`; MYPYPATH comes before the installed (editable)
    # package, so the *new* generated code is the one checked against.
    env = {**os.environ, "MYPYPATH": os.pathsep.join(["overlay", "generated"])}
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--no-color-output"]
    result = subprocess.run(
        [*command, *targets], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    lines = result.stdout.splitlines()
    # Only the hand-written lines: `make lint` does not report errors inside generated/
    # either (there it is the editable-installed package, which mypy keeps silent).
    hand_written = tuple(f"{target}{os.sep}" for target in targets)
    errors = [line for line in lines if ": error: " in line and line.startswith(hand_written)]
    if result.returncode and not any(
        ": error: " in line for line in lines
    ):  # mypy failed (a crash, a bad invocation)
        errors = lines + result.stderr.splitlines() or [f"mypy exited with {result.returncode}"]
    return errors


def _replace(spec: Path, generated: Path, root: Path) -> None:
    shutil.copyfile(spec, root / "openapi.yaml")  # byte-for-byte, as published
    shutil.rmtree(root / "generated/meetbit_api", ignore_errors=True)
    shutil.copytree(generated, root / "generated/meetbit_api")


def _report(changes: list[Change], stale: list[str], root: Path) -> None:
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
    current = re.search(
        r'__version__ = "([^"]+)"', (root / "overlay/meetbit/_version.py").read_text()
    )
    bump, version = next_version(current[1] if current else "0.0.0", changes)
    if bump == "none":
        print("\nImplied version bump: none. No version bump: nothing for CHANGELOG.md.")
    else:
        print(
            f"\nImplied version bump: {bump} -> {version}. "
            "Record it in CHANGELOG.md and _version.py."
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make update-spec SPEC=...")
    parser.add_argument("spec", type=Path)
    parser.add_argument("--root", type=Path, default=generate.ROOT)
    parser.add_argument(
        "--no-type-check",
        action="store_true",
        help="skip the mypy step (for tests; make update-spec always runs it)",
    )
    arguments = parser.parse_args(argv)
    root: Path = arguments.root
    spec: Path = arguments.spec
    try:
        raw, new_document = read_spec(spec)
    except SystemExit as exit_:
        return int(exit_.code or 2)
    if raw == (root / "openapi.yaml").read_bytes():
        print(f"unchanged: {spec} is byte-identical to openapi.yaml. No version bump.")
        return 0
    if unquoted := apply_overlay.string_status_keys(new_document):
        print(f"note: {unquoted} operations write status keys unquoted (200:): read as strings")

    overlay = apply_overlay.load(root / "spec/fixes.overlay.yaml")
    try:
        try:
            new_fixed, stale = apply_overlay.apply(new_document, overlay)
        except apply_overlay.FixDoesNotApply as error:
            raise Refused(
                f"the fix layer no longer applies: {error}.\n"
                "Upstream changed the part of the spec this fix was written for: read the new\n"
                "spec, then adapt or delete the action in spec/fixes.overlay.yaml"
            ) from None
        except (AttributeError, KeyError, TypeError) as error:  # a shape no fix expects
            raise Refused(f"the fix layer cannot be applied to this document: {error!r}") from None
        validate(new_fixed)
        with tempfile.TemporaryDirectory() as scratch:
            output = Path(scratch) / "meetbit_api"
            generate_into(spec, output, root, new_fixed)
            old_document = apply_overlay.load(root / "openapi.yaml")
            try:
                old_fixed, _ = apply_overlay.apply(old_document, overlay)
            except apply_overlay.FixDoesNotApply:  # a fix layer written for the new spec
                old_fixed = old_document
            changes = summarise(old_fixed, new_fixed)
            _replace(spec, output, root)
    except Refused as refusal:
        print(f"update-spec: {refusal}\nNothing changed.", file=sys.stderr)
        return 1

    print(f"Took {spec}: openapi.yaml replaced, generated/ regenerated.")
    _report(changes, stale, root)
    if arguments.no_type_check:
        print("\nHand-written code: type check skipped (--no-type-check).")
        return 0
    errors = type_check(root)
    if errors is None:
        print("\nHand-written code: type check skipped, mypy is not installed (make lint runs it).")
        return 0
    if not errors:
        print(
            "\nHand-written code (overlay/, examples/) type-checks against the new generated code."
        )
        return 0
    print("\nWARNING: hand-written code no longer type-checks against the new generated code:")
    for line in errors:
        print(f"  {line}")
    print(
        f"hand-written code no longer type-checks: {len(errors)} errors. openapi.yaml and\n"
        "generated/ are replaced; fix these lines (make lint checks them), then make test."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
