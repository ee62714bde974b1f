"""Adapter: a stored scan (:class:`ReportData`) as the :class:`ScanResult` that ``check``'s reporters take.

``govscan report --format json|csv|sarif`` reuses the CI-gate reporters unchanged, so the output has
exactly the shapes ``govscan check`` produces. A finding triaged away (false positive, accepted risk,
baseline-suppressed) is passed as ``suppressed`` with its status and last triage note as the reason,
which is how those formats already say "known and accepted"; open findings stay open. The database
history plays the baseline's part: ``baseline_state`` is ``new`` for a finding this scan saw for the
first time (or again after it was fixed) and ``unchanged`` for one it saw before.
"""

from __future__ import annotations

from govscan.model import Finding, Location, ReadError, ScanResult, Severity
from govscan.report.data import FindingItem, ReportData
from govscan.report.records import record_of_item
from govscan.rules import RuleSet


def suppression(item: FindingItem) -> str | None:
    """``None`` for an open finding, else ``"<status>: <last note>"``."""
    if item.status == "open":
        return None
    note = item.triage[-1].note if item.triage else ""
    return f"{item.status}: {note}" if note else item.status


def as_finding(item: FindingItem) -> Finding:
    """The reporters' finding for one stored finding (masked evidence only, as stored)."""
    return Finding(
        rule_id=item.rule_id,
        entity=item.entity,
        severity=Severity.parse(item.severity),
        title=item.rule_title,
        location=Location(
            item.uri, item.sheet, item.column, item.column_index, item.json_path, item.line, item.page, item.part
        ),
        count=item.count,
        evidence=item.evidence,
        confidence=item.confidence,
        fingerprint=item.fingerprint,
        compliance=list(item.compliance),
        suppressed=suppression(item),
        baseline_state="unchanged" if item.event == "seen" else "new",
        record=record_of_item(item),  # id, status, first and last seen, triage: the stored fields
    )


def as_scan_result(data: ReportData, rules: RuleSet) -> ScanResult:
    """The whole stored scan as one ``check``-style result (inputs are the target names)."""
    targets = data.targets
    return ScanResult(
        findings=[as_finding(f) for f in data.findings],
        errors=[ReadError(u.uri, u.reason or "not read") for t in targets for u in t.unread],
        rules=rules,
        inputs=[t.name for t in targets],
        tool_version=data.scan.govscan_version,
        started_at=data.scan.started_at,
        finished_at=data.scan.finished_at or data.scan.started_at,
        scanned=[uri for t in targets for uri in t.read_uris],
        endpoints=[o for t in targets for o in t.observations if "host" in o and "grade" in o],
        category="/".join(["scan", data.scan.name, *([data.target_filter] if data.target_filter else [])]),
    )
