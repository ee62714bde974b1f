"""Auditing a whole portal: the demo site on 127.0.0.1 with every kind of exposure planted."""

from __future__ import annotations

import pytest

from govscan.config import CrawlConfig
from govscan.demo.portal import DemoPortal
from govscan.engine.plan import portal_settings
from govscan.engine.portal import PortalResult, audit_portal
from govscan.identity import load_secret
from govscan.pii.detector import PiiDetector
from govscan.rules import load_rules


@pytest.fixture(scope="module")
def audited() -> tuple[DemoPortal, PortalResult]:
    rules, key = load_rules(), load_secret()
    with DemoPortal() as portal:
        settings = portal_settings(CrawlConfig(rate=0, max_pages=60))
        result = audit_portal("demo", portal.http_url, settings, rules, key, PiiDetector(rules, key))
        yield portal, result


def rules_at(result: PortalResult, suffix: str) -> set[str]:
    return {f.rule_id for f in result.findings if f.location.uri.endswith(suffix)}


def test_personal_data_is_found_in_pages_linked_files_sitemap_only_pages_and_a_dump(audited) -> None:
    _, result = audited
    assert "pii.kz-iin" in rules_at(result, "/social/recipients")  # an HTML table on a page
    assert {"pii.kz-iin", "pii.phone", "pii.address"} <= rules_at(result, "/files/recipients.csv")
    assert "pii.kz-iin" in rules_at(result, "/files/archive-2019.json")  # linked only from a sitemap page
    assert "pii.kz-iin" in rules_at(result, "/backup/db.sql")  # listed in an exposed directory


def test_exposures_and_http_hygiene_are_judged(audited) -> None:
    _, result = audited
    found = {f.rule_id for f in result.findings}
    assert {"exposure.git", "exposure.directory-listing", "http.form.personal-data-over-http"} <= found
    assert {"http.cookie.httponly-missing", "http.disclosure.server-version", "http.disclosure.powered-by"} <= found
    assert "http.header.cors-wildcard-credentials" in found  # the probe's foreign Origin came back, with credentials
    site_level = [f for f in result.findings if f.rule_id == "http.disclosure.server-version"]
    assert site_level[0].location.uri.startswith("http://127.0.0.1:")  # a plain-HTTP site keeps its own origin


def test_robots_txt_is_obeyed_and_nothing_raw_is_kept(audited) -> None:
    portal, result = audited
    assert not portal.asked("/admin/")
    assert portal.asked("/robots.txt") and portal.asked("/sitemap.xml")
    text = " ".join(f"{f.evidence} {f.title} {f.location}" for f in result.findings)
    assert not any(iin in text for iin in portal.data.iins)
    assert "demo0session0id" not in text  # cookie values are never evidence


def test_each_data_file_is_read_once_and_every_page_and_probe_is_an_outcome(audited) -> None:
    portal, result = audited
    assert portal.requests.count("/files/recipients.csv") == 1  # linked on a page and listed by the CKAN API
    assert portal.asked("/api/3/action/package_search")
    read = {o.uri for o in result.outcomes if o.ok}
    assert {portal.http_url + "contacts", portal.http_url + ".git/HEAD", portal.http_url + ".env"} <= read
    assert result.summary["robots"] == "obeyed" and result.summary["pages"] >= 8
    assert result.summary["grade"] == "F"  # a portal without HTTPS


def test_ignoring_robots_is_explicit_and_recorded() -> None:
    rules, key = load_rules(), load_secret()
    with DemoPortal() as portal:
        settings = portal_settings(CrawlConfig(rate=0, max_pages=60, ignore_robots=True, probes=False))
        result = audit_portal("demo", portal.http_url, settings, rules, key, PiiDetector(rules, key))
        assert portal.asked("/admin/")
    assert result.summary["robots"] == "ignored"


def test_an_unreachable_portal_is_an_error_not_a_crash() -> None:
    from govscan.testing.tls_lab import closed_port

    rules, key = load_rules(), load_secret()
    url = f"http://127.0.0.1:{closed_port()}/"
    settings = portal_settings(CrawlConfig(rate=0, probes=False))
    result = audit_portal("demo", url, settings, rules, key, PiiDetector(rules, key))
    assert result.findings == [] and result.summary["pages"] == 0
    assert any("no page of the site could be fetched" in e for e in result.errors)


def test_a_stop_request_ends_the_audit_between_pages() -> None:
    rules, key = load_rules(), load_secret()
    pages_seen: list[str] = []
    with DemoPortal() as portal:
        settings = portal_settings(CrawlConfig(rate=0, max_pages=60, concurrency=1))
        result = audit_portal(
            "demo", portal.http_url, settings, rules, key, PiiDetector(rules, key),
            on_asset=pages_seen.append, should_stop=lambda: len(pages_seen) >= 2,
        )  # fmt: skip
        assert not portal.asked("/.git/HEAD") and not portal.asked("/api/3/action/package_search")
    assert result.summary["pages"] <= 3


def test_a_downloaded_file_is_saved_under_a_masked_name() -> None:
    # readers hand the path to antiword, catdoc or tesseract: a command line anyone on the host can list
    from govscan.engine.portal import _file_name

    name = _file_name("https://portal.kz/files/spravka_450420320289.doc?x=1")
    assert name.endswith(".doc") and "4504" in name and "450420320289" not in name
