"""Planning: a command's inputs become work units (``units.py``).

A scan config is translated here and only here (``CrawlConfig`` → ``PortalSettings``), and a
portal's TLS endpoint is decided here for ``scan`` and ``crawl`` alike.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from govscan.config import CrawlConfig, ScanConfig, TargetConfig
from govscan.engine.units import DatasetUnit, PortalSettings, PortalUnit, TlsUnit
from govscan.identity import public_uri, stored_uri
from govscan.sources import expand_inputs, is_url


def plan(
    config: ScanConfig, done: set[str]
) -> tuple[list[DatasetUnit], list[DatasetUnit], list[TlsUnit], list[PortalUnit]]:
    """The scan's work units, minus assets already recorded (a resumed scan skips them).

    Every https portal's host is TLS-audited once per scan, even when several targets name it.
    """
    files: list[DatasetUnit] = []
    urls: list[DatasetUnit] = []
    tls: list[TlsUnit] = []
    portals: list[PortalUnit] = []
    audited: set[str] = set()
    for target in config.targets:
        for uri in dataset_assets(target):
            if stored_uri(uri) not in done:
                unit = DatasetUnit(target.name, uri, target.crawl.client.ca_file if is_url(uri) else None)
                (urls if is_url(uri) else files).append(unit)
        endpoints = list(target.tls)
        if target.url:
            if stored_uri(target.url) not in done:
                portals.append(PortalUnit(target.name, target.url, portal_settings(target.crawl)))
            parts = urlsplit(target.url)
            if parts.scheme == "https" and target.crawl.tls and parts.hostname:
                endpoints.append(f"{parts.hostname}:{parts.port or 443}")
        fresh = []
        for endpoint in endpoints:
            uri = stored_uri(_endpoint_uri(endpoint))
            if uri not in done and uri not in audited:
                audited.add(uri)
                fresh.append(endpoint)
        if fresh:
            tls.append(TlsUnit(target.name, tuple(fresh)))
    return files, urls, tls, portals


def portal_settings(crawl: CrawlConfig) -> PortalSettings:
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
    return {"targets": targets}


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
