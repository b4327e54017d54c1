"""Jitter for floors: one Retry-After given to many clients must not release them all at once."""

from __future__ import annotations

import random


class Jitter:
    """Uniform jitter in [0, `span`) from one seedable source."""

    __slots__ = ("_rng",)

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - not crypto

    def below(self, span: float) -> float:
        return self._rng.random() * span if span > 0 else 0.0
