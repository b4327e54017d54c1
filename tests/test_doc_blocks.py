"""tests/doc_blocks.py: a page's blocks can run against another spec, and fail when they should.

A scratch Markdown page is parsed with the plugin's parsers and each example evaluated, as
`pytest docs` does; the blocks after a `run-against` comment see the other spec's package
and its served fake, share one namespace, and report their failures with the page's line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from doc_blocks import SpecScopedParser

sybil = pytest.importorskip("sybil", reason="Sybil runs the documentation blocks")
from sybil.example import SybilFailure  # noqa: E402
from sybil.parsers.markdown import PythonCodeBlockParser  # noqa: E402

FENCE = "```"


def page(tmp_path: Path, text: str) -> list[str | None]:
    """Evaluate every example of a page; each one's failure message, or None."""
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    document = sybil.Sybil(parsers=[SpecScopedParser(PythonCodeBlockParser())]).parse(path)
    outcomes: list[str | None] = []
    try:
        for example in document:
            try:
                example.evaluate()
                outcomes.append(None)
            except SybilFailure as failure:
                outcomes.append(str(failure))
    finally:
        for worker in document.namespace.pop("__spec_workers__", {}).values():
            worker.close()
    return outcomes


AGAINST_MORE = "<!-- run-against: tests/fixtures/openapi-more-operations.yaml -->\n"


def test_blocks_after_the_comment_call_the_other_spec_s_operations(tmp_path: Path) -> None:
    outcomes = page(
        tmp_path,
        AGAINST_MORE + "<!-- invisible-code-block: python\n"
        "tenant.add_event(12, 7, title='Seven')\n-->\n\n"
        f"{FENCE}python\nimport meetbit\n\n"
        "with meetbit.Client() as client:\n"
        f"    title = client.events.get_event(12, 7).title\n{FENCE}\n\n"
        "<!-- invisible-code-block: python\nassert title == 'Seven'\n-->\n",
    )
    assert outcomes == [None, None, None]


def test_a_failing_block_fails_with_the_page_s_line(tmp_path: Path) -> None:
    outcomes = page(tmp_path, AGAINST_MORE + f"\n{FENCE}python\nx = 1\nassert x == 2\n{FENCE}\n")
    (failure,) = outcomes
    assert failure is not None
    assert "openapi-more-operations.yaml" in failure
    assert 'page.md", line 5' in failure  # the assert's line on the page
    assert "AssertionError" in failure


def test_a_doctest_block_there_is_refused(tmp_path: Path) -> None:
    outcomes = page(tmp_path, AGAINST_MORE + f"\n{FENCE}python\n>>> 1 + 1\n2\n{FENCE}\n")
    assert outcomes
    assert all("doctest" in (outcome or "") for outcome in outcomes)


def test_the_installed_spec_comment_ends_the_section(tmp_path: Path) -> None:
    outcomes = page(
        tmp_path,
        AGAINST_MORE + f"\n{FENCE}python\nfrom meetbit_api.operations import OPERATIONS\n"
        "assert 'get_event' in OPERATIONS\n"
        f"{FENCE}\n\n<!-- run-against: openapi.yaml -->\n\n{FENCE}python\n"
        "from meetbit_api.operations import OPERATIONS\n"
        f"assert 'get_event' not in OPERATIONS\n{FENCE}\n",
    )
    assert outcomes == [None, None]
