"""Spec variants for the tests, built from the spec in the tree, never from a copy of it.

A test that needs "the spec, with one limit lowered" or "MeetBit's page for a new operation"
gets it from here, derived from today's openapi.yaml: a legitimate spec update (a new
operation, a new field) changes what these functions return, not whether the tests hold.

tests/fixtures/pages/ holds MeetBit docs pages for operations the spec may gain. `page_for`
gives one as MeetBit would publish it beside the tree's spec: its own operation and the
components only it has, around the tree's top level and components (a page's excerpt is
cut from MeetBit's one document, so they agree).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conftest import ROOT
from ruamel.yaml.comments import CommentedMap
from update_spec import sources

PAGES = ROOT / "tests/fixtures/pages"
METHODS = ("get", "put", "post", "delete", "patch")


def tree(root: Path = ROOT) -> Any:
    """The tree's openapi.yaml, parsed to be edited and written in MeetBit's layout."""
    return sources.layout().load((root / "openapi.yaml").read_bytes())


def write(document: Any, path: Path) -> Path:
    path.write_text(text(document))
    return path


def operations(document: Any) -> Iterator[tuple[str, Any]]:
    """("POST /path", operation) for each operation of the document."""
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield f"{method.upper()} {path}", item[method]


def page_for(page: Path, root: Path = ROOT) -> bytes:
    """The fixture page, its excerpt rebased on the tree's spec (see the module docstring)."""
    raw = page.read_bytes()
    excerpt, _ = sources.fenced_yaml(raw)
    yaml = sources.layout()
    own, base = yaml.load(excerpt), tree(root)
    base["paths"] = own["paths"]
    for section, entries in (own.get("components") or {}).items():
        target = base.setdefault("components", CommentedMap()).setdefault(section, CommentedMap())
        for name, node in entries.items():
            target.setdefault(name, node)
    out = io.BytesIO()
    yaml.dump(base, out)
    return raw.replace(excerpt, out.getvalue(), 1)


def new_pages(directory: Path, root: Path = ROOT) -> dict[str, Path]:
    """The fixture pages for operations the tree's spec does not have yet, written (rebased)
    into `directory`, by the operation each adds."""
    have = {name for name, _ in operations(tree(root))}
    found = {}
    for page in sorted(PAGES.glob("*.md")):
        text = page_for(page, root)
        excerpt = sources.layout().load(sources.fenced_yaml(text)[0])
        added = [name for name, _ in operations(excerpt) if name not in have]
        if added:
            (directory / page.name).write_bytes(text)
            found[added[0]] = directory / page.name
    return found


def request_limit(document: Any) -> tuple[str, str, Any]:
    """The first request body field with a maxLength: (operation, field, its schema)."""
    for name, operation in operations(document):
        content = (operation.get("requestBody") or {}).get("content") or {}
        schema = (content.get("application/json") or {}).get("schema") or {}
        for field, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict) and "maxLength" in prop:
                return name, field, prop
    raise LookupError("no operation of the tree's spec has a request field with a maxLength")


def optional_field(document: Any, schema: str) -> str:
    """A property of components.schemas[schema] that is not required."""
    target = document["components"]["schemas"][schema]
    required = set(target.get("required") or [])
    optional = [name for name in target["properties"] if name not in required]
    if not optional:
        raise LookupError(f"components.schemas.{schema} has no optional property")
    return optional[0]


def with_fixture_operations(document: Any) -> Any:
    """The document with every fixture page's operations (in place of the tree's, where it
    has them) and the components only the pages have."""
    yaml = sources.layout()
    for page in sorted(PAGES.glob("*.md")):
        own = yaml.load(sources.fenced_yaml(page.read_bytes())[0])
        for path, item in own["paths"].items():
            target = document["paths"].setdefault(path, CommentedMap())
            for key, node in item.items():
                target[key] = node
        for section, entries in (own.get("components") or {}).items():
            components = document.setdefault("components", CommentedMap())
            target = components.setdefault(section, CommentedMap())
            for name, node in entries.items():
                target.setdefault(name, node)
    return document


def text(document: Any) -> str:
    out = io.BytesIO()
    sources.layout().dump(document, out)
    return out.getvalue().decode()
