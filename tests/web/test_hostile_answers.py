"""What a hostile or broken server can send must end as data, never as an exception or a hang."""

from __future__ import annotations

from collections.abc import Callable

import responses

from govscan.net.client import WebClient, retry_after_seconds
from govscan.net.guard import address_problem
from govscan.net.model import FetchError, Response
from govscan.rules import load_rules
from govscan.sources.crawl import parse_page
from govscan.web.facts import parse_hsts
from govscan.web.probes import run_probes

PORTAL = "https://portal.example"


@responses.activate
def test_a_malformed_redirect_location_is_a_fetch_error(make_client: Callable[..., WebClient]) -> None:
    responses.get(f"{PORTAL}/", status=302, headers={"Location": "http://[::1"})
    answer = make_client().get(f"{PORTAL}/")
    assert isinstance(answer, FetchError) and "malformed" in answer.problem


def test_digits_that_are_not_ascii_are_no_numbers() -> None:
    assert retry_after_seconds("¹") is None
    assert parse_hsts("max-age=²").max_age is None  # type: ignore[union-attr]


def test_a_charset_that_cannot_replace_falls_back_to_utf8() -> None:
    page = Response(
        f"{PORTAL}/", 200, (("content-type", "text/html; charset=idna"),), "<a href='/x'>ссылка</a>".encode()
    )
    assert "ссылка" in page.text()


def test_site_local_ipv6_is_refused_by_the_guard() -> None:
    assert address_problem("fec0::1") is not None


def test_thousands_of_forms_and_labels_are_parsed_in_one_pass() -> None:
    fields = "".join(
        f'<label for="f{i}">L{i}</label><input id="f{i}" name="f{i}" aria-labelledby="f{i}">' for i in range(5000)
    )
    body = f"<html><body><form>{fields}</form>{'<form><input name=a></form>' * 5000}</body></html>".encode()
    page = parse_page(Response(f"{PORTAL}/", 200, (("content-type", "text/html"),), body), 0)
    assert len(page.forms) == 50 and len(page.forms[0].fields) == 200  # bounded per page and per form


def test_probes_never_sent_are_not_reported_as_looked_at() -> None:
    calls: list[str] = []

    def down(url: str) -> Response | FetchError:
        calls.append(url)
        return FetchError(url, "connection failed")

    result = run_probes(f"{PORTAL}/", load_rules(), b"k", down)
    assert result.answered == [] and len(calls) <= 6  # probing stops early and claims nothing


def _dripping_server(lines: list[bytes], pause: float):  # type: ignore[no-untyped-def]
    """A raw socket server on 127.0.0.1 that sends ``lines`` one at a time, ``pause`` seconds apart."""
    import socket
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.recv(4096)
                    for line in lines:
                        if stop.is_set():
                            break
                        conn.sendall(line)
                        time.sleep(pause)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], lambda: (stop.set(), listener.close())


def test_a_server_dripping_header_lines_meets_the_deadline() -> None:
    from govscan.net.client import ClientSettings

    lines = [b"HTTP/1.1 200 OK\r\n"] + [f"X-Drip-{n}: x\r\n".encode() for n in range(90)] + [b"\r\n"]
    port, stop = _dripping_server(lines, pause=0.25)  # ~23 s of headers, each within the read timeout
    try:
        url = f"http://127.0.0.1:{port}/"
        client = WebClient.for_target(url, ClientSettings(rate=None, deadline=1.0, read_timeout=5.0, retries=0))
        answer = client.get(url)
    finally:
        stop()
    assert isinstance(answer, FetchError) and "longer than 1 s" in answer.problem
