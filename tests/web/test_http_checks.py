"""Parsers and verdicts on hand-made responses: the header and cookie edge cases real portals send."""

from __future__ import annotations

import pytest

from govscan import plugins
from govscan.net.model import Form, FormField, Page, Response
from govscan.rules.judge import Hit
from govscan.web import checks
from govscan.web.facts import (
    SiteFacts,
    origin_of,
    parse_csp,
    parse_hsts,
    parse_set_cookie,
    scan_html,
    split_set_cookie,
)

ORIGIN = "https://portal.gov.kz/"


def landing(*headers: tuple[str, str], body: bytes = b"", url: str = ORIGIN) -> Response:
    return Response(url=url, status=200, headers=(("Content-Type", "text/html"), *headers), body=body)


def site(*headers: tuple[str, str], body: bytes = b"", **kw: object) -> SiteFacts:
    return SiteFacts(ORIGIN, landing(*headers, body=body), **kw)  # type: ignore[arg-type]


def run(name: str, subject: object, **params: object) -> Hit | None:
    return plugins.http_checks()[name].fn(subject, params)


# --- Set-Cookie ------------------------------------------------------------------------------
def test_attribute_names_are_case_insensitive_and_the_value_is_not_kept() -> None:
    cookie = parse_set_cookie("SID=abc123; path=/; SECURE; httpOnly; SameSite = LAX ")
    assert cookie is not None
    assert (cookie.name, cookie.secure, cookie.httponly, cookie.samesite) == ("SID", True, True, "lax")
    assert "abc123" not in repr(cookie)


def test_a_line_without_equals_or_name_is_ignored() -> None:
    assert parse_set_cookie("justavalue; Secure") is None
    assert parse_set_cookie("=value; Secure") is None


def test_folded_set_cookie_lines_split_but_expires_commas_do_not() -> None:
    value = "a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Secure, b=2; HttpOnly,c=3"
    lines = split_set_cookie(value)
    assert [parse_set_cookie(x).name for x in lines] == ["a", "b", "c"]  # type: ignore[union-attr]
    assert parse_set_cookie(lines[0]).secure  # type: ignore[union-attr]


def test_deletion_cookies_are_recognised() -> None:
    assert parse_set_cookie("sessionid=; Max-Age=0").deletion  # type: ignore[union-attr]
    assert parse_set_cookie("sessionid=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT").deletion  # type: ignore[union-attr]
    assert not parse_set_cookie("sessionid=x; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT").deletion  # type: ignore[union-attr]
    assert not parse_set_cookie("sessionid=x; Expires=garbage").deletion  # type: ignore[union-attr]


def test_multiple_set_cookie_headers_across_responses_are_all_seen() -> None:
    page = Page(landing(("Set-Cookie", "JSESSIONID=1; Secure"), url=ORIGIN + "x"), 1)
    facts = SiteFacts(
        ORIGIN,
        landing(("Set-Cookie", "PHPSESSID=1; Secure; HttpOnly"), ("set-cookie", "lang=kk")),
        pages=(page,),
        plain=landing(("Set-Cookie", "plain=1"), url="http://portal.gov.kz/"),
    )
    assert [c.name for c in facts.cookies()] == ["PHPSESSID", "lang", "JSESSIONID"]  # port 80 not judged
    assert facts.cookies()[2].source == ORIGIN + "x"


@pytest.mark.parametrize(
    ("name", "session"),
    [
        ("JSESSIONID", True),
        ("ASP.NET_SessionId", True),
        ("connect.sid", True),
        ("__Host-sid", True),
        ("laravel_session", True),
        ("XSRF-TOKEN", True),
        (".ASPXAUTH", True),
        ("_ga", False),
        ("lang", False),
        ("bitrix_SM_GUEST_ID", False),
    ],
)
def test_session_cookie_names(name: str, session: bool) -> None:
    patterns = [
        "sessionid",
        "jsessionid",
        "phpsessid",
        "asp.net_sessionid",
        "connect.sid",
        "sid",
        "*token*",
        "*auth*",
        "*sess*",
    ]
    assert checks.is_session_cookie(name, patterns) is session


def test_cookie_check_reports_invalid_samesite_and_skips_deletions() -> None:
    params = {"attribute": "samesite", "session_patterns": ["*sess*"]}
    bad = parse_set_cookie("sess=1; SameSite=Relaxed")
    hit = run("cookie_attribute", bad, **params)
    assert hit and "invalid SameSite" in hit.evidence and "Relaxed" not in hit.evidence
    assert run("cookie_attribute", parse_set_cookie("sess=; Max-Age=0"), **params) is None
    assert run("cookie_attribute", parse_set_cookie("sess=1; SameSite=None; Secure"), **params) is None


def test_cookie_check_can_judge_every_cookie_when_session_only_is_off() -> None:
    params = {"attribute": "secure", "session_only": False, "session_patterns": ["*sess*"]}
    hit = run("cookie_attribute", parse_set_cookie("theme=dark"), **params)
    assert hit and hit.evidence == "cookie theme set without Secure"


# --- HSTS ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "max_age", "subdomains", "preload"),
    [
        ("max-age=31536000; includeSubDomains; preload", 31536000, True, True),
        ('  MAX-AGE = "63072000" ;includesubdomains;;  PreLoad ', 63072000, True, True),
        ("includeSubDomains;max-age=0", 0, True, False),
        ("max-age=abc", None, False, False),
        ("includeSubDomains", None, True, False),
        ("max-age=100; max-age=31536000", None, False, False),  # repeated directive: invalid
    ],
)
def test_hsts_parsing(value: str, max_age: int | None, subdomains: bool, preload: bool) -> None:
    hsts = parse_hsts(value)
    assert (hsts.max_age, hsts.include_subdomains, hsts.preload) == (max_age, subdomains, preload)


def test_hsts_rules_on_http_landing_and_invalid_values() -> None:
    plain_landing = SiteFacts(ORIGIN, landing(url="http://portal.gov.kz/"))
    assert run("hsts_missing", plain_landing) is None  # judged by no_https_redirect instead
    hit = run("hsts_missing", site(("Strict-Transport-Security", "max-age=abc")))
    assert hit and "invalid" in hit.evidence
    assert run("hsts_short", site(("Strict-Transport-Security", "max-age=abc"))) is None
    hit = run("hsts_short", site(("Strict-Transport-Security", "max-age=0")), min_max_age=15768000)
    assert hit and "max-age=0" in hit.evidence
    assert run("hsts_missing", SiteFacts(ORIGIN)) is None


# --- CSP -------------------------------------------------------------------------------------
def test_csp_parsing_splits_policies_and_keeps_the_first_directive() -> None:
    (first, second) = parse_csp(["Script-Src 'self'; script-src *; ,  default-src 'none'"])
    assert first == {"script-src": ["'self'"]} and second == {"default-src": ["'none'"]}
    assert parse_csp(["", " ; "]) == []


@pytest.mark.parametrize(
    ("policy", "unsafe"),
    [
        ("default-src 'self'", False),
        ("script-src 'self' 'unsafe-inline' 'nonce-Zm9v'", False),  # the nonce disables unsafe-inline
        ("script-src 'nonce-Zm9v' 'strict-dynamic' https: http: 'unsafe-inline'", False),
        ("default-src 'self' 'unsafe-inline'", True),
        ("script-src 'self' 'unsafe-eval' 'nonce-x'", True),
        ("default-src 'none'; script-src *", True),
        ("script-src http://cdn.example.kz", True),
        ("script-src https:", True),
        ("default-src 'self'; script-src 'self'; img-src *", False),
        ("frame-ancestors 'self'", True),  # scripts unrestricted
        ("script-src 'self'; default-src 'unsafe-inline'", False),  # script-src overrides default-src
    ],
)
def test_csp_script_policy(policy: str, unsafe: bool) -> None:
    hit = run("csp_unsafe", site(("Content-Security-Policy", policy)), broad_sources=["*", "http:", "https:", "data:"])
    assert (hit is not None) is unsafe, hit


def test_two_policies_are_both_enforced_so_only_shared_weaknesses_count() -> None:
    facts = site(
        ("Content-Security-Policy", "default-src * 'unsafe-inline' 'unsafe-eval'"),
        ("Content-Security-Policy", "script-src 'self' 'unsafe-eval'"),
    )
    hit = run("csp_unsafe", facts)
    assert hit and "'unsafe-eval'" in hit.evidence and "'unsafe-inline'" not in hit.evidence


def test_report_only_and_meta_policies() -> None:
    hit = run("csp_missing", site(("Content-Security-Policy-Report-Only", "default-src 'self'")))
    assert hit and "Report-Only" in hit.evidence
    meta = b'<head><meta http-equiv="content-security-policy" content="script-src \'unsafe-inline\'"></head>'
    assert run("csp_missing", site(body=meta)) is None
    assert run("csp_unsafe", site(body=meta)) is not None
    # frame-ancestors is ignored in <meta>
    framed = b"<meta http-equiv=Content-Security-Policy content=\"frame-ancestors 'none'\">"
    assert run("frame_options_missing", site(body=framed)) is not None


# --- other headers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "hit"),
    [
        ("DENY", False),
        ("sameorigin", False),
        ("SAMEORIGIN, SAMEORIGIN", False),
        ("ALLOW-FROM https://a.kz", True),
        ("", True),
    ],
)
def test_frame_options_values(value: str, hit: bool) -> None:
    headers = (("X-Frame-Options", value),) if value else ()
    assert (run("frame_options_missing", site(*headers)) is not None) is hit


def test_referrer_policy_from_meta_and_unknown_tokens() -> None:
    params = {"unsafe": ["unsafe-url", "no-referrer-when-downgrade"]}
    assert run("referrer_policy", site(body=b'<meta name="referrer" content="no-referrer">'), **params) is None
    hit = run("referrer_policy", site(("Referrer-Policy", "bogus")), **params)
    assert hit and "not recognised" in hit.evidence
    hit = run("referrer_policy", site(("Referrer-Policy", "No-Referrer-When-Downgrade")), **params)
    assert hit and "no-referrer-when-downgrade" in hit.evidence


@pytest.mark.parametrize(
    ("server", "hit"),
    [
        ("nginx/1.18.0", True),
        ("Apache/2.4.41 (Ubuntu)", True),
        ("Microsoft-IIS/8.5", True),
        ("Apache/2", True),
        ("nginx", False),
        ("Apache", False),
        ("cloudflare", False),
        ("Microsoft-IIS", False),
        ("Apache-Coyote/1.1", False),
    ],
)
def test_server_banner_with_version(server: str, hit: bool) -> None:
    result = run("server_version", site(("Server", server)), ignore_products=["apache-coyote"])
    assert (result is not None) is hit


def test_server_banner_on_port_80_counts_once_per_value() -> None:
    plain = Response("http://portal.gov.kz/", 301, (("Server", "nginx/1.18.0"),))
    hit = run("server_version", site(("Server", "nginx/1.18.0"), plain=plain))
    assert hit and hit.count == 1 and hit.evidence == "Server: nginx/1.18.0"


def test_powered_by_headers_from_params() -> None:
    facts = site(("X-Powered-By", "PHP/5.6.40"), ("X-AspNet-Version", "4.0.30319"), ("X-Generator", "Drupal 7"))
    hit = run("powered_by", facts, headers=["X-Powered-By", "X-AspNet-Version"])
    assert hit and hit.count == 2 and "Drupal" not in hit.evidence


def test_cors_wildcard_and_null_with_credentials() -> None:
    creds = ("Access-Control-Allow-Credentials", "TRUE")
    assert run("cors_wildcard_credentials", site(("Access-Control-Allow-Origin", "*"), creds)) is not None
    assert run("cors_wildcard_credentials", site(("Access-Control-Allow-Origin", "null"), creds)) is not None
    assert (
        run("cors_wildcard_credentials", site(("Access-Control-Allow-Origin", "https://portal.gov.kz"), creds)) is None
    )
    probe = landing(("Access-Control-Allow-Origin", "https://evil.example"))  # reflected but no credentials
    assert run("cors_wildcard_credentials", site(cors_probe=probe, probe_origin="https://evil.example")) is None


# --- transport -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("plain", "hit"),
    [
        (Response("http://portal.gov.kz/", 301, (("Location", "https://portal.gov.kz/"),)), False),
        (Response("http://portal.gov.kz/", 302, (("Location", "/login"),)), True),  # relative: stays on http
        (Response("http://portal.gov.kz/", 301, (("Location", "http://www.portal.gov.kz/"),)), True),
        (
            Response("http://portal.gov.kz/", 200, body=b"x", final_url="https://portal.gov.kz/", redirects=("a",)),
            False,
        ),
        (
            Response("http://portal.gov.kz/", 200, body=b"x", final_url="http://www.portal.gov.kz/", redirects=("a",)),
            True,
        ),
        (Response("http://portal.gov.kz/", 403), False),
        (None, False),
    ],
)
def test_plain_http_answers(plain: Response | None, hit: bool) -> None:
    assert (run("no_https_redirect", SiteFacts(ORIGIN, plain=plain)) is not None) is hit


def test_mixed_content_types_from_markup_and_crawler_list() -> None:
    body = b"""<link rel=STYLESHEET href="HTTP://cdn.kz/a.css"><iframe src="http://maps.kz/embed"></iframe>
    <img src="https://ok.kz/a.png"><video src="http://media.kz/v.mp4"></video><a href="http://link.kz/">x</a>"""
    page = Page(landing(body=body), 0, subresources=["http://cdn.kz/lib.js", "HTTP://cdn.kz/a.css"])
    hit = run("mixed_content", page, active=["script", "iframe", "stylesheet"], active_severity="high")
    assert hit and hit.count == 4 and hit.severity == "high"
    assert "3 active (iframe, script, stylesheet), 1 passive" in hit.evidence
    assert run("mixed_content", Page(landing(body=b'<a href="http://x.kz/">link</a>'), 0)) is None


def test_scan_html_ignores_non_html_and_survives_broken_markup() -> None:
    json_response = Response(ORIGIN, 200, (("Content-Type", "application/json"),), b'{"a": "<script src=http://x>"}')
    assert scan_html(json_response).resources == ()
    broken = scan_html(landing(body=b"<script src='http://x.kz/a.js'><div <<< </ <img src=http://y.kz/b.png"))
    assert ("script", "http://x.kz/a.js") in broken.resources


# --- forms -----------------------------------------------------------------------------------
PD = {
    "keywords": [
        "iin",
        "иин",
        "жсн",
        "phone",
        "телефон",
        "passport",
        "удостоверение",
        "email",
        "дата рождения",
        "birth",
        "т.а.ә.",
    ],
    "field_types": ["email", "tel"],
}


@pytest.mark.parametrize(
    ("field", "personal"),
    [
        (FormField("iin"), True),
        (FormField("userIIN"), True),
        (FormField("iin_bin"), True),
        (FormField("applicant[iin]"), True),
        (FormField("f1", label="ИИН заявителя"), True),
        (FormField("f2", label="ЖСН"), True),
        (FormField("f3", label="Дата рождения ребёнка"), True),
        (FormField("dateOfBirth"), True),
        (FormField("f4", label="Т.А.Ә."), True),
        (FormField("contact", "tel"), True),
        (FormField("mobilePhone"), True),
        (FormField("skiing"), False),
        (FormField("q", label="Поиск"), False),
        (FormField("iin", "submit"), False),
    ],
)
def test_personal_field_keywords(field: FormField, personal: bool) -> None:
    form = Form(ORIGIN, ORIGIN, "post", (field,))
    assert bool(checks.personal_fields(form, PD)) is personal


def test_personal_form_over_http_page_or_action() -> None:
    fields = (FormField("iin"), FormField("name"))
    http_page = Page(
        landing(url="http://portal.gov.kz/apply"), 0, forms=[Form("http://portal.gov.kz/apply", "", "post", fields)]
    )
    hit = run("personal_data_form_over_http", http_page, **PD)
    assert hit and "http:// page" in hit.evidence and "iin" in hit.evidence and "name" not in hit.evidence
    relative = Page(landing(url=ORIGIN + "apply"), 0, forms=[Form(ORIGIN + "apply", "/submit", "post", fields)])
    assert run("personal_data_form_over_http", relative, **PD) is None
    to_http = Page(landing(), 0, forms=[Form(ORIGIN, "http://portal.gov.kz/submit?t=1", "post", fields)])
    hit = run("personal_data_form_over_http", to_http, **PD)
    assert hit and "t=1" not in hit.evidence


# --- facts -----------------------------------------------------------------------------------
def test_from_pages_picks_the_shallowest_https_page_and_derives_the_origin() -> None:
    deep = Page(landing(url="https://Portal.gov.kz:8443/a/b"), 2)
    top = Page(landing(url="https://portal.gov.kz:8443/"), 0)
    old = Page(landing(url="http://portal.gov.kz/legacy"), 0)
    facts = SiteFacts.from_pages([deep, old, top])
    assert facts.landing is top.response and facts.origin == "https://portal.gov.kz:8443/"
    assert facts.host == "portal.gov.kz"
    only_plain = SiteFacts.from_pages([], plain=Response("http://portal.gov.kz:80/", 200))
    assert only_plain.origin == ORIGIN and only_plain.landing is None
    with pytest.raises(ValueError):
        SiteFacts.from_pages([])


def test_origin_of() -> None:
    assert origin_of("https://Portal.gov.kz:443/x?y") == ORIGIN
    assert origin_of("http://portal.gov.kz:8080/") == ORIGIN
    assert origin_of("https://[::1]:8443/") == "https://[::1]:8443/"
