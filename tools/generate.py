"""Generate the meetbit_api package: apply the fix layer, run the pinned generator, add ours.

Usage: python tools/generate.py SPEC OUTPUT_PACKAGE_DIR [FIXED_SPEC_PATH] [--replace]

OUTPUT_PACKAGE_DIR must not exist, unless --replace: then the package is generated aside,
OUTPUT_PACKAGE_DIR is replaced only if a file differs, and a line says which it was
("regenerated ... (N files changed)" or "... is up to date"); `make generate` uses that.

After the generator, tools/operations.py adds operations.py (what the spec says about each
operation) and resources.py (client.<tag>.<operation> methods) to the package.

The Makefile and the tests both generate through this one script, so they cannot drift
apart in how the generator is called.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import apply_overlay
import operations

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class GenerationFailed(SystemExit):
    """The generator refused or warned; `output` is what it printed (a SystemExit, so callers
    that only let it end the process keep working)."""

    def __init__(self, output: str) -> None:
        super().__init__(f"openapi-python-client failed:\n{output}")
        self.output = output


def generate(spec: Path, output: Path, fixed_spec: Path | None = None, root: Path = ROOT) -> None:
    """Write the package for `spec` to `output`, which must not exist yet."""
    with tempfile.TemporaryDirectory() as scratch:
        fixed_spec = fixed_spec or Path(scratch) / "openapi.fixed.json"
        if apply_overlay.main([str(spec), str(root / "spec/fixes.overlay.yaml"), str(fixed_spec)]):
            raise SystemExit(1)
        operations.refuse_unencodable(json.loads(fixed_spec.read_text(encoding="utf-8")))
        command = [
            BIN / "openapi-python-client", "generate",
            "--path", fixed_spec,
            "--config", root / "generator-config.yml",
            "--custom-template-path", root / "templates",
            "--meta", "none",
            "--fail-on-warning",
            "--output-path", output,
        ]  # fmt: skip
        # The generator runs ruff (its post-hook) from PATH: it must be the pinned one.
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode:
            raise GenerationFailed(result.stdout + result.stderr)
        # Our step: operation metadata and resource methods, formatted like the rest.
        extra = operations.render(
            fixed_spec, root / "generator-config.yml", root / "templates", output
        )
        for hook in (
            ["check", "--isolated", "--no-cache", "--fix-only", "--extend-select=I"],
            ["format", "--isolated", "--no-cache"],
        ):
            subprocess.run([BIN / "ruff", *hook, *extra], env=env, capture_output=True, check=True)


def changed_files(old: Path, new: Path) -> list[str]:
    """Files (relative paths) added, removed or with different bytes from `old` to `new`."""

    def files(root: Path) -> dict[str, bytes]:
        if not root.is_dir():
            return {}
        return {
            path.relative_to(root).as_posix(): path.read_bytes()
            for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    before, after = files(old), files(new)
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def regenerate(spec: Path, output: Path, fixed_spec: Path | None = None, root: Path = ROOT) -> int:
    """Generate into `output`, replacing it only if a file differs; return how many did."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / output.name
        generate(spec, fresh, fixed_spec, root)
        changed = changed_files(output, fresh)
        if changed:
            shutil.rmtree(output, ignore_errors=True)
            output.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(fresh, output)
    return len(changed)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("fixed_spec", type=Path, nargs="?")
    parser.add_argument("--replace", action="store_true", help="replace OUTPUT if it changed")
    arguments = parser.parse_args(argv)
    if not arguments.replace:
        generate(arguments.spec, arguments.output, arguments.fixed_spec)
        return
    changed = regenerate(arguments.spec, arguments.output, arguments.fixed_spec)
    if changed:
        print(f"regenerated {arguments.output} ({changed} files changed)")
    else:
        print(f"{arguments.output} is up to date")


if __name__ == "__main__":
    main(sys.argv[1:])
