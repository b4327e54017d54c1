"""Apply an OpenAPI Overlay 1.0 document to an OpenAPI document, strictly.

Strict means two things a general-purpose applier does not do, because this overlay is a
list of *fixes* for a document we do not control:

* an action whose target matches nothing is an error (`FixDoesNotApply`): upstream changed
  the shape the fix was written for, and silently generating from an unfixed spec would
  hide that;
* an action that leaves the document unchanged is reported as stale: upstream fixed the
  defect, and the action can be deleted.

Usage: python tools/apply_overlay.py SPEC OVERLAY OUTPUT
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import jsonpath_rfc9535
from ruamel.yaml import YAML


class FixDoesNotApply(Exception):
    """An overlay action's target matches nothing in the document."""


def load(path: Path) -> Any:
    # YAML 1.2 safe loading, the same YAML dialect openapi-python-client reads.
    document = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    string_status_keys(document)
    return document


METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def string_status_keys(document: Any) -> int:
    """Make response status keys written unquoted (`200:`) strings; return how many operations.

    YAML reads `200:` as an integer, OpenAPI means the string "200" (it asks for quotes "for
    compatibility"), and Scribe and the OAI examples write it unquoted: every tool reads it as
    the string, and so do the fix layer's targets (`responses['200']`).
    """
    changed = 0
    paths = document.get("paths") if isinstance(document, dict) else None
    for item in (paths or {}).values() if isinstance(paths, dict) else ():
        for method in METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if isinstance(responses, dict) and any(not isinstance(k, str) for k in responses):
                fixed = {str(key): value for key, value in responses.items()}
                responses.clear()
                responses.update(fixed)
                changed += 1
    return changed


def merge(target: Any, update: Any) -> None:
    """Overlay 1.0 update: objects merge recursively, arrays append, other values replace."""
    if isinstance(target, list):
        target.extend(
            copy.deepcopy(update) if isinstance(update, list) else [copy.deepcopy(update)]
        )
        return
    for key, value in update.items():
        if isinstance(target.get(key), (dict, list)) and isinstance(value, type(target[key])):
            merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def apply(document: Any, overlay: Any) -> tuple[Any, list[str]]:
    """Return the fixed copy of `document` and the descriptions of actions that changed nothing."""
    document = copy.deepcopy(document)
    stale: list[str] = []
    for number, action in enumerate(overlay["actions"], start=1):
        target = action["target"]
        nodes = jsonpath_rfc9535.find(target, document)
        if not nodes:
            raise FixDoesNotApply(f"action {number}: target {target} matches nothing in the spec")
        before = copy.deepcopy(document)
        # Removing from the end keeps the locations of earlier array matches valid.
        for node in reversed(nodes):
            if action.get("remove"):
                *parent_path, key = node.location
                parent = document
                for step in parent_path:
                    parent = parent[step]
                del parent[key]
            else:
                merge(node.value, action["update"])
        if document == before:
            stale.append(f"action {number} ({target}) changes nothing: upstream may have fixed it")
    return document, stale


def main(argv: list[str]) -> int:
    spec_path, overlay_path, output_path = map(Path, argv)
    try:
        fixed, stale = apply(load(spec_path), load(overlay_path))
    except FixDoesNotApply as error:
        print(f"{overlay_path}: {error}", file=sys.stderr)
        return 1
    for line in stale:
        print(f"{overlay_path}: {line}", file=sys.stderr)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(fixed, indent=2, ensure_ascii=False) + "\n"
    try:
        output_path.write_text(text, encoding="utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a JSON spec's "\ud800"): keep it escaped
        output_path.write_text(json.dumps(fixed, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
