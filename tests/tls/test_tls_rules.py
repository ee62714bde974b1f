"""Every TLS rule has a hit and a miss: the endpoint's facts with exactly the flaw, and without it.

Facts are built by hand (``govscan.tls.facts``): most flaws here — SSLv2, export suites,
Heartbleed, ROBOT — cannot be shown by a modern OpenSSL on 127.0.0.1, and the verdict is a
function of the facts alone; ``tests/tls/test_audit_lab.py`` covers the collection from real
servers. Cases go through the facts → findings audit (``audit_endpoint``), so they keep holding
whatever registry or judge module sits behind it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from govscan.identity import load_secret
from govscan.model import Finding
from govscan.rules import load_rules
from govscan.tls.audit import judge
from govscan.tls.facts import Certificate, Endpoint, Suite, TlsFacts, Trust

NOW = dt.datetime.now(dt.UTC)  # the date checks read the clock: cases are built around it
ECDHE_GCM = Suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "tls1.2", 256, ephemeral_type="ECDH", ephemeral_size=256)
TLS13 = Suite("TLS_AES_256_GCM_SHA384", "tls1.3", 256, ephemeral_type="ECDH", ephemeral_size=256)
ECDHE_CBC = Suite("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "tls1.2", 256, ephemeral_type="ECDH", ephemeral_size=256)
RULES = load_rules(plugins=False)
KEY = load_secret()


def leaf(**changes: object) -> Certificate:
    good = Certificate(
        subject="CN=portal.gov.kz",
        issuer="CN=Public CA,O=Example,C=US",
        not_before=NOW - dt.timedelta(days=30),
        not_after=NOW + dt.timedelta(days=300),
        key_type="RSA",
        key_size=2048,
        signature_hash="sha256",
        san_dns=("portal.gov.kz",),
        sha256="ab" * 32,
    )
    return dataclasses.replace(good, **changes)


def facts(**changes: object) -> TlsFacts:
    """A well-run endpoint (TLS 1.2 and 1.3, AEAD and forward secrecy, a trusted RSA 2048 leaf) plus ``changes``."""
    good = TlsFacts(
        endpoint=Endpoint("portal.gov.kz"),
        scanned_at=NOW,
        protocols={"ssl2": False, "ssl3": False, "tls1.0": False, "tls1.1": False, "tls1.2": True, "tls1.3": True},
        suites=(ECDHE_GCM, TLS13),
        chain=(leaf(),),
        trust=(Trust("Mozilla", True),),
        heartbleed=False,
        ccs_injection=False,
        robot="NOT_VULNERABLE_NO_ORACLE",
        compression=False,
        secure_renegotiation=True,
        fallback_scsv=True,
        hsts_tested=True,
        hsts_max_age=63072000,
    )
    return dataclasses.replace(good, **changes)


def offering(*protocols: str) -> dict[str, bool | None]:
    return {p: p in protocols for p in ("ssl2", "ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3")}


def with_suite(suite: Suite) -> TlsFacts:
    return facts(suites=(ECDHE_GCM, TLS13, suite))


def suite(name: str, **kw: object) -> Suite:
    return Suite(name, str(kw.pop("protocol", "tls1.2")), int(kw.pop("key_size", 128)), **kw)  # type: ignore[arg-type]


INTERCEPTION_ROOT = leaf(
    subject="CN=Qaznet Trust Network", issuer="CN=Qaznet Trust Network", self_signed=True, is_ca=True
)

# rule id → (facts with the flaw, facts without it: the nearest good setup)
CASES: dict[str, tuple[Callable[[], TlsFacts], Callable[[], TlsFacts]]] = {
    "tls.protocol.ssl2": (lambda: facts(protocols=offering("ssl2", "tls1.2", "tls1.3")), facts),
    "tls.protocol.ssl3": (lambda: facts(protocols=offering("ssl3", "tls1.2", "tls1.3")), facts),
    "tls.protocol.tls10": (lambda: facts(protocols=offering("tls1.0", "tls1.2", "tls1.3")), facts),
    "tls.protocol.tls11": (lambda: facts(protocols=offering("tls1.1", "tls1.2", "tls1.3")), facts),
    "tls.protocol.no-modern": (
        lambda: facts(
            protocols=offering("tls1.0", "tls1.1"), suites=(dataclasses.replace(ECDHE_CBC, protocol="tls1.0"),)
        ),
        # TLS 1.2 untested (a fast or failed command) is no proof that it is missing
        lambda: facts(protocols={**offering("tls1.0"), "tls1.2": None, "tls1.3": None}),
    ),
    "tls.cipher.null": (lambda: with_suite(suite("TLS_RSA_WITH_NULL_SHA256", key_size=0)), facts),
    "tls.cipher.anonymous": (lambda: with_suite(suite("TLS_DH_anon_WITH_AES_128_GCM_SHA256", anonymous=True)), facts),
    "tls.cipher.export": (lambda: with_suite(suite("TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", key_size=40)), facts),
    "tls.cipher.rc4": (lambda: with_suite(suite("TLS_ECDHE_RSA_WITH_RC4_128_SHA", ephemeral_type="ECDH")), facts),
    "tls.cipher.des": (
        lambda: with_suite(suite("TLS_RSA_WITH_3DES_EDE_CBC_SHA", key_size=168)),
        lambda: with_suite(suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", ephemeral_type="ECDH")),
    ),
    "tls.cipher.weak-dh": (
        lambda: with_suite(suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", ephemeral_type="DH", ephemeral_size=1024)),
        lambda: with_suite(suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", ephemeral_type="DH", ephemeral_size=2048)),
    ),
    "tls.cipher.no-forward-secrecy": (
        lambda: facts(protocols=offering("tls1.2"), suites=(suite("TLS_RSA_WITH_AES_128_GCM_SHA256"),)),
        lambda: facts(protocols=offering("tls1.2"), suites=(suite("TLS_RSA_WITH_AES_128_GCM_SHA256"), ECDHE_GCM)),
    ),
    "tls.cipher.cbc-only-tls12": (
        lambda: facts(suites=(ECDHE_CBC, TLS13)),
        lambda: facts(suites=(ECDHE_CBC, ECDHE_GCM, TLS13)),
    ),
    "tls.cert.expired": (
        lambda: facts(chain=(leaf(not_after=NOW - dt.timedelta(days=1)),)),
        lambda: facts(chain=(leaf(not_after=NOW + dt.timedelta(days=1)),)),
    ),
    "tls.cert.expiring": (
        lambda: facts(chain=(leaf(not_after=NOW + dt.timedelta(days=10)),)),
        lambda: facts(chain=(leaf(not_after=NOW + dt.timedelta(days=45)),)),
    ),
    "tls.cert.not-yet-valid": (
        lambda: facts(chain=(leaf(not_before=NOW + dt.timedelta(days=2)),)),
        lambda: facts(chain=(leaf(not_before=NOW - dt.timedelta(minutes=5)),)),
    ),
    "tls.cert.hostname-mismatch": (
        lambda: facts(endpoint=Endpoint("www.portal.gov.kz")),
        lambda: facts(endpoint=Endpoint("www.portal.gov.kz"), chain=(leaf(san_dns=("*.portal.gov.kz",)),)),
    ),
    "tls.cert.untrusted": (
        lambda: facts(
            chain=(leaf(issuer="CN=portal.gov.kz", self_signed=True),),
            trust=(Trust("Mozilla", False, "self-signed certificate"),),
        ),
        # trusted by the operator's own anchors (--ca-file): not untrusted
        lambda: facts(
            trust=(Trust("Mozilla", False, "unable to get local issuer"), Trust("ca.pem", True, configured=True))
        ),
    ),
    "tls.cert.interception-root": (
        lambda: facts(chain=(leaf(issuer="CN=Qaznet Trust Network"), INTERCEPTION_ROOT)),
        lambda: facts(chain=(leaf(), leaf(subject="CN=Public CA,O=Example,C=US", self_signed=True, is_ca=True))),
    ),
    "tls.cert.weak-key": (
        lambda: facts(chain=(leaf(key_size=1024),)),
        lambda: facts(chain=(leaf(key_type="EC", key_size=256),)),
    ),
    "tls.cert.weak-signature": (
        lambda: facts(chain=(leaf(signature_hash="sha1"),)),
        # a self-signed root's own signature is never checked by clients
        lambda: facts(chain=(leaf(), leaf(subject="CN=Old Root", self_signed=True, is_ca=True, signature_hash="sha1"))),
    ),
    "tls.vuln.heartbleed": (lambda: facts(heartbleed=True), facts),
    "tls.vuln.ccs-injection": (lambda: facts(ccs_injection=True), facts),
    "tls.vuln.compression": (lambda: facts(compression=True), facts),
    "tls.vuln.robot": (
        lambda: facts(robot="VULNERABLE_STRONG_ORACLE"),
        lambda: facts(robot="UNKNOWN_INCONSISTENT_RESULTS"),
    ),
    "tls.vuln.insecure-renegotiation": (
        lambda: facts(secure_renegotiation=False),
        lambda: facts(secure_renegotiation=None),  # not tested (fast profile): no verdict
    ),
    "tls.vuln.no-downgrade-protection": (
        lambda: facts(fallback_scsv=False),
        lambda: facts(fallback_scsv=None),
    ),
    "tls.mozilla.certificate": (
        lambda: facts(mozilla_issues={"maximum_certificate_lifespan": "398 days allowed, 825 found"}),
        lambda: facts(mozilla_issues={"ciphers": "ECDHE-RSA-AES128-SHA must not be offered"}),
    ),
    "tls.mozilla.ciphers": (
        lambda: facts(mozilla_issues={"ciphers": "ECDHE-RSA-AES128-SHA must not be offered"}),
        lambda: facts(mozilla_issues={"tls_curves": "X448 missing"}),
    ),
    "tls.mozilla.curves": (
        lambda: facts(mozilla_issues={"tls_curves": "X448 missing"}),
        lambda: facts(mozilla_issues={"tls_versions": "TLSv1.0 must not be offered"}),
    ),
    "tls.mozilla.dh-params": (
        lambda: facts(mozilla_issues={"dh_param_size": "2048 bits required, 1024 found"}),
        lambda: facts(mozilla_issues={"certificate_types": "rsa expected"}),
    ),
    "tls.mozilla.versions": (
        lambda: facts(mozilla_issues={"tls_versions": "TLSv1.0 must not be offered"}),
        lambda: facts(mozilla_issues={"dh_param_size": "2048 bits required, 1024 found"}),
    ),
}


def audit_endpoint(endpoint: TlsFacts) -> list[Finding]:
    """The one entry these cases use: an endpoint's facts judged against the shipped tls rules."""
    return judge(endpoint, RULES, KEY)


def test_every_tls_rule_has_a_hit_and_a_miss_case() -> None:
    assert set(CASES) == {rule.id for rule in RULES.of_kind("tls")}


def test_the_good_endpoint_has_no_finding_at_all() -> None:
    assert audit_endpoint(facts()) == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_hit(rule_id: str) -> None:
    bad, _ = CASES[rule_id]
    (finding,) = [f for f in audit_endpoint(bad()) if f.rule_id == rule_id]
    assert finding.location.uri == "tls://portal.gov.kz:443" or finding.location.uri.startswith("tls://www.")
    assert finding.evidence and finding.severity == RULES[rule_id].level and finding.compliance


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_miss(rule_id: str) -> None:
    _, good = CASES[rule_id]
    assert rule_id not in {f.rule_id for f in audit_endpoint(good())}
