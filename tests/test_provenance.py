"""openapi.yaml is the merge of the vendored upstream sources' excerpts, and each is listed.

spec/upstream/ holds MeetBit's docs pages (or a whole YAML document) byte for byte, and
its README lists each with its sha256. These checks are generic: they hold for one page or
fifty, and for every spec `make update-spec` takes.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from conftest import ROOT
from ruamel.yaml import YAML
from update_spec import sources

UPSTREAM = ROOT / "spec" / "upstream"


def parsed(text: bytes) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def test_openapi_yaml_is_the_merge_of_the_vendored_excerpts() -> None:
    vendored = sources.vendored(ROOT)
    assert vendored, "spec/upstream/ holds no source"
    assert (ROOT / "openapi.yaml").read_bytes() == sources.merge(vendored)


def test_with_one_page_openapi_yaml_is_its_excerpt_byte_for_byte() -> None:
    (page,) = sources.vendored(ROOT)[:1]
    excerpt, _ = sources.fenced_yaml(page.raw) if page.is_page else (page.raw, 0)
    assert sources.merge([page]) == excerpt


def test_every_operation_and_component_is_the_one_a_source_gives() -> None:
    """Independently of how the merge writes: the parsed openapi.yaml holds each source's
    top level, operations and components as the source says them, and nothing else."""
    spec = parsed((ROOT / "openapi.yaml").read_bytes())
    given: dict[tuple[str, ...], Any] = {}
    for source in sources.vendored(ROOT):
        document = parsed(source.excerpt)
        for key, value in document.items():
            if key in ("paths", "components"):
                for name, item in value.items():
                    for inner, node in item.items():
                        assert spec[key][name][inner] == node, (source.name, key, name, inner)
                        given[key, name, inner] = node
            else:
                assert spec[key] == value, (source.name, key)
                given[(key,)] = value
    in_spec = {(key,) for key in spec if key not in ("paths", "components")} | {
        (key, name, inner)
        for key in ("paths", "components")
        for name, item in spec.get(key, {}).items()
        for inner in item
    }
    assert in_spec == set(given), "openapi.yaml holds parts no vendored source gives"


def test_every_source_is_listed_with_its_sha256_and_size() -> None:
    readme = (UPSTREAM / "README.md").read_text()
    rows = {
        match["name"]: (int(match["size"]), match["digest"])
        for match in re.finditer(
            r"^\| `(?P<name>[^`]+)` \|[^|]*\|[^|]*\| (?P<size>\d+) \| `(?P<digest>[0-9a-f]{64})` \|",
            readme,
            re.MULTILINE,
        )
    }
    files = {
        path.name: path.read_bytes() for path in UPSTREAM.iterdir() if path.name != "README.md"
    }
    assert set(rows) == set(files)
    for name, raw in files.items():
        assert rows[name] == (len(raw), hashlib.sha256(raw).hexdigest()), name


def test_the_comparison_notices_a_single_changed_byte() -> None:
    spec = (ROOT / "openapi.yaml").read_bytes()
    pages = [source for source in sources.vendored(ROOT) if source.is_page]
    if not pages:
        pytest.skip("spec/upstream/ holds a whole YAML document, no docs page")
    page = pages[0]
    excerpt, _ = sources.fenced_yaml(page.raw)
    assert b"version: '2.0'" in excerpt
    changed = page.raw.replace(b"version: '2.0'", b"version: '2.1'")
    assert sources.fenced_yaml(changed)[0] != excerpt
    # The page's blank line before the closing fence belongs to the excerpt.
    assert sources.fenced_yaml(page.raw.replace(b"\n\n````", b"\n````"))[0] != excerpt
    assert len(sources.vendored(ROOT)) > 1 or excerpt == spec


def test_a_page_without_its_fence_is_reported() -> None:
    with pytest.raises(ValueError, match="one ````yaml fence"):
        sources.fenced_yaml(b"# Cancel Event\n\nno spec here\n")
    with pytest.raises(ValueError, match="never closed"):
        sources.fenced_yaml(b"# Cancel Event\n\n````yaml openapi.yaml\nopenapi: 3.0.3\n")
