"""``--format json``: one run's findings as a ``kind: report`` document (:mod:`govscan.report.shape`).

The strict models check the shape while the document is built, so a finding that grows or loses a
key fails loudly; ``govscan/schemas/report.schema.json`` is generated from the same models.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from govscan.model import ScanResult
from govscan.report.base import TOOL_NAME, count_by_severity, sort_findings
from govscan.report.shape import (
    SCHEMA_VERSION,
    ErrorOut,
    ReportDoc,
    ScanOut,
    SummaryOut,
    ToolOut,
    dump,
    finding_out,
)
from govscan.report.shape import json_schema as json_schema


def build_report(result: ScanResult, scan_id: int | None = None) -> ReportDoc:
    """The validated document for ``result`` (findings in report order); ``scan_id`` of a stored scan."""
    with_baseline = result.baseline_applied
    scan: dict[str, Any] = {
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "inputs": list(result.inputs),
    }
    if scan_id is not None:
        scan["id"] = scan_id
    fields: dict[str, Any] = {}
    if result.endpoints:
        fields["endpoints"] = result.endpoints
    return ReportDoc(
        schema_version=SCHEMA_VERSION,
        tool=ToolOut(name=TOOL_NAME, version=result.tool_version),
        kind="report",
        findings=[finding_out(f, with_baseline=with_baseline) for f in sort_findings(result.findings)],
        errors=[ErrorOut(uri=e.uri, problem=e.problem) for e in result.errors],
        summary=SummaryOut(
            by_severity=count_by_severity(result.findings),
            suppressed=sum(1 for f in result.findings if f.suppressed),
            assets_scanned=len(result.scanned),
            assets_failed=len(result.failed_uris),
        ),
        scan=ScanOut.model_validate(scan),
        **fields,
    )


def report_dict(result: ScanResult, scan_id: int | None = None) -> dict[str, Any]:
    """The document as plain JSON data; baseline keys appear only when a baseline or an ignore decided."""
    return dump(build_report(result, scan_id))


def write_json(data: dict[str, Any], out: TextIO) -> None:
    """Every JSON document govscan prints: UTF-8 as is, two-space indent, a final newline."""
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


class JsonReporter:
    name = "json"
    media_type = "application/json"

    def render(self, result: ScanResult, out: TextIO) -> None:
        write_json(report_dict(result), out)
