"""robots.txt: fetched once per host; what each kind of answer allows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
import responses

from govscan.net.client import WebClient
from govscan.net.robots import Robots

PORTAL = "https://portal.example"
MakeClient = Callable[..., WebClient]


@responses.activate
def test_rules_are_obeyed_and_fetched_once_per_host(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/robots.txt", body="User-agent: *\nDisallow: /private/\n")
    robots = Robots(make_client())
    assert robots.allowed(f"{PORTAL}/news")
    assert not robots.allowed(f"{PORTAL}/private/list")
    assert robots.rules(f"{PORTAL}/").status == "rules"
    assert len(responses.calls) == 1


@responses.activate
def test_a_group_for_govscan_wins_over_the_wildcard(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/robots.txt", body="User-agent: *\nAllow: /\n\nUser-agent: govscan\nDisallow: /\n")
    assert not Robots(make_client()).allowed(f"{PORTAL}/news")


@pytest.mark.parametrize(
    ("status", "allowed", "kind"),
    [
        (404, True, "missing"),
        (410, True, "missing"),
        (401, False, "forbidden"),
        (403, False, "forbidden"),
        (500, False, "unavailable"),
        (503, False, "unavailable"),
    ],
)
@responses.activate
def test_what_a_status_without_rules_means(make_client: MakeClient, status: int, allowed: bool, kind: str) -> None:
    responses.get(f"{PORTAL}/robots.txt", status=status)
    robots = Robots(make_client(retries=0))
    assert robots.allowed(f"{PORTAL}/anything") is allowed
    assert robots.rules(f"{PORTAL}/").status == kind


@responses.activate
def test_an_unreachable_robots_txt_disallows_everything(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/robots.txt", body=requests.exceptions.ConnectionError("refused"))
    robots = Robots(make_client(retries=0))
    assert not robots.allowed(f"{PORTAL}/")
    assert robots.rules(f"{PORTAL}/").status == "unavailable"


@responses.activate
def test_crawl_delay_becomes_the_hosts_minimum_interval(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/robots.txt", body="User-agent: *\nCrawl-delay: 3\n")
    client = make_client()
    robots = Robots(client)
    assert robots.crawl_delay(f"{PORTAL}/") == 3
    assert client.limiter.interval_for("portal.example") == 3  # per host: http and https share it


@responses.activate
def test_an_absurd_crawl_delay_is_capped(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/robots.txt", body="User-agent: *\nCrawl-delay: 86400\n")
    client = make_client()
    assert Robots(client, max_crawl_delay=60).crawl_delay(f"{PORTAL}/") == 60
    assert client.limiter.interval_for("portal.example") == 60


@responses.activate
def test_sitemaps_listed_in_robots_are_returned_absolute(make_client: MakeClient) -> None:
    responses.get(
        f"{PORTAL}/robots.txt",
        body=f"Sitemap: {PORTAL}/sitemap-news.xml\nSitemap: /sitemap-docs.xml\nUser-agent: *\nDisallow:\n",
    )
    assert Robots(make_client()).sitemaps(f"{PORTAL}/x") == [f"{PORTAL}/sitemap-news.xml", f"{PORTAL}/sitemap-docs.xml"]


@responses.activate
def test_each_origin_has_its_own_robots_txt(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/robots.txt", body="User-agent: *\nDisallow: /\n")
    responses.get("http://portal.example/robots.txt", status=404)
    robots = Robots(make_client())
    assert not robots.allowed(f"{PORTAL}/a")
    assert robots.allowed("http://portal.example/a")


# -- RFC 9309 matching (protego) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (f"{PORTAL}/catalog/", True),
        (f"{PORTAL}/catalog/?PAGEN_1=2", False),  # Bitrix: every query string is disallowed by /*?
        (f"{PORTAL}/search/index.php", False),
        (f"{PORTAL}/bitrix/admin/", False),
        (f"{PORTAL}/upload/report.pdf", False),  # "$" anchors the end of the path
        (f"{PORTAL}/upload/report.pdf.html", True),
    ],
)
@responses.activate
def test_wildcards_and_end_anchors_are_understood(make_client: MakeClient, url: str, allowed: bool) -> None:
    responses.get(
        f"{PORTAL}/robots.txt",
        body="User-agent: *\nDisallow: /*?\nDisallow: /search/\nDisallow: /bitrix/\nDisallow: /*.pdf$\n",
    )
    assert Robots(make_client()).allowed(url) is allowed


@responses.activate
def test_the_most_specific_rule_wins_not_the_first(make_client: MakeClient) -> None:
    """RFC 9309 §2.2.2: the longest matching path decides, whatever the order of the lines."""
    responses.get(f"{PORTAL}/robots.txt", body="User-agent: *\nDisallow: /\nAllow: /news/\n")
    robots = Robots(make_client())
    assert robots.allowed(f"{PORTAL}/news/today")
    assert not robots.allowed(f"{PORTAL}/admin/")


@responses.activate
def test_a_fractional_crawl_delay_is_honoured(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/robots.txt", body="User-agent: *\nCrawl-delay: 0.5\n")
    client = make_client()
    assert Robots(client).crawl_delay(f"{PORTAL}/") == 0.5
    assert client.limiter.interval_for("portal.example") == 0.5


@responses.activate
def test_a_garbled_crawl_delay_is_ignored(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/robots.txt", body="User-agent: *\nCrawl-delay: soon\nDisallow: /x\n")
    robots = Robots(make_client())
    assert robots.crawl_delay(f"{PORTAL}/") is None
    assert not robots.allowed(f"{PORTAL}/x")


@responses.activate
def test_a_byte_order_mark_does_not_hide_the_first_group(make_client: MakeClient) -> None:
    """robots.txt saved by Windows editors (IIS portals) starts with a UTF-8 BOM; Google ignores it, so do we."""
    responses.get(f"{PORTAL}/robots.txt", body=b"\xef\xbb\xbfUser-agent: *\nDisallow: /private/\n")
    robots = Robots(make_client())
    assert not robots.allowed(f"{PORTAL}/private/list")
    assert robots.allowed(f"{PORTAL}/news")
