"""The client follows the spec: every operation, today's and a fixture's, with no overlay edit.

For each operation: a typed sync method and an awaitable async one, every limit checked
before sending (nothing reaches the server), a 429 retried, 404/500 as typed errors with
the server's message, and a success body with a field of the wrong type refused with its
path. tests/exercise_client.py does it; here it runs on the installed spec and, in a
subprocess, on a package generated from tests/fixtures/openapi-more-operations.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from exercise_client import exercise_client
from generated_packages import run_with

EXPECTED = {"cancel_event", "get_event", "list_events", "update_event"}


@pytest.fixture(scope="module")
def fixture_report(package_root: Path) -> dict[str, dict[str, Any]]:
    result = run_with(package_root, str(ROOT / "tests/exercise_client.py"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def check(name: str, result: dict[str, Any]) -> None:
    assert result["sync_typed"], f"{name}: the sync method has no return type"
    assert result["async"][0], f"{name}: the async method is not a coroutine function"
    assert result["async"][1] == result["answer_type"]
    assert result["retried_429"] == 2, f"{name}: a 429 is retried once"
    assert result["errors"] == {
        "404": ["NotFoundError", "scripted 404"],
        "500": ["ServerError", "scripted 500"],
    }
    assert result["violations"], f"{name}: no limit to break?"
    for argument, (message, sent) in result["violations"].items():
        assert message != "accepted", f"{name}.{argument}: a broken limit was accepted"
        assert message.startswith(argument), message
        assert sent == 0, f"{name}.{argument}: something was sent"
    path, message = result["strict"]
    assert f"malformed response: {path}:" in message


def test_every_operation_of_the_installed_spec() -> None:
    report = exercise_client()
    assert report
    for name, result in report.items():
        check(name, result)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_operation_of_a_spec_with_more_operations(
    fixture_report: dict[str, dict[str, Any]], name: str
) -> None:
    assert set(fixture_report) == EXPECTED
    check(name, fixture_report[name])


AWKWARD = ROOT / "tests/fixtures/openapi-awkward-names.yaml"
AWKWARD_SCRIPT = """
import json, httpx, meetbit
sent = []
def answer(request):
    sent.append(request)
    return httpx.Response(200, json={"message": "ok", "data": {"id": 9}})
client = meetbit.Client(base_url="http://mock/api", access_key_id="k", access_key_secret="s",
                        transport=httpx.MockTransport(answer))
data = client.vouchers.redeem_voucher(7, client_query="q", client="c", type_="gift", result=3,
                                      unset=True)
try:
    client.vouchers.redeem_voucher(7, client_query="q" * 11, client="c", type_="gift")
    refused = None
except meetbit.InvalidRequestError as error:
    refused = str(error)
print(json.dumps({"id": data.id, "url": str(sent[0].url), "body": json.loads(sent[0].content),
                  "refused": refused, "requests": len(sent)}))
"""


def test_the_spec_s_names_never_collide_with_a_method_s_own(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Parameters named code, client, result, type or UNSET reach the wire as given."""
    import generate as generator  # tools/ (the tests' pythonpath)

    root = tmp_path_factory.mktemp("awkward-names")
    generator.generate(AWKWARD, root / "meetbit_api")
    result = run_with(root, "-c", AWKWARD_SCRIPT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["id"] == 9
    assert report["url"] == "http://mock/api/vouchers/7/redeem?client=q&result=3"
    assert report["body"] == {"client": "c", "type": "gift", "UNSET": True}
    assert report["refused"] == "client_query is 11 characters long; at most 10 are allowed"
    assert report["requests"] == 1
