"""Fetching URLs: a real server on 127.0.0.1 for HTTP behaviour, ``responses`` for network errors."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import responses

from govscan.model import ReadError
from govscan.readers import read_asset
from govscan.readers.limits import Limits, ReaderError
from govscan.sources import SourceAsset, expand_inputs
from govscan.sources.http import download

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


def test_a_hung_server_times_out(server):
    started = time.monotonic()
    with pytest.raises(ReaderError, match=r"^timed out after 0\.3 s$"):
        download(f"{server}/hang", Limits(url_timeout=0.3))
    assert time.monotonic() - started < 3


def test_a_dripping_server_meets_the_overall_deadline(server):
    started = time.monotonic()
    with pytest.raises(ReaderError, match=r"^download took longer than 0\.3 s$"):
        download(f"{server}/drip", Limits(url_timeout=2, url_max_seconds=0.3))
    assert time.monotonic() - started < 3


def test_failed_downloads_leave_no_temp_directory(server, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(ReaderError):
        download(f"{server}/missing")
    assert list(tmp_path.iterdir()) == []


@responses.activate
def test_connection_errors_are_one_line_read_errors():
    responses.add(
        responses.GET,
        "https://portal.example.kz/list.csv",
        body=requests.exceptions.ConnectionError("Failed to establish a new connection:\n[Errno 111] refused"),
    )
    with pytest.raises(ReaderError) as caught:
        download("https://portal.example.kz/list.csv")
    assert str(caught.value) == "connection failed: Failed to establish a new connection: [Errno 111] refused"


@responses.activate
def test_a_refused_connection_through_expand_inputs_is_a_read_error():
    responses.add(responses.GET, "https://portal.example.kz/x.csv", body=requests.exceptions.ConnectionError("refused"))
    assert list(expand_inputs(["https://portal.example.kz/x.csv"])) == [
        ReadError("https://portal.example.kz/x.csv", "connection failed: refused")
    ]


@responses.activate
def test_mocked_bodies_are_saved_too():
    responses.add(
        responses.GET, "https://portal.example.kz/a.json", body=b'{"iin": "1"}', content_type="application/json"
    )
    with download("https://portal.example.kz/a.json") as asset:
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
