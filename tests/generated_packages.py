"""Client packages generated from a fixture spec into a scratch folder, and the subprocesses
that import them ahead of the installed meetbit_api (two meetbit_api packages cannot share
one interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

MORE_OPERATIONS = ROOT / "tests/fixtures/openapi-more-operations.yaml"
"""The published spec plus getEvent, listEvents and updateEvent."""


def run_with(
    package_root: Path, *argv: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Python with `argv`, importing the meetbit_api under `package_root` and tests/ helpers."""
    inherited = [os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(package_root), str(ROOT / "tests"), *inherited]),
    }
    return subprocess.run(
        [sys.executable, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def generated(tmp_path_factory: pytest.TempPathFactory, spec: Path) -> Path:
    """A scratch folder holding the meetbit_api package generated from `spec`."""
    import generate  # tools/: in .venv only, not in the other Pythons' virtualenvs

    root = tmp_path_factory.mktemp(spec.stem)
    generate.generate(spec, root / "meetbit_api")
    return root
