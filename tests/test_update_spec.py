"""make update-spec: documents validated or refused, changes classified, the client regenerated."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import apply_overlay
import update_spec
from ruamel.yaml import YAML

FIXTURES = ROOT / "tests/fixtures"
_MAJOR, _MINOR, _PATCH = (
    int(part)
    for part in re.search(
        r'__version__ = "(\d+)\.(\d+)\.(\d+)', (ROOT / "overlay/meetbit/_version.py").read_text()
    ).groups()  # type: ignore[union-attr]
)
# What update-spec should propose from the version in the tree (0.x: breaking bumps the minor).
BREAKING_BUMP = f"0.{_MINOR + 1}.0"
ADDITIVE_BUMP = f"0.{_MINOR}.{_PATCH + 1}"
CANCEL = "POST /calendars/{calendar_id}/events/{event_id}/cancel"
LIST = "GET /calendars/{calendar_id}/events"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what update-spec reads and writes, so the real project is never touched."""
    for name in ("openapi.yaml", "generator-config.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("spec", "templates", "generated", "overlay", "examples"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def run(spec: Path, project: Path, *, type_check: bool = False) -> int:
    return update_spec.main(
        [str(spec), "--root", str(project), *([] if type_check else ["--no-type-check"])]
    )


def state(project: Path) -> str:
    """A digest of everything update-spec may replace: equal digests, nothing changed."""
    digest = hashlib.sha256((project / "openapi.yaml").read_bytes())
    for path in sorted((project / "generated").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(project)).encode() + path.read_bytes())
    return digest.hexdigest()


# --- Taking a spec ------------------------------------------------------------------------


def test_breaking_and_additive_change_is_classified_and_regenerated(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = FIXTURES / "openapi-breaking-and-additive.yaml"
    assert run(variant, project) == 0
    out = capsys.readouterr().out
    assert f"BREAKING  {CANCEL} 200.data.location: field removed" in out
    assert f"added     {CANCEL} 200.data.online_conference.recording_url: field added" in out
    assert f"Implied version bump: minor (0.x) -> {BREAKING_BUMP}" in out
    assert (project / "openapi.yaml").read_bytes() == variant.read_bytes()
    event = (project / "generated/meetbit_api/models/event.py").read_text()
    assert "location" not in event
    assert (
        "recording_url"
        in (project / "generated/meetbit_api/models/online_conference.py").read_text()
    )


def test_lowered_request_limit_is_breaking(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = FIXTURES / "openapi-cancel-note-100.yaml"
    assert run(variant, project) == 0
    out = capsys.readouterr().out
    assert "Changes for callers (1):" in out
    assert f"BREAKING  {CANCEL} request body.cancel_note: maxLength lowered from 255 to 100" in out
    assert f"Implied version bump: minor (0.x) -> {BREAKING_BUMP}" in out
    assert (project / "openapi.yaml").read_bytes() == variant.read_bytes()


def test_three_new_operations_are_reported_and_generated(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = FIXTURES / "openapi-more-operations.yaml"
    assert run(variant, project) == 0
    out = capsys.readouterr().out
    assert "Changes for callers (3):" in out
    for operation, names in [
        (
            "GET /calendars/{calendar_id}/events/{event_id}",
            "getEvent: meetbit_api.api.events.get_event, client.events.get_event, "
            "meetbit events get-event",
        ),
        (
            LIST,
            "listEvents: meetbit_api.api.events.list_events, client.events.list_events, "
            "meetbit events list-events",
        ),
        (
            "PATCH /calendars/{calendar_id}/events/{event_id}",
            "updateEvent: meetbit_api.api.events.update_event, client.events.update_event, "
            "meetbit events update-event",
        ),
    ]:
        assert f"added     {operation}: operation added ({names})" in out
    assert "BREAKING" not in out
    assert f"Implied version bump: patch (0.x) -> {ADDITIVE_BUMP}" in out
    api = project / "generated/meetbit_api/api/events"
    for module in ("cancel_event", "get_event", "list_events", "update_event"):
        assert "def sync_detailed(" in (api / f"{module}.py").read_text()
    assert "per_page: int | Unset = 15" in (api / "list_events.py").read_text()


def test_operation_the_generator_would_skip_is_named_and_nothing_changes(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "openapi.yaml").read_text()
    import_path = (
        "  /calendars/{calendar_id}/events/import:\n"
        "    post:\n      tags:\n        - Events\n      operationId: importEvents\n"
        "      parameters:\n        - name: calendar_id\n          in: path\n"
        "          required: true\n          schema:\n            type: integer\n"
        "      requestBody:\n        content:\n          text/calendar:\n"
        "            schema:\n              type: string\n"
        "      responses:\n        '200':\n"
        "          $ref: '#/components/responses/EventResponse'\n"
    )
    variant = tmp_path / "ical.yaml"
    variant.write_text(text.replace("components:\n", import_path + "components:\n", 1))
    before = state(project)
    assert run(variant, project) == 1
    err = capsys.readouterr().err
    assert (
        "POST /calendars/{calendar_id}/events/import (importEvents): skipped: "
        "Unsupported content type text/calendar" in err
    )
    assert "Nothing changed." in err
    assert state(project) == before


# --- Refusals -----------------------------------------------------------------------------


def test_path_at_the_wrong_yaml_level_is_refused_with_the_validators_message(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(project)
    assert run(FIXTURES / "openapi-path-at-wrong-level.yaml", project) == 1
    captured = capsys.readouterr()
    assert (
        "openapi-spec-validator rejects the fixed document at $: "
        "'/calendars/{calendar_id}/events/{event_id}' does not match any of the regexes: '^x-'"
        in captured.err
    )
    assert "Nothing changed." in captured.err
    assert captured.out == ""
    assert state(project) == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("        title:\n          type: string\n", "        title:\n          type: strin\n"),
            "rejects the fixed document at $.components.schemas.Event.properties.title.type: "
            "'strin' is not one of ['array', 'boolean', 'integer', 'number', 'object', 'string']",
        ),
        (
            ("'#/components/responses/UnexpectedErrorResponse'", "'#/components/responses/Gone'"),
            "cannot check the fixed document: $ref '/components/responses/Gone' points to nothing",
        ),
    ],
    ids=["misspelt-type", "dangling-ref"],
)
def test_invalid_document_is_refused_with_the_first_error_where_it_is(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: tuple[str, str],
    message: str,
) -> None:
    text = (ROOT / "openapi.yaml").read_text()
    assert edit[0] in text
    variant = tmp_path / "invalid.yaml"
    variant.write_text(text.replace(*edit, 1))
    before = state(project)
    assert run(variant, project) == 1
    err = capsys.readouterr().err
    assert f"update-spec: openapi-spec-validator {message}" in err
    assert len(err) < 400  # the first error, not the document it sits in
    assert state(project) == before


def test_fix_that_no_longer_applies_fails_clearly_and_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(project)
    assert run(FIXTURES / "openapi-fix-target-gone.yaml", project) == 1
    err = capsys.readouterr().err
    assert "the fix layer no longer applies" in err
    assert "OnlineConference.properties.public_id" in err
    assert state(project) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read it (No such file or directory)"),
        (b"openapi: 3.0.3\npaths: [\n", "not valid YAML: "),
        (b"\xff\xfe not text", "not UTF-8 text"),
        (b"- openapi\n- 3.0.3\n", "not an OpenAPI document"),
        (b"", "not an OpenAPI document"),
    ],
    ids=["missing", "invalid-yaml", "binary", "a-list", "empty"],
)
def test_unusable_file_is_one_line_and_exit_2(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    reason: str,
) -> None:
    spec = tmp_path / "new-openapi.yaml"
    if content is not None:
        spec.write_bytes(content)
    before = state(project)
    assert run(spec, project) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"update-spec: {spec}: {reason}")
    assert state(project) == before


def test_make_update_spec_without_spec_prints_usage_and_a_missing_file_no_traceback() -> None:
    # -o: treat the virtualenv as up to date, so make never rebuilds it from a test.
    make = ["make", "--no-print-directory", "-C", str(ROOT), "-o", ".venv/.installed"]
    if shutil.which("make") is None or not (ROOT / ".venv/bin/python").exists():
        pytest.skip("needs make and the project's .venv (make creates it)")
    usage = subprocess.run(
        [*make, "update-spec"], capture_output=True, text=True, timeout=60, check=False
    )
    assert usage.returncode == 2
    assert "usage: make update-spec SPEC=path/to/new/openapi.yaml" in usage.stderr
    missing = subprocess.run(
        [*make, "update-spec", "SPEC=/nonexistent/openapi.yaml"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    # Our one line; make adds its own "*** [...] Error 2" after it.
    assert (
        "update-spec: /nonexistent/openapi.yaml: cannot read it (No such file or directory)\n"
        in missing.stderr
    )


# --- Nothing to do ------------------------------------------------------------------------


def test_identical_spec_is_unchanged_and_asks_for_no_version_bump(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(project)
    assert run(ROOT / "openapi.yaml", project) == 0
    out = capsys.readouterr().out
    assert "unchanged" in out
    assert "No version bump" in out
    assert "Record it in CHANGELOG" not in out
    assert state(project) == before


def test_fix_made_upstream_is_reported_as_no_longer_needed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FIXTURES / "openapi-upstream-fixed-operation-id.yaml", project) == 0
    out = capsys.readouterr().out
    assert "fix no longer needed: action 2" in out
    assert "Changes for callers (0): unchanged for callers." in out
    assert "Implied version bump: none. No version bump" in out
    assert "Record it in CHANGELOG" not in out


# --- Hand-written code against the new generated code (the one mypy run: it is slow) ------


def test_removed_field_names_the_hand_written_lines_that_use_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (make installs it from requirements/dev.txt)")
    variant = FIXTURES / "openapi-event-title-removed.yaml"
    assert run(variant, project, type_check=True) == 1
    out = capsys.readouterr().out
    assert f"BREAKING  {CANCEL} 200.data.title: field removed" in out
    demo_lines = [
        number
        for number, line in enumerate(
            (project / "examples/demo.py").read_text().splitlines(), start=1
        )
        if "event.title" in line
    ]
    assert demo_lines, "examples/demo.py no longer reads event.title: pick another field"
    for number in demo_lines:
        assert f'  examples/demo.py:{number}: error: "Event" has no attribute "title"' in out
    reported = [line for line in out.splitlines() if ": error: " in line]
    assert f"hand-written code no longer type-checks: {len(reported)} errors" in out
    assert all(line.startswith(("  overlay/", "  examples/")) for line in reported)
    # Taken all the same: fixing those lines is the maintainer's next step.
    assert (project / "openapi.yaml").read_bytes() == variant.read_bytes()


# --- Classification -----------------------------------------------------------------------


def changes(old_text: str, new_text: str) -> list[update_spec.Change]:
    assert old_text != new_text
    overlay = apply_overlay.load(ROOT / "spec/fixes.overlay.yaml")

    def fixed(text: str) -> Any:
        return apply_overlay.apply(YAML(typ="safe", pure=True).load(text), overlay)[0]

    return update_spec.summarise(fixed(old_text), fixed(new_text))


BASE = (ROOT / "openapi.yaml").read_text()
MORE = (FIXTURES / "openapi-more-operations.yaml").read_text()

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
CANCEL_NOTE = "                cancel_note:\n                  type: string\n"
PER_PAGE = "            minimum: 1\n            maximum: 100\n            default: 15\n"
SEARCH = "            minLength: 1\n            maxLength: 100\n"
STATUS = "              - scheduled\n              - canceled\n"
TITLE = (
    "          nullable: false\n          maxLength: 255\n          readOnly: false\n        body:"
)


@pytest.mark.parametrize(
    ("base", "edit", "expected", "kind"),
    [
        (BASE, NEW_REQUIRED_FIELD, "request body.reason_code: required field added", "BREAKING"),
        (BASE, ENUM_NARROWED, "enum narrowed, [3] removed", "BREAKING"),
        (BASE, ENUM_WIDENED, "enum widened, [4] added", "added"),  # response enums are open
        (BASE, TYPE_CHANGED, "type changed from string to integer", "BREAKING"),
        # Request limits: tightened breaks a caller's valid call, loosened is additive.
        (
            BASE,
            ("maxLength: 255\n      responses:", "maxLength: 500\n      responses:"),
            "request body.cancel_note: maxLength raised from 255 to 500",
            "added",
        ),
        (
            BASE,
            (CANCEL_NOTE, CANCEL_NOTE + "                  minLength: 3\n"),
            "request body.cancel_note: minLength raised from 0 to 3",
            "BREAKING",
        ),
        (
            BASE,
            (CANCEL_NOTE, CANCEL_NOTE + "                  pattern: ^[^<>]*$\n"),
            "request body.cancel_note: pattern '^[^<>]*$' added",
            "BREAKING",
        ),
        (
            MORE,
            (PER_PAGE, PER_PAGE.replace("100", "50")),
            f"{LIST} per_page: maximum lowered from 100 to 50",
            "BREAKING",
        ),
        (
            MORE,
            (PER_PAGE, PER_PAGE.replace("100", "500")),
            f"{LIST} per_page: maximum raised from 100 to 500",
            "added",
        ),
        (
            MORE,
            (PER_PAGE, PER_PAGE + "            exclusiveMaximum: true\n"),
            f"{LIST} per_page: exclusiveMaximum set",
            "BREAKING",
        ),
        (
            MORE,
            (SEARCH, "            maxLength: 100\n"),
            f"{LIST} search: minLength lowered from 1 to 0",
            "added",
        ),
        (
            MORE,
            (STATUS, "              - scheduled\n"),
            f"{LIST} status: enum narrowed, ['canceled'] removed",
            "BREAKING",
        ),
        (
            MORE,
            (STATUS, STATUS + "              - deleted\n"),
            f"{LIST} status: enum widened, ['deleted'] added",
            "added",
        ),
        (
            MORE,
            ("            minimum: 1\n            default: 1\n", "            default: 1\n"),
            f"{LIST} page: minimum 1 removed",
            "added",
        ),
        # Response limits: the client does not check them; nothing a caller wrote breaks.
        (
            BASE,
            (TITLE, TITLE.replace("255", "100")),
            f"{CANCEL} 200.data.title: maxLength lowered from 255 to 100",
            "info",
        ),
        (
            BASE,
            (TITLE, TITLE.replace("255", "1000")),
            f"{CANCEL} 200.data.title: maxLength raised from 255 to 1000 (responses may now",
            "info",
        ),
    ],
)
def test_classification(base: str, edit: tuple[str, str], expected: str, kind: str) -> None:
    assert base.count(edit[0]) == 1
    (change,) = changes(base, base.replace(*edit))
    assert expected in change.what
    assert change.kind == kind


def test_removed_operation_and_parameter_are_breaking() -> None:
    removed = changes(MORE, BASE)
    assert {change.kind for change in removed} == {"BREAKING"}
    assert sorted(change.what.split(":")[0] for change in removed) == [
        "GET /calendars/{calendar_id}/events",
        "GET /calendars/{calendar_id}/events/{event_id}",
        "PATCH /calendars/{calendar_id}/events/{event_id}",
    ]
    search = "        - name: search\n"
    start = MORE.index(search)
    end = MORE.index("      responses:", start)
    (change,) = changes(MORE, MORE[:start] + MORE[end:])
    assert change.what == f"{LIST}: parameter search (query) removed"
    assert change.breaking


def test_response_limit_only_is_unchanged_for_callers_and_no_bump(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = tmp_path / "title-limit-100.yaml"
    variant.write_text(BASE.replace(TITLE, TITLE.replace("255", "100")))
    assert run(variant, project) == 0
    out = capsys.readouterr().out
    assert "Changes for callers (0): unchanged for callers." in out
    assert f"info      {CANCEL} 200.data.title: maxLength lowered from 255 to 100" in out
    assert "Implied version bump: none. No version bump" in out
    assert "Record it in CHANGELOG" not in out


def test_version_bumps() -> None:
    breaking = update_spec.Change("BREAKING", "x")
    added = update_spec.Change("added", "y")
    info = update_spec.Change("info", "z")
    assert update_spec.next_version("0.1.0", [added, breaking]) == ("minor (0.x)", "0.2.0")
    assert update_spec.next_version("1.4.2", [breaking]) == ("major", "2.0.0")
    assert update_spec.next_version("0.1.0", [added, info]) == ("patch (0.x)", "0.1.1")
    assert update_spec.next_version("1.4.2", [added]) == ("minor", "1.5.0")
    assert update_spec.next_version("0.1.0", [info]) == ("none", "0.1.0")


def test_composed_request_body_is_compared_part_by_part() -> None:
    def document(extra: dict[str, Any]) -> dict[str, Any]:
        body = {"allOf": [{"$ref": "#/components/schemas/Base"}, extra]}
        return {
            "paths": {
                "/things": {
                    "post": {
                        "operationId": "createThing",
                        "requestBody": {"content": {"application/json": {"schema": body}}},
                        "responses": {"204": {"description": ""}},
                    }
                }
            },
            "components": {
                "schemas": {
                    "Base": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string", "maxLength": 50}},
                    }
                }
            },
        }

    old = document({"properties": {"note": {"type": "string"}}})
    new = document({"properties": {"name": {"maxLength": 20}}})
    found = {(change.kind, change.what) for change in update_spec.summarise(old, new)}
    assert found == {
        ("BREAKING", "POST /things request body.note: field removed"),
        ("BREAKING", "POST /things request body.name: maxLength lowered from 50 to 20"),
    }
