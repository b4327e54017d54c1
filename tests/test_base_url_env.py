"""MEETBIT_BASE_URL: the whole base URL from the environment, for code that builds its own client.

Precedence: base_url=, then domain=, then MEETBIT_BASE_URL, then MEETBIT_DOMAIN (arguments
win over the environment; of the two variables the whole URL wins). The variable passes the
same checks as base_url=, and a refusal names the variable.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import meetbit
import pytest
from meetbit._cli import main
from meetbit.testing import FakeMeetBit

pytestmark = pytest.mark.behaviour


@pytest.fixture
def fake() -> FakeMeetBit:
    fake = FakeMeetBit()
    fake.add_event(12, 345, title="Planning")
    return fake


@pytest.fixture
def served(fake: FakeMeetBit, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("MEETBIT_DOMAIN", "MEETBIT_BASE_URL", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEETBIT_ACCESS_KEY_ID", fake.access_key_id)
    monkeypatch.setenv("MEETBIT_ACCESS_KEY_SECRET", fake.access_key_secret)
    with fake.serve() as base_url:
        yield base_url


def test_a_client_with_no_arguments_reaches_the_variables_url(
    served: str, fake: FakeMeetBit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETBIT_BASE_URL", served + "/")
    with meetbit.Client() as client:
        event = client.events.cancel_event(12, 345, cancel_note="Moved")
    assert event.cancel_note == "Moved"
    assert [request.operation for request in fake.requests] == ["cancel_event"]


async def _cancel_async() -> str:
    async with meetbit.AsyncClient() as client:
        event = await client.events.cancel_event(12, 345, cancel_note="Async")
    return str(event.cancel_note)


def test_the_async_client_reads_it_too(served: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    monkeypatch.setenv("MEETBIT_BASE_URL", served)
    assert asyncio.run(_cancel_async()) == "Async"


def test_it_wins_over_meetbit_domain(served: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEETBIT_DOMAIN", "acme.meetbit.com")
    monkeypatch.setenv("MEETBIT_BASE_URL", served)
    with meetbit.Client() as client:
        assert str(client.get_httpx_client().base_url) == served + "/"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"domain": "arg.example.com"}, "https://arg.example.com/api/public/v2.0/"),
        ({"base_url": "https://proxy.example.com/v2.0"}, "https://proxy.example.com/v2.0/"),
    ],
)
def test_arguments_win_over_it(
    served: str, monkeypatch: pytest.MonkeyPatch, arguments: dict[str, str], expected: str
) -> None:
    monkeypatch.setenv("MEETBIT_BASE_URL", served)
    with meetbit.Client(**arguments) as client:
        assert str(client.get_httpx_client().base_url) == expected


def test_empty_is_unset(served: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEETBIT_BASE_URL", "")
    with pytest.raises(meetbit.ConfigurationError, match="MEETBIT_DOMAIN"):
        meetbit.Client()


@pytest.mark.parametrize(
    "bad",
    ["ftp://example.com/api", "https://example.com/api?tenant=acme", "https://example.com/#x"],
)
def test_a_bad_value_is_refused_by_name(
    served: str, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv("MEETBIT_BASE_URL", bad)
    with pytest.raises(meetbit.ConfigurationError, match=r"^MEETBIT_BASE_URL"):
        meetbit.Client()


def test_the_cli_reads_it(
    served: str,
    fake: FakeMeetBit,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MEETBIT_BASE_URL", served)
    argv = [
        "events",
        "cancel-event",
        "--calendar-id",
        "12",
        "--event-id",
        "345",
        "--cancel-note",
        "CLI",
    ]
    assert main(argv, stdin=io.StringIO()) == 0
    assert "CLI" in capsys.readouterr().out
    assert fake.events[(12, 345)]["cancel_note"] == "CLI"
