"""``--format csv``: one row per finding for auditors who work in a spreadsheet.

Columns (fixed order, documented in :data:`COLUMNS`):
``severity, rule_id, entity, uri, sheet, column, column_index, json_path, line, count,
evidence, confidence, fingerprint, title, compliance, status, page, part, id`` (later columns — a
PDF's page, the hidden part a finding is in, a stored finding's id — come last so that older
column positions hold).
Empty cells mean "not applicable"; ``compliance`` joins requirement ids with ``;``; ``status`` is
a stored finding's status (``open``, ``fixed``, ``false_positive``…), else ``suppressed`` for findings
a baseline or an ignore accepted, else ``open``; ``id`` is empty for findings that are not stored.

Column headers and uris come from the scanned files, and masked phones look like ``+7 7…``, so
every cell is neutralised against formula injection (OWASP "CSV Injection"): a cell starting with
``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading ``'`` and a spreadsheet shows it as text.
Every CSV govscan writes (``check``, ``report``, ``findings list``) goes through
:class:`SafeCsvWriter`, so no output can forget it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from govscan.model import Finding, ScanResult
from govscan.report.base import sort_findings

COLUMNS: tuple[str, ...] = (
    "severity",
    "rule_id",
    "entity",
    "uri",
    "sheet",
    "column",
    "column_index",
    "json_path",
    "line",
    "count",
    "evidence",
    "confidence",
    "fingerprint",
    "title",
    "compliance",
    "status",
    "page",
    "part",
    "id",
)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Make a cell inert in Excel/LibreOffice/Sheets without changing what a reader sees."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def _text(value: object) -> str:
    return "" if value is None else str(value)


def row(finding: Finding) -> list[object]:
    """The cells of one finding, in :data:`COLUMNS` order (``SafeCsvWriter`` neutralises them)."""
    loc = finding.location
    cells = (
        finding.severity.label,
        finding.rule_id,
        finding.entity,
        loc.uri,
        loc.sheet,
        loc.column,
        loc.column_index,
        loc.json_path,
        loc.line,
        finding.count,
        finding.evidence,
        round(finding.confidence, 2),
        finding.fingerprint,
        finding.title,
        ";".join(finding.compliance),
        finding.record.status if finding.record else "suppressed" if finding.suppressed else "open",
        loc.page,
        loc.part,
        finding.record.id if finding.record else None,
    )
    return list(cells)


class SafeCsvWriter:
    """The one CSV writer of every CSV govscan writes: RFC 4180 lines, every cell neutralised.

    Callers open files with ``newline=""`` as the csv module requires.
    """

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(_text(cell)) for cell in cells])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for cells in rows:
            self.writerow(cells)


class CsvReporter:
    name = "csv"
    media_type = "text/csv"

    def render(self, result: ScanResult, out: TextIO) -> None:
        writer = SafeCsvWriter(out)
        writer.writerow(COLUMNS)
        writer.writerows(row(f) for f in sort_findings(result.findings))
