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
from govscan.net.model import Form, Page, Response
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
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    served = f"; {_short(facts.landing.where)} is served over plain HTTP" if facts.landing is not None else ""
    return Hit(_clip(facts.https_problem, 200) + served)


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
        return Hit(f"{_short(plain.url)} redirects to {_short(target)} instead of https")
    if 200 <= plain.status < 300:
        if scheme_of(plain.where) == "https":
            return None  # the client followed redirects and they ended on HTTPS
        via = f" (redirects end at {_short(plain.where)})" if plain.redirects else ""
        size = f"{len(plain.body)}{'+' if plain.truncated else ''} bytes"
        return Hit(f"{_short(plain.url)} answered {plain.status} with {size} instead of redirecting to https{via}")
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
    return Hit(
        f"{len(found)} subresource{'s' if len(found) > 1 else ''} over http: ({detail}); e.g. {_short(example)}",
        len(found),
        severity,
    )


# --- headers --------------------------------------------------------------------------------
@check("hsts_missing")
def hsts_missing(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    landing = _https_landing(facts)
    if landing is None:
        return None
    value = landing.header("strict-transport-security")
    if value is None:
        return Hit("no Strict-Transport-Security header on the HTTPS landing page")
    if parse_hsts(value).max_age is None:
        return Hit(f"Strict-Transport-Security is invalid (no usable max-age): {_clip(value)}")
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
        return Hit(f"Strict-Transport-Security max-age={max_age} (under {minimum} s)")
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
    report_only = " (only Content-Security-Policy-Report-Only, which enforces nothing)"
    return Hit(
        "no Content-Security-Policy" + (report_only if landing.header("content-security-policy-report-only") else "")
    )


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
    shown = [unrestricted] if unrestricted in common else sorted(common)
    return Hit("Content-Security-Policy allows " + ", ".join(shown) + " in script-src", len(shown))


@check("frame_options_missing")
def frame_options_missing(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    landing = facts.landing
    if landing is None:
        return None
    if any("frame-ancestors" in p for p in _header_policies(landing)):  # ignored in <meta>
        return None
    value = landing.header("x-frame-options")
    if value is None:
        return Hit("no X-Frame-Options header and no CSP frame-ancestors")
    tokens = {t.strip().lower() for t in value.split(",") if t.strip()}
    if tokens and tokens <= {"deny", "sameorigin"}:
        return None
    return Hit(
        f"X-Frame-Options: {_clip(value, 40)} is not DENY or SAMEORIGIN (browsers ignore it); no frame-ancestors"
    )


@check("content_type_options_missing")
def content_type_options_missing(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    landing = facts.landing
    if landing is None:
        return None
    value = landing.header("x-content-type-options")
    if value is not None and value.split(",")[0].strip().lower() == "nosniff":
        return None
    return Hit("no X-Content-Type-Options: nosniff" if value is None else f"X-Content-Type-Options: {_clip(value, 40)}")


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
        return Hit("no Referrer-Policy" if not values else f"Referrer-Policy not recognised: {_clip(values[-1], 40)}")
    effective = known[-1]
    if effective in {p.lower() for p in params.get("unsafe", ["unsafe-url", "no-referrer-when-downgrade"])}:
        return Hit(f"Referrer-Policy: {effective} sends full URLs to other sites")
    return None


@check("cors_wildcard_credentials")
def cors_wildcard_credentials(facts: SiteFacts, params: Mapping[str, Any]) -> Hit | None:
    """Credentials allowed together with ``*``, a reflected foreign origin, or ``null``."""
    probe, origin = facts.cors_probe, facts.probe_origin
    if probe is not None and origin:
        allowed = (probe.header("access-control-allow-origin") or "").strip()
        if _credentials(probe) and allowed.lower() == origin.lower().rstrip("/"):
            return Hit(f"reflects an arbitrary Origin ({_short(origin)}) with credentials allowed")
    for response in facts.responses():
        allowed = (response.header("access-control-allow-origin") or "").strip()
        if _credentials(response) and allowed in ("*", "null"):
            return Hit(
                f"Access-Control-Allow-Origin: {allowed} with Access-Control-Allow-Credentials: true at {_short(response.where)}"
            )
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
    label = "session cookie" if is_session_cookie(cookie.name, patterns) else "cookie"
    if attribute == "secure" and not cookie.secure and scheme_of(cookie.source) != "http":
        # set over plain HTTP, Secure would make browsers drop the cookie: the missing HTTPS is the finding
        return Hit(f"{label} {cookie.name} set without Secure")
    if attribute == "httponly" and not cookie.httponly:
        return Hit(f"{label} {cookie.name} set without HttpOnly")
    if attribute == "samesite":
        if cookie.samesite is None:
            return Hit(f"{label} {cookie.name} set without SameSite")
        if cookie.samesite not in ("strict", "lax", "none"):
            return Hit(f"{label} {cookie.name} set with an invalid SameSite value")
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
    return Hit("Server: " + "; ".join(_clip(v, 60) for v in seen[:3]), len(seen))


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
    return Hit("; ".join(seen[:4]), len(seen))


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
    names = ", ".join(_clip(f, 30) for f in fields[:5]) + (f" and {len(fields) - 5} more" if len(fields) > 5 else "")
    more = f" ({len(bad)} such forms)" if len(bad) > 1 else ""
    return Hit(f"form {where} posts to {_short(action)}; personal-data fields: {names}{more}", len(bad))
