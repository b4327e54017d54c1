"""examples/quickstart.py runs as a program, against the fake MeetBit (make lint type-checks it)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.behaviour


def test_quickstart_runs_every_example_against_the_fake() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MEETBIT_")}
    result = subprocess.run(
        [sys.executable, ROOT / "examples/quickstart.py"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Quarterly planning | Moved to next week",
        "Quarterly planning: no location; no video room; Moved to next week",
        "missing event: None",
        "['Quarterly planning', 'Team lunch']",
        "generated function: 200",
    ]
