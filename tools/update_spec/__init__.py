"""Take a new upstream spec: merge, validate, report what changes for callers, regenerate.

Usage: python tools/update_spec SPEC... [--root PROJECT_DIR] [--no-type-check]
       (make update-spec SPEC="page.md other-page.md" or SPEC=directory/ or SPEC=openapi.yaml)

SPEC is what MeetBit publishes: docs pages, one per operation, each with its excerpt of the
OpenAPI document between ```` fences (or a directory of them), or one whole YAML document.
In order, stopping at the first refusal (a refusal changes nothing):

1. Read the sources (sources.py). Missing, unreadable, a page without its ````yaml excerpt,
   not YAML, or not a mapping: one line, exit 2 (so is a usage error).
2. Merge them with the vendored ones they do not supersede into the new openapi.yaml. Two
   sources describing one key differently: refused, naming both and the key, exit 1.
   The same openapi.yaml as now: "unchanged", nothing written, exit 0.
3. Apply the fix layer strictly (spec/fixes.overlay.yaml): a fix whose target is gone: exit 1.
4. Validate the *fixed* document with openapi-spec-validator (validate.py): its first
   error, exit 1.
5. Generate into a scratch directory as `make generate` does: an operation the generator
   would skip is named, with its reason, exit 1.
6. Replace openapi.yaml, generated/ and spec/upstream/ (the sources and their README
   table), then report (report.py): fixes no longer needed, every change a caller would
   notice (BREAKING / added, diff.py), differences callers cannot notice (info).
7. Move the version by the one rule (tools/versioning.py) and write the update into
   CHANGELOG.md's unreleased section, declaring the public API's breaks that
   `make api-check` would ask for.
8. Type-check the hand-written code (overlay/, examples/) with mypy --strict against the
   new generated code and name each line that breaks: exit 1 if any (the spec stays
   taken: fixing those lines is the next step, and the one step left before make test).
"""

from update_spec.diff import ADDED, BREAKING, INFO, Change, summarise
from update_spec.steps import main
from update_spec.validate import Refused

__all__ = ["ADDED", "BREAKING", "INFO", "Change", "Refused", "main", "summarise"]
