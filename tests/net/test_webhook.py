"""Webhooks go to the host:port the operator named and nowhere else, bounded, failing in one line."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from govscan.net.webhook import post_json

TOKEN = "T0KEN-s3cr3t"  # webhook paths carry tokens: no failure line may show one


class Receiver(ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1: keeps what was posted, answers with ``status`` (and ``location``)."""

    def __init__(self, status: int = 204, location: str = "") -> None:
        self.bodies: list[object] = []
        self.status, self.location = status, location
        super().__init__(("127.0.0.1", 0), _Hook)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/{TOKEN}"


class _Hook(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        self.server.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(self.server.status)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_CONNECT(self) -> None:  # noqa: N802 - a proxy's verb, in case one is asked
        self.server.bodies.append("CONNECT")
        self.send_response(502)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[..., Receiver]]:
    servers: list[Receiver] = []

    def start(status: int = 204, location: str = "") -> Receiver:
        server = Receiver(status, location)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_loopback_receiver_the_operator_named_gets_the_json(serve: Callable[..., Receiver]) -> None:
    receiver = serve()
    assert post_json(receiver.url, {"scan_id": 7, "new": 1, "who": "Айгүл"}) is None
    assert receiver.bodies == [{"scan_id": 7, "new": 1, "who": "Айгүл"}]


def test_a_redirect_is_not_followed_to_where_nobody_pointed(serve: Callable[..., Receiver]) -> None:
    elsewhere = serve()
    receiver = serve(status=307, location=elsewhere.url)
    problem = post_json(receiver.url, {"new": 1})
    assert problem == "HTTP 307: redirects are not followed"
    assert elsewhere.bodies == []  # the findings summary never reached the other port


def test_an_environment_proxy_is_not_used(serve: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch) -> None:
    proxy, receiver = serve(status=200), serve()
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.server_address[1]}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert post_json(receiver.url, {"new": 2}) is None
    assert receiver.bodies == [{"new": 2}] and proxy.bodies == []


def test_a_refusal_is_one_line_without_the_path(serve: Callable[..., Receiver]) -> None:
    receiver = serve(status=500)
    problem = post_json(receiver.url, {"new": 1})
    assert problem == "HTTP 500"
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    problem = post_json(f"http://127.0.0.1:{port}/hooks/{TOKEN}", {"new": 1})
    assert problem == "connection failed (refused, reset or unreachable)"
    assert TOKEN not in problem and "\n" not in problem


def test_a_receiver_that_never_answers_is_cut_at_the_timeout() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts the connection, never answers
    try:
        started = time.monotonic()
        problem = post_json(f"http://127.0.0.1:{silent.getsockname()[1]}/hooks/{TOKEN}", {}, timeout=0.5)
        assert time.monotonic() - started < 5
    finally:
        silent.close()
    assert problem == "no answer within 0.5 s"


def test_the_named_host_is_rechecked_at_connect_time(serve: Callable[..., Receiver]) -> None:
    """A DNS answer that changes after the check (rebinding) cannot move the POST to another address."""
    receiver = serve()
    answers = iter([["127.0.0.1"], ["127.0.0.1"]])

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers, ["169.254.169.254"])

    problem = post_json(f"http://hooks.internal:{receiver.server_address[1]}/x", {}, resolver=rebinding)
    assert problem is not None and problem.startswith("refused: ") and "169.254.169.254" in problem
    assert receiver.bodies == []


def test_a_url_the_parsers_read_differently_is_refused_before_any_connection() -> None:
    problem = post_json("http://evil.example\\@127.0.0.1:1/x", {})
    assert problem is not None and problem.startswith("refused: ")
