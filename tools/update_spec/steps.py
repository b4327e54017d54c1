"""The steps of `make update-spec`, in order; the first refusal stops it and changes nothing."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import apply_overlay
import generate
from ruamel.yaml import YAML

from update_spec import report, sources
from update_spec.diff import Change, summarise
from update_spec.validate import Refused, generate_into, type_check, validate


def _fixed(document: Any, root: Path) -> tuple[Any, list[str]]:
    """The document with the fix layer applied strictly, and the fixes it no longer needs."""
    overlay = apply_overlay.load(root / "spec/fixes.overlay.yaml")
    try:
        return apply_overlay.apply(document, overlay)
    except apply_overlay.FixDoesNotApply as error:
        raise Refused(
            f"the fix layer no longer applies: {error}.\n"
            "Upstream changed the part of the spec this fix was written for: read the new\n"
            "spec, then adapt or delete the action in spec/fixes.overlay.yaml"
        ) from None
    except (AttributeError, KeyError, TypeError) as error:  # a shape no fix expects
        raise Refused(f"the fix layer cannot be applied to this document: {error!r}") from None


def _take(
    root: Path, text: bytes, kept: list[sources.Source], gone: list[str]
) -> tuple[list[Change], list[str], bool]:
    """Check and generate the merged document; if all is well, replace openapi.yaml,
    generated/ and spec/upstream/. Returns the changes, the stale fixes and whether the
    generated package changed."""
    document = YAML(typ="safe", pure=True).load(text)
    if unquoted := apply_overlay.string_status_keys(document):
        print(f"note: {unquoted} operations write status keys unquoted (200:): read as strings")
    new_fixed, stale = _fixed(document, root)
    validate(new_fixed)
    with tempfile.TemporaryDirectory() as scratch:
        spec = Path(scratch) / "openapi.yaml"
        spec.write_bytes(text)
        output = Path(scratch) / "meetbit_api"
        generate_into(spec, output, root, new_fixed)
        old_document = apply_overlay.load(root / "openapi.yaml")
        try:
            old_fixed, _ = _fixed(old_document, root)
        except Refused:  # a fix layer written for the new spec: compare the documents as given
            old_fixed = old_document
        changes = summarise(old_fixed, new_fixed)
        generated = root / "generated/meetbit_api"
        generated_changed = bool(generate.changed_files(generated, output))
        (root / "openapi.yaml").write_bytes(text)
        shutil.rmtree(generated, ignore_errors=True)
        shutil.copytree(output, generated)
    sources.vendor(root, kept, gone)
    return changes, stale, generated_changed


def _type_check_step(root: Path, skip: bool) -> int:
    if skip:
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


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make update-spec SPEC=...",
        description="Take MeetBit's docs pages (or one whole YAML document) as the new spec.",
    )
    parser.add_argument(
        "spec",
        type=Path,
        nargs="+",
        help="docs pages (.md), directories of them, or one OpenAPI YAML document",
    )
    parser.add_argument("--root", type=Path, default=generate.ROOT)
    parser.add_argument(
        "--no-type-check",
        action="store_true",
        help="skip the mypy step (for tests; make update-spec always runs it)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    arguments = _arguments(argv)
    root: Path = arguments.root
    try:
        given, skipped = sources.read_given(arguments.spec)
        current = sources.vendored(root)
    except sources.Unusable as error:
        print(f"update-spec: {error}", file=sys.stderr)
        return 2
    if skipped:
        print(f"Pages without an OpenAPI excerpt, left out: {', '.join(skipped)}")
    kept, gone = sources.combine(current, given)
    names = [source.name for source in given]
    try:
        text = sources.merge(kept)
        if text == (root / "openapi.yaml").read_bytes():
            print(
                f"unchanged: {', '.join(names)} give the openapi.yaml we have. "
                "Nothing changed. No version bump."
            )
            return 0
        changes, stale, generated_changed = _take(root, text, kept, gone)
    except Refused as refusal:
        print(f"update-spec: {refusal}\nNothing changed.", file=sys.stderr)
        return 1
    replaced = f"; superseded and removed: {', '.join(gone)}" if gone else ""
    print(
        f"Took {', '.join(names)}: spec/upstream/ holds {len(kept)} source(s){replaced}; "
        "openapi.yaml is their merge; generated/ regenerated."
    )
    report.print_changes(changes, stale)
    report.record(root, changes, generated_changed, names)
    return _type_check_step(root, arguments.no_type_check)
