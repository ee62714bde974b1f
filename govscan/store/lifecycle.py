"""Findings across scans: upsert by fingerprint, open → fixed → reopened, triage that persists.

A finding absent from a scan is ``fixed`` only when that scan read its asset successfully: a
file that could not be read this time changes nothing about what was found in it before.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from govscan.model import AssetOutcome, Finding
from govscan.store import TRIAGE_STATUSES
from govscan.store.tables import FindingRow, Scan, TriageNote, utcnow
from govscan.store.writer import FindingsWriter, Recorded

__all__ = [
    "TRIAGE_STATUSES",
    "AssetOutcome",
    "Recorded",
    "TriageError",
    "finish_scan",
    "record",
    "start_scan",
    "triage",
]


class TriageError(ValueError):
    pass


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
) -> Recorded:
    """Store one target's results for ``scan`` and commit; returns what changed, by finding id.

    A scheduled scan keeps one ``FindingsWriter`` for the whole run instead (it batches assets).
    """
    assert scan.id is not None
    writer = FindingsWriter(session, scan.id)
    writer.add(target_name, kind, outcomes, findings)
    return writer.flush()


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
