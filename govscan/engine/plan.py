"""Planning: a command's inputs become work units (``units.py``).

A scan config is translated here and only here (``CrawlConfig`` → ``PortalSettings``), and a
portal's TLS endpoint is decided here for ``scan`` and ``crawl`` alike.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govscan.config import CrawlConfig, ScanConfig, TargetConfig
from govscan.engine.units import DatasetUnit, PortalSettings, PortalUnit, TlsOptions, TlsUnit
from govscan.identity import public_uri, stored_uri
from govscan.readers.limits import Limits
from govscan.sources import expand_inputs, is_url


@dataclass
class Plan:
    """A command's work units, by kind, in the order they run."""

    files: list[DatasetUnit] = field(default_factory=list)  # parsing: processes
    urls: list[DatasetUnit] = field(default_factory=list)  # downloads: threads
    portals: list[PortalUnit] = field(default_factory=list)
    tls: list[TlsUnit] = field(default_factory=list)


def plan(config: ScanConfig, done: Collection[str] = frozenset()) -> Plan:
    """The scan's work units, minus assets already recorded (a resumed scan skips them).

    Every https portal's host is TLS-audited once per scan, even when several targets name it.
    The scan's deadline (from now) and OCR mode reach every portal.
    """
    work = Plan()
    audited: set[str] = set()
    stop_at = time.time() + config.deadline if config.deadline else None
    for target in config.targets:
        for uri in dataset_assets(target):
            if stored_uri(uri) not in done:
                unit = DatasetUnit(target.name, uri, target.crawl.client.ca_file if is_url(uri) else None)
                (work.urls if is_url(uri) else work.files).append(unit)
        endpoints = list(target.tls)
        if target.url:
            if stored_uri(target.url) not in done:
                settings = portal_settings(target.crawl, limits=config.read_limits(), scan_stop_at=stop_at)
                work.portals.append(PortalUnit(target.name, target.url, settings))
            endpoints += portal_tls(target.url, target.crawl)
        fresh = []
        for endpoint in endpoints:
            uri = stored_uri(_endpoint_uri(endpoint))
            if uri not in done and uri not in audited:
                audited.add(uri)
                fresh.append(endpoint)
        if fresh:
            work.tls.append(TlsUnit(target.name, tuple(fresh)))
    return work


def crawl_plan(url: str, crawl: CrawlConfig) -> Plan:
    """``govscan crawl URL``: the portal, and its host's TLS as a scan would audit it."""
    endpoints = portal_tls(url, crawl)
    return Plan(
        portals=[PortalUnit("crawl", url, portal_settings(crawl))],
        tls=[TlsUnit("crawl", tuple(endpoints))] if endpoints else [],
    )


def tls_plan(targets: list[str], options: TlsOptions) -> Plan:
    """``govscan tls``: every endpoint in one unit (the TLS runner paces and batches them itself).

    Raises ``TargetError`` naming the first target that is not ``HOST[:PORT]``.
    """
    from govscan.tls.targets import parse_target

    for target in targets:
        parse_target(target)
    return Plan(tls=[TlsUnit("tls", tuple(targets), options)])


def portal_tls(url: str, crawl: CrawlConfig) -> list[str]:
    """The TLS endpoint audited with a portal: an https portal's host (``crawl.tls``, on by default)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and crawl.tls and parts.hostname:
        return [f"{parts.hostname}:{parts.port or 443}"]
    return []


def portal_settings(
    crawl: CrawlConfig, *, limits: Limits | None = None, scan_stop_at: float | None = None
) -> PortalSettings:
    """The one translation of a ``crawl:`` block into how a portal is audited (the key read from its variable)."""
    key = os.environ.get(crawl.egov_api_key_env) if crawl.egov_api_key_env else None
    return PortalSettings(
        client=crawl.client,  # the network layer's block and the crawler's, taken as they are
        crawl=crawl.crawler,
        probes=crawl.probes,
        api_sources=tuple(crawl.api_sources) if crawl.api_sources is not None else None,
        egov_api_key=key,
        robots="ignore" if crawl.ignore_robots else crawl.robots,
        ner=crawl.ner,
        ner_max_chars=crawl.ner_max_chars,
        deadline=crawl.deadline,
        scan_stop_at=scan_stop_at,
        limits=limits,
    )


def scan_settings(config: ScanConfig) -> dict[str, object]:
    """What the report's methodology section says about how each target was scanned (no secrets)."""
    targets = []
    for target in config.targets:
        entry: dict[str, object] = {"name": target.name, "kind": target.kind}
        if target.datasets:
            entry["datasets"] = [public_uri(d) for d in target.datasets]
        if target.tls:
            entry["tls"] = list(target.tls)
        if target.url:
            entry["url"] = public_uri(target.url)
            entry["crawl"] = target.crawl.model_dump(exclude={"egov_api_key_env"})
        targets.append(entry)
    return {"targets": targets, "executor": config.executor}  # `scans list` shows where units ran


def dataset_assets(target: TargetConfig) -> list[str]:
    """Asset uris of a target without reading them (URLs are one asset each, fetched later)."""
    uris: list[str] = []
    for item in target.datasets:
        if is_url(item):
            uris.append(item)
            continue
        for asset in expand_inputs([item], target.exclude):
            uris.append(asset.uri)  # a missing path stays, so the scan records it as unreadable
    return list(dict.fromkeys(uris))


def _endpoint_uri(text: str) -> str:
    from govscan.tls.targets import parse_target

    return parse_target(text).uri
