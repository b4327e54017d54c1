"""Whether a fixed document can be taken: the validator, the generator, the type checker."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import generate
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing.exceptions import Unresolvable

# Schemathesis (a dev dependency) brings jsonschema-rs, which openapi-spec-validator picks
# up by itself and words its errors differently: the refusals here quote the Python backend.
os.environ.setdefault("OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND", "jsonschema")


class Refused(Exception):
    """The new spec cannot be taken; nothing was changed."""


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
        reason = " ".join(reason.split())
        clashes = _same_python_name(document, operation) if "same python_name" in reason else []
        if clashes:
            reason = f"properties {'; '.join(clashes)} get the same Python name"
        found.append(
            f"{method} {path} ({operation.get('operationId', 'no operationId')}): {what}: "
            # The generator prints some names as object reprs; say what they are instead.
            + re.sub(r"<openapi_python_client[\w.]* object at 0x[0-9a-f]+>", "a property", reason)
        )
    return found


def _same_python_name(document: Any, operation: Any) -> list[str]:
    """The property names of one object in `operation` that the generator names alike.

    Its own message prints them as object reprs. It gives two properties one Python
    name when they are still equal with only the characters an identifier cannot hold
    removed (`even_more_param` and `even_more_param.*`).
    """
    from openapi_python_client.strings import PythonIdentifier

    clashes: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        properties = node.get("properties")
        if isinstance(properties, dict):
            alike: dict[str, list[str]] = {}
            for name in properties:
                key = PythonIdentifier(str(name), "field_", skip_snake_case=True)
                alike.setdefault(key, []).append(repr(str(name)))
            clashes.extend(" and ".join(names) for names in alike.values() if len(names) > 1)
        for value in node.values():
            walk(value)

    try:
        walk(generate.operations.resolve(document, operation))
    except (KeyError, IndexError, ValueError, TypeError):  # a $ref to nothing: say nothing more
        return []
    return list(dict.fromkeys(clashes))


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
