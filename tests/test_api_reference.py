"""docs/api.md, the generated reference: what the spec gives, every method as it is, spec text inert.

The page is held against what users call, not against the template's own data: the
signatures are compared with the generated resources.py (parsed), the arguments, limits and
errors with the spec's YAML, and the spec's hostile text with a CommonMark renderer.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path
from typing import Any

import api_reference
import apply_overlay
import operations
import pytest
import spec_variants
from conftest import ROOT
from generated_packages import MORE_OPERATIONS, generated
from markdown_it import MarkdownIt


def test_docs_api_md_is_what_the_spec_gives(tmp_path: Path) -> None:
    fresh = api_reference.write(ROOT / "openapi.yaml", tmp_path / "api.md")
    assert (ROOT / "docs/api.md").read_text(encoding="utf-8") == fresh, (
        "docs/api.md is stale: run make generate"
    )


def test_the_readme_and_the_spec_guide_link_it() -> None:
    assert "](docs/api.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](api.md)" in (ROOT / "docs/updating-the-spec.md").read_text(encoding="utf-8")


def _stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The signature alone: the same text whether it came from the page or resources.py."""
    function = copy.deepcopy(function)
    function.body = [ast.Expr(ast.Constant(...))]
    function.decorator_list = []
    return ast.unparse(function)


def _page_methods(page: str) -> dict[tuple[str, str], str]:
    """(heading, client class) -> the signature shown, for every code block of the page."""
    shown: dict[tuple[str, str], str] = {}
    sections = re.split(r"^### `(client\.[\w.]+)`$", page, flags=re.MULTILINE)
    for heading, body in zip(sections[1::2], sections[2::2], strict=True):
        block = re.search(r"^```python\n(.*?)^```$", body, flags=re.MULTILINE | re.DOTALL)
        assert block, f"{heading}: no signature block"
        flavours = re.split(r"^# meetbit\.(Client|AsyncClient)$", block[1], flags=re.MULTILINE)
        for flavour, code in zip(flavours[1::2], flavours[2::2], strict=True):
            (function,) = ast.parse(code).body
            assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            assert heading.rsplit(".", 1)[1] == function.name
            shown[heading, flavour] = _stub(function)
    return shown


def _resource_methods(resources: Path) -> dict[tuple[str, str], str]:
    """The same, from the generated resources.py: client.<tag> is Resources' property."""
    module = ast.parse(resources.read_text(encoding="utf-8"))
    classes = {node.name: node for node in module.body if isinstance(node, ast.ClassDef)}
    methods: dict[tuple[str, str], str] = {}
    for holder, flavour in (("Resources", "Client"), ("AsyncResources", "AsyncClient")):
        for prop in classes[holder].body:
            if not isinstance(prop, ast.FunctionDef):
                continue
            assert isinstance(prop.returns, ast.Name | ast.Constant)
            name = prop.returns.id if isinstance(prop.returns, ast.Name) else prop.returns.value
            for method in classes[name].body:
                if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) and not (
                    method.name.startswith("_")
                ):
                    methods[f"client.{prop.name}.{method.name}", flavour] = _stub(method)
    return methods


@pytest.fixture(scope="module")
def more(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Any]:
    """The page, the generated package and the fixed spec (with four operations)."""
    scratch = tmp_path_factory.mktemp("page")
    page = api_reference.write(MORE_OPERATIONS, scratch / "api.md")
    package = generated(tmp_path_factory, MORE_OPERATIONS) / "meetbit_api"
    fixes = str(ROOT / "spec/fixes.overlay.yaml")
    assert not apply_overlay.main([str(MORE_OPERATIONS), fixes, str(scratch / "fixed.json")])
    return page, package, json.loads((scratch / "fixed.json").read_text(encoding="utf-8"))


def test_every_method_sync_and_async_with_the_signature_it_has(
    more: tuple[str, Path, Any],
) -> None:
    page, package, _ = more
    shown, actual = _page_methods(page), _resource_methods(package / "resources.py")
    assert len(actual) == 10  # four operations and iter_list_events, sync and async
    assert shown == actual


def _section(page: str, heading: str) -> str:
    start = page.index(f"### `{heading}`")
    end = page.find("\n### ", start + 1)
    return page[start : end if end > 0 else None]


def test_every_operation_with_its_arguments_limits_and_errors(
    more: tuple[str, Path, Any],
) -> None:
    page, package, document = more
    resources = _resource_methods(package / "resources.py")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in spec_variants.METHODS:
                continue
            found = [
                heading
                for heading in {heading for heading, _ in resources}
                if f"{method.upper()} `{path}`" in _section(page, heading)
                and not heading.rsplit(".", 1)[1].startswith("iter_")
            ]
            assert len(found) == 1, (method, path)
            section = _section(page, found[0])
            rows = {
                row.split(" | ")[0].strip("| `"): row
                for row in section.splitlines()
                if row.startswith("| `")
            }
            declared = [*(item.get("parameters") or []), *(operation.get("parameters") or [])]
            parameters = [
                (p["name"], p.get("schema") or {})
                for p in (operations.resolve(document, raw) for raw in declared)
            ]
            body = (
                ((operation.get("requestBody") or {}).get("content") or {}).get("application/json")
                or {}
            ).get("schema") or {}
            parameters += list((body.get("properties") or {}).items())
            assert len(rows) == len(parameters), (found[0], rows)
            for name, schema in parameters:
                row = next(r for argument, r in rows.items() if argument.rstrip("_") == name)
                if "maxLength" in schema:
                    assert f"at most {schema['maxLength']} characters" in row, row
                if "maximum" in schema:
                    assert f"at most {schema['maximum']}" in row, row
                if "minimum" in schema:
                    assert f"at least {schema['minimum']}" in row, row
            raises = section.split("**Raises**", 1)[1]
            for status in operation["responses"]:
                if not str(status).startswith("2"):
                    assert re.search(rf"^- `meetbit\.\w+`: {status}\b", raises, re.MULTILINE)


HOSTILE = (
    "<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://x/y.png) "
    "| a | cell | **bold** _it_ &amp; `a|b` ``` fence\n# Heading\n\n1. item\n- item\n> quote"
)


def test_spec_text_is_shown_as_text_never_as_markdown(tmp_path: Path) -> None:
    document = spec_variants.tree()
    for _, operation in spec_variants.operations(document):
        operation["summary"] = HOSTILE
        operation["description"] = HOSTILE
        for parameter in operation.get("parameters") or []:
            parameter["description"] = HOSTILE
        for response in operation["responses"].values():
            if "description" in response:
                response["description"] = HOSTILE
    document["info"]["title"] = HOSTILE.replace("\n", " ")
    spec = spec_variants.write(document, tmp_path / "openapi.yaml")
    page = api_reference.write(spec, tmp_path / "api.md")
    html = MarkdownIt("gfm-like", {"linkify": False}).render(page)
    for tag in ("<script", "<img", "<strong>bold", "<em>it", "<blockquote>", "<ol>", "<h1>#"):
        assert tag not in html
    links = set(re.findall(r'<a href="([^"]*)"', html))
    assert {link for link in links if not link.startswith("#")} == {"retries.md"}  # the page's own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The spec's code span stays one, pipe and all; no heading or list comes from the spec.
    assert "<code>a|b</code>" in html
    headings = re.findall(r"<h\d>(.*?)</h\d>", html)
    assert not [h for h in headings if "Heading" in h and "API reference" not in h]
    # Every table row keeps its columns.
    for table in re.findall(r"<table>.*?</table>", html, flags=re.DOTALL):
        rows = re.findall(r"<tr>.*?</tr>", table, flags=re.DOTALL)
        widths = {len(re.findall(r"<t[hd]\b", row)) for row in rows}
        assert len(widths) == 1, widths
