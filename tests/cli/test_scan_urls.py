"""``datasets:`` URLs of a scheduled scan go through the guarded client, with the target's ``crawl.ca_file``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.testing.tls_lab import LabServer, issue_leaf, lab_ca, lab_ca_file

PEOPLE = "ИИН;ФИО\n710508363018;Иванов Иван\n".encode()


def scan(tmp_path: Path, url: str, crawl: str = "") -> tuple[int, str, str]:
    config = tmp_path / "scan.yaml"
    config.write_text(
        f"name: nightly\ntargets:\n  - name: open data\n    datasets: ['{url}']\n{crawl}", encoding="utf-8"
    )
    db = f"sqlite:///{tmp_path / 'g.db'}"
    result = CliRunner().invoke(cli, ["scan", str(config), "--db", db], catch_exceptions=False)
    listing = CliRunner().invoke(cli, ["findings", "list", "--format", "json", "--db", db], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr, listing.stdout


@pytest.fixture
def national_ca_portal(tmp_path: Path) -> Iterator[tuple[LabServer, Path]]:
    with LabServer(issue_leaf(lab_ca()), body=PEOPLE) as server:
        yield server, lab_ca_file(tmp_path)


def test_a_dataset_url_signed_by_the_national_ca_is_read_with_the_targets_ca_file(
    tmp_path: Path, national_ca_portal: tuple[LabServer, Path]
) -> None:
    server, ca_file = national_ca_portal
    code, out, listing = scan(tmp_path, f"{server.url}people.csv", f"    crawl:\n      ca_file: {ca_file}\n")
    assert code == 1, out
    assert "pii.kz-iin" in {f["rule_id"] for f in json.loads(listing)["findings"]}


def test_without_the_ca_file_the_dataset_url_is_a_tls_failure(
    tmp_path: Path, national_ca_portal: tuple[LabServer, Path]
) -> None:
    server, _ = national_ca_portal
    code, out, listing = scan(tmp_path, f"{server.url}people.csv")
    assert "TLS failure" in out and code != 0
    assert json.loads(listing)["findings"] == []


class _Recorder(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.server.hits.append(self.path)
        self.send_response(302 if self.server.location else 200)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, location: str = "") -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.location = location
        self.hits: list[str] = []
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def test_a_dataset_url_redirecting_to_an_internal_service_is_refused(tmp_path: Path) -> None:
    internal = _Server()
    portal = _Server(location=f"{internal.url}/")
    try:
        code, out, _ = scan(tmp_path, f"{portal.url}/data.csv")
    finally:
        for server in (portal, internal):
            server.shutdown()
            server.server_close()
    assert portal.hits == ["/data.csv"] and internal.hits == []
    assert f"redirect to {internal.url}/ refused: loopback address 127.0.0.1" in out and code != 0
