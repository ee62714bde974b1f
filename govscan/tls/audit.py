"""Judge facts: tls rules → findings, plus the endpoint summary (grade, protocols, certificate)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from govscan import plugins
from govscan.model import Finding
from govscan.rules import RuleSet
from govscan.rules.judge import Overrides, finding, lookup, params
from govscan.tls.facts import PROTOCOLS, TlsFacts
from govscan.tls.grade import Grade, grade


def judge(facts: TlsFacts, rules: RuleSet, key: bytes, overrides: Overrides | None = None) -> list[Finding]:
    """Every tls rule whose check hits, as one finding on ``tls://host:port``.

    ``overrides`` maps a rule id to extra params (``{"tls.cert.expiring": {"days": 60}}``).
    """
    findings = []
    registry = plugins.tls_checks()
    for rule in rules.of_kind("tls"):
        assert rule.tls is not None
        check = lookup(registry, rule, rule.tls.check, "TLS check")
        hit = check.fn(facts, params(rule, rule.tls.params, overrides))
        if hit is not None:
            findings.append(finding(rule, hit, facts.endpoint.uri, key))
    return findings


def summary(facts: TlsFacts, the_grade: Grade | None = None) -> dict[str, Any]:
    """The ``endpoints[]`` entry of the JSON report; sslyze's raw result kept as evidence."""
    the_grade = the_grade or grade(facts)
    leaf = facts.leaf
    return {
        "host": facts.endpoint.host,
        "port": facts.endpoint.port,
        "ip": facts.ip,
        "grade": the_grade.letter,
        "grading": the_grade.as_dict(),
        "error": facts.error,
        "protocols": {p: facts.protocols.get(p) for p in PROTOCOLS},
        "certificate": None
        if leaf is None
        else {
            "subject": leaf.subject,
            "issuer": leaf.issuer,
            "not_before": leaf.not_before.isoformat(),
            "not_after": leaf.not_after.isoformat(),
            "key": f"{leaf.key_type} {leaf.key_size}",
            "signature": leaf.signature_hash,
            "san": [*leaf.san_dns, *leaf.san_ip],
            "sha256": leaf.sha256,
        },
        "trust": {
            "publicly_trusted": facts.publicly_trusted,
            "trusted_by_configured_anchors": facts.trusted_by_configured
            if any(t.configured for t in facts.trust)
            else None,
            "stores": [
                {"store": t.store, "trusted": t.trusted, "configured": t.configured, "error": t.error}
                for t in facts.trust
            ],
        },
        "hsts_max_age": facts.hsts_max_age,
        "ocsp_stapling": facts.ocsp_stapling,
        "scanned_at": facts.scanned_at.isoformat(),
        "command_errors": facts.command_errors,
        "sslyze": facts.raw,
    }


def audit(targets: list[str], rules: RuleSet, key: bytes) -> Iterator[tuple[TlsFacts, list[Finding]]]:
    """Collect and judge ``HOST[:PORT]`` targets: each endpoint's facts with its findings (none on error)."""
    from govscan.tls.collect import ScanSettings
    from govscan.tls.runner import run
    from govscan.tls.targets import parse_target

    for facts in run([parse_target(t) for t in targets], ScanSettings()):
        yield facts, ([] if facts.error else judge(facts, rules, key))
