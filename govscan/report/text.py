"""``--format text``: the human report, meant to be read in a terminal or a CI log.

Findings are grouped by file, one row of a table each (report/tables.py: rich, never wider
than the terminal, or 120 columns in a file or CI log; long cells wrap)::

    data/list.xlsx
      HIGH      pii.kz-iin  Лист1!ИИН (col 3)  412 ×  8805******12  KZ_IIN

then read errors (``error: <uri>: <problem>``) and one summary line. Only ``evidence`` (already
masked) is printed about values. Headers and uris come from untrusted files, so control and
bidi-override characters are escaped rather than passed to the terminal.
"""

from __future__ import annotations

from typing import Any, TextIO

from rich.cells import cell_len

from govscan import terminal
from govscan.model import Finding, ScanResult, place_of
from govscan.report.base import SEVERITIES_DESC, count_by_severity, sort_findings
from govscan.report.tables import SEVERITY_STYLE as TABLE_SEVERITY_STYLE
from govscan.report.tables import Cell, Column, clean, styled_stream, table_lines, text_lines

_RESET = "\033[0m"
SEVERITY_STYLE = {
    "critical": "\033[1;31m",
    "high": "\033[31m",
    "medium": "\033[33m",
    "low": "\033[36m",
    "info": "\033[2m",
}
SEVERITY_WIDTH = max(len(s.label) for s in SEVERITIES_DESC)


def use_colour(out: TextIO) -> bool:
    """Colour only for a terminal, never with ``--no-color`` or ``NO_COLOR`` set (https://no-color.org)."""
    return terminal.use_colour(out)


def place_text(finding: Finding) -> str:
    """Where in the file: the field label, its column number and line when known.

    In a table with a sheet or table name (spreadsheets, HTML, Word and PDF tables) the number is
    the table's row, and says so: "line 1" of an HTML table pointed at the page's first line.
    """
    loc = finding.location
    extras = []
    if loc.column is not None and loc.column_index is not None:
        extras.append(f"col {loc.column_index}")
    if loc.page is not None:
        extras.append(f"page {loc.page}")
    if loc.line is not None:
        extras.append(f"{'row' if loc.sheet else 'line'} {loc.line}")
    if loc.part:
        extras.append(loc.part)
    place = place_of(loc)
    return clean(f"{place} ({', '.join(extras)})" if extras else place)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def endpoint_line(endpoint: dict[str, Any]) -> str:
    """``grade A+  portal.gov.kz:443  TLS 1.2, 1.3  RSA 2048 sha256  until 2027-03-01``."""
    address = clean(f"{endpoint['host']}:{endpoint['port']}")
    if endpoint.get("error"):
        return f"grade -   {address}  not scanned: {clean(endpoint['error'])}"
    versions = ", ".join(
        p.replace("tls", "TLS ").replace("ssl", "SSL ") for p, on in (endpoint.get("protocols") or {}).items() if on
    )
    cert = endpoint.get("certificate") or {}
    until = str(cert.get("not_after", ""))[:10]
    detail = f"{cert.get('key', '')} {cert.get('signature', '')}  until {until}" if cert else ""
    return f"grade {endpoint.get('grade') or '-':<3} {address}  {versions}  {detail}".rstrip()


def _thing(uris: list[str]) -> str:
    """What the scanned things are called: endpoints for a TLS audit, else files (a URL is downloaded as one)."""
    return "endpoint" if uris and all(u.startswith("tls://") for u in uris) else "file"


def summary_line(result: ScanResult) -> str:
    """``N findings (critical: a, high: b, …) in M files (S scanned); K inputs could not be read``.

    "files" is "endpoints" for a TLS audit.
    """
    open_findings = result.open_findings
    counts = ", ".join(f"{label}: {n}" for label, n in count_by_severity(open_findings).items())
    places = {f.location.uri for f in open_findings}
    thing = _thing(list(places) or result.scanned or result.failed_uris)
    line = (
        f"{_plural(len(open_findings), 'finding')} ({counts}) in {_plural(len(places), thing)}"
        f" ({len(result.scanned)} scanned); {_plural(len(result.failed_uris), 'input')} could not be read"
    )
    suppressed = [f for f in result.findings if f.suppressed]
    if suppressed:
        word = "baselined" if all(f.baseline_state for f in suppressed) else "suppressed"
        line += f"; {len(suppressed)} {word}"
    return line


class TextReporter:
    name = "text"
    media_type = "text/plain"

    def __init__(self, colour: bool | None = None, width: int | None = None) -> None:
        """``colour``/``width`` None: decided per stream (govscan/terminal.py); tests may force either."""
        self.colour = colour
        self.width = width

    def render(self, result: ScanResult, out: TextIO) -> None:
        colour = use_colour(out) if self.colour is None else self.colour
        width = terminal.width_of(out) if self.width is None else self.width
        out = styled_stream(out, colour)

        def style(text: str, code: str) -> str:
            return f"{code}{text}{_RESET}" if colour else text

        findings = sort_findings(result.findings)
        columns = _finding_columns(findings, width)
        groups: dict[str, list[Finding]] = {}
        for finding in findings:
            groups.setdefault(finding.location.uri, []).append(finding)
        for uri, group in groups.items():
            lines = text_lines(uri, width=width, colour=colour, style="bold")
            lines += table_lines(
                [_finding_row(f) for f in group],
                columns,
                width=width,
                colour=colour,
                indent=2,
                styles=["dim" if f.suppressed else None for f in group],
            )
            out.write("\n".join(lines) + "\n\n")
        for error in result.errors:
            text = f"error: {clean(error.uri)}: {clean(error.problem)}"
            out.write(style(text, SEVERITY_STYLE["critical"]) + "\n")
        if result.errors:
            out.write("\n")
        for endpoint in result.endpoints:
            out.write(endpoint_line(endpoint) + "\n")
        if result.endpoints:
            out.write("\n")
        out.write(summary_line(result) + "\n")


def _finding_columns(findings: list[Finding], width: int) -> list[Column]:
    """Columns for every group's table. When every row fits in ``width`` unwrapped, each column
    gets its widest cell of the whole report as minimum, so columns line up from group to group.
    When only a suppression's reason does not fit, it alone wraps. Otherwise rich shares the width
    out per group and long cells wrap; a rule id up to 48 characters is still kept whole while a
    place and evidence column of 12 fit beside it."""
    rows = [_finding_row(f) for f in findings]
    widest = [max((cell_len(_plain(r[i])) for r in rows), default=0) for i in range(7)]
    gaps = 2 * 6 + 2  # six gaps between seven columns, the indent
    fits = sum(widest) + gaps <= width
    fixed = not fits and sum(widest[:6]) + gaps + 20 <= width  # the reason wraps in 20 columns or more
    rule = min(widest[1], 48)
    keep_rule = rule + SEVERITY_WIDTH + widest[3] + 2 * 12 + gaps + min(widest[5], 16) <= width
    aligned = fits or fixed
    return [
        Column(no_wrap=True, min_width=SEVERITY_WIDTH),
        Column(no_wrap=fixed, min_width=widest[1] if aligned else rule if keep_rule else None),
        Column(no_wrap=fixed, min_width=widest[2] if aligned else None),
        Column(justify="right", no_wrap=True, min_width=widest[3]),
        Column(no_wrap=fixed, min_width=widest[4] if aligned else None),
        Column(no_wrap=fixed, min_width=widest[5] if aligned else None),
        Column(),
    ]


def _plain(cell: Cell) -> str:
    return clean(cell[0] if isinstance(cell, tuple) else cell)


def _finding_row(finding: Finding) -> list[Cell]:
    """severity, rule, place, ``412 ×``, evidence (masked), entity, a suppression and its reason."""
    label = finding.severity.label
    note = ""
    if finding.suppressed:
        word = "baselined" if finding.baseline_state else "suppressed"  # by a baseline, or an ignore
        note = f"({word}: {finding.suppressed})"
    severity: Cell = label.upper() if finding.suppressed else (label.upper(), TABLE_SEVERITY_STYLE[label])
    return [
        severity,
        finding.rule_id,
        place_text(finding),
        f"{finding.count} ×",
        finding.evidence,
        finding.entity or "",
        note,
    ]
