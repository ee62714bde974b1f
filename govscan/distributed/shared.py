"""State workers share through Redis while they run a unit (filled in below)."""

from __future__ import annotations

from typing import Any


def begin(redis: Any, scan: str) -> None:
    """Use Redis-backed politeness and shared answers for the unit this process runs now."""


def end() -> None:
    """Back to this process's own limiter and caches."""
