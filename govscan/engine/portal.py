"""Audit one portal: crawl it, judge its HTTP hygiene, probe for exposed files, read its datasets.

Everything a ``url:`` target needs, as one network-bound work unit. Facts are gathered by the
polite client (robots, rate limit, scope, SSRF guard); verdicts come from the rules: ``http``
checks over the crawled pages, ``exposure`` probes, and the PII detectors over page text, every
discovered data file, portal-API dataset and exposed dump. Pages are judged as they arrive and
kept only in a slim form (headers, forms, links, a body prefix), so memory follows the page
limit, not the site.

Results carry ``AssetOutcome``s for everything read successfully — each page, the site's origin,
every probe path asked for — so a later scan can tell "fixed" from "not looked at".

Every request — crawl, probes, portal APIs, CORS and transport probes — asks one ``RobotsGate``
(``robots: obey | audit | ignore``), which counts what was fetched despite robots.txt. A deadline
(the portal's, or the scan's when sooner) ends the audit and each request at the same moment;
name NER reads at most ``ner_max_chars`` of each page or file. The summary records all three.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from govscan.engine.documents import scan_assets
from govscan.engine.units import PortalSettings
from govscan.model import AssetOutcome, ReadError, SourceAsset, WorkResult
from govscan.net.client import WebClient
from govscan.net.model import FetchError, Page, Response
from govscan.net.robots import ROBOTS_MODES, Robots, RobotsGate, refused_by_robots
from govscan.pii.detector import PiiDetector
from govscan.progress import Progress
from govscan.readers.limits import Limits
from govscan.redact import mask_identifiers, public_uri
from govscan.rules import RuleSet
from govscan.sources.crawl import Crawler, DataLink, data_extension, parse_page
from govscan.web.facts import SiteFacts, origin_of
from govscan.web.grade import HttpGrade, http_grade
from govscan.web.judge import judge_site
from govscan.web.probes import run_probes

PROBE_ORIGIN = "https://govscan-cors-probe.invalid"  # an origin no portal can know: echoing it is reflection
DATA_DEADLINE = 600.0  # seconds for one data file: large exports take a while at polite speeds
KEPT_BODY_BYTES = 256 * 1024  # of each page, for the checks that read markup (meta CSP, subresources)


@dataclass
class PortalResult(WorkResult):
    """A portal unit's result, with what was observed of the site (pages, requests, grade)."""

    summary: dict[str, Any] = field(default_factory=dict)
    limits: Limits | None = None  # readers' limits (``PortalSettings.limits``)

    def scan(self, assets: Iterable[SourceAsset | ReadError], detector: PiiDetector) -> bool:
        """Detect personal data in ``assets``, keeping findings and errors; True when read without error."""
        found = scan_assets(assets, detector, limits=self.limits)
        self.findings += found.findings
        self.errors += [str(e) for e in found.errors]
        return not found.errors

    def unreadable(self, uri: str, problem: str) -> None:
        self.outcomes.append(AssetOutcome(uri, False, problem))
        self.errors.append(f"{uri}: {problem}")


def audit_portal(
    target: str,
    url: str,
    settings: PortalSettings,
    rules: RuleSet,
    key: bytes,
    detector: PiiDetector,
    *,
    on_asset: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    progress: Progress | None = None,
) -> PortalResult:
    """``should_stop`` is polled between pages and files: an interrupted scan stops in seconds.
    ``progress`` hears the audit's running totals after each page and data file (a heartbeat).

    The portal's deadline (and the scan's) is polled the same way and also bounds each request
    (a slowloris answer ends when the deadline does); what it cut is recorded in the summary.
    """
    result = PortalResult(target, limits=settings.limits)
    mode = settings.robots_mode
    if mode not in ROBOTS_MODES:
        raise ValueError(f"robots must be one of {', '.join(ROBOTS_MODES)}, not {mode!r}")
    clock = _Deadline.start(settings)
    stop = clock.stopper(should_stop)
    client, data_client = _clients(url, settings, clock)
    detector = detector.budgeted(ner=settings.ner, ner_max_chars=settings.ner_max_chars)
    gate = RobotsGate(Robots(client), mode)
    beat = _Heartbeat(url, progress, result, (client, data_client), on_asset)
    try:
        crawler = Crawler(
            client,
            settings.crawl.model_copy(update={"ignore_robots": mode == "ignore"}),
            on_fetch=gate.fetched if mode == "ignore" else None,  # an obeying crawl asks robots.txt itself
        )
        pages, data_links, crawl_cut = _crawl(crawler, url, detector, result, beat.page, stop)
        cut = ["crawl"] if crawl_cut else []
        gate.skipped_by_crawl(crawler.skipped.get("robots", 0))
        grade = _judge_site(url, pages, client, gate, stop, rules, key, result)
        reader = _DatasetReader(data_client, detector, result, beat.file, stop, gate)
        cut += _read_data(url, data_links, settings, rules, key, client, reader, gate, should_stop)
        result.summary = _summary(url, settings, pages, data_links, (client, data_client), gate, detector)
        if cut and clock.passed():
            result.summary["deadline"] = {
                "by": clock.by,
                "seconds": clock.seconds,
                "not_done": cut,
                "data_files_unread": reader.unread,
            }
            result.errors.append(f"{url}: the {clock.by}'s deadline of {clock.seconds:g} s cut the audit short")
        if grade is not None:  # the report's per-target grade: Observatory-style, from the http rules
            result.summary.update(grade=grade.letter, http_score=grade.score, http_failed=list(grade.failed))
    finally:
        client.close()
        data_client.close()
    return result


class _Heartbeat:
    """The audit's running totals for the command's progress, after each page and data file.

    Keyed by the portal's public uri, as its result's outcome is: the totals the result brings to
    the coordinator replace these instead of adding to them (govscan/progress.py).
    """

    def __init__(
        self,
        url: str,
        progress: Progress | None,
        result: PortalResult,
        clients: tuple[WebClient, ...],
        on_asset: Callable[[str], None] | None,
    ) -> None:
        self.source, self.progress, self.result = public_uri(url), progress, result
        self.clients, self.on_asset = clients, on_asset
        self.pages = self.files = 0

    def page(self, uri: str) -> None:
        self.pages += 1
        self._beat(uri, "page")

    def file(self, uri: str) -> None:
        self.files += 1
        self._beat(uri, "file")

    def _beat(self, uri: str, what: str) -> None:
        if self.on_asset:
            self.on_asset(uri)
        if self.progress is not None:
            requests = sum(c.stats.requests for c in self.clients)
            totals = {"pages": self.pages, "files": self.files, "requests": requests}
            self.progress.report(self.source, uri=uri, what=what, findings=len(self.result.findings), **totals)


def _clients(url: str, settings: PortalSettings, clock: _Deadline) -> tuple[WebClient, WebClient]:
    """The page client and the data-file client: same host limits, one byte budget, the audit's deadline."""
    crawl = settings.crawl
    page_settings = settings.client.model_copy(update={"stop_at": clock.stop_at})
    client = WebClient.for_target(
        url, page_settings, include=crawl.include, exclude=crawl.exclude, allow_private=crawl.allow_private
    )
    data_settings = page_settings.model_copy(
        update={"max_bytes_per_response": settings.max_dataset_bytes, "cache_max_bytes": 0, "deadline": DATA_DEADLINE}
    )
    data_client = WebClient.for_target(
        url,
        data_settings,
        exclude=crawl.exclude,
        allow_private=crawl.allow_private,
        limiter=client.limiter,
        budget=client.budget,
    )
    return client, data_client


def _judge_site(
    url: str,
    pages: list[Page],
    client: WebClient,
    gate: RobotsGate,
    stop: Callable[[], bool],
    rules: RuleSet,
    key: bytes,
    result: PortalResult,
) -> HttpGrade | None:
    """The HTTP rules over the site's facts (landing page, plain HTTP, CORS); its grade, None without a page."""
    transport = _transport(client, url, pages, gate, stop)
    cors = None
    if pages and not stop() and gate.permits(url):
        cors = client.probe(url, {"Origin": PROBE_ORIGIN})
    facts = SiteFacts.from_pages(
        pages,
        landing=transport.https_landing,
        plain=transport.plain,
        origin=_origin_for_facts(url, pages),
        cors_probe=cors if isinstance(cors, Response) else None,
        probe_origin=PROBE_ORIGIN,
        https_problem=transport.https_problem,
    )
    if facts.landing is None and not pages:
        result.errors.append(f"{url}: no page of the site could be fetched")
        return None
    result.outcomes.append(AssetOutcome(facts.origin, True))
    site_findings = judge_site(facts, rules, key)
    result.findings += site_findings
    https = facts.landing is not None and urlsplit(facts.landing.where).scheme == "https"
    return http_grade(site_findings, https)


def _read_data(
    url: str,
    data_links: list[DataLink],
    settings: PortalSettings,
    rules: RuleSet,
    key: bytes,
    client: WebClient,
    reader: _DatasetReader,
    gate: RobotsGate,
    should_stop: Callable[[], bool],
) -> list[str]:
    """Exposure probes, the crawl's data files, portal APIs: what the deadline (``reader.should_stop``) cut."""
    stop, cut = reader.should_stop, []
    if settings.probes and not should_stop():
        if stop() or _probe(url, rules, key, client, reader.detector, reader.result, reader, gate, stop):
            cut.append("probes")
    for link in data_links:
        reader.read(link.url)
    if settings.api_sources is None or settings.api_sources:
        if stop():
            if not should_stop():
                cut.append("apis")
        elif _portal_apis(url, settings, gate.guard(client.get), reader, stop):
            cut.append("apis")
    if reader.unread:
        cut.append("data_files")
    return cut


def _summary(
    url: str,
    settings: PortalSettings,
    pages: list[Page],
    data_links: list[DataLink],
    clients: tuple[WebClient, WebClient],
    gate: RobotsGate,
    detector: PiiDetector,
) -> dict[str, Any]:
    """What was observed of the site: counts, robots.txt's effect, the bounds the audit ran under."""
    mode, crawl = settings.robots_mode, settings.crawl
    summary = {
        "kind": "portal",
        "origin": origin_of(url),
        "pages": len(pages),
        "data_links": len(data_links),
        "requests": sum(c.stats.requests for c in clients),
        "bytes_read": sum(c.stats.bytes_read for c in clients),
        "robots": {"obey": "obeyed", "audit": "obeyed by the crawl only", "ignore": "ignored"}[mode],
        "robots_mode": mode,
        "robots_txt": gate.status(url),
        "robots_skipped": gate.skipped,  # requests not made because robots.txt disallows them
        "robots_overridden": gate.overridden,  # requests made although robots.txt disallows them
        "max_pages": crawl.max_pages,
        "max_depth": crawl.max_depth,
        "rate": settings.client.rate or None,
        "ner": settings.ner,
        "ner_max_chars": settings.ner_max_chars,
    }
    if detector.ner_cut:  # text past the NER budget: read by the rules only
        summary.update(ner_cut_assets=len(detector.ner_cut), ner_cut_chars=sum(detector.ner_cut.values()))
    return summary


@dataclass(frozen=True)
class _Deadline:
    """The earliest of the portal's deadline and the scan's, as a ``time.monotonic()`` moment."""

    stop_at: float | None
    by: str  # "portal" or "scan"
    seconds: float  # how long the audit was given

    @classmethod
    def start(cls, settings: PortalSettings) -> _Deadline:
        now = time.monotonic()
        candidates = []
        if settings.deadline:
            candidates.append((now + settings.deadline, "portal", settings.deadline))
        if settings.scan_stop_at is not None:
            left = max(0.0, settings.scan_stop_at - time.time())
            candidates.append((now + left, "scan", left))
        if not candidates:
            return cls(None, "", 0.0)
        return cls(*min(candidates))

    def passed(self) -> bool:
        return self.stop_at is not None and time.monotonic() >= self.stop_at

    def stopper(self, should_stop: Callable[[], bool]) -> Callable[[], bool]:
        return lambda: should_stop() or self.passed()


@dataclass(frozen=True)
class _Transport:
    """What the audit learned about the site's transport besides its crawled pages."""

    plain: Response | None = None  # the answer over plain HTTP (should be a redirect to HTTPS)
    https_landing: Response | None = None  # an http target's site answering over HTTPS too
    https_problem: str | None = None  # why an http target's site gave no page over HTTPS


def _transport(
    client: WebClient, url: str, pages: list[Page], gate: RobotsGate, stop: Callable[[], bool]
) -> _Transport:
    """An https target: ask ``http://host/`` (it should redirect). An http target whose crawl saw
    no HTTPS page: ask ``https://host/`` — an answer is the landing page the header rules judge,
    a failure means the portal has no HTTPS at all (and its plain start page is the landing)."""
    parts = urlsplit(url)
    if stop():
        return _Transport()
    if parts.scheme == "https":
        return _Transport(plain=_plain_http(client, url, gate))
    if not pages or any(urlsplit(p.response.where).scheme == "https" for p in pages):
        return _Transport()
    start = min(pages, key=lambda p: p.depth).response
    port = "" if parts.port in (None, 80) else f":{parts.port}"
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    https_url = f"https://{host}{port}/"
    robots_problem = gate.robots.rules(https_url).problem  # asking for robots.txt already tried HTTPS
    if robots_problem is not None:
        answer: Response | FetchError = FetchError(https_url, robots_problem)
    elif not gate.permits(https_url):
        return _Transport(plain=start)
    else:
        answer = client.get(https_url)
    if isinstance(answer, Response):
        return _Transport(plain=start, https_landing=answer if answer.status < 400 else None)
    if stop() or refused_by_robots(answer) or answer.problem.startswith(("refused", "not fetched")):
        return _Transport()  # the deadline, robots.txt or the guard: nothing learned about HTTPS
    return _Transport(plain=start, https_problem=f"{https_url} gave no answer ({answer.problem})")


def _crawl(
    crawler: Crawler,
    url: str,
    detector: PiiDetector,
    result: PortalResult,
    on_asset: Callable[[str], None] | None,
    should_stop: Callable[[], bool],
) -> tuple[list[Page], list[DataLink], bool]:
    """Pages and data links of the crawl, and whether ``should_stop`` ended it early."""
    pages: list[Page] = []
    links: dict[str, DataLink] = {}
    for item in crawler.crawl(url):
        if should_stop():
            if isinstance(item, FetchError):
                result.errors.append(str(item))  # e.g. the page the deadline ended
            return pages, list(links.values()), True  # closing the generator: in-flight requests finish, no new ones
        if isinstance(item, FetchError):
            result.errors.append(str(item))
            continue
        if isinstance(item, DataLink):
            links.setdefault(item.url, item)
            continue
        response = item.response
        page_uri = response.where
        if response.status < 400:
            _scan_body(page_uri, response.body, "text/html", detector, result)
            result.outcomes.append(AssetOutcome(page_uri, True))
            if on_asset:
                on_asset(page_uri)
        pages.append(_slim(item))
    return pages, list(links.values()), False


def _slim(page: Page) -> Page:
    response = page.response
    if len(response.body) <= KEPT_BODY_BYTES:
        return page
    return dataclasses.replace(page, response=dataclasses.replace(response, body=response.body[:KEPT_BODY_BYTES]))


def _origin_for_facts(url: str, pages: list[Page]) -> str:
    """The HTTPS origin when the site answered over HTTPS; a plain-HTTP-only site keeps its own."""
    https = [p for p in pages if urlsplit(p.response.where).scheme == "https"]
    if https or urlsplit(url).scheme == "https":
        return origin_of(https[0].response.where if https else url)
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}/"


def _plain_http(client: WebClient, url: str, gate: RobotsGate) -> Response | None:
    """The answer to ``http://host/``: should be a redirect to HTTPS (None when port 80 is closed)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.port not in (None, 443):
        return None
    plain_url = f"http://{parts.netloc}/"
    if not gate.permits(plain_url):
        return None
    answer = client.get(plain_url)
    return answer if isinstance(answer, Response) else None


def _probe(
    url: str,
    rules: RuleSet,
    key: bytes,
    client: WebClient,
    detector: PiiDetector,
    result: PortalResult,
    reader: _DatasetReader,
    gate: RobotsGate,
    stop: Callable[[], bool],
) -> bool:
    """Run the exposure rules (robots.txt as the operator chose); True when the deadline cut them."""
    probed = run_probes(url, rules, key, client.get, permitted=gate.permits, should_stop=stop)
    result.findings += probed.findings
    result.errors += [str(e) for e in probed.errors]
    for probe_url in probed.answered:
        result.outcomes.append(AssetOutcome(probe_url, True))  # answered: an exposure there can be "fixed"
    for response in probed.datasets:
        _scan_body(response.url, response.body, response.media_type or None, detector, result)
    for finding in probed.findings:
        if finding.rule_id == "exposure.directory-listing":  # the files a listing shows are read too
            listing = client.get(finding.location.uri)
            if isinstance(listing, Response):
                for link in parse_page(listing, 0).links:
                    if data_extension(link) and client.scope.why_not(link) is None:
                        reader.read(link)
    return probed.cut


class _DatasetReader:
    """Read each discovered data file once per audit (the crawl, a listing and a CKAN API may all name it)."""

    def __init__(
        self,
        client: WebClient,
        detector: PiiDetector,
        result: PortalResult,
        on_asset: Callable[[str], None] | None,
        should_stop: Callable[[], bool] = lambda: False,
        gate: RobotsGate | None = None,
    ) -> None:
        self.client, self.detector, self.result, self.on_asset = client, detector, result, on_asset
        self.should_stop = should_stop
        self.gate = gate
        self.done: set[str] = set()
        self.unread = 0  # files not read because the audit was told to stop (its deadline)

    def read(self, url: str) -> None:
        if url in self.done:
            return
        if self.should_stop():
            self.unread += 1
            return
        self.done.add(url)
        if self.gate is not None and not self.gate.permits(url):
            return
        result = self.result
        directory = tempfile.mkdtemp(prefix="govscan-data-")
        path = os.path.join(directory, _file_name(url))
        answer = self.client.download(url, path)  # streamed to disk: a data file is never held in memory
        problem = None
        if isinstance(answer, FetchError):
            problem = answer.problem
        elif answer.status >= 400:
            problem = f"HTTP {answer.status}"
        if problem is not None:
            shutil.rmtree(directory, ignore_errors=True)
            result.unreadable(url, problem)
            return
        assert isinstance(answer, Response)
        size = os.path.getsize(path)
        asset = SourceAsset(uri=url, path=path, media_hint=answer.media_type or None, cleanup_dir=directory)
        ok = result.scan([asset], self.detector)
        if answer.truncated:
            result.unreadable(url, f"larger than {size} bytes: only the start was read")
        else:
            result.outcomes.append(AssetOutcome(url, ok))
        if self.on_asset:
            self.on_asset(url)


def _portal_apis(
    url: str,
    settings: PortalSettings,
    fetch: Callable[[str], Response | FetchError],
    reader: _DatasetReader,
    stop: Callable[[], bool],
) -> bool:
    """API answers through ``fetch`` (the page client, bounded bodies, robots.txt as chosen); the
    files they list through ``reader``. True when ``stop`` ended the discovery early."""
    from govscan.sources.ckan import DataResource
    from govscan.sources.portal_api import EgovSource, discover

    names = settings.api_sources
    result = reader.result
    configured = {"egov": EgovSource(api_key=settings.egov_api_key)} if settings.egov_api_key else None
    for item in discover(url, fetch, names, configured=configured):
        if stop():
            return True
        if isinstance(item, FetchError):
            if not refused_by_robots(item):  # tallied by the gate, not a problem of the portal
                result.errors.append(str(item))
        elif isinstance(item, DataResource):
            reader.read(item.url)
        else:
            result.outcomes.append(AssetOutcome(item.uri, result.scan([item], reader.detector)))
    return False


def _scan_body(uri: str, body: bytes, media: str | None, detector: PiiDetector, result: PortalResult) -> bool:
    """Detect personal data in a fetched body; True when it was read without error."""
    return result.scan(_body_asset(uri, body, media), detector)


def _body_asset(uri: str, body: bytes, media: str | None) -> Iterable[SourceAsset | ReadError]:
    directory = tempfile.mkdtemp(prefix="govscan-web-")
    path = os.path.join(directory, _file_name(uri))
    with open(path, "wb") as handle:
        handle.write(body)
    yield SourceAsset(uri=uri, path=path, media_hint=media, cleanup_dir=directory)


def _file_name(uri: str) -> str:
    # masked: readers pass the path to antiword, catdoc or tesseract, whose command lines anyone can list
    name = mask_identifiers(os.path.basename(urlsplit(uri).path)) or "index.html"
    return "".join(c for c in name if c.isalnum() or c in "._-")[:100] or "body"
