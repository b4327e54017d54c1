"""tools/api_check.py: breaking changes since the last snapshot fail unless CHANGELOG declares them.

Each test builds a tiny meetbit/meetbit_api pair in tmp_path (the project's layout: overlay/
and generated/), snapshots it as a release, changes it, and runs the check on it.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import api_check
import dist
import pytest
from conftest import ROOT

INIT = '''
"""A tiny stand-in for meetbit."""
from meetbit._impl import Client, helper

__all__ = ["Client", "helper"]
'''
IMPL = """
class Client:
    def __init__(self, domain: str, *, timeout: float = 5.0) -> None:
        self.domain = domain

    def cancel_event(self, calendar_id: int, event_id: int, cancel_note: str) -> str:
        return cancel_note

    def _send(self, payload: bytes) -> None:
        pass


def helper(value: int) -> int:
    return value


def _private_helper(value: int) -> int:
    return value
"""
MODELS = """
class Event:
    def to_dict(self) -> dict[str, object]:
        return {}
"""
CHANGELOG = """# Changelog

## {version} — unreleased

- Something users see.
{declarations}
## 0.1.0 — 2026-11-25

First release.
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


def project(root: Path, version: str, init: str = INIT, impl: str = IMPL) -> None:
    write(root / "overlay/meetbit/__init__.py", init)
    write(root / "overlay/meetbit/_impl.py", impl)
    write(root / "overlay/meetbit/_version.py", f'__version__ = "{version}"\n')
    write(root / "generated/meetbit_api/__init__.py", '"""Generated."""\n')
    write(
        root / "generated/meetbit_api/models/__init__.py",
        'from .event import Event\n\n__all__ = ("Event",)\n',
    )
    write(root / "generated/meetbit_api/models/event.py", MODELS)


@pytest.fixture
def released(tmp_path: Path) -> Path:
    """A project whose 0.1.0 is snapshotted, now at 0.2.0 with no change yet."""
    project(tmp_path, "0.1.0")
    assert api_check.main(["snapshot", "--root", str(tmp_path)]) == 0
    assert (tmp_path / "api/meetbit-0.1.0.json").exists()
    project(tmp_path, "0.2.0")
    changelog(tmp_path)
    return tmp_path


def changelog(root: Path, *declarations: str, version: str = "0.2.0") -> None:
    text = CHANGELOG.format(version=version, declarations="".join(f"{d}\n" for d in declarations))
    (root / "CHANGELOG.md").write_text(text)


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = api_check.main(["check", "--root", str(root)])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_an_unchanged_api_passes(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, output = check(released, capsys)
    assert status == 0, output


def test_a_removal_without_a_declaration_fails_naming_it(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(released, "0.2.0", impl=IMPL.replace("def cancel_event(", "def cancel(", 1))
    status, output = check(released, capsys)
    assert status == 1
    # Reported by the public name users import, not where it is defined (meetbit._impl).
    assert "meetbit.Client.cancel_event: Public object was removed" in output
    assert "_impl" not in output


def test_a_declared_removal_passes(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(released, "0.2.0", impl=IMPL.replace("def cancel_event(", "def cancel(", 1))
    changelog(released, "- Breaking: `meetbit.Client.cancel_event` is now `Client.cancel`.")
    status, output = check(released, capsys)
    assert status == 0, output
    assert "declared in CHANGELOG 0.2.0: meetbit.Client.cancel_event" in output


@pytest.mark.parametrize(
    "declaration",
    [
        "- `meetbit.Client.cancel_event` is now `Client.cancel`.",  # not marked Breaking
        "- Breaking: meetbit.Client.cancel_event is now Client.cancel.",  # no backticks
        "- Breaking: `meetbit.Client` changed.",  # another object
    ],
)
def test_a_declaration_must_say_breaking_and_name_the_object(
    declaration: str, released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(released, "0.2.0", impl=IMPL.replace("def cancel_event(", "def cancel(", 1))
    changelog(released, declaration)
    status, _ = check(released, capsys)
    assert status == 1


def test_a_declaration_counts_only_in_the_current_versions_section(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(released, "0.2.0", impl=IMPL.replace("def cancel_event(", "def cancel(", 1))
    changelog(released, "- Breaking: `meetbit.Client.cancel_event` removed.", version="0.3.0")
    status, _ = check(released, capsys)
    assert status == 1


def test_a_signature_change_fails_and_a_declaration_spanning_lines_covers_it(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(released, "0.2.0", impl=IMPL.replace("timeout: float = 5.0", "timeout: float", 1))
    status, output = check(released, capsys)
    assert status == 1
    assert "meetbit.Client.__init__: Parameter is now required (timeout)" in output
    changelog(released, "- Breaking: a timeout is required now:\n  `meetbit.Client.__init__`.")
    status, output = check(released, capsys)
    assert status == 0, output


def test_removing_a_generated_model_method_is_caught(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(released / "generated/meetbit_api/models/event.py", "class Event:\n    pass\n")
    status, output = check(released, capsys)
    assert status == 1
    assert "meetbit_api.models.Event.to_dict: Public object was removed" in output


def test_additions_pass(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    added = IMPL + "\n\ndef new_helper() -> None:\n    pass\n"
    added = added.replace("cancel_note: str)", "cancel_note: str, notify: bool = True)", 1)
    init = INIT.replace('"helper"]', '"helper", "new_helper"]').replace(
        "import Client, helper", "import Client, helper, new_helper"
    )
    project(released, "0.2.0", init=init, impl=added)
    status, output = check(released, capsys)
    assert status == 0, output


def test_private_names_are_ignored(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = IMPL.replace("def _send(self, payload: bytes)", "def _send_all(self)").replace(
        "def _private_helper(value: int)", "def _private_helper(value: int, extra: int)"
    )
    project(released, "0.2.0", impl=changed)
    status, output = check(released, capsys)
    assert status == 0, output


def test_no_snapshot_up_to_the_version_is_an_error(tmp_path: Path) -> None:
    project(tmp_path, "0.1.0")
    changelog(tmp_path, version="0.1.0")
    with pytest.raises(SystemExit, match="no snapshot"):
        api_check.main(["check", "--root", str(tmp_path)])


def test_the_last_release_is_the_newest_snapshot_not_newer_than_the_tree(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    for version in ("0.1.0", "0.2.0", "0.10.0", "1.0.0"):
        (tmp_path / "api" / f"meetbit-{version}.json").write_text("{}")
    assert api_check.latest_snapshot(tmp_path, "0.10.1").name == "meetbit-0.10.0.json"
    assert api_check.latest_snapshot(tmp_path, "0.2.0").name == "meetbit-0.2.0.json"


def test_the_project_has_a_snapshot_of_its_last_release() -> None:
    snapshot = api_check.latest_snapshot(ROOT, api_check.tree_version(ROOT))
    modules = api_check.load_snapshot(snapshot)
    assert set(modules) == {"meetbit", "meetbit_api"}
    assert "Client" in modules["meetbit"].members


# --- The version rule -------------------------------------------------------------------


def test_a_released_version_s_api_is_frozen(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tree still at a released version, with one more function: a new version."""
    added = IMPL + "\n\ndef new_helper() -> None:\n    pass\n"
    init = INIT.replace('"helper"]', '"helper", "new_helper"]').replace(
        "import Client, helper", "import Client, helper, new_helper"
    )
    project(released, "0.1.0", init=init, impl=added)
    status, output = check(released, capsys)
    assert status == 1
    assert "meetbit 0.1.0 is released (api/meetbit-0.1.0.json)" in output
    assert "  added: meetbit.new_helper" in output
    assert "addition -> 0.1.1 (while 0.x: breaking -> minor, addition or fix -> patch)" in output
    project(released, "0.1.0")
    status, output = check(released, capsys)
    assert status == 0, output
    assert "public API is that of the release 0.1.0" in output


def test_a_break_needs_the_version_the_rule_gives(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(released, "0.1.1", impl=IMPL.replace("def cancel_event(", "def cancel(", 1))
    changelog(released, "- Breaking: `meetbit.Client.cancel_event` removed.", version="0.1.1")
    status, output = check(released, capsys)
    assert status == 1
    assert "1 breaking change(s) since 0.1.0 need version 0.2.0 or later" in output
    project(released, "0.2.0", impl=IMPL.replace("def cancel_event(", "def cancel(", 1))
    changelog(released, "- Breaking: `meetbit.Client.cancel_event` removed.")
    status, output = check(released, capsys)
    assert status == 0, output


def test_the_project_s_api_compares_equal_to_its_own_snapshot(tmp_path: Path) -> None:
    """What make api-snapshot writes, make dist compares with: equal right after it."""
    shutil.copytree(ROOT / "overlay", tmp_path / "overlay")
    shutil.copytree(ROOT / "generated", tmp_path / "generated")
    path = api_check.snapshot(tmp_path)
    assert api_check.api_differences(api_check.load_snapshot(path), api_check.load_tree(ROOT)) == []


def test_make_dist_refuses_a_released_version_whose_api_changed(released: Path) -> None:
    project(released, "0.1.0", impl=IMPL.replace("timeout: float = 5.0", "timeout: int = 5"))
    with pytest.raises(SystemExit) as refusal:
        dist.release_status(released)
    message = str(refusal.value)
    assert "meetbit 0.1.0 is released (api/meetbit-0.1.0.json)" in message
    assert "  changed: meetbit.Client.__init__" in message
    assert "one version, one API" in message
    project(released, "0.1.0")
    assert dist.release_status(released)[0] == "0.1.0"
    assert "the public API is that of the release" in dist.release_status(released)[1]
    project(released, "0.2.0")
    version, status = dist.release_status(released)
    assert "0.2.0 is not released yet" in status
    assert version == "0.2.0.dev0"
    assert version in status


def test_a_preview_is_numbered_by_its_commit_so_two_trees_never_share_a_version(
    released: Path,
) -> None:
    """One version number, one wheel: previews of an unreleased version differ by commit."""
    from packaging.version import Version

    project(released, "0.2.0")

    def git(*arguments: str) -> None:
        subprocess.run(["git", "-C", str(released), *arguments], check=True, capture_output=True)

    def commit(*arguments: str) -> None:
        git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", *arguments)

    git("init", "-q")
    commit("--allow-empty", "-m", "before")
    git("add", "-A")
    commit("-m", "release 0.1.0")
    first = dist.release_status(released)[0]
    assert first.startswith("0.2.0.dev0+g")
    assert not first.endswith(".dirty")
    commit("--allow-empty", "-m", "more")
    second = dist.release_status(released)[0]
    assert second.startswith("0.2.0.dev1+g")
    assert Version(first) < Version(second) < Version("0.2.0")  # the release is newer than both
    (released / "overlay/meetbit/extra.py").write_text("X = 1\n")
    git("add", "overlay/meetbit/extra.py")
    assert dist.release_status(released)[0] == second + ".dirty"


def test_make_release_dates_the_section_and_snapshots_once(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert api_check.main(["release", "--root", str(released), "--date", "2026-12-06"]) == 0
    assert (released / "api/meetbit-0.2.0.json").exists()
    assert "## 0.2.0 — 2026-12-06\n" in (released / "CHANGELOG.md").read_text()
    assert api_check.main(["release", "--root", str(released), "--date", "2026-12-07"]) == 1
    assert "0.2.0 is released already" in capsys.readouterr().err


def test_make_release_refuses_an_api_the_check_refuses(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(released, "0.2.0", impl=IMPL.replace("def cancel_event(", "def cancel(", 1))
    before = (released / "CHANGELOG.md").read_text()
    assert api_check.main(["release", "--root", str(released), "--date", "2026-12-06"]) == 1
    assert "nothing changed" in capsys.readouterr().err
    assert (released / "CHANGELOG.md").read_text() == before
    assert not (released / "api/meetbit-0.2.0.json").exists()
