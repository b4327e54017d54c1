"""Client-side rate control: how fast the clients of one access key and host may send.

The spec's Retry-After holds "on every thread, task and process sharing the key", so there
is one controller per (store, access key id and host) in a process: `acquire` gives the
clients of a key the same one, and the last of them to close (`let_go`) closes it. With
``rate_limit_store="redis://..."`` (``pip install meetbit[redis]``) its state is shared by
every process and machine on the key, too. Every controller has the methods of
`RateController`.

``MEETBIT_RATE_CONTROL=off`` in the environment (resolved with every other setting, in
`meetbit._config`) turns the shared pacing off (`Unpaced`): for tests of a service that
script 429s and must not wait for pacing. Each call still waits for its own Retry-After;
`Retry-After: 0` is then retried at once.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from meetbit._rate.controller import FREE, RateController, Slot


class Unpaced(RateController):
    """No shared pacing at all: every send goes at once (MEETBIT_RATE_CONTROL=off)."""

    def reserve(self) -> Slot:
        return FREE

    def confirm(self, slot: Slot) -> Slot | None:
        return None

    def release(self, slot: Slot) -> None:
        pass

    def on_response(self, throttled: bool, retry_after: float | None, quota: Any = None) -> None:
        pass


_REGISTRY: dict[tuple[str | None, str], tuple[RateController, list[int]]] = {}
_LOCK = threading.Lock()


def controller_for(store: str | None, key: str) -> RateController:
    """A new rate controller for `store` (None: this process only; "redis://...": shared)."""
    if store is None:
        return RateController()
    if store.startswith(("redis://", "rediss://", "unix://")):
        from meetbit._rate.redis_store import RedisRateController

        return RedisRateController(store, key)
    from meetbit._errors import ConfigurationError

    raise ConfigurationError(f"rate_limit_store must be None or a redis:// URL, got {store!r}")


def acquire(store: str | None, key: str, paced: bool = True) -> RateController:
    """The controller of `key` (access key id and host) in this process; one more user of it.

    Not `paced` (`Config.rate_control`): an `Unpaced` one of its own, shared with nobody.
    """
    if not paced:
        return Unpaced()
    with _LOCK:
        entry = _REGISTRY.get((store, key))
        if entry is None:
            entry = _REGISTRY[(store, key)] = (controller_for(store, key), [0])
        entry[1][0] += 1
        return entry[0]


def relinquish(controller: RateController) -> bool:
    """One user fewer; True when it was the last, and the caller is to close `controller`."""
    with _LOCK:
        for name, (registered, users) in list(_REGISTRY.items()):
            if registered is controller:
                users[0] -= 1
                if users[0] > 0:
                    return False
                del _REGISTRY[name]
                return True
    return False


def let_go(controller: RateController) -> None:
    """`relinquish`, and close the controller if that was its last user."""
    if relinquish(controller):
        controller.close()


def _after_fork_in_child() -> None:
    # A thread of the parent may have held a controller's lock at the fork: the child's copy
    # of that lock would stay locked for good.
    for controller, _ in _REGISTRY.values():
        controller._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

__all__ = [
    "FREE",
    "RateController",
    "Slot",
    "Unpaced",
    "acquire",
    "controller_for",
    "let_go",
    "relinquish",
]
