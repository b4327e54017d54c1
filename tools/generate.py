"""Generate the meetbit_api package: apply the fix layer, run the pinned generator, add ours.

Usage: python tools/generate.py SPEC OUTPUT_PACKAGE_DIR [FIXED_SPEC_PATH]

After the generator, tools/operations.py adds operations.py (what the spec says about each
operation) and resources.py (client.<tag>.<operation> methods) to the package.

The Makefile and the tests both generate through this one script, so they cannot drift
apart in how the generator is called.
"""

from __future__ import annotations

import os
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


if __name__ == "__main__":
    generate(*(Path(argument) for argument in sys.argv[1:]))
