"""The portal's HTTP grade: Observatory's modifiers, one per failed test, per site."""

from __future__ import annotations

from govscan.model import Finding, Location, Severity
from govscan.web.grade import http_grade


def finding(rule_id: str, severity: Severity = Severity.MEDIUM, uri: str = "https://p.kz/") -> Finding:
    return Finding(rule_id, None, severity, rule_id, Location(uri), 1, "", 1.0)


def test_a_hardened_site_gets_a_plus() -> None:
    assert http_grade([], https=True).letter == "A+"


def test_each_failed_test_costs_its_modifier_once_per_site() -> None:
    missing_csp_everywhere = [finding("http.header.csp-missing", uri=f"https://p.kz/{n}") for n in range(5)]
    grade = http_grade([*missing_csp_everywhere, finding("http.header.content-type-options-missing")], https=True)
    assert (grade.score, grade.letter) == (70, "B")


def test_scripts_over_http_cost_more_than_images() -> None:
    passive = http_grade([finding("http.transport.mixed-content", Severity.MEDIUM)], https=True)
    active = http_grade([finding("http.transport.mixed-content", Severity.HIGH)], https=True)
    assert (passive.score, active.score) == (90, 50)


def test_a_site_without_https_fails_and_scores_never_go_below_zero() -> None:
    assert http_grade([], https=False).letter == "F"
    everything = [finding(r) for r in ("http.header.cors-wildcard-credentials", "http.cookie.secure-missing",
                                       "http.cookie.httponly-missing", "http.header.csp-missing")]  # fmt: skip
    assert http_grade(everything, https=True).score == 0
