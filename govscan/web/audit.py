"""Audit one portal: crawl it, judge its HTTP hygiene, probe for exposed files, read its datasets.

Everything a ``url:`` target needs, as one network-bound work unit. Facts are gathered by the
polite client (robots, rate limit, scope, SSRF guard); verdicts come from the rules: ``http``
checks over the crawled pages, ``exposure`` probes, and the PII detectors over page text, every
discovered data file, portal-API dataset and exposed dump. Pages are judged as they arrive and
kept only in a slim form (headers, forms, links, a body prefix), so memory follows the page
limit, not the site.

Results carry ``AssetOutcome``s for everything read successfully — each page, the site's origin,
every probe path asked for — so a later scan can tell "fixed" from "not looked at".
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from govscan.model import AssetOutcome, ReadError, WorkResult
from govscan.pii.detector import PiiDetector
from govscan.pipeline import scan_assets
from govscan.rules import RuleSet
from govscan.sources.files import SourceAsset
from govscan.web.client import WebClient
from govscan.web.crawl import Crawler, CrawlSettings, DataLink, data_extension, parse_page
from govscan.web.facts import SiteFacts, origin_of
from govscan.web.grade import http_grade
from govscan.web.judge import judge_site
from govscan.web.model import FetchError, Page, Response
from govscan.web.probes import run_probes

MiB = 1024 * 1024
PROBE_ORIGIN = "https://govscan-cors-probe.invalid"  # an origin no portal can know: echoing it is reflection
DATA_DEADLINE = 600.0  # seconds for one data file: large exports take a while at polite speeds
KEPT_BODY_BYTES = 256 * 1024  # of each page, for the checks that read markup (meta CSP, subresources)


@dataclass(frozen=True)
class PortalSettings:
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    probes: bool = True  # exposure rules (.git, .env, dumps…)
    api_sources: tuple[str, ...] | None = None  # portal-API plugins to try; None = every registered one
    egov_api_key: str | None = None  # never written anywhere: only sent to data.egov.kz
    max_dataset_bytes: int = 200 * MiB  # a discovered data file is read up to this size


@dataclass
class PortalResult(WorkResult):
    """A portal unit's result, with what was observed of the site (pages, requests, grade)."""

    summary: dict[str, Any] = field(default_factory=dict)

    def scan(self, assets: Iterable[SourceAsset | ReadError], detector: PiiDetector) -> bool:
        """Detect personal data in ``assets``, keeping findings and errors; True when read without error."""
        found = scan_assets(assets, detector)
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
) -> PortalResult:
    """``should_stop`` is polled between pages and files: an interrupted scan stops in seconds."""
    result = PortalResult(target)
    crawl = settings.crawl
    client = WebClient.for_target(
        url, crawl.client_settings(), include=crawl.include, exclude=crawl.exclude, allow_private=crawl.allow_private
    )
    data_settings = dataclasses.replace(
        crawl.client_settings(),
        max_bytes_per_response=settings.max_dataset_bytes,
        cache_max_bytes=0,
        deadline=DATA_DEADLINE,
    )
    data_client = WebClient.for_target(  # same host limits and one byte budget for pages and files
        url,
        data_settings,
        exclude=crawl.exclude,
        allow_private=crawl.allow_private,
        limiter=client.limiter,
        budget=client.budget,
    )
    try:
        pages, data_links = _crawl(Crawler(client, crawl), url, detector, result, on_asset, should_stop)
        origin = origin_of(url)
        plain = _plain_http(client, url)
        cors = client.probe(url, {"Origin": PROBE_ORIGIN}) if pages else None
        facts = SiteFacts.from_pages(
            pages,
            plain=plain,
            origin=_origin_for_facts(url, pages),
            cors_probe=cors if isinstance(cors, Response) else None,
            probe_origin=PROBE_ORIGIN,
        )
        landing_ok = facts.landing is not None or bool(pages)
        grade = None
        if landing_ok:
            result.outcomes.append(AssetOutcome(facts.origin, True))
            site_findings = judge_site(facts, rules, key)
            result.findings += site_findings
            https = facts.landing is not None and urlsplit(facts.landing.where).scheme == "https"
            grade = http_grade(site_findings, https)
        else:
            result.errors.append(f"{url}: no page of the site could be fetched")
        reader = _DatasetReader(data_client, detector, result, on_asset, should_stop)
        if settings.probes and not should_stop():
            _probe(url, rules, key, client, detector, result, reader)
        for link in data_links:
            reader.read(link.url)
        if not should_stop():
            _portal_apis(url, settings, client, reader)
        stats = client.stats
        result.summary = {
            "kind": "portal",
            "origin": origin,
            "pages": len(pages),
            "data_links": len(data_links),
            "requests": stats.requests + data_client.stats.requests,
            "bytes_read": stats.bytes_read + data_client.stats.bytes_read,
            "robots": "ignored" if crawl.ignore_robots else "obeyed",
            "max_pages": crawl.max_pages,
            "max_depth": crawl.max_depth,
            "rate": crawl.rate,
        }
        if grade is not None:  # the report's per-target grade: Observatory-style, from the http rules
            result.summary.update(grade=grade.letter, http_score=grade.score, http_failed=list(grade.failed))
    finally:
        client.close()
        data_client.close()
    return result


def _crawl(
    crawler: Crawler,
    url: str,
    detector: PiiDetector,
    result: PortalResult,
    on_asset: Callable[[str], None] | None,
    should_stop: Callable[[], bool],
) -> tuple[list[Page], list[DataLink]]:
    pages: list[Page] = []
    links: dict[str, DataLink] = {}
    for item in crawler.crawl(url):
        if should_stop():
            break  # closing the generator lets the crawler's in-flight requests finish, no new ones
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
    return pages, list(links.values())


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


def _plain_http(client: WebClient, url: str) -> Response | None:
    """The answer to ``http://host/``: should be a redirect to HTTPS (None when port 80 is closed)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.port not in (None, 443):
        return None
    answer = client.get(f"http://{parts.netloc}/")
    return answer if isinstance(answer, Response) else None


def _probe(
    url: str,
    rules: RuleSet,
    key: bytes,
    client: WebClient,
    detector: PiiDetector,
    result: PortalResult,
    reader: _DatasetReader,
) -> None:
    probed = run_probes(url, rules, key, client.get)
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


class _DatasetReader:
    """Read each discovered data file once per audit (the crawl, a listing and a CKAN API may all name it)."""

    def __init__(
        self,
        client: WebClient,
        detector: PiiDetector,
        result: PortalResult,
        on_asset: Callable[[str], None] | None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.client, self.detector, self.result, self.on_asset = client, detector, result, on_asset
        self.should_stop = should_stop
        self.done: set[str] = set()

    def read(self, url: str) -> None:
        if url in self.done or self.should_stop():
            return
        self.done.add(url)
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


def _portal_apis(url: str, settings: PortalSettings, api_client: WebClient, reader: _DatasetReader) -> None:
    """API answers go through the page client (bounded bodies); the files they list through ``reader``."""
    from govscan.sources.ckan import DataResource
    from govscan.sources.portal_api import EgovSource, discover

    names = settings.api_sources
    if names is not None and not names:
        return
    result = reader.result
    configured = {"egov": EgovSource(api_key=settings.egov_api_key)} if settings.egov_api_key else None
    for item in discover(url, api_client.get, names, configured=configured):
        if isinstance(item, FetchError):
            result.errors.append(str(item))
        elif isinstance(item, DataResource):
            reader.read(item.url)
        else:
            result.outcomes.append(AssetOutcome(item.uri, result.scan([item], reader.detector)))


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
    name = os.path.basename(urlsplit(uri).path) or "index.html"
    return "".join(c for c in name if c.isalnum() or c in "._-")[:100] or "body"
