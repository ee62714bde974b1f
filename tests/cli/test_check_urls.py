"""``govscan check URL`` as a CI job sees it: the guarded client, ``--ca-file``, one-line refusals.

Real servers on 127.0.0.1: a "portal", an "internal service" on another loopback port that must
never hear from the scanner, and a TLS lab server signed by a test CA standing in for the national CA.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.testing.tls_lab import LabServer, issue_leaf, lab_ca, lab_ca_file

PEOPLE = "ИИН;ФИО\n710508363018;Иванов Иван\n".encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.server.hits.append(self.path)
        location = self.server.redirects.get(self.path)
        self.send_response(302 if location else 200)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0" if location else str(len(PEOPLE)))
        self.end_headers()
        if not location:
            self.wfile.write(PEOPLE)


class _Site(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, redirects: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.redirects = redirects
        self.hits: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def _site(redirects: dict[str, str] | None = None) -> Iterator[_Site]:
    site = _Site(redirects or {})
    threading.Thread(target=site.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("govscan: error:")]


def test_a_data_url_redirecting_to_an_internal_service_is_refused_in_one_line() -> None:
    with _site() as internal, _site() as portal:
        portal.redirects["/data.csv"] = f"{internal.url}/"
        code, _, err = run(f"{portal.url}/data.csv")
    assert internal.hits == []
    assert code == 2
    [line] = _error_lines(err)
    assert f"redirect to {internal.url}/ refused: loopback address 127.0.0.1" in line
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "location",
    ["http://169.254.169.254/latest/meta-data/iam/security-credentials/", "http://127.0.0.1:6379/", "http://10.0.0.5/"],
)
def test_a_data_url_redirecting_to_metadata_or_private_addresses_is_refused(location: str) -> None:
    with _site({"/data.csv": location}) as portal:
        code, _, err = run(f"{portal.url}/data.csv")
    assert code == 2
    [line] = _error_lines(err)
    assert f"redirect to {location} refused: " in line


def test_a_url_with_a_backslash_before_the_at_sign_is_refused_and_no_host_is_contacted() -> None:
    with _site() as portal, _site() as evil:
        url = f"http://127.0.0.1:{evil.server_address[1]}\\@127.0.0.1:{portal.server_address[1]}/data.csv"
        code, _, err = run(url)
    assert evil.hits == [] and portal.hits == []
    assert code == 2
    [line] = _error_lines(err)
    assert line.endswith("refused: backslash or whitespace in the host part")


@pytest.fixture
def national_ca_portal(tmp_path: Path) -> Iterator[tuple[LabServer, Path]]:
    """A portal whose certificate is signed by a CA the system does not trust (as *.gov.kz by NCA RK)."""
    with LabServer(issue_leaf(lab_ca()), body=PEOPLE) as server:
        yield server, lab_ca_file(tmp_path)


def test_https_signed_by_a_private_ca_works_with_ca_file(national_ca_portal: tuple[LabServer, Path]) -> None:
    server, ca_file = national_ca_portal
    code, out, err = run("--ca-file", str(ca_file), f"{server.url}people.csv")
    assert code == 1, err  # read, and the IIN in it found
    assert "pii.kz-iin" in out


def test_https_signed_by_a_private_ca_fails_in_one_line_without_ca_file(
    national_ca_portal: tuple[LabServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca_file = national_ca_portal
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))  # the undocumented way no longer changes anything
    code, _, err = run(f"{server.url}people.csv")
    assert code == 2
    [line] = _error_lines(err)
    assert "TLS failure" in line and "CERTIFICATE_VERIFY_FAILED" in line and "--ca-file" in line


def test_a_ca_file_that_is_not_a_bundle_is_one_line_per_url(
    national_ca_portal: tuple[LabServer, Path], tmp_path: Path
) -> None:
    server, _ = national_ca_portal
    junk = tmp_path / "roots.pem"
    junk.write_text("not a certificate\n", encoding="utf-8")
    code, _, err = run("--ca-file", str(junk), f"{server.url}people.csv")
    assert code == 2 and "Traceback" not in err
    [line] = _error_lines(err)
    assert "TLS" in line
