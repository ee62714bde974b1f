"""Portal API source plugins: which of them apply to a site, and what each one discovers.

Open-data portals publish their files behind an API (CKAN's ``package_search``, data.egov.kz's
Elasticsearch-backed ``/api/v4``) rather than as links a crawler would follow. A plugin turns
a portal's base URL into things to scan: ``DataResource`` (a file URL to download and read),
``SourceAsset`` (records already saved to a temp file) or ``FetchError`` (a problem, as data).

Plugins are looked up by name in ``govscan.plugins.portal_sources()`` ("ckan", "egov", and any
a ``govscan`` plugin offers through the ``govscan_portal_sources`` hook); third parties may also
add one through the ``govscan.sources`` entry point group (like rule packs use ``govscan.rules``)::

    [project.entry-points."govscan.sources"]
    myportal = "mypack.portal:SOURCE"     # an object with name/applies/discover, or a class

The ``fetch`` every plugin receives is ``fetch(url) -> Response | FetchError`` (the scanner's
HTTP client, which owns timeouts, byte limits and the SSRF guard); plugins never open sockets.
This module also holds the two helpers the plugins share: calling ``fetch`` without leaking
secrets into errors, and decoding a JSON body into a value or a one-line error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import quote, urlsplit

from govscan import plugins
from govscan.errors import one_line
from govscan.net.model import FetchError, Response

if TYPE_CHECKING:
    from govscan.model import SourceAsset
    from govscan.sources.ckan import DataResource

Fetch = Callable[[str], Response | FetchError]
"""What plugins get to talk to the network: one GET, the body bounded by the client."""


@runtime_checkable
class ApiSource(Protocol):
    """A portal API plugin: a cheap probe and a bounded, never-raising discovery."""

    name: str

    def applies(self, base_url: str, fetch: Fetch) -> bool:
        """Whether this site speaks the plugin's API (a request or two at most)."""
        ...

    def discover(self, base_url: str, fetch: Fetch) -> Iterator[DataResource | SourceAsset | FetchError]:
        """Things to scan; a ``SourceAsset`` must be read before the next item is asked for."""
        ...


@dataclass(frozen=True)
class JsonBody:
    """A decoded JSON document (wrapped, because ``null`` is a valid document too)."""

    value: object


# --- shared helpers -----------------------------------------------------------------------


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret (an API key) replaced by ``***``: errors are shown and logged."""
    for secret in secrets:
        if secret:  # as given and as it appears URL-encoded in a query string
            text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return text


def call(
    fetch: Fetch, url: str, *, shown: str | None = None, secrets: Iterable[str | None] = ()
) -> Response | FetchError:
    """``fetch(url)`` where a failure (or a crashing client) is a ``FetchError`` for ``shown``.

    ``shown`` is the key-free URL that errors name; the real ``url`` may carry an API key.
    """
    secrets = tuple(secrets)
    where = shown or url
    try:
        result = fetch(url)
    except Exception as exc:  # noqa: BLE001 - a client bug must stay one request's problem
        return FetchError(where, scrub(f"fetch failed ({type(exc).__name__}: {one_line(exc, 300)})", secrets))
    if isinstance(result, FetchError):
        return FetchError(where, scrub(one_line(result.problem, 300), secrets))
    return result


def decode_json(response: Response, shown: str) -> JsonBody | FetchError:
    """The JSON document in ``response``, or why there is none (HTML page, cut off, malformed)."""
    if response.truncated:
        return FetchError(shown, "response larger than the client's byte limit (cut off)")
    head = response.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if response.media_type in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype", b"<html")):
        return FetchError(shown, "not JSON (an HTML page)")
    if not head:
        return FetchError(shown, "not JSON (empty body)")
    try:
        return JsonBody(json.loads(response.body.decode("utf-8-sig"), parse_float=str, parse_constant=str))
    except UnicodeDecodeError:
        return FetchError(shown, "not JSON (body is not UTF-8)")
    except ValueError as exc:
        return FetchError(shown, f"malformed JSON ({one_line(exc, 120)})")
    except RecursionError:
        return FetchError(shown, "malformed JSON (nesting too deep)")


def api_url(base_url: str, path: str) -> str:
    """``path`` under the portal root ``base_url`` (which may itself have a path: ``/ckan``)."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")


# --- the built-in plugins -----------------------------------------------------------------


@dataclass
class CkanSource:
    """Any CKAN portal (``data.opengov.kz``): every resource URL of every dataset."""

    name: str = "ckan"
    rows: int = 100
    max_datasets: int = 10_000

    def applies(self, base_url: str, fetch: Fetch) -> bool:
        from govscan.sources.ckan import looks_like_ckan

        return looks_like_ckan(base_url, fetch)

    def discover(self, base_url: str, fetch: Fetch) -> Iterator[DataResource | SourceAsset | FetchError]:
        from govscan.sources.ckan import ckan_resources

        yield from ckan_resources(base_url, fetch, rows=self.rows, max_datasets=self.max_datasets)


@dataclass
class EgovSource:
    """data.egov.kz: records of the given datasets (or those its catalogue lists), latest version.

    Records need an API key; without one the first dataset's "API key is required" error is
    reported once and discovery stops (every other dataset would fail the same way).
    """

    name: str = "egov"
    api_key: str | None = None
    api_uris: tuple[str, ...] = ()
    max_datasets: int = 50
    hosts: tuple[str, ...] = ("data.egov.kz",)

    def applies(self, base_url: str, fetch: Fetch) -> bool:
        host = (urlsplit(base_url).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def discover(self, base_url: str, fetch: Fetch) -> Iterator[DataResource | SourceAsset | FetchError]:
        from govscan.sources.egov import KEY_REQUIRED, egov_dataset_ids, egov_records_pages

        api_uris: Iterable[str | FetchError] = self.api_uris or egov_dataset_ids(
            base_url, fetch, max_datasets=self.max_datasets
        )
        for api_uri in api_uris:
            if isinstance(api_uri, FetchError):
                yield api_uri
                continue
            for item in egov_records_pages(base_url, api_uri, fetch, api_key=self.api_key):
                yield item
                if isinstance(item, FetchError) and item.problem.startswith(KEY_REQUIRED):
                    return


def builtin_sources() -> list[ApiSource]:
    """The portal sources govscan ships (:mod:`govscan.builtins` registers them like a plugin's)."""
    return [CkanSource(), EgovSource()]


def applicable_sources(
    base_url: str,
    fetch: Fetch,
    names: Iterable[str] | None = None,
    *,
    configured: Mapping[str, ApiSource] | None = None,
) -> list[ApiSource]:
    """The registered plugins (or those in ``names``) whose probe says they apply to the site.

    ``configured`` replaces registered plugins by name for this call (e.g. the egov source with
    the scan's API key), leaving the registry untouched. A plugin whose probe crashes is treated
    as not applying.
    """
    registry = {**plugins.portal_sources(), **(configured or {})}
    chosen = [registry[n] for n in names if n in registry] if names is not None else list(registry.values())
    out = []
    for source in chosen:
        try:
            if source.applies(base_url, fetch):
                out.append(source)
        except Exception:  # noqa: BLE001, S112 - a probe bug means "does not apply"
            continue
    return out


def discover(
    base_url: str,
    fetch: Fetch,
    names: Iterable[str] | None = None,
    *,
    configured: Mapping[str, ApiSource] | None = None,
) -> Iterator[DataResource | SourceAsset | FetchError]:
    """Everything the applicable plugins find on ``base_url``; a crashing plugin is one error."""
    for source in applicable_sources(base_url, fetch, names, configured=configured):
        try:
            yield from source.discover(base_url, fetch)
        except Exception as exc:  # noqa: BLE001 - one plugin's bug must not end the scan
            yield FetchError(base_url, f"{source.name} source failed ({type(exc).__name__}: {one_line(exc, 300)})")
