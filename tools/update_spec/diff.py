"""What changes for callers between two fixed documents: each change BREAKING, added or info.

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

from dataclasses import dataclass
from typing import Any

import generate
from openapi_python_client.strings import PythonIdentifier, kebab_case

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
        # Null as meetbit._schema allows it (an enum without null refuses it, nullable or not).
        was_null, now_null = (generate.operations.schema_rules.allows_null(s) for s in (old, new))
        if side == "response" and now_null and not was_null:
            self.note(BREAKING, f"{where}: may now be null")
        if side == "request" and was_null and not now_null:
            self.note(BREAKING, f"{where}: may no longer be null")
        if side == "request" and now_null and not was_null:
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


def operations(document: Any) -> dict[str, tuple[Any, Any]]:
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
    old_ops, new_ops = operations(old), operations(new)
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
