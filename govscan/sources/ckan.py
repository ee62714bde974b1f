"""CKAN portals (``data.opengov.kz`` and the like): every resource URL of every dataset.

CKAN lists datasets through ``/api/3/action/package_search?rows=N&start=K``; each dataset
carries its ``resources`` (``url``, ``format``, ``mimetype``). Portals publish spreadsheets
there that no page links to, so the scan asks the API instead of crawling.

Discovery is bounded (``max_datasets``, and so a number of pages) and never raises: a CKAN
error (``success: false``), an HTML error page, malformed JSON or a server that ignores
``start`` ends the listing with one ``FetchError`` item; resources yielded before it stay valid.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from govscan.errors import one_line
from govscan.net.model import FetchError, Response
from govscan.sources.portal_api import Fetch, api_url, call, decode_json

SEARCH = "api/3/action/package_search"
STATUS = "api/3/action/status_show"
MAX_ROWS = 1000  # CKAN's own ceiling for ``rows`` (ckan.search.rows_max)
_TITLE_LANGUAGES = ("ru", "kk", "en")  # ckanext-fluent titles are {"ru": …, "kk": …, "en": …}


@dataclass(frozen=True)
class DataResource:
    """One file a CKAN dataset publishes: what to download, and which dataset it belongs to."""

    url: str  # absolute http(s) URL of the file
    dataset: str  # the dataset's ``name`` (its slug), or its id
    dataset_title: str = ""
    name: str = ""  # the resource's own name
    format: str = ""  # as the portal declares it: "CSV", "XLSX", "JSON"…
    mimetype: str | None = None
    resource_id: str = ""
    portal: str = ""  # the base URL it was discovered on


def ckan_resources(
    base_url: str,
    fetch: Fetch,
    *,
    rows: int = 100,
    max_datasets: int = 10_000,
    max_pages: int | None = None,
) -> Iterator[DataResource | FetchError]:
    """Resources of the portal's datasets, page by page, until ``count`` or an empty page.

    At most ``max_datasets`` datasets (and ``max_pages`` pages, by default just enough for
    them) are listed; when the portal holds more, a trailing ``FetchError`` says so. A URL
    published by several datasets is yielded once.
    """
    rows = max(1, min(rows, MAX_ROWS))
    max_datasets = max(0, max_datasets)
    pages_allowed = max_pages if max_pages is not None else max(1, math.ceil(max_datasets / rows))
    seen_datasets: set[str] = set()
    seen_urls: set[str] = set()
    start, pages, count = 0, 0, None
    while True:
        if len(seen_datasets) >= max_datasets or pages >= pages_allowed:
            total = "an unknown number of" if count is None else str(count)
            yield FetchError(base_url, f"listed {len(seen_datasets)} of {total} datasets (limit reached); stopped")
            return
        url = api_url(base_url, f"{SEARCH}?rows={rows}&start={start}")
        page = _search_page(fetch, url)
        pages += 1
        if isinstance(page, FetchError):
            yield page
            return
        count, results = page
        if not results:
            return
        fresh = 0
        for index, dataset in enumerate(results):
            if len(seen_datasets) >= max_datasets:
                results = results[:index]  # the rest of the page is left unlisted
                break
            key = str(dataset.get("id") or dataset.get("name") or "") if isinstance(dataset, dict) else ""
            if not key or key in seen_datasets:
                continue
            seen_datasets.add(key)
            fresh += 1
            yield from _resources(base_url, dataset, seen_urls)
        if fresh == 0 and len(seen_datasets) < max_datasets:
            yield FetchError(url, "the page lists no new datasets (is start ignored?); stopped")
            return
        start += len(results)
        if count is not None and start >= count:
            return


def looks_like_ckan(base_url: str, fetch: Fetch) -> bool:
    """Whether ``base_url`` is a CKAN portal: ``status_show`` names a CKAN version, or
    ``package_search`` answers in CKAN's envelope (status_show may be disabled)."""
    status = _action(fetch, api_url(base_url, STATUS))
    if isinstance(status, dict) and isinstance(status.get("result"), dict):
        if "ckan_version" in status["result"]:
            return True
    search = _action(fetch, api_url(base_url, f"{SEARCH}?rows=0"))
    return isinstance(search, dict) and isinstance(search.get("result"), dict) and "count" in search["result"]


def _search_page(fetch: Fetch, url: str) -> tuple[int | None, list[object]] | FetchError:
    """``(count, results)`` of one package_search page, or why the listing must stop."""
    response = call(fetch, url)
    if isinstance(response, FetchError):
        return response
    envelope = _envelope(response, url)
    if isinstance(envelope, FetchError):
        return envelope
    result = envelope.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("results"), list):
        return FetchError(url, "unexpected package_search response (no result.results list)")
    count = result.get("count")
    return (count if isinstance(count, int) and not isinstance(count, bool) else None), result["results"]


def _envelope(response: Response, url: str) -> dict[str, object] | FetchError:
    """CKAN's ``{"success": …, "result"|"error": …}`` envelope, errors turned into one line.

    CKAN answers 400/403/404/409 with ``success: false`` and a message, so the status is
    judged after the body.
    """
    body = decode_json(response, url)
    if isinstance(body, FetchError):
        return body if 200 <= response.status < 300 else FetchError(url, f"HTTP {response.status}")
    doc = body.value
    if not isinstance(doc, dict) or "success" not in doc:
        return FetchError(url, f"not a CKAN API response (HTTP {response.status})")
    if doc.get("success") is not True:
        return FetchError(url, f"CKAN error: {_error_text(doc.get('error'))}")
    if not 200 <= response.status < 300:
        return FetchError(url, f"HTTP {response.status}")
    return doc


def _action(fetch: Fetch, url: str) -> dict[str, object] | None:
    response = call(fetch, url)
    if isinstance(response, FetchError):
        return None
    doc = _envelope(response, url)
    return None if isinstance(doc, FetchError) else doc


def _resources(base_url: str, dataset: dict[str, object], seen_urls: set[str]) -> Iterator[DataResource]:
    name = _text(dataset.get("name")) or _text(dataset.get("id"))
    title = _title(dataset.get("title"))
    resources = dataset.get("resources")
    if not isinstance(resources, list):
        return
    for resource in resources:
        if not isinstance(resource, dict):
            continue
        raw = _text(resource.get("url")).strip()
        url = urljoin(base_url.rstrip("/") + "/", raw) if raw else ""
        if urlsplit(url).scheme.lower() not in ("http", "https") or url in seen_urls:
            continue
        seen_urls.add(url)
        yield DataResource(
            url=url,
            dataset=name,
            dataset_title=title,
            name=_title(resource.get("name")),
            format=_text(resource.get("format")).strip(),
            mimetype=_text(resource.get("mimetype")).strip() or None,
            resource_id=_text(resource.get("id")),
            portal=base_url,
        )


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        parts = [f"{k}: {v}" for k, v in error.items() if k != "__type"]
        kind = error.get("__type")
        text = "; ".join(str(p) for p in parts) or "no message"
        return one_line(f"{kind} ({text})" if kind else text, 200)
    return one_line(error, 200) if error else "success is false"


def _title(value: object) -> str:
    if isinstance(value, dict):
        for language in _TITLE_LANGUAGES:
            if isinstance(value.get(language), str) and value[language]:
                return value[language]
        return next((v for v in value.values() if isinstance(v, str) and v), "")
    return _text(value)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


__all__ = ["DataResource", "ckan_resources", "looks_like_ckan"]
