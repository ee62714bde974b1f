"""Findings read back from the database, as the one :class:`~govscan.model.Finding` every output takes.

``findings list``, ``findings show``, ``diff`` and ``report`` print stored findings through the same
reporters and JSON shape as ``check``: a stored finding is a ``Finding`` (rule, location, masked
evidence, fingerprint, the rule's compliance links) with a :class:`~govscan.model.FindingRecord`
(id, status, first and last seen, triage) that the outputs add as the stored fields.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from govscan.model import Finding, FindingRecord, Location, ScanResult, Severity, TriageStep

if TYPE_CHECKING:
    from govscan.report.data import FindingItem
    from govscan.rules import RuleSet
    from govscan.store.tables import FindingRow, TriageNote


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def record_of_row(row: FindingRow, notes: Iterable[TriageNote] = ()) -> FindingRecord:
    return FindingRecord(
        id=row.id or 0,
        status=row.status,
        reopened_count=row.reopened_count,
        first_seen_scan_id=row.first_seen_scan_id,
        last_seen_scan_id=row.last_seen_scan_id,
        first_seen_at=_utc(row.first_seen_at),
        last_seen_at=_utc(row.last_seen_at),
        triage=tuple(TriageStep(_utc(n.at), n.actor, n.from_status, n.to_status, n.note) for n in notes),
    )


def location_of_row(row: FindingRow, uri: str = "") -> Location:
    """Where a stored finding sits; ``uri`` stands in when the stored location has none."""
    loc = json.loads(row.location_json)
    return Location(
        uri=loc.get("uri") or uri,
        sheet=loc.get("sheet"),
        column=loc.get("column"),
        column_index=loc.get("column_index"),
        json_path=loc.get("json_path"),
        line=loc.get("line"),
        page=loc.get("page"),
        part=loc.get("part"),
    )


def finding_of_row(row: FindingRow, rules: RuleSet, notes: Iterable[TriageNote] = ()) -> Finding:
    """A stored finding: the title and compliance links come from the rule when it is still loaded."""
    rule = rules.get(row.rule_id)
    notes = list(notes)
    last_note = notes[-1].note if notes else ""
    return Finding(
        rule_id=row.rule_id,
        entity=row.entity,
        severity=Severity.parse(row.severity),
        title=rule.title if rule else row.title,
        location=location_of_row(row),
        count=row.count,
        evidence=row.evidence_masked,
        confidence=row.confidence,
        fingerprint=row.fingerprint,
        compliance=list(rule.compliance) if rule else [],
        # as ``report`` says it (stored.suppression): "<status>: <last triage note>"
        suppressed=None if row.status == "open" else f"{row.status}: {last_note}" if last_note else row.status,
        record=record_of_row(row, notes),
    )


def record_of_item(item: FindingItem) -> FindingRecord:
    return FindingRecord(
        id=item.id,
        status=item.status,
        reopened_count=item.reopened_count,
        first_seen_scan_id=item.first_seen_scan_id,
        last_seen_scan_id=item.last_seen_scan_id,
        first_seen_at=item.first_seen_at,
        last_seen_at=item.last_seen_at,
        triage=tuple(TriageStep(t.at, t.actor, t.from_status, t.to_status, t.note) for t in item.triage),
    )


def stored_result(findings: list[Finding], rules: RuleSet, version: str, category: str) -> ScanResult:
    """Stored findings as a result the CI reporters (text, sarif, csv) take.

    ``category`` keeps their SARIF analysis apart (``findings``, ``diff``): uploading a listing must
    not replace the alerts of the ``check`` gate.
    """
    now = dt.datetime.now(dt.UTC)
    return ScanResult(
        findings=findings,
        errors=[],
        rules=rules,
        inputs=[],
        tool_version=version,
        started_at=now,
        finished_at=now,
        scanned=[],
        category=category,
    )
