"""Schemathesis against FakeMeetBit served on 127.0.0.1, in positive and negative mode.

Importable (`run(spec, modes, examples)`) and runnable as a script
(`python tests/schemathesis_fake.py FIXED_SPEC [EXAMPLES [SEED]]`, printing a JSON report),
so a test can run it in a subprocess whose PYTHONPATH puts a package generated from another
spec first. Nothing here names an operation: every resource an operation returns is
stored at its key's example values, and Schemathesis is given those values for the path
parameters half of the time, so positive cases reach the fake's logic and not only 404.
"""

from __future__ import annotations

import collections
import contextlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from meetbit.testing import FakeMeetBit, example
from meetbit_api.operations import OPERATIONS

ST = Path(sys.executable).with_name("st")


class Counted(FakeMeetBit):
    """The fake, counting the statuses it answers."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.statuses: collections.Counter[int] = collections.Counter()

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = super().handle(request)
        self.statuses[response.status_code] += 1
        return response


def stored_fake() -> tuple[Counted, dict[str, Any]]:
    """A fake holding a resource of every kind, and the path values that address them."""
    fake = Counted()
    known: dict[str, Any] = {}
    for operation in OPERATIONS.values():
        path = {
            f.name: example(f.schema, complete=True)
            for f in operation.fields
            if f.location == "path"
        }
        known.update(path)
        with contextlib.suppress(LookupError):  # an operation that returns no resource
            key = [path.get(name, 1) for name in fake.key_of(operation.name)]
            fake.add_resource(operation.name, *key)
    return fake, known


def config(known: dict[str, Any]) -> str:
    """schemathesis.toml: each path parameter takes a stored key's value half of the time."""
    names = sorted(known)
    lines = []
    for index, name in enumerate(names):
        lines += [f"[dictionaries.key{index}]", f"values = [{json.dumps(known[name])}]", ""]
    lines.append("[parameters]")
    for index, name in enumerate(names):
        lines.append(f'"path.{name}" = {{ dictionary = "key{index}", probability = 0.5 }}')
    return "\n".join(lines) + "\n"


def run(spec: Path, modes: tuple[str, ...], examples: int, seed: int = 1) -> dict[str, Any]:
    """For each mode: Schemathesis's exit code, cases generated and passed, what was answered."""
    report: dict[str, Any] = {}
    for mode in modes:
        fake, known = stored_fake()
        with tempfile.TemporaryDirectory() as scratch, fake.serve() as base_url:
            settings = Path(scratch) / "schemathesis.toml"
            settings.write_text(config(known))
            command = [
                ST, "--config-file", settings, "--no-color", "run", spec.resolve(),
                "--url", base_url, "--mode", mode, "--checks", "all",
                "-H", f"X-Access-Key-Id: {fake.access_key_id}",
                "-H", f"X-Access-Key-Secret: {fake.access_key_secret}",
                "--max-examples", str(examples), "--seed", str(seed), "--workers", "1",
            ]  # fmt: skip
            result = subprocess.run(
                command, cwd=scratch, capture_output=True, text=True, timeout=540, check=False
            )
        counts = re.search(r"(\d+) generated, (?:(\d+) passed|(\d+) found)", result.stdout)
        report[mode] = {
            "exit": result.returncode,
            "generated": int(counts[1]) if counts else None,
            "passed": int(counts[2]) if counts and counts[2] else 0,
            "statuses": dict(sorted(fake.statuses.items())),
            "output": (result.stdout[-4000:] + result.stderr[-2000:]) if result.returncode else "",
        }
    return report


if __name__ == "__main__":
    spec = Path(sys.argv[1])
    examples = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    json.dump(run(spec, ("positive", "negative"), examples, seed), sys.stdout, indent=1)
