"""Read-side queries over the findings database, shared by the CLI and the reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from govscan.store.tables import Asset, FindingEvent, FindingRow, Scan, Target

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
        query = query.where(Target.name == where.target)
    if where.scan_id is not None:
        seen = select(FindingEvent.finding_id).where(
            FindingEvent.scan_id == where.scan_id,
            FindingEvent.kind.in_(PRESENT),  # type: ignore[attr-defined]
        )
        query = query.where(FindingRow.id.in_(seen))  # type: ignore[union-attr]
    return list(session.exec(query.order_by(FindingRow.id)).all())


@dataclass
class Diff:
    from_scan: int | None
    to_scan: int
    new: list[FindingRow] = field(default_factory=list)
    fixed: list[FindingRow] = field(default_factory=list)
    reopened: list[FindingRow] = field(default_factory=list)
    unchanged: list[FindingRow] = field(default_factory=list)


def last_two_scans(session: Session) -> tuple[int | None, int] | None:
    ids = [s.id for s in session.exec(select(Scan).order_by(Scan.id.desc()).limit(2))]  # type: ignore[union-attr]
    if not ids:
        return None
    return (ids[1] if len(ids) > 1 else None), ids[0]  # type: ignore[return-value]


def diff_scans(session: Session, scan_a: int | None, scan_b: int) -> Diff:
    """What scan B tells compared with scan A.

    new: seen in B, first seen after A; reopened: seen in B, not in A, but known before;
    fixed: seen in A, and marked fixed by a scan after A up to B; unchanged: seen in both.
    A finding not seen in B because its asset could not be read is in none of the lists.
    """
    in_b = _present(session, scan_b)
    in_a = _present(session, scan_a) if scan_a is not None else set()
    low = scan_a if scan_a is not None else 0
    fixed_between = set(
        session.exec(
            select(FindingEvent.finding_id).where(
                FindingEvent.kind == "fixed", FindingEvent.scan_id > low, FindingEvent.scan_id <= scan_b
            )
        ).all()
    )
    wanted = in_b | (in_a & fixed_between)
    rows = {
        r.id: r
        for r in session.exec(select(FindingRow).where(FindingRow.id.in_(sorted(wanted)))).all()  # type: ignore[union-attr]
    }
    diff = Diff(scan_a, scan_b)
    for finding_id in sorted(wanted):
        row = rows[finding_id]
        if finding_id in in_b and finding_id in in_a:
            diff.unchanged.append(row)
        elif finding_id in in_b:
            (diff.new if row.first_seen_scan_id > low else diff.reopened).append(row)
        else:
            diff.fixed.append(row)
    return diff


def _present(session: Session, scan_id: int) -> set[int]:
    query = select(FindingEvent.finding_id).where(
        FindingEvent.scan_id == scan_id,
        FindingEvent.kind.in_(PRESENT),  # type: ignore[attr-defined]
    )
    return set(session.exec(query).all())
