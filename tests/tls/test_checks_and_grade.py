"""Verdicts and grades on hand-built facts: no network, every rule of the rubric in isolation."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.tls import checks
from govscan.tls.audit import judge
from govscan.tls.facts import Certificate, Endpoint, Suite, TlsFacts, Trust
from govscan.tls.grade import grade
from govscan.tls.targets import TargetError, parse_target, read_targets

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
GOOD_SUITES = (
    Suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "tls1.2", 256, ephemeral_type="ECDH", ephemeral_size=256),
    Suite("TLS_AES_256_GCM_SHA384", "tls1.3", 256, ephemeral_type="ECDH", ephemeral_size=256),
)


def cert(**changes: object) -> Certificate:
    base = Certificate(
        subject="CN=portal.gov.kz",
        issuer="CN=Public CA,O=Example,C=US",
        not_before=NOW - dt.timedelta(days=30),
        not_after=NOW + dt.timedelta(days=300),
        key_type="RSA",
        key_size=2048,
        signature_hash="sha256",
        san_dns=("portal.gov.kz", "*.portal.gov.kz"),
        sha256="ab" * 32,
    )
    return dataclasses.replace(base, **changes)


def facts(**changes: object) -> TlsFacts:
    base = TlsFacts(
        endpoint=Endpoint("portal.gov.kz"),
        scanned_at=NOW,
        protocols={"ssl2": False, "ssl3": False, "tls1.0": False, "tls1.1": False, "tls1.2": True, "tls1.3": True},
        suites=GOOD_SUITES,
        chain=(cert(),),
        trust=(Trust("Mozilla", True),),
        secure_renegotiation=True,
        hsts_tested=True,
        hsts_max_age=63072000,
    )
    return dataclasses.replace(base, **changes)


def rule_ids(f: TlsFacts) -> set[str]:
    return {x.rule_id for x in judge(f, load_rules(plugins=False), load_secret(), {"tls.cert.expired": {"now": NOW}})}


def test_a_well_configured_endpoint_has_no_findings_and_an_a_plus() -> None:
    assert rule_ids(facts()) - {"tls.cert.expiring"} == set()
    assert grade(facts()).letter == "A+"


def test_tls10_caps_at_b() -> None:
    f = facts(protocols={**facts().protocols, "tls1.0": True})
    assert grade(f).letter == "B"
    assert "tls.protocol.tls10" in rule_ids(f)


def test_no_forward_secrecy_caps_at_b_and_is_reported() -> None:
    f = facts(
        suites=(Suite("TLS_RSA_WITH_AES_128_GCM_SHA256", "tls1.2", 128),),
        protocols={**facts().protocols, "tls1.3": False},
    )
    assert grade(f).letter == "B"
    assert "tls.cipher.no-forward-secrecy" in rule_ids(f)


def test_rc4_with_modern_protocols_caps_at_c() -> None:
    f = facts(
        suites=(
            *GOOD_SUITES,
            Suite("TLS_ECDHE_RSA_WITH_RC4_128_SHA", "tls1.2", 128, ephemeral_type="ECDH", ephemeral_size=256),
        )
    )
    assert grade(f).letter == "C"
    assert "tls.cipher.rc4" in rule_ids(f)


def test_heartbleed_is_an_f_and_critical() -> None:
    f = facts(heartbleed=True)
    assert grade(f).letter == "F"
    assert "tls.vuln.heartbleed" in rule_ids(f)


def test_missing_tls13_is_a_warning_turning_a_into_a_minus() -> None:
    f = facts(protocols={**facts().protocols, "tls1.3": False}, suites=GOOD_SUITES[:1])
    assert grade(f).letter == "A-"


def test_short_hsts_gives_no_a_plus() -> None:
    assert grade(facts(hsts_max_age=None)).letter == "A"


def test_name_mismatch_is_m_and_untrusted_is_t_with_the_grade_if_trusted() -> None:
    mismatch = facts(endpoint=Endpoint("other.gov.kz"))
    assert grade(mismatch).letter == "M"
    untrusted = facts(trust=(Trust("Mozilla", False, "validation failed: candidates exhausted"),))
    g = grade(untrusted)
    assert g.letter == "T" and g.if_trusted == "A+"


def test_wildcards_match_one_label_only() -> None:
    leaf = cert()
    assert checks.matches_hostname(leaf, "www.portal.gov.kz")
    assert not checks.matches_hostname(leaf, "a.b.portal.gov.kz")


def test_national_ca_issuer_is_named_in_the_untrusted_finding() -> None:
    nca = "CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA),C=KZ"
    f = facts(chain=(cert(issuer=nca, issuer_country="KZ"),), trust=(Trust("Mozilla", False, "candidates exhausted"),))
    hit = checks.cert_untrusted(f, {})
    assert hit is not None and "national CA" in hit.evidence and "ҰЛТТЫҚ" in hit.evidence


def test_an_interception_root_is_critical_and_never_trusted_even_when_configured() -> None:
    root = cert(subject="CN=Qaznet Trust Network", issuer="CN=Qaznet Trust Network", self_signed=True, is_ca=True)
    f = facts(
        chain=(cert(issuer="CN=Qaznet Trust Network"), root), trust=(Trust("operator bundle", True, configured=True),)
    )
    assert "tls.cert.interception-root" in rule_ids(f)
    rules = load_rules(plugins=False)
    assert rules["tls.cert.interception-root"].severity == "critical"
    assert grade(f).letter == "T"


def test_an_expired_certificate_from_a_public_ca_is_expired_not_untrusted() -> None:
    f = facts(
        chain=(cert(not_after=NOW - dt.timedelta(days=2)),),
        trust=(Trust("Mozilla", False, "validation failed: cert is not valid at validation time"),),
    )
    found = rule_ids(f)
    assert "tls.cert.expired" in found and "tls.cert.untrusted" not in found


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("portal.gov.kz", "portal.gov.kz", 443),
        ("Portal.gov.kz:8443", "portal.gov.kz", 8443),
        ("https://egov.kz/x", "egov.kz", 443),
        ("[::1]:4443", "::1", 4443),
        ("10.0.0.5", "10.0.0.5", 443),
    ],
)
def test_targets_are_parsed(text: str, host: str, port: int) -> None:
    endpoint = parse_target(text)
    assert (endpoint.host, endpoint.port) == (host, port)


@pytest.mark.parametrize("text", ["host:99999", "host:abc", "two words"])
def test_bad_targets_are_refused(text: str) -> None:
    with pytest.raises(TargetError):
        parse_target(text)


def test_target_files_skip_comments_and_blanks() -> None:
    assert read_targets(["# list", "", "a.kz  # main", "b.kz:8443"]) == ["a.kz", "b.kz:8443"]


def test_a_batch_past_its_deadline_becomes_errors_and_the_scan_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from govscan.tls import runner
    from govscan.tls.collect import ScanSettings

    def slow(batch, settings):
        time.sleep(30)
        return iter(())

    # Forked workers inherit the patched module global; only runner._scan_batch is pickled.
    monkeypatch.setattr(runner, "scan_endpoints", slow)
    started = time.monotonic()
    results = list(
        runner.run(
            [Endpoint("a.test"), Endpoint("b.test")], ScanSettings(), workers=2, batch_size=1, endpoint_timeout=0.5
        )
    )
    assert time.monotonic() - started < 10
    assert sorted(r.endpoint.host for r in results) == ["a.test", "b.test"]
    assert all("did not finish" in (r.error or "") for r in results)
