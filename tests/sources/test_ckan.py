"""CKAN discovery against a real local server: paging, resources, broken portals as data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata

import pytest

from govscan import plugins
from govscan.hookspecs import hookimpl
from govscan.net.download import download
from govscan.net.model import FetchError
from govscan.readers import read_asset
from govscan.sources.ckan import DataResource, ckan_resources, looks_like_ckan
from govscan.sources.portal_api import ApiSource, CkanSource, applicable_sources, discover

from .portal_fixtures import PEOPLE, PortalServer, portal_server, requests_fetch


@pytest.fixture(scope="module")
def portal() -> Iterator[PortalServer]:
    with portal_server() as server:
        yield server


def listing(base: str, **kwargs: int) -> tuple[list[DataResource], list[FetchError]]:
    items = list(ckan_resources(base, requests_fetch, **kwargs))
    assert all(isinstance(i, (DataResource, FetchError)) for i in items)
    return [i for i in items if isinstance(i, DataResource)], [i for i in items if isinstance(i, FetchError)]


def test_pages_through_package_search_until_count(portal: PortalServer) -> None:
    portal.log.clear()
    resources, errors = listing(portal.url + "/ckan", rows=3)
    assert errors == []
    assert portal.requests_to("package_search") == [
        "/ckan/api/3/action/package_search?rows=3&start=0",
        "/ckan/api/3/action/package_search?rows=3&start=3",
        "/ckan/api/3/action/package_search?rows=3&start=6",
    ]
    assert [(r.dataset, r.format) for r in resources] == [
        ("recipients-2023", "CSV"),
        ("recipients-xlsx", "XLSX"),
        ("recipients-json", "JSON"),
        ("budget", "csv"),
        ("relative", "CSV"),
    ]  # ftp/empty URLs skipped, the empty dataset has none, a URL shared by two datasets once


def test_resources_carry_absolute_urls_titles_and_mimetypes(portal: PortalServer) -> None:
    resources, _ = listing(portal.url + "/ckan", rows=3)
    first = resources[0]
    assert first.url == portal.url + "/files/recipients.csv"
    assert first.dataset_title == "Получатели"  # a multilingual title picks Russian
    assert first.mimetype == "text/csv" and first.name == "resource 1" and first.resource_id == "r1"
    assert first.portal == portal.url + "/ckan"
    assert resources[1].mimetype is None
    assert all(r.url.startswith(portal.url + "/") for r in resources)


def test_a_relative_resource_url_resolves_against_the_portal(portal: PortalServer) -> None:
    resources, _ = listing(portal.url + "/ckan/", rows=100)
    assert portal.url + "/ckan/files/recipients.csv" in [r.url for r in resources]


def test_one_request_when_rows_cover_every_dataset(portal: PortalServer) -> None:
    portal.log.clear()
    listing(portal.url + "/ckan", rows=100)
    assert portal.requests_to("package_search") == ["/ckan/api/3/action/package_search?rows=100&start=0"]


def test_a_discovered_resource_downloads_and_reads(portal: PortalServer) -> None:
    resources, _ = listing(portal.url + "/ckan", rows=3)
    xlsx = next(r for r in resources if r.format == "XLSX")
    with download(xlsx.url) as asset:
        values = [v for p in read_asset(asset) if hasattr(p, "values") for v in p.values]
    assert PEOPLE[0]["iin"] in values


def test_a_malformed_page_ends_the_listing_with_one_error(portal: PortalServer) -> None:
    portal.log.clear()
    resources, errors = listing(portal.url + "/ckan-broken", rows=3)
    assert len(resources) == 3  # page 1 stays valid
    assert len(errors) == 1 and "malformed JSON" in errors[0].problem
    assert "start=3" in errors[0].url
    assert len(portal.requests_to("package_search")) == 2


def test_success_false_is_one_error_with_the_ckan_message(portal: PortalServer) -> None:
    resources, errors = listing(portal.url + "/ckan-error")
    assert resources == []
    assert len(errors) == 1
    assert "CKAN error" in errors[0].problem and "Authorization Error" in errors[0].problem


def test_an_html_page_is_one_error(portal: PortalServer) -> None:
    resources, errors = listing(portal.url + "/ckan-html")
    assert resources == [] and len(errors) == 1 and "not JSON" in errors[0].problem


def test_a_portal_that_ignores_start_stops_at_the_repeated_page(portal: PortalServer) -> None:
    portal.log.clear()
    resources, errors = listing(portal.url + "/ckan-loop", rows=3)
    assert len(resources) == 3 and len(errors) == 1 and "no new datasets" in errors[0].problem
    assert len(portal.requests_to("package_search")) == 2


def test_without_count_paging_ends_at_an_empty_page(portal: PortalServer) -> None:
    portal.log.clear()
    resources, errors = listing(portal.url + "/ckan-nocount", rows=3)
    assert errors == [] and len(resources) == 5
    assert portal.requests_to("start=")[-1].endswith("start=7")


def test_max_datasets_bounds_the_listing_and_says_so(portal: PortalServer) -> None:
    portal.log.clear()
    resources, errors = listing(portal.url + "/ckan", rows=3, max_datasets=4)
    assert [r.dataset for r in resources] == ["recipients-2023", "recipients-xlsx", "recipients-json", "budget"]
    assert len(errors) == 1 and "listed 4 of 7" in errors[0].problem
    assert len(portal.requests_to("package_search")) == 2


def test_max_pages_bounds_the_listing(portal: PortalServer) -> None:
    resources, errors = listing(portal.url + "/ckan", rows=3, max_pages=1)
    assert len(resources) == 3 and len(errors) == 1 and "limit reached" in errors[0].problem


def test_an_unreachable_portal_and_a_crashing_fetch_are_errors(portal: PortalServer) -> None:
    def broken(url: str) -> FetchError:
        raise RuntimeError("client bug")

    items = list(ckan_resources(portal.url + "/ckan", broken))
    assert len(items) == 1 and isinstance(items[0], FetchError) and "client bug" in items[0].problem
    items = list(ckan_resources("http://127.0.0.1:9/ckan", requests_fetch))
    assert len(items) == 1 and isinstance(items[0], FetchError)


def test_looks_like_ckan(portal: PortalServer) -> None:
    assert looks_like_ckan(portal.url + "/ckan", requests_fetch)
    assert not looks_like_ckan(portal.url, requests_fetch)  # 404 everywhere
    assert not looks_like_ckan(portal.url + "/ckan-html", requests_fetch)
    assert not looks_like_ckan(portal.url + "/ckan-error", requests_fetch)


def test_registry_picks_the_ckan_plugin_for_a_ckan_site(portal: PortalServer) -> None:
    assert set(plugins.portal_sources()) >= {"ckan", "egov"}
    assert [s.name for s in applicable_sources(portal.url + "/ckan", requests_fetch)] == ["ckan"]
    assert applicable_sources(portal.url, requests_fetch) == []
    found = list(discover(portal.url + "/ckan", requests_fetch))
    assert len([i for i in found if isinstance(i, DataResource)]) == 5


def test_a_crashing_plugin_is_one_error(portal: PortalServer, fresh_plugins: object) -> None:
    class Crashing(CkanSource):
        def discover(self, base_url, fetch):  # type: ignore[no-untyped-def]
            raise ValueError("boom")
            yield

    class Plugin:  # a plugin replacing the built-in ckan source
        @hookimpl
        def govscan_portal_sources(self) -> list[ApiSource]:
            return [Crashing()]

    plugins.register(Plugin())
    found = list(discover(portal.url + "/ckan", requests_fetch, names=["ckan"]))
    assert len(found) == 1 and isinstance(found[0], FetchError) and "boom" in found[0].problem


def test_entry_points_add_plugins_and_broken_ones_are_reported(
    monkeypatch: pytest.MonkeyPatch, fresh_plugins: object
) -> None:
    class FakeEntryPoint:
        def __init__(self, name: str, target: object) -> None:
            self.name, self._target = name, target

        def load(self) -> object:
            if isinstance(self._target, Exception):
                raise self._target
            return self._target

    @dataclass
    class ThirdParty(CkanSource):
        name: str = "thirdparty"

    points = [FakeEntryPoint("good", ThirdParty), FakeEntryPoint("bad", ImportError("no module")),
              FakeEntryPoint("odd", 42)]  # fmt: skip
    monkeypatch.setenv("GOVSCAN_LOAD_PLUGINS", "1")

    class Installed:  # what importlib.metadata.entry_points() answers
        def select(self, group: str) -> list[FakeEntryPoint]:
            return points if group == "govscan.sources" else []

    monkeypatch.setattr(metadata, "entry_points", Installed)
    assert set(plugins.portal_sources()) == {"ckan", "egov", "thirdparty"}
    problems = plugins.problems()
    assert len(problems) == 2 and any("'bad'" in p for p in problems) and any("'odd'" in p for p in problems)


def test_entry_points_are_off_when_plugins_are_disabled(monkeypatch: pytest.MonkeyPatch, fresh_plugins: object) -> None:
    monkeypatch.setattr(metadata, "entry_points", lambda: pytest.fail("must not be consulted"))
    assert set(plugins.portal_sources()) == {"ckan", "egov"}  # conftest sets GOVSCAN_LOAD_PLUGINS=""
