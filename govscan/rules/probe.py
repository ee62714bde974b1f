"""The ``exposure:`` block of a rule: a declarative HTTP probe, like a Nuclei template.

A probe asks for one or more paths under a site's root and says what answer proves the
exposure: status codes, body and header patterns (all of ``matchers`` must hold, or any of
them with ``condition: any``). Patterns are validated at load time so a broken pack fails loudly.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Matcher(_Strict):
    """One condition on a response; exactly the fields given are checked."""

    status: list[int] = []
    body_regex: str | None = None
    not_body_regex: str | None = None
    header: str | None = Field(None, description="header name that must be present (with header_regex: must match)")
    header_regex: str | None = None
    media_types: list[str] = Field([], description="Content-Type media types, any of them")
    min_bytes: int | None = None

    @field_validator("body_regex", "not_body_regex", "header_regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value


class ProbeSpec(_Strict):
    paths: list[str] = Field(min_length=1, description="paths under the site root, e.g. '/.git/HEAD'")
    method: Literal["GET", "HEAD"] = "GET"
    matchers: list[Matcher] = Field(min_length=1)
    condition: Literal["all", "any"] = "all"
    soft_404_guard: bool = Field(True, description="no finding when the site answers a random path the same way")
    scan_as_dataset: bool = Field(False, description="a hit's body is also read as a dataset for personal data")

    @field_validator("paths")
    @classmethod
    def _rooted(cls, value: list[str]) -> list[str]:
        for path in value:
            if not path.startswith("/"):
                raise ValueError(f"probe path {path!r} must start with '/'")
        return value
