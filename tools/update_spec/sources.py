"""Where the spec comes from: MeetBit's docs pages, vendored, and openapi.yaml as their merge.

MeetBit publishes its API as docs pages, one per operation (https://meetbit.mintlify.site/,
index at /llms.txt; each page is also served as Markdown). A page carries, between ````
fences (```` ````yaml openapi.yaml post /calendars/... ````), an excerpt of MeetBit's
OpenAPI document for that operation: the top level (openapi, info, servers, security), the
operation's path, and the components it uses.

spec/upstream/ keeps every source byte for byte (docs pages, or a whole YAML document when
one is given), listed with its sha256 in spec/upstream/README.md. openapi.yaml is the merge
of their excerpts:

- one source: its excerpt, byte for byte;
- several: the excerpts combined key by key (each top-level key, each path's operations,
  each component), in the first source's layout. A key two sources both carry must say the
  same in both; else the merge is refused, naming both sources, the key and where they
  first differ.

Sources given to `make update-spec` supersede vendored ones: a page replaces the vendored
page of the same name (from its title: "Get Event" -> get-event.md) and any vendored page
describing one of its operations; a whole YAML document replaces every vendored source.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from update_spec.diff import operations
from update_spec.validate import Refused

UPSTREAM = "spec/upstream"
README = "README.md"
PAGE_SUFFIXES = (".md", ".mdx", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")
OPENING, CLOSING = b"````yaml", b"````"
TABLE_START = "<!-- sources: written by make update-spec -->"
TABLE_END = "<!-- end of sources -->"


class Unusable(Exception):
    """A file that is not a spec source (exit 2): `path: reason`, one line."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


class Conflict(Refused):
    """Two sources say different things about one key of the spec (exit 1)."""


@dataclass(frozen=True)
class Source:
    name: str  # its file name under spec/upstream/
    raw: bytes  # the file, as published
    excerpt: bytes  # the YAML: a page's fenced excerpt, or the whole file
    document: dict[str, Any]

    @property
    def is_page(self) -> bool:
        return self.name.endswith(PAGE_SUFFIXES)

    @property
    def operations(self) -> frozenset[str]:
        return frozenset(operations(self.document))


def fenced_yaml(page: bytes) -> tuple[bytes, int]:
    """The bytes between the page's ````yaml line and its closing ```` line, and the page's
    line number (from 0) where they start; ValueError when the page has no such excerpt."""
    lines = page.splitlines(keepends=True)
    opening = [i for i, line in enumerate(lines) if line.startswith(OPENING)]
    if len(opening) != 1:
        raise ValueError(
            f"not a MeetBit docs page: expected one ````yaml fence, found {len(opening)}"
        )
    start = opening[0] + 1
    closing = [i for i in range(start, len(lines)) if lines[i].rstrip(b"\r\n") == CLOSING]
    if not closing:
        raise ValueError("its ````yaml fence is never closed")
    return b"".join(lines[start : closing[0]]), start


def page_name(page: bytes, fallback: str) -> str:
    """A page's file name from its title: "# Get Event" -> get-event.md."""
    title = re.search(rb"^# +(.+?)\s*$", page, re.MULTILINE)
    slug = re.sub(r"[^a-z0-9]+", "-", title[1].decode("utf-8", "replace").lower()) if title else ""
    return f"{slug.strip('-')}.md" if slug.strip("-") else fallback


def _parse(path: Path, excerpt: bytes, first_line: int, what: str) -> dict[str, Any]:
    try:
        text = excerpt.decode("utf-8")
    except UnicodeDecodeError:
        raise Unusable(path, "not UTF-8 text, so not an OpenAPI YAML document") from None
    try:
        # YAML 1.2 safe loading, the dialect apply_overlay and the generator read.
        document = YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        at = f" at line {mark.line + 1 + first_line}, column {mark.column + 1}" if mark else ""
        reason = f"{what} not valid YAML: {error.problem or error.context}{at}"
        raise Unusable(path, reason) from None
    except YAMLError as error:
        raise Unusable(path, f"{what} not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(document, dict):
        kind = "empty" if document is None else f"a YAML {type(document).__name__}"
        raise Unusable(
            path, f"not an OpenAPI document (a mapping with openapi, info, paths): it is {kind}"
        )
    return document


def read(path: Path) -> Source:
    """One source: a docs page (by its suffix) or a whole YAML document."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise Unusable(path, f"cannot read it ({error.strerror or error})") from None
    if path.suffix.lower() not in PAGE_SUFFIXES:
        return Source(path.name, raw, raw, _parse(path, raw, 0, "not an OpenAPI document:"))
    try:
        excerpt, first_line = fenced_yaml(raw)
    except ValueError as error:
        raise Unusable(path, str(error)) from None
    document = _parse(path, excerpt, first_line, "its ````yaml excerpt is")
    return Source(page_name(raw, path.name), raw, excerpt, document)


def _in_directory(directory: Path) -> tuple[list[Source], list[str]]:
    found, skipped = [], []
    for path in sorted(directory.iterdir()):
        if path.name == README or path.suffix.lower() not in PAGE_SUFFIXES + YAML_SUFFIXES:
            continue
        if path.suffix.lower() in PAGE_SUFFIXES and OPENING not in path.read_bytes():
            skipped.append(path.name)  # the site's other pages: guides, the index
            continue
        found.append(read(path))
    if not found:
        raise Unusable(directory, "holds no docs page with a ````yaml excerpt, nor a .yaml file")
    return found, skipped


def read_given(paths: list[Path]) -> tuple[list[Source], list[str]]:
    """The sources named on the command line (directories: their pages), and the pages of
    those directories skipped for having no excerpt."""
    given: dict[str, tuple[Path, Source]] = {}
    skipped: list[str] = []
    for path in paths:
        found, passed = _in_directory(path) if path.is_dir() else ([read(path)], [])
        skipped += passed
        for source in found:
            if source.name in given and given[source.name][1].raw != source.raw:
                raise Unusable(path, f"two different pages are both {source.name}")
            given[source.name] = (path, source)
    sources = [source for _, source in given.values()]
    whole = [source for source in sources if not source.is_page]
    if whole and len(sources) > 1:
        raise Unusable(
            given[whole[0].name][0],
            "a whole YAML document replaces every source: give it alone, not with pages",
        )
    return sources, skipped


def vendored(root: Path) -> list[Source]:
    """The sources kept under spec/upstream/, by name."""
    directory = root / UPSTREAM
    if not directory.is_dir():
        return []
    return sorted(
        (
            replace(read(path), name=path.name)  # as it is named here, whatever its title
            for path in directory.iterdir()
            if path.is_file() and path.name != README
        ),
        key=lambda source: source.name,
    )


def combine(current: list[Source], given: list[Source]) -> tuple[list[Source], list[str]]:
    """The sources after taking `given`, by name, and the names of those it supersedes."""
    if any(not source.is_page for source in given):
        superseded = list(current)
    else:
        names = {source.name for source in given}
        described = frozenset().union(*(source.operations for source in given))
        superseded = [
            source
            for source in current
            if source.is_page and (source.name in names or source.operations & described)
        ]
    kept = [source for source in current if source not in superseded] + given
    gone = sorted({source.name for source in superseded} - {source.name for source in given})
    return sorted(kept, key=lambda source: source.name), gone


# --- The merge -----------------------------------------------------------------------------


def _entries(document: Any) -> list[tuple[tuple[str, ...], Any]]:
    """The keys sources contribute one by one: top-level keys, each path's operations (and
    path-level keys), each component."""
    found: list[tuple[tuple[str, ...], Any]] = []
    for key, value in document.items():
        if key in ("paths", "components") and isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, dict):
                    found += [((key, name, inner), node) for inner, node in item.items()]
                else:
                    found.append(((key, name), item))
        else:
            found.append(((key,), value))
    return found


def _at(document: Any, where: tuple[str, ...]) -> Any:
    for step in where:
        document = document[step]
    return document


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


def _first_difference(a: Any, b: Any, at: str = "") -> tuple[str, Any, Any]:
    # A walk over two parsed YAML trees to the first place they differ (a library diff,
    # deepdiff, would report every difference; one is what the message needs).
    missing = _Absent()
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(key for key in b if key not in a)]:
            if a.get(key, missing) != b.get(key, missing):
                return _first_difference(a.get(key, missing), b.get(key, missing), f"{at}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (left, right) in enumerate(zip(a, b, strict=True)):
            if left != right:
                return _first_difference(left, right, f"{at}[{index}]")
    return at, a, b


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _conflict(where: tuple[str, ...], first: Source, second: Source) -> Conflict:
    at, a, b = _first_difference(_at(first.document, where), _at(second.document, where))
    return Conflict(
        f"{first.name} and {second.name} both describe {'.'.join(where)}, differently "
        f"(at {at or 'the top'}: {_short(a)} in {first.name}, {_short(b)} in {second.name}).\n"
        "Each page is MeetBit's excerpt of one document, so one of them is out of date: take "
        "both pages again from MeetBit's docs site."
    )


def layout() -> YAML:
    # The layout of MeetBit's excerpts: a page's excerpt round-trips byte for byte.
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def merge(sources: list[Source]) -> bytes:
    """openapi.yaml for these sources (see the module's docstring); Conflict if they differ."""
    if len(sources) == 1:
        return sources[0].excerpt
    yaml = layout()
    merged = yaml.load(sources[0].excerpt)
    owners: dict[tuple[str, ...], Source] = {}
    for source in sources:
        tree = merged if source is sources[0] else yaml.load(source.excerpt)
        for where, node in _entries(tree):
            owner = owners.setdefault(where, source)
            if owner is source and source is not sources[0]:
                parent = merged
                for step in where[:-1]:
                    parent = parent.setdefault(step, CommentedMap())
                parent[where[-1]] = node
            elif _at(owner.document, where) != _at(source.document, where):
                raise _conflict(where, owner, source)
    out = io.BytesIO()
    yaml.dump(merged, out)
    return out.getvalue()


# --- Vendoring -----------------------------------------------------------------------------


def _row(source: Source, taken: str) -> str:
    kind = "docs page" if source.is_page else "whole document"
    described = ", ".join(f"`{name}`" for name in sorted(source.operations)) or "none"
    digest = hashlib.sha256(source.raw).hexdigest()
    return f"| `{source.name}` | {kind} | {described} | {len(source.raw)} | `{digest}` | {taken} |"


def table(sources: list[Source], readme: str, today: str) -> str:
    """The README's table of sources: a source listed with the same sha256 keeps its date."""
    taken = {
        (match["name"], match["digest"]): match["date"]
        for match in re.finditer(
            r"^\| `(?P<name>[^`]+)` \|.*\| `(?P<digest>[0-9a-f]{64})` \| (?P<date>[^|]+?) \|$",
            readme,
            re.MULTILINE,
        )
    }
    rows = [
        _row(source, taken.get((source.name, hashlib.sha256(source.raw).hexdigest()), today))
        for source in sources
    ]
    return "\n".join(
        [
            TABLE_START,
            "| source | kind | operations | bytes | sha256 | taken |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
            TABLE_END,
        ]
    )


def vendor(root: Path, kept: list[Source], gone: list[str]) -> None:
    """Write the sources to spec/upstream/, drop the superseded ones, list them in README."""
    directory = root / UPSTREAM
    directory.mkdir(parents=True, exist_ok=True)
    for name in gone:
        (directory / name).unlink(missing_ok=True)
    for source in kept:
        (directory / source.name).write_bytes(source.raw)
    readme_path = directory / README
    readme = readme_path.read_text(encoding="utf-8") if readme_path.exists() else ""
    block = table(kept, readme, date.today().isoformat())
    if TABLE_START in readme and TABLE_END in readme:
        start, end = readme.index(TABLE_START), readme.index(TABLE_END) + len(TABLE_END)
        readme = readme[:start] + block + readme[end:]
    else:
        readme = readme.rstrip("\n") + ("\n\n" if readme else "") + block + "\n"
    readme_path.write_text(readme, encoding="utf-8")
