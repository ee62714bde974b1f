"""Fetching dataset URLs through the guarded client: a real server on 127.0.0.1 for HTTP
behaviour, ``responses`` for network errors (with made-up public DNS: the guard resolves every host)."""

from __future__ import annotations

import gzip
import os
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import responses

from govscan.model import ReadError, SourceAsset
from govscan.net.download import download
from govscan.readers import read_asset
from govscan.readers.limits import Limits, ReaderError
from govscan.sources import expand_inputs
from govscan.testing.tls_lab import closed_port

PEOPLE = "ИИН;ФИО\n710508363018;Иванов Иван\n".encode()


class _Handler(BaseHTTPRequestHandler):
    release = threading.Event()
    seen_agents: list[str] = []

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        _Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        route = {
            "/people.csv": self._people,
            "/missing": lambda: self._status(404),
            "/huge": self._huge_declared,
            "/huge-undeclared": self._huge_streamed,
            "/hang": self._hang,
            "/drip": self._drip,
            "/download": self._attachment,
        }.get(self.path, lambda: self._status(500))
        route()

    def _status(self, code: int) -> None:
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _people(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(PEOPLE)))
        self.end_headers()
        self.wfile.write(PEOPLE)

    def _attachment(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Disposition", 'attachment; filename="people.csv"')
        self.send_header("Content-Length", str(len(PEOPLE)))
        self.end_headers()
        self.wfile.write(PEOPLE)

    def _huge_declared(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(10_000))
        self.end_headers()
        self.wfile.write(b"x" * 10_000)

    def _huge_streamed(self) -> None:
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(20):
            self.wfile.write(b"x" * 1000)

    def _hang(self) -> None:
        _Handler.release.wait(10)

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        for _ in range(100):
            if _Handler.release.wait(0.05):
                return
            self.wfile.write(b"x")
            self.wfile.flush()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that give up early (size limits, timeouts) break the pipe on purpose


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        _Handler.release.set()
        httpd.shutdown()
        httpd.server_close()


def test_a_200_response_is_saved_with_its_content_type(server):
    with download(f"{server}/people.csv") as asset:
        assert asset.uri == f"{server}/people.csv"
        assert asset.media_hint == "text/csv; charset=utf-8"
        with open(asset.path, "rb") as f:
            assert f.read() == PEOPLE


def test_the_temp_file_is_removed_when_the_asset_is_released(server):
    with download(f"{server}/people.csv") as asset:
        path = asset.path
    assert not os.path.exists(path)


def test_the_user_agent_names_govscan(server):
    with download(f"{server}/people.csv"):
        pass
    assert _Handler.seen_agents[-1].startswith("govscan/")
    assert "(+https://github.com/govscan/govscan)" in _Handler.seen_agents[-1]


def test_a_downloaded_csv_is_read_like_a_file(server):
    with download(f"{server}/people.csv") as asset:
        values = list(read_asset(asset))
    assert [(v.uri, v.field.column, v.values) for v in values][0] == (
        f"{server}/people.csv",
        "ИИН",
        ["710508363018"],
    )


def test_a_generic_content_type_is_refined_by_the_attachment_filename(server):
    with download(f"{server}/download") as asset:
        assert asset.media_hint == "text/csv"


def test_non_2xx_is_a_read_error_naming_the_status(server):
    with pytest.raises(ReaderError, match="^HTTP 404$"):
        download(f"{server}/missing")


def test_a_declared_oversized_body_is_refused_before_reading(server):
    with pytest.raises(ReaderError, match="^response larger than 1000 bytes$"):
        download(f"{server}/huge", Limits(url_max_bytes=1000))


def test_an_undeclared_oversized_body_is_stopped_while_streaming(server):
    with pytest.raises(ReaderError, match="^response larger than 1000 bytes$"):
        download(f"{server}/huge-undeclared", Limits(url_max_bytes=1000))


def test_a_hung_server_times_out_after_retries_with_backoff(server):
    waits: list[float] = []
    started = time.monotonic()
    with pytest.raises(ReaderError, match=r"^read timed out after 0\.3 s$"):
        download(f"{server}/hang", Limits(url_timeout=0.3), sleep=waits.append)
    assert time.monotonic() - started < 3
    backoff = [w for w in waits if w >= 1.0]  # the rest are the rate limit's spacing (< 0.5 s at 2 per second)
    assert backoff == [1.0, 2.0]  # two retries, backing off


def test_a_dripping_server_meets_the_overall_deadline(server):
    started = time.monotonic()
    with pytest.raises(ReaderError, match=r"^response took longer than 0\.3 s$"):
        download(f"{server}/drip", Limits(url_timeout=2, url_max_seconds=0.3))
    assert time.monotonic() - started < 3


def test_failed_downloads_leave_no_temp_directory(server, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(ReaderError):
        download(f"{server}/missing")
    assert list(tmp_path.iterdir()) == []


def public_dns(host: str, port: int) -> list[str]:
    """portal.example.kz at a made-up public address: the guard resolves before ``responses`` answers."""
    return ["195.210.46.10"]


@responses.activate
def test_connection_errors_are_one_line_read_errors():
    responses.add(
        responses.GET,
        "https://portal.example.kz/list.csv",
        body=requests.exceptions.ConnectionError("Failed to establish a new connection:\n[Errno 111] refused"),
    )
    with pytest.raises(ReaderError) as caught:
        download("https://portal.example.kz/list.csv", resolver=public_dns, sleep=lambda seconds: None)
    assert str(caught.value) == "connection failed: Failed to establish a new connection: [Errno 111] refused"
    assert len(responses.calls) == 3  # retried twice


def test_a_refused_connection_through_expand_inputs_is_a_read_error(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the retries' backoff
    url = f"http://127.0.0.1:{closed_port()}/x.csv"
    [error] = list(expand_inputs([url]))
    assert isinstance(error, ReadError) and error.uri == url
    assert error.problem.startswith("connection failed: ") and "\n" not in error.problem


@responses.activate
def test_mocked_bodies_are_saved_too():
    responses.add(
        responses.GET, "https://portal.example.kz/a.json", body=b'{"iin": "1"}', content_type="application/json"
    )
    with download("https://portal.example.kz/a.json", resolver=public_dns) as asset:
        assert [v.values for v in read_asset(asset)] == [["1"]]


def test_expand_inputs_removes_the_download_when_the_loop_moves_on(server):
    items = expand_inputs([f"{server}/people.csv", f"{server}/missing"])
    first = next(items)
    assert isinstance(first, SourceAsset) and os.path.exists(first.path)
    second = next(items)
    assert not os.path.exists(first.path)
    assert second == ReadError(f"{server}/missing", "HTTP 404")


def test_closing_expand_inputs_early_removes_the_download(server):
    items = expand_inputs([f"{server}/people.csv"])
    asset = next(items)
    items.close()
    assert not os.path.exists(asset.path)


# -- the guarded client: redirects, proxies, parsers, bombs -----------------------------------

Route = tuple[int, tuple[tuple[str, str], ...], bytes]


class _SiteHandler(BaseHTTPRequestHandler):
    server: _Site

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.server.hits.append(self.path)
        status, headers, body = self.server.routes.get(self.path, (404, (), b""))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # a client that stops reading a bomb hangs up on purpose


class _Site(ThreadingHTTPServer):
    """A server on 127.0.0.1 answering from ``routes``; ``hits`` lists every request line's target."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), _SiteHandler)
        self.routes = routes
        self.hits: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def _site(routes: dict[str, Route] | None = None) -> Iterator[_Site]:
    site = _Site(routes or {})
    thread = threading.Thread(target=site.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()


def _redirect(location: str) -> Route:
    return (302, (("Location", location),), b"")


def test_a_redirect_to_another_local_service_is_refused_and_it_never_hears_of_it():
    with _site({"/": (200, (), b"+PONG\r\n")}) as internal, _site() as portal:  # internal: a redis on loopback
        portal.routes["/data.csv"] = _redirect(f"{internal.url}/")
        with pytest.raises(ReaderError) as caught:
            download(f"{portal.url}/data.csv")
    assert internal.hits == []
    assert str(caught.value) == (
        f"redirect to {internal.url}/ refused: loopback address 127.0.0.1 on port {internal.server_address[1]}, "
        "not the target's"
    )


@pytest.mark.parametrize(
    ("location", "refusal"),
    [
        ("http://169.254.169.254/latest/meta-data/iam/", "refused: cloud metadata address 169.254.169.254"),
        ("http://10.0.0.5/admin", "refused: private address 10.0.0.5"),
        ("http://[::ffff:127.0.0.1]:6379/", "refused: ::ffff:127.0.0.1 resolves to loopback address 127.0.0.1"),
    ],
)
def test_a_redirect_to_an_internal_address_is_refused_before_connecting(location: str, refusal: str):
    with _site({"/data.csv": _redirect(location)}) as portal:
        started = time.monotonic()
        with pytest.raises(ReaderError) as caught:
            download(f"{portal.url}/data.csv")
    assert str(caught.value).startswith(f"redirect to {location} ") and refusal in str(caught.value)
    assert time.monotonic() - started < 2  # refused, not a connection attempt timing out


def test_a_redirect_within_the_target_is_followed():
    with _site({"/old.csv": _redirect("/people.csv"), "/people.csv": (200, (), PEOPLE)}) as portal:
        with download(f"{portal.url}/old.csv") as asset, open(asset.path, "rb") as f:
            assert f.read() == PEOPLE
        assert portal.hits == ["/old.csv", "/people.csv"]


def test_a_url_the_parsers_read_differently_is_refused_and_neither_host_is_contacted():
    with _site({"/people.csv": (200, (), PEOPLE)}) as portal, _site({"/": (200, (), b"evil")}) as evil:
        evil_port, portal_port = evil.server_address[1], portal.server_address[1]
        url = f"http://127.0.0.1:{evil_port}\\@127.0.0.1:{portal_port}/people.csv"  # urllib3 connects to evil
        with pytest.raises(ReaderError, match=r"^refused: backslash or whitespace in the host part$"):
            download(url)
    assert evil.hits == [] and portal.hits == []


def test_proxies_from_the_environment_are_not_used(server, monkeypatch):
    with _site() as proxy:
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        with download(f"{server}/people.csv") as asset, open(asset.path, "rb") as f:
            assert f.read() == PEOPLE
    assert proxy.hits == []  # the guard judged the real peer, not a proxy that would connect anywhere


@pytest.mark.parametrize(("encoding", "compress"), [("gzip", gzip.compress), ("deflate", zlib.compress)])
def test_a_content_encoding_bomb_stops_at_the_ratio_limit(encoding, compress, tmp_path, monkeypatch):
    bomb = compress(b"\0" * (64 * 1024 * 1024))  # 64 MiB of zeros in about 64 KiB
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with _site({"/export.csv": (200, (("Content-Encoding", encoding),), bomb)}) as portal:
        with pytest.raises(ReaderError) as caught:
            download(f"{portal.url}/export.csv")
    assert str(caught.value) == "body expands more than 200:1 when decompressed (Content-Encoding bomb?); rest skipped"
    assert list(tmp_path.iterdir()) == []


def test_a_compressed_dataset_is_saved_decoded():
    with _site({"/people.csv": (200, (("Content-Encoding", "gzip"),), gzip.compress(PEOPLE))}) as portal:
        with download(f"{portal.url}/people.csv") as asset, open(asset.path, "rb") as f:
            assert f.read() == PEOPLE
