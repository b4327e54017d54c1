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
- `<!-- run-against: tests/fixtures/openapi-more-operations.yaml -->` (any spec path from
  the project root) makes the Python blocks after it, up to the next `run-against` comment
  (`<!-- run-against: openapi.yaml -->` returns to the installed spec), run against that
  spec: it is generated into a scratch package once a session, and the blocks run in order
  in one subprocess that imports that package first, with a `FakeMeetBit` of it served on
  127.0.0.1 and the same environment variables pointing there (`tenant`, with nothing
  stored: an invisible block before the visible one arranges what it needs). So a page can
  show an operation MeetBit's spec does not have yet (pagination) with a block that runs.
  Doctest (`>>>`) blocks there fail: write plain code and hidden `assert`s.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

try:
    from sybil import Document, Example, Region, Sybil
    from sybil.parsers.markdown import PythonCodeBlockParser
    from sybil.parsers.markdown.lexers import FencedCodeBlockLexer
except ModuleNotFoundError:  # the oldest-dependencies venv (make test-min-deps) runs tests/ only
    Sybil = None  # type: ignore[assignment,misc]

VARIABLES = ("MEETBIT_BASE_URL", "MEETBIT_ACCESS_KEY_ID", "MEETBIT_ACCESS_KEY_SECRET")
PYTEST_FILE = r"python[ \t]+test_\w+\.py"
PYTHON_LIKE = r"(?:py|python|python3|pycon|ipython|py3)\b[^\n]*"
ROOT = Path(__file__).resolve().parent.parent
RUN_AGAINST = re.compile(r"<!--\s*run-against:\s*(\S+)\s*-->")
INSTALLED_SPEC = "openapi.yaml"
BLOCK_TIMEOUT = 120


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
    _point_at(tenant, stack.enter_context(tenant.serve()))
    namespace["tenant"] = tenant
    namespace["__docs_stack__"] = stack


def _point_at(tenant: Any, base_url: str) -> None:
    """The environment a block written for a real tenant reads, pointed at the fake."""
    from machine import machine_settings

    for name in machine_settings():
        os.environ.pop(name, None)
    os.environ.update(
        MEETBIT_BASE_URL=base_url,
        MEETBIT_ACCESS_KEY_ID=tenant.access_key_id,
        MEETBIT_ACCESS_KEY_SECRET=tenant.access_key_secret,
    )


def _close_everything(namespace: dict[str, Any]) -> None:
    import meetbit

    for value in list(namespace.values()):
        if isinstance(value, meetbit.Client):
            value.close()
    for worker in namespace.pop("__spec_workers__", {}).values():
        worker.close()
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


# --- blocks that run against another spec ---------------------------------------------------

_packages: dict[Path, Path] = {}


def _package_for(spec: Path) -> Path:
    """A scratch folder holding meetbit_api generated from `spec` (once a session)."""
    if spec not in _packages:
        root = Path(tempfile.mkdtemp(prefix=f"doc-blocks-{spec.stem}-"))
        atexit.register(shutil.rmtree, root, True)
        subprocess.run(
            [sys.executable, str(ROOT / "tools/generate.py"), str(spec), str(root / "meetbit_api")],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        _packages[spec] = root
    return _packages[spec]


class SpecWorker:
    """One subprocess per page and spec: the spec's package first, its fake served."""

    def __init__(self, spec: Path) -> None:
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by close()
        inherited = [os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(_package_for(spec)), *inherited]),
        }
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env, text=True,
        )  # fmt: skip
        self.spec = spec
        ready = self._reply()
        if "ready" not in ready:
            raise RuntimeError(f"the worker for {spec.name} did not start: {ready}")

    def run(self, source: str, path: str, line: int) -> dict[str, Any]:
        assert self.process.stdin is not None
        request = {"source": source, "path": path, "line": line}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._reply()

    def _reply(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        readable, _, _ = select.select([self.process.stdout], [], [], BLOCK_TIMEOUT)
        line = self.process.stdout.readline() if readable else ""
        if not line:
            self.close()
            self.log.seek(0)
            return {"error": f"no answer within {BLOCK_TIMEOUT} s; its log:\n{self.log.read()}"}
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                assert self.process.stdin is not None
                self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _section_spec(document: Document, position: int) -> Path | None:
    """The spec the `run-against` comments before `position` name (None: the installed one)."""
    named = None
    for marker in RUN_AGAINST.finditer(document.text, 0, position):
        named = marker[1]
    if named is None or named == INSTALLED_SPEC:
        return None
    spec = (ROOT / named).resolve()
    if not spec.is_file():
        raise ValueError(f"{document.path}: run-against names {named}, which is no file")
    return spec


class SpecScopedParser:
    """The Python blocks (visible and invisible) after a `run-against` comment: in a worker."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.inner(document):
            spec = _section_spec(document, region.start)
            if spec is not None:
                region.evaluator = self._evaluator(spec)
            yield region

    @staticmethod
    def _evaluator(spec: Path) -> Any:
        def evaluate(example: Example) -> str | None:
            if not isinstance(example.parsed, str):
                return f"a doctest block cannot run against {spec.name}: write plain code"
            workers = example.namespace.setdefault("__spec_workers__", {})
            if spec not in workers:
                workers[spec] = SpecWorker(spec)
            line = example.line + example.parsed.line_offset
            reply = workers[spec].run(str(example.parsed), example.path, line)
            sys.stdout.write(reply.get("output", ""))
            if reply.get("error"):
                return f"against {spec.relative_to(ROOT)}:\n{reply['error']}"
            return None

        return evaluate


def _worker() -> None:
    """The worker's side: serve a fake of the package on the path, run each block it is sent."""
    from meetbit.testing import FakeMeetBit

    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the blocks print goes to the log, never into the replies
    sys.stdout = sys.stderr
    tenant = FakeMeetBit()
    namespace: dict[str, Any] = {"__name__": "__doc_block__", "tenant": tenant}
    with tenant.serve() as base_url:
        _point_at(tenant, base_url)
        _answer(protocol, {"ready": True})
        for line in sys.stdin:
            request = json.loads(line)
            printed = io.StringIO()
            error = None
            try:
                with contextlib.redirect_stdout(printed):
                    source = "\n" * request["line"] + request["source"]
                    exec(compile(source, request["path"], "exec"), namespace)
            except BaseException:  # reported to the test, which fails with it
                error = traceback.format_exc()
            _answer(protocol, {"error": error, "output": printed.getvalue()})


def _answer(protocol: IO[str], reply: dict[str, Any]) -> None:
    protocol.write(json.dumps(reply) + "\n")
    protocol.flush()


if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    _worker()
elif Sybil is not None:  # without it, `pytest README.md` fails: "found no collectors"
    pytest_collect_file = Sybil(
        parsers=[
            SpecScopedParser(PythonCodeBlockParser()),
            PytestFileParser(),
            UnrunPythonParser(),
        ],
        path=str(Path(__file__).resolve().parent.parent),
        patterns=["README.md", "docs/*.md"],
        setup=_serve_a_tenant,
        teardown=_close_everything,
    ).pytest()
