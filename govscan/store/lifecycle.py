"""Findings across scans: upsert by fingerprint, open → fixed → reopened, triage that persists.

A finding absent from a scan is ``fixed`` only when that scan read its asset successfully: a
file that could not be read this time changes nothing about what was found in it before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlmodel import Session, select

from govscan.identity import normal_uri
from govscan.model import Finding
from govscan.store.tables import Asset, AssetRead, FindingEvent, FindingRow, Scan, Target, TriageNote, utcnow

TRIAGE_STATUSES = ("open", "false_positive", "accepted_risk", "fixed")
STICKY = frozenset({"false_positive", "accepted_risk", "suppressed"})  # a scan never overrides these


class TriageError(ValueError):
    pass


@dataclass(frozen=True)
class AssetOutcome:
    uri: str
    ok: bool
    reason: str | None = None


@dataclass
class Recorded:
    new: list[int] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    fixed: list[int] = field(default_factory=list)


def start_scan(session: Session, name: str, **info: str) -> Scan:
    scan = Scan(name=name, **info)
    session.add(scan)
    session.commit()
    session.refresh(scan)
    return scan


def finish_scan(session: Session, scan: Scan, status: str = "completed") -> None:
    scan.status = status
    scan.finished_at = utcnow()
    session.add(scan)
    session.commit()


def record(
    session: Session,
    scan: Scan,
    target_name: str,
    kind: str,
    outcomes: Iterable[AssetOutcome],
    findings: Iterable[Finding],
    *,
    commit: bool = True,
) -> Recorded:
    """Store one target's results for ``scan``; returns what changed, by finding id.

    ``commit=False`` lets a caller group several assets into one transaction (fewer syncs).
    """
    assert scan.id is not None
    with session.no_autoflush:  # explicit flushes only where an id is needed: far fewer round trips
        result = _record(session, scan, target_name, kind, outcomes, findings)
    if commit:
        session.commit()
    return result


def _record(
    session: Session,
    scan: Scan,
    target_name: str,
    kind: str,
    outcomes: Iterable[AssetOutcome],
    findings: Iterable[Finding],
) -> Recorded:
    assert scan.id is not None
    target = _target(session, target_name, kind)
    result = Recorded()
    read_ok: set[int] = set()
    ok_uris: set[str] = set()
    for outcome in outcomes:
        asset = _asset(session, target, outcome.uri)
        session.add(
            AssetRead(scan_id=scan.id, asset_id=asset.id, status="ok" if outcome.ok else "error", reason=outcome.reason)
        )
        if outcome.ok:
            read_ok.add(asset.id)  # type: ignore[arg-type]
            ok_uris.add(asset.uri_normal)
    findings = list(findings)
    fingerprints = [f.fingerprint for f in findings]
    known = (
        {
            r.fingerprint: r
            for r in session.exec(select(FindingRow).where(FindingRow.fingerprint.in_(fingerprints))).all()
        }  # type: ignore[attr-defined]
        if fingerprints
        else {}
    )
    seen_ids: set[int] = set()
    now = utcnow()
    for finding in findings:
        asset = _asset(session, target, finding.location.uri)
        row = known.get(finding.fingerprint)
        if row is None:
            row = FindingRow(
                fingerprint=finding.fingerprint,
                rule_id=finding.rule_id,
                entity=finding.entity,
                severity=finding.severity.label,
                title=finding.title,
                asset_id=asset.id,  # type: ignore[arg-type]
                location_json=json.dumps(finding.location.as_dict(), ensure_ascii=False),
                evidence_masked=finding.evidence,
                count=finding.count,
                confidence=finding.confidence,
                first_seen_scan_id=scan.id,
                last_seen_scan_id=scan.id,
                first_seen_at=now,
                last_seen_at=now,
            )
            session.add(row)
            session.flush()
            kind_of_event = "new"
        else:
            kind_of_event = "seen"
            if row.status == "fixed":
                row.status = "open"
                row.reopened_count += 1
                kind_of_event = "reopened"
            row.count, row.evidence_masked, row.severity = finding.count, finding.evidence, finding.severity.label
            row.last_seen_scan_id, row.last_seen_at = scan.id, now
            session.add(row)
        assert row.id is not None
        seen_ids.add(row.id)
        session.add(FindingEvent(finding_id=row.id, scan_id=scan.id, kind=kind_of_event, count=finding.count))
        getattr(result, kind_of_event).append(row.id)
    # Fixed: open findings of assets this scan read successfully (archive members included) that it did not see.
    # Only assets read in this call (and members of archives read in it) are looked at, so
    # recording asset by asset stays linear in the size of the database.
    candidates = []
    if read_ok:
        members = [Asset.uri_normal.startswith(uri + "!/") for uri in ok_uris]  # type: ignore[attr-defined]
        candidates = session.exec(
            select(FindingRow, Asset).where(
                FindingRow.asset_id == Asset.id,
                Asset.target_id == target.id,
                FindingRow.status == "open",
                or_(Asset.id.in_(read_ok), *members),  # type: ignore[union-attr]
            )
        ).all()
    for row, asset in candidates:
        if row.id in seen_ids or not _was_read(asset.uri_normal, ok_uris):
            continue
        row.status = "fixed"
        session.add(row)
        session.add(FindingEvent(finding_id=row.id, scan_id=scan.id, kind="fixed"))  # type: ignore[arg-type]
        result.fixed.append(row.id)  # type: ignore[arg-type]
    return result


def triage(session: Session, finding_id: int, status: str, note: str = "", by: str = "") -> FindingRow:
    if status not in TRIAGE_STATUSES:
        raise TriageError(f"status must be one of {', '.join(TRIAGE_STATUSES)}")
    row = session.get(FindingRow, finding_id)
    if row is None:
        raise TriageError(f"no finding with id {finding_id}")
    session.add(TriageNote(finding_id=finding_id, from_status=row.status, to_status=status, note=note, actor=by))
    row.status = status
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def _was_read(uri: str, ok_uris: set[str]) -> bool:
    return uri in ok_uris or any(uri.startswith(parent + "!/") for parent in ok_uris)


def _target(session: Session, name: str, kind: str) -> Target:
    cached = session.info.setdefault("govscan_target_ids", {})
    if name in cached:
        target = session.get(Target, cached[name])
        if target is not None:
            return target
    target = session.exec(select(Target).where(Target.name == name)).first()
    if target is None:
        target = Target(name=name, kind=kind)
        session.add(target)
        session.flush()
    cached[name] = target.id
    return target


def _asset(session: Session, target: Target, uri: str) -> Asset:
    normal = normal_uri(uri)
    asset = session.exec(select(Asset).where(Asset.target_id == target.id, Asset.uri_normal == normal)).first()
    if asset is None:
        asset = Asset(target_id=target.id, uri_normal=normal, uri_display=uri)  # type: ignore[arg-type]
        session.add(asset)
        session.flush()
    return asset
