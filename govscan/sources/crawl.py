"""Breadth-first crawl of one portal: HTML pages to check, links to data files to scan.

``Crawler(client, settings).crawl(start_url)`` yields, as they come:

* ``Page`` — an HTML response with its links, forms and subresources (parsed with lxml.html);
* ``DataLink`` — a URL that is a data file, by extension (``.csv``, ``.xlsx``, ``.json``…, never
  fetched by the crawler) or by the Content-Type it was served with (``text/csv`` from
  ``/api/people``); the caller hands these to the readers;
* ``FetchError`` — a URL that could not be fetched (the start URL disallowed by robots too).

The crawl stays inside the ``Scope`` (same host, include/exclude patterns), obeys robots.txt
unless ``ignore_robots``, reads ``/sitemap.xml`` and the sitemaps robots.txt names, and refuses
trap URLs (``TrapDetector``). Fetching runs in a thread pool of the client's ``concurrency`` workers, each
request paced by the client's limiter; scheduling, the seen-set and the frontier live in the
generator's thread only.

Memory bound: the seen-set stops growing at ``seen_factor × max_pages`` URLs (default 10 ×
500 = 5,000); the frontier is a subset of it and the trap counters have at most one key per
seen URL. Past the cap new links are dropped (counted in ``dropped``), so a site with a million
links costs the same memory as one with five thousand.
"""

from __future__ import annotations

import itertools
import mimetypes
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from pydantic import BaseModel, ConfigDict, Field

from govscan import plugins
from govscan.net.client import ClientSettings, WebClient
from govscan.net.model import FetchError, Form, FormField, Page, Response
from govscan.net.robots import Robots
from govscan.net.scope import Pattern, Scope, TrapDetector, TrapLimits, normalise, origin
from govscan.readers import SNIFF

MiB = 1024 * 1024
# What counts as a data link is what govscan can read (the readers' names, a plugin's included),
# less the formats of pages, plus the names of dumps and backups the readers sniff by content.
_PAGE_FORMATS = frozenset({"html", SNIFF})


def data_extensions() -> tuple[str, ...]:
    """File extensions of data links (``str.endswith`` form), from every registered reader."""
    return plugins.cached(
        "crawl.data_extensions",
        lambda: tuple(
            sorted({e for e, fmt in plugins.extensions().items() if fmt != "html"} | {".txt", ".sql", ".bak", ".dump"})
        ),
    )


def data_media_types() -> frozenset[str]:
    """Content-Types of data files, from every registered reader."""
    return plugins.cached(
        "crawl.data_media_types",
        lambda: frozenset(
            {m for m, fmt in plugins.media_types().items() if fmt not in _PAGE_FORMATS}
            | {"application/vnd.ms-excel", "application/sql"}
        ),
    )


HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})
MAX_SITEMAP_BYTES = 20 * MiB  # decompressed .xml.gz sitemaps stop here
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class DataLink:
    """A URL that looks like a data file: where it was found and what type it seems to be."""

    url: str
    found_on: str
    media_hint: str = ""


class CrawlSettings(BaseModel):
    """The crawler's own bounds (how far, what to follow); how it talks HTTP is the client's
    ``ClientSettings``. The defaults are polite for one small portal. A pydantic model because
    ``max_pages``, ``max_depth``, ``include`` and ``exclude`` are also a scan config's ``crawl:`` keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    max_pages: int = Field(500, ge=1)  # URLs fetched by the crawl itself (robots.txt and sitemaps aside)
    max_depth: int = Field(5, ge=0)
    include: list[Pattern] = Field([], description="URL globs or 're:' regexes the crawl must stay within")
    exclude: list[Pattern] = Field([], description="URL globs or 're:' regexes never fetched")
    ignore_robots: bool = False  # set by the audit from its robots mode, not by YAML
    use_sitemaps: bool = True
    max_sitemaps: int = 10  # sitemap files read (an index's children included)
    seen_factor: int = 10  # the seen-set stops growing at seen_factor × max_pages
    allow_private: bool = False  # let the guard pass every address (internal-network audits)
    trap_limits: TrapLimits = Field(default_factory=TrapLimits)


Item = Page | FetchError | DataLink


class Crawler:
    """One crawl of one site. ``client`` may be None: one is built for the start URL's site from
    ``client_settings``. The client's ``concurrency`` is also the number of fetching workers."""

    def __init__(
        self,
        client: WebClient | None = None,
        settings: CrawlSettings | None = None,
        on_fetch: Callable[[str], None] | None = None,
        *,
        client_settings: ClientSettings | None = None,
    ) -> None:
        self.client = client
        self.settings = settings or CrawlSettings()
        self.client_settings = client.settings if client is not None else client_settings or ClientSettings()
        self.on_fetch = on_fetch  # told of every URL the crawl asks for (the audit tallies robots.txt overrides)
        self.seen: set[str] = set()
        self.frontier: deque[tuple[str, int, str]] = deque()
        self.traps = TrapDetector(self.settings.trap_limits)
        self.fetched = 0
        self.dropped = 0  # links not queued because the seen-set was full
        self.skipped: dict[str, int] = {}  # why links were not followed: "scope", "robots", "trap", "depth"
        self.scope: Scope | None = None
        self.robots: Robots | None = None

    def state_size(self) -> dict[str, int]:
        """How much the crawl remembers (for the benchmark and for debugging runaway crawls)."""
        return {
            "seen": len(self.seen),
            "frontier": len(self.frontier),
            "trap_keys": len(self.traps),
            "cache_entries": self.client.cache_size if self.client else 0,
        }

    @property
    def max_seen(self) -> int:
        return max(1, self.settings.seen_factor) * max(1, self.settings.max_pages)

    # -- the crawl ------------------------------------------------------------------------

    def crawl(self, start_url: str) -> Iterator[Item]:
        settings = self.settings
        start = normalise(start_url)
        if start is None:
            yield FetchError(start_url, "not an http(s) URL")
            return
        if self.client is None:
            self.client = WebClient.for_target(
                start,
                self.client_settings,
                include=settings.include,
                exclude=settings.exclude,
                allow_private=settings.allow_private,
            )
        client = self.client
        if client.scope is None:
            client.scope = Scope.for_target(start, settings.include, settings.exclude)
        self.scope = client.scope
        self.robots = None if settings.ignore_robots else Robots(client)

        if self.robots is not None and not self.robots.allowed(start):
            yield FetchError(start, "disallowed by robots.txt")
        else:
            self.seen.add(start)
            self.frontier.append((start, 0, ""))
        if settings.use_sitemaps:
            yield from self._read_sitemaps(start)

        workers = max(1, client.settings.concurrency)
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="govscan-crawl")
        running: dict[Future[Item | None], tuple[str, int]] = {}
        try:
            while self.frontier or running:
                while self.frontier and len(running) < workers and self.fetched < settings.max_pages:
                    url, depth, found_on = self.frontier.popleft()
                    if self.on_fetch is not None:
                        self.on_fetch(url)
                    running[pool.submit(_visit, client, url, depth, found_on)] = (url, depth)
                    self.fetched += 1
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    url, depth = running.pop(future)
                    item = future.result()
                    if item is None:
                        continue
                    yield item
                    if isinstance(item, Page):
                        yield from self._follow(item, depth)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _follow(self, page: Page, depth: int) -> Iterator[DataLink]:
        final = normalise(page.response.where)
        if final and final not in self.seen and len(self.seen) < self.max_seen:
            self.seen.add(final)  # a redirect target is not fetched again
        for link in page.links:
            data = self._offer(link, depth + 1, page.response.where)
            if data is not None:
                yield data

    def _skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1

    def _offer(self, url: str, depth: int, found_on: str) -> DataLink | None:
        """Queue ``url`` if it is new, in scope, allowed and not a trap; a data file comes back as a DataLink."""
        if url in self.seen:
            return None
        if len(self.seen) >= self.max_seen:
            self.dropped += 1
            return None
        assert self.scope is not None
        if self.scope.why_not(url):
            self._skip("scope")
            return None
        data = data_extension(url)
        if data is None and depth > self.settings.max_depth:
            self._skip("depth")
            return None
        if data is None and self.traps.admit(url):
            self._skip("trap")
            return None
        self.seen.add(url)
        if self.robots is not None and not self.robots.allowed(url):
            self._skip("robots")
            return None
        if data is not None:
            return DataLink(url, found_on, data)
        self.frontier.append((url, depth, found_on))
        return None

    # -- sitemaps -------------------------------------------------------------------------

    def _read_sitemaps(self, start: str) -> Iterator[Item]:
        """Queue the pages sitemaps list (depth 1): pages nobody links to are often the forgotten ones."""
        assert self.client is not None
        guess = f"{origin(start)}/sitemap.xml"  # a guess, unlike the sitemaps robots.txt invites robots to read
        candidates = deque([guess] if self.robots is None or self.robots.allowed(guess) else [])
        if self.robots is not None:
            candidates.extend(self.robots.sitemaps(start))
        read: set[str] = set()
        while candidates and len(read) < self.settings.max_sitemaps:
            url = normalise(candidates.popleft())
            if url is None or url in read or (self.scope and self.scope.off_site(url)):
                continue
            read.add(url)
            if self.on_fetch is not None:
                self.on_fetch(url)
            result = self.client.get(url)
            if not isinstance(result, Response) or result.status != 200:
                continue
            pages, children = parse_sitemap(result.body, limit=self.max_seen)
            candidates.extend(children)
            for page_url in pages:
                link = normalise(page_url)
                if link is not None:
                    data = self._offer(link, 1, url)
                    if data is not None:
                        yield data


# -- work done in the pool ----------------------------------------------------------------


def _visit(client: WebClient, url: str, depth: int, found_on: str) -> Item | None:
    """Fetch one URL and say what it is: a Page, a DataLink (by Content-Type), an error, or nothing."""
    result = client.get(url)
    if isinstance(result, FetchError):
        return result
    media = data_media(result)
    if media is not None:
        return DataLink(url, found_on, media)
    if is_html(result):
        return parse_page(result, depth)
    return None  # images, PDFs, fonts…: neither a page to check nor a data file


def data_extension(url: str) -> str | None:
    """The media type implied by a data-file extension in the URL's path, "" if unknown, None if not data."""
    path = urlsplit(url).path.lower()
    if not path.endswith(data_extensions()):
        return None
    return mimetypes.guess_type(path)[0] or mimetypes.guess_type(path)[1] or ""


def data_media(response: Response) -> str | None:
    """The Content-Type when it says "data file" (or an attachment's file name does), else None."""
    media = response.media_type
    if media in data_media_types():
        return media
    disposition = response.header("content-disposition")
    if disposition:
        message = Message()
        message["Content-Disposition"] = disposition
        filename = (message.get_filename() or "").lower()
        if filename.endswith(data_extensions()):
            return mimetypes.guess_type(filename)[0] or media or ""
    return None


def is_html(response: Response) -> bool:
    media = response.media_type
    if media in HTML_MEDIA_TYPES:
        return True
    if media:
        return False
    head = response.body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _html_text(response: Response) -> str:
    """The page as text: charset from Content-Type, else from a <meta> tag, else UTF-8."""
    declared = "charset=" in (response.header("content-type") or "").lower()
    if declared:
        text = response.text()
    else:
        match = _META_CHARSET.search(response.body[:4096])
        charset = match.group(1).decode("ascii", "replace") if match else "utf-8"
        try:
            text = response.body.decode(charset, errors="replace")
        except LookupError:
            text = response.body.decode("utf-8", errors="replace")
    return _XML_DECLARATION.sub("", text, count=1)


def _squash(text: str | None, limit: int = 200) -> str:
    return " ".join((text or "").split())[:limit]


def parse_page(response: Response, depth: int) -> Page:
    """Links, forms and subresources of an HTML response, all absolute (against <base href> or the page)."""
    page = Page(response=response, depth=depth)
    try:
        doc = lxml.html.document_fromstring(_html_text(response))
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return page
    page_url = response.where
    base = page_url
    for element in doc.iter("base"):
        href = element.get("href")
        if href:
            candidate = urljoin(page_url, href.strip())
            if normalise(candidate):
                base = candidate
            break

    links: dict[str, None] = {}
    subresources: dict[str, None] = {}

    def add(target: dict[str, None], raw: str | None) -> None:
        if raw and raw.strip():
            url = normalise(raw, base)
            if url is not None:
                target[url] = None

    for element in doc.iter("a", "area", "link", "iframe", "frame", "script", "img"):
        tag = element.tag
        if tag in ("a", "area"):
            add(links, element.get("href"))
        elif tag == "link":
            rel = (element.get("rel") or "").lower().split()
            add(subresources if "stylesheet" in rel or "icon" in rel else links, element.get("href"))
        elif tag in ("iframe", "frame"):
            add(links, element.get("src"))
            add(subresources, element.get("src"))
        else:  # script, img
            add(subresources, element.get("src"))
    page.links = list(links)
    page.subresources = list(subresources)
    labels = _DocumentLabels(doc)  # built once: per-form document walks made hostile pages quadratic
    forms = itertools.islice(doc.iter("form"), MAX_FORMS)
    page.forms = [_form(form, labels, base, page_url) for form in forms]
    return page


MAX_FORMS = 50  # per page
MAX_FORM_FIELDS = 200  # per form


class _DocumentLabels:
    """``<label for>`` texts and elements by id, indexed once per document."""

    def __init__(self, doc: lxml.html.HtmlElement) -> None:
        self.by_for: dict[str, str] = {}
        self.by_id: dict[str, lxml.html.HtmlElement] = {}
        for element in doc.iter():
            element_id = element.get("id") if isinstance(element.tag, str) else None
            if element_id and element_id not in self.by_id:
                self.by_id[element_id] = element
            if element.tag == "label":
                target = element.get("for")
                if target and target not in self.by_for:
                    self.by_for[target] = _squash(element.text_content())


def _form(form: lxml.html.HtmlElement, labels: _DocumentLabels, base: str, page_url: str) -> Form:
    action_raw = (form.get("action") or "").strip()
    try:
        action = normalise(action_raw, base) or (urljoin(base, action_raw) if action_raw else page_url)
    except ValueError:  # a malformed action ("http://[::1") is no URL
        action = page_url
    fields: list[FormField] = []
    for element in itertools.islice(form.iter("input", "select", "textarea"), MAX_FORM_FIELDS):
        kind = element.tag if element.tag != "input" else (element.get("type") or "text").strip().lower()
        if kind in BUTTON_TYPES:
            continue
        name = element.get("name") or element.get("id") or ""
        if not name:
            continue
        fields.append(FormField(name=name, type=kind, label=_label(element, labels)))
    method = (form.get("method") or "get").strip().lower() or "get"
    return Form(page_url=page_url, action=action, method=method, fields=tuple(fields))


def _label(element: lxml.html.HtmlElement, labels: _DocumentLabels) -> str:
    """What names a field for a human: placeholder, aria-label(ledby), <label for>, a wrapping <label>, title."""
    for attribute in ("placeholder", "aria-label"):
        value = _squash(element.get(attribute))
        if value:
            return value
    labelledby = element.get("aria-labelledby")
    if labelledby:
        texts = []
        for ref in labelledby.split()[:10]:
            found = labels.by_id.get(ref)
            if found is not None:
                texts.append(found.text_content())
        if _squash(" ".join(texts)):
            return _squash(" ".join(texts))
    element_id = element.get("id")
    if element_id and labels.by_for.get(element_id):
        return labels.by_for[element_id]
    for ancestor in element.iterancestors("label"):
        text = _squash(ancestor.text_content())
        if text:
            return text
    return _squash(element.get("title"))


def parse_sitemap(body: bytes, limit: int = 50_000) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index, gzip or not, at most ``limit`` each.

    Parsed by lxml with entities unresolved, no DTD and no network, so a hostile sitemap can
    neither expand entities nor make the parser fetch anything.
    """
    if body[:2] == b"\x1f\x8b":
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_SITEMAP_BYTES)
        except zlib.error:
            return [], []
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        root = lxml.etree.fromstring(body, parser=parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return [], []
    if root is None:
        return [], []
    locs: list[str] = []
    for element in root.iter("{*}loc"):
        text = (element.text or "").strip()
        if text:
            locs.append(text)
            if len(locs) >= limit:
                break
    if lxml.etree.QName(root).localname == "sitemapindex":
        return [], locs
    return locs, []
