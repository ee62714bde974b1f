"""A portal's HTTP grade, Mozilla HTTP Observatory style, from the http rules that fired.

Observatory starts at 100 and subtracts a modifier per failed test (scoring.md of
mozilla/http-observatory; bonuses are not awarded here). Each govscan rule maps to the
Observatory test it stands for; a rule counts once per site however many pages show it. A site
that does not answer over HTTPS at all gets F: every header protection is moot over cleartext.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from govscan.model import Finding, Severity

PENALTIES: dict[str, int] = {
    "http.header.csp-missing": 25,
    "http.header.csp-unsafe": 20,
    "http.cookie.secure-missing": 40,
    "http.cookie.httponly-missing": 30,
    "http.cookie.samesite-missing": 20,
    "http.header.cors-wildcard-credentials": 50,
    "http.transport.no-https-redirect": 20,
    "http.header.referrer-policy-missing": 5,
    "http.header.hsts-missing": 20,
    "http.header.hsts-short": 10,
    "http.header.content-type-options-missing": 5,
    "http.header.frame-options-missing": 20,
}
NO_HTTPS = "http.transport.no-https"
MIXED_CONTENT = "http.transport.mixed-content"  # scripts over http: -50 (SRI test); passive only: -10
GRADES = [(100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"), (50, "C"),
          (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F")]  # fmt: skip


@dataclass(frozen=True)
class HttpGrade:
    score: int
    letter: str
    failed: tuple[str, ...]  # rule ids that cost points


def http_grade(findings: Iterable[Finding], https: bool) -> HttpGrade:
    findings = list(findings)
    if not https:
        failed = tuple(sorted({f.rule_id for f in findings if f.rule_id == NO_HTTPS})) or ("no HTTPS",)
        return HttpGrade(0, "F", failed)  # the http.transport.no-https finding says why, when HTTPS was tried
    penalties: dict[str, int] = {}
    for finding in findings:
        if finding.rule_id in PENALTIES:
            penalties[finding.rule_id] = PENALTIES[finding.rule_id]
        elif finding.rule_id == MIXED_CONTENT:
            cost = 50 if finding.severity >= Severity.HIGH else 10
            penalties[MIXED_CONTENT] = max(cost, penalties.get(MIXED_CONTENT, 0))
    score = max(0, 100 - sum(penalties.values()))
    letter = next(grade for floor, grade in GRADES if score >= floor)
    return HttpGrade(score, letter, tuple(sorted(penalties)))
