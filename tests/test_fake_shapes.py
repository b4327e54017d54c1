"""The fake answers the shapes real specs have (issue 21's findings), and pages as Laravel does.

tests/fixtures/openapi-fake-shapes.yaml is today's spec plus an object no path parameter
keys, an allOf answer, two kinds of resource in one tag, a string path parameter beside
an integer id, a number path parameter and a Laravel resource collection. It is generated
into a scratch package that a subprocess imports ahead of the installed one; each case
goes through the generated client, so "works" means the client parsed the fake's answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from generated_packages import generated, run_with

SHAPES = ROOT / "tests/fixtures/openapi-fake-shapes.yaml"


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, SHAPES)


def outcome(package_root: Path, body: str) -> Any:
    """Run `body` (with `fake` and `client` set up) and return what it printed as JSON."""
    script = (
        "import json\n"
        "from meetbit.testing import FakeMeetBit\n"
        "fake = FakeMeetBit()\n"
        "client = fake.client()\n" + body
    )
    result = run_with(package_root, "-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_every_operation_of_the_fixture_is_answered_and_parsed(shapes: Path) -> None:
    result = run_with(shapes, str(ROOT / "tests/exercise_operations.py"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for name, seen in report.items():
        assert (seen["status"], seen["schema_problem"]) == (seen["expected"], None), name
        assert seen["cli"] == 0, (name, seen["cli_err"])


def test_the_real_specs_harness_finds_every_operation_answered(
    shapes: Path, tmp_path: Path
) -> None:
    # make real-specs' calls (tools/real_specs_calls.py) against the fake alone: each
    # operation once, sync then async, the resource it addresses stored before each call.
    spec = tmp_path / "fixed.json"
    spec.write_text(json.dumps(yaml.safe_load(SHAPES.read_text(encoding="utf-8"))))
    result = run_with(shapes, str(ROOT / "tools/real_specs_calls.py"), str(spec))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["imports"], report
    failed = {name: steps for name, steps in report["methods"].items()
              if steps != {"fake_sync": "ok", "fake_async": "ok"}}  # fmt: skip
    assert not failed
    assert len(report["methods"]) >= 16


def test_an_object_no_path_parameter_keys_is_answered(shapes: Path) -> None:
    # Was: IndexError out of the client call.
    seen = outcome(shapes, "me = client.account.get_me()\nprint(json.dumps(me.to_dict()))")
    assert set(seen) >= {"id", "email"}


def test_an_allof_answer_holds_every_part(shapes: Path) -> None:
    # Was: an empty answer (data null), refused by the client as malformed.
    seen = outcome(
        shapes,
        "fake.add_resource('calendars', 5, name='Team', events_count=3)\n"
        "print(json.dumps(client.calendars.get_calendar(5).to_dict()))",
    )
    assert (seen["id"], seen["name"], seen["events_count"]) == (5, "Team", 3)


def test_a_string_path_value_is_not_stored_as_the_integer_id(shapes: Path) -> None:
    # Was: id "b-12" in the answer, which the client refused as malformed.
    seen = outcome(
        shapes,
        "fake.add_resource('rooms', 'b-12')\n"
        "print(json.dumps(client.rooms.get_room('b-12').to_dict()))",
    )
    assert isinstance(seen["id"], int)
    assert "b-12" in seen["title"]


def test_each_kind_a_tag_returns_is_stored_and_found(shapes: Path) -> None:
    # Was: only the tag's majority kind could be stored; the other was always 404.
    seen = outcome(
        shapes,
        "fake.add_resource('get_calendar_settings', 5, week_starts_on=1)\n"
        "fake.add_resource('get_calendar', 5, name='Team')\n"
        "settings = client.calendars.get_calendar_settings(5)\n"
        "print(json.dumps([settings.to_dict(), client.calendars.get_calendar(5).name,\n"
        "                  fake.key_of('get_calendar_settings')]))",
    )
    assert seen == [{"calendar_id": 5, "week_starts_on": 1}, "Team", ["calendar_id"]]


def test_a_number_path_parameter_is_taken(shapes: Path) -> None:
    # Was: 422 "amount must be a number, not str".
    seen = outcome(
        shapes,
        "fake.add_resource('rates', 12.5)\n"
        "print(json.dumps(client.rates.get_rate(12.5).to_dict()))",
    )
    assert seen["amount"] == 12.5


def test_a_number_beyond_any_float_is_an_invalid_request_and_nothing_is_sent(shapes: Path) -> None:
    # Was: a bare OverflowError out of the method (10**400 has no float, so no JSON number).
    seen = outcome(
        shapes,
        "import meetbit\n"
        "fake.add_resource('rates', 12.5)\n"
        "try:\n"
        "    client.rates.get_rate(10**400)\n"
        "except meetbit.InvalidRequestError as error:\n"
        "    print(json.dumps([str(error), len(fake.requests)]))",
    )
    assert seen == ["amount is out of range: it is too large for a number", 0]


class TestPagination:
    """Laravel's paginator: page/per_page, meta and links, links that keep the query."""

    def test_next_links_walk_every_item_once(self, shapes: Path) -> None:
        seen = outcome(
            shapes,
            "import httpx\n"
            "for number in range(1, 26):\n"
            "    fake.add_resource('calendars', number, name=f'C{number}')\n"
            "headers = {'X-Access-Key-Id': fake.access_key_id,\n"
            "           'X-Access-Key-Secret': fake.access_key_secret}\n"
            "pages = []\n"
            "with fake.serve() as url, httpx.Client(headers=headers) as http:\n"
            "    link = url + '/calendars?per_page=10'\n"
            "    while link:\n"
            "        body = http.get(link).json()\n"
            "        pages.append(body)\n"
            "        link = body['links']['next']\n"
            "print(json.dumps(pages))",
        )
        assert [len(page["data"]) for page in seen] == [10, 10, 5]
        ids = [item["id"] for page in seen for item in page["data"]]
        assert ids == list(range(1, 26))
        first, _, last = seen
        assert {k: v for k, v in first["meta"].items() if k not in ("links", "path")} == {
            "current_page": 1, "from": 1, "to": 10, "last_page": 3, "per_page": 10, "total": 25,
        }  # fmt: skip
        assert first["meta"]["path"].endswith("/api/public/v2.0/calendars")
        assert first["links"]["prev"] is None
        assert first["links"]["next"].endswith("/calendars?per_page=10&page=2")
        assert first["links"]["last"].endswith("page=3")
        assert (last["meta"]["from"], last["meta"]["to"], last["links"]["next"]) == (21, 25, None)
        labels = [(link["label"], link["active"]) for link in last["meta"]["links"]]
        assert labels == [
            ("&laquo; Previous", False), ("1", False), ("2", False), ("3", True),
            ("Next &raquo;", False),
        ]  # fmt: skip

    def test_the_spec_s_default_page_size_and_a_page_past_the_last(self, shapes: Path) -> None:
        seen = outcome(
            shapes,
            "for number in range(1, 13):\n"
            "    fake.add_resource('calendars', number)\n"
            "first = client.calendars.list_calendars()\n"
            "past = client.calendars.list_calendars(page=9)\n"
            "print(json.dumps([len(first.data), first.meta.per_page, first.meta.last_page,\n"
            "                  past.data, past.meta.current_page, past.meta.from_]))",
        )
        assert seen == [10, 10, 2, [], 9, None]  # per_page's default in the spec is 10


class TestFilters:
    """List filters derived from the spec: query parameters against the resource's fields."""

    def test_an_enum_naming_a_state_selects_resources_in_it(self, package_root: Path) -> None:
        # Was: status=canceled returned every event.
        seen = outcome(
            package_root,
            "for number in range(1, 5):\n"
            "    fake.add_event(12, number)\n"
            "client.events.cancel_event(12, 2, cancel_note='Moved')\n"
            "fake.add_event(12, 5, canceled_by_id=7)\n"
            "fake.add_event(13, 1, canceled_by_id=7)\n"
            "canceled = client.events.list_events(12, status='canceled')\n"
            "scheduled = client.events.list_events(12, status='scheduled')\n"
            "print(json.dumps([[e.id for e in canceled.data], [e.id for e in scheduled.data],\n"
            "                  canceled.meta.total]))",
        )
        assert seen == [[2, 5], [1, 3, 4], 2]

    def test_a_parameter_naming_a_property_selects_equal_values(self, shapes: Path) -> None:
        seen = outcome(
            shapes,
            "fake.add_resource('calendars', 1, timezone='Europe/Paris')\n"
            "fake.add_resource('calendars', 2, timezone='UTC')\n"
            "fake.add_resource('calendars', 3, timezone='Europe/Paris')\n"
            "found = client.calendars.list_calendars(timezone='Europe/Paris')\n"
            "print(json.dumps([c.id for c in found.data]))",
        )
        assert seen == [1, 3]


def test_head_is_get_without_the_body_and_options_lists_both(shapes: Path) -> None:
    seen = outcome(
        shapes,
        "import httpx\n"
        "keys = {'X-Access-Key-Id': fake.access_key_id,\n"
        "        'X-Access-Key-Secret': fake.access_key_secret}\n"
        "with fake.serve() as url, httpx.Client(headers=keys) as http:\n"
        "    got, head = http.get(url + '/me'), http.head(url + '/me')\n"
        "    options = http.options(url + '/me')\n"
        "print(json.dumps([head.status_code, int(head.headers['content-length']),\n"
        "                  len(got.content), head.content.decode(), options.status_code,\n"
        "                  options.headers['allow']]))",
    )
    status, length, got_length, body, options, allow = seen
    assert (status, length, body, options, allow) == (200, got_length, "", 200, "GET, HEAD")


class TestCalComShapes:
    """What Cal.com's API v2 (tests/corpus) showed the fake could not answer."""

    def test_a_kind_reached_by_two_paths_is_stored_and_found_through_either(
        self, shapes: Path
    ) -> None:
        # Was: add_resource("schedules", 7) refused (the key was the longest path's three
        # values), so GET /schedules/7 was always 404.
        seen = outcome(
            shapes,
            "fake.add_resource('schedules', 7, name='Mine')\n"
            "fake.add_resource('get_team_user_schedule', 1, 2, 8, name='Theirs')\n"
            "import meetbit\n"
            "try:\n"
            "    client.schedules.get_team_user_schedule(1, 3, 8)\n"
            "    other_user = 'found'\n"
            "except meetbit.NotFoundError:\n"
            "    other_user = 404\n"
            "print(json.dumps([client.schedules.get_schedule(7).name,\n"
            "                  client.schedules.get_team_user_schedule(1, 2, 8).name,\n"
            "                  client.schedules.get_schedule(8).name, other_user,\n"
            "                  fake.key_of('get_schedule'), fake.key_of('schedules')]))",
        )
        assert seen == [
            "Mine", "Theirs", "Theirs", 404, ["schedule_id"], ["team_id", "user_id", "schedule_id"]
        ]  # fmt: skip

    def test_an_answer_without_an_identity_is_answered_afresh(self, shapes: Path) -> None:
        # Was: 404, the status-only kind keyed by the DELETE's path parameters.
        seen = outcome(shapes, "print(json.dumps(client.health.get_health().to_dict()))")
        assert seen == {"status": "success"}

    def test_a_delete_answering_a_status_removes_what_its_path_binds(self, shapes: Path) -> None:
        # Was: 404 for a stored schedule (the status was the resource the path looked for).
        seen = outcome(
            shapes,
            "import meetbit\n"
            "fake.add_resource('schedules', 7)\n"
            "answer = client.schedules.delete_schedule(7).to_dict()\n"
            "try:\n"
            "    client.schedules.delete_schedule(7)\n"
            "    again = 'deleted twice'\n"
            "except meetbit.NotFoundError:\n"
            "    again = 404\n"
            "print(json.dumps([answer, again, list(fake.resources('schedules')),\n"
            "                  fake.key_of('delete_schedule')]))",
        )
        assert seen == [{"status": "success"}, 404, [], ["schedule_id"]]

    def test_an_action_answering_no_resource_needs_the_one_its_path_names(
        self, shapes: Path
    ) -> None:
        # Was: 404 always (its token pair was a resource of its own, which no test stores).
        seen = outcome(
            shapes,
            "import meetbit\n"
            "try:\n"
            "    client.schedules.refresh_schedule(7)\n"
            "    missing = 'answered'\n"
            "except meetbit.NotFoundError:\n"
            "    missing = 404\n"
            "fake.add_resource('schedules', 7)\n"
            "print(json.dumps([missing, client.schedules.refresh_schedule(7).data.token]))",
        )
        assert seen[0] == 404
        assert isinstance(seen[1], str)

    def test_a_path_naming_no_one_resource_answers_one(self, shapes: Path) -> None:
        # Was: 404; and with a nullable payload schema, a stored resource was {} (no id).
        seen = outcome(
            shapes,
            "fresh = client.schedules.get_default_schedule()\n"
            "fake.add_resource('schedules', 7, name='Mine')\n"
            "stored = client.schedules.get_default_schedule()\n"
            "print(json.dumps([fresh.to_dict(), stored.name]))",
        )
        fresh, stored = seen
        assert isinstance(fresh["id"], int)
        assert stored == "Mine"

    def test_a_nullable_enum_without_null_is_never_sent_as_null(self, shapes: Path) -> None:
        # Was: null, which the generated model (rightly, OpenAPI 3.0.3) refused to parse.
        seen = outcome(
            shapes,
            "fake.add_resource('schedules', 7)\n"
            "print(json.dumps(client.schedules.get_schedule(7).to_dict()))",
        )
        assert seen["kind"] in ("weekly", "daily")

    def test_a_body_value_the_resource_types_differently_is_not_copied(self, shapes: Path) -> None:
        # Was: days "monday" stored in the resource's list of days: a malformed answer.
        seen = outcome(
            shapes,
            "fake.add_resource('schedules', 7)\n"
            "updated = client.schedules.update_schedule(7, name='New', days='monday')\n"
            "print(json.dumps(updated.to_dict()))",
        )
        assert seen["name"] == "New"
        assert isinstance(seen["days"], list)

    def test_a_form_body_is_read_as_laravel_reads_it(self, shapes: Path) -> None:
        # Was: 422 "the body is not JSON".
        seen = outcome(
            shapes,
            "fake.add_resource('schedules', 7)\n"
            "noted = client.schedules.add_schedule_note(7, note='Bring snacks', minutes=30)\n"
            "print(json.dumps([noted.note, noted.minutes, fake.requests[-1].headers\n"
            "                  ['content-type']]))",
        )
        assert seen == ["Bring snacks", 30, "application/x-www-form-urlencoded"]

    def test_header_cookie_and_whole_body_values_are_checked_where_the_spec_puts_them(
        self, shapes: Path
    ) -> None:
        # Was: headers and cookies never read (a required one missing was answered 200),
        # and a whole-body array taken unchecked.
        seen = outcome(
            shapes,
            "import httpx\n"
            "fake.add_resource('schedules', 7)\n"
            "keys = {'X-Access-Key-Id': fake.access_key_id,\n"
            "        'X-Access-Key-Secret': fake.access_key_secret}\n"
            "http = httpx.Client(transport=fake.transport(),\n"
            "                    base_url='http://fake/api/public/v2.0', headers=keys)\n"
            "def put(body, **headers):\n"
            "    answer = http.put('/schedules/7/days', json=body, headers=headers)\n"
            "    return [answer.status_code, answer.text if answer.status_code != 200 else '']\n"
            "version = {'x-api-version': '2024-06-14'}\n"
            "typed = client.schedules.replace_schedule_days(\n"
            "    7, body=['monday'], x_api_version='2024-06-14', x_retries=2, locale='fr')\n"
            "sent = dict(fake.requests[-1].headers)\n"
            "print(json.dumps([put(['monday'], **version), put(['monday']),\n"
            "    put(['monday'], **{'X-Api-Version': 'soon'}),\n"
            "    put(['monday'], **version, **{'X-Retries': 'abc'}),\n"
            "    put(['monday'], **version, Cookie='locale=de'),\n"
            "    put(['monday'], **version, Cookie='locale=en'),\n"
            "    put({'days': ['monday']}, **version), put([], **version),\n"
            "    typed.id, sent['x-retries'], sent['cookie'],\n"
            "    put(['monday'], **version, Cookie='locale=\"x y'),\n"
            "    put(['monday'], **version, Cookie='a=1; locale=f%72')]))",
        )
        assert seen[0] == [200, ""]
        assert seen[1] == [422, "The given data was invalid: X-Api-Version is required"]
        assert seen[2][0] == seen[3][0] == seen[4][0] == 422
        assert "must be one of" in seen[2][1]
        assert "X-Retries" in seen[3][1]
        assert "locale" in seen[4][1]
        assert seen[5] == [200, ""]
        assert seen[6][0] == seen[7][0] == 422
        assert seen[8:11] == [7, "2", "locale=fr"]
        # Was: a pair http.cookies finds malformed was dropped, so its value passed unchecked.
        assert seen[11][0] == 422
        assert "locale" in seen[11][1]
        assert seen[12] == [200, ""]

    def test_a_list_of_objects_without_an_identity_is_still_stored(self, shapes: Path) -> None:
        # A listed kind is a collection a test fills, though nothing names one of its items.
        seen = outcome(
            shapes,
            "fake.add_resource('list_schedule_slots', 7, 1, start='2026-01-05T09:00:00Z')\n"
            "fake.add_resource('list_schedule_slots', 8, 1)\n"
            "slots = client.schedules.list_schedule_slots(7)\n"
            "print(json.dumps([fake.key_of('list_schedule_slots'),\n"
            "                  [slot.start.isoformat() for slot in slots]]))",
        )
        assert seen == [["schedule_id", "id"], ["2026-01-05T09:00:00+00:00"]]
