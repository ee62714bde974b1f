"""One judge for every kind of rule: one Hit, one unknown-check error, overrides keyed by rule id."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

import govscan
from govscan.identity import fingerprint, load_secret
from govscan.model import Field, Location, Severity
from govscan.rules import load_rules
from govscan.rules.judge import Hit, UnknownCheck, finding
from govscan.tls.audit import judge

from ..tls.test_checks_and_grade import NOW, cert, facts

PACKAGE = Path(govscan.__file__).parent


def _expiring_in(days: int):
    return facts(chain=(cert(not_after=NOW + dt.timedelta(days=days)),))


def _tls_ids(f, overrides) -> set[str]:
    return {x.rule_id for x in judge(f, load_rules(plugins=False), load_secret(), overrides)}


def test_tls_overrides_are_keyed_by_rule_id_like_http_ones() -> None:
    soon = _expiring_in(20)
    assert "tls.cert.expiring" in _tls_ids(soon, {"tls.cert.expiring": {"now": NOW}})
    assert "tls.cert.expiring" not in _tls_ids(soon, {"tls.cert.expiring": {"now": NOW, "days": 10}})
    # a check's name is not a rule id: it no longer selects the rule
    assert "tls.cert.expiring" in _tls_ids(soon, {"tls.cert.expiring": {"now": NOW}, "cert_expiring": {"days": 10}})


def test_a_rule_naming_a_check_no_plugin_offers_is_one_error_for_every_kind() -> None:
    rules = load_rules(plugins=False)
    spec = rules["tls.cert.expired"]
    bad_tls = spec.model_copy(update={"tls": spec.tls.model_copy(update={"check": "no_such_check"})})
    ruleset = type(rules)({bad_tls.id: bad_tls}, {})
    with pytest.raises(UnknownCheck, match=r"rule tls\.cert\.expired: no TLS check named 'no_such_check'"):
        judge(facts(), ruleset, load_secret())

    from govscan.pii.detector import build_plans

    pii = rules["pii.kz-iin"]
    bad_pii = pii.model_copy(update={"pii": pii.pii.model_copy(update={"recognizer": "no_such_recognizer"})})
    with pytest.raises(UnknownCheck, match=r"rule pii\.kz-iin: no recognizer named 'no_such_recognizer'"):
        build_plans(type(rules)({bad_pii.id: bad_pii}, {}))


def test_a_finding_carries_the_rule_and_keys_its_identity_on_the_place_not_the_evidence() -> None:
    rule = load_rules(plugins=False)["http.header.csp-missing"]
    key = b"k" * 32
    one = finding(rule, Hit("no CSP"), "https://portal.gov.kz/", key)
    other = finding(rule, Hit("no CSP header at all", count=3), "https://portal.gov.kz/", key)
    assert (one.rule_id, one.title, one.severity, one.entity) == (rule.id, rule.title, rule.level, None)
    assert one.location == Location("https://portal.gov.kz/") and other.count == 3
    assert one.fingerprint == other.fingerprint == fingerprint(key, rule.id, "https://portal.gov.kz/", Field())
    assert one.compliance == list(rule.compliance)


def test_a_hit_may_raise_the_severity_but_never_lower_it() -> None:
    rule = load_rules(plugins=False)["http.header.csp-missing"]
    assert finding(rule, Hit("x", severity="critical"), "https://a.kz/", b"k").severity == Severity.CRITICAL
    assert finding(rule, Hit("x", severity=Severity.INFO), "https://a.kz/", b"k").severity == rule.level


def test_a_probe_finding_sits_at_the_proof_but_is_keyed_on_the_site() -> None:
    rule = load_rules(plugins=False)["exposure.git"]
    found = finding(rule, Hit("/.git/HEAD answered 200"), "https://a.kz/.git/HEAD", b"k", at="https://a.kz/")
    assert found.location.uri == "https://a.kz/.git/HEAD"
    assert found.fingerprint == fingerprint(b"k", rule.id, "https://a.kz/", Field())


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_compliance_loader_builds_on_rule_files_not_on_the_rule_loader() -> None:
    """rules/loader.py → compliance/loader.py → rulefiles.py: one direction, no loop."""
    assert "govscan.rules.loader" not in _imports(PACKAGE / "compliance" / "loader.py")
    assert "govscan.compliance.loader" in _imports(PACKAGE / "rules" / "loader.py")
    assert not {"govscan.rules.loader", "govscan.compliance.loader"} & _imports(PACKAGE / "rulefiles.py")


def test_each_judge_uses_the_one_finding_builder() -> None:
    """No room builds a Finding of a rule by hand: TLS, HTTP, probes and PII all go through the judge."""
    for room in ("tls/audit.py", "web/judge.py", "web/probes.py", "pii/detector.py"):
        tree = ast.parse((PACKAGE / room).read_text(encoding="utf-8"))
        built = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "Finding"]
        assert built == [], room
        assert "govscan.rules.judge" in _imports(PACKAGE / room), room
