"""The schema of a rule file: validated at load time so a broken rule pack fails loudly."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from govscan.model import Severity
from govscan.rules.probe import ProbeSpec
from govscan.strict import StrictModel

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(\.[a-z0-9][a-z0-9-]*)+$")
SeverityName = Literal["info", "low", "medium", "high", "critical"]


class HeaderHints(StrictModel):
    """Column headers that point at (or away from) an entity, per language.

    Hints are matched case-insensitively against a normalised header (punctuation folded to
    spaces): a hint matches when all its words appear as whole words, so ``дата рождения`` matches
    ``Дата рождения ребёнка`` but ``ИИН`` does not match ``ИИНК``.
    """

    ru: list[str] = []
    kk: list[str] = []
    en: list[str] = []

    def all(self) -> list[str]:
        return [*self.ru, *self.kk, *self.en]


class NameParts(StrictModel):
    """Headers of the columns one name is split over (Фамилия | Имя | Отчество, Тегі | Аты |
    Әкесінің аты): such a table holds one person per row, reported once, on the surname column."""

    surname: HeaderHints = HeaderHints()
    given: HeaderHints = HeaderHints()
    patronymic: HeaderHints = HeaderHints()


class OwnContactSpec(StrictModel):
    """Running text that makes a phone, mailbox or address an organisation's own, not a person's.

    ``words`` stand in the same sentence just before a match, or right after it ("(приемная)"):
    reception, chancellery, fax, contact centre. ``labels`` ("Адрес:", "Мекенжайы:") make a match
    the organisation's own only inside a letterhead or footer block, i.e. when one of ``words``
    is near; the same label before a citizen's address in a decision's text changes nothing.
    """

    words: HeaderHints = HeaderHints()
    labels: HeaderHints = HeaderHints()
    in_organisation_tables: bool = Field(
        False, description="in a table whose rows are organisations (see OrganisationTableSpec), matches are theirs"
    )


class OrganisationTableSpec(StrictModel):
    """What makes a table a directory of organisations (schools, clinics, pharmacies), not of people.

    Such a table has an organisation-name column, known by its header (``name_headers``) or by
    most of its values carrying a legal form (``legal_forms``: КГУ, ГККП, ТОО…), and no column
    naming the person a row is about (``subject_headers``: ФИО, ИИН…). A column of a role
    (``role_headers``: Директор, Басшы) names the organisation's head, not the row's subject.
    A sole trader (``sole_traders``: ИП, ЖК, КХ) is a person: a table of them is a table of people.
    Abbreviations match as case-sensitive whole words, phrases (with a space) in any case.
    """

    name_headers: HeaderHints = HeaderHints()
    legal_forms: list[str] = []
    sole_traders: list[str] = []
    subject_headers: HeaderHints = HeaderHints()
    role_headers: HeaderHints = HeaderHints()
    min_share: float = Field(
        0.5, gt=0.0, le=1.0, description="share of a column's values with a legal form that makes it a name column"
    )


class PiiSpec(StrictModel):
    """The part of a ``pii`` rule that steers detection of one entity."""

    entity: str
    recognizer: str = Field(description="registered recognizer name that finds the entity")
    header_hints: HeaderHints = HeaderHints()
    negative_header_hints: HeaderHints = HeaderHints()
    min_share: float = Field(
        0.5, ge=0.0, le=1.0, description="share of sampled values that must validate when no header hint matches"
    )
    min_share_with_hint: float = Field(0.2, ge=0.0, le=1.0, description="the same when a header hint matches")
    needs_context: bool = Field(False, description="only report with a header hint or context words nearby")
    in_free_text: bool = Field(True, description="also look for the entity inside free text")
    name_parts: NameParts | None = Field(None, description="a name split over columns (PERSON only)")
    own_contact: OwnContactSpec = OwnContactSpec()
    organisation_table: OrganisationTableSpec | None = Field(
        None, description="what makes a table's rows organisations (PERSON only: it knows a row's subject)"
    )


class HiddenPartSpec(StrictModel):
    """A ``pii`` rule for personal data of any entity found in one hidden part of a document.

    A failed redaction (text under a drawn black box, still extractable) is a distinct mistake
    with a distinct fix: the entity recognizers find the data, and a finding in that part is
    reported under this rule instead of the entity's own (at the higher of the two severities).
    """

    part: str = Field(min_length=1, description="the reader's part name, e.g. 'under a redaction box'")


class TlsCheckSpec(StrictModel):
    """A ``tls`` rule names a registered check (a pure function of an endpoint's facts)."""

    check: str
    params: dict[str, Any] = {}


class HttpCheckSpec(StrictModel):
    """An ``http`` rule names a registered check (a pure function of what a site answered)."""

    check: str
    params: dict[str, Any] = {}


class RuleText(StrictModel):
    """A rule's title and remediation in one report language (the English ones are the rule's own)."""

    title: str = Field(min_length=1)
    remediation: str = Field(min_length=1)


RuleLanguage = Literal["ru", "kk"]


class RuleSpec(StrictModel):
    """One rule: metadata for reports plus a kind-specific block."""

    id: str
    title: str
    kind: Literal["pii", "tls", "http", "exposure"]
    severity: SeverityName
    confidence: Literal["low", "medium", "high"] = "high"
    description: str
    risk: str = ""
    remediation: str
    references: list[str] = []
    compliance: list[str] = []
    tags: list[str] = []
    pii: PiiSpec | None = None
    hidden_part: HiddenPartSpec | None = None
    tls: TlsCheckSpec | None = None
    http: HttpCheckSpec | None = None
    exposure: ProbeSpec | None = None
    translations: dict[RuleLanguage, RuleText] = {}

    @model_validator(mode="after")
    def _block_matches_kind(self) -> RuleSpec:
        if getattr(self, self.kind) is None and not (self.kind == "pii" and self.hidden_part is not None):
            extra = " or a 'hidden_part:' block" if self.kind == "pii" else ""
            raise ValueError(f"a {self.kind!r} rule needs a '{self.kind}:' block{extra}")
        return self

    @field_validator("id")
    @classmethod
    def _dotted_id(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(f"rule id {value!r} must be dotted lower-case like 'pii.kz-iin'")
        return value

    @field_validator("title")
    @classmethod
    def _title_states_a_fact(cls, value: str) -> str:
        if value.lower().startswith("ensure"):
            raise ValueError("a title describes the state found, not an instruction ('Ensure…')")
        return value

    def _text(self, lang: str) -> RuleText | None:
        return next((text for code, text in self.translations.items() if code == lang), None)

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (``ru``/``kk``), falling back to English (``en`` or no translation)."""
        text = self._text(lang)
        return text.title if text is not None else self.title

    def remediation_in(self, lang: str) -> str:
        """The remediation in ``lang`` (``ru``/``kk``), falling back to English (``en`` or no translation)."""
        text = self._text(lang)
        return text.remediation if text is not None else self.remediation

    @property
    def level(self) -> Severity:
        return Severity.parse(self.severity)
