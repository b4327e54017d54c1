"""Schemathesis finds nothing to flag in FakeMeetBit, positive and negative, on the fixed spec.

Every check Schemathesis has (`--checks all`: server errors, status codes, content types
and schemas of the answers, invalid data accepted, valid data refused, 405 with Allow for
undeclared methods, auth ignored...) over real HTTP on 127.0.0.1, for MeetBit's fixed spec
and for two larger fixtures generated into scratch packages. The seed is fixed so a red run
can be replayed; `python tests/schemathesis_fake.py SPEC EXAMPLES SEED` runs more.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import apply_overlay
import generate as generator
import pytest
from conftest import ROOT, fixed_spec
from generated_packages import run_with
from schemathesis_fake import run

MODES = ("positive", "negative")


def assert_clean(report: dict[str, Any]) -> dict[str, dict[int, int]]:
    """Every case of both modes passed; returns the statuses the fake answered, by mode."""
    statuses = {}
    for mode in MODES:
        seen = report[mode]
        assert seen["exit"] == 0, seen["output"]
        assert seen["generated"], seen
        assert seen["passed"] == seen["generated"], seen
        statuses[mode] = {int(status): count for status, count in seen["statuses"].items()}
        assert 500 not in statuses[mode], seen
    return statuses


def test_meetbit_s_fixed_spec(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.fixed.json"
    spec.write_text(json.dumps(fixed_spec()))
    statuses = assert_clean(run(spec, MODES, examples=100))
    # Positive cases reached the stored resources, negative ones were refused as Laravel would.
    assert statuses["positive"].get(200, 0) > statuses["positive"].get(404, 0)
    assert statuses["negative"].get(422, 0) > 0


@pytest.mark.parametrize("fixture", ["openapi-more-operations.yaml", "openapi-fake-shapes.yaml"])
def test_a_larger_spec(tmp_path: Path, fixture: str) -> None:
    source = ROOT / "tests/fixtures" / fixture
    document, _ = apply_overlay.apply(
        apply_overlay.load(source), apply_overlay.load(ROOT / "spec/fixes.overlay.yaml")
    )
    spec = tmp_path / "openapi.fixed.json"
    spec.write_text(json.dumps(document))
    generator.generate(source, tmp_path / "package" / "meetbit_api")
    result = run_with(
        tmp_path / "package", str(ROOT / "tests/schemathesis_fake.py"), str(spec), "25"
    )
    assert result.returncode == 0, result.stderr
    assert_clean(json.loads(result.stdout))
