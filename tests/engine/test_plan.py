"""Planning: every command's inputs become units in one place, and a portal's TLS is decided once."""

from __future__ import annotations

import time

import pytest

from govscan.config import CrawlConfig, ScanConfig, TargetConfig
from govscan.engine.plan import crawl_plan, plan, portal_tls, tls_plan
from govscan.engine.units import TlsOptions
from govscan.identity import stored_uri
from govscan.tls.targets import TargetError


def test_an_https_portal_brings_its_hosts_tls_endpoint_and_an_http_one_or_tls_off_does_not() -> None:
    assert portal_tls("https://portal.kz/", CrawlConfig()) == ["portal.kz:443"]
    assert portal_tls("https://portal.kz:8443/x", CrawlConfig()) == ["portal.kz:8443"]
    assert portal_tls("http://portal.kz/", CrawlConfig()) == []
    assert portal_tls("https://portal.kz/", CrawlConfig(tls=False)) == []


def test_crawl_and_scan_plan_the_same_portal_tls() -> None:
    crawl = crawl_plan("https://portal.kz/", CrawlConfig())
    scan = plan(ScanConfig(name="n", targets=[TargetConfig(name="p", url="https://portal.kz/")]))
    assert [u.endpoints for u in crawl.tls] == [u.endpoints for u in scan.tls] == [("portal.kz:443",)]
    assert [u.url for u in crawl.portals] == [u.url for u in scan.portals] == ["https://portal.kz/"]
    assert crawl_plan("https://portal.kz/", CrawlConfig(tls=False)).tls == []


def test_a_host_named_by_two_targets_is_audited_once_per_scan() -> None:
    config = ScanConfig(
        name="n",
        targets=[
            TargetConfig(name="a", url="https://portal.kz/"),
            TargetConfig(name="b", tls=["portal.kz:443", "mail.portal.kz"]),
        ],
    )
    assert [(u.target, u.endpoints) for u in plan(config).tls] == [
        ("a", ("portal.kz:443",)),
        ("b", ("mail.portal.kz",)),
    ]


def test_the_scans_deadline_and_ocr_mode_reach_every_portal() -> None:
    config = ScanConfig(name="n", deadline=60, ocr="off", targets=[TargetConfig(name="p", url="https://portal.kz/")])
    before = time.time()
    (unit,) = plan(config).portals
    assert unit.settings.limits is not None and unit.settings.limits.ocr == "off"
    assert unit.settings.scan_stop_at is not None and before + 60 <= unit.settings.scan_stop_at <= time.time() + 60
    assert crawl_plan("https://portal.kz/", CrawlConfig()).portals[0].settings.scan_stop_at is None


def test_a_resumed_scan_plans_only_what_it_has_not_recorded() -> None:
    config = ScanConfig(name="n", targets=[TargetConfig(name="p", url="https://portal.kz/")])
    work = plan(config, {stored_uri("https://portal.kz/"), stored_uri("tls://portal.kz:443")})
    assert work.portals == [] and work.tls == []


def test_the_tls_command_plans_one_unit_with_its_options_and_refuses_a_bad_target() -> None:
    options = TlsOptions(profile="fast", rate=2.0, expiring_days=10)
    (unit,) = tls_plan(["a.kz", "b.kz:8443"], options).tls
    assert unit.endpoints == ("a.kz", "b.kz:8443") and unit.options == options
    with pytest.raises(TargetError):
        tls_plan(["a.kz", "b.kz:notaport"], options)
