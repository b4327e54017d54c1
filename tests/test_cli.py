"""The `meetbit` command, against meetbit.testing's fake: commands, output, exit codes, secrets."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from exercise_operations import kebab
from generated_packages import run_with
from meetbit._cli import main
from meetbit.testing import FakeMeetBit
from meetbit_api.operations import OPERATIONS

pytestmark = pytest.mark.behaviour

CANCEL = [
    "events",
    "cancel-event",
    "--calendar-id",
    "12",
    "--event-id",
    "345",
    "--cancel-note",
    "Moved",
]
OLD_CANCEL = ["events", "cancel", "--calendar", "12", "--event", "345", "--note", "Moved"]
HOSTILE = "\x1b]0;owned\x07\x1b[2J\r\x9b31m\x7f\u202eevil"
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]")


@pytest.fixture
def base_url(fake: FakeMeetBit, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("MEETBIT_DOMAIN", "MEETBIT_ACCESS_KEY_ID", "MEETBIT_ACCESS_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEETBIT_ACCESS_KEY_ID", fake.access_key_id)
    monkeypatch.setenv("MEETBIT_ACCESS_KEY_SECRET", fake.access_key_secret)
    with fake.serve() as url:
        yield url


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: io.StringIO | None = None
) -> tuple[int, str, str]:
    try:
        code = main(list(argv), stdin=stdin or io.StringIO())
    except SystemExit as exit_:  # argparse: usage errors and --help
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


class TestCommands:
    def test_cancel_prints_a_table_with_attendees_as_indented_rows(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(capsys, "--base-url", base_url, *CANCEL)
        assert code == 0, err
        rows = out.splitlines()
        assert re.fullmatch(r"title +Planning", rows[2])
        assert any(re.fullmatch(r"cancel_note +Moved", row) for row in rows)
        attendees = rows.index("attendees")
        assert re.fullmatch(r"  - email +user@example.com", rows[attendees + 1])
        assert re.fullmatch(r"    is_organizer +false", rows[attendees + 4])
        assert fake.events[(12, 345)]["cancel_note"] == "Moved"

    def test_json_output_is_the_event(
        self, base_url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = run(capsys, "--base-url", base_url, "--json", *CANCEL)
        assert code == 0
        event = json.loads(out)
        assert (event["id"], event["calendar_id"], event["cancel_note"]) == (345, 12, "Moved")

    def test_global_flags_work_after_the_operation(
        self, base_url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(capsys, *CANCEL, "--base-url", base_url, "--json", "--timeout", "9")
        assert code == 0, err
        assert json.loads(out)["cancel_note"] == "Moved"

    def test_the_old_spelling_still_works_with_a_note(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(capsys, "--base-url", base_url, "--json", *OLD_CANCEL)
        assert code == 0, err
        assert json.loads(out)["cancel_note"] == "Moved"
        assert "'meetbit events cancel' is deprecated; use 'meetbit events cancel-event'" in err
        assert "--note -> --cancel-note" in err
        assert fake.requests[-1].json == {"cancel_note": "Moved"}

    def test_the_old_spelling_is_not_advertised(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "events", "--help")
        assert code == 0
        assert "cancel-event" in out
        assert not re.search(r"^\s+cancel\s", out, re.MULTILINE)

    def test_help_carries_the_spec_s_description_and_limits(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = run(capsys, "events", "cancel-event", "--help")
        assert code == 0
        text = " ".join(out.split())
        assert "Cancel Event" in text
        assert "Required permissions: `events.delete.*`" in text
        assert (
            "Id of the calendar the event belongs to. (path; required; 64-bit integer; at least 1)"
            in text
        )
        assert "--cancel-note TEXT (body; required; at most 255 characters)" in text

    @pytest.mark.parametrize("name", sorted(OPERATIONS))
    def test_every_operation_has_a_command_with_a_flag_per_field(
        self, capsys: pytest.CaptureFixture[str], name: str
    ) -> None:
        operation = OPERATIONS[name]
        code, out, _ = run(capsys, kebab(operation.tag), kebab(operation.name), "--help")
        assert code == 0
        for field in operation.fields:
            assert f"--{kebab(field.name)}" in out


class TestEveryOperation:
    @pytest.mark.parametrize("name", sorted(OPERATIONS))
    def test_the_command_calls_the_operation(
        self, exercised: dict[str, dict[str, Any]], name: str
    ) -> None:
        result = exercised[name]
        assert result["cli"] == 0, result["cli_err"]
        assert result["cli_sent"] >= 1
        assert result["recorded_operation"] == name

    @pytest.mark.parametrize("name", sorted(OPERATIONS))
    def test_a_broken_limit_is_exit_2_and_sends_nothing(
        self, exercised: dict[str, dict[str, Any]], name: str
    ) -> None:
        for field, seen in exercised[name]["violations"].items():
            assert (seen["cli"], seen["cli_sent"]) == (2, 0), (field, seen)
            assert f"--{kebab(field)}" in seen["cli_says"]


class TestErrors:
    @pytest.mark.parametrize(
        ("status", "code"), [(401, 4), (404, 5), (429, 6), (500, 7), (502, 7), (403, 1)]
    )
    def test_errors_print_the_server_message_and_exit_with_distinct_codes(
        self,
        base_url: str,
        fake: FakeMeetBit,
        capsys: pytest.CaptureFixture[str],
        status: int,
        code: int,
    ) -> None:
        fake.fail_next(
            status, f"server says {status}", retry_after=3600 if status == 429 else None, times=3
        )
        exit_code, out, err = run(capsys, "--base-url", base_url, *CANCEL)
        assert exit_code == code
        assert f"server says {status}" in err
        assert out == ""

    def test_not_found_event(self, base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(capsys, "--base-url", base_url, *CANCEL[:5], "9", *CANCEL[6:])
        assert code == 5
        assert "Resource object does not exist." in err

    @pytest.mark.parametrize(
        ("flag", "value", "says"),
        [
            ("--cancel-note", "x" * 256, "--cancel-note is 256 characters long; at most 255"),
            ("--calendar-id", "0", "--calendar-id is out of range: it must be at least 1"),
            ("--calendar-id", "1.5", "'1.5' is not an integer"),
            ("--calendar-id", "../12", "'../12' is not an integer"),
            ("--calendar-id", "\uff11\uff12", "is not an integer"),
            ("--calendar-id", str(2**63), "out of range: it must fit in int64"),
        ],
    )
    def test_bad_input_exits_2_and_sends_nothing(
        self,
        base_url: str,
        fake: FakeMeetBit,
        capsys: pytest.CaptureFixture[str],
        flag: str,
        value: str,
        says: str,
    ) -> None:
        argv = list(CANCEL)
        argv[argv.index(flag) + 1] = value
        code, out, err = run(capsys, "--base-url", base_url, *argv)
        assert code == 2
        assert says in err
        assert out == ""
        assert fake.requests == []

    @pytest.mark.parametrize("timeout", ["0", "-5", "nan", "inf", "soon"])
    def test_a_timeout_that_is_not_a_positive_number_is_bad_input(
        self,
        base_url: str,
        fake: FakeMeetBit,
        capsys: pytest.CaptureFixture[str],
        timeout: str,
    ) -> None:
        for argv in (
            ["--timeout", timeout, "--base-url", base_url, *CANCEL],
            ["--base-url", base_url, *CANCEL, f"--timeout={timeout}"],
        ):
            code, _, err = run(capsys, *argv)
            assert code == 2
            assert "is not a positive number of seconds" in err
        assert fake.requests == []

    def test_network_failure_exits_8(
        self, fake: FakeMeetBit, base_url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = run(capsys, "--base-url", "http://127.0.0.1:1/api/public/v2.0", *CANCEL)
        assert code == 8
        # Says which request failed and how, in one line (the errno's wording is the OS's).
        assert err.startswith(
            "meetbit: POST http://127.0.0.1:1/api/public/v2.0/calendars/12/events/345/cancel "
            "failed (ConnectError: "
        ), err
        assert len(err.strip().splitlines()) == 1


class TestTerminalEscapes:
    """Text from the network cannot drive the operator's terminal (issue 12, item 9)."""

    def test_the_server_s_error_message_is_escaped(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        fake.fail_next(500, f"boom {HOSTILE}", times=3)
        code, _, err = run(capsys, "--base-url", base_url, *CANCEL)
        assert code == 7
        assert not RAW_CONTROLS.search(err)
        assert "boom \\x1b]0;owned\\x07\\x1b[2J" in err
        assert "\\x9b31m\\x7f\\u202eevil" in err

    def test_values_in_the_table_are_escaped(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        fake.add_event(12, 346, title=HOSTILE, location="line\nbreak")
        argv = [*CANCEL[:5], "346", *CANCEL[6:]]
        code, out, _ = run(capsys, "--base-url", base_url, *argv)
        assert code == 0
        assert not RAW_CONTROLS.search(out)
        assert "\\x1b]0;owned\\x07\\x1b[2J\\r\\x9b31m\\x7f\\u202eevil" in out
        assert "line\\nbreak" in out

    def test_json_output_escapes_controls_and_keeps_the_text(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        fake.add_event(12, 346, title=HOSTILE + " café")
        argv = [*CANCEL[:5], "346", *CANCEL[6:]]
        code, out, _ = run(capsys, "--base-url", base_url, "--json", *argv)
        assert code == 0
        assert not RAW_CONTROLS.search(out)
        assert "café" in out  # not ASCII-escaped
        assert json.loads(out)["title"] == HOSTILE + " café"


class TestSettings:
    def test_missing_secret_without_a_terminal_says_how_to_give_it(
        self, base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("MEETBIT_ACCESS_KEY_SECRET")
        code, _, err = run(capsys, "--base-url", base_url, *CANCEL)
        assert code == 3
        assert err == (
            "meetbit: MEETBIT_ACCESS_KEY_SECRET is not set: export it, "
            "or run in a terminal to be prompted\n"
        )

    def test_missing_domain_names_the_flag(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = run(capsys, *CANCEL)
        assert code == 3
        assert "pass --domain" in err
        assert "MEETBIT_DOMAIN" in err
        assert "domain=" not in err
        assert fake.requests == []

    def test_missing_key_id_names_the_flag(
        self, base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("MEETBIT_ACCESS_KEY_ID")
        code, _, err = run(capsys, "--base-url", base_url, *CANCEL)
        assert code == 3
        assert "pass --access-key-id or set MEETBIT_ACCESS_KEY_ID" in err

    def test_bad_input_is_reported_before_the_secret_is_asked_for(
        self, base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("MEETBIT_ACCESS_KEY_SECRET")
        monkeypatch.setattr("getpass.getpass", pytest.fail)
        argv = [*CANCEL[:-1], "x" * 256]
        code, _, err = run(capsys, "--base-url", base_url, *argv, stdin=Terminal())
        assert code == 2
        assert "at most 255" in err

    def test_secret_is_prompted_for_on_a_terminal(
        self,
        base_url: str,
        fake: FakeMeetBit,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.delenv("MEETBIT_ACCESS_KEY_SECRET")
        monkeypatch.setattr("getpass.getpass", lambda prompt: fake.access_key_secret)
        code, _, _ = run(capsys, "--base-url", base_url, *CANCEL, stdin=Terminal())
        assert code == 0

    def test_no_flag_takes_the_secret(self, capsys: pytest.CaptureFixture[str]) -> None:
        for argv in (["--help"], ["events", "cancel-event", "--help"]):
            code, help_text, _ = run(capsys, *argv)
            assert code == 0
            assert "--access-key-secret" not in help_text
            assert "exit codes" in help_text
        assert "MEETBIT_ACCESS_KEY_SECRET" in run(capsys, "--help")[1]

    def test_secret_never_appears_in_output(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        outputs = []
        for status in (None, 401, 500, 429):
            if status:
                fake.fail_next(status, retry_after=3600 if status == 429 else None)
            _, out, err = run(capsys, "--base-url", base_url, "--json", *CANCEL)
            outputs += [out, err]
        assert all(fake.access_key_secret not in text for text in outputs)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_console_script_is_installed(base_url: str, fake: FakeMeetBit) -> None:
    script = Path(sys.executable).parent / "meetbit"
    result = subprocess.run(
        [script, *OLD_CANCEL, "--base-url", base_url, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cancel_note"] == "Moved"
    assert "deprecated" in result.stderr


def test_a_closed_pipe_is_not_a_traceback(base_url: str, fake: FakeMeetBit) -> None:
    # More output than a pipe buffers (64 KiB), so the command is still writing when the
    # reader goes away, as with `meetbit ... | head`.
    attendee = fake.events[(12, 345)]["attendees"][0]
    fake.add_event(12, 346, attendees=[attendee] * 2000)
    script = Path(sys.executable).parent / "meetbit"
    command = subprocess.Popen(
        [script, *CANCEL[:5], "346", *CANCEL[6:], "--base-url", base_url, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert command.stdout is not None
    assert command.stderr is not None
    assert command.stdout.read(1) == b"{"
    command.stdout.close()
    assert command.wait(timeout=60) == 0
    assert b"Traceback" not in command.stderr.read()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


class TestJsonErrors:
    """With --json, errors are JSON too: one object per line on stderr, stdout empty."""

    def test_an_api_error_is_an_object_with_its_status(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(
            capsys, "--base-url", base_url, "--json", *CANCEL[:5], "9", *CANCEL[6:]
        )
        assert (code, out) == (5, "")
        (error,) = json_lines(err)
        assert error["error"]["type"] == "NotFoundError"
        assert error["error"]["status_code"] == 404
        assert error["error"]["exit_code"] == 5
        assert "Resource object does not exist." in error["error"]["message"]

    def test_a_429_carries_its_retry_after(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        fake.fail_next(429, "slow down", retry_after=3600, times=3)
        code, _, err = run(capsys, "--base-url", base_url, "--json", *CANCEL)
        (error,) = json_lines(err)
        assert (code, error["error"]["type"], error["error"]["retry_after"]) == (
            6,
            "RateLimitedError",
            3600,
        )

    @pytest.mark.parametrize(
        ("argv", "kind", "exit_code"),
        [
            (["--calendar-id", "0"], "InvalidRequestError", 2),  # a limit of the spec
            (["--calendar-id", "x"], "UsageError", 2),  # argparse: not an integer
            (["--no-such-flag", "1"], "UsageError", 2),
        ],
    )
    def test_bad_input_and_usage_errors_are_objects(
        self,
        base_url: str,
        fake: FakeMeetBit,
        capsys: pytest.CaptureFixture[str],
        argv: list[str],
        kind: str,
        exit_code: int,
    ) -> None:
        code, out, err = run(capsys, "--base-url", base_url, "--json", *CANCEL, *argv)
        assert (code, out) == (exit_code, "")
        (error,) = json_lines(err)
        assert (error["error"]["type"], error["error"]["exit_code"]) == (kind, exit_code)
        assert fake.requests == []

    def test_a_configuration_error_is_an_object(
        self, base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("MEETBIT_ACCESS_KEY_SECRET")
        code, _, err = run(capsys, "--base-url", base_url, "--json", *CANCEL)
        (error,) = json_lines(err)
        assert (code, error["error"]["type"]) == (3, "ConfigurationError")
        assert "MEETBIT_ACCESS_KEY_SECRET is not set" in error["error"]["message"]

    def test_the_deprecation_note_is_an_object_too(
        self, base_url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(capsys, "--base-url", base_url, "--json", *OLD_CANCEL)
        assert code == 0
        assert json.loads(out)["cancel_note"] == "Moved"
        (note,) = json_lines(err)
        assert "'meetbit events cancel' is deprecated" in note["note"]

    def test_without_json_errors_stay_text(
        self, base_url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = run(capsys, "--base-url", base_url, *CANCEL[:5], "9", *CANCEL[6:])
        assert code == 5
        assert err.startswith("meetbit: POST ")


class TestTheSecretFlag:
    @pytest.mark.parametrize(
        "argv",
        [
            ["--access-key-secret", "hunter2-value"],
            ["--access-key-secret=hunter2-value"],
            ["--access-key-sec", "hunter2-value"],
        ],
    )
    def test_it_is_refused_with_the_reason_and_never_echoed(
        self,
        base_url: str,
        fake: FakeMeetBit,
        capsys: pytest.CaptureFixture[str],
        argv: list[str],
    ) -> None:
        code, out, err = run(capsys, "--base-url", base_url, *CANCEL, *argv)
        assert (code, out) == (2, "")
        assert "hunter2-value" not in err
        assert "never comes from the command line" in err
        assert "shell history" in err
        assert "MEETBIT_ACCESS_KEY_SECRET" in err
        assert fake.requests == []


class TestOldSpellingsStayUnlisted:
    def test_a_mistyped_operation_does_not_list_the_old_name(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = run(capsys, "events", "cancel-evnt")
        assert code == 2
        assert "'cancel-event'" in err
        assert "'cancel'" not in err

    def test_the_old_name_still_works(
        self, base_url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert run(capsys, "--base-url", base_url, *OLD_CANCEL)[0] == 0


class TestTables:
    def test_null_and_empty_text_read_differently(
        self, base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
    ) -> None:
        fake.add_event(12, 346, location="", body=None, title="null")
        code, out, _ = run(capsys, "--base-url", base_url, *CANCEL[:5], "346", *CANCEL[6:])
        assert code == 0
        rows = dict(re.split(r"\s{2,}", row.strip(), maxsplit=1) for row in out.splitlines()
                    if re.search(r"\S\s{2,}\S", row))  # fmt: skip
        assert rows["location"] == '""'
        assert rows["body"] == "null"
        assert rows["title"] == '"null"'  # the text "null", not JSON null
        assert rows["cancel_note"] == "Moved"  # ordinary text stays bare

    def test_cells(self) -> None:
        from meetbit._cli.output import table

        assert table({"a": None, "b": "", "c": [], "d": "12", "e": 12, "f": " x", "g": True}) == (
            'a  null\nb  ""\nc  []\nd  "12"\ne  12\nf  " x"\ng  true'
        )


class TestSettingsThroughTheConfiguration:
    """The command resolves flags and environment through meetbit._config, as the client does."""

    def test_meetbit_base_url_is_honoured(
        self,
        base_url: str,
        fake: FakeMeetBit,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("MEETBIT_BASE_URL", base_url)
        code, out, err = run(capsys, "--json", *CANCEL)
        assert code == 0, err
        assert json.loads(out)["cancel_note"] == "Moved"
        assert len(fake.requests) == 1

    def test_the_base_url_flag_wins_over_the_variable(
        self,
        base_url: str,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("MEETBIT_BASE_URL", "http://127.0.0.1:1/nowhere")
        assert run(capsys, "--base-url", base_url, *CANCEL)[0] == 0

    def test_a_bad_domain_names_the_flag_for_a_full_url(
        self, base_url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = run(capsys, "--domain", "acme meetbit.com", *CANCEL)
        assert code == 3
        assert "pass --base-url for a full URL" in err

    def test_a_bad_domain_from_the_environment_is_named_by_its_variable(
        self, base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("MEETBIT_DOMAIN", "acme.meetbit.com\n")
        code, _, err = run(capsys, *CANCEL)
        assert code == 3
        assert err.startswith("meetbit: MEETBIT_DOMAIN contains whitespace or a newline")


SHAPES = ROOT / "tests/fixtures/openapi-cli-shapes.yaml"
SHAPES_SCRIPT = """
import contextlib, io, json, sys
from meetbit._cli import main
from wire import Reply, WireServer

server = WireServer().start()
answer = {"message": "ok", "data": {"id": 7, "startsAt": "2026-01-05T09:30:00Z", "notes": None,
                                    "reminder": {"minutes": 10, "channel": "sms"}}}
report = {}
for name, argv in json.loads(sys.argv[1]).items():
    server.queue(Reply(200, answer))
    before = len(server.received)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([*argv, "--base-url", server.base_url], stdin=io.StringIO())
        except SystemExit as exit_:
            code = exit_.code
    sent = server.received[before:]
    report[name] = {"code": code, "out": out.getvalue(), "err": err.getvalue(),
                    "sent": [{"path": r.path, "body": json.loads(r.body or b"null")} for r in sent]}
server.stop()
print(json.dumps(report))
"""
BOOK = ["bookings", "create-booking", "--calendar-id", "12", "--event-type-id", "3",
        "--starts-at", "2026-01-05T09:30:00Z"]  # fmt: skip


@pytest.fixture(scope="module")
def cli_shapes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The CLI on a package generated from a spec with camelCase names and object fields."""
    # The generator's tools are in .venv only; on the other Pythons these tests say SKIPPED.
    generator = pytest.importorskip("generate", reason="the generator is in .venv only")

    root = tmp_path_factory.mktemp("cli-shapes")
    generator.generate(SHAPES, root / "meetbit_api")
    runs = {
        "help": ["bookings", "create-booking", "--help"],
        "objects": [*BOOK, "--reminder", '{"minutes": 10, "channel": "sms"}',
                    "--guests", '{"email": "ada@example.com"}', "--guests", '{"email": "bo@x.org"}',
                    "--notes", "null", "--dry-run", "true", "--json"],
        "nested limit": [*BOOK, "--reminder", '{"minutes": 2000}'],
        "nested type": [*BOOK, "--reminder", '{"minutes": "ten"}'],
        "missing nested": [*BOOK, "--reminder", '{"channel": "sms"}'],
        "old flag": [*BOOK[:4], "--eventtypeid", "3", *BOOK[6:], "--reminder", '{"minutes": 1}'],
    }  # fmt: skip
    env = {"MEETBIT_ACCESS_KEY_ID": "k", "MEETBIT_ACCESS_KEY_SECRET": "s"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        result = run_with(root, "-c", SHAPES_SCRIPT, json.dumps(runs))
    assert result.returncode == 0, result.stderr
    report: dict[str, dict[str, Any]] = json.loads(result.stdout)
    return report


class TestWhatTheSpecSays:
    """Flags for camelCase names and object-valued fields, on a spec that has them (issue 21)."""

    def test_camel_case_names_are_kebab_case_flags(self, cli_shapes: dict[str, Any]) -> None:
        help_text = cli_shapes["help"]["out"]
        for flag in ("--event-type-id", "--starts-at", "--dry-run", "--reminder", "--guests"):
            assert flag in help_text
        assert "--eventtypeid" not in help_text
        assert "--startsat" not in help_text

    def test_object_fields_are_sent_as_the_spec_s_objects(self, cli_shapes: dict[str, Any]) -> None:
        result = cli_shapes["objects"]
        assert result["code"] == 0, result["err"]
        (sent,) = result["sent"]
        assert sent["path"] == "/calendars/12/bookings?eventTypeId=3&dryRun=true"
        assert sent["body"] == {
            "startsAt": "2026-01-05T09:30:00+00:00",
            "reminder": {"minutes": 10, "channel": "sms"},
            "guests": [{"email": "ada@example.com"}, {"email": "bo@x.org"}],
            "notes": None,
        }
        assert json.loads(result["out"])["reminder"] == {"minutes": 10, "channel": "sms"}

    @pytest.mark.parametrize(
        ("run_name", "says"),
        [
            ("nested limit", "--reminder.minutes is out of range: it must be at most 1440"),
            ("nested type", "--reminder.minutes must be an integer, not str"),
            ("missing nested", "--reminder.minutes is required"),
        ],
    )
    def test_an_object_that_breaks_the_spec_is_bad_input_and_nothing_is_sent(
        self, cli_shapes: dict[str, Any], run_name: str, says: str
    ) -> None:
        result = cli_shapes[run_name]
        assert (result["code"], result["sent"]) == (2, [])
        assert says in result["err"]

    def test_the_run_together_spelling_is_not_a_flag(self, cli_shapes: dict[str, Any]) -> None:
        result = cli_shapes["old flag"]
        assert (result["code"], result["sent"]) == (2, [])
        assert "required: --event-type-id" in result["err"]
