"""Write docs/api.md, the reference of every resource method, from the spec.

Usage: python tools/api_reference.py SPEC OUTPUT_MD [--check]

The spec goes through the fix layer, then through the same reading as the generated
resource methods (tools/operations.py: the generator's own names and type strings), and
templates/meetbit/api.md.jinja lists each method, sync and async, with its arguments and
their limits, its return type and the errors it raises. `make generate` writes it,
`make check-generated` (with --check) fails when it differs from what the spec gives.

Text from the spec is data: every summary, description, limit and default reaches the page
through `markdown_text` (every ASCII punctuation character backslash-escaped, so no link,
HTML, heading or table cell can come from the spec) or `code_span` / `code_block` (fences
longer than any backtick run inside), never as Markdown of its own.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import apply_overlay
import operations

ROOT = Path(__file__).resolve().parent.parent

# What can start Markdown anywhere in a line (emphasis, code, links, images, HTML, entities,
# table cells, strikethrough, escapes), and what can only at its start (lists, headings...).
_ANYWHERE = re.compile(r"([\\`*_{}\[\]()<>#!|~&])")
_LINE_START = re.compile(r"^(?:([-+=>])|(\d+)([.)]))")
_CODE = re.compile(r"(?<!`)(`+)([^`](?:.*?[^`])?)\1(?!`)")


def _escaped(text: str) -> str:
    return _ANYWHERE.sub(r"\\\1", text)


def markdown_text(value: Any, cell: bool = True) -> str:
    """`value` as literal text inside a line of Markdown (after other text, or in a table
    cell): every character that could start Markdown there is escaped, except that the
    spec's own code spans stay code spans (re-fenced by `code_span`, so nothing escapes
    them). `paragraphs` also escapes what could start a block at the start of a line."""
    lines = [line.strip() for line in str(value).splitlines()]
    text = " ".join(line for line in lines if line)
    parts, last = [], 0
    for match in _CODE.finditer(text):
        parts += [_escaped(text[last : match.start()]), code_span(match[2].strip(), cell)]
        last = match.end()
    parts.append(_escaped(text[last:]))
    return "".join(parts)


def _escape_start(match: re.Match[str]) -> str:
    return f"\\{match[1]}" if match[1] else f"{match[2]}\\{match[3]}"


def paragraphs(value: Any) -> list[str]:
    """`value` as literal Markdown paragraphs: its blank lines kept, everything else escaped."""
    blocks = re.split(r"\n\s*\n", str(value).strip())
    texts = (markdown_text(block, cell=False) for block in blocks)
    return [_LINE_START.sub(_escape_start, text) for text in texts if text]


def _fence(text: str, character: str, shortest: int) -> str:
    longest = max((len(run) for run in re.findall(re.escape(character) + "+", text)), default=0)
    return character * max(shortest, longest + 1)


def code_span(value: Any, cell: bool = True) -> str:
    """`value` as an inline code span; in a table `cell`, its pipes escaped (GitHub's tables
    split cells at a pipe even inside code)."""
    text = " ".join(str(value).split())
    if cell:
        text = text.replace("|", "\\|")
    fence = _fence(text, "`", 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_block(value: Any, language: str = "python") -> str:
    """`value` as a fenced code block (its fence longer than any backtick run in it)."""
    text = str(value).rstrip("\n")
    fence = _fence(text, "`", 3)
    return f"{fence}{language}\n{text}\n{fence}"


def annotation(signature: str, argument: str) -> str:
    """The TYPE of a parameter `argument: TYPE = DEFAULT` (the limits column gives defaults)."""
    return signature[len(argument) :].lstrip(":").partition(" = ")[0].strip()


def render(fixed_spec: Path, root: Path = ROOT) -> str:
    """The reference page for an already fixed spec."""
    project, ops, _, title = operations.load(
        fixed_spec, root / "generator-config.yml", root / "templates"
    )
    document = json.loads(fixed_spec.read_text(encoding="utf-8"))
    version = str((document.get("info") or {}).get("version") or "")
    env = project.env
    env.filters["md"] = markdown_text
    env.filters["paragraphs"] = paragraphs
    env.filters["code"] = code_span
    env.filters["code_block"] = code_block
    env.filters["annotation"] = annotation
    template = env.get_template("meetbit/api.md.jinja")
    text = template.render(operations=ops, api_title=title, api_version=version)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def write(spec: Path, output: Path, root: Path = ROOT) -> str:
    """Apply the fix layer to `spec`, render the page, write it to `output` (unless it holds
    that already); return it."""
    with tempfile.TemporaryDirectory() as scratch:
        fixed = Path(scratch) / "openapi.fixed.json"
        if apply_overlay.main([str(spec), str(root / "spec/fixes.overlay.yaml"), str(fixed)]):
            raise SystemExit(1)
        text = render(fixed, root)
    if not output.exists() or output.read_text(encoding="utf-8") != text:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail when OUTPUT differs"
    )
    arguments = parser.parse_args(argv)
    old = arguments.output.read_text(encoding="utf-8") if arguments.output.exists() else None
    if arguments.check:
        with tempfile.TemporaryDirectory() as scratch:
            new = write(arguments.spec, Path(scratch) / "api.md")
        if new != old:
            import difflib

            sys.stdout.writelines(
                difflib.unified_diff(
                    (old or "").splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    str(arguments.output),
                    "fresh",
                )
            )
            print(
                f"{arguments.output} differs from what the spec gives (diff above): run "
                "'make generate' and commit, never edit it by hand",
                file=sys.stderr,
            )
            return 1
        print(f"{arguments.output} matches the spec")
        return 0
    new = write(arguments.spec, arguments.output)
    print(f"{arguments.output} is up to date" if new == old else f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
