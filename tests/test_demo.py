"""`make demo` keeps working: it is what a newcomer runs first."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_demo_cancels_through_the_client_and_the_cli_with_a_retried_429() -> None:
    result = subprocess.run(
        [sys.executable, ROOT / "examples/demo.py"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Retry-After: 0.5, plus the rate controller's jitter (under 0.1 s)
    assert re.search(
        r"attempt 1 failed \(429\); retrying in 0\.[56]\d s \(retry-after\)", result.stdout
    )
    assert "cancelled #345 'Quarterly planning'" in result.stdout
    assert "cancel note              Office closed" in result.stdout
    assert "fake-key-secret" not in result.stdout + result.stderr
