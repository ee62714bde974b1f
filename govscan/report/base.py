"""What every reporter receives and the small helpers they share.

A reporter is a pure function of a :class:`ScanResult`: it never reads files, re-runs detection
or looks at raw values. Findings arrive already masked (``evidence``) and already compared with a
baseline (``baseline_state`` / ``suppressed``), so the formats only differ in layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TextIO

from govscan.model import Finding, ScanResult, Severity, place_of

TOOL_NAME = "govscan"
# Where SARIF viewers link the tool name to; change it here if the project moves.
INFORMATION_URI = "https://github.com/govscan/govscan"

# Highest first: the order summaries and text reports list severities in.
SEVERITIES_DESC: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))


class Reporter(Protocol):
    """One output format; plugins offer instances through the ``govscan_reporters`` hook."""

    name: str
    media_type: str

    def render(self, result: ScanResult, out: TextIO) -> None:
        """Write the whole report for ``result`` to ``out``."""
        ...


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Stable report order: by uri, most severe first, then rule id and place.

    Line and fingerprint only break ties, so two runs over the same input print identically.
    """
    return sorted(
        findings,
        key=lambda f: (
            f.location.uri,
            -int(f.severity),
            f.rule_id,
            place_of(f.location),
            f.location.line or 0,
            f.fingerprint,
        ),
    )


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts of open (not baselined) findings per severity label, most severe first, zeros kept."""
    counts = {s.label: 0 for s in SEVERITIES_DESC}
    for finding in findings:
        if not finding.suppressed:
            counts[finding.severity.label] += 1
    return counts
