"""robots.txt, fetched once per host through the client, read with protego (RFC 9309).

protego is the parser Scrapy uses: ``*`` and ``$`` wildcards (Bitrix portals are full of
``Disallow: /*?``), the most specific (longest) matching rule wins whatever the line order, and
``Crawl-delay`` may be fractional. ``urllib.robotparser`` did none of these.

An audit crawler that ignores robots.txt is indistinguishable from an attacker's; which of the
audit's requests obey it is the operator's choice, made once for all of them (``RobotsGate``).
What an answer means:

* 2xx — the rules in it (first 500 KiB, RFC 9309's minimum);
* 404 and other 4xx — no rules: everything allowed;
* 401/403 — the site forbids robots: everything disallowed;
* 429, 5xx, unreachable, refused — the site may be down or overloaded: everything disallowed
  (RFC 9309 asks crawlers to assume complete disallow when the server errs).

``Crawl-delay`` becomes the host's minimum interval in the client's limiter (capped at
``max_crawl_delay`` so one line cannot stall a scan for days).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from protego import Protego

from govscan.net.client import WebClient
from govscan.net.model import FetchError, Response
from govscan.net.scope import host_of, origin

ROBOTS_AGENT = "govscan"
MAX_ROBOTS_BYTES = 500 * 1024
MAX_CRAWL_DELAY = 60.0


@dataclass
class RobotsRules:
    """One host's robots.txt as read: the parser, why it says what it says, and its sitemaps.

    ``parser`` is None when the answer carried no rules: then ``status`` alone decides
    ("missing" allows everything, "forbidden" and "unavailable" disallow everything).
    """

    origin: str
    parser: Protego | None
    status: str  # "rules", "missing", "forbidden", "unavailable"
    sitemaps: list[str] = field(default_factory=list)
    crawl_delay: float | None = None
    problem: str | None = None  # why robots.txt could not be fetched at all (refused, TLS failure…)

    def allowed(self, url: str, agent: str) -> bool:
        if self.parser is None:
            return self.status == "missing"
        return bool(self.parser.can_fetch(url, agent))


_shared: Callable[[str, Callable[[], Response | FetchError]], Response | FetchError] | None = None


def fetch_once(url: str, fetch: Callable[[], Response | FetchError]) -> Response | FetchError:
    """``fetch()``; in a distributed scan, the answer the first worker to ask got for ``url`` (robots.txt,
    a site's soft-404 baselines: once per host per scan, not once per worker)."""
    return _shared(url, fetch) if _shared else fetch()


def share_robots(
    fetch_once: Callable[[str, Callable[[], Response | FetchError]], Response | FetchError] | None,
) -> None:
    """Fetch robots.txt through ``fetch_once(url, fetch)`` — once per host for every worker of a
    distributed scan, which shares the answer — instead of once per client (None: per client)."""
    global _shared
    _shared = fetch_once


class Robots:
    """robots.txt rules per host, each fetched once (concurrent callers wait for the one fetch)."""

    def __init__(self, client: WebClient, agent: str = ROBOTS_AGENT, max_crawl_delay: float = MAX_CRAWL_DELAY) -> None:
        self.client = client
        self.agent = agent
        self.max_crawl_delay = max_crawl_delay
        self._lock = threading.Lock()
        self._rules: dict[str, RobotsRules] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    def rules(self, url: str) -> RobotsRules:
        key = origin(url)
        with self._lock:
            known = self._rules.get(key)
            if known is not None:
                return known
            host_lock = self._host_locks.setdefault(key, threading.Lock())
        with host_lock:
            with self._lock:
                known = self._rules.get(key)
            if known is None:
                known = self._fetch(key)
                with self._lock:
                    self._rules[key] = known
            return known

    def allowed(self, url: str) -> bool:
        return self.rules(url).allowed(url, self.agent)

    def crawl_delay(self, url: str) -> float | None:
        return self.rules(url).crawl_delay

    def sitemaps(self, url: str) -> list[str]:
        """Sitemap URLs the host's robots.txt lists (absolute; relative ones resolved against it)."""
        return list(self.rules(url).sitemaps)

    def _fetch(self, key: str) -> RobotsRules:
        robots_url = f"{key}/robots.txt"
        result = fetch_once(robots_url, lambda: self.client.get(robots_url))
        if isinstance(result, FetchError):
            return RobotsRules(key, None, "unavailable", problem=result.problem)
        status = result.status
        if status in (401, 403):
            return RobotsRules(key, None, "forbidden")
        if status == 429 or status >= 500 or status < 200 or 300 <= status < 400:
            return RobotsRules(key, None, "unavailable")
        if 400 <= status < 500:
            return RobotsRules(key, None, "missing")
        # utf-8-sig: a BOM (Windows editors, IIS portals) is not a character of the first line
        text = result.body[:MAX_ROBOTS_BYTES].decode("utf-8-sig", errors="replace")
        parser = Protego.parse(text)
        sitemaps = [urljoin(result.where, s.strip()) for s in parser.sitemaps if s.strip()]
        delay = _delay(parser, self.agent)
        if delay:
            delay = min(delay, self.max_crawl_delay)
            self.client.limiter.set_min_interval(host_of(key), delay)
        return RobotsRules(key, parser, "rules", sitemaps, delay or None)


def _delay(parser: Protego, agent: str) -> float | None:
    """The group's Crawl-delay in seconds (fractions kept); None when absent, garbled or not finite."""
    try:
        value = parser.crawl_delay(agent)
    except (TypeError, ValueError):
        return None
    try:
        delay = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return delay if delay is not None and math.isfinite(delay) and delay > 0 else None


ROBOTS_MODES = ("obey", "audit", "ignore")
REFUSED = "not fetched: robots.txt disallows it"


class RobotsGate:
    """What robots.txt lets the audit fetch under the operator's choice, and a tally of the rest.

    robots.txt asks crawlers to stay out; an attacker ignores it, so a ``.git`` under
    ``Disallow: /`` is as exposed as any other. Who may look there is the operator's licence, not
    govscan's, so the choice is explicit (``robots:`` in a ``url:`` target's crawl settings):

    * ``obey`` (default) — no request robots.txt disallows is made: not by the crawl, not by the
      exposure probes, the portal-API calls, the CORS and transport probes. For third parties.
    * ``audit`` — the crawl obeys; the audit's own checks are made anyway. For an agency
      auditing its own portal (or with written authorisation).
    * ``ignore`` — nothing obeys (the crawl follows disallowed links too).

    In every mode robots.txt is read, so the summary can say truthfully how many requests were
    made despite it (``overridden``) and how many were left out because of it (``skipped``).
    """

    def __init__(self, robots: Robots, mode: str = "obey") -> None:
        if mode not in ROBOTS_MODES:
            raise ValueError(f"robots mode must be one of {', '.join(ROBOTS_MODES)}, not {mode!r}")
        self.robots = robots
        self.mode = mode
        self._lock = threading.Lock()
        self._skipped: set[str] = set()
        self._overridden: set[str] = set()
        self._crawl_skipped = 0  # links the crawler itself left out (it keeps its own count)

    def permits(self, url: str, *, crawl: bool = False) -> bool:
        """Whether the audit may fetch ``url`` (``crawl``: a page the crawler follows), tallied."""
        if self.robots.allowed(url):
            return True
        obey = self.mode == "obey" or (self.mode == "audit" and crawl)
        with self._lock:
            (self._skipped if obey else self._overridden).add(url)
        return not obey

    def fetched(self, url: str) -> None:
        """Tally a fetch made without asking first (the crawl of ``ignore`` mode)."""
        if not self.robots.allowed(url):
            with self._lock:
                self._overridden.add(url)

    def skipped_by_crawl(self, count: int) -> None:
        """The crawler obeyed robots.txt on its own and left ``count`` links out."""
        with self._lock:
            self._crawl_skipped += count

    def guard(self, fetch: Callable[[str], Response | FetchError]) -> Callable[[str], Response | FetchError]:
        """``fetch`` that answers a refusal (a ``FetchError`` starting with ``REFUSED``) instead of fetching."""

        def guarded(url: str) -> Response | FetchError:
            if not self.permits(url):
                return FetchError(url, f"{REFUSED} (robots: {self.mode})")
            return fetch(url)

        return guarded

    @property
    def skipped(self) -> int:
        with self._lock:
            return len(self._skipped) + self._crawl_skipped

    @property
    def overridden(self) -> int:
        with self._lock:
            return len(self._overridden)

    def status(self, url: str) -> str:
        return self.robots.rules(url).status


def refused_by_robots(error: FetchError) -> bool:
    return error.problem.startswith(REFUSED)
