"""Driving a rate controller as one caller does, in process or through Redis."""

from __future__ import annotations

from typing import Any


def go(controller: Any) -> float:
    """Reserve and confirm a send; the wait its slot asked for (negative: held, nothing sent).

    The caller sends at once, whatever the wait: the controller counts a send when confirmed.
    """
    slot = controller.reserve()
    if slot.wait >= 0:
        controller.confirm(slot)
    return float(slot.wait)
