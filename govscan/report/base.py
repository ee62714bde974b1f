"""What every reporter receives and the small helpers they share.

A reporter is a pure function of a :class:`ScanResult`: it never reads files, re-runs detection
or looks at raw values. Findings arrive already masked (``evidence``) and already compared with a
baseline (``baseline_state`` / ``suppressed``), so the formats only differ in layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TextIO

from govscan.model import Field, Finding, Location, ReadError, Severity
from govscan.redact import public_json, public_uri
from govscan.rules.loader import RuleSet

TOOL_NAME = "govscan"
# Where SARIF viewers link the tool name to; change it here if the project moves.
INFORMATION_URI = "https://github.com/govscan/govscan"

# Highest first: the order summaries and text reports list severities in.
SEVERITIES_DESC: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))


@dataclass(frozen=True)
class ScanResult:
    """Everything one ``check`` run produced, as the reporters need it.

    ``scanned`` holds the uris that were read (assets, including archive members), ``errors`` the
    inputs that could not be read; ``rules`` is the whole loaded rule set, so formats that
    document rules (SARIF) can list every rule, not only the ones that fired.
    """

    findings: list[Finding]
    errors: list[ReadError]
    rules: RuleSet
    inputs: list[str]
    tool_version: str
    started_at: datetime
    finished_at: datetime
    scanned: list[str]
    baseline_path: str | None = None
    endpoints: list[dict[str, Any]] = field(default_factory=list)  # TLS audits: one summary each
    ner_cut: dict[str, int] = field(default_factory=dict)  # uri -> characters read without name NER (budget)

    def __post_init__(self) -> None:
        # Findings and errors arrive masked (model.py); what the command was given and the TLS
        # summaries (certificate subjects, sslyze's raw result) are masked here.
        object.__setattr__(self, "inputs", [public_uri(i) for i in self.inputs])
        object.__setattr__(self, "scanned", [public_uri(s) for s in self.scanned])
        object.__setattr__(self, "endpoints", public_json(self.endpoints))
        object.__setattr__(self, "ner_cut", {public_uri(uri): chars for uri, chars in self.ner_cut.items()})

    @property
    def baseline_applied(self) -> bool:
        """True when findings were compared with a baseline, so baseline fields mean something."""
        return self.baseline_path is not None or any(f.baseline_state is not None for f in self.findings)

    @property
    def open_findings(self) -> list[Finding]:
        """Findings a baseline did not accept: the ones that count."""
        return [f for f in self.findings if not f.suppressed]

    @property
    def failed_uris(self) -> list[str]:
        """Inputs that could not be read, each once, in first-seen order."""
        return list(dict.fromkeys(e.uri for e in self.errors))


class Reporter(Protocol):
    """One output format; plugins offer instances through the ``govscan_reporters`` hook."""

    name: str
    media_type: str

    def render(self, result: ScanResult, out: TextIO) -> None:
        """Write the whole report for ``result`` to ``out``."""
        ...


def place_of(location: Location) -> str:
    """The place inside the asset as one string (``Лист1!ИИН``, ``items[*].phone``, ``text``).

    Same spelling as :attr:`govscan.model.Field.label`, so text reports, baselines and sort
    order agree with what readers call the field.
    """
    if location.uri.startswith("tls://"):
        return "endpoint"  # a TLS finding is about the whole service, not a place inside it
    return Field(location.sheet, location.column, location.column_index, location.json_path).label


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
