"""data.egov.kz records against a real local server: versions, paging, key errors, and a scan of the result."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from govscan.engine.documents import CheckOptions, run_check
from govscan.identity import load_secret
from govscan.model import ReadError, SourceAsset, Values
from govscan.net.model import FetchError
from govscan.pii.detector import PiiDetector
from govscan.readers import read_asset
from govscan.rules import load_rules
from govscan.sources.egov import KEY_REQUIRED, EgovLimits, egov_dataset_ids, egov_records_pages, latest_version
from govscan.sources.portal_api import EgovSource

from .portal_fixtures import API_KEY, PEOPLE, PortalServer, portal_server, requests_fetch


@pytest.fixture(scope="module")
def portal() -> Iterator[PortalServer]:
    with portal_server() as server:
        yield server


def collect(portal: PortalServer, api_uri: str, **kwargs: object) -> tuple[list[str], list[FetchError], list[str]]:
    """Lines of the yielded asset(s) (read while they exist), errors, and the asset uris."""
    kwargs.setdefault("api_key", API_KEY)
    lines: list[str] = []
    errors: list[FetchError] = []
    uris: list[str] = []
    for item in egov_records_pages(portal.url, api_uri, requests_fetch, **kwargs):  # type: ignore[arg-type]
        assert API_KEY not in repr(item)  # never in a uri, a path or an error
        if isinstance(item, FetchError):
            errors.append(item)
        else:
            assert isinstance(item, SourceAsset)
            uris.append(item.uri)
            with open(item.path, encoding="utf-8") as fh:
                lines.extend(fh.read().splitlines())
    return lines, errors, uris


def record_pages(portal: PortalServer, api_uri: str) -> list[dict[str, int]]:
    """The decoded ``source`` of every records request made for ``api_uri``."""
    out = []
    for entry in portal.requests_to(f"/api/v4/{api_uri}/"):
        query = parse_qs(urlsplit(entry).query)
        out.append(json.loads(query["source"][0]))
    return out


def test_the_latest_version_is_compared_numerically(portal: PortalServer) -> None:
    assert latest_version(portal.url, "people", requests_fetch) == "v10"


def test_records_are_paged_by_from_and_size_until_a_short_page(portal: PortalServer) -> None:
    portal.log.clear()
    lines, errors, uris = collect(portal, "people")
    assert errors == []
    assert uris == [portal.url + "/api/v4/people/v10"]
    assert len(lines) == 2500
    assert json.loads(lines[0]) == PEOPLE[0] and json.loads(lines[-1]) == PEOPLE[-1]
    assert record_pages(portal, "people") == [{"from": 0, "size": 1000}, {"from": 1000, "size": 1000},
                                              {"from": 2000, "size": 1000}]  # fmt: skip
    assert portal.requests_to("/api/v4/mapping/people") == ["/api/v4/mapping/people"]


def test_the_key_goes_only_to_records_requests(portal: PortalServer) -> None:
    portal.log.clear()
    collect(portal, "people")
    assert all(("apiKey=" in entry) == ("/mapping/" not in entry) for entry in portal.log)


def test_an_empty_page_ends_paging(portal: PortalServer) -> None:
    portal.log.clear()
    lines, errors, _ = collect(portal, "exact")
    assert errors == [] and len(lines) == 2000
    assert [p["from"] for p in record_pages(portal, "exact")] == [0, 1000, 2000]


def test_http_204_ends_paging(portal: PortalServer) -> None:
    portal.log.clear()
    lines, errors, _ = collect(portal, "ends204")
    assert errors == [] and len(lines) == 1000
    assert len(record_pages(portal, "ends204")) == 2


def test_a_smaller_page_size_is_honoured(portal: PortalServer) -> None:
    portal.log.clear()
    lines, errors, _ = collect(portal, "ends204", page_size=400, version="v10")
    assert errors == [] and len(lines) == 1000
    assert record_pages(portal, "ends204") == [{"from": 0, "size": 400}, {"from": 400, "size": 400},
                                               {"from": 800, "size": 400}]  # fmt: skip
    assert portal.requests_to("/mapping/") == []  # an explicit version needs no lookup


def test_a_missing_key_is_one_clear_error(portal: PortalServer) -> None:
    lines, errors, uris = collect(portal, "people", api_key=None)
    assert lines == [] and uris == []
    assert len(errors) == 1 and errors[0].problem.startswith(KEY_REQUIRED)
    assert errors[0].url.startswith(portal.url + "/api/v4/people/v10")


def test_a_wrong_key_is_the_same_error_without_the_key(portal: PortalServer) -> None:
    items = list(egov_records_pages(portal.url, "people", requests_fetch, api_key="wrong-key-777"))
    assert len(items) == 1 and isinstance(items[0], FetchError)
    assert items[0].problem.startswith(KEY_REQUIRED) and "wrong-key-777" not in repr(items[0])


def test_a_malformed_page_keeps_the_rows_before_it(portal: PortalServer) -> None:
    lines, errors, _ = collect(portal, "broken")
    assert len(lines) == 1000
    assert len(errors) == 1 and "malformed JSON" in errors[0].problem


def test_a_server_that_ignores_from_is_stopped(portal: PortalServer) -> None:
    lines, errors, _ = collect(portal, "stuck")
    assert len(lines) == 1000 and len(errors) == 1 and "repeats" in errors[0].problem


def test_page_row_and_byte_limits_bound_the_dataset(portal: PortalServer) -> None:
    lines, errors, _ = collect(portal, "people", max_pages=2)
    assert len(lines) == 2000 and "page limit" in errors[0].problem
    lines, errors, _ = collect(portal, "people", limits=EgovLimits(max_rows=1500))
    assert len(lines) == 1500 and "row/byte limit" in errors[0].problem
    lines, errors, _ = collect(portal, "people", limits=EgovLimits(max_bytes=10_000))
    assert 0 < len(lines) < 200 and "row/byte limit" in errors[0].problem


def test_unknown_datasets_versions_and_bad_names_are_errors(portal: PortalServer) -> None:
    assert isinstance(latest_version(portal.url, "nope", requests_fetch), FetchError)
    for kwargs in ({"version": "v9"}, {}):
        _, errors, _ = collect(portal, "nope" if not kwargs else "people", **kwargs)
        assert len(errors) == 1 and "HTTP 404" in errors[0].problem
    _, errors, _ = collect(portal, "../etc/passwd")
    assert len(errors) == 1 and "apiUri" in errors[0].problem
    _, errors, _ = collect(portal, "people", version="latest&x=1")
    assert len(errors) == 1 and "version" in errors[0].problem


def test_a_failed_fetch_is_scrubbed_of_the_key() -> None:
    """requests names the URL (with its apiKey) in connection errors; the error item must not."""
    items = list(egov_records_pages("http://127.0.0.1:9", "people", requests_fetch, version="v1", api_key=API_KEY))
    assert len(items) == 1 and isinstance(items[0], FetchError)
    assert API_KEY not in repr(items[0]) and items[0].url.startswith("http://127.0.0.1:9/api/v4/people/v1")


def test_the_temp_file_is_removed_when_the_generator_moves_on(portal: PortalServer) -> None:
    pages = egov_records_pages(portal.url, "ends204", requests_fetch, api_key=API_KEY)
    asset = next(pages)
    assert isinstance(asset, SourceAsset) and os.path.exists(asset.path)
    pages.close()
    assert not os.path.exists(asset.path)


def test_the_asset_reads_as_json_lines_columns_under_its_key_free_uri(portal: PortalServer) -> None:
    for item in egov_records_pages(portal.url, "people", requests_fetch, api_key=API_KEY):
        assert isinstance(item, SourceAsset)
        pieces = list(read_asset(item))
        assert not [p for p in pieces if isinstance(p, ReadError)]
        columns: dict[str, list[str]] = {}
        for piece in pieces:
            assert isinstance(piece, Values) and piece.uri == portal.url + "/api/v4/people/v10"
            columns.setdefault(piece.field.label, []).extend(piece.values)
        assert set(columns) == {"id", "iin", "fio", "address"}
        assert columns["iin"] == [p["iin"] for p in PEOPLE]


def test_synthetic_iins_in_the_records_are_found(portal: PortalServer) -> None:
    rules = load_rules(plugins=False)
    for item in egov_records_pages(portal.url, "people", requests_fetch, api_key=API_KEY):
        assert isinstance(item, SourceAsset)
        # the CI pipeline takes inputs by name: the saved page file is one
        result = run_check(CheckOptions([item.path], parallel=False, ner=False), rules, load_secret())
        assert not result.errors
        iin = [f for f in result.findings if f.entity == "KZ_IIN"]
        assert len(iin) == 1 and iin[0].location.json_path == "iin" and iin[0].count == 2500
        # and read under its own uri, findings point at the key-free dataset identity
        detector = PiiDetector(rules, load_secret(), ner=False)
        findings = [f for f in detector.detect(read_asset(item)) if not isinstance(f, ReadError)]
        assert {f.location.uri for f in findings} == {portal.url + "/api/v4/people/v10"}
        assert any(f.entity == "KZ_IIN" for f in findings)
        assert all(API_KEY not in repr(f) for f in findings)


def test_the_catalogue_lists_dataset_ids(portal: PortalServer) -> None:
    assert list(egov_dataset_ids(portal.url, requests_fetch)) == ["people", "ends204"]


def test_the_egov_plugin_applies_by_host_and_reports_a_missing_key_once(portal: PortalServer) -> None:
    plugin = EgovSource(hosts=("127.0.0.1",))
    assert plugin.applies(portal.url, requests_fetch)
    assert not EgovSource().applies(portal.url, requests_fetch)
    assert EgovSource().applies("https://data.egov.kz", requests_fetch)
    found = list(plugin.discover(portal.url, requests_fetch))
    assert len(found) == 1 and isinstance(found[0], FetchError) and found[0].problem.startswith(KEY_REQUIRED)
    keyed = EgovSource(api_key=API_KEY, api_uris=("ends204",), hosts=("127.0.0.1",))
    for item in keyed.discover(portal.url, requests_fetch):
        assert isinstance(item, SourceAsset) and API_KEY not in item.uri
