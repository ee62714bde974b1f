"""What govscan learned about one site (an origin), and the parsers that give raw headers shape.

HTTP checks (``web/checks.py``) are pure verdicts over these facts, so they can be tested on
hand-made ``Response``/``Page`` objects. Parsing lives here, next to the data: a header the
parser cannot make sense of becomes ``None``/empty rather than an exception, because a broken
header on a portal is a finding, not a crash.

Cookie values are never kept: ``SetCookie`` holds the name and attributes only, so no finding
built from it can leak a session token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

from govscan.net.model import Page, Response
from govscan.readers.html import close_safely


@dataclass(frozen=True)
class SiteFacts:
    """One origin as fetched: HTTPS landing page, the plain-HTTP answer, crawled pages, a CORS probe.

    ``origin`` is ``https://host/`` (port kept when not 443): where per-site findings are placed.
    ``plain`` is the answer to ``http://host/`` without following redirects (or with, then
    ``final_url`` tells where they ended); ``None`` when port 80 is closed. ``cors_probe`` is the
    answer to a request carrying ``Origin: probe_origin`` (an origin the site cannot know).
    ``landing`` is a plain-HTTP page only when the site gave none over HTTPS; ``https_problem``
    then says why (``https://host/`` refused, timed out, failed the handshake), or is None when
    HTTPS was not tried.
    """

    origin: str
    landing: Response | None = None
    plain: Response | None = None
    pages: tuple[Page, ...] = ()
    cors_probe: Response | None = None
    probe_origin: str | None = None
    https_problem: str | None = None

    @classmethod
    def from_pages(
        cls,
        pages: Iterable[Page],
        *,
        landing: Response | None = None,
        plain: Response | None = None,
        cors_probe: Response | None = None,
        probe_origin: str | None = None,
        origin: str | None = None,
        https_problem: str | None = None,
    ) -> SiteFacts:
        """Facts from a crawl: the landing page defaults to the shallowest HTTPS page crawled, or
        the shallowest page when none was HTTPS (headers that matter without TLS are judged there)."""
        crawled = tuple(pages)
        if landing is None:
            https = [p for p in crawled if scheme_of(p.response.where) == "https"]
            if https or crawled:
                landing = min(https or crawled, key=lambda p: p.depth).response
        if origin is None:
            seed = (
                landing.where if landing else (crawled[0].response.where if crawled else (plain.url if plain else ""))
            )
            if not seed:
                raise ValueError("SiteFacts needs an origin, a landing response, a page or the plain-HTTP response")
            origin = origin_of(seed)
        return cls(origin, landing, plain, crawled, cors_probe, probe_origin, https_problem)

    @property
    def host(self) -> str:
        return urlsplit(self.origin).hostname or ""

    def responses(self, *, plain: bool = False) -> list[Response]:
        """Every distinct response seen (landing, pages, probe; the plain-HTTP one on request)."""
        seen: list[Response] = []
        candidates = [self.landing, *(p.response for p in self.pages), self.cors_probe]
        if plain:
            candidates.append(self.plain)
        for response in candidates:
            if response is not None and response not in seen:
                seen.append(response)
        return seen

    def cookies(self) -> list[SetCookie]:
        """Every cookie the site set on the landing page, crawled pages and probe (not port 80)."""
        found = []
        for response in self.responses():
            for header in response.header_all("set-cookie"):
                for line in split_set_cookie(header):
                    cookie = parse_set_cookie(line, source=response.where)
                    if cookie is not None:
                        found.append(cookie)
        return found


def scheme_of(url: str) -> str:
    return urlsplit(url).scheme.lower()


def origin_of(url: str) -> str:
    """``https://host[:port]/`` of a URL; a plain-HTTP URL maps to its HTTPS origin."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port if parts.scheme.lower() == "https" else None
    if port and port != 443:
        host = f"{host}:{port}"
    return f"https://{host}/"


# --- Set-Cookie -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SetCookie:
    """A cookie as set by one ``Set-Cookie`` line: its name and attributes, never its value."""

    name: str
    secure: bool = False
    httponly: bool = False
    samesite: str | None = None  # lower-cased value; "" when the attribute has no value
    deletion: bool = False  # Max-Age <= 0 or Expires in the distant past: the site is clearing it
    source: str = ""  # URL of the response that set it


# A comma followed by ``name=`` starts a new cookie when a client folded several Set-Cookie lines
# into one; the comma inside ``Expires=Wed, 21 Oct 2015 …`` is followed by a digit and a space.
_FOLDED = re.compile(r",(?=\s*[!#$%&'*+\-.^_`|~0-9A-Za-z]+=)")


def split_set_cookie(value: str) -> list[str]:
    """One header value, possibly several folded cookies, as separate ``Set-Cookie`` lines."""
    return [part.strip() for part in _FOLDED.split(value) if part.strip()]


def parse_set_cookie(line: str, source: str = "") -> SetCookie | None:
    """RFC 6265 §5.2 parsing: attribute names case-insensitive; a line without ``=`` is ignored."""
    pair, _, rest = line.partition(";")
    name, eq, _value = pair.partition("=")
    name = name.strip()
    if not eq or not name:
        return None
    secure = httponly = deletion = False
    samesite: str | None = None
    max_age: int | None = None
    for attribute in rest.split(";"):
        key, _, raw = attribute.partition("=")
        key, raw = key.strip().lower(), raw.strip()
        if key == "secure":
            secure = True
        elif key == "httponly":
            httponly = True
        elif key == "samesite":
            samesite = raw.lower()
        elif key == "max-age" and re.fullmatch(r"-?\d+", raw):
            max_age = int(raw)
        elif key == "expires" and max_age is None:
            deletion = _long_past(raw)
    if max_age is not None:
        deletion = max_age <= 0
    return SetCookie(name, secure, httponly, samesite, deletion, source)


def _long_past(date: str) -> bool:
    """Expires before 2000: the usual way of deleting a cookie (``Thu, 01 Jan 1970``); no clock needed."""
    try:
        return parsedate_to_datetime(date).year < 2000
    except (TypeError, ValueError, IndexError):
        return False


# --- Strict-Transport-Security --------------------------------------------------------------
@dataclass(frozen=True)
class Hsts:
    max_age: int | None  # None: header invalid (no max-age, not a number, or a directive repeated)
    include_subdomains: bool = False
    preload: bool = False


def parse_hsts(value: str) -> Hsts:
    """RFC 6797 §6.1: ``;``-separated directives, names case-insensitive, values maybe quoted."""
    seen: set[str] = set()
    max_age: int | None = None
    valid = True
    for directive in value.split(";"):
        key, _, raw = directive.partition("=")
        key = key.strip().lower()
        if not key:
            continue
        if key in seen:
            valid = False  # §6.1: a repeated directive makes the whole header invalid
        seen.add(key)
        if key == "max-age":
            raw = raw.strip().strip('"').strip()
            max_age = int(raw) if raw.isascii() and raw.isdigit() else None
    if not valid:
        max_age = None
    return Hsts(max_age, "includesubdomains" in seen, "preload" in seen)


# --- Content-Security-Policy ----------------------------------------------------------------
Policy = dict[str, list[str]]


def parse_csp(values: Iterable[str]) -> list[Policy]:
    """Each header value may hold several comma-separated policies; every one is enforced.

    Directive names and sources are lower-cased (only prefixes like ``'nonce-`` are compared);
    within one policy the first occurrence of a directive wins, as browsers do.
    """
    policies: list[Policy] = []
    for value in values:
        for text in value.split(","):
            policy: Policy = {}
            for directive in text.split(";"):
                tokens = directive.strip().lower().split()
                if tokens and tokens[0] not in policy:
                    policy[tokens[0]] = tokens[1:]
            if policy:
                policies.append(policy)
    return policies


# --- HTML: meta policies and typed subresources ---------------------------------------------
@dataclass(frozen=True)
class HtmlFacts:
    meta_csp: tuple[str, ...] = ()
    meta_referrer: str | None = None
    resources: tuple[tuple[str, str], ...] = ()  # (kind, url): kind is script, iframe, stylesheet, img…


_RESOURCE_ATTRS = {
    "script": ("src", "script"),
    "iframe": ("src", "iframe"),
    "frame": ("src", "frame"),
    "img": ("src", "img"),
    "audio": ("src", "media"),
    "video": ("src", "media"),
    "source": ("src", "media"),
    "track": ("src", "media"),
    "embed": ("src", "embed"),
    "object": ("data", "object"),
}


class _HtmlScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta_csp: list[str] = []
        self.meta_referrer: str | None = None
        self.resources: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            if a.get("http-equiv", "").strip().lower() == "content-security-policy" and a.get("content"):
                self.meta_csp.append(a["content"])
            elif a.get("name", "").strip().lower() == "referrer" and a.get("content"):
                self.meta_referrer = a["content"].strip()
        elif tag == "link":
            rels = a.get("rel", "").lower().split()
            if "stylesheet" in rels and a.get("href"):
                self.resources.append(("stylesheet", a["href"].strip()))
            elif {"preload", "modulepreload"} & set(rels) and a.get("href"):
                kind = "script" if a.get("as", "").lower() == "script" or "modulepreload" in rels else "other"
                self.resources.append((kind, a["href"].strip()))
        elif tag in _RESOURCE_ATTRS:
            attr, kind = _RESOURCE_ATTRS[tag]
            if a.get(attr):
                self.resources.append((kind, a[attr].strip()))


def scan_html(response: Response) -> HtmlFacts:
    """Meta CSP/referrer and typed subresources of an HTML response (empty for other types)."""
    if response.media_type not in ("", "text/html", "application/xhtml+xml") or not response.body:
        return HtmlFacts()
    scan = _HtmlScan()
    try:
        scan.feed(response.text())
        close_safely(scan)
    except Exception:  # noqa: S110 - malformed markup: keep what was parsed so far
        pass
    return HtmlFacts(tuple(scan.meta_csp), scan.meta_referrer, tuple(scan.resources))
