"""``--format json``: the DESIGN.md findings contract, built through a strict pydantic model.

The model (``extra="forbid"``) is the checked definition of the shape: building the report
through it fails loudly if a finding grows or loses a key, and :func:`json_schema` exports the
same definition for consumers.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, TextIO

from govscan.model import Finding, ScanResult
from govscan.report.base import TOOL_NAME, count_by_severity, sort_findings
from govscan.strict import StrictModel

SeverityName = Literal["info", "low", "medium", "high", "critical"]
BASELINE_KEYS = frozenset({"suppressed", "baseline_state"})


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


class FindingOut(StrictModel):
    """One finding: exactly ``Finding.as_dict()``, plus the two baseline keys when one was used."""

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


class ErrorOut(StrictModel):
    uri: str
    problem: str


class SummaryOut(StrictModel):
    """``by_severity`` counts open findings only; baselined ones are counted in ``suppressed``."""

    by_severity: dict[str, int]
    suppressed: int
    assets_scanned: int
    assets_failed: int


class ScanOut(StrictModel):
    started_at: datetime
    finished_at: datetime
    inputs: list[str]


class JsonReport(StrictModel):
    tool: ToolOut
    findings: list[FindingOut]
    errors: list[ErrorOut]
    summary: SummaryOut
    scan: ScanOut
    endpoints: list[dict[str, Any]] | None = None  # TLS audits only (host, port, ip, grade, …)


def _finding_out(finding: Finding, with_baseline: bool) -> FindingOut:
    data: dict[str, Any] = finding.as_dict()
    if with_baseline:
        data["suppressed"] = {"reason": finding.suppressed} if finding.suppressed else None
        data["baseline_state"] = finding.baseline_state
    return FindingOut.model_validate(data)


def build_report(result: ScanResult) -> JsonReport:
    """The validated report model for ``result`` (findings in report order)."""
    with_baseline = result.baseline_applied
    return JsonReport(
        tool=ToolOut(name=TOOL_NAME, version=result.tool_version),
        findings=[_finding_out(f, with_baseline) for f in sort_findings(result.findings)],
        errors=[ErrorOut(uri=e.uri, problem=e.problem) for e in result.errors],
        summary=SummaryOut(
            by_severity=count_by_severity(result.findings),
            suppressed=sum(1 for f in result.findings if f.suppressed),
            assets_scanned=len(result.scanned),
            assets_failed=len(result.failed_uris),
        ),
        scan=ScanOut(
            started_at=result.started_at,
            finished_at=result.finished_at,
            inputs=list(result.inputs),
        ),
        endpoints=result.endpoints or None,
    )


def report_dict(result: ScanResult) -> dict[str, Any]:
    """The report as plain JSON data; baseline keys appear only when a baseline was applied."""
    report = build_report(result)
    exclude: dict[str, Any] = {} if result.baseline_applied else {"findings": {"__all__": set(BASELINE_KEYS)}}
    if not result.endpoints:
        exclude["endpoints"] = True
    return report.model_dump(mode="json", exclude=exclude or None)


def json_schema() -> dict[str, Any]:
    """JSON Schema of the report (with the optional baseline keys), for consumers and docs."""
    return JsonReport.model_json_schema()


class JsonReporter:
    name = "json"
    media_type = "application/json"

    def render(self, result: ScanResult, out: TextIO) -> None:
        json.dump(report_dict(result), out, ensure_ascii=False, indent=2)
        out.write("\n")
