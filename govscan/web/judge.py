"""Judge a site: every ``http`` rule's check over the unit it names, as findings.

Where a finding sits decides its identity, so it is chosen per scope: site rules at the origin
(``https://host/``), page rules at the page URL (one finding per page), cookie rules at the
origin with the cookie *name* in the fingerprint (one finding per cookie, wherever it was set).
The findings themselves are built by the one judge, :mod:`govscan.rules.judge`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from govscan import plugins
from govscan.model import Finding
from govscan.rules import RuleSet
from govscan.rules.judge import Hit, Overrides, finding, lookup, params
from govscan.rules.spec import RuleSpec
from govscan.web.checks import HttpCheck
from govscan.web.facts import SiteFacts


def judge_site(facts: SiteFacts, rules: RuleSet, key: bytes, overrides: Overrides | None = None) -> list[Finding]:
    """Findings of every http rule on one site; ``overrides`` maps a rule id to extra params."""
    findings: list[Finding] = []
    registry = plugins.http_checks()
    for rule in rules.of_kind("http"):
        assert rule.http is not None
        spec: HttpCheck = lookup(registry, rule, rule.http.check, "HTTP check")
        given = params(rule, rule.http.params, overrides)
        if spec.scope == "site":
            hit = spec.fn(facts, given)
            if hit is not None:
                findings.append(finding(rule, hit, facts.origin, key))
        elif spec.scope == "page":
            done: set[str] = set()
            for page in facts.pages:
                uri = page.response.where
                if uri in done:
                    continue
                done.add(uri)
                hit = spec.fn(page, given)
                if hit is not None:
                    findings.append(finding(rule, hit, uri, key))
        else:
            findings.extend(_cookie_findings(rule, spec, facts, given, key))
    return findings


def _cookie_findings(
    rule: RuleSpec, spec: HttpCheck, facts: SiteFacts, given: dict[str, Any], key: bytes
) -> list[Finding]:
    """One finding per cookie name; ``count`` is how many Set-Cookie lines of that name failed."""
    by_name: dict[str, tuple[Hit, int]] = {}
    for cookie in facts.cookies():
        hit = spec.fn(cookie, given)
        if hit is None:
            continue
        first, count = by_name.get(cookie.name, (hit, 0))
        by_name[cookie.name] = (first, count + 1)
    return [
        finding(rule, replace(hit, count=count), facts.origin, key, value=name)
        for name, (hit, count) in by_name.items()
    ]
