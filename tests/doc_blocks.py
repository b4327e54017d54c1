"""Runs every Python block of README.md and docs/*.md as a test (Sybil), against a fake tenant.

A pytest plugin (pyproject.toml: `-p doc_blocks`) rather than a conftest.py at the root,
where a second module named `conftest` would shadow the tests' own (`from conftest import`).
How a Markdown file's blocks run (`pytest README.md docs`, part of `make test`):

- Each ```` ```python ```` block is executed in order, in one namespace per file, so a block
  may use what an earlier one defined (`client`). A block that starts with `>>>` is a
  doctest: its output is compared.
- Before a file's first block, a `meetbit.testing.FakeMeetBit` is served on 127.0.0.1 and
  the environment points there: `MEETBIT_BASE_URL`, `MEETBIT_ACCESS_KEY_ID`,
  `MEETBIT_ACCESS_KEY_SECRET` (the machine's other MEETBIT_* and proxy variables are
  unset, as for every test: machine.py). So a block written for a real tenant
  (`meetbit.Client()`, keys from the environment) runs as written. The fake is `tenant` in the namespace, with events (12, 345) and (12, 346)
  stored, for hidden checks: `<!-- invisible-code-block: python ... -->` blocks are run
  too and are where a page proves what its prose says.
- A ```` ```python test_<name>.py ```` block is a test module: it is written to a scratch
  directory under that name and run by pytest in a subprocess, fixtures and all, and must
  pass with at least one test.
- Any other fence whose language is Python-like (`py`, `python3`, `pycon`, `python foo`) fails:
  every Python block runs, none is skipped by a typo. Shell, output and config use
  `sh`, `console`, `text`, `toml`...
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

try:
    from sybil import Document, Example, Region, Sybil
    from sybil.parsers.markdown import PythonCodeBlockParser
    from sybil.parsers.markdown.lexers import FencedCodeBlockLexer
except ModuleNotFoundError:  # the oldest-dependencies venv (make test-min-deps) runs tests/ only
    Sybil = None  # type: ignore[assignment,misc]

VARIABLES = ("MEETBIT_BASE_URL", "MEETBIT_ACCESS_KEY_ID", "MEETBIT_ACCESS_KEY_SECRET")
PYTEST_FILE = r"python[ \t]+test_\w+\.py"
PYTHON_LIKE = r"(?:py|python|python3|pycon|ipython|py3)\b[^\n]*"


def _serve_a_tenant(namespace: dict[str, Any]) -> None:
    from machine import machine_settings
    from meetbit.testing import FakeMeetBit

    stack = ExitStack()
    unset = machine_settings()
    saved = {name: os.environ.get(name) for name in (*VARIABLES, *unset)}
    stack.callback(_restore, saved)
    tenant = FakeMeetBit()
    tenant.add_event(12, 345, title="Quarterly planning")
    tenant.add_event(12, 346, title="Team lunch")
    base_url = stack.enter_context(tenant.serve())
    for name in unset:
        os.environ.pop(name, None)
    os.environ.update(
        MEETBIT_BASE_URL=base_url,
        MEETBIT_ACCESS_KEY_ID=tenant.access_key_id,
        MEETBIT_ACCESS_KEY_SECRET=tenant.access_key_secret,
    )
    namespace["tenant"] = tenant
    namespace["__docs_stack__"] = stack


def _close_everything(namespace: dict[str, Any]) -> None:
    import meetbit

    for value in list(namespace.values()):
        if isinstance(value, meetbit.Client):
            value.close()
    namespace["__docs_stack__"].close()


def _restore(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


class PytestFileParser:
    """```` ```python test_x.py ```` blocks: a test module, run by pytest in a subprocess."""

    def __init__(self) -> None:
        self.lexer = FencedCodeBlockLexer(
            language=PYTEST_FILE, mapping={"language": "info", "source": "source"}
        )

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            region.parsed = (region.lexemes["info"].split()[1], str(region.lexemes["source"]))
            region.evaluator = self.evaluate
            yield region

    @staticmethod
    def evaluate(example: Example) -> str | None:
        name, source = example.parsed
        with tempfile.TemporaryDirectory() as scratch:
            (Path(scratch) / name).write_text(source, encoding="utf-8")
            environment = {k: v for k, v in os.environ.items() if k not in VARIABLES}
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name],
                cwd=scratch,
                env=environment,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        if result.returncode != 0 or not re.search(r"\b\d+ passed\b", result.stdout):
            return f"{name} did not pass under pytest:\n{result.stdout}{result.stderr}"
        return None


class UnrunPythonParser:
    """Fails a Python-like fence no other parser runs, so that no block goes untested."""

    def __init__(self) -> None:
        self.lexer = FencedCodeBlockLexer(
            language=PYTHON_LIKE, mapping={"language": "info", "source": "source"}
        )

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            info = region.lexemes["info"].strip()
            if info != "python" and not re.fullmatch(PYTEST_FILE, info):
                region.parsed = info
                region.evaluator = self.evaluate
                yield region

    @staticmethod
    def evaluate(example: Example) -> str:
        return (
            f"a ```{example.parsed} block is not run: write ```python (run in order), "
            "```python test_<name>.py (a test module), or a non-Python fence (sh, text)"
        )


if Sybil is not None:  # without it, `pytest README.md` fails: "found no collectors"
    pytest_collect_file = Sybil(
        parsers=[PythonCodeBlockParser(), PytestFileParser(), UnrunPythonParser()],
        path=str(Path(__file__).resolve().parent.parent),
        patterns=["README.md", "docs/*.md"],
        setup=_serve_a_tenant,
        teardown=_close_everything,
    ).pytest()
