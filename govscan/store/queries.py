"""Read-side queries over the findings database, shared by the CLI and the reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlmodel import Session, col, select

from govscan.redact import mask_identifiers
from govscan.store.tables import Asset, AssetRead, FindingEvent, FindingRow, Scan, Target, TriageNote
from govscan.store.writer import Recorded, chunks

PRESENT = ("new", "seen", "reopened")  # event kinds meaning "this scan saw the finding"
OPEN_LIKE = ("open",)


@dataclass(frozen=True)
class FindingFilter:
    statuses: Sequence[str] = ()
    severities: Sequence[str] = ()
    rule_id: str | None = None
    target: str | None = None
    scan_id: int | None = None  # findings that scan saw
    include_closed: bool = False  # without statuses: open only unless this is set


def list_findings(session: Session, where: FindingFilter) -> list[FindingRow]:
    query = select(FindingRow)
    if where.statuses:
        query = query.where(FindingRow.status.in_(where.statuses))  # type: ignore[attr-defined]
    elif not where.include_closed:
        query = query.where(FindingRow.status.in_(OPEN_LIKE))  # type: ignore[attr-defined]
    if where.severities:
        query = query.where(FindingRow.severity.in_(where.severities))  # type: ignore[attr-defined]
    if where.rule_id:
        query = query.where(FindingRow.rule_id == where.rule_id)
    if where.target:
        query = query.join(Asset, Asset.id == FindingRow.asset_id).join(Target, Target.id == Asset.target_id)
        query = query.where(Target.name == mask_identifiers(where.target))  # stored masked: config.masked_name
    if where.scan_id is not None:
        seen = select(FindingEvent.finding_id).where(
            FindingEvent.scan_id == where.scan_id,
            FindingEvent.kind.in_(PRESENT),  # type: ignore[attr-defined]
        )
        query = query.where(FindingRow.id.in_(seen))  # type: ignore[union-attr]
    return list(session.exec(query.order_by(FindingRow.id)).all())


def scan_changes(session: Session, scan_id: int) -> Recorded:
    """What one scan changed, by finding id, read from its events — all of them, also those a
    killed process wrote before ``--resume`` finished the scan.

    A new or reopened finding that is ``suppressed`` was accepted by the baseline: it is counted
    as suppressed, as the writer counts it.
    """
    query = (
        select(FindingEvent.finding_id, FindingEvent.kind, FindingRow.status)
        .join(FindingRow, FindingRow.id == FindingEvent.finding_id)  # type: ignore[arg-type]
        .where(FindingEvent.scan_id == scan_id)
        .order_by(FindingEvent.id)  # type: ignore[arg-type]
    )
    changes = Recorded()
    for finding_id, kind, status in session.exec(query).all():
        if kind in ("new", "reopened") and status == "suppressed":
            changes.suppressed.append(finding_id)
        elif kind in ("new", "seen", "reopened", "fixed"):
            getattr(changes, kind).append(finding_id)
    return changes


@dataclass
class Diff:
    from_scan: int | None
    to_scan: int
    new: list[FindingRow] = field(default_factory=list)
    fixed: list[FindingRow] = field(default_factory=list)
    reopened: list[FindingRow] = field(default_factory=list)
    unchanged: list[FindingRow] = field(default_factory=list)


def last_two_scans(session: Session) -> tuple[int | None, int] | None:
    """The latest scan and the one before it of the same configuration."""
    latest = session.exec(select(Scan).order_by(Scan.id.desc())).first()  # type: ignore[union-attr]
    if latest is None or latest.id is None:
        return None
    return previous_scan(session, latest.id), latest.id


def previous_scan(session: Session, scan_id: int) -> int | None:
    """The scan of the same configuration (by name) that ran before ``scan_id``."""
    scan = session.get(Scan, scan_id)
    if scan is None:
        return None
    query = select(Scan.id).where(Scan.name == scan.name, Scan.id < scan_id).order_by(Scan.id.desc())  # type: ignore[union-attr, operator]
    return session.exec(query).first()


def diff_scans(session: Session, scan_a: int | None, scan_b: int) -> Diff:
    """What scan B tells compared with scan A.

    new: seen in B, first seen after A; reopened: seen in B, not in A, and reopened by a scan
    after A up to B; fixed: seen in A, and marked fixed by a scan after A up to B; unchanged:
    seen in both, or seen in B and missed by A only because its asset could not be read then.
    A finding not seen in B because its asset could not be read is in none of the lists.
    """
    in_b = _present(session, scan_b)
    in_a = _present(session, scan_a) if scan_a is not None else set()
    low = scan_a if scan_a is not None else 0
    fixed_between = _events_between(session, "fixed", low, scan_b)
    reopened_between = _events_between(session, "reopened", low, scan_b)
    wanted = in_b | (in_a & fixed_between)
    rows = {
        r.id: r
        for r in session.exec(select(FindingRow).where(FindingRow.id.in_(sorted(wanted)))).all()  # type: ignore[union-attr]
    }
    diff = Diff(scan_a, scan_b)
    for finding_id in sorted(wanted):
        row = rows[finding_id]
        if finding_id not in in_b:
            diff.fixed.append(row)
        elif finding_id in in_a:
            diff.unchanged.append(row)
        elif row.first_seen_scan_id > low:
            diff.new.append(row)
        elif finding_id in reopened_between:
            diff.reopened.append(row)
        else:
            diff.unchanged.append(row)
    return diff


def _events_between(session: Session, kind: str, after: int, up_to: int) -> set[int]:
    query = select(FindingEvent.finding_id).where(
        FindingEvent.kind == kind, FindingEvent.scan_id > after, FindingEvent.scan_id <= up_to
    )
    return set(session.exec(query).all())


def _present(session: Session, scan_id: int) -> set[int]:
    query = select(FindingEvent.finding_id).where(
        FindingEvent.scan_id == scan_id,
        FindingEvent.kind.in_(PRESENT),  # type: ignore[attr-defined]
    )
    return set(session.exec(query).all())


# --- what the compliance report reads -----------------------------------------------------------
ScanRead = tuple[AssetRead, Asset, Target]
FindingAt = tuple[FindingRow, Asset, Target]


def latest_completed_scan(session: Session) -> Scan | None:
    query = select(Scan).where(Scan.status == "completed").order_by(col(Scan.id).desc())
    return session.exec(query).first()


def scan_reads(session: Session, scan_id: int) -> list[ScanRead]:
    """Every asset read of a scan with its asset and target, by target name then uri."""
    query = (
        select(AssetRead, Asset, Target)
        .join(Asset, col(Asset.id) == AssetRead.asset_id)
        .join(Target, col(Target.id) == Asset.target_id)
        .where(AssetRead.scan_id == scan_id)
        .order_by(col(Target.name), col(Asset.uri_display))
    )
    return list(session.exec(query).all())


def scan_events(session: Session, scan_id: int) -> dict[int, str]:
    """Finding id → what this scan recorded about it (new / seen / reopened / fixed)."""
    query = select(FindingEvent.finding_id, FindingEvent.kind).where(FindingEvent.scan_id == scan_id)
    return {fid: kind for fid, kind in session.exec(query).all()}


def findings_at(session: Session, ids: Sequence[int], target: str | None = None) -> list[FindingAt]:
    """The findings with these ids, each with its asset and target (only ``target``'s when given)."""
    out: list[FindingAt] = []
    for chunk in chunks(ids):
        query = (
            select(FindingRow, Asset, Target)
            .join(Asset, col(Asset.id) == FindingRow.asset_id)
            .join(Target, col(Target.id) == Asset.target_id)
            .where(col(FindingRow.id).in_(chunk))
        )
        if target is not None:
            query = query.where(Target.name == mask_identifiers(target))
        out.extend(session.exec(query).all())
    return out


def triage_notes(session: Session, ids: Sequence[int]) -> dict[int, list[TriageNote]]:
    """Finding id → its triage notes, oldest first."""
    notes: dict[int, list[TriageNote]] = {}
    for chunk in chunks(ids):
        query = select(TriageNote).where(col(TriageNote.finding_id).in_(chunk))
        for note in session.exec(query.order_by(col(TriageNote.id))).all():
            notes.setdefault(note.finding_id, []).append(note)
    return notes


def recent_scans(session: Session, scan: Scan, limit: int) -> list[Scan]:
    """The last ``limit`` scans of ``scan``'s configuration up to it (completed ones, and itself), oldest first."""
    query = (
        select(Scan)
        .where(Scan.name == scan.name, col(Scan.id) <= scan.id)
        .where(or_(Scan.status == "completed", Scan.id == scan.id))
        .order_by(col(Scan.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())[::-1]


def present_in(session: Session, scan_id: int, target: str | None = None) -> list[int]:
    """Ids of the findings a scan saw (only ``target``'s when given)."""
    query = select(FindingEvent.finding_id).where(FindingEvent.scan_id == scan_id, col(FindingEvent.kind).in_(PRESENT))
    if target is not None:
        query = (
            query.join(FindingRow, col(FindingRow.id) == FindingEvent.finding_id)
            .join(Asset, col(Asset.id) == FindingRow.asset_id)
            .join(Target, col(Target.id) == Asset.target_id)
            .where(Target.name == mask_identifiers(target))
        )
    return list(session.exec(query).all())


def statuses(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Finding id → its current status."""
    current: dict[int, str] = {}
    for chunk in chunks(ids):
        query = select(FindingRow.id, FindingRow.status).where(col(FindingRow.id).in_(chunk))
        current.update(dict(session.exec(query).all()))  # type: ignore[arg-type]
    return current
