"""Client-side rate control: how fast a client (or all processes sharing a key) may send.

`controller_for(store, key)` gives the controller a client uses: in process by default,
shared through Redis with ``rate_limit_store="redis://..."`` (``pip install meetbit[redis]``).
Every controller has the same four methods; see `RateController`.
"""

from __future__ import annotations

from meetbit._rate.controller import RateController


def controller_for(store: str | None, key: str) -> RateController:
    """The rate controller for `store` (None: this process only; "redis://...": shared)."""
    if store is None:
        return RateController()
    if store.startswith(("redis://", "rediss://", "unix://")):
        from meetbit._rate.redis_store import RedisRateController

        return RedisRateController(store, key)
    from meetbit._errors import ConfigurationError

    raise ConfigurationError(f"rate_limit_store must be None or a redis:// URL, got {store!r}")


__all__ = ["RateController", "controller_for"]
