"""`make demo` keeps working: it is what a newcomer runs first."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.behaviour


def test_demo_cancels_through_the_client_and_the_cli_with_a_retried_429() -> None:
    result = subprocess.run(
        [sys.executable, ROOT / "examples/demo.py"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Retry-After: 0.5 is the floor; the rate controller adds up to 0.1 s of jitter.
    assert re.search(
        r"attempt 1 failed \(429\); retrying in 0\.(5\d|60) s \(retry-after\)", result.stdout
    )
    assert "cancelled #345 'Quarterly planning'" in result.stdout
    assert any(
        line.split() == ["cancel_note", "Office", "closed"] for line in result.stdout.splitlines()
    )
    # The echoed command is quoted as a shell needs it: pasting it would work.
    (echoed,) = (line for line in result.stdout.splitlines() if line.startswith("  $ meetbit"))
    assert shlex.split(echoed.removeprefix("  $ "))[-2:] == ["--cancel-note", "Office closed"]
    assert echoed.endswith("--cancel-note 'Office closed'")
    assert "fake-key-secret" not in result.stdout + result.stderr
