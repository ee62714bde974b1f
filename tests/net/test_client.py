"""The polite client: faults come back as data, redirects are checked hop by hop, bodies are bounded.

``responses`` stands in for the network where a fault is easier to fake than to stage; the
real local server (``portal``) serves what only a socket can: bodies that never end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import responses

from govscan.net.client import ClientSettings, WebClient, build_user_agent, retry_after_seconds
from govscan.net.guard import Guard
from govscan.net.limiter import HostLimiter
from govscan.net.model import FetchError, Response

PORTAL = "https://portal.example"
MakeClient = Callable[..., WebClient]


def _ok(result: Response | FetchError) -> Response:
    assert isinstance(result, Response), result
    return result


def _failed(result: Response | FetchError) -> FetchError:
    assert isinstance(result, FetchError), result
    return result


@responses.activate
def test_a_response_keeps_every_header_line_and_the_body(make_client: MakeClient) -> None:
    responses.get(
        f"{PORTAL}/",
        body="<p>Сәлем</p>",
        headers=[("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
    )
    response = _ok(make_client().get(f"{PORTAL}/"))
    assert response.status == 200
    assert response.header_all("set-cookie") == ["a=1", "b=2"]
    assert response.text() == "<p>Сәлем</p>"
    assert response.final_url == f"{PORTAL}/" and response.redirects == ()
    assert not response.truncated


@responses.activate
def test_the_user_agent_names_govscan_and_the_contact(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/")
    make_client(contact="security@gov.kz").get(f"{PORTAL}/")
    agent = responses.calls[0].request.headers["User-Agent"]
    assert agent.startswith("govscan/") and "contact: security@gov.kz" in agent
    assert build_user_agent() in build_user_agent("x@y.kz").replace("; contact: x@y.kz", "")


@responses.activate
def test_a_connect_timeout_is_retried_with_backoff_then_reported(make_client: MakeClient, sleeps) -> None:
    responses.get(f"{PORTAL}/", body=requests.exceptions.ConnectTimeout("timed out"))
    client = make_client(retries=2, backoff=0.5, connect_timeout=3)
    error = _failed(client.get(f"{PORTAL}/"))
    assert error.problem == "connect timed out after 3 s"
    assert len(responses.calls) == 3
    assert sleeps.waits == [0.5, 1.0]
    assert client.stats.errors == 1 and client.stats.retries == 2 and client.stats.requests == 3


@responses.activate
def test_a_read_timeout_is_a_fetch_error(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/", body=requests.exceptions.ReadTimeout("read timed out"))
    assert _failed(make_client(retries=0, read_timeout=7).get(f"{PORTAL}/")).problem == "read timed out after 7 s"


@responses.activate
def test_a_connection_reset_is_a_fetch_error_not_an_exception(make_client: MakeClient) -> None:
    responses.get(
        f"{PORTAL}/", body=requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset by peer"))
    )
    error = _failed(make_client(retries=1).get(f"{PORTAL}/"))
    assert error.problem.startswith("connection failed:") and "reset" in error.problem
    assert "\n" not in error.problem
    assert len(responses.calls) == 2


@responses.activate
def test_server_errors_that_may_pass_are_retried_until_success(make_client: MakeClient, sleeps) -> None:
    responses.get(f"{PORTAL}/", status=503)
    responses.get(f"{PORTAL}/", status=502)
    responses.get(f"{PORTAL}/", body="ok")
    response = _ok(make_client(retries=3, backoff=2).get(f"{PORTAL}/"))
    assert response.status == 200 and response.body == b"ok"
    assert sleeps.waits == [2, 4]


@responses.activate
def test_retries_give_up_and_return_the_last_answer(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/", status=504)
    assert _ok(make_client(retries=2).get(f"{PORTAL}/")).status == 504
    assert len(responses.calls) == 3


@responses.activate
def test_a_plain_500_is_not_retried(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/", status=500)
    assert _ok(make_client(retries=3).get(f"{PORTAL}/")).status == 500
    assert len(responses.calls) == 1


@responses.activate
def test_429_waits_as_long_as_retry_after_says(make_client: MakeClient, sleeps) -> None:
    responses.get(f"{PORTAL}/", status=429, headers={"Retry-After": "7"})
    responses.get(f"{PORTAL}/", body="ok")
    assert _ok(make_client().get(f"{PORTAL}/")).status == 200
    assert sleeps.waits == [7]


@responses.activate
def test_retry_after_as_an_http_date_is_honoured(make_client: MakeClient, sleeps) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    responses.get(f"{PORTAL}/", status=503, headers={"Retry-After": when})
    responses.get(f"{PORTAL}/", body="ok")
    assert _ok(make_client().get(f"{PORTAL}/")).status == 200
    assert len(sleeps.waits) == 1 and 27 <= sleeps.waits[0] <= 30


@responses.activate
def test_retry_after_is_capped(make_client: MakeClient, sleeps) -> None:
    responses.get(f"{PORTAL}/", status=429, headers={"Retry-After": "86400"})
    responses.get(f"{PORTAL}/", body="ok")
    make_client(max_retry_after=60).get(f"{PORTAL}/")
    assert sleeps.waits == [60]


def test_retry_after_values() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 01 Jan 2025 00:01:00 GMT", now) == 60
    assert retry_after_seconds("Tue, 31 Dec 2024 00:00:00 GMT", now) == 0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


@responses.activate
def test_redirects_within_the_site_are_followed_and_recorded(make_client: MakeClient) -> None:
    responses.get("http://portal.example/", status=301, headers={"Location": "https://portal.example/"})
    responses.get(f"{PORTAL}/", status=302, headers={"Location": "/ru/"})
    responses.get(f"{PORTAL}/ru/", body="hello")
    response = _ok(make_client().get("http://portal.example/"))
    assert response.url == "http://portal.example/"
    assert response.final_url == f"{PORTAL}/ru/"
    assert response.redirects == ("http://portal.example/", f"{PORTAL}/")
    assert response.body == b"hello"


@responses.activate
def test_a_redirect_loop_is_detected(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/a", status=302, headers={"Location": "/b"})
    responses.get(f"{PORTAL}/b", status=302, headers={"Location": "/a?"})
    error = _failed(make_client().get(f"{PORTAL}/a"))
    assert error.problem.startswith("redirect loop at")
    assert len(responses.calls) == 2


@responses.activate
def test_redirect_chains_end_at_the_hop_limit(make_client: MakeClient) -> None:
    for n in range(10):
        responses.get(f"{PORTAL}/{n}", status=302, headers={"Location": f"/{n + 1}"})
    error = _failed(make_client(max_redirects=3).get(f"{PORTAL}/0"))
    assert error.problem == "more than 3 redirects"
    assert len(responses.calls) == 4


@responses.activate
def test_a_redirect_to_the_cloud_metadata_address_is_refused_and_never_requested(make_client: MakeClient) -> None:
    metadata = responses.get("http://169.254.169.254/latest/meta-data/", body="iam/secret")
    responses.get(f"{PORTAL}/go", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    error = _failed(make_client().get(f"{PORTAL}/go"))
    assert "refused: cloud metadata address 169.254.169.254" in error.problem
    assert metadata.call_count == 0


@responses.activate
def test_the_guard_refuses_a_metadata_redirect_even_without_a_scope(resolver) -> None:
    metadata = responses.get("http://metadata.google.internal/computeMetadata/v1/", body="token")
    responses.get(
        f"{PORTAL}/go", status=307, headers={"Location": "http://metadata.google.internal/computeMetadata/v1/"}
    )
    client = WebClient(ClientSettings(rate=None), guard=Guard(resolver=resolver))
    assert "cloud metadata host" in _failed(client.get(f"{PORTAL}/go")).problem
    assert metadata.call_count == 0


@responses.activate
def test_a_redirect_to_another_host_is_refused_as_out_of_scope(make_client: MakeClient) -> None:
    elsewhere = responses.get("https://other.example/", body="x")
    responses.get(f"{PORTAL}/out", status=302, headers={"Location": "https://other.example/"})
    error = _failed(make_client().get(f"{PORTAL}/out"))
    assert (
        error.problem
        == "redirect to https://other.example/ refused: outside scope (host other.example is not portal.example)"
    )
    assert elsewhere.call_count == 0


@responses.activate
def test_a_redirect_to_a_non_http_scheme_is_refused(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/f", status=302, headers={"Location": "file:///etc/passwd"})
    assert "non-http" in _failed(make_client().get(f"{PORTAL}/f")).problem


@responses.activate
def test_a_private_address_is_refused_before_any_request(make_client: MakeClient) -> None:
    error = _failed(make_client().get("http://10.0.0.1/"))
    assert error.problem.startswith("refused:")
    assert len(responses.calls) == 0


@responses.activate
def test_a_huge_body_is_cut_at_the_byte_limit_and_marked_truncated(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/big", body=b"x" * 1_000_000)
    client = make_client(max_bytes_per_response=100_000)
    response = _ok(client.get(f"{PORTAL}/big"))
    assert response.truncated and len(response.body) == 100_000
    assert client.stats.bytes_read == 100_000


@responses.activate
def test_a_download_streams_the_body_to_a_file_within_the_limit(make_client: MakeClient, tmp_path) -> None:
    responses.get(f"{PORTAL}/export.csv", body="ИИН\n".encode() * 100_000)
    client = make_client(max_bytes_per_response=200_000)
    target = tmp_path / "export.csv"
    response = _ok(client.download(f"{PORTAL}/export.csv", str(target)))
    assert response.body == b"" and response.saved_to == str(target)
    assert response.truncated and target.stat().st_size == 200_000
    assert client.cache_size == 0  # downloads are never cached


@responses.activate
def test_a_retried_download_keeps_only_the_last_attempt(make_client: MakeClient, tmp_path, sleeps) -> None:
    responses.get(f"{PORTAL}/d.csv", status=503, body=b"busy, try later")
    responses.get(f"{PORTAL}/d.csv", body=b"a,b\n1,2\n")
    target = tmp_path / "d.csv"
    response = _ok(make_client().download(f"{PORTAL}/d.csv", str(target)))
    assert response.status == 200 and target.read_bytes() == b"a,b\n1,2\n"


@responses.activate
def test_a_body_of_exactly_the_limit_is_not_truncated(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/exact", body=b"x" * 1000, headers={"Content-Length": "1000"})
    response = _ok(make_client(max_bytes_per_response=1000).get(f"{PORTAL}/exact"))
    assert not response.truncated and len(response.body) == 1000


@responses.activate
def test_the_scan_byte_budget_truncates_then_refuses(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/a", body=b"a" * 600)
    responses.get(f"{PORTAL}/b", body=b"b" * 600)
    responses.get(f"{PORTAL}/c", body=b"c" * 600)
    client = make_client(max_total_bytes=1000)
    assert len(_ok(client.get(f"{PORTAL}/a")).body) == 600
    second = _ok(client.get(f"{PORTAL}/b"))
    assert second.truncated and len(second.body) == 400
    assert "byte budget" in _failed(client.get(f"{PORTAL}/c")).problem
    assert client.stats.bytes_read == 1000


@responses.activate
def test_a_tls_failure_is_a_one_line_error_that_says_what_to_do(make_client: MakeClient) -> None:
    responses.get(
        f"{PORTAL}/",
        body=requests.exceptions.SSLError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed:\n unable to get local issuer certificate"
        ),
    )
    error = _failed(make_client().get(f"{PORTAL}/"))
    assert error.problem.startswith("TLS failure: [SSL: CERTIFICATE_VERIFY_FAILED]")
    assert "national root CA" in error.problem and "\n" not in error.problem
    assert len(responses.calls) == 1  # a certificate does not fix itself on retry


@responses.activate
def test_a_url_is_fetched_once_per_scan(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/page", body="once")
    client = make_client()
    first = client.get(f"{PORTAL}/page")
    assert client.get(f"{PORTAL}/page#section") is first
    assert len(responses.calls) == 1 and client.stats.cache_hits == 1


@responses.activate
def test_concurrent_callers_of_one_url_share_one_fetch(make_client: MakeClient) -> None:
    release = threading.Event()

    def held(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        release.wait(10)  # the fetch stays in flight until the other callers are waiting on it
        return 200, {}, "shared"

    responses.add_callback(responses.GET, f"{PORTAL}/slow", callback=held)
    client = make_client()
    results: list[Response | FetchError] = []
    threads = [threading.Thread(target=lambda: results.append(client.get(f"{PORTAL}/slow"))) for _ in range(5)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while client.stats.cache_hits < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    waiting_on_the_fetch = client.stats.cache_hits
    release.set()
    for thread in threads:
        thread.join()
    assert waiting_on_the_fetch == 4  # four callers joined the one fetch while it was still running
    assert len(responses.calls) == 1
    assert all(isinstance(r, Response) and r.body == b"shared" for r in results)


@responses.activate
def test_a_csv_served_as_html_is_reported_as_the_server_said(make_client: MakeClient) -> None:
    """The client reports; judging a wrong Content-Type is the caller's business."""
    responses.get(f"{PORTAL}/people.csv", body="iin,name\n", content_type="text/html")
    response = _ok(make_client().get(f"{PORTAL}/people.csv"))
    assert response.media_type == "text/html" and response.body == b"iin,name\n"


def test_an_endless_body_is_cut_at_the_limit_and_the_client_hangs_up(portal) -> None:
    client = WebClient.for_target(portal.url, ClientSettings(rate=None, max_bytes_per_response=300_000))
    started = time.monotonic()
    response = _ok(client.get(f"{portal.url}/endless"))
    assert time.monotonic() - started < 5
    assert response.truncated and len(response.body) == 300_000
    assert client.stats.bytes_read == 300_000
    deadline = time.monotonic() + 5
    while "/endless:client-gone" not in portal.paths() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "/endless:client-gone" in portal.paths()


def test_a_dripping_server_meets_the_deadline(portal) -> None:
    client = WebClient.for_target(portal.url, ClientSettings(rate=None, deadline=0.5, read_timeout=5, retries=0))
    started = time.monotonic()
    error = _failed(client.get(f"{portal.url}/drip"))
    assert error.problem == "response took longer than 0.5 s"
    assert time.monotonic() - started < 3


def test_a_client_not_made_for_a_local_target_refuses_it(portal) -> None:
    client = WebClient(ClientSettings(rate=None))
    assert "loopback" in _failed(client.get(f"{portal.url}/")).problem
    assert portal.paths() == []


def test_the_limiter_spaces_request_starts_by_the_interval() -> None:
    now = [0.0]
    waits: list[float] = []
    limiter = HostLimiter(rate=10, concurrency=None, clock=lambda: now[0], sleep=waits.append)
    for _ in range(3):
        limiter.wait("http://a")
    limiter.wait("http://b")  # another host has its own schedule
    assert waits == pytest.approx([0.1, 0.2])


def test_crawl_delay_raises_the_interval_of_one_host_only() -> None:
    limiter = HostLimiter(rate=10)
    limiter.set_min_interval("http://a", 3)
    assert limiter.interval_for("http://a") == 3 and limiter.interval_for("http://b") == pytest.approx(0.1)


def test_rate_zero_turns_the_limiter_off() -> None:
    limiter = HostLimiter(rate=0, sleep=lambda s: pytest.fail("must not sleep"))
    for _ in range(5):
        assert limiter.wait("http://a") == 0


def test_the_concurrency_cap_holds_per_host() -> None:
    limiter = HostLimiter(rate=None, concurrency=2)
    lock = threading.Lock()
    inside = [0]
    peak = [0]

    pair = threading.Barrier(2, timeout=10)  # two must be inside together: no luck with timing needed

    def work() -> None:
        with limiter.slot("http://a"):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            pair.wait()
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2


@responses.activate
def test_clients_sharing_a_budget_stop_together(make_client: MakeClient) -> None:
    responses.get(f"{PORTAL}/page", body=b"p" * 600)
    responses.get(f"{PORTAL}/file.csv", body=b"f" * 600)
    pages = make_client(max_total_bytes=1000)
    files = make_client(max_total_bytes=10_000)
    files.budget = pages.budget  # as a portal audit wires its page and data-file clients
    _ok(pages.get(f"{PORTAL}/page"))
    assert len(_ok(files.get(f"{PORTAL}/file.csv")).body) == 400  # what was left of the shared 1,000 bytes
    assert pages.budget.spent


def test_a_ca_file_adds_to_the_public_roots_instead_of_replacing_them(tmp_path, monkeypatch) -> None:
    """A portal signed by the national CA and a storage host with a public certificate, one client.

    ``other_ca`` stands in for the public roots (certifi's bundle is where requests finds them).
    """
    import certifi

    from govscan.testing.tls_lab import LabServer, issue_leaf, lab_ca, lab_ca_file, other_ca

    public_roots = other_ca().write(tmp_path, stem="public-roots")
    monkeypatch.setattr(certifi, "where", lambda: str(public_roots))
    national = lab_ca_file(tmp_path)
    with LabServer(issue_leaf(lab_ca())) as portal, LabServer(issue_leaf(other_ca())) as storage:
        client = WebClient(ClientSettings(rate=None, ca_file=str(national)), guard=Guard(allow_private=True))
        assert _ok(client.get(portal.url)).status == 200
        assert _ok(client.get(storage.url)).status == 200
