"""The one base for models parsed from a user's file, and the one way their errors become a line.

Rule, probe, framework and baseline files and the JSON report are checked against pydantic
models that refuse unknown keys (a typo is an error, not a silently ignored setting) and are
frozen (a parsed rule cannot drift while a scan runs). A broken file is reported as
``<where>: <message>`` of pydantic's first error, so every loader words its line the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class StrictModel(BaseModel):
    """Unknown keys are errors and parsed values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def dotted(loc: Sequence[Any]) -> str:
    """An error's path as ``targets.0.url``; ``(top level)`` when the whole document is wrong."""
    return ".".join(str(part) for part in loc) or "(top level)"


def first_error(exc: ValidationError, where: Callable[[Sequence[Any]], str] = dotted) -> str:
    """``<where>: <message>`` of the first problem pydantic found; ``where`` spells the path."""
    first = exc.errors()[0]
    return f"{where(first['loc'])}: {first['msg']}"
