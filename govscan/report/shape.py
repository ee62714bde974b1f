"""The one shape of a finding and the one envelope of every JSON document govscan prints.

``check``, ``tls``, ``crawl`` and ``report`` (``kind: report``), ``scan`` (``scan``), ``findings list`` (``findings``),
``findings show`` (``finding``), ``diff`` (``diff``), ``scans list`` (``scans``) and ``rules list``
(``rules``) all print ``{schema_version, tool, kind, …}``, and every output that holds findings
holds them under ``findings`` as :class:`FindingOut`. A finding read back from the database adds
its stored fields (``id``, ``status``, first and last seen, ``triage``); a live run leaves them out.
The models refuse unknown keys, so an output that grows or loses a key fails loudly, and
:func:`json_schema` exports the same definition (``govscan/schemas/report.schema.json``).

``schema_version`` is ``MAJOR.MINOR``: a minor step only adds optional keys, a major one changes or
removes keys. 1 had no ``schema_version`` key; 2.0 added the envelope and the stored fields.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from govscan.model import Finding
from govscan.strict import StrictModel

SCHEMA_VERSION = "2.0"

SeverityName = Literal["info", "low", "medium", "high", "critical"]
Status = Literal["open", "fixed", "suppressed", "false_positive", "accepted_risk"]
Change = Literal["new", "fixed", "reopened", "unchanged"]


class ToolOut(StrictModel):
    name: Literal["govscan"]
    version: str


class LocationOut(StrictModel):
    uri: str
    sheet: str | None
    column: str | None
    column_index: int | None
    json_path: str | None
    line: int | None
    page: int | None = None  # 1-based page of a paged document (PDF)
    part: str | None = None  # hidden or secondary part: "hidden sheet", "comment", "metadata:author"…


class SuppressedOut(StrictModel):
    reason: str


class TriageOut(StrictModel):
    """One triage decision: when, who, from which status to which, and why."""

    at: datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class EventOut(StrictModel):
    """What one scan saw of a stored finding (``findings show``)."""

    scan_id: int
    kind: Literal["new", "seen", "fixed", "reopened"]
    count: int


class FindingOut(StrictModel):
    """One finding, in every output.

    The first ten keys are always there (``check``'s contract since 1). ``suppressed`` and
    ``baseline_state`` appear when a baseline, a gate config's ignore or the database decided
    about it; the stored keys (``id`` … ``triage``) when the finding comes from the database;
    ``change`` in ``diff`` and ``history`` in ``findings show``.
    """

    rule_id: str
    entity: str | None
    severity: SeverityName
    title: str
    location: LocationOut
    count: int
    evidence: str
    confidence: float
    fingerprint: str
    compliance: list[str]
    suppressed: SuppressedOut | None = None
    baseline_state: Literal["new", "unchanged"] | None = None
    id: int | None = None
    status: Status | None = None
    reopened_count: int | None = None
    first_seen_scan_id: int | None = None
    last_seen_scan_id: int | None = None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    triage: list[TriageOut] | None = None
    change: Change | None = None
    history: list[EventOut] | None = None


class ErrorOut(StrictModel):
    uri: str
    problem: str


class SummaryOut(StrictModel):
    """``by_severity`` counts open findings only; baselined or ignored ones are counted in ``suppressed``."""

    by_severity: dict[str, int]
    suppressed: int
    assets_scanned: int
    assets_failed: int


class ScanOut(StrictModel):
    started_at: datetime
    finished_at: datetime
    inputs: list[str]
    id: int | None = None  # the stored scan (``report``)


class Envelope(StrictModel):
    """What every JSON document starts with."""

    schema_version: Literal["2.0"]
    tool: ToolOut


class ReportDoc(Envelope):
    """``check``, ``tls``, ``crawl`` and ``report --format json``: one run's findings."""

    kind: Literal["report"]
    findings: list[FindingOut]
    errors: list[ErrorOut]
    summary: SummaryOut
    scan: ScanOut
    endpoints: list[dict[str, Any]] | None = None  # TLS audits only (host, port, ip, grade, …)


class FindingsDoc(Envelope):
    """``findings list``: stored findings matching the filters."""

    kind: Literal["findings"]
    findings: list[FindingOut]


class FindingDoc(Envelope):
    """``findings show``: one stored finding with its ``history`` and ``triage``."""

    kind: Literal["finding"]
    findings: list[FindingOut] = Field(min_length=1, max_length=1)


class DiffCounts(StrictModel):
    new: int
    fixed: int
    reopened: int
    unchanged: int


class DiffDoc(Envelope):
    """``diff``: what changed from ``from_scan`` (null: no earlier scan) to ``to_scan``; each finding's ``change``."""

    kind: Literal["diff"]
    from_scan: int | None
    to_scan: int
    summary: DiffCounts
    findings: list[FindingOut]


class ScanRecordOut(StrictModel):
    id: int
    name: str
    status: str  # running / completed / interrupted / failed
    started_at: datetime
    finished_at: datetime | None
    govscan_version: str
    executor: str = "local"  # where its units ran: local pools or celery workers


class ScansDoc(Envelope):
    """``scans list``: every recorded scan."""

    kind: Literal["scans"]
    scans: list[ScanRecordOut]


class RuleOut(StrictModel):
    id: str
    kind: str
    severity: SeverityName
    entity: str | None
    title: str
    compliance: list[str]
    source: str  # the rule pack it came from


class RulesDoc(Envelope):
    """``rules list``: every loaded rule."""

    kind: Literal["rules"]
    rules: list[RuleOut]


class ScanCounts(StrictModel):
    """What one stored scan changed: findings new, reopened, fixed, and stored suppressed (a baseline)."""

    new: int
    reopened: int
    fixed: int
    suppressed: int


class GateOut(StrictModel):
    """``scan``'s gate: the threshold, and how many new or reopened open findings reached it."""

    fail_on: Literal["info", "low", "medium", "high", "critical", "none"]
    tripped: int


class ScanRunDoc(Envelope):
    """``scan --format json``: the scan just recorded; ``findings`` are the ones that tripped the gate."""

    kind: Literal["scan"]
    scan_id: int
    summary: ScanCounts
    errors: list[ErrorOut]
    gate: GateOut
    findings: list[FindingOut]


Document = Annotated[
    ReportDoc | FindingsDoc | FindingDoc | DiffDoc | ScansDoc | RulesDoc | ScanRunDoc, Field(discriminator="kind")
]


def envelope(version: str) -> dict[str, Any]:
    """The keys every document starts with."""
    return {"schema_version": SCHEMA_VERSION, "tool": {"name": "govscan", "version": version}}


def finding_out(finding: Finding, *, with_baseline: bool = False, **extra: Any) -> FindingOut:
    """``finding`` in the one shape: baseline keys when asked, stored keys when it has a record.

    ``extra``: the command's own keys (``change`` for ``diff``, ``history`` for ``findings show``).
    """
    data: dict[str, Any] = finding.as_dict()
    if with_baseline or finding.suppressed:
        data["suppressed"] = {"reason": finding.suppressed} if finding.suppressed else None
        data["baseline_state"] = finding.baseline_state
    if finding.record is not None:
        # the record's fields are the stored keys, named alike: one mapping, kept by the dataclass
        data.update(dataclasses.asdict(finding.record))
    data.update(extra)
    return FindingOut.model_validate(data)


def dump(document: Envelope) -> dict[str, Any]:
    """The document as JSON data: optional keys a command did not set are left out, not ``null``."""
    return document.model_dump(mode="json", exclude_unset=True)


def json_schema() -> dict[str, Any]:
    """JSON Schema of every document (one of them, told apart by ``kind``)."""
    return TypeAdapter(Document).json_schema()
