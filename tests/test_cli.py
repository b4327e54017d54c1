"""The `meetbit` command, against meetbit.testing's fake: output, exit codes, secrets."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from meetbit._cli import main
from meetbit.testing import FakeMeetBit

CANCEL = ["events", "cancel", "--calendar", "12", "--event", "345", "--note", "Moved"]


@pytest.fixture
def fake() -> FakeMeetBit:
    fake = FakeMeetBit(access_key_secret="cli-s3cr3t-value")
    fake.add_event(calendar_id=12, event_id=345, title="Planning")
    return fake


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
    code = main(list(argv), stdin=stdin or io.StringIO())
    out, err = capsys.readouterr()
    return code, out, err


def test_cancel_prints_a_table(
    base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--base-url", base_url, *CANCEL)
    assert code == 0, err
    assert "title" in out
    assert "Planning" in out
    assert "Moved" in out
    assert "organizer@example.com" in out
    assert fake.events[(12, 345)]["cancel_note"] == "Moved"


def test_json_output_is_the_event(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--base-url", base_url, "--json", *CANCEL)
    assert code == 0
    event = json.loads(out)
    assert (event["id"], event["calendar_id"], event["cancel_note"]) == (345, 12, "Moved")


@pytest.mark.parametrize(
    ("status", "code"), [(401, 4), (404, 5), (429, 6), (500, 7), (502, 7), (403, 1)]
)
def test_errors_print_the_server_message_and_exit_with_distinct_codes(
    base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str], status: int, code: int
) -> None:
    fake.fail_next(
        status, f"server says {status}", retry_after=3600 if status == 429 else None, times=3
    )
    exit_code, out, err = run(capsys, "--base-url", base_url, *CANCEL)
    assert exit_code == code
    assert f"server says {status}" in err
    assert out == ""


def test_not_found_event(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "--base-url",
        base_url,
        "events",
        "cancel",
        "--calendar",
        "12",
        "--event",
        "9",
        "--note",
        "x",
    )
    assert code == 5
    assert "Resource object does not exist." in err


def test_bad_input_exits_2_and_sends_nothing(
    base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "--base-url",
        base_url,
        "events",
        "cancel",
        "--calendar",
        "12",
        "--event",
        "345",
        "--note",
        "x" * 256,
    )
    assert code == 2
    assert "at most 255" in err
    with pytest.raises(SystemExit) as usage:
        main(
            [
                "--base-url",
                base_url,
                "events",
                "cancel",
                "--calendar",
                "../12",
                "--event",
                "1",
                "--note",
                "x",
            ]
        )
    assert usage.value.code == 2
    assert fake.requests == []


def test_network_failure_exits_8(
    fake: FakeMeetBit, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--base-url", "http://127.0.0.1:1/api/public/v2.0", *CANCEL)
    assert code == 8
    assert "Connection refused" in err or "failed" in err


def test_missing_secret_without_a_terminal_is_a_configuration_error(
    base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEETBIT_ACCESS_KEY_SECRET")
    code, _, err = run(capsys, "--base-url", base_url, *CANCEL)
    assert code == 3
    assert "MEETBIT_ACCESS_KEY_SECRET" in err


def test_secret_is_prompted_for_on_a_terminal(
    base_url: str,
    fake: FakeMeetBit,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MEETBIT_ACCESS_KEY_SECRET")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("getpass.getpass", lambda prompt: fake.access_key_secret)
    code, _, _ = run(capsys, "--base-url", base_url, *CANCEL, stdin=Terminal())
    assert code == 0


def test_no_flag_takes_the_secret(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert "--access-key-secret" not in help_text
    assert "MEETBIT_ACCESS_KEY_SECRET" in help_text
    assert "exit codes" in help_text


def test_secret_never_appears_in_output(
    base_url: str, fake: FakeMeetBit, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = []
    for status in (None, 401, 500, 429):
        if status:
            fake.fail_next(status, retry_after=3600 if status == 429 else None)
        _, out, err = run(capsys, "--base-url", base_url, "--json", *CANCEL)
        outputs += [out, err]
    assert all(fake.access_key_secret not in text for text in outputs)


def test_console_script_is_installed(base_url: str, fake: FakeMeetBit) -> None:
    script = Path(sys.executable).parent / "meetbit"
    result = subprocess.run(
        [script, "--base-url", base_url, "--json", *CANCEL],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cancel_note"] == "Moved"
