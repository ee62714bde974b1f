"""The ``exposure:`` block of a rule: a declarative HTTP probe, like a Nuclei template.

A probe asks for one or more paths under a site's root and says what answer proves the
exposure: status codes, body and header patterns (all of ``matchers`` must hold, or any of
them with ``condition: any``). Patterns are validated at load time so a broken pack fails loudly.

Different paths often need different proof (``/.git/HEAD`` shows ``ref: refs/``, ``/.git/config``
shows ``[core]``), so besides the top-level ``paths``/``matchers`` a probe may list further
``probes:`` groups, each with its own paths and matchers; the first group that proves the
exposure wins. ``evidence_regex`` says which harmless part of a hit may be quoted in a report
(its first capture group, or the whole match): nothing else of a body is ever echoed, so a rule
for ``.env`` files can quote variable names and never their values.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from govscan.strict import StrictModel


def _check_regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
    return value


def _check_paths(value: list[str]) -> list[str]:
    for path in value:
        if not path.startswith("/"):
            raise ValueError(f"probe path {path!r} must start with '/'")
    return value


class Matcher(StrictModel):
    """One condition on a response; exactly the fields given are checked (all of them must hold).

    Body patterns run on a bounded prefix of the body decoded as latin-1, so every byte maps to
    one character and binary magic such as ``PK\\x03\\x04`` can be matched as text.
    """

    status: list[int] = []
    body_regex: str | None = None
    not_body_regex: str | None = None
    header: str | None = Field(None, description="header name that must be present (with header_regex: must match)")
    header_regex: str | None = Field(
        None, description="with header: matched against that header's values; alone: against any 'name: value' line"
    )
    media_types: list[str] = Field([], description="Content-Type media types, any of them ('type/*' allowed)")
    min_bytes: int | None = Field(None, ge=0)

    @field_validator("body_regex", "not_body_regex", "header_regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return _check_regex(value)

    @field_validator("media_types")
    @classmethod
    def _lower_media_types(cls, value: list[str]) -> list[str]:
        return [v.strip().lower() for v in value]


class _PathsChecked(StrictModel):
    """Validation shared by a probe and its groups: rooted paths, a compiling evidence pattern."""

    @field_validator("paths", check_fields=False)
    @classmethod
    def _rooted(cls, value: list[str]) -> list[str]:
        return _check_paths(value)

    @field_validator("evidence_regex", check_fields=False)
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return _check_regex(value)


class ProbeGroup(_PathsChecked):
    """Paths that share one proof; a hit on any of them proves the rule."""

    paths: list[str] = Field(min_length=1)
    matchers: list[Matcher] = Field(min_length=1)
    condition: Literal["all", "any"] = "all"
    evidence_regex: str | None = Field(None, description="what may be quoted from a hit; overrides the rule's")
    evidence_label: str | None = None
    soft_404_guard: bool | None = Field(None, description="overrides the rule's; off for pages proven on a random path")


class ProbeSpec(_PathsChecked):
    """A rule's probe: top-level ``paths``/``matchers`` and/or further ``probes`` groups."""

    paths: list[str] = Field(
        [], description="paths under the site root, e.g. '/.git/HEAD'; '{random}' becomes a fresh random token"
    )
    method: Literal["GET", "HEAD"] = "GET"
    matchers: list[Matcher] = []
    condition: Literal["all", "any"] = "all"
    probes: list[ProbeGroup] = Field([], description="further path groups, each with its own matchers")
    soft_404_guard: bool = Field(True, description="no finding when the site answers a random path the same way")
    scan_as_dataset: bool = Field(False, description="a hit's body is also read as a dataset for personal data")
    evidence_regex: str | None = Field(
        None, description="a harmless part of a hit to quote in the evidence: group 1 if any, else the match"
    )
    evidence_label: str | None = Field(
        None, description="with a label, every distinct capture is listed ('variables: A, B') instead of one quote"
    )

    @model_validator(mode="after")
    def _has_something_to_ask(self) -> ProbeSpec:
        if bool(self.paths) != bool(self.matchers):
            raise ValueError("'paths' and 'matchers' go together: a path needs a proof and a proof a path")
        if not self.paths and not self.probes:
            raise ValueError("a probe needs 'paths' with 'matchers', or 'probes' groups")
        return self

    def groups(self) -> list[ProbeGroup]:
        """Every path group in the order to try: the top-level one first, each with evidence settled."""
        out: list[ProbeGroup] = []
        if self.paths:
            out.append(
                ProbeGroup(
                    paths=self.paths,
                    matchers=self.matchers,
                    condition=self.condition,
                    evidence_regex=self.evidence_regex,
                    evidence_label=self.evidence_label,
                    soft_404_guard=self.soft_404_guard,
                )
            )
        for group in self.probes:
            update: dict[str, object] = {}
            if group.evidence_regex is None and self.evidence_regex is not None:
                update.update(evidence_regex=self.evidence_regex, evidence_label=self.evidence_label)
            if group.soft_404_guard is None:
                update["soft_404_guard"] = self.soft_404_guard
            out.append(group.model_copy(update=update) if update else group)
        return out
