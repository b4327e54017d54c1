"""openapi.yaml is byte-for-byte the YAML of the vendored upstream docs page."""

from __future__ import annotations

import pytest
from conftest import ROOT

PAGE = ROOT / "spec" / "upstream" / "cancel-event.md"
FENCE = "````"


def fenced_yaml(page: bytes) -> bytes:
    """The bytes between the page's opening ````yaml line and its closing ```` line."""
    lines = page.splitlines(keepends=True)
    opening = [i for i, line in enumerate(lines) if line.startswith(b"````yaml")]
    assert len(opening) == 1, f"expected one ````yaml fence, found {len(opening)}"
    start = opening[0] + 1
    closing = [i for i in range(start, len(lines)) if lines[i].rstrip(b"\r\n") == b"````"]
    assert closing, "the ````yaml fence is never closed"
    return b"".join(lines[start : closing[0]])


def test_openapi_yaml_is_exactly_the_pages_fenced_yaml() -> None:
    spec = (ROOT / "openapi.yaml").read_bytes()
    assert fenced_yaml(PAGE.read_bytes()) == spec


def test_the_comparison_notices_a_single_changed_byte() -> None:
    spec = (ROOT / "openapi.yaml").read_bytes()
    page = PAGE.read_bytes()
    assert fenced_yaml(page.replace(b"version: '2.0'", b"version: '2.1'")) != spec
    # The page's blank line before the closing fence belongs to openapi.yaml.
    assert fenced_yaml(page.replace(b"\n\n````", b"\n````")) != spec


def test_a_page_without_its_fence_is_reported() -> None:
    with pytest.raises(AssertionError, match="one ````yaml fence"):
        fenced_yaml(b"# Cancel Event\n\nno spec here\n")
