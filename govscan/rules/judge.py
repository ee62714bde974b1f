"""One judge: how a rule's verdict becomes a finding, for TLS, HTTP, probe and PII rules alike.

A check (a TLS or HTTP function, a probe's matchers, a recognizer's tally) answers ``None`` or a
:class:`Hit`; :func:`finding` turns the hit into the ``Finding`` every report shows. Parameters
come from the rule file, and operators override them by *rule id* (:func:`params`): one key for
every kind of rule, the one suppressions and baselines use too.

Where a finding sits decides its identity, so callers say where (``location``) and, when it
differs, what the fingerprint is keyed on (``at``: a probe's site root, not the path that proved
it). Evidence never enters the fingerprint: a changed banner or date stays the same finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from govscan.identity import fingerprint
from govscan.model import Field, Finding, Location, Message, MessageParam, Severity
from govscan.rules.spec import RuleSpec

CONFIDENCE = {"high": 1.0, "medium": 0.7, "low": 0.4}
"""A rule's declared confidence as the finding's number."""

C = TypeVar("C")
Overrides = Mapping[str, Mapping[str, Any]]
"""Extra check parameters by rule id (``{"tls.cert.expiring": {"days": 60}}``)."""


@dataclass(frozen=True)
class Hit:
    """A check that fired: short evidence (masked, never a secret), how many, and a severity raise."""

    evidence: str
    count: int = 1
    severity: Severity | str | None = None  # raises the rule's severity for this finding (active mixed content)
    messages: tuple[Message, ...] = field(default=())  # the evidence as templates, for reports in ru/kk/en

    @classmethod
    def said(cls, evidence: str, message: str, count: int = 1, **params: MessageParam) -> Hit:
        """A hit whose English ``evidence`` is also given as message ``message`` with ``params``."""
        return cls(evidence, count, messages=(Message(message, dict(params)),))


class UnknownCheck(Exception):
    """A rule names a check, recognizer or matcher no plugin registers."""


def lookup(registry: Mapping[str, C], rule: RuleSpec, name: str, what: str) -> C:
    """The check ``rule`` names, or :class:`UnknownCheck` naming the rule and the missing ``what``."""
    found = registry.get(name)
    if found is None:
        raise UnknownCheck(f"rule {rule.id}: no {what} named {name!r}")
    return found


def params(rule: RuleSpec, own: Mapping[str, Any], overrides: Overrides | None) -> dict[str, Any]:
    """The rule file's ``params`` with the operator's overrides for this rule id on top."""
    return {**own, **(overrides or {}).get(rule.id, {})}


def finding(
    rule: RuleSpec,
    hit: Hit,
    location: Location | str,
    key: bytes,
    *,
    at: str | None = None,
    place: Field | None = None,
    value: str = "",
    entity: str | None = None,
    confidence: float | None = None,
    compliance: Iterable[str] = (),
) -> Finding:
    """The finding of ``rule`` for ``hit``.

    ``at``/``place``/``value`` key the fingerprint (default: the location's URI as given, the whole
    asset, nothing more). The fingerprint hashes the raw URI: a ``Location`` masks identifiers when
    it is built, so a caller passing one must pass the raw URI as ``at``, or every fingerprint of a
    file named after an IIN would change; ``confidence`` defaults to the rule's; ``compliance`` ids are added after the
    rule's own (a failed redaction keeps the entity rule's requirements too).
    """
    where = Location(location) if isinstance(location, str) else location
    severity = rule.level
    if hit.severity is not None:
        raised = hit.severity if isinstance(hit.severity, Severity) else Severity.parse(hit.severity)
        severity = max(severity, raised)
    return Finding(
        rule_id=rule.id,
        entity=entity,
        severity=severity,
        title=rule.title,
        location=where,
        count=hit.count,
        evidence=hit.evidence,
        confidence=CONFIDENCE[rule.confidence] if confidence is None else confidence,
        fingerprint=fingerprint(key, rule.id, _raw_uri(location) if at is None else at, place or Field(), value),
        compliance=list(dict.fromkeys([*rule.compliance, *compliance])),
        messages=list(hit.messages),
    )


def _raw_uri(location: Location | str) -> str:
    if isinstance(location, str):
        return location
    raise ValueError("a finding built on a Location needs its raw uri as `at` (the Location's is masked)")
