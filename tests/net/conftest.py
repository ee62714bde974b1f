"""A small fixture portal on 127.0.0.1 (a real threaded HTTP server), and helpers for ``responses`` tests.

The portal has what real government portals have: pages linking to each other, a calendar that
links to next month forever, robots.txt hiding /private/, a sitemap with a page nobody links
to, data files (by extension and by Content-Type only), a form posting over plain http, a link to
another host, redirects to internal and metadata addresses, and endpoints that never end.
Every request is logged with its arrival time so tests can assert what was (not) fetched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from govscan.net.client import ClientSettings, WebClient

PUBLIC_ADDRESSES = {
    "portal.example": ["195.210.46.10"],
    "www.portal.example": ["195.210.46.10"],
    "other.example": ["195.210.46.20"],
}


def fake_resolver(host: str, port: int) -> list[str]:
    """DNS for ``responses`` tests: made-up public addresses, IP literals as themselves, never the network."""
    if host in PUBLIC_ADDRESSES:
        return PUBLIC_ADDRESSES[host]
    if host.replace(".", "").isdigit() or ":" in host:
        return [host]
    raise OSError(f"unknown host {host}")


@dataclass
class SleepRecorder:
    """Stands in for ``time.sleep``: records the waits, waits for none of them."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def portal_client(sleep: Callable[[float], None] | None = None, **settings: object) -> WebClient:
    """A client for https://portal.example/ with rate limiting off and fake DNS."""
    options: dict[str, object] = {"rate": None, "backoff": 1.0}
    options.update(settings)
    return WebClient.for_target(
        "https://portal.example/",
        ClientSettings(**options),  # type: ignore[arg-type]
        resolver=fake_resolver,
        sleep=sleep or SleepRecorder(),
    )


@dataclass(frozen=True)
class Hit:
    at: float
    path: str
    agent: str


def _page(title: str, body: str) -> bytes:
    return f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'.encode()


class PortalHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body in two writes must not wait 40 ms for an ACK
    server: PortalServer

    def log_message(self, *args: object) -> None:  # the test log is ``server.hits``
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.server.record(self.path, self.headers.get("User-Agent", ""))
        parts = urlsplit(self.path)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        route = self.server.routes.get(parts.path)
        if route is not None:
            route(self, base, parse_qs(parts.query))
            return
        if parts.path.startswith("/news/"):
            self.send(200, "text/html; charset=utf-8", _page("Новость", '<a href="/news">все новости</a>'))
            return
        self.send(404, "text/html; charset=utf-8", _page("Not found", "nothing here"))

    def send(self, status: int, content_type: str, body: bytes, extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _home(h: PortalHandler, base: str, _: dict[str, list[str]]) -> None:
    other = h.server.other_url
    h.send(
        200,
        "text/html; charset=utf-8",
        _page(
            "Портал",
            f"""
            <a href="/about">О нас</a> <a href="news">Новости</a> <a href="/about?utm_source=mail#top">again</a>
            <a href="/calendar?month=1">Календарь</a>
            <a href="/private/secret">private</a>
            <a href="/data/people.csv">people</a> <a href="/export.xlsx">export</a>
            <a href="/api/people">API</a> <a href="/table">table</a> <a href="/report.csv">report</a>
            <a href="/download">download</a> <a href="/logo.png">logo</a>
            <a href="{other}/elsewhere">another host</a>
            <a href="mailto:info@portal.kz">mail</a> <a href="javascript:void(0)">js</a>
            <a href="/go-internal">internal</a> <a href="/go-metadata">metadata</a>
            <a href="/based">based</a>
            <form action="{base}/submit" method="POST">
              <label for="iin">ИИН заявителя</label><input id="iin" name="iin">
              <input name="phone" type="tel" placeholder="Телефон">
              <input name="email" aria-label="Электронная почта">
              <label>ФИО <input name="fio"></label>
              <select name="region" title="Регион"><option>Астана</option></select>
              <textarea name="comment"></textarea>
              <input type="hidden" name="csrf" value="x">
              <input type="submit" value="Отправить">
            </form>
            """,
        ),
    )


def _about(h: PortalHandler, base: str, _: dict[str, list[str]]) -> None:
    h.send(
        200,
        "text/html; charset=utf-8",
        _page(
            "О нас",
            '<a href="/">home</a> <a href="/news">news</a> <script src="/static/app.js"></script>'
            '<img src="/static/logo.png"><link rel="stylesheet" href="/static/site.css">'
            '<iframe src="/embed"></iframe>',
        ),
    )


def _news(h: PortalHandler, base: str, _: dict[str, list[str]]) -> None:
    h.send(200, "text/html; charset=utf-8", _page("Новости", '<a href="/news/1">1</a> <a href="/news/2">2</a>'))


def _calendar(h: PortalHandler, base: str, query: dict[str, list[str]]) -> None:
    month = int((query.get("month") or ["1"])[0])
    h.send(200, "text/html; charset=utf-8", _page("Календарь", f'<a href="/calendar?month={month + 1}">next</a>'))


def _html(title: str) -> Callable[[PortalHandler, str, dict[str, list[str]]], None]:
    return lambda h, base, q: h.send(200, "text/html; charset=utf-8", _page(title, '<a href="/">home</a>'))


def _based(h: PortalHandler, base: str, _: dict[str, list[str]]) -> None:
    h.send(200, "text/html", _page("base", '<base href="/docs/"><a href="guide">guide</a><img src="pic.png">'))


def _robots(h: PortalHandler, base: str, _: dict[str, list[str]]) -> None:
    body = f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap.xml\n".encode()
    h.send(200, "text/plain", body)


def _sitemap(h: PortalHandler, base: str, _: dict[str, list[str]]) -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/hidden</loc></url><url><loc>{base}/about</loc></url>"
        "<url><loc>http://other.example/x</loc></url></urlset>"
    ).encode()
    h.send(200, "application/xml", body)


def _endless(h: PortalHandler, base: str, _: dict[str, list[str]]) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()  # no length: the body ends when the connection does, i.e. never
    chunk = b"<p>" + b"x" * 65536 + b"</p>"
    try:
        while not h.server.stopping.is_set():
            h.wfile.write(chunk)
    except OSError:
        h.server.record("/endless:client-gone", "")


def _drip(h: PortalHandler, base: str, _: dict[str, list[str]]) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    try:
        while not h.server.stopping.is_set():
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


PORTAL_ROUTES: dict[str, Callable[[PortalHandler, str, dict[str, list[str]]], None]] = {
    "/": _home,
    "/about": _about,
    "/news": _news,
    "/calendar": _calendar,
    "/private/secret": _html("Секрет"),
    "/hidden": _html("Забытая страница"),
    "/embed": _html("Встраиваемое"),
    "/based": _based,
    "/docs/guide": _html("Руководство"),
    "/robots.txt": _robots,
    "/sitemap.xml": _sitemap,
    "/api/people": lambda h, b, q: h.send(200, "application/json", b'[{"iin": "710508363018"}]'),
    "/table": lambda h, b, q: h.send(200, "text/csv; charset=utf-8", "ИИН;ФИО\n".encode()),
    "/report.csv": lambda h, b, q: h.send(200, "text/html", _page("not really html", "")),
    "/download": lambda h, b, q: h.send(
        200, "application/octet-stream", b"PK", (("Content-Disposition", 'attachment; filename="people.xlsx"'),)
    ),
    "/logo.png": lambda h, b, q: h.send(200, "image/png", b"\x89PNG"),
    "/data/people.csv": lambda h, b, q: h.send(200, "text/csv", b"a,b\n"),
    "/export.xlsx": lambda h, b, q: h.send(200, "application/octet-stream", b"PK"),
    "/go-internal": lambda h, b, q: h.redirect("http://10.0.0.5/admin"),
    "/go-metadata": lambda h, b, q: h.redirect("http://169.254.169.254/latest/meta-data/"),
    "/endless": _endless,
    "/drip": _drip,
}


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Callable[[PortalHandler, str, dict[str, list[str]]], None]]) -> None:
        super().__init__(("127.0.0.1", 0), PortalHandler)
        self.routes = routes
        self.hits: list[Hit] = []
        self.other_url = ""
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def record(self, path: str, agent: str) -> None:
        with self._lock:
            self.hits.append(Hit(time.monotonic(), path, agent))

    def paths(self) -> list[str]:
        with self._lock:
            return [hit.path for hit in self.hits]


def _serve(routes: dict[str, Callable[[PortalHandler, str, dict[str, list[str]]], None]]) -> Iterator[PortalServer]:
    server = PortalServer(routes)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make_client(sleeps: SleepRecorder) -> Callable[..., WebClient]:
    """``make_client(**ClientSettings)``: a portal.example client whose sleeps go to ``sleeps``."""
    return lambda **settings: portal_client(sleeps, **settings)


@pytest.fixture
def resolver() -> Callable[[str, int], list[str]]:
    return fake_resolver


@pytest.fixture
def other_site() -> Iterator[PortalServer]:
    """Another site (``localhost`` on another port): the crawl must never reach it."""
    yield from _serve({"/elsewhere": _html("elsewhere"), "/": _html("elsewhere")})


@pytest.fixture
def portal(other_site: PortalServer) -> Iterator[PortalServer]:
    """The fixture portal on 127.0.0.1; ``portal.hits`` logs every request."""
    for server in _serve(PORTAL_ROUTES):
        server.other_url = f"http://localhost:{other_site.server_address[1]}"
        yield server
