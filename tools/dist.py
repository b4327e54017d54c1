"""`make dist`: build the sdist and wheel a release publishes, and prove they install and work.

Usage: python tools/dist.py [OUTDIR]   (default build/dist)

0. The version in overlay/meetbit/_version.py decides what is built. A released version
   (its api/meetbit-X.Y.Z.json is committed) is frozen: a tree whose public API differs
   from that snapshot is refused, with every difference and the version the rule gives
   (tools/versioning.py), so one version number never names two different APIs. A version
   not released yet builds as a preview of it, numbered as one (PEP 440):
   `X.Y.Z.devN+g<commit>`, N the commits since the last release's snapshot was committed,
   `.dirty` for uncommitted changes. So two different trees never make two wheels of one
   number, and the release, when it comes, is newer than every preview of it.
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
import versioning

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VERSION_FILE = "overlay/meetbit/_version.py"
# Whose uncommitted changes make a preview ".dirty": what the packages are built from.
SOURCES = ("pyproject.toml", "README.md", "openapi.yaml", "spec", "generated", "overlay")


def run(*command: str | Path, cwd: Path = ROOT) -> str:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(
            f"make dist: {' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def build(tree: Path, outdir: Path, *flags: str) -> None:
    run(PYTHON, "-m", "build", "--no-isolation", *flags, "--outdir", outdir, tree)


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


def git(root: Path, *arguments: str) -> str | None:
    """git's output in `root`; None where git is missing or `root` is not a checkout."""
    executable = shutil.which("git")
    if executable is None:
        return None
    result = subprocess.run(
        [executable, "-C", str(root), *arguments], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def preview_version(root: Path, version: str) -> str:
    """The PEP 440 number of a preview of unreleased `version`: X.Y.Z.devN+g<commit>[.dirty]."""
    head = git(root, "rev-parse", "--short=12", "HEAD")
    if head is None:  # not a git checkout (an unpacked sdist): nothing tells two trees apart
        return f"{version}.dev0"
    released = [path.relative_to(root).as_posix() for path in versioning.snapshots(root).values()]
    since = git(root, "log", "-1", "--format=%H", "--", *released) if released else None
    count = git(root, "rev-list", "--count", f"{since}..HEAD" if since else "HEAD") or "0"
    dirty = git(root, "status", "--porcelain", "--untracked-files=no", "--", *SOURCES)
    return f"{version}.dev{count}+g{head}{'.dirty' if dirty else ''}"


def release_status(root: Path) -> tuple[str, str]:
    """The version to build and one line on what it is; SystemExit when a released version's
    API changed."""
    version = api_check.tree_version(root)
    released = api_check.release_differences(root)
    if released is None:
        preview = preview_version(root, version)
        return preview, (
            f"meetbit {version} is not released yet (no api/meetbit-{version}.json): this "
            f"build is a preview of it, numbered {preview}"
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
    return version, f"meetbit {version}: the public API is that of the release (api/{snapshot})"


def source_tree(root: Path, where: Path, version: str) -> Path:
    """A copy of `root`'s files (those git tracks or would track) with `version` in
    _version.py: what the packages are built from, so the tree itself is never edited."""
    listed = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is None:  # not a git checkout: everything but what a build or a venv left
        ignore = shutil.ignore_patterns(".git", ".venv*", "build", "node_modules", "__pycache__")
        shutil.copytree(root, where, ignore=ignore)
    else:
        for name in filter(None, listed.split("\0")):
            if (root / name).is_file():
                (where / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / name, where / name)
    stamp = where / VERSION_FILE
    text = stamp.read_text(encoding="utf-8")
    old = f'__version__ = "{api_check.tree_version(root)}"'
    if old not in text:
        raise SystemExit(f"make dist: {VERSION_FILE} has no line {old}")
    stamp.write_text(text.replace(old, f'__version__ = "{version}"'), encoding="utf-8")
    return where


def main(outdir: Path) -> None:
    version, status = release_status(ROOT)
    shutil.rmtree(outdir, ignore_errors=True)
    with tempfile.TemporaryDirectory() as scratch:
        tree = source_tree(ROOT, Path(scratch) / "tree", version)
        build(tree, outdir)
        (sdist,) = outdir.glob("*.tar.gz")
        (wheel,) = outdir.glob("*.whl")
        run(PYTHON, "-m", "twine", "check", "--strict", sdist, wheel)
        build(tree, Path(scratch) / "direct", "--wheel")
        (from_tree,) = (Path(scratch) / "direct").glob("*.whl")
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
