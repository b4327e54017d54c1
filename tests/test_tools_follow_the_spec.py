"""The fake and the CLI follow the spec: a spec with more operations gets answers and commands.

tests/fixtures/openapi-more-operations.yaml adds getEvent, listEvents (query parameters
with limits, a paginated envelope) and updateEvent (PATCH with several constrained body
fields) to the published spec. It is generated into a temporary package, which a
subprocess imports ahead of the installed meetbit_api (two meetbit_api packages cannot
share one interpreter); nothing under overlay/ changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import generate as generator
import pytest
from conftest import ROOT
from generated_packages import run_with
from meetbit_api.operations import OPERATIONS


@pytest.fixture(scope="module")
def report(package_root: Path) -> dict[str, dict[str, Any]]:
    result = run_with(package_root, str(ROOT / "tests/exercise_operations.py"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_subprocess_sees_the_fixture_s_operations(report: dict[str, dict[str, Any]]) -> None:
    assert set(OPERATIONS) < set(report)
    assert {"get_event", "list_events", "update_event"} <= set(report)


@pytest.mark.parametrize("name", ["cancel_event", "get_event", "list_events", "update_event"])
def test_the_fake_answers_each_operation(report: dict[str, dict[str, Any]], name: str) -> None:
    result = report[name]
    assert result["status"] == result["expected"] == 200
    assert result["schema_problem"] is None
    assert result["scripted"] == [404, 429, 500]
    assert result["recorded_operation"] == name


@pytest.mark.parametrize("name", ["cancel_event", "get_event", "list_events", "update_event"])
def test_the_cli_has_a_command_for_each_operation(
    report: dict[str, dict[str, Any]], name: str
) -> None:
    result = report[name]
    assert result["cli"] == 0, result["cli_err"]
    assert isinstance(result["cli_out"], dict)


def test_every_limit_of_the_new_operations_is_enforced_by_both(
    report: dict[str, dict[str, Any]],
) -> None:
    broken = {(name, field) for name in report for field in report[name]["violations"]}
    assert {
        ("list_events", "per_page"),
        ("list_events", "search"),
        ("list_events", "status"),
        ("update_event", "title"),
        ("update_event", "location"),
    } <= broken
    for name, field in broken:
        seen = report[name]["violations"][field]
        assert seen["fake"] == 422, (name, field, seen)
        assert (seen["cli"], seen["cli_sent"]) == (2, 0), (name, field, seen)


def test_listing_pages_what_was_stored_and_update_writes_it(package_root: Path) -> None:
    script = """
import httpx, json
from meetbit.testing import FakeMeetBit
fake = FakeMeetBit()
for number in range(1, 6):
    fake.add_event(12, number)
fake.add_event(13, 1)
with fake.client() as client:
    page = client.events.list_events(12, page=2, per_page=2)
    updated = client.events.update_event(12, 3, title="Renamed", location=None)
    again = client.events.get_event(12, 3)
print(json.dumps({
    "ids": [event.id for event in page.data],
    "meta": page.meta.to_dict(),
    "updated": [updated.title, updated.location, again.title],
    "stored": fake.events[(12, 3)]["title"],
}))
"""
    result = run_with(package_root, "-c", script)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["ids"] == [3, 4]
    assert seen["meta"] == {"current_page": 2, "per_page": 2, "total": 5}
    assert seen["updated"] == ["Renamed", None, "Renamed"]
    assert seen["stored"] == "Renamed"


def test_the_cli_lists_with_typed_query_flags(package_root: Path) -> None:
    script = """
import json, os, sys
from meetbit.testing import FakeMeetBit
from meetbit._cli import main
fake = FakeMeetBit()
os.environ.update(MEETBIT_ACCESS_KEY_ID=fake.access_key_id,
                  MEETBIT_ACCESS_KEY_SECRET=fake.access_key_secret)
fake.add_event(12, 1)
fake.add_event(12, 2, canceled_by_id=7)  # the one --status canceled selects
with fake.serve() as url:
    code = main(["events", "list-events", "--calendar-id", "12", "--status", "canceled",
                 "--from", "2026-11-01T00:00:00Z", "--per-page", "5", "--base-url", url])
print(json.dumps([fake.requests[-1].path, fake.requests[-1].query]), file=sys.stderr)
sys.exit(code)
"""
    result = run_with(package_root, "-c", script)
    assert result.returncode == 0, result.stderr
    path, query = json.loads(result.stderr.splitlines()[-1])
    assert path == "/api/public/v2.0/calendars/12/events"
    assert sorted(query.split("&")) == [
        "from=2026-11-01T00%3A00%3A00%2B00%3A00",
        "page=1",  # the spec's default, which the generated function sends
        "per_page=5",
        "status=canceled",
    ]
    rows = result.stdout.splitlines()
    assert "meta" in rows
    assert any(row.split() == ["total", "1"] for row in rows)


def test_the_cli_sends_null_for_the_word_null_and_typed_dates(package_root: Path) -> None:
    script = """
import json, os, sys
from meetbit.testing import FakeMeetBit
from meetbit._cli import main
fake = FakeMeetBit()
os.environ.update(MEETBIT_ACCESS_KEY_ID=fake.access_key_id,
                  MEETBIT_ACCESS_KEY_SECRET=fake.access_key_secret)
fake.add_event(12, 1, location="Room 4")
with fake.serve() as url:
    code = main(["events", "update-event", "--calendar-id", "12", "--event-id", "1",
                 "--location", "null", "--start", "2026-12-01T09:00:00+01:00",
                 "--base-url", url, "--json"])
print(json.dumps(fake.requests[-1].json), file=sys.stderr)
sys.exit(code)
"""
    result = run_with(package_root, "-c", script)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.splitlines()[-1]) == {
        "location": None,
        "start": "2026-12-01T09:00:00+01:00",
    }
    event = json.loads(result.stdout)
    assert (event["location"], event["start"]) == (None, "2026-12-01T09:00:00+01:00")


@pytest.mark.parametrize(
    ("fixture", "limit_says"),
    [
        ("openapi-cancel-note-100.yaml", "at most 100 are allowed"),
        ("openapi-event-title-removed.yaml", "at most 255 are allowed"),
    ],
)
def test_a_changed_spec_changes_the_fake_and_the_cli(
    tmp_path: Path, fixture: str, limit_says: str
) -> None:
    generator.generate(ROOT / "tests/fixtures" / fixture, tmp_path / "meetbit_api")
    result = run_with(tmp_path, str(ROOT / "tests/exercise_operations.py"))
    assert result.returncode == 0, result.stderr
    (cancel,) = json.loads(result.stdout).values()
    assert (cancel["status"], cancel["schema_problem"], cancel["cli"]) == (200, None, 0)
    (broken,) = (v for v in cancel["violations"].values() if "characters long" in v["fake_says"])
    assert limit_says in broken["fake_says"]
    assert limit_says in broken["cli_says"]
    assert ("title" in cancel["cli_out"]) == (fixture != "openapi-event-title-removed.yaml")
