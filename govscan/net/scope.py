"""What the crawler may visit: one site, normalised URLs, and limits that end crawler traps.

``normalise`` gives every URL one spelling so the seen-set works (``HTTP://Portal.KZ:80/a/./b?b=2&a=1#x``
and ``http://portal.kz/a/b?a=1&b=2`` are one page). ``Scope`` keeps the crawl on the target's
host (http and https, same port), optionally narrowed by include/exclude patterns.
``TrapDetector`` refuses URLs that only exist because a site generates them endlessly:
calendars (``?month=N`` links to ``N+1`` forever), session ids in paths, ``/a/b/a/b/a/b``.
A trap is never detected by proving it is infinite; it ends because each path gets a fixed
budget of variants.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from govscan.errors import one_line
from govscan.net.urls import DEFAULT_PORTS, UnsafeURL, parse

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "ysclid", "msclkid", "mc_cid", "mc_eid", "_openstat"}
)
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = "/?%:@!$&'()*+,;=-._~"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_DIGITS = re.compile(r"\d+")

Pattern = str | re.Pattern[str]


def _host(hostname: str) -> str | None:
    host = hostname.lower().rstrip(".")
    if not host:
        return None
    if ":" in host:  # IPv6 literal
        return f"[{host}]"
    try:
        return host.encode("idna").decode("ascii")  # сайт.қаз and xn--80aswg.xn--80ao21a are one host
    except UnicodeError:
        return host if host.isascii() else None


def _path(raw: str) -> str:
    path = re.sub(r"/{2,}", "/", raw or "/")
    if not path.startswith("/"):
        path = "/" + path
    segments: list[str] = []
    parts = path.split("/")[1:]
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if segment == ".":
            if last:
                segments.append("")
        elif segment == "..":
            if segments:
                segments.pop()
            if last:
                segments.append("")
        else:
            segments.append(segment)
    path = "/" + "/".join(segments)
    path = quote(path, safe=_PATH_SAFE)
    return _ESCAPE.sub(lambda m: m.group(0).upper(), path)


def _is_tracking(key: str) -> bool:
    name = unquote(key).lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def _query(raw: str) -> str:
    pairs = [pair for pair in raw.split("&") if pair]
    kept = [pair for pair in pairs if not _is_tracking(pair.split("=", 1)[0])]
    kept = [_ESCAPE.sub(lambda m: m.group(0).upper(), quote(pair, safe=_QUERY_SAFE)) for pair in kept]
    return "&".join(sorted(kept))


def normalise(url: str, base: str | None = None) -> str | None:
    """The canonical spelling of an http(s) URL, or None when it is not one (mailto:, javascript:…).

    Lower-case scheme and host (IDNA), no default port, no user info, no fragment, dot segments
    resolved, repeated slashes collapsed, query pairs sorted, ``utm_*``-style tracking dropped.
    Query pairs are sorted as written, never decoded and re-encoded, so ``+`` stays ``+``.
    The URL is read once, as the client will request it (``urls.parse``); one the URL parsers
    disagree on (``http://evil.example\\@portal.kz/``) is None: never crawled, never seen.
    """
    try:
        text = url.strip()
        if base is not None:
            text = urljoin(base, text)
        target = parse(text)
    except ValueError:  # UnsafeURL included
        return None
    host = _host(target.host)
    if host is None:
        return None
    parts = urlsplit(target.url)
    scheme, port = target.scheme, target.port
    netloc = host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    return urlunsplit((scheme, netloc, _path(parts.path), _query(parts.query), ""))


def host_of(url: str) -> str:
    """The host of a URL: the key of the rate limit (http and https of one host share it)."""
    try:
        return parse(url).host
    except UnsafeURL:
        return ""


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL: the key of robots.txt, which is per scheme, host and port."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _effective(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) as the client will connect, or None (not http(s), or read differently by parsers)."""
    try:
        target = parse(url)
    except UnsafeURL:
        return None
    host = _host(target.host)
    return (target.scheme, host, target.port) if host else None


def _matcher(pattern: Pattern) -> Callable[[str], bool]:
    """``re:…`` or a compiled pattern is a regex searched in the URL; anything else a glob.

    A glob matches the whole URL or just its path, so ``/private/*`` and ``*://*/private/*`` both work.
    """
    if isinstance(pattern, re.Pattern):
        return lambda url: pattern.search(url) is not None
    if pattern.startswith("re:"):
        regex = re.compile(pattern[3:])
        return lambda url: regex.search(url) is not None

    def glob(url: str) -> bool:
        return fnmatch.fnmatchcase(url, pattern) or fnmatch.fnmatchcase(urlsplit(url).path, pattern)

    return glob


@dataclass(frozen=True)
class Scope:
    """One site: the target's host and port, over http or https, narrowed by patterns.

    Ports: the target's own, or when the target uses a default port (80/443), either default
    port, so ``http://portal.kz`` → ``https://portal.kz`` stays in scope but ``:8080`` does not.
    """

    scheme: str
    host: str
    port: int
    include: tuple[Pattern, ...] = ()
    exclude: tuple[Pattern, ...] = ()
    _include: tuple[Callable[[str], bool], ...] = field(default=(), init=False, repr=False, compare=False)
    _exclude: tuple[Callable[[str], bool], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_include", tuple(_matcher(p) for p in self.include))
        object.__setattr__(self, "_exclude", tuple(_matcher(p) for p in self.exclude))

    @classmethod
    def for_target(cls, url: str, include: tuple[Pattern, ...] = (), exclude: tuple[Pattern, ...] = ()) -> Scope:
        try:
            target = parse(url)
        except UnsafeURL as exc:
            raise ValueError(f"{exc}: {one_line(url, 200)}") from None
        where = _effective(target.url)
        if where is None:
            raise ValueError(f"not an http(s) URL: {one_line(url, 200)}")
        scheme, host, port = where
        return cls(scheme=scheme, host=host, port=port, include=tuple(include), exclude=tuple(exclude))

    def off_site(self, url: str) -> str | None:
        """Why ``url`` is not on the target site (scheme, host, port), or None."""
        where = _effective(url)
        if where is None:
            return "not an http(s) URL"
        scheme, host, port = where
        if host != self.host:
            return f"host {host} is not {self.host}"
        defaults = set(DEFAULT_PORTS.values())
        if port != self.port and not (port in defaults and self.port in defaults):
            return f"port {port} is not {self.port}"
        return None

    def excluded(self, url: str) -> str | None:
        for pattern, match in zip(self.exclude, self._exclude):
            if match(url):
                return f"matches exclude pattern {pattern if isinstance(pattern, str) else pattern.pattern}"
        return None

    def why_not(self, url: str) -> str | None:
        """Why the crawler must not visit ``url``: off site, excluded, or not included; None if in scope."""
        problem = self.off_site(url) or self.excluded(url)
        if problem:
            return problem
        if self._include and not any(match(url) for match in self._include):
            return "matches no include pattern"
        return None

    def redirect_problem(self, url: str) -> str | None:
        """A redirect may land anywhere on the site except an excluded URL (include patterns choose
        where the crawl goes, not where the site may send it: ``/news`` → ``/news/`` is fine)."""
        return self.off_site(url) or self.excluded(url)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.why_not(url) is None


@dataclass(frozen=True)
class TrapLimits:
    """Budgets per path; defaults keep a 500-page crawl from drowning in one generated corner."""

    max_query_variants: int = 20  # distinct query strings per path (/calendar?month=1, 2, 3…)
    max_path_variants: int = 100  # distinct paths per digit-template (/calendar/2024/05 → /calendar/#/#)
    max_segments: int = 12
    max_segment_repeats: int = 3  # one segment more often than this in a path
    max_url_length: int = 2048


class TrapDetector:
    """Remembers how many variants of each path it admitted, refuses past the budgets.

    State: two counters keyed by path and by path template; each key was admitted at least
    once, so their size is bounded by the number of URLs admitted (the crawler's seen-set).
    Not thread-safe: the crawler calls it from its one scheduling thread.
    """

    def __init__(self, limits: TrapLimits | None = None) -> None:
        self.limits = limits or TrapLimits()
        self._queries: Counter[str] = Counter()
        self._templates: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._queries) + len(self._templates)

    def check(self, url: str) -> str | None:
        """Why ``url`` (normalised) looks like a trap, without counting it."""
        limits = self.limits
        if len(url) > limits.max_url_length:
            return f"URL longer than {limits.max_url_length} characters"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > limits.max_segments:
            return f"path deeper than {limits.max_segments} segments"
        counts = Counter(segments)
        if counts and max(counts.values()) > limits.max_segment_repeats:
            return "path repeats a segment"
        if _cycles(segments):
            return "path repeats a sequence of segments"
        path_key = f"{parts.netloc}{parts.path}"
        if parts.query and self._queries[path_key] >= limits.max_query_variants:
            return f"more than {limits.max_query_variants} query variants of {parts.path}"
        template = parts.netloc + _DIGITS.sub("#", parts.path)
        if template != path_key and self._templates[template] >= limits.max_path_variants:
            return f"more than {limits.max_path_variants} variants of {_DIGITS.sub('#', parts.path)}"
        return None

    def admit(self, url: str) -> str | None:
        """Check ``url`` and, when it passes, count it against its path's budgets."""
        problem = self.check(url)
        if problem is None:
            parts = urlsplit(url)
            path_key = f"{parts.netloc}{parts.path}"
            if parts.query:
                self._queries[path_key] += 1
            template = parts.netloc + _DIGITS.sub("#", parts.path)
            if template != path_key and not parts.query:
                self._templates[template] += 1
        return problem


def _cycles(segments: list[str]) -> bool:
    """True when the path ends in one block of segments three times over (``/a/b/a/b/a/b``)."""
    for size in range(1, len(segments) // 3 + 1):
        tail = segments[-3 * size :]
        block = tail[:size]
        if tail == block * 3:
            return True
    return False
