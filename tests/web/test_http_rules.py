"""Every bundled http rule fires on a hand-made bad site and stays quiet on a hardened one.

Sites are built from ``Response``/``Page`` objects (no network): a hardened baseline, then one
change per case. Findings must have stable fingerprints and never carry a cookie value.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest

from govscan import plugins
from govscan.model import Severity
from govscan.net.model import Form, FormField, Page, Response
from govscan.rules import RuleSet, load_rules
from govscan.rules.judge import UnknownCheck
from govscan.rules.spec import RuleSpec
from govscan.web.facts import SiteFacts
from govscan.web.judge import judge_site

KEY = b"test-key"
ORIGIN = "https://portal.gov.kz/"
SECRET = "s3cr3t-Value-0xDEADBEEF"

HARDENED = (
    ("Content-Type", "text/html; charset=utf-8"),
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
    ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-r4nd0m'; frame-ancestors 'self'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Server", "nginx"),
    ("Set-Cookie", f"PHPSESSID={SECRET}; Path=/; Secure; HttpOnly; SameSite=Lax"),
    ("Set-Cookie", "lang=ru; Path=/"),  # not a session cookie: no cookie rule applies
)
BODY = b"""<html><head><script src="/app.js"></script><link rel="stylesheet" href="https://cdn.gov.kz/a.css">
</head><body><img src="//cdn.gov.kz/logo.png"><form action="/apply" method="post">
<input name="iin"><input type="tel" name="contact"></form></body></html>"""
PD_FORM = Form(
    page_url=ORIGIN + "apply",
    action=ORIGIN + "apply",
    method="post",
    fields=(FormField("iin", label="ИИН"), FormField("contact", "tel", "Телефон"), FormField("go", "submit")),
)


def response(
    url: str = ORIGIN, headers: tuple[tuple[str, str], ...] = HARDENED, body: bytes = BODY, **kw: object
) -> Response:
    return Response(url=url, status=kw.pop("status", 200), headers=headers, body=body, **kw)  # type: ignore[arg-type]


def page(url: str = ORIGIN + "apply", *, forms: tuple[Form, ...] = (PD_FORM,), **kw: object) -> Page:
    return Page(response=response(url, **kw), depth=1, forms=list(forms), subresources=["https://cdn.gov.kz/a.css"])


def hardened(**changes: object) -> SiteFacts:
    base = SiteFacts(
        origin=ORIGIN,
        landing=response(),
        plain=Response("http://portal.gov.kz/", 301, (("Location", "https://portal.gov.kz/"),)),
        pages=(Page(response(), 0), page()),
        cors_probe=response(headers=(("Access-Control-Allow-Origin", "https://portal.gov.kz"),)),
        probe_origin="https://govscan-probe.invalid",
    )
    return dataclasses.replace(base, **changes)


def with_headers(*replace: tuple[str, str | None]) -> SiteFacts:
    """The hardened site with landing headers replaced (value None drops the header)."""
    names = {n.lower() for n, _ in replace}
    headers = tuple(h for h in HARDENED if h[0].lower() not in names) + tuple((n, v) for n, v in replace if v)
    return hardened(landing=response(headers=headers))


def with_cookie(line: str) -> SiteFacts:
    headers = (*HARDENED, ("Set-Cookie", line))
    return hardened(landing=response(headers=headers))


PLAIN = "http://portal.gov.kz/"
NO_TLS = "https://portal.gov.kz/ gave no answer (connection failed: [Errno 111] Connection refused)"


def plain_only(headers: tuple[tuple[str, str], ...] = HARDENED, https_problem: str | None = NO_TLS) -> SiteFacts:
    """A portal served only over plain HTTP, as a crawl of ``http://portal.gov.kz/`` sees it."""
    start = Page(response(PLAIN, headers=headers), 0)
    return SiteFacts.from_pages(
        [start, Page(response(PLAIN + "news", headers=headers), 1)], https_problem=https_problem
    )


Case = tuple[Callable[[], SiteFacts], Callable[[], SiteFacts]]
CASES: dict[str, Case] = {
    "http.transport.no-https": (
        lambda: plain_only(),
        lambda: plain_only(https_problem=None),  # HTTPS not tried (the deadline, robots.txt): nothing proven
    ),
    "http.transport.no-https-redirect": (
        lambda: hardened(plain=Response("http://portal.gov.kz/", 200, body=b"<html>welcome</html>")),
        lambda: hardened(plain=None),
    ),
    "http.transport.mixed-content": (
        lambda: hardened(pages=(Page(response(body=b'<img src="http://cdn.gov.kz/x.png">'), 0),)),
        lambda: hardened(
            pages=(Page(response(url="http://portal.gov.kz/old", body=b'<img src="http://x/y.png">'), 0),)
        ),
    ),
    "http.header.hsts-missing": (
        lambda: with_headers(("Strict-Transport-Security", None)),
        lambda: with_headers(("Strict-Transport-Security", "max-age=100")),  # short, not missing
    ),
    "http.header.hsts-short": (
        lambda: with_headers(("Strict-Transport-Security", "max-age=86400; includeSubDomains")),
        lambda: with_headers(("Strict-Transport-Security", "max-age=15768000")),
    ),
    "http.header.csp-missing": (
        lambda: with_headers(("Content-Security-Policy", None)),
        lambda: hardened(
            landing=response(
                headers=tuple(h for h in HARDENED if h[0] != "Content-Security-Policy"),
                body=b"<meta http-equiv='Content-Security-Policy' content=\"default-src 'self'\">",
            )
        ),
    ),
    "http.header.csp-unsafe": (
        lambda: with_headers(("Content-Security-Policy", "default-src 'self' 'unsafe-inline' 'unsafe-eval'")),
        lambda: with_headers(("Content-Security-Policy", "script-src 'unsafe-inline' 'sha256-abc=' 'self'")),
    ),
    "http.header.frame-options-missing": (
        lambda: with_headers(("X-Frame-Options", None), ("Content-Security-Policy", "default-src 'self'")),
        lambda: with_headers(("X-Frame-Options", None)),  # frame-ancestors in the CSP header is enough
    ),
    "http.header.content-type-options-missing": (
        lambda: with_headers(("X-Content-Type-Options", None)),
        lambda: with_headers(("X-Content-Type-Options", " NoSniff ")),
    ),
    "http.header.referrer-policy-missing": (
        lambda: with_headers(("Referrer-Policy", "unsafe-url")),
        lambda: with_headers(("Referrer-Policy", "unsafe-url, no-referrer")),  # the last known token wins
    ),
    "http.header.cors-wildcard-credentials": (
        lambda: hardened(
            cors_probe=response(
                headers=(
                    ("Access-Control-Allow-Origin", "https://govscan-probe.invalid"),
                    ("Access-Control-Allow-Credentials", "true"),
                )
            )
        ),
        lambda: hardened(cors_probe=response(headers=(("Access-Control-Allow-Origin", "*"),))),  # public, no creds
    ),
    "http.cookie.secure-missing": (
        lambda: with_cookie(f"JSESSIONID={SECRET}; Path=/; HttpOnly; SameSite=Strict"),
        lambda: with_cookie(f"_ga={SECRET}; Path=/"),  # analytics: not judged
    ),
    "http.cookie.httponly-missing": (
        lambda: with_cookie(f"ASP.NET_SessionId={SECRET}; secure; samesite=lax"),
        lambda: with_cookie(f"csrftoken={SECRET}; Secure; SameSite=Lax"),  # scripts must read CSRF cookies
    ),
    "http.cookie.samesite-missing": (
        lambda: with_cookie(f"auth_token={SECRET}; Secure; HttpOnly"),
        lambda: with_cookie(f"auth_token={SECRET}; SECURE; HTTPONLY; SAMESITE=STRICT"),
    ),
    "http.disclosure.server-version": (
        lambda: with_headers(("Server", "Apache/2.4.41 (Ubuntu)")),
        lambda: with_headers(("Server", "Apache")),
    ),
    "http.disclosure.powered-by": (
        lambda: with_headers(("X-Powered-By", "PHP/7.4.3")),
        lambda: with_headers(("X-Powered-By", "")),
    ),
    "http.form.personal-data-over-http": (
        lambda: hardened(pages=(page(forms=(dataclasses.replace(PD_FORM, action="http://portal.gov.kz/apply"),)),)),
        lambda: hardened(
            pages=(
                page(
                    "http://portal.gov.kz/search",
                    forms=(Form("http://portal.gov.kz/search", "", "get", (FormField("q"),)),),
                ),
            )
        ),
    ),
}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(plugins=False)


def ids(findings: list) -> set[str]:
    return {f.rule_id for f in findings}


def test_every_http_rule_has_a_case_and_a_registered_check(rules: RuleSet) -> None:
    http_rules = rules.of_kind("http")
    assert {r.id for r in http_rules} == set(CASES)
    for rule in http_rules:
        assert rule.http is not None and rule.http.check in plugins.http_checks(), rule.id
        assert rule.compliance and rule.references and rule.remediation and rule.risk, rule.id
        assert any(c.startswith("kz-pdl:") for c in rule.compliance), rule.id


def test_a_hardened_site_yields_no_findings(rules: RuleSet) -> None:
    assert judge_site(hardened(), rules, KEY) == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_hits_the_bad_case(rules: RuleSet, rule_id: str) -> None:
    bad, _ = CASES[rule_id]
    found = [f for f in judge_site(bad(), rules, KEY) if f.rule_id == rule_id]
    assert found, rule_id
    for finding in found:
        assert finding.evidence and finding.fingerprint and finding.compliance
        assert finding.severity >= rules[rule_id].level


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_misses_the_good_case(rules: RuleSet, rule_id: str) -> None:
    _, good = CASES[rule_id]
    assert rule_id not in ids(judge_site(good(), rules, KEY))


def test_cookie_values_never_appear_in_findings(rules: RuleSet) -> None:
    landing = response(
        headers=(
            ("Set-Cookie", f"sessionid={SECRET}; Path=/"),
            ("Set-Cookie", f"refresh_token={SECRET}; Expires=Wed, 21 Oct 2037 07:28:00 GMT"),
        )
    )
    findings = judge_site(hardened(landing=landing), rules, KEY)
    assert {"http.cookie.secure-missing", "http.cookie.httponly-missing"} <= ids(findings)
    dump = json.dumps([f.as_dict() for f in findings], ensure_ascii=False)
    assert SECRET not in dump and "sessionid" in dump and "refresh_token" in dump


def test_one_finding_per_cookie_name_with_its_own_fingerprint(rules: RuleSet) -> None:
    landing = response(headers=(("Set-Cookie", "sessionid=a"), ("Set-Cookie", "XSRF-TOKEN=b; Secure")))
    again = response(url=ORIGIN + "other", headers=(("Set-Cookie", "sessionid=c"),))
    facts = hardened(landing=landing, pages=(Page(again, 1),))
    secure = [f for f in judge_site(facts, rules, KEY) if f.rule_id == "http.cookie.secure-missing"]
    assert sorted(f.evidence for f in secure) == ["session cookie sessionid set without Secure"]
    assert secure[0].count == 2 and secure[0].location.uri == ORIGIN
    samesite = [f for f in judge_site(facts, rules, KEY) if f.rule_id == "http.cookie.samesite-missing"]
    assert len(samesite) == 2 and len({f.fingerprint for f in samesite}) == 2


def test_fingerprints_are_stable_and_ignore_the_evidence(rules: RuleSet) -> None:
    def server(value: str) -> str:
        facts = with_headers(("Server", value))
        (finding,) = [f for f in judge_site(facts, rules, KEY) if f.rule_id == "http.disclosure.server-version"]
        return finding.fingerprint

    assert server("nginx/1.18.0") == server("nginx/1.18.0") == server("nginx/1.24.0")
    other_key = judge_site(with_headers(("Server", "nginx/1.18.0")), rules, b"other")
    assert server("nginx/1.18.0") not in {f.fingerprint for f in other_key}


def test_page_rules_report_once_per_page_url(rules: RuleSet) -> None:
    bad = dataclasses.replace(PD_FORM, action="http://portal.gov.kz/apply")
    pages = (
        page(ORIGIN + "a", forms=(bad,)),
        page(ORIGIN + "a", forms=(bad,)),  # crawled twice
        page(ORIGIN + "b", forms=(bad, bad)),
    )
    found = [
        f for f in judge_site(hardened(pages=pages), rules, KEY) if f.rule_id == "http.form.personal-data-over-http"
    ]
    assert sorted((f.location.uri, f.count) for f in found) == [(ORIGIN + "a", 1), (ORIGIN + "b", 2)]
    assert found[0].severity == Severity.HIGH and "iin" in found[0].evidence and "contact" in found[0].evidence


def test_active_mixed_content_is_reported_at_high_severity(rules: RuleSet) -> None:
    body = b'<script src="http://cdn.example.kz/jq.js?key=abc"></script><img src="http://cdn.example.kz/a.png">'
    facts = hardened(pages=(Page(response(body=body), 0),))
    (finding,) = [f for f in judge_site(facts, rules, KEY) if f.rule_id == "http.transport.mixed-content"]
    assert finding.severity == Severity.HIGH and finding.count == 2
    assert "1 active (script)" in finding.evidence and "key=abc" not in finding.evidence
    passive = hardened(pages=(Page(response(body=b'<img src="http://cdn.example.kz/a.png">'), 0),))
    (finding,) = [f for f in judge_site(passive, rules, KEY) if f.rule_id == "http.transport.mixed-content"]
    assert finding.severity == Severity.MEDIUM


def test_site_rules_sit_at_the_origin(rules: RuleSet) -> None:
    findings = judge_site(with_headers(("X-Content-Type-Options", None)), rules, KEY)
    assert [f.location.uri for f in findings] == [ORIGIN]


def test_overrides_change_params_per_rule(rules: RuleSet) -> None:
    facts = with_headers(("Strict-Transport-Security", "max-age=31536000"))
    assert "http.header.hsts-short" not in ids(judge_site(facts, rules, KEY))
    stricter = {"http.header.hsts-short": {"min_max_age": 63072000}}
    assert "http.header.hsts-short" in ids(judge_site(facts, rules, KEY, stricter))


def test_an_unknown_check_names_the_rule() -> None:
    rule = RuleSpec.model_validate(
        {
            "id": "http.header.made-up",
            "title": "A header is odd",
            "kind": "http",
            "severity": "low",
            "description": "x",
            "remediation": "y",
            "http": {"check": "no_such_check"},
        }
    )
    with pytest.raises(UnknownCheck, match=r"http\.header\.made-up.*no_such_check"):
        judge_site(hardened(), RuleSet({rule.id: rule}, {}), KEY)


# -- a portal served only over plain HTTP ----------------------------------------------------------


def test_a_plain_http_only_portal_is_told_why_it_has_no_https_and_not_to_redirect(rules: RuleSet) -> None:
    found = {f.rule_id: f for f in judge_site(plain_only(), rules, KEY)}
    assert found["http.transport.no-https"].severity == Severity.HIGH
    assert "Connection refused" in found["http.transport.no-https"].evidence
    assert "http.transport.no-https-redirect" not in found  # there is no HTTPS to redirect to


@pytest.mark.parametrize(
    ("header", "rule_id"),
    [
        ("Content-Security-Policy", "http.header.csp-missing"),
        ("X-Frame-Options", "http.header.frame-options-missing"),
        ("X-Content-Type-Options", "http.header.content-type-options-missing"),
        ("Referrer-Policy", "http.header.referrer-policy-missing"),
    ],
)
def test_header_rules_that_matter_without_tls_judge_the_plain_http_landing_page(
    rules: RuleSet, header: str, rule_id: str
) -> None:
    headers = tuple(h for h in HARDENED if h[0] != header and h[0] != "Content-Security-Policy") + (
        ("Content-Security-Policy", "default-src 'self'"),
    )
    if header == "Content-Security-Policy":
        headers = tuple(h for h in headers if h[0] != header) + (("X-Frame-Options", "DENY"),)
    assert rule_id in ids(judge_site(plain_only(headers), rules, KEY))
    assert rule_id not in ids(judge_site(plain_only(), rules, KEY))


def test_session_cookies_on_a_plain_http_portal_are_judged_for_httponly_and_samesite_not_secure(
    rules: RuleSet,
) -> None:
    headers = (*HARDENED, ("Set-Cookie", f"PHPSESSID={SECRET}; Path=/"))
    found = ids(judge_site(plain_only(tuple(h for h in headers if "Secure" not in h[1])), rules, KEY))
    assert {"http.cookie.httponly-missing", "http.cookie.samesite-missing"} <= found
    assert "http.cookie.secure-missing" not in found  # Secure cannot be set over http: no-https is the finding


def test_hsts_stays_an_https_only_rule(rules: RuleSet) -> None:
    without_hsts = tuple(h for h in HARDENED if h[0] != "Strict-Transport-Security")
    assert not {"http.header.hsts-missing", "http.header.hsts-short"} & ids(
        judge_site(plain_only(without_hsts), rules, KEY)
    )
