"""The schema of a compliance framework file: validated at load time so a broken mapping fails loudly.

A framework (a law, a decree, a concept) is a list of requirements; each requirement names the
rules that test it. Rule files do not carry these links (Prowler's way): the mapping is reviewed in
one place, per framework, by people who read the legal text, and the loader derives each rule's
``compliance`` ids from it.
"""

from __future__ import annotations

import datetime as dt
import re
from fnmatch import fnmatchcase

from pydantic import Field, field_validator, model_validator

from govscan.strict import StrictModel

FRAMEWORK_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# After the "<framework>:" prefix: ``art-22``, ``CS1-state-resources``, ``item-56-1``.
REQUIREMENT_SUFFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
# A rule id or a glob over rule ids: ``pii.kz-iin``, ``tls.cert.*``, ``http.header.hsts-*``.
RULE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(\.[a-z0-9*?][a-z0-9*?-]*)+$")


class Text(StrictModel):
    """One phrase in the three languages reports are written in; none may be left empty."""

    ru: str
    kk: str
    en: str

    @field_validator("ru", "kk", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("text must not be empty")
        return value

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to English for a language we do not carry."""
        return getattr(self, lang, None) or self.en


class Requirement(StrictModel):
    """One article, item or direction, with the rules whose findings show it is not met."""

    id: str
    title: Text
    summary: Text
    confirmed: bool = Field(description="false while the reference notes mark the citation as unverified")
    note: str = Field("", description="what is unverified, or how the mapping should be read (maintainers')")
    caveat: Text | None = Field(None, description="what a report must say is unverified, in its three languages")
    obligation: Text | None = Field(None, description="a duty with a deadline a report should repeat")
    rules: tuple[str, ...] = Field((), description="rule ids or glob patterns; empty = no automated test yet")

    @field_validator("rules")
    @classmethod
    def _patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for pattern in value:
            if not RULE_PATTERN.match(pattern):
                raise ValueError(f"{pattern!r} is not a rule id or glob like 'pii.kz-iin' or 'tls.cert.*'")
            if pattern in seen:
                raise ValueError(f"rule pattern {pattern!r} is listed twice")
            seen.add(pattern)
        return value

    @model_validator(mode="after")
    def _unconfirmed_says_why(self) -> Requirement:
        if not self.confirmed and not self.note.strip():
            raise ValueError(f"{self.id}: an unconfirmed requirement needs a 'note' saying what is unverified")
        if not self.confirmed and self.caveat is None:
            # the report repeats it beside the citation, in the report's language
            raise ValueError(f"{self.id}: an unconfirmed requirement needs a 'caveat' in ru, kk and en")
        return self

    def matches(self, rule_id: str) -> bool:
        """Whether ``rule_id`` is one of the rules that test this requirement."""
        return any(fnmatchcase(rule_id, pattern) for pattern in self.rules)


class Framework(StrictModel):
    """A legal or policy document, the date its mapping was last checked, and its requirements."""

    id: str
    title: Text
    document: Text = Field(description="official name and number (and adilet.zan.kz code) in ru, kk and en")
    as_of: dt.date = Field(description="date the mapping was checked against the sources")
    order: int = Field(100, ge=0, description="where reports list the framework: lower first (the personal-data law)")
    url: str | None = None
    note: str = ""
    requirements: tuple[Requirement, ...]

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not FRAMEWORK_ID.match(value):
            raise ValueError(f"framework id {value!r} must be lower-case words joined by '-', like 'kz-pdl'")
        return value

    @field_validator("document", mode="before")
    @classmethod
    def _document_named(cls, value: object) -> object:
        # A rule pack may still give one string; it is then shown as is in every language.
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("document must name the official act")
            return {"ru": value, "kk": value, "en": value}
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://\S+$", value):
            raise ValueError(f"url {value!r} must be an http(s) address")
        return value

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        # YAML gives a date for an unquoted 2026-01-09; a quoted one must still be ISO, not "9 Jan".
        if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            raise ValueError(f"as_of {value!r} must be an ISO date (YYYY-MM-DD)")
        return value

    @model_validator(mode="after")
    def _requirement_ids(self) -> Framework:
        if not self.requirements:
            raise ValueError("a framework needs at least one requirement")
        seen: set[str] = set()
        prefix = f"{self.id}:"
        for req in self.requirements:
            if not req.id.startswith(prefix) or not REQUIREMENT_SUFFIX.match(req.id[len(prefix) :]):
                raise ValueError(f"requirement id {req.id!r} must look like '{prefix}<article>'")
            if req.id in seen:
                raise ValueError(f"duplicate requirement id {req.id!r}")
            seen.add(req.id)
        return self

    def get(self, requirement_id: str) -> Requirement | None:
        return next((r for r in self.requirements if r.id == requirement_id), None)
