"""Shared fixtures: a clean environment, paths of the project and realistic MeetBit payloads."""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from machine import machine_settings
from wire import WireServer

ROOT = Path(__file__).resolve().parent.parent

try:
    from hypothesis import settings
except ModuleNotFoundError:  # the behaviour tests' virtualenvs (requirements/pythons.in)
    pass
else:
    # CI (.ci/run, where CI=true) replays the same examples every run: a red build is then
    # the change's, not a new random draw's. Elsewhere examples vary, to find more.
    settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def machine_environment_cleared() -> Iterator[None]:
    """No test sees this machine's proxies or MEETBIT_* settings (machine.py), nor leaves any.

    For the whole session, so that module-scoped fixtures and subprocesses see the same; a
    test that needs one sets it with `monkeypatch`, which puts the cleared state back.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in machine_settings():
            patch.delenv(name)
        yield


# As tools/update_spec/validate.py does for `make update-spec`: openapi-spec-validator picks its
# backend once a process, on first use, and would take jsonschema-rs (which Schemathesis
# brings) if any test validated a document before update_spec is imported.
os.environ.setdefault("OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND", "jsonschema")

# What the MeetBit server (a Laravel app) sends for a cancelled event: microsecond UTC
# timestamps with a Z, null soft-delete columns, integer attendee statuses, and fields the
# spec does not list (extra_field), which must survive parsing.
EVENT: dict[str, Any] = {
    "id": 345,
    "calendar_id": 12,
    "title": "Quarterly planning",
    "body": "Agenda in the doc.",
    "start": "2026-11-23T10:15:00.000000Z",
    "end": "2026-11-23T11:15:00.000000Z",
    "attendees": [
        {
            "email": "ada@example.com",
            "name": "Ada",
            "status": 0,
            "is_organizer": True,
            "customer_id": None,
            "calendar_id": 12,
        },
        {
            "email": "bob@example.com",
            "name": None,
            "status": 1,
            "is_organizer": False,
            "customer_id": 7,
            "calendar_id": None,
        },
        {
            "email": "cy@example.com",
            "name": "Cy",
            "status": 2,
            "is_organizer": False,
            "customer_id": None,
            "calendar_id": None,
        },
        {
            "email": "di@example.com",
            "name": "Di",
            "status": 3,
            "is_organizer": False,
            "customer_id": None,
            "calendar_id": None,
            "rsvp_source": "email",
        },
    ],
    "location": None,
    "cancel_note": "Moved to next week",
    "canceled_by_id": 3,
    "canceled_by_type": "App\\Models\\Tenant\\User",
    "created_at": "2026-11-01T08:00:00.000000Z",
    "updated_at": "2026-11-23T09:00:00.000000Z",
    "deleted_at": None,
    "public_id": "evt_9f8e7d",
    "provider_event_id": None,
    "customer_id": None,
    "meeting_link_id": None,
    "online_conference": None,
    "extra_field": {"nested": [1, 2]},
}

ONLINE_CONFERENCE: dict[str, Any] = {
    "id": 77,
    "online_conference_account_id": 5,
    "backer_event_id": None,
    "public_id": "room-42_a",
    "title": "Quarterly planning",
    "is_public": False,
    "is_occurred": False,
    "started_at": None,
    "ended_at": None,
    "deleted_at": None,
    "created_at": "2026-11-01T08:00:00.000000Z",
    "updated_at": "2026-11-01T08:00:00.000000Z",
}


@pytest.fixture
def event_payload() -> dict[str, Any]:
    return copy.deepcopy(EVENT)


@pytest.fixture
def online_conference_payload() -> dict[str, Any]:
    return copy.deepcopy(ONLINE_CONFERENCE)


@functools.cache
def fixed_spec() -> Any:
    """The published spec with the fix layer applied, as the generator sees it."""
    import apply_overlay  # tools/

    document, _ = apply_overlay.apply(
        apply_overlay.load(ROOT / "openapi.yaml"),
        apply_overlay.load(ROOT / "spec/fixes.overlay.yaml"),
    )
    return document


@pytest.fixture
def server() -> Iterator[WireServer]:
    """A scripted HTTP server on 127.0.0.1 (wire.py), stopped after the test."""
    wire = WireServer().start()
    yield wire
    wire.stop()


@pytest.fixture
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """No shared pacing (MEETBIT_RATE_CONTROL=off), for tests that count retries, not waits."""
    monkeypatch.setenv("MEETBIT_RATE_CONTROL", "off")


@pytest.fixture(scope="module")
def package_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder with the meetbit_api generated from openapi-more-operations.yaml."""
    from generated_packages import MORE_OPERATIONS, generated

    return generated(tmp_path_factory, MORE_OPERATIONS)


@pytest.fixture
def fake() -> Any:
    """A FakeMeetBit (in process) holding event (12, 345) "Planning"; its secret is findable."""
    from meetbit.testing import FakeMeetBit

    fake = FakeMeetBit(access_key_secret="fake-s3cr3t-value")
    fake.add_event(calendar_id=12, event_id=345, title="Planning")
    return fake


@pytest.fixture(scope="session")
def exercised() -> dict[str, dict[str, Any]]:
    """exercise_operations.exercise(): the fake and the CLI on every operation, once a run."""
    from exercise_operations import exercise

    return exercise()


PROJECT_FILES = ("openapi.yaml", "generator-config.yml", "CHANGELOG.md")
PROJECT_DIRS = ("spec", "templates", "generated", "overlay", "examples", "api")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what update-spec reads and writes, so the real project is never touched."""
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, root / name)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root
