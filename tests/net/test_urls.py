"""One reading of a URL: what the guard and the scope judge is where the connection goes.

Unit tests of the decision (refuse where ``urlsplit`` and urllib3 disagree, else the URL as
requests sends it), then a real pair of local servers: ``portal.kz`` (in scope) and
``evil.example`` (another port), both on 127.0.0.1 through a test resolver, so only the URL
parser decides which one a request reaches.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from govscan.net.client import ClientSettings, WebClient
from govscan.net.guard import Guard
from govscan.net.model import FetchError, Response
from govscan.net.scope import Scope, normalise
from govscan.net.urls import UnsafeURL, parse
from govscan.sources.ckan import DataResource, ckan_resources


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://evil.example\\@portal.kz/x", "backslash or whitespace in the host part"),
        ("http://portal.kz\\@evil.example/x", "backslash or whitespace in the host part"),
        ("http://evil.example\\x@portal.kz/", "backslash or whitespace in the host part"),
        ("http://portal.kz%2eevil.example/", "percent-encoded host"),  # requests decodes it, urlsplit does not
        ("http://[fe80::1%25eth0]/", "percent-encoded host"),
        ("http://evil\t.example/", "control character in the URL"),  # urlsplit drops the tab, urllib3 keeps it
        ("http://portal.kz\n.evil.example/", "control character in the URL"),
        ("http://portal.kz/a\x00b", "control character in the URL"),
        ("http://us er@portal.kz/", "backslash or whitespace in the host part"),
        ("http://evil.example／@portal.kz/", "malformed URL"),  # fullwidth solidus: NFKC makes it a "/"
        ("http://ⓔvil.example/", "malformed URL"),  # not a valid IDNA label
        ("http://portal.kz:99999/", "malformed URL"),
        ("http:///x", "malformed URL"),
        ("http:/\\evil.example/x", "malformed URL"),
        ("http://portal.kz/%2e%2e/%2e%2e/etc/passwd", "URL changes when prepared again (encoded dot segments?)"),
        ("file:///etc/passwd", "not an http(s) URL"),
        ("javascript:alert(1)", "not an http(s) URL"),
    ],
)
def test_urls_the_parsers_read_differently_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURL) as caught:
        parse(url)
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    ("url", "sent", "host", "port"),
    [
        ("http://portal.kz/x@evil.example", "http://portal.kz/x@evil.example", "portal.kz", 80),  # @ in the path
        ("http://portal.kz?@evil.example/", "http://portal.kz/?@evil.example/", "portal.kz", 80),
        ("http://portal.kz#@evil.example/", "http://portal.kz/", "portal.kz", 80),
        ("http://portal.kz@evil.example/", "http://portal.kz@evil.example/", "evil.example", 80),  # user info
        ("http://a@b@portal.kz/", "http://a%40b@portal.kz/", "portal.kz", 80),
        ("http://evil%5C@portal.kz/", "http://evil%5C@portal.kz/", "portal.kz", 80),  # an escaped backslash: user info
        ("http://user:p%40ss@portal.kz:8443/", "http://user:p%40ss@portal.kz:8443/", "portal.kz", 8443),
        (
            "https://Портал.KZ/Отчёт 2024.csv",
            "https://xn--80awhdgm.kz/%D0%9E%D1%82%D1%87%D1%91%D1%82%202024.csv",
            "xn--80awhdgm.kz",
            443,
        ),
        ("http://straße.kz/", "http://xn--strae-oqa.kz/", "xn--strae-oqa.kz", 80),  # IDNA 2008, as requests
        ("  HTTP://Portal.KZ:0080/a/./b/../c  ", "http://portal.kz:80/a/c", "portal.kz", 80),
        ("http://[::ffff:127.0.0.1]:8080/", "http://[::ffff:127.0.0.1]:8080/", "::ffff:127.0.0.1", 8080),
        ("http://0x7f.1/", "http://0x7f.1/", "0x7f.1", 80),  # the guard resolves it to 127.0.0.1 and refuses
    ],
)
def test_other_urls_are_read_as_requests_will_send_them(url: str, sent: str, host: str, port: int) -> None:
    target = parse(url)
    assert (target.url, target.host, target.port) == (sent, host, port)
    assert parse(target.url) == target  # one spelling: reading it again changes nothing


def test_scope_and_guard_judge_the_host_urllib3_connects_to() -> None:
    scope = Scope.for_target("http://portal.kz/")
    assert scope.off_site("http://evil.example\\@portal.kz/x") == "not an http(s) URL"
    assert normalise("http://evil.example\\@portal.kz/x") is None  # a crawler never queues it
    guard = Guard(resolver=lambda host, port: ["195.210.46.10"])
    assert guard.check_url("http://evil.example\\@portal.kz/x") == "backslash or whitespace in the host part"
    assert Scope.for_target("http://straße.kz/").host == "xn--strae-oqa.kz"  # not IDNA 2003's strasse.kz


# -- a real pair of servers -----------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.server.hits.append(self.path)
        location = self.server.redirects.get(self.path)
        body = b"" if location else self.server.pages.get(self.path.split("?")[0], self.server.name.encode())
        self.send_response(302 if location else 200)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Site(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.name = name
        self.hits: list[str] = []
        self.redirects: dict[str, str] = {}
        self.pages: dict[str, bytes] = {}

    @property
    def port(self) -> int:
        return self.server_address[1]


def _serve(name: str) -> Iterator[_Site]:
    site = _Site(name)
    threading.Thread(target=site.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()


@pytest.fixture
def portal() -> Iterator[_Site]:
    yield from _serve("portal")


@pytest.fixture
def evil() -> Iterator[_Site]:
    yield from _serve("evil")


def _loopback_dns(host: str, port: int) -> list[str]:
    """portal.kz and evil.example both live on 127.0.0.1 (on different ports)."""
    if host in ("portal.kz", "evil.example", "127.0.0.1"):
        return ["127.0.0.1"]
    raise OSError(f"unknown host {host}")


def _client(portal: _Site) -> WebClient:
    return WebClient.for_target(f"http://portal.kz:{portal.port}/", ClientSettings(rate=None), resolver=_loopback_dns)


@pytest.mark.parametrize("call", ["get", "download", "probe"])
def test_a_backslash_before_the_at_sign_never_reaches_the_other_host(
    call: str, portal: _Site, evil: _Site, tmp_path
) -> None:
    url = f"http://evil.example:{evil.port}\\@portal.kz:{portal.port}/x"  # urlsplit: portal.kz; urllib3: evil
    with _client(portal) as client:
        if call == "get":
            answer = client.get(url)
        elif call == "download":
            answer = client.download(url, str(tmp_path / "body"))
        else:
            answer = client.probe(url, {"Origin": "https://probe.example"})
    assert isinstance(answer, FetchError)
    assert answer.problem == "refused: backslash or whitespace in the host part"
    assert evil.hits == [] and portal.hits == []


def test_a_redirect_with_a_backslash_before_the_at_sign_is_refused(portal: _Site, evil: _Site) -> None:
    portal.redirects["/go"] = f"http://evil.example:{evil.port}\\@portal.kz:{portal.port}/x"
    with _client(portal) as client:
        answer = client.get(f"http://portal.kz:{portal.port}/go")
    assert isinstance(answer, FetchError)
    assert answer.problem.endswith("refused: backslash or whitespace in the host part")
    assert evil.hits == [] and portal.hits == ["/go"]


def test_an_unambiguous_url_still_reaches_the_portal(portal: _Site, evil: _Site) -> None:
    with _client(portal) as client:
        answer = client.get(f"http://portal.kz:{portal.port}/x@evil.example:{evil.port}")
    assert isinstance(answer, Response) and answer.body == b"portal"
    assert evil.hits == [] and portal.hits == [f"/x@evil.example:{evil.port}"]


def test_a_ckan_resource_url_is_judged_as_it_will_be_fetched(portal: _Site, evil: _Site, tmp_path) -> None:
    resource = f"http://evil.example:{evil.port}\\@portal.kz:{portal.port}/files/people.csv"
    dataset = {"id": "d1", "name": "people", "resources": [{"id": "r1", "url": resource, "format": "CSV"}]}
    answer = {"success": True, "result": {"count": 1, "results": [dataset]}}
    portal.pages["/api/3/action/package_search"] = json.dumps(answer).encode()
    with _client(portal) as client:
        [listed] = list(ckan_resources(f"http://portal.kz:{portal.port}", client.get))
        assert isinstance(listed, DataResource) and listed.url == resource  # listed as the portal wrote it…
        fetched = client.download(listed.url, str(tmp_path / "people.csv"))
    assert isinstance(fetched, FetchError) and fetched.problem.startswith("refused: ")  # …never fetched
    assert evil.hits == []
