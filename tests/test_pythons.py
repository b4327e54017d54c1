"""tools/pythons.py: which interpreter `make test-pythons` uses for each supported Python.

Each test builds a fake machine in tmp_path: interpreters are shell scripts that answer the
probe (or fail as a pyenv shim does), PATH and pyenv's root point into tmp_path only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPT = ROOT / "tools" / "pythons.py"
SHIM_ERROR = "pyenv: python3.12: command not found"


def interpreter(path: Path, version: str | None, *, stderr: str = "", code: int = 0) -> Path:
    """A stand-in for python: says `version` to the probe, or fails with `stderr` and `code`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    said = f'echo "cpython {version} $0"' if version else ""
    path.write_text(f"#!/bin/sh\n{said}\necho {stderr!r} >&2\nexit {code}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


class Machine:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "bin"
        self.bin.mkdir()
        self.pyenv = root / "pyenv"
        self.out = root / "out"
        self.main = interpreter(root / "venv" / "python", "3.11.7")

    def pyenv_version(self, name: str, minor: int) -> Path:
        version = name if re.fullmatch(r"[\d.]+", name) else None
        return interpreter(self.pyenv / "versions" / name / "bin" / f"python3.{minor}", version)

    def run(self, *interpreters: str) -> subprocess.CompletedProcess[str]:
        environment = {
            "PATH": f"{self.bin}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "PYENV_ROOT": str(self.pyenv),
            "HOME": str(self.root / "home"),
        }
        return subprocess.run(
            [sys.executable, SCRIPT, self.out, "--besides", self.main, *interpreters],
            capture_output=True, text=True, env=environment, timeout=60, check=False,
        )  # fmt: skip


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


def test_the_classifiers_name_every_python_from_requires_python_on() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    import pythons  # tools/

    minors = pythons.named_minors(ROOT / "pyproject.toml")
    assert project["requires-python"] == f">=3.{minors[0]}"
    assert minors == list(range(minors[0], minors[-1] + 1)), "no gap between the named versions"
    assert minors[:3] == [11, 12, 13]


def test_a_broken_shim_on_path_falls_back_to_pyenv_s_newest_release(machine: Machine) -> None:
    interpreter(machine.bin / "python3.12", None, stderr=SHIM_ERROR, code=127)
    machine.pyenv_version("3.12.1", 12)
    newest = machine.pyenv_version("3.12.10", 12)
    machine.pyenv_version("3.13.0t", 13)  # free-threaded build: not what users run by default
    machine.pyenv_version("3.13-dev", 13)
    on_path = interpreter(machine.bin / "python3.13", "3.13.0")

    result = machine.run()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3.12", "3.13"]
    assert (machine.out / "python3.12").read_text() == f"3.12.10 {newest}\n"
    assert (machine.out / "python3.13").read_text() == f"3.13.0 {on_path}\n"
    assert "Python 3.11.7: the full suite (.venv)" in result.stderr
    assert "SKIPPED" not in result.stderr


def test_a_missing_python_says_skipped_and_why_without_failing(machine: Machine) -> None:
    interpreter(machine.bin / "python3.12", None, stderr=SHIM_ERROR, code=127)
    interpreter(
        machine.bin / "python3.13",
        None,
        stderr="ModuleNotFoundError: No module named 'ensurepip'",
        code=1,
    )

    result = machine.run()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
    skipped = [line for line in result.stderr.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 2
    assert skipped[0].startswith("SKIPPED Python 3.12: ")
    assert SHIM_ERROR in skipped[0]
    assert "PYTHONS=/path/to/python3.12" in skipped[0]
    assert skipped[1].startswith("SKIPPED Python 3.13: ")
    assert "cannot make a virtualenv" in skipped[1]
    assert not list(machine.out.glob("python3.*"))


def test_a_newer_python_than_the_classifiers_name_is_tested_too(machine: Machine) -> None:
    machine.pyenv_version("3.12.1", 12)
    machine.pyenv_version("3.13.0", 13)
    machine.pyenv_version("3.14.2", 14)

    result = machine.run()

    assert result.stdout.split() == ["3.12", "3.13", "3.14"]
    assert "Python 3.14.2: the behaviour tests (.venv-py3.14" in result.stderr
    assert "newer than the classifiers name" in result.stderr


def test_pythons_given_are_the_only_ones(machine: Machine) -> None:
    machine.pyenv_version("3.12.1", 12)  # not searched when PYTHONS names interpreters
    given = interpreter(machine.root / "opt" / "python", "3.13.1")
    old = interpreter(machine.root / "old" / "python", "3.10.13")

    result = machine.run(str(given), str(old), "python3.99")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3.13"]
    assert "is Python 3.10.13, older than 3.11" in result.stderr
    assert "SKIPPED python3.99 (PYTHONS): python3.99 did not run" in result.stderr
    assert "SKIPPED Python 3.12: not among PYTHONS=" in result.stderr


def test_the_record_is_rewritten_only_when_the_interpreter_changes(machine: Machine) -> None:
    """make rebuilds .venv-py3.N from the record's time: same interpreter, same file."""
    machine.pyenv_version("3.12.1", 12)
    machine.run()
    record = machine.out / "python3.12"
    os.utime(record, (1_000_000, 1_000_000))
    machine.run()
    assert record.stat().st_mtime == 1_000_000
    machine.pyenv_version("3.12.2", 12)
    machine.run()
    assert record.read_text().startswith("3.12.2 ")
    assert record.stat().st_mtime > 1_000_000
