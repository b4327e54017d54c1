"""The generated functions and models MeetBit Public API's resource methods use, imported on first use.

Generated from the fixed spec by tools/operations.py; never edit. ``code.<operation>`` is
the generated module of an operation, ``code.<Model>`` a generated model. They are
imported when a method first needs them, not with the package: the models are most of
its import time. After that each is a plain module attribute, as cheap as any.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE: dict[str, tuple[str, str | None]] = {
    "cancel_event": ("meetbit_api.api.events.cancel_event", None),
    "CancelEventBody": ("meetbit_api.models", "CancelEventBody"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    found: Any = importlib.import_module(module)
    if attribute is not None:
        found = getattr(found, attribute)
    # From now on a plain attribute: __getattr__ is not asked again.
    globals()[name] = found
    return found
