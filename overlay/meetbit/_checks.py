"""Compatibility name for the argument checks: they live in `meetbit._schema` with every rule."""

from meetbit._schema import Check, compile_check

__all__ = ["Check", "compile_check"]
