"""Rate control shared through Redis: all processes and machines on one access key, one rate.

The state of `RateController` (rate, CUBIC parameters, next free slot, last throttle, the
accepted-rate meter) lives in one Redis hash, changed only by `shared.lua`, atomically and
by the Redis server's clock. A 429 seen by any process therefore cuts the rate of all of them,
and their slots interleave instead of each process pacing as if it were alone.

Why not a Redis-backed limiter from PyPI (limits, pyrate-limiter): they enforce a fixed,
configured rate with a window or a bucket; here the rate is unknown and learned from 429s,
and the state must be changed in the same atomic step that hands out the slot.

Each `reserve` is one round trip (EVALSHA); successes are not sent on their own but counted
here and carried by the next call. When Redis cannot be reached, the controller falls back
to pacing in process and logs once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from importlib import resources
from typing import Any

from meetbit._errors import ConfigurationError
from meetbit._rate import controller as tuning
from meetbit._rate import cubic, detector
from meetbit._rate.bucket import MIN_RATE
from meetbit._rate.clock import Clock
from meetbit._rate.controller import RateController

logger = logging.getLogger("meetbit")

STATE_TTL = 600
"""Seconds an unused key's state is kept: what was learned outlives a restart, not a day."""
_SCRIPT = resources.files("meetbit._rate").joinpath("shared.lua").read_text(encoding="utf-8")
_TUNING = (cubic.C, cubic.BETA, MIN_RATE, detector.HOLD, tuning.MAX_BACKOFF,
           tuning.FORGET_AFTER, tuning.MAX_JITTER, tuning.BACKOFF_BASE,
           tuning.MAX_PAYBACK, tuning.ROUND_HOLD, tuning.POLL)  # fmt: skip


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


class RedisRateController(RateController):
    """`RateController` whose state is shared through Redis under `key`."""

    def __init__(
        self,
        url: str,
        key: str,
        *,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(clock=clock, rng=rng)  # the fallback while Redis is unreachable
        self._redis_module = _redis()
        self._url = url
        self._key = f"meetbit:rate:{key}"
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter
        # redis-py's pool notices a fork (it checks the pid) and opens new connections in
        # the child, so one controller may be created before workers fork.
        self._client = self._redis_module.Redis.from_url(url)
        self._script = self._client.register_script(_SCRIPT)
        self._async_script: Any = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._count_lock = threading.Lock()
        self._successes = 0
        self._warned = False

    def _arguments(self, op: str, retry_after: float | None) -> list[object]:
        with self._count_lock:
            successes, self._successes = self._successes, 0
        return [op, successes, retry_after or 0, self._rng.random(), STATE_TTL, *_TUNING]

    def _unreachable(self, error: Exception) -> None:
        if not self._warned:
            self._warned = True
            logger.warning("rate_limit_store unreachable (%s): pacing in this process only", error)

    def reserve(self) -> float:
        """Claim the next slot of the shared schedule; see `RateController.reserve`."""
        try:
            return float(self._script(keys=[self._key], args=self._arguments("reserve", None)))
        except self._redis_module.RedisError as error:
            self._unreachable(error)
            return super().reserve()

    def on_response(self, throttled: bool, retry_after: float | None) -> None:
        """Count a success locally (sent with the next call); send a 429 to the shared state."""
        super().on_response(throttled, retry_after)
        if not throttled:
            with self._count_lock:
                self._successes += 1
            return
        try:
            self._script(keys=[self._key], args=self._arguments("throttle", retry_after))
        except self._redis_module.RedisError as error:
            self._unreachable(error)

    def _async(self) -> Any:
        # redis.asyncio connections belong to the event loop that made them: one client per
        # loop, made on first use (asyncio.run twice with one meetbit client works).
        loop = asyncio.get_running_loop()
        if self._async_script is None or self._async_loop is not loop:
            client = self._redis_module.asyncio.Redis.from_url(self._url)
            self._async_script, self._async_loop = client.register_script(_SCRIPT), loop
        return self._async_script

    async def areserve(self) -> float:
        """`reserve` without blocking the event loop (under trio: the sync call, in a thread)."""
        if not _on_asyncio():
            import anyio.to_thread

            return await anyio.to_thread.run_sync(self.reserve)
        try:
            script = self._async()
            return float(await script(keys=[self._key], args=self._arguments("reserve", None)))
        except self._redis_module.RedisError as error:
            self._unreachable(error)
            return super().reserve()

    async def aon_response(self, throttled: bool, retry_after: float | None) -> None:
        """`on_response` without blocking the event loop (under trio: in a thread)."""
        if not _on_asyncio():
            import anyio.to_thread

            await anyio.to_thread.run_sync(self.on_response, throttled, retry_after)
            return
        super().on_response(throttled, retry_after)
        if not throttled:
            with self._count_lock:
                self._successes += 1
            return
        try:
            await self._async()(keys=[self._key], args=self._arguments("throttle", retry_after))
        except self._redis_module.RedisError as error:
            self._unreachable(error)

    def close(self) -> None:
        self._client.close()
