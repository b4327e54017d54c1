"""make update-spec: fixes re-applied or refused, changes classified, the client regenerated."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import update_spec

FIXTURES = ROOT / "tests/fixtures"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what update-spec reads and writes, so the real project is never touched."""
    for name in ("openapi.yaml", "generator-config.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("spec", "templates", "generated", "overlay"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_breaking_and_additive_change_is_classified_and_regenerated(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = FIXTURES / "openapi-breaking-and-additive.yaml"
    assert update_spec.main([str(variant), "--root", str(project)]) == 0
    out = capsys.readouterr().out
    assert (
        "BREAKING  POST /calendars/{calendar_id}/events/{event_id}/cancel 200.data.location: field removed"
        in out
    )
    assert (
        "added     POST /calendars/{calendar_id}/events/{event_id}/cancel 200.data.online_conference.recording_url: field added"
        in out
    )
    assert "Implied version bump: minor (0.x) -> 0.2.0" in out
    assert (project / "openapi.yaml").read_bytes() == variant.read_bytes()
    event = (project / "generated/meetbit_api/models/event.py").read_text()
    assert "location" not in event
    assert (
        "recording_url"
        in (project / "generated/meetbit_api/models/online_conference.py").read_text()
    )


def test_fix_that_no_longer_applies_fails_clearly_and_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "openapi.yaml").read_bytes()
    assert (
        update_spec.main([str(FIXTURES / "openapi-fix-target-gone.yaml"), "--root", str(project)])
        == 1
    )
    err = capsys.readouterr().err
    assert "the fix layer no longer applies" in err
    assert "OnlineConference.properties.public_id" in err
    assert (project / "openapi.yaml").read_bytes() == before


def test_fix_made_upstream_is_reported_as_no_longer_needed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        update_spec.main(
            [str(FIXTURES / "openapi-upstream-fixed-operation-id.yaml"), "--root", str(project)]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "fix no longer needed: action 2" in out
    assert "Changes for callers (0)" in out
    assert "Implied version bump: none" in out


NEW_REQUIRED_FIELD = (
    "                - cancel_note\n              properties:\n",
    "                - cancel_note\n                - reason_code\n              properties:\n"
    "                reason_code:\n                  type: integer\n",
)
ENUM_NARROWED = ("        - 2\n        - 3\n", "        - 2\n")
ENUM_WIDENED = ("        - 2\n        - 3\n", "        - 2\n        - 3\n        - 4\n")
TYPE_CHANGED = (
    "    EventCanceledByType:\n      type: string",
    "    EventCanceledByType:\n      type: integer",
)


@pytest.mark.parametrize(
    ("edit", "expected", "breaking"),
    [
        (NEW_REQUIRED_FIELD, "request body.reason_code: required field added", True),
        (ENUM_NARROWED, "enum narrowed, [3] removed", True),
        (ENUM_WIDENED, "enum widened, [4] added", False),  # response enums are open
        (TYPE_CHANGED, "type changed from string to integer", True),
    ],
)
def test_classification(edit: tuple[str, str], expected: str, breaking: bool) -> None:
    import apply_overlay
    from ruamel.yaml import YAML

    overlay = apply_overlay.load(ROOT / "spec/fixes.overlay.yaml")
    text = (ROOT / "openapi.yaml").read_text()
    changed_text = text.replace(*edit)
    assert changed_text != text
    old, _ = apply_overlay.apply(YAML(typ="safe", pure=True).load(text), overlay)
    new, _ = apply_overlay.apply(YAML(typ="safe", pure=True).load(changed_text), overlay)
    (change,) = update_spec.summarise(old, new)
    assert expected in change.what
    assert change.breaking is breaking
