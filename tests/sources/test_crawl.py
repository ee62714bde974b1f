"""The crawler against the fixture portal on 127.0.0.1: what it finds, what it must never fetch."""

from __future__ import annotations

import gzip
import time

from govscan.net.client import ClientSettings
from govscan.net.model import FetchError, Page, Response
from govscan.net.scope import TrapLimits
from govscan.sources.crawl import Crawler, CrawlSettings, DataLink, is_html, parse_page, parse_sitemap

FAST = {"rate": None}


def _crawl(portal, **settings: object) -> tuple[Crawler, list[Page | FetchError | DataLink]]:
    """Crawl the fixture portal; ``settings`` may name the crawler's bounds and the client's limits alike."""
    client = {k: settings.pop(k) for k in list(settings) if k in ClientSettings.model_fields}
    limits = ClientSettings(**{**FAST, **client})  # type: ignore[arg-type]
    crawler = Crawler(None, CrawlSettings(**settings), client_settings=limits)  # type: ignore[arg-type]
    return crawler, list(crawler.crawl(f"{portal.url}/"))


def _pages(items: list, base: str) -> set[str]:
    return {item.response.url.removeprefix(base) for item in items if isinstance(item, Page)}


def _fetched(portal) -> list[str]:
    return [p for p in portal.paths() if p not in ("/robots.txt", "/sitemap.xml")]


def test_the_crawl_finds_linked_pages_and_the_page_only_the_sitemap_lists(portal) -> None:
    _, items = _crawl(portal)
    pages = _pages(items, portal.url)
    assert {"/", "/about", "/news", "/news/1", "/news/2", "/embed", "/based", "/docs/guide"} <= pages
    assert "/hidden" in pages  # linked from nowhere, listed in sitemap.xml


def test_each_url_is_fetched_once_despite_many_spellings(portal) -> None:
    _crawl(portal)
    fetched = _fetched(portal)
    assert len(fetched) == len(set(fetched))
    assert fetched.count("/about") == 1  # "/about", "/about?utm_source=mail#top" and the sitemap's entry


def test_robots_txt_keeps_the_crawler_out_of_private(portal) -> None:
    _, items = _crawl(portal)
    assert not any(p.startswith("/private/") for p in portal.paths())
    assert "/private/secret" not in _pages(items, portal.url)


def test_ignore_robots_fetches_private_and_does_not_read_robots(portal) -> None:
    _, items = _crawl(portal, ignore_robots=True)
    assert "/private/secret" in _pages(items, portal.url)
    assert "/robots.txt" not in portal.paths()


def test_a_start_url_disallowed_by_robots_is_reported(portal) -> None:
    crawler = Crawler(None, CrawlSettings(), client_settings=ClientSettings(rate=None))
    items = list(crawler.crawl(f"{portal.url}/private/secret"))
    assert items[0] == FetchError(f"{portal.url}/private/secret", "disallowed by robots.txt")
    assert "/private/secret" not in portal.paths()


def test_data_links_are_yielded_by_extension_without_being_fetched(portal) -> None:
    _, items = _crawl(portal)
    data = {item.url.removeprefix(portal.url): item for item in items if isinstance(item, DataLink)}
    assert data["/data/people.csv"].media_hint == "text/csv"
    assert data["/data/people.csv"].found_on == f"{portal.url}/"
    assert "/export.xlsx" in data
    assert "/report.csv" in data  # served as text/html, but a .csv link is a data file
    for path in ("/data/people.csv", "/export.xlsx", "/report.csv"):
        assert path not in portal.paths()


def test_data_served_by_content_type_is_a_data_link_not_a_page(portal) -> None:
    _, items = _crawl(portal)
    data = {item.url.removeprefix(portal.url): item.media_hint for item in items if isinstance(item, DataLink)}
    assert data["/api/people"] == "application/json"
    assert data["/table"] == "text/csv"
    assert data["/download"].endswith("spreadsheetml.sheet")  # octet-stream, but named people.xlsx
    pages = _pages(items, portal.url)
    assert not {"/api/people", "/table", "/download", "/logo.png"} & pages


def test_links_to_another_host_are_recorded_but_never_fetched(portal, other_site) -> None:
    _, items = _crawl(portal)
    home = next(item for item in items if isinstance(item, Page) and item.response.url == f"{portal.url}/")
    assert f"{portal.other_url}/elsewhere" in home.links
    assert other_site.paths() == []


def test_redirects_to_internal_and_metadata_addresses_are_refused(portal) -> None:
    _, items = _crawl(portal)
    errors = {item.url.removeprefix(portal.url): item.problem for item in items if isinstance(item, FetchError)}
    assert errors["/go-internal"] == "redirect to http://10.0.0.5/admin refused: private address 10.0.0.5"
    assert errors["/go-metadata"].endswith("refused: cloud metadata address 169.254.169.254")


def test_the_calendar_trap_ends_at_the_per_path_variant_cap(portal) -> None:
    started = time.monotonic()
    crawler, _ = _crawl(portal, max_depth=10_000, trap_limits=TrapLimits(max_query_variants=12))
    calendar = [p for p in portal.paths() if p.startswith("/calendar")]
    assert len(calendar) == 12
    assert crawler.skipped["trap"] >= 1
    assert time.monotonic() - started < 10


def test_the_calendar_trap_also_ends_at_max_depth(portal) -> None:
    _crawl(portal, max_depth=3)
    assert max(int(p.split("=")[1]) for p in portal.paths() if p.startswith("/calendar")) == 3


def test_max_pages_bounds_what_the_crawl_fetches(portal) -> None:
    crawler, items = _crawl(portal, max_pages=4)
    assert len(_fetched(portal)) == 4
    assert len([i for i in items if isinstance(i, Page)]) <= 4
    assert crawler.fetched == 4


def test_the_seen_set_stops_growing_at_its_bound(portal) -> None:
    crawler, _ = _crawl(portal, max_pages=2, seen_factor=3)
    assert len(crawler.seen) <= 6
    assert crawler.dropped > 0
    assert crawler.state_size()["seen"] == len(crawler.seen)


def test_the_rate_limit_spaces_requests_to_the_host(portal) -> None:
    _crawl(portal, rate=20.0, concurrency=4, max_pages=10)
    times = [hit.at for hit in portal.hits]
    assert len(times) >= 9
    # 20/s starts requests 50 ms apart: the last can start no sooner than (n - 1) × 50 ms after the
    # first; the span of arrivals is compared, not single gaps, which connection jitter can squeeze
    assert times[-1] - times[0] >= (len(times) - 1) * 0.05 * 0.75


def test_every_request_names_govscan_and_the_contact(portal) -> None:
    _crawl(portal, contact="audit@digital.gov.kz", max_pages=3)
    agents = {hit.agent for hit in portal.hits}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("govscan/") and "audit@digital.gov.kz" in agent


def test_forms_are_extracted_with_their_fields_and_labels(portal) -> None:
    _, items = _crawl(portal, max_pages=1)
    home = next(item for item in items if isinstance(item, Page))
    (form,) = home.forms
    assert form.action == f"{portal.url}/submit" and form.action.startswith("http://")
    assert form.method == "post"
    fields = {f.name: (f.type, f.label) for f in form.fields}
    assert fields == {
        "iin": ("text", "ИИН заявителя"),
        "phone": ("tel", "Телефон"),
        "email": ("text", "Электронная почта"),
        "fio": ("text", "ФИО"),
        "region": ("select", "Регион"),
        "comment": ("textarea", ""),
        "csrf": ("hidden", ""),
    }


def test_subresources_and_links_are_absolute(portal) -> None:
    _, items = _crawl(portal)
    pages = {item.response.url.removeprefix(portal.url): item for item in items if isinstance(item, Page)}
    about = pages["/about"]
    assert about.subresources == [
        f"{portal.url}/static/app.js",
        f"{portal.url}/static/logo.png",
        f"{portal.url}/static/site.css",
        f"{portal.url}/embed",
    ]
    assert f"{portal.url}/embed" in about.links
    based = pages["/based"]
    assert based.links == [f"{portal.url}/docs/guide"]
    assert based.subresources == [f"{portal.url}/docs/pic.png"]
    assert pages["/docs/guide"].depth == 2


def _response(body: bytes, content_type: str | None = "text/html", url: str = "https://portal.example/p") -> Response:
    headers = (("Content-Type", content_type),) if content_type else ()
    return Response(url=url, status=200, headers=headers, body=body, final_url=url)


def test_a_page_in_windows_1251_declared_by_meta_is_decoded() -> None:
    body = '<html><head><meta charset="windows-1251"></head><body><form><input name="iin" placeholder="ИИН"></form></body></html>'.encode(
        "cp1251"
    )
    page = parse_page(_response(body), 0)
    assert page.forms[0].fields[0].label == "ИИН"


def test_html_is_recognised_by_content_type_or_by_sniffing_when_there_is_none() -> None:
    assert is_html(_response(b"<!DOCTYPE html><html></html>", None))
    assert not is_html(_response(b"<html></html>", "text/csv"))
    assert not is_html(_response(b"iin,name", None))


def test_broken_and_empty_html_yield_an_empty_page() -> None:
    assert parse_page(_response(b""), 0).links == []
    assert parse_page(_response(b"\x00\xff<a href='/x'"), 0).links in ([], ["https://portal.example/x"])
    assert parse_page(_response(b'<?xml version="1.0" encoding="utf-8"?><html><a href="/y">y</a></html>'), 0).links == [
        "https://portal.example/y"
    ]


def test_sitemaps_and_sitemap_indexes_gzip_or_not() -> None:
    urlset = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://p.kz/a </loc></url><url><loc>https://p.kz/b</loc></url></urlset>'
    assert parse_sitemap(urlset) == (["https://p.kz/a", "https://p.kz/b"], [])
    assert parse_sitemap(gzip.compress(urlset), limit=1) == (["https://p.kz/a"], [])
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://p.kz/s1.xml</loc></sitemap></sitemapindex>'
    assert parse_sitemap(index) == ([], ["https://p.kz/s1.xml"])
    assert parse_sitemap(b"not xml at all") == ([], [])


def test_a_hostile_sitemap_neither_expands_entities_nor_reads_files() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>https://p.kz/&lol3;</loc></url><url><loc>&xxe;</loc></url></urlset>"
    )
    pages, _ = parse_sitemap(bomb)
    assert all("lollol" not in url and "root:" not in url for url in pages)


PUBLISHED_FORMATS = [
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
    ".doc",
    ".docx",
    ".odt",
    ".rtf",
    ".xls",
    ".xlsb",
    ".ods",
]


def test_documents_scans_and_office_files_are_data_links_by_extension() -> None:
    from govscan.sources.crawl import data_extension

    for ext in PUBLISHED_FORMATS:
        assert data_extension(f"https://akimat.gov.kz/docs/reshenie{ext}") is not None, ext
        assert data_extension(f"https://akimat.gov.kz/docs/REШЕНИЕ{ext.upper()}?v=2") is not None, ext
    assert data_extension("https://akimat.gov.kz/news/index.html") is None


def test_documents_scans_and_office_files_are_data_links_by_content_type() -> None:
    from govscan.sources.crawl import data_media

    for media in [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/tiff",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/rtf",
        "application/vnd.ms-excel",
    ]:
        assert data_media(Response("https://a.kz/get?id=7", 200, (("Content-Type", media),))) == media, media
    attachment = (
        ("Content-Type", "application/octet-stream"),
        ("Content-Disposition", 'attachment; filename="spisok.pdf"'),
    )
    assert data_media(Response("https://a.kz/get?id=8", 200, attachment)) is not None
    assert data_media(Response("https://a.kz/", 200, (("Content-Type", "text/html"),))) is None


def test_every_format_a_reader_reads_is_a_data_link_listed_once() -> None:
    from govscan import plugins
    from govscan.sources.crawl import data_extensions, data_media_types

    readable = {ext for ext, fmt in plugins.extensions().items() if fmt != "html"}
    assert readable <= set(data_extensions())
    assert {m for m, fmt in plugins.media_types().items() if fmt not in ("html", "sniff")} <= data_media_types()
