"""Rate control shared through Redis: all processes and machines on one access key, one schedule.

Redis holds the state and nothing else; the decisions are `RateController`'s, in Python,
once. Each step reads the key's state with the Redis server's clock (one script call), runs
the step on a `RateController` built from that state and clock, and writes the new state
back only if nobody changed it meanwhile (a compare-and-set script; on a conflict, read and
decide again). The two scripts know nothing of rate control, so there is no second copy of
the algorithm to keep in step. A 429 seen by any process therefore moves the floor of all of
them, and their moments interleave on one schedule.

Why not a Redis-backed limiter from PyPI (limits, pyrate-limiter): they enforce a fixed,
configured rate; here the rate is unknown and learned from 429s, and a floor must move
moments already handed out.

Failing safe: every Redis operation has its own deadline (`TIMEOUT`, no retries inside
redis-py, whose defaults differ between versions: none and no timeout up to 5.x, three
retries with backoff from 6.0), so a Redis that is down, paused or never answers costs a call
at most one `TIMEOUT`. Then the controller paces in this process alone, logs one warning,
and tries Redis again after `RETRY_AFTER` seconds, doubling up to `MAX_RETRY_AFTER` while
it keeps failing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from meetbit._errors import ConfigurationError
from meetbit._rate.controller import RateController, Slot
from meetbit._rate.quota import Quota

logger = logging.getLogger("meetbit")

T = TypeVar("T")

STATE_TTL = 600
"""Seconds an unused key's state is kept: what was learned outlives a restart, not a day."""
TIMEOUT = 0.2
"""Seconds one Redis operation may take (connecting included) before the controller paces
in process: Redis answers in well under a millisecond; a paused or hung one, never."""
RETRY_AFTER = 1.0
"""Seconds after a failure before Redis is tried again; doubles while it keeps failing."""
MAX_RETRY_AFTER = 30.0
CONFLICTS = 16
"""Compare-and-set attempts of one step before it is decided in process this once. The
steps of one process are taken one at a time (a lock), so only other processes conflict."""

READ = """
local t = redis.call('TIME')
return {redis.call('GET', KEYS[1]), t[1], t[2]}
"""
"""The key's state (or nil) and the Redis server's clock, in one round trip."""
WRITE = """
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""
"""Compare-and-set: the new state if the state is still what the step was decided on."""


def _redis() -> Any:
    try:
        import redis
    except ImportError as missing:
        raise ConfigurationError(
            'rate_limit_store="redis://..." needs the redis package: pip install "meetbit[redis]"'
        ) from missing
    return redis


def _on_asyncio() -> bool:
    # redis.asyncio runs on asyncio only; the client's async side also runs under trio.
    import sniffio

    try:
        return bool(sniffio.current_async_library() == "asyncio")
    except sniffio.AsyncLibraryNotFoundError:
        return True


def _options(redis: Any, asynchronous: bool) -> dict[str, Any]:
    retry_module = redis.asyncio.retry if asynchronous else redis.retry
    return {
        "socket_timeout": TIMEOUT,
        "socket_connect_timeout": TIMEOUT,
        "retry": retry_module.Retry(redis.backoff.NoBackoff(), 0),
        "health_check_interval": 0,
    }


def _local(slot: Slot) -> Slot:
    # A slot on the Redis server's clock means nothing to the in-process schedule.
    return slot._replace(at=None)


class RedisRateController(RateController):
    """`RateController` whose state is kept in Redis under `key`; see the module docstring.

    Its own (inherited) state is the fallback: pacing in this process while Redis fails.
    """

    def __init__(self, url: str, key: str, *, rng: random.Random | None = None) -> None:
        super().__init__(rng=rng)  # the fallback while Redis is unreachable
        # The fallback sees few of the answers (most go to Redis): a slow start waiting for
        # them would hold its sends for good. It paces on the 429s it does see.
        self._opening = False
        self._redis_module = _redis()
        self._url = url
        self._key = f"meetbit:rate:{key}"
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter
        # redis-py's pool notices a fork (it checks the pid) and opens new connections in
        # the child, so one controller may be created before workers fork.
        self._client = self._redis_module.Redis.from_url(url, **_options(self._redis_module, False))
        self._read, self._write = (self._client.register_script(s) for s in (READ, WRITE))
        self._async: tuple[Any, Any, Any, asyncio.Lock] | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._health = threading.Lock()
        self._serial = threading.Lock()  # this process's steps, one at a time
        self._down_until = 0.0
        self._pause = RETRY_AFTER
        self._warned = False

    # --- one step: read, decide, compare-and-set ------------------------------------------

    def _engine(self, found: list[Any]) -> tuple[RateController, str]:
        raw, seconds, micros = found
        text = raw.decode() if isinstance(raw, bytes) else (raw or "")
        now = int(seconds) + int(micros) / 1e6
        engine = RateController(clock=lambda: now, rng=self._rng)
        if text:
            engine.import_state(json.loads(text))
        return engine, text

    def _step(self, decide: Callable[[RateController], T], local: Callable[[], T]) -> T:
        if not self._available():
            return local()
        try:
            with self._serial:
                for _ in range(CONFLICTS):
                    engine, before = self._engine(self._read(keys=[self._key]))
                    result = decide(engine)
                    after = json.dumps(engine.export_state())
                    written = after == before or self._write(
                        keys=[self._key], args=[before, after, STATE_TTL]
                    )
                    if written:
                        self._recovered()
                        return result
        except self._redis_module.RedisError as error:
            self._failed(error)
        return local()

    async def _astep(self, decide: Callable[[RateController], T], local: Callable[[], T]) -> T:
        if not self._available():
            return local()
        if not _on_asyncio():  # trio: the sync step, in a thread
            import anyio.to_thread

            return await anyio.to_thread.run_sync(self._step, decide, local)
        try:
            read, write, serial = self._scripts()
            async with serial:
                for _ in range(CONFLICTS):
                    found = await asyncio.wait_for(read(keys=[self._key]), TIMEOUT)
                    engine, before = self._engine(found)
                    result = decide(engine)
                    after = json.dumps(engine.export_state())
                    written = after == before or await asyncio.wait_for(
                        write(keys=[self._key], args=[before, after, STATE_TTL]), TIMEOUT
                    )
                    if written:
                        self._recovered()
                        return result
        except (self._redis_module.RedisError, TimeoutError) as error:
            self._failed(error)
        return local()

    def _scripts(self) -> tuple[Any, Any, asyncio.Lock]:
        # redis.asyncio connections belong to the event loop that made them: one client per
        # loop, made on first use (asyncio.run twice with one meetbit client works).
        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            client = self._redis_module.asyncio.Redis.from_url(
                self._url, **_options(self._redis_module, True)
            )
            scripts = (client.register_script(READ), client.register_script(WRITE))
            self._async = (client, *scripts, asyncio.Lock())
            self._async_loop = loop
        return self._async[1], self._async[2], self._async[3]

    # --- health: fail safe, warn once, try again later ------------------------------------

    def _available(self) -> bool:
        return self._down_until == 0.0 or time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        with self._health:
            self._down_until = time.monotonic() + self._pause
            self._pause = min(MAX_RETRY_AFTER, self._pause * 2)
            if not self._warned:
                self._warned = True
                logger.warning(
                    "rate_limit_store unreachable (%s: %s): pacing in this process only; "
                    "trying it again in %g s",
                    type(error).__name__,
                    error,
                    self._down_until - time.monotonic(),
                )

    def _recovered(self) -> None:
        if self._down_until:
            with self._health:
                self._down_until, self._pause, self._warned = 0.0, RETRY_AFTER, False
            logger.info("rate_limit_store answers again: pacing shared through it")

    # --- the controller's methods -----------------------------------------------------------

    def reserve(self) -> Slot:
        """`RateController.reserve` on the shared state."""
        return self._step(RateController.reserve, super().reserve)

    def confirm(self, slot: Slot) -> Slot | None:
        """`RateController.confirm` on the shared state."""
        return self._step(lambda c: c.confirm(slot), lambda: self._local_confirm(slot))

    def _local_confirm(self, slot: Slot) -> Slot | None:
        return super().confirm(_local(slot))

    def release(self, slot: Slot) -> None:
        """`RateController.release` on the shared state."""
        self._step(lambda c: c.release(slot), lambda: None)

    def on_response(
        self, throttled: bool, retry_after: float | None, quota: Quota | None = None
    ) -> None:
        """`RateController.on_response` on the shared state."""
        self._step(
            lambda c: c.on_response(throttled, retry_after, quota),
            lambda: super(RedisRateController, self).on_response(throttled, retry_after, quota),
        )

    async def areserve(self) -> Slot:
        return await self._astep(RateController.reserve, super().reserve)

    async def aconfirm(self, slot: Slot) -> Slot | None:
        return await self._astep(lambda c: c.confirm(slot), lambda: self._local_confirm(slot))

    async def arelease(self, slot: Slot) -> None:
        await self._astep(lambda c: c.release(slot), lambda: None)

    async def aon_response(
        self, throttled: bool, retry_after: float | None, quota: Quota | None = None
    ) -> None:
        await self._astep(
            lambda c: c.on_response(throttled, retry_after, quota),
            lambda: super(RedisRateController, self).on_response(throttled, retry_after, quota),
        )

    def close(self) -> None:
        """Close the connections to Redis (the async ones belong to their event loop)."""
        self._client.connection_pool.disconnect()  # Redis.close() alone keeps them up to 5.x
        self._async = None

    async def aclose(self) -> None:
        client, self._async = (self._async or (None,))[0], None
        if client is not None and self._async_loop is asyncio.get_running_loop():
            closing = getattr(client, "aclose", None) or client.close  # aclose: redis-py 5.0.1+
            await closing()
        self._client.connection_pool.disconnect()
