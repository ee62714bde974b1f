"""Per-requirement verdicts for one scan: failed, passed, or not tested.

Auditors need the third state: a requirement whose rules never ran (no TLS target configured,
say) must not read as "passed". Reporting decides here; detection never does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from govscan.compliance.spec import Framework, Requirement
from govscan.model import Severity

Status = Literal["failed", "passed", "not_tested"]
STATUSES: tuple[Status, ...] = ("failed", "passed", "not_tested")


@dataclass(frozen=True)
class RequirementStatus:
    """The verdict on one requirement, with the evidence an auditor would ask for."""

    framework_id: str
    requirement: Requirement
    status: Status
    counts: dict[str, int] = field(default_factory=dict, hash=False)  # open findings by severity label
    failing_rules: tuple[str, ...] = ()  # mapped rules with an open finding at or above the threshold
    tested_rules: tuple[str, ...] = ()  # mapped rules that ran in this scan

    @property
    def requirement_id(self) -> str:
        return self.requirement.id

    @property
    def open_findings(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class FrameworkSummary:
    """How many requirements of one framework failed, passed or were not tested."""

    framework_id: str
    failed: int
    passed: int
    not_tested: int

    @property
    def total(self) -> int:
        return self.failed + self.passed + self.not_tested


def evaluate(
    frameworks: Iterable[Framework],
    rules_run: set[str],
    open_findings: Iterable[tuple[str, str]],
    *,
    min_severity: str | Severity = Severity.LOW,
) -> list[RequirementStatus]:
    """Judge every requirement from the rules that ran and the findings still open.

    ``open_findings`` holds ``(rule_id, severity)`` for each finding of the scan whose status is
    open or reopened. A requirement **fails** when one of its rules has such a finding at or above
    ``min_severity``; it **passes** when at least one of its rules ran and none failed; it is
    **not tested** when none ran. Info-level findings (``pii.kz-bin``: "this column holds BINs, not
    personal data") are counted but do not fail a requirement unless ``min_severity="info"``.
    A rule with a finding counts as run even if the caller left it out of ``rules_run``.
    """
    threshold = Severity.parse(min_severity) if isinstance(min_severity, str) else min_severity
    by_rule: dict[str, Counter[str]] = {}
    for rule_id, severity in open_findings:
        by_rule.setdefault(rule_id, Counter())[Severity.parse(severity).label] += 1
    ran = set(rules_run) | set(by_rule)

    statuses: list[RequirementStatus] = []
    for framework in frameworks:
        for req in framework.requirements:
            tested = tuple(sorted(r for r in ran if req.matches(r)))
            counts: Counter[str] = Counter()
            failing: list[str] = []
            for rule_id in tested:
                found = by_rule.get(rule_id)
                if not found:
                    continue
                counts.update(found)
                if any(Severity.parse(label) >= threshold for label in found):
                    failing.append(rule_id)
            status: Status = "failed" if failing else "passed" if tested else "not_tested"
            ordered = {s.label: counts[s.label] for s in sorted(Severity, reverse=True) if counts[s.label]}
            statuses.append(RequirementStatus(framework.id, req, status, ordered, tuple(failing), tested))
    return statuses


def summarize(statuses: Iterable[RequirementStatus]) -> list[FrameworkSummary]:
    """One summary per framework, in the order the frameworks were evaluated."""
    tally: dict[str, Counter[str]] = {}
    for item in statuses:
        tally.setdefault(item.framework_id, Counter())[item.status] += 1
    return [FrameworkSummary(fw, c["failed"], c["passed"], c["not_tested"]) for fw, c in tally.items()]
