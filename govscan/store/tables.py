"""SQLModel tables. Nothing raw at rest: evidence is masked and identity is a keyed fingerprint."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Scan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    started_at: dt.datetime = Field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    status: str = "running"  # running / completed / interrupted / failed
    govscan_version: str = ""
    ruleset_digest: str = ""
    fingerprint_key_id: str = ""
    config_digest: str = ""
    settings_json: str = "{}"  # limits, robots choice, targets: the report's methodology section
    # rule ids the scan ran, a JSON list (migration 0007); None: recorded before, the report infers them
    rules_run_json: str | None = None


class Target(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    kind: str  # datasets / tls / portal


class Asset(SQLModel, table=True):
    """A file, page or endpoint of one target, once: concurrent scans share the row (migration 0005)."""

    __table_args__ = (Index("uq_asset_target_uri", "target_id", "uri_normal", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="target.id", index=True)
    uri_normal: str = Field(index=True)
    uri_display: str


class AssetRead(SQLModel, table=True):
    """Whether a scan read an asset: only an ``ok`` read can mark that asset's findings fixed."""

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    asset_id: int = Field(foreign_key="asset.id", index=True)
    status: str  # ok / error
    reason: str | None = None
    summary_json: str | None = None  # what was observed besides findings: a TLS grade, crawl figures


class FindingRow(SQLModel, table=True):
    """One finding: a fingerprint at one target's asset (two targets naming a file judge it apart)."""

    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("asset_id", "fingerprint", name="uq_finding_asset_fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(index=True)
    rule_id: str = Field(index=True)
    entity: str | None = None
    severity: str = Field(index=True)
    title: str
    asset_id: int = Field(foreign_key="asset.id", index=True)
    location_json: str
    evidence_masked: str
    evidence_messages_json: str | None = None  # [{"id", "params"}]: the evidence for reports in ru/kk/en
    count: int
    confidence: float
    status: str = Field(default="open", index=True)  # open/fixed/suppressed/false_positive/accepted_risk
    reopened_count: int = 0
    first_seen_scan_id: int = Field(foreign_key="scan.id")
    last_seen_scan_id: int = Field(foreign_key="scan.id")
    first_seen_at: dt.datetime = Field(default_factory=utcnow)
    last_seen_at: dt.datetime = Field(default_factory=utcnow)


class FindingEvent(SQLModel, table=True):
    """What one scan saw of one finding: powers ``diff``."""

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    kind: str  # new / seen / fixed / reopened
    count: int = 0


class TriageNote(SQLModel, table=True):
    """Append-only: who changed a finding's status, when, and why."""

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    from_status: str
    to_status: str
    note: str = ""
    actor: str = ""
    at: dt.datetime = Field(default_factory=utcnow)
