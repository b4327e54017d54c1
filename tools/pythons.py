"""`make test-pythons`: find an interpreter for every Python the package supports.

Usage: python tools/pythons.py OUTDIR [--besides PYTHON] [INTERPRETER ...]

The versions come from pyproject.toml, not from here: each `Programming Language :: Python ::
3.N` classifier, and any newer 3.N this machine happens to have (requires-python has no upper
bound, so users may run it). For each version, in order:

1. INTERPRETER arguments (make's `PYTHONS=`), when given: only those, nothing is searched;
2. `python3.N` on PATH;
3. pyenv's versions directory (`pyenv root`, else $PYENV_ROOT, else ~/.pyenv): the newest
   final release 3.N.x, since a pyenv shim on PATH fails unless pyenv selects that version.

A candidate counts only once it has run and said its version, and that it can make a virtualenv
(Debian splits venv/ensurepip into python3.N-venv). The version of --besides (the main .venv,
where `make test` runs the whole suite) is not tested again.

For each version found, OUTDIR/python3.N holds "VERSION PATH"; the file is rewritten only when
that changes, so make rebuilds .venv-py3.N when, and only when, its interpreter changed.
stdout: the versions found (3.12 3.13), for make. stderr: one line per version, a named version
that is missing as `SKIPPED Python 3.N: <why>`; a missing one never fails the run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLASSIFIER = re.compile(r"Programming Language :: Python :: 3\.(\d+)$")
# Enough to notice a newer Python that the classifiers do not name yet.
NEWER = 8
PROBE = (
    "import sys, venv, ensurepip; "
    "print(sys.implementation.name, '%d.%d.%d' % sys.version_info[:3], sys.executable)"
)


def named_minors(pyproject: Path) -> list[int]:
    """The 3.N of every `Programming Language :: Python :: 3.N` classifier, sorted."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    matches = (CLASSIFIER.match(text) for text in project.get("classifiers", []))
    return sorted({int(match.group(1)) for match in matches if match})


def probe(command: str) -> tuple[str | None, str]:
    """(VERSION PATH, "") when `command` runs CPython and can make a venv, else (None, why)."""
    try:
        result = subprocess.run(
            [command, "-I", "-c", PROBE], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"{command} did not run ({error})"
    if result.returncode != 0:
        said = result.stderr.strip().splitlines() or ["no output"]
        if re.search(r"No module named '(venv|ensurepip)'", result.stderr):
            return None, f"{command} cannot make a virtualenv (Debian: the python3.N-venv package)"
        return None, f"{command} failed: {said[0]}"
    implementation, version, executable = result.stdout.split(maxsplit=2)
    if implementation != "cpython":
        return None, f"{command} is {implementation}, not CPython"
    return f"{version} {executable.strip()}", ""


def pyenv_roots() -> list[Path]:
    roots: list[Path] = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            said = subprocess.run(
                [pyenv, "root"], capture_output=True, text=True, timeout=30, check=False
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            said = ""
        if said:
            roots.append(Path(said))
    if os.environ.get("PYENV_ROOT"):
        roots.append(Path(os.environ["PYENV_ROOT"]))
    roots.append(Path.home() / ".pyenv")
    unique = dict.fromkeys(root for root in roots if (root / "versions").is_dir())
    return list(unique)


def pyenv_candidates(minor: int, roots: list[Path]) -> list[str]:
    """pyenv's final releases 3.minor.x, newest first (3.13.0t and 3.14-dev are left out)."""
    found: list[tuple[int, str]] = []
    for root in roots:
        for folder in (root / "versions").glob(f"3.{minor}.*"):
            patch = re.fullmatch(rf"3\.{minor}\.(\d+)", folder.name)
            binary = folder / "bin" / f"python3.{minor}"
            if patch and binary.is_file():
                found.append((int(patch.group(1)), str(binary)))
    return [binary for _, binary in sorted(found, reverse=True)]


def version_of(found: str) -> tuple[int, int]:
    major, minor = found.split()[0].split(".")[:2]
    return int(major), int(minor)


def find(minor: int, roots: list[Path]) -> tuple[str | None, list[str]]:
    """The first working interpreter of 3.minor (PATH, then pyenv), and why others were not."""
    why: list[str] = []
    on_path = shutil.which(f"python3.{minor}")
    for command in ([on_path] if on_path else []) + pyenv_candidates(minor, roots):
        found, reason = probe(command)
        if found and version_of(found) == (3, minor):
            return found, why
        why.append(reason or f"{command} is Python {found and found.split()[0]}")
    return None, why


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--besides", help="the main venv's python, which runs the full suite")
    parser.add_argument("interpreters", nargs="*", help="use these, search nothing (PYTHONS=)")
    args = parser.parse_intermixed_args()

    named = named_minors(ROOT / "pyproject.toml")
    if not named:
        print("pyproject.toml names no 'Programming Language :: Python :: 3.N'", file=sys.stderr)
        return 2
    main_found = probe(args.besides)[0] if args.besides else None
    main_minor = version_of(main_found)[1] if main_found else None
    if main_found:
        print(f"Python {main_found.split()[0]}: the full suite (.venv)", file=sys.stderr)

    found: dict[int, str] = {}
    missing: dict[int, str] = {}
    if args.interpreters:
        for command in args.interpreters:
            given, reason = probe(shutil.which(command) or command)
            if given and version_of(given) < (3, named[0]):
                reason = f"{command} is Python {given.split()[0]}, older than 3.{named[0]}"
            elif given:
                found.setdefault(version_of(given)[1], given)
                continue
            print(f"SKIPPED {command} (PYTHONS): {reason}", file=sys.stderr)
        for minor in named:
            if minor not in found:
                missing[minor] = f"not among PYTHONS={' '.join(args.interpreters)}"
    else:
        roots = pyenv_roots()
        for minor in range(named[0], named[-1] + 1 + NEWER):
            interpreter, why = find(minor, roots)
            if interpreter:
                found[minor] = interpreter
            elif minor <= named[-1]:
                looked = "; ".join(why) or f"no python3.{minor} on PATH or in pyenv's versions"
                missing[minor] = f"{looked} (name one: make test PYTHONS=/path/to/python3.{minor})"

    args.outdir.mkdir(parents=True, exist_ok=True)
    tested: list[str] = []
    for minor in sorted(set(found) | set(missing)):
        if minor == main_minor:
            continue
        if minor in missing:
            print(f"SKIPPED Python 3.{minor}: {missing[minor]}", file=sys.stderr)
            continue
        version, path = found[minor].split(maxsplit=1)
        note = "" if minor in named else " (newer than the classifiers name: add it once green)"
        venv = f".venv-py3.{minor}"
        print(f"Python {version}: the behaviour tests ({venv}, {path}){note}", file=sys.stderr)
        write_if_changed(args.outdir / f"python3.{minor}", found[minor] + "\n")
        tested.append(f"3.{minor}")
    print(" ".join(tested))
    return 0


if __name__ == "__main__":
    sys.exit(main())
