"""A small sample of `make real-specs` in `make test`: one real document, end to end.

The OAI petstore (unquoted `200:` keys, a string path id, a 201 without a body) goes through
update-spec into a scratch copy, mypy --strict, Prism and the fake, sync and async; every
operation must fully work and nothing may print a traceback. The whole corpus is
`make real-specs` (docs/real-specs.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PRISM = ROOT / "contract/node_modules/.bin/prism"


@pytest.mark.skipif(not PRISM.exists(), reason="Prism is not installed: run `make prism`")
def test_a_real_spec_fully_works_end_to_end(tmp_path: Path) -> None:
    markdown = tmp_path / "build/table.md"  # a folder that does not exist yet, as on a fresh clone
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools/real_specs.py"), "oai-petstore",
         "--markdown", str(markdown)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    row = next(line for line in markdown.read_text().splitlines() if line.startswith("| oai-"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    operations, generated, fully_work, raised = cells[1], cells[2], cells[8], cells[9]
    assert (operations, generated, fully_work, raised) == ("3", "3", "3", "0"), json.dumps(cells)
