"""HTTP hygiene verdicts as small pure functions, registered by name with the unit they judge.

Rule files (``rules/http/*.yaml``) name a check and pass ``params`` (keyword lists, thresholds,
header names: rules are data). A check returns ``None`` (passes) or a ``Hit`` with short evidence
that never carries a cookie value or a form's contents.

Each check judges one *unit*, which decides how many findings a rule can produce:

- ``site``: the whole origin (``SiteFacts``): headers of the landing page, the port-80 answer…
- ``page``: one crawled ``Page`` (mixed content, forms): one finding per page URL;
- ``cookie``: one parsed ``SetCookie``: one finding per cookie name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from govscan.identity import normal_uri
from govscan.model import Message
from govscan.net.model import Form, Page, Response
from govscan.redact import shorten
from govscan.rules.judge import Hit
from govscan.web.facts import Policy, SetCookie, SiteFacts, parse_csp, parse_hsts, scan_html, scheme_of

Scope = Literal["site", "page", "cookie"]


@dataclass(frozen=True)
class HttpCheck:
    """A check as rules name it (``check: <name>``) with the unit it judges."""

    name: str
    scope: Scope
    fn: Callable[[Any, Mapping[str, Any]], Hit | None]


_BUILTIN: list[HttpCheck] = []


def check(name: str, scope: Scope = "site") -> Callable[[Callable[..., Hit | None]], Callable[..., Hit | None]]:
    """Mark ``fn`` as the built-in check ``name`` judging one ``scope`` unit."""

    def register(fn: Callable[..., Hit | None]) -> Callable[..., Hit | None]:
        _BUILTIN.append(HttpCheck(name, scope, fn))
        return fn

    return register


def builtin_checks() -> list[HttpCheck]:
    """The HTTP checks govscan ships (:mod:`govscan.builtins` registers them like a plugin's)."""
    return list(_BUILTIN)


def _short(url: str, limit: int = 100) -> str:
    """A URL without query or fragment (they can hold tokens), cut to ``limit`` characters."""
    parts = urlsplit(url)
    try:
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        host, port = "?", ""
    text = f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else url.split("?", 1)[0]
    return shorten(text, limit)


def _clip(text: str, limit: int = 80) -> str:
    return shorten(" ".join(text.split()), limit)  # masked before the cut: no ten digits left of an IIN


def _https_landing(facts: SiteFacts) -> Response | None:
    """The landing response when it was served over HTTPS: HSTS rules judge only that (browsers
    ignore Strict-Transport-Security over plain HTTP); the other header rules judge any landing."""
    landing = facts.landing
    return landing if landing is not None and scheme_of(landing.where) == "https" else None


# --- transport ------------------------------------------------------------------------------
@check("no_https")
def no_https(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    """The site gave no page over HTTPS at all: everything, logins and forms included, is cleartext."""
    if facts.https_problem is None or _https_landing(facts) is not None:
        return None
    problem = _clip(facts.https_problem, 200)
    if facts.landing is None:
        return Hit.said(problem, "http.no-https", problem=problem)
    url = _short(facts.landing.where)
    return Hit.said(f"{problem}; {url} is served over plain HTTP", "http.no-https.plain", problem=problem, url=url)


@check("no_https_redirect")
def no_https_redirect(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    """``http://host/`` serves content, or redirects somewhere that is not HTTPS."""
    plain = facts.plain
    if plain is None or facts.https_problem is not None:
        return None  # no HTTPS to redirect to: ``no_https`` says so
    if 300 <= plain.status < 400:
        target = urljoin(plain.url, (plain.header("location") or "").strip())
        if scheme_of(target) == "https":
            return None
        url, to = _short(plain.url), _short(target)
        return Hit.said(f"{url} redirects to {to} instead of https", "http.redirect-not-https", url=url, to=to)
    if 200 <= plain.status < 300:
        if scheme_of(plain.where) == "https":
            return None  # the client followed redirects and they ended on HTTPS
        url, size = _short(plain.url), f"{len(plain.body)}{'+' if plain.truncated else ''}"
        text = f"{url} answered {plain.status} with {size} bytes instead of redirecting to https"
        if plain.redirects:
            end = _short(plain.where)
            return Hit.said(
                f"{text} (redirects end at {end})",
                "http.plain-answer.via",
                url=url,
                status=plain.status,
                size=size,
                end=end,
            )
        return Hit.said(text, "http.plain-answer", url=url, status=plain.status, size=size)
    return None


@check("mixed_content", scope="page")
def mixed_content(page: Page, params: Mapping[str, Any]) -> Hit | None:
    """An HTTPS page that loads subresources over ``http:``; active ones (scripts, frames) count more."""
    if scheme_of(page.response.where) != "https":
        return None
    active_kinds = set(params.get("active", ["script", "iframe", "frame", "stylesheet", "object", "embed"]))
    found: dict[str, str] = {}  # normalised url -> kind
    for kind, url in scan_html(page.response).resources:
        if url.lower().startswith("http:"):
            found.setdefault(normal_uri(url), kind)
    for url in page.subresources:  # the crawler's list: typed by extension when the body said nothing
        if url.lower().startswith("http:") and normal_uri(url) not in found:
            path = urlsplit(url).path.lower()
            kind = "script" if path.endswith(".js") else "stylesheet" if path.endswith(".css") else "other"
            found[normal_uri(url)] = kind
    if not found:
        return None
    active = sorted({k for k in found.values() if k in active_kinds})
    n_active = sum(1 for k in found.values() if k in active_kinds)
    example = next((u for u, k in found.items() if k in active_kinds), next(iter(found)))
    detail = f"{n_active} active ({', '.join(active)}), {len(found) - n_active} passive" if n_active else "all passive"
    severity = params.get("active_severity") if n_active else None
    text = f"{len(found)} subresource{'s' if len(found) > 1 else ''} over http: ({detail}); e.g. {_short(example)}"
    said = (
        Message("http.mixed-content", {"count": len(found), "active": n_active, "kinds": active,
                                       "passive": len(found) - n_active, "example": _short(example)})
        if n_active
        else Message("http.mixed-content.passive", {"count": len(found), "example": _short(example)})
    )  # fmt: skip
    return Hit(text, len(found), severity, messages=(said,))


# --- headers --------------------------------------------------------------------------------
@check("hsts_missing")
def hsts_missing(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    landing = _https_landing(facts)
    if landing is None:
        return None
    value = landing.header("strict-transport-security")
    if value is None:
        return Hit.said("no Strict-Transport-Security header on the HTTPS landing page", "http.hsts-missing")
    if parse_hsts(value).max_age is None:
        text = f"Strict-Transport-Security is invalid (no usable max-age): {_clip(value)}"
        return Hit.said(text, "http.hsts-invalid", value=_clip(value))
    return None


@check("hsts_short")
def hsts_short(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    landing = _https_landing(facts)
    value = landing.header("strict-transport-security") if landing else None
    if value is None:
        return None
    minimum = int(params.get("min_max_age", 15768000))
    max_age = parse_hsts(value).max_age
    if max_age is not None and max_age < minimum:
        text = f"Strict-Transport-Security max-age={max_age} (under {minimum} s)"
        return Hit.said(text, "http.hsts-short", max_age=max_age, minimum=minimum)
    return None


def _header_policies(response: Response) -> list[Policy]:
    return parse_csp(response.header_all("content-security-policy"))


def _all_policies(response: Response) -> list[Policy]:
    return _header_policies(response) + parse_csp(scan_html(response).meta_csp)


@check("csp_missing")
def csp_missing(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    landing = facts.landing
    if landing is None or _all_policies(landing):
        return None
    if landing.header("content-security-policy-report-only"):
        text = "no Content-Security-Policy (only Content-Security-Policy-Report-Only, which enforces nothing)"
        return Hit.said(text, "http.csp-missing.report-only")
    return Hit.said("no Content-Security-Policy", "http.csp-missing")


def script_problems(policy: Policy, params: Mapping[str, Any]) -> set[str]:
    """What a policy lets scripts do that it should not (CSP 3 semantics for nonces and hashes)."""
    sources = policy.get("script-src", policy.get("default-src"))
    if sources is None:
        return {"no script-src or default-src (scripts unrestricted)"}
    problems = set()
    keyed = any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in sources)
    strict_dynamic = keyed and "'strict-dynamic'" in sources
    if "'unsafe-inline'" in sources and not keyed:
        problems.add("'unsafe-inline'")
    if "'unsafe-eval'" in sources:
        problems.add("'unsafe-eval'")
    if not strict_dynamic:  # 'strict-dynamic' with a nonce/hash makes browsers ignore host and scheme sources
        broad = set(params.get("broad_sources", ["*", "http:", "https:", "data:"]))
        for source in sources:
            if source in broad:
                problems.add(f"{source} source")
            elif source.startswith("http://"):
                problems.add("http:// host source")
    return problems


@check("csp_unsafe")
def csp_unsafe(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    """Every enforced policy must allow a weakness for scripts to have it: intersect their problems."""
    landing = facts.landing
    policies = _all_policies(landing) if landing else []
    if not policies:
        return None  # csp_missing reports it
    sets = [script_problems(p, params) for p in policies]
    common = set.intersection(*sets)
    if not common:
        return None
    unrestricted = "no script-src or default-src (scripts unrestricted)"
    if unrestricted in common:
        return Hit.said(f"Content-Security-Policy allows {unrestricted} in script-src", "http.csp-unrestricted")
    shown = sorted(common)
    text = "Content-Security-Policy allows " + ", ".join(shown) + " in script-src"
    return Hit.said(text, "http.csp-unsafe", len(shown), sources=shown)


@check("frame_options_missing")
def frame_options_missing(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    landing = facts.landing
    if landing is None:
        return None
    if any("frame-ancestors" in p for p in _header_policies(landing)):  # ignored in <meta>
        return None
    value = landing.header("x-frame-options")
    if value is None:
        return Hit.said("no X-Frame-Options header and no CSP frame-ancestors", "http.frame-options-missing")
    tokens = {t.strip().lower() for t in value.split(",") if t.strip()}
    if tokens and tokens <= {"deny", "sameorigin"}:
        return None
    value = _clip(value, 40)
    text = f"X-Frame-Options: {value} is not DENY or SAMEORIGIN (browsers ignore it); no frame-ancestors"
    return Hit.said(text, "http.frame-options-invalid", value=value)


@check("content_type_options_missing")
def content_type_options_missing(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    landing = facts.landing
    if landing is None:
        return None
    value = landing.header("x-content-type-options")
    if value is not None and value.split(",")[0].strip().lower() == "nosniff":
        return None
    if value is None:
        return Hit.said("no X-Content-Type-Options: nosniff", "http.nosniff-missing")
    return Hit.said(f"X-Content-Type-Options: {_clip(value, 40)}", "http.nosniff-invalid", value=_clip(value, 40))


REFERRER_POLICIES = {
    "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
    "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url",
}  # fmt: skip


@check("referrer_policy")
def referrer_policy(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    """Missing, or a policy that sends full URLs (paths, query strings) to other sites."""
    landing = facts.landing
    if landing is None:
        return None
    values = [*landing.header_all("referrer-policy")]
    meta = scan_html(landing).meta_referrer
    if meta:
        values.append(meta)
    tokens = [t.strip().lower() for v in values for t in v.split(",")]
    known = [t for t in tokens if t in REFERRER_POLICIES]
    if not known:  # the last recognised token wins; none recognised = no policy
        if not values:
            return Hit.said("no Referrer-Policy", "http.referrer-missing")
        value = _clip(values[-1], 40)
        return Hit.said(f"Referrer-Policy not recognised: {value}", "http.referrer-unknown", value=value)
    effective = known[-1]
    if effective in {p.lower() for p in params.get("unsafe", ["unsafe-url", "no-referrer-when-downgrade"])}:
        text = f"Referrer-Policy: {effective} sends full URLs to other sites"
        return Hit.said(text, "http.referrer-unsafe", value=effective)
    return None


@check("cors_wildcard_credentials")
def cors_wildcard_credentials(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    """Credentials allowed together with ``*``, a reflected foreign origin, or ``null``."""
    probe, origin = facts.cors_probe, facts.probe_origin
    if probe is not None and origin:
        allowed = (probe.header("access-control-allow-origin") or "").strip()
        if _credentials(probe) and allowed.lower() == origin.lower().rstrip("/"):
            text = f"reflects an arbitrary Origin ({_short(origin)}) with credentials allowed"
            return Hit.said(text, "http.cors-reflects", origin=_short(origin))
    for response in facts.responses():
        allowed = (response.header("access-control-allow-origin") or "").strip()
        if _credentials(response) and allowed in ("*", "null"):
            url = _short(response.where)
            text = f"Access-Control-Allow-Origin: {allowed} with Access-Control-Allow-Credentials: true at {url}"
            return Hit.said(text, "http.cors-wildcard", value=allowed, url=url)
    return None


def _credentials(response: Response) -> bool:
    return (response.header("access-control-allow-credentials") or "").strip().lower() == "true"


# --- cookies --------------------------------------------------------------------------------
def _bare(name: str) -> str:
    lower = name.lower()
    for prefix in ("__host-", "__secure-"):
        if lower.startswith(prefix):
            return lower[len(prefix) :]
    return lower


def is_session_cookie(name: str, patterns: list[str]) -> bool:
    """Glob match (case-insensitive, ``__Host-``/``__Secure-`` prefix ignored) against ``patterns``."""
    bare = _bare(name)
    return any(fnmatchcase(bare, p.lower()) for p in patterns)


@check("cookie_attribute", scope="cookie")
def cookie_attribute(cookie: SetCookie, params: Mapping[str, Any]) -> Hit | None:
    """A (session) cookie set without ``attribute`` (secure, httponly or samesite). Names only."""
    if cookie.deletion:
        return None
    patterns = list(params.get("session_patterns", []))
    if params.get("session_only", True) and not is_session_cookie(cookie.name, patterns):
        return None
    if is_session_cookie(cookie.name, list(params.get("exclude_patterns", []))):
        return None
    attribute = params["attribute"]
    session = is_session_cookie(cookie.name, patterns)
    label = "session cookie" if session else "cookie"
    kind = "http.session-cookie" if session else "http.cookie"
    if attribute == "secure" and not cookie.secure and scheme_of(cookie.source) != "http":
        # set over plain HTTP, Secure would make browsers drop the cookie: the missing HTTPS is the finding
        return Hit.said(f"{label} {cookie.name} set without Secure", f"{kind}.without", name=cookie.name, flag="Secure")
    if attribute == "httponly" and not cookie.httponly:
        text = f"{label} {cookie.name} set without HttpOnly"
        return Hit.said(text, f"{kind}.without", name=cookie.name, flag="HttpOnly")
    if attribute == "samesite":
        if cookie.samesite is None:
            text = f"{label} {cookie.name} set without SameSite"
            return Hit.said(text, f"{kind}.without", name=cookie.name, flag="SameSite")
        if cookie.samesite not in ("strict", "lax", "none"):
            text = f"{label} {cookie.name} set with an invalid SameSite value"
            return Hit.said(text, f"{kind}.samesite-invalid", name=cookie.name)
    return None


# --- disclosure -----------------------------------------------------------------------------
VERSIONED_PRODUCT = re.compile(r"[A-Za-z][\w.+-]*/v?\d+(?:\.\w+)*")


@check("server_version")
def server_version(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    """A Server header that names a product version (``nginx/1.18.0``), not just a product."""
    ignore = [p.lower() for p in params.get("ignore_products", [])]
    seen: list[str] = []
    for response in facts.responses(plain=True):
        for value in response.header_all("server"):
            tokens = [t for t in VERSIONED_PRODUCT.findall(value) if t.split("/")[0].lower() not in ignore]
            if tokens and value.strip() not in seen:
                seen.append(value.strip())
    if not seen:
        return None
    shown = [_clip(v, 60) for v in seen[:3]]
    return Hit("Server: " + "; ".join(shown), len(seen), messages=(Message("http.server-banner", {"values": shown}),))


@check("powered_by")
def powered_by(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    """Framework and version banners in headers listed in ``params.headers``."""
    names = params.get("headers", ["X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator"])
    seen: list[str] = []
    for response in facts.responses(plain=True):
        for name in names:
            for value in response.header_all(name):
                line = f"{name}: {_clip(value, 60)}"
                if value.strip() and line not in seen:
                    seen.append(line)
    if not seen:
        return None
    return Hit("; ".join(seen[:4]), len(seen), messages=(Message("http.banners", {"headers": seen[:4]}),))


# --- forms ----------------------------------------------------------------------------------
_CAMEL = re.compile(r"(?<=[a-zа-яё0-9])(?=[A-ZА-ЯЁ])")


def _words(text: str) -> str:
    """Lower-cased with camelCase and punctuation turned into spaces: ``userIIN`` → ``user iin``."""
    return " " + re.sub(r"[\W_]+", " ", _CAMEL.sub(" ", text)).lower() + " "


def personal_fields(form: Form, params: Mapping[str, Any]) -> list[str]:
    """Names of the fields whose name, label or type says they collect personal data.

    Keywords match as substrings, except short ASCII ones (``iin``, ``dob``) that must be whole
    words, so ``skiing`` is not an IIN field.
    """
    keywords = [_words(k).strip() for k in params.get("keywords", [])]
    types = {t.lower() for t in params.get("field_types", [])}
    ignore = {t.lower() for t in params.get("ignore_types", ["submit", "button", "reset", "image"])}
    found = []
    for field in form.fields:
        kind = field.type.lower()
        if kind in ignore:
            continue
        text = _words(f"{field.name} {field.label}")
        squashed = text.replace(" ", "")
        hit = kind in types or any(
            f" {k} " in text if len(k) <= 3 and k.isascii() else (k in text or k.replace(" ", "") in squashed)
            for k in keywords
        )
        if hit:
            found.append(field.name or field.label or kind)
    return found


@check("personal_data_form_over_http", scope="page")
def personal_data_form_over_http(page: Page, params: Mapping[str, Any]) -> Hit | None:
    """A form collecting personal data on an ``http://`` page, or posting to an ``http://`` URL."""
    page_url = page.response.where
    plain_page = scheme_of(page_url) == "http"
    bad: list[tuple[Form, list[str]]] = []
    for form in page.forms:
        action = urljoin(page_url, form.action) if form.action else page_url
        if not (plain_page or scheme_of(action) == "http"):
            continue
        fields = personal_fields(form, params)
        if fields:
            bad.append((form, fields))
    if not bad:
        return None
    form, fields = bad[0]
    action = urljoin(page_url, form.action) if form.action else page_url
    where = "on an http:// page" if plain_page else "on an https:// page"
    shown = [_clip(f, 30) for f in fields[:5]]
    names = ", ".join(shown) + (f" and {len(fields) - 5} more" if len(fields) > 5 else "")
    more = f" ({len(bad)} such forms)" if len(bad) > 1 else ""
    said = Message(
        f"http.form-over-http.{'plain' if plain_page else 'tls'}",
        {"to": _short(action), "fields": shown, "more": max(len(fields) - 5, 0), "forms": len(bad)},
    )
    text = f"form {where} posts to {_short(action)}; personal-data fields: {names}{more}"
    return Hit(text, len(bad), messages=(said,))
