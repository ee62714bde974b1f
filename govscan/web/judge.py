"""Judge a site: every ``http`` rule's check over the unit it names, as findings.

Where a finding sits decides its identity, so it is chosen per scope: site rules at the origin
(``https://host/``), page rules at the page URL (one finding per page), cookie rules at the
origin with the cookie *name* in the fingerprint (one finding per cookie, wherever it was set).
Evidence never enters the fingerprint, so a changed banner or count stays the same finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govscan.identity import fingerprint
from govscan.model import Field, Finding, Location, Severity
from govscan.rules import RuleSet
from govscan.rules.spec import RuleSpec
from govscan.web.checks import HTTP_CHECKS, Hit, HttpCheck
from govscan.web.facts import SiteFacts

CONFIDENCE = {"high": 1.0, "medium": 0.7, "low": 0.4}


class UnknownCheck(Exception):
    pass


def judge_site(
    facts: SiteFacts, rules: RuleSet, key: bytes, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Finding]:
    """Findings of every http rule on one site; ``overrides`` maps a rule id to extra params."""
    findings: list[Finding] = []
    for rule in rules.of_kind("http"):
        assert rule.http is not None
        spec = HTTP_CHECKS.get(rule.http.check)
        if spec is None:
            raise UnknownCheck(f"rule {rule.id}: no HTTP check named {rule.http.check!r}")
        params = {**rule.http.params, **(overrides or {}).get(rule.id, {})}
        if spec.scope == "site":
            hit = spec.fn(facts, params)
            if hit is not None:
                findings.append(_finding(rule, hit, facts.origin, key))
        elif spec.scope == "page":
            done: set[str] = set()
            for page in facts.pages:
                uri = page.response.where
                if uri in done:
                    continue
                done.add(uri)
                hit = spec.fn(page, params)
                if hit is not None:
                    findings.append(_finding(rule, hit, uri, key))
        else:
            findings.extend(_cookie_findings(rule, spec, facts, params, key))
    return findings


def _cookie_findings(
    rule: RuleSpec, spec: HttpCheck, facts: SiteFacts, params: dict[str, Any], key: bytes
) -> list[Finding]:
    """One finding per cookie name; ``count`` is how many Set-Cookie lines of that name failed."""
    by_name: dict[str, tuple[Hit, int]] = {}
    for cookie in facts.cookies():
        hit = spec.fn(cookie, params)
        if hit is None:
            continue
        first, count = by_name.get(cookie.name, (hit, 0))
        by_name[cookie.name] = (first, count + 1)
    return [
        _finding(rule, Hit(hit.evidence, count, hit.severity), facts.origin, key, value=name)
        for name, (hit, count) in by_name.items()
    ]


def _finding(rule: RuleSpec, hit: Hit, uri: str, key: bytes, value: str = "") -> Finding:
    severity = rule.level
    if hit.severity:
        severity = max(severity, Severity.parse(hit.severity))
    return Finding(
        rule_id=rule.id,
        entity=None,
        severity=severity,
        title=rule.title,
        location=Location(uri),
        count=hit.count,
        evidence=hit.evidence,
        confidence=CONFIDENCE[rule.confidence],
        fingerprint=fingerprint(key, rule.id, uri, Field(), value),
        compliance=list(rule.compliance),
    )
