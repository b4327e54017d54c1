"""What of this machine's environment a test may not see, and threads a test waits for.

Shared by the tests (conftest.py) and the documentation blocks (doc_blocks.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping

PROXY_VARIABLES = frozenset({"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"})
"""httpx reads these, in either case, unless trust_env=False."""


def machine_settings(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The variables of `environ` that would change what a client does: proxies, MEETBIT_*."""
    return [
        name
        for name in environ
        if name.upper() in PROXY_VARIABLES or name.upper().startswith("MEETBIT_")
    ]


def finish(thread: threading.Thread, timeout: float) -> None:
    """Join `thread`; fail the test if it is still running after `timeout` seconds."""
    thread.join(timeout)
    assert not thread.is_alive(), f"thread {thread.name} still running after {timeout} s"


def run_threads(work: Callable[[], object], count: int, *, timeout: float) -> None:
    """Run `work` in `count` threads at once and wait for all of them, within `timeout` s.

    Whatever a thread raised is raised here (the first of them), so a failure in a worker
    fails the test instead of becoming a warning; a thread still running fails it too.
    """
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=guarded, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    running = sum(thread.is_alive() for thread in threads)
    assert not running, f"{running} of {count} threads still running after {timeout} s"
    if errors:
        raise errors[0]
