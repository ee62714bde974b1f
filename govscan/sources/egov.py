"""data.egov.kz: the records of one dataset, paged through its Elasticsearch-backed API, as one asset.

The portal is not CKAN. A dataset (its ``apiUri``, e.g. ``gbd_ul``) has published versions
``v1``…``vN`` listed by ``/api/v4/mapping/<apiUri>``; its records come from
``/api/v4/<apiUri>/<version>?apiKey=…&source=<url-encoded {"from":K,"size":N}>`` as a top-level
JSON array, at most 1000 rows a page; a short page, an empty array or HTTP 204 is the end.

The pages are streamed to a temp JSON Lines file (one record a line, bounded in rows and
bytes) and yielded as a single :class:`SourceAsset` so the JSON reader sees the dataset as
one table whose columns are the record fields. Its ``uri`` is the key-free identity
``https://data.egov.kz/api/v4/<apiUri>/<version>``: the API key never appears in a uri, an
error, a finding or a log line (errors are scrubbed of it too).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from govscan.model import SourceAsset
from govscan.net.model import FetchError, Response
from govscan.sources.portal_api import Fetch, api_url, call, decode_json

PAGE_SIZE_MAX = 1000  # the server caps ``size`` at 1000
KEY_REQUIRED = "API key is required"
JSONL_MEDIA_TYPE = "application/x-ndjson"  # makes the readers pick the JSON Lines reader
_API_URI = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,199}$")
_VERSION_NAME = re.compile(r"(?:^|[_/\-])v(\d{1,6})$")
_CATALOGUE_LINK = re.compile(r"datasets/view\?index=([A-Za-z0-9][A-Za-z0-9_\-]{0,199})")


@dataclass(frozen=True)
class EgovLimits:
    """Bounds on one dataset: a portal can hold millions of rows; the scan reads a sample's worth."""

    max_pages: int = 500
    max_rows: int = 500_000
    max_bytes: int = 256 * 1024 * 1024  # of the JSON Lines file on disk


def records_uri(base_url: str, api_uri: str, version: str) -> str:
    """The stable, key-free identity of a dataset version (what findings point at)."""
    return api_url(base_url, f"api/v4/{api_uri}/{version}")


def latest_version(base_url: str, api_uri: str, fetch: Fetch, *, api_key: str | None = None) -> str | FetchError:
    """The highest ``vN`` listed by ``/api/v4/mapping/<apiUri>`` (``v10`` beats ``v9``).

    The mapping's shape is not documented, so version names are collected wherever they
    appear (keys or string values, possibly suffixed to an index name like ``gbd_ul_v3``).
    """
    shown = api_url(base_url, f"api/v4/mapping/{api_uri}")
    response = call(fetch, shown, secrets=(api_key,))
    if isinstance(response, FetchError):
        return response
    if not 200 <= response.status < 300:
        return FetchError(shown, f"HTTP {response.status}")
    body = decode_json(response, shown)
    if isinstance(body, FetchError):
        return body
    numbers = set(_version_numbers(body.value, budget=[10_000]))
    if not numbers:
        return FetchError(shown, "the mapping lists no versions (v1…vN)")
    return f"v{max(numbers)}"


def egov_records_pages(
    base_url: str,
    api_uri: str,
    fetch: Fetch,
    *,
    version: str | None = None,
    api_key: str | None = None,
    page_size: int = PAGE_SIZE_MAX,
    max_pages: int | None = None,
    limits: EgovLimits | None = None,
) -> Iterator[SourceAsset | FetchError]:
    """The dataset's records as one JSON Lines ``SourceAsset``, then any problem as ``FetchError``.

    Without ``version`` the latest is resolved first. Paging stops at a page shorter than
    ``page_size``, an empty page or HTTP 204; a 403 "API key is required" (or any other
    failure) ends it with an error item that starts with :data:`KEY_REQUIRED` for the former.
    Rows read before a failure or a limit are still yielded (as a partial asset, followed by
    the error). The asset's temp directory is removed when the generator resumes or closes,
    so read it before asking for the next item.
    """
    limits = limits or EgovLimits()
    if max_pages is not None:
        limits = EgovLimits(max_pages=max_pages, max_rows=limits.max_rows, max_bytes=limits.max_bytes)
    if not _API_URI.match(api_uri):
        yield FetchError(api_url(base_url, "api/v4/"), f"not a dataset apiUri: {api_uri[:60]!r}")
        return
    if version is None:
        resolved = latest_version(base_url, api_uri, fetch, api_key=api_key)
        if isinstance(resolved, FetchError):
            yield resolved
            return
        version = resolved
    elif not _VERSION_NAME.match(version) and version != "data":
        yield FetchError(api_url(base_url, f"api/v4/{api_uri}/"), f"not a dataset version: {version[:20]!r}")
        return
    uri = records_uri(base_url, api_uri, version)
    directory = tempfile.mkdtemp(prefix="govscan-egov-")
    asset = SourceAsset(
        uri=uri, path=os.path.join(directory, "records.jsonl"), media_hint=JSONL_MEDIA_TYPE, cleanup_dir=directory
    )
    try:
        rows, problem = _save_pages(uri, fetch, asset.path, api_key, max(1, min(page_size, PAGE_SIZE_MAX)), limits)
        if rows:
            yield asset
        if problem is not None:
            yield problem
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def egov_dataset_ids(
    base_url: str, fetch: Fetch, *, max_pages: int = 20, max_datasets: int = 200
) -> Iterator[str | FetchError]:
    """``apiUri``s linked from the HTML catalogue (``/datasets/search?text=&page=N``), in order.

    The catalogue has no JSON API; its result pages link ``/datasets/view?index=<apiUri>``.
    Stops at a page with no new link, after ``max_pages`` pages or ``max_datasets`` ids.
    """
    seen: set[str] = set()
    for page in range(1, max_pages + 1):
        url = api_url(base_url, f"datasets/search?text=&page={page}")
        response = call(fetch, url)
        if isinstance(response, FetchError):
            yield response
            return
        if not 200 <= response.status < 300:
            yield FetchError(url, f"HTTP {response.status}")
            return
        fresh = [m for m in dict.fromkeys(_CATALOGUE_LINK.findall(response.text())) if m not in seen]
        if not fresh:
            return
        for api_uri in fresh:
            if len(seen) >= max_datasets:
                return
            seen.add(api_uri)
            yield api_uri


def _save_pages(
    uri: str, fetch: Fetch, path: str, api_key: str | None, size: int, limits: EgovLimits
) -> tuple[int, FetchError | None]:
    """Append every page's records to ``path``; ``(rows written, why it stopped early or None)``."""
    rows = written = 0
    previous_digest = b""
    with open(path, "w", encoding="utf-8", newline="\n") as sink:
        for index in range(limits.max_pages):
            shown = f"{uri} (rows {index * size}…)"  # which page, without the key
            response = call(fetch, _page_url(uri, api_key, index * size, size), shown=shown, secrets=(api_key,))
            if isinstance(response, FetchError):
                return rows, response
            if response.status == 204:
                return rows, None
            records = _page_records(response, shown, api_key)
            if isinstance(records, FetchError):
                return rows, records
            if not records:
                return rows, None
            digest = hashlib.sha256(response.body).digest()
            if digest == previous_digest:
                return rows, FetchError(uri, f"page {index + 1} repeats the previous one (is 'from' ignored?); stopped")
            previous_digest = digest
            for record in records:
                line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
                written += len(line.encode("utf-8"))
                if rows >= limits.max_rows or written > limits.max_bytes:
                    return rows, FetchError(
                        uri, f"stopped after {rows} records (row/byte limit); the rest was not read"
                    )
                sink.write(line)
                rows += 1
            if len(records) < size:
                return rows, None
    return rows, FetchError(uri, f"stopped after {limits.max_pages} pages (page limit); the rest was not read")


def _page_url(uri: str, api_key: str | None, start: int, size: int) -> str:
    source = quote(json.dumps({"from": start, "size": size}, separators=(",", ":")), safe="")
    key = f"apiKey={quote(api_key, safe='')}&" if api_key else ""
    return f"{uri}?{key}source={source}"


def _page_records(response: Response, shown: str, api_key: str | None) -> list[object] | FetchError:
    if response.status in (401, 403):
        message = response.text(2000)
        if KEY_REQUIRED.lower() in message.lower() or not api_key:
            return FetchError(shown, f"{KEY_REQUIRED} (HTTP {response.status}): register a free key on data.egov.kz")
        return FetchError(shown, f"HTTP {response.status}: the API key was refused")
    if not 200 <= response.status < 300:
        return FetchError(shown, f"HTTP {response.status}")
    body = decode_json(response, shown)
    if isinstance(body, FetchError):
        return body
    if not isinstance(body.value, list):
        return FetchError(shown, f"unexpected records response (a JSON {type(body.value).__name__}, not an array)")
    return body.value


def _version_numbers(value: object, budget: list[int]) -> Iterator[int]:
    """Numbers of the ``vN`` names in a JSON document; ``budget`` bounds the nodes visited."""
    budget[0] -= 1
    if budget[0] < 0:
        return
    if isinstance(value, str):
        match = _VERSION_NAME.search(value)
        if match:
            yield int(match.group(1))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _version_numbers(key, budget)
            yield from _version_numbers(item, budget)
    elif isinstance(value, list):
        for item in value:
            yield from _version_numbers(item, budget)


__all__ = [
    "KEY_REQUIRED",
    "EgovLimits",
    "egov_dataset_ids",
    "egov_records_pages",
    "latest_version",
    "records_uri",
]
