"""Start-up stays cheap: `import meetbit` and building a client load what they need and no more.

The clients load on first use, yet dir() lists every name; a client loads its resources,
the operation metadata, the models and the rate controller when it first calls. Timing is
`make bench`'s job (cold start against `import httpx`); these say what is loaded, in a
fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
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


# What a client loads when it is first used, not when it is built (issue 24: start-up).
LOADED_ON_FIRST_USE = (
    "attrs",
    "asyncio",
    "meetbit_api.operations",
    "meetbit_api.resources",
    "meetbit_api.models",
    "meetbit._rate",
    "meetbit._transport",
    "meetbit._retry",
    "meetbit._schema",
)
_REPORT = (
    "import json, sys\n"
    f"print(json.dumps(sorted(m for m in {LOADED_ON_FIRST_USE} if m in sys.modules)))\n"
)


def loaded(code: str) -> list[str]:
    """Which of LOADED_ON_FIRST_USE a fresh interpreter has loaded after `code`."""
    env = {**os.environ, "MEETBIT_ACCESS_KEY_ID": "id", "MEETBIT_ACCESS_KEY_SECRET": "secret"}
    env.pop("MEETBIT_BASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code + "\n" + _REPORT],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    names: list[str] = json.loads(result.stdout.splitlines()[-1])
    return names


def test_building_a_client_loads_only_its_settings() -> None:
    for client in ("Client", "AsyncClient"):
        assert loaded(f"import meetbit\nmeetbit.{client}('acme.meetbit.com')") == []


def test_what_was_left_out_loads_on_the_first_call() -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import httpx, meetbit\n"
        "from conftest import EVENT\n"
        "answer = lambda request: httpx.Response(200, json={'message': 'ok', 'data': EVENT})\n"
        "client = meetbit.Client('acme.meetbit.com', transport=httpx.MockTransport(answer))\n"
        "assert client.events.cancel_event(12, 345, cancel_note='Moved').id == 345\n"
    )
    assert set(loaded(code)) >= {
        "attrs",
        "meetbit_api.resources",
        "meetbit._rate",
        "meetbit._transport",
    }


def test_the_command_s_help_loads_no_client() -> None:
    code = (
        "import contextlib, io, sys\n"
        "from meetbit._cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['events', 'cancel-event', '--help'])\n"
    )
    assert set(loaded(code)) <= {"meetbit_api.operations"}


def test_the_command_s_help_loads_no_httpx() -> None:
    for argv in ([], ["events"], ["events", "cancel-event"]):
        code = (
            "import contextlib, io, json, sys\n"
            "from meetbit._cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            f"    main({[*argv, '--help']!r})\n"
            "print(json.dumps({'httpx': 'httpx' in sys.modules, 'attrs': 'attrs' in sys.modules}))"
        )
        assert fresh_interpreter(code) == {"httpx": False, "attrs": False}, argv


def test_the_generated_package_loads_its_clients_on_first_use() -> None:
    seen = fresh_interpreter(
        "import json, sys\n"
        "import meetbit_api, meetbit_api.operations, meetbit_api.errors\n"
        "before = 'httpx' in sys.modules\n"
        "names = dir(meetbit_api)\n"
        "from meetbit_api import AuthenticatedClient, Client\n"
        "print(json.dumps({'before': before, 'after': 'httpx' in sys.modules,"
        " 'listed': 'Client' in names and 'AuthenticatedClient' in names,"
        " 'module': Client.__module__, 'unknown': hasattr(meetbit_api, 'NoSuchThing')}))"
    )
    assert seen == {
        "before": False,
        "after": True,
        "listed": True,
        "module": "meetbit_api.client",
        "unknown": False,
    }
