"""`make dist`: build the sdist and wheel a release publishes, and prove they install and work.

Usage: python tools/dist.py [OUTDIR]   (default build/dist)

0. The version in overlay/meetbit/_version.py decides what is built. A released version
   (its api/meetbit-X.Y.Z.json is committed) is frozen: a tree whose public API differs
   from that snapshot is refused, with every difference and the version the rule gives
   (tools/versioning.py), so one version number never names two different APIs. A version
   not released yet builds as a preview of it, and says so.
1. `python -m build`: the sdist from the tree, then the wheel from that sdist (build's
   default), so what we publish is what a user who builds from the sdist would get.
2. `twine check --strict` on both (metadata and README rendering, as the index will do).
3. A second wheel straight from the tree; its file list and contents must equal the one
   built from the sdist (a file missing from the sdist's include list shows up here).
4. A clean virtualenv (build/dist-venv) gets the wheel with its declared dependencies from
   the index, imports `meetbit` and `meetbit_api` from there, and runs `meetbit --version`.

The package is built without build isolation, with the pinned hatchling of
requirements/dev.txt: the same backend every time, and build still fails if it does not
satisfy pyproject's [build-system] requirement.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import api_check

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(*command: str | Path, cwd: Path = ROOT) -> str:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(
            f"make dist: {' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def build(outdir: Path, *flags: str) -> None:
    run(PYTHON, "-m", "build", "--no-isolation", *flags, "--outdir", outdir, ROOT)


def contents(wheel: Path) -> dict[str, str]:
    """Each file of the wheel and the sha256 of its bytes."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if not name.endswith("/")
        }


def compare(from_sdist: Path, from_tree: Path) -> None:
    published, direct = contents(from_sdist), contents(from_tree)
    missing = sorted(direct.keys() - published.keys())
    extra = sorted(published.keys() - direct.keys())
    # RECORD lists the hashes of the others: it differs exactly when one of them does.
    changed = sorted(
        name
        for name in direct.keys() & published.keys()
        if direct[name] != published[name] and not name.endswith("/RECORD")
    )
    if missing or extra or changed:
        raise SystemExit(
            "make dist: the wheel built from the sdist differs from one built from the tree "
            "(check [tool.hatch.build.targets.sdist] include in pyproject.toml):\n"
            + "".join(f"  only from the tree: {name}\n" for name in missing)
            + "".join(f"  only from the sdist: {name}\n" for name in extra)
            + "".join(f"  different bytes: {name}\n" for name in changed)
        )


def smoke_test(wheel: Path, venv: Path) -> str:
    """Install `wheel` with its dependencies into a new virtualenv; import and run it there."""
    shutil.rmtree(venv, ignore_errors=True)
    run(PYTHON, "-m", "venv", venv)
    bin_dir = venv / "bin"
    pip = (bin_dir / "python", "-m", "pip", "--disable-pip-version-check")
    run(*pip, "install", "--quiet", wheel)
    code = (
        "import pathlib, sys, meetbit, meetbit_api, meetbit_api.models\n"
        "from meetbit import Client, AsyncClient\n"
        "for module in (meetbit, meetbit_api):\n"
        "    assert pathlib.Path(module.__file__).is_relative_to(sys.prefix), module.__file__\n"
        "print(meetbit.__version__)"
    )
    # From an empty directory, so nothing of the project's tree can be imported instead.
    with tempfile.TemporaryDirectory() as elsewhere:
        version = run(bin_dir / "python", "-I", "-c", code, cwd=Path(elsewhere)).strip()
        cli = run(bin_dir / "meetbit", "--version", cwd=Path(elsewhere)).strip()
    if cli != f"meetbit {version}":
        raise SystemExit(f"make dist: `meetbit --version` printed {cli!r}, expected {version}")
    return cli


def release_status(root: Path) -> str:
    """One line on what this build is; SystemExit when a released version's API changed."""
    version = api_check.tree_version(root)
    released = api_check.release_differences(root)
    if released is None:
        return (
            f"meetbit {version} is not released yet (no api/meetbit-{version}.json): this "
            "build is a preview of it"
        )
    snapshot, differences = released
    if differences:
        shown = "".join(f"  {line}\n" for line in differences[:20])
        more = f"  ... and {len(differences) - 20} more\n" if len(differences) > 20 else ""
        raise SystemExit(
            f"make dist: meetbit {version} is released (api/{snapshot}), and this tree's "
            f"public API differs from it ({len(differences)} differences):\n{shown}{more}"
            "Refused: one version, one API. Move the version by the rule "
            "(make api-check names it), or build the release from its tag."
        )
    return f"meetbit {version}: the public API is that of the release (api/{snapshot})"


def main(outdir: Path) -> None:
    status = release_status(ROOT)
    shutil.rmtree(outdir, ignore_errors=True)
    build(outdir)
    (sdist,) = outdir.glob("*.tar.gz")
    (wheel,) = outdir.glob("*.whl")
    run(PYTHON, "-m", "twine", "check", "--strict", sdist, wheel)
    with tempfile.TemporaryDirectory() as scratch:
        build(Path(scratch), "--wheel")
        (from_tree,) = Path(scratch).glob("*.whl")
        compare(wheel, from_tree)
    installed = smoke_test(wheel, outdir.parent / "dist-venv")
    print(f"{sdist.relative_to(ROOT)}, {wheel.relative_to(ROOT)}: twine check --strict passed")
    files = len(contents(wheel))
    print(f"the wheel rebuilt from the sdist matches one built from the tree ({files} files)")
    print(f"a clean virtualenv imports meetbit and meetbit_api from the wheel: {installed}")
    print(status)
    print(f"install it elsewhere with: pip install {wheel}")


if __name__ == "__main__":
    main((ROOT / (sys.argv[1] if len(sys.argv) > 1 else "build/dist")).resolve())
