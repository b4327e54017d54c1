"""The clock the rate controller reads: monotonic seconds, replaceable by a fake one in tests."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds on a monotonic scale; only differences matter."""

monotonic: Clock = time.monotonic
