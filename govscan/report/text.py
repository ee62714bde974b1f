"""``--format text``: the human report, meant to be read in a terminal or a CI log.

Findings are grouped by file, one aligned line each::

    data/list.xlsx
      HIGH      pii.kz-iin  Лист1!ИИН (col 3)  412 × 8805******12  KZ_IIN

then read errors (``error: <uri>: <problem>``) and one summary line. Only ``evidence`` (already
masked) is printed about values. Headers and uris come from untrusted files, so control and
bidi-override characters are escaped rather than passed to the terminal.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any, TextIO

from govscan.model import Finding, ScanResult, place_of
from govscan.report.base import SEVERITIES_DESC, count_by_severity, sort_findings

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
SEVERITY_STYLE = {
    "critical": "\033[1;31m",
    "high": "\033[31m",
    "medium": "\033[33m",
    "low": "\033[36m",
    "info": "\033[2m",
}
SEVERITY_WIDTH = max(len(s.label) for s in SEVERITIES_DESC)


def use_colour(out: TextIO) -> bool:
    """Colour only for a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def clean(text: str) -> str:
    """Escape control, format (bidi) and line-separator characters so text cannot steer a terminal."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch
        for ch in text
    )


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

    def __init__(self, colour: bool | None = None) -> None:
        """``colour=None`` decides per stream (:func:`use_colour`); tests may force either way."""
        self.colour = colour

    def render(self, result: ScanResult, out: TextIO) -> None:
        colour = use_colour(out) if self.colour is None else self.colour

        def style(text: str, code: str) -> str:
            return f"{code}{text}{_RESET}" if colour else text

        findings = sort_findings(result.findings)
        rule_width = max((len(f.rule_id) for f in findings), default=0)
        place_width = max((len(place_text(f)) for f in findings), default=0)
        count_width = max((len(str(f.count)) for f in findings), default=0)
        current_uri: str | None = None
        for finding in findings:
            if finding.location.uri != current_uri:
                if current_uri is not None:
                    out.write("\n")
                current_uri = finding.location.uri
                out.write(style(clean(current_uri), _BOLD) + "\n")
            label = finding.severity.label
            severity = label.upper().ljust(SEVERITY_WIDTH)
            rest = (
                f"  {finding.rule_id.ljust(rule_width)}"
                f"  {place_text(finding).ljust(place_width)}"
                f"  {str(finding.count).rjust(count_width)} × {clean(finding.evidence)}"
            )
            if finding.entity:
                rest += f"  {finding.entity}"
            if finding.suppressed:
                word = "baselined" if finding.baseline_state else "suppressed"  # by a baseline, or an ignore
                rest += f"  ({word}: {clean(finding.suppressed)})"
                line = style(f"  {severity}{rest}", _DIM)
            else:
                line = f"  {style(severity, SEVERITY_STYLE[label])}{rest.rstrip()}"
            out.write(line + "\n")
        if findings:
            out.write("\n")
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
