"""The one version rule (tools/versioning.py) and the CHANGELOG section the tools write."""

from __future__ import annotations

from pathlib import Path

import changelog
import pytest
import versioning
from versioning import ADDITION, BREAKING, FIX


@pytest.mark.parametrize(
    ("version", "kind", "after"),
    [
        # While 0.x a pin like >=0.2,<0.3 gets additions and fixes, never a break.
        ("0.2.0", BREAKING, "0.3.0"),
        ("0.2.0", ADDITION, "0.2.1"),
        ("0.2.3", FIX, "0.2.4"),
        ("0.9.1", BREAKING, "0.10.0"),
        # From 1.0, SemVer.
        ("1.4.2", BREAKING, "2.0.0"),
        ("1.4.2", ADDITION, "1.5.0"),
        ("1.4.2", FIX, "1.4.3"),
    ],
)
def test_the_rule(version: str, kind: str, after: str) -> None:
    assert versioning.bump(version, kind) == after


def test_the_heaviest_change_decides() -> None:
    assert versioning.heaviest([FIX, BREAKING, ADDITION]) == BREAKING
    assert versioning.heaviest([FIX, ADDITION]) == ADDITION
    assert versioning.heaviest([]) is None


def tree(root: Path, version: str, *released: str) -> Path:
    (root / "overlay/meetbit").mkdir(parents=True)
    (root / versioning.VERSION_FILE).write_text(f'"""Version."""\n\n__version__ = "{version}"\n')
    (root / "api").mkdir()
    for name in released:
        (root / "api" / f"meetbit-{name}.json").write_text("{}")
    return root


@pytest.mark.parametrize(
    ("version", "released", "kind", "after"),
    [
        # Unreleased 0.2.0 after 0.1.0 (it already holds a break): it covers more.
        ("0.2.0", ["0.1.0"], ADDITION, "0.2.0"),
        ("0.2.0", ["0.1.0"], BREAKING, "0.2.0"),
        # Unreleased 0.2.1 after 0.2.0 (additions so far): a break makes it 0.3.0.
        ("0.2.1", ["0.1.0", "0.2.0"], BREAKING, "0.3.0"),
        ("0.2.1", ["0.1.0", "0.2.0"], FIX, "0.2.1"),
        # Released 0.2.0: any change moves it.
        ("0.2.0", ["0.1.0", "0.2.0"], FIX, "0.2.1"),
        ("0.2.0", ["0.1.0", "0.2.0"], ADDITION, "0.2.1"),
        ("0.2.0", ["0.1.0", "0.2.0"], BREAKING, "0.3.0"),
        ("1.0.0", ["1.0.0"], ADDITION, "1.1.0"),
        # Nothing released yet: the first release is the tree's version.
        ("0.1.0", [], BREAKING, "0.1.0"),
    ],
)
def test_the_next_version_counts_from_the_last_release(
    tmp_path: Path, version: str, released: list[str], kind: str, after: str
) -> None:
    decision = versioning.decide(tree(tmp_path, version, *released), kind)
    assert decision.version == after
    assert decision.changed == (after != version)


def test_the_decision_says_the_rule_and_what_it_does(tmp_path: Path) -> None:
    decision = versioning.decide(tree(tmp_path, "0.2.0", "0.1.0", "0.2.0"), ADDITION)
    assert decision.explain() == (
        "addition -> at least 0.2.1 after 0.2.0 (while 0.x: breaking -> minor, addition or "
        "fix -> patch); 0.2.0 is released, so the tree moves to 0.2.1."
    )
    versioning.set_tree_version(tmp_path, decision.version)
    assert versioning.tree_version(tmp_path) == "0.2.1"
    assert (tmp_path / versioning.VERSION_FILE).read_text().startswith('"""Version."""\n')
    assert versioning.decide(tmp_path, None).explain().startswith("no change")


CHANGELOG = """# Changelog

Preamble.

## 0.2.0 — unreleased

- Something.

## 0.1.0 — 2026-11-25

First release.
"""


def test_lines_go_into_the_unreleased_section(tmp_path: Path) -> None:
    path = tmp_path / "CHANGELOG.md"
    path.write_text(CHANGELOG)
    assert changelog.record(path, "0.2.0", "0.2.0", ["- New.", "  - detail"]) == (
        "## 0.2.0 — unreleased"
    )
    text = path.read_text()
    assert changelog.section(text, "0.2.0") == "\n\n- Something.\n\n- New.\n  - detail\n\n"
    assert changelog.section(text, "0.1.0") == "\n\nFirst release.\n"


def test_a_bigger_bump_renames_the_unreleased_section(tmp_path: Path) -> None:
    path = tmp_path / "CHANGELOG.md"
    path.write_text(CHANGELOG.replace("0.2.0", "0.1.1"))
    changelog.record(path, "0.1.1", "0.2.0", ["- Breaking."])
    text = path.read_text()
    assert changelog.section(text, "0.1.1") is None
    assert changelog.section(text, "0.2.0") == "\n\n- Something.\n\n- Breaking.\n\n"


def test_after_a_release_a_new_section_is_opened_above_it(tmp_path: Path) -> None:
    path = tmp_path / "CHANGELOG.md"
    path.write_text(CHANGELOG.replace("0.2.0 — unreleased", "0.2.0 — 2026-12-01"))
    changelog.record(path, "0.2.0", "0.2.1", ["- Added."])
    text = path.read_text()
    assert text.index("## 0.2.1 — unreleased") < text.index("## 0.2.0 — 2026-12-01")
    assert text.index("Preamble.") < text.index("## 0.2.1")
    assert changelog.section(text, "0.2.1") == "\n\n- Added.\n\n"
    assert changelog.section(text, "0.2.0") == "\n\n- Something.\n\n"
