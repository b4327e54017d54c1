"""`import meetbit` stays cheap (the clients load on first use), yet dir() lists every name."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import meetbit
import pytest

pytestmark = pytest.mark.behaviour

LAZY = {"Client", "AsyncClient", "DEFAULT_TIMEOUT", "Attempt", "AttendeeStatus"}


def fresh_interpreter(code: str) -> dict[str, Any]:
    """Run `code` in a new interpreter, where nothing of meetbit is loaded yet."""
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def test_dir_lists_the_lazily_loaded_names_without_loading_them() -> None:
    seen = fresh_interpreter(
        "import json, sys, meetbit\n"
        "names = dir(meetbit)\n"
        "print(json.dumps({'dir': names, 'httpx': 'httpx' in sys.modules,"
        " 'client': 'meetbit._client' in sys.modules}))"
    )
    listed = set(seen["dir"])
    assert not LAZY - listed
    assert not set(meetbit.__all__) - listed
    assert seen["httpx"] is False
    assert seen["client"] is False


def test_every_listed_name_resolves() -> None:
    for name in dir(meetbit):
        getattr(meetbit, name)
    assert meetbit.Client.__module__ == "meetbit._client"


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    assert "NoSuchThing" not in dir(meetbit)
    assert not hasattr(meetbit, "NoSuchThing")
