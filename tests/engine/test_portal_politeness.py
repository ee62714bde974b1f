"""An audit's politeness and its bounds, against real servers on 127.0.0.1.

robots.txt: every request the audit makes — crawl, exposure probes, portal API, CORS and
transport probes — goes through the operator's robots choice, and what was fetched despite
robots.txt (or left out because of it) is counted. Bounds: a portal's and a scan's deadline end
slow servers, and name NER reads at most a budget of each page. Bounds are asserted through what
the audit recorded (counters, cut-offs), never through timings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from govscan.config import CrawlConfig
from govscan.engine.plan import portal_settings
from govscan.engine.portal import PortalResult, audit_portal
from govscan.pii.detector import PiiDetector
from govscan.rules import RuleSet, load_rules

KEY = b"politeness-test-key-0123456789abcdef"
Route = Callable[[BaseHTTPRequestHandler], None]


def html(body: str, status: int = 200) -> Route:
    def send(h: BaseHTTPRequestHandler) -> None:
        data = f"<!doctype html><html><head><meta charset='utf-8'><title>t</title></head><body>{body}</body></html>"
        _send(h, status, "text/html; charset=utf-8", data.encode())

    return send


def text(body: str, media: str = "text/plain") -> Route:
    return lambda h: _send(h, 200, media, body.encode())


def _send(h: BaseHTTPRequestHandler, status: int, media: str, body: bytes) -> None:
    h.send_response(status)
    h.send_header("Content-Type", media)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


class Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.asked: list[str] = []
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Site

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.server.asked.append(self.path)
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            _send(self, 404, "text/html", b"<html><body>not found</body></html>")
        else:
            route(self)


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[Site]:
    site = Site(routes)
    thread = threading.Thread(target=site.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stopping.set()
        site.shutdown()
        site.server_close()


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(plugins=False)


def audit(site: Site, rules: RuleSet, detector: PiiDetector | None = None, **crawl: object) -> PortalResult:
    settings = portal_settings(CrawlConfig(rate=0, **crawl))  # type: ignore[arg-type]
    return audit_portal("t", site.url, settings, rules, KEY, detector or PiiDetector(rules, KEY, ner=False))


# -- robots.txt: one policy for every request, counted ------------------------------------------

GUARDED = {  # a portal that lets robots see its home page only, and exposes .git and a CKAN API
    "/robots.txt": text("User-agent: *\nAllow: /$\nDisallow: /\n"),
    "/": html('<a href="/about">about</a>'),
    "/about": html("<p>about</p>"),
    "/.git/HEAD": text("ref: refs/heads/main\n"),
    "/.git/config": text("[core]\n\trepositoryformatversion = 0\n"),
    "/api/3/action/status_show": text('{"success": true, "result": {"ckan_version": "2.10"}}', "application/json"),
}
POLITE = {"/", "/robots.txt"}  # what robots.txt lets anyone ask for


def test_obey_makes_no_request_robots_txt_disallows_and_counts_what_it_left_out(rules: RuleSet) -> None:
    with serve(GUARDED) as site:
        result = audit(site, rules, robots="obey")
    assert set(site.asked) <= POLITE  # no probe, no API call, no disallowed page
    assert "exposure.git" not in {f.rule_id for f in result.findings}
    assert result.summary["robots_mode"] == "obey" and result.summary["robots_overridden"] == 0
    assert result.summary["robots_skipped"] >= 10  # the probes and the API call it did not make
    assert not any("robots.txt" in e for e in result.errors)  # a choice, not a problem of the portal


def test_audit_mode_probes_despite_robots_txt_and_counts_every_such_request(rules: RuleSet) -> None:
    with serve(GUARDED) as site:
        result = audit(site, rules, robots="audit")
    assert "exposure.git" in {f.rule_id for f in result.findings}  # an agency finds its own .git under Disallow: /
    assert "/about" not in site.asked  # the crawl still obeys
    despite = {p for p in site.asked if p not in POLITE}
    assert "/api/3/action/status_show" in despite
    assert result.summary["robots_overridden"] == len(despite)  # every request made despite robots.txt, counted
    assert result.summary["robots"] == "obeyed by the crawl only"


def test_ignore_mode_crawls_disallowed_pages_and_counts_them(rules: RuleSet) -> None:
    with serve(GUARDED) as site:
        result = audit(site, rules, robots="ignore", probes=False, api_sources=[])
    assert "/about" in site.asked
    assert result.summary["robots_overridden"] == len({p for p in site.asked if p not in POLITE}) >= 1
    assert result.summary["robots"] == "ignored"


def test_the_crawl_command_prints_what_robots_txt_changed(rules: RuleSet) -> None:
    from click.testing import CliRunner

    from govscan.cli import cli

    with serve(GUARDED) as site:
        run = CliRunner().invoke(cli, ["crawl", site.url, "--rate", "0", "--no-tls", "--robots", "audit"])
    despite = len({p for p in site.asked if p not in POLITE})
    assert f"--robots audit: {despite} requests made despite it" in run.stderr, run.stderr


# -- deadlines --------------------------------------------------------------------------------


def drip(h: BaseHTTPRequestHandler) -> None:
    """A slowloris page: headers at once, then a byte every 50 ms, forever."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    try:
        while not h.server.stopping.is_set():  # type: ignore[attr-defined]
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


def test_a_slow_portal_is_cut_by_the_portals_deadline_and_the_cut_is_recorded(rules: RuleSet) -> None:
    routes = {"/robots.txt": text("User-agent: *\nAllow: /\n"), "/": drip}
    with serve(routes) as site:
        result = audit(site, rules, deadline=1.5)
    deadline = result.summary["deadline"]
    assert deadline["by"] == "portal" and deadline["seconds"] == 1.5
    assert {"probes", "apis"} <= set(deadline["not_done"])  # what the cut left undone
    assert not any(p.startswith("/.git") for p in site.asked)  # no probe started after the deadline
    assert any("deadline passed while the response was being read" in e for e in result.errors)  # the drip ended
    assert any("deadline of 1.5 s cut the audit short" in e for e in result.errors)


def test_the_scans_deadline_bounds_a_portal_too(rules: RuleSet) -> None:
    import dataclasses

    with serve(GUARDED) as site:
        settings = dataclasses.replace(portal_settings(CrawlConfig(rate=0)), scan_stop_at=time.time() - 1)
        result = audit_portal("t", site.url, settings, rules, KEY, PiiDetector(rules, KEY, ner=False))
    assert site.asked == []  # the scan's time was up before this portal started
    assert result.summary["deadline"]["by"] == "scan"


def test_a_fast_portal_records_no_deadline(rules: RuleSet) -> None:
    with serve(GUARDED) as site:
        result = audit(site, rules, deadline=600)
    assert "deadline" not in result.summary


# -- name NER budget ----------------------------------------------------------------------------

IIN = "710508363018"  # a made-up IIN with a valid check digit (the fixture portal's)


def large_page() -> str:
    filler = "<p>" + "Акимат провёл плановое совещание по вопросам благоустройства района. " * 40 + "</p>"
    return filler * 60 + f"<p>Заявитель Иванов Пётр Сергеевич, ИИН {IIN}</p>"


@pytest.fixture
def ner_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Lengths of the texts natasha's NER was run on."""
    from govscan.pii.recognizers import person_ner

    calls: list[int] = []
    real = person_ner.NerPersonRecognizer._ner_spans

    def counted(self: object, text: str) -> Iterator[tuple[int, int]]:
        calls.append(len(text))
        return real(self, text)  # type: ignore[arg-type]

    monkeypatch.setattr(person_ner.NerPersonRecognizer, "_ner_spans", counted)
    return calls


def test_ner_reads_at_most_its_budget_of_a_page_and_the_rules_read_the_rest(
    rules: RuleSet, ner_calls: list[int]
) -> None:
    routes = {"/robots.txt": text("User-agent: *\nAllow: /\n"), "/": html(large_page())}
    with serve(routes) as site:
        result = audit(site, rules, PiiDetector(rules, KEY), probes=False, api_sources=[], ner_max_chars=20_000)
    assert 0 < sum(ner_calls) <= 20_000
    assert result.summary["ner_cut_assets"] == 1 and result.summary["ner_cut_chars"] > 100_000
    assert "pii.kz-iin" in {f.rule_id for f in result.findings}  # past the budget, the IIN is still found


def test_ner_can_be_turned_off_for_a_portal(rules: RuleSet, ner_calls: list[int]) -> None:
    routes = {"/robots.txt": text("User-agent: *\nAllow: /\n"), "/": html(large_page())}
    with serve(routes) as site:
        result = audit(site, rules, PiiDetector(rules, KEY), probes=False, api_sources=[], ner=False)
    assert ner_calls == [] and result.summary["ner"] is False
    assert "pii.kz-iin" in {f.rule_id for f in result.findings}


def test_a_scan_deadline_from_the_config_reaches_its_portals_and_is_recorded(
    rules: RuleSet, tmp_path: pytest.TempPathFactory
) -> None:
    import json

    from sqlmodel import Session, select

    from govscan.config import ScanConfig
    from govscan.engine.scan import run_scan
    from govscan.engine.steps import install
    from govscan.engine.units import WorkContext
    from govscan.executors import SerialExecutor
    from govscan.store.engine import open_engine
    from govscan.store.tables import AssetRead

    routes = {"/robots.txt": text("User-agent: *\nAllow: /\n"), "/": drip}
    with serve(routes) as site:
        config = ScanConfig.model_validate(
            {"name": "nightly", "deadline": 1.0, "targets": [{"name": "slow", "url": site.url, "crawl": {"rate": 0}}]}
        )
        engine = open_engine(f"sqlite:///{tmp_path}/g.db")
        with Session(engine) as session:
            executor = SerialExecutor(install, (WorkContext(rules, KEY),))
            run_scan(session, config, rules, KEY, executor=executor)
            summaries = [json.loads(r.summary_json) for r in session.exec(select(AssetRead)) if r.summary_json]
    (portal,) = [s for s in summaries if s.get("kind") == "portal"]
    assert portal["deadline"]["by"] == "scan" and "probes" in portal["deadline"]["not_done"]
    assert not any(p.startswith("/.git") for p in site.asked)


# -- settings ---------------------------------------------------------------------------------


def test_crawl_settings_reach_the_audit(tmp_path: pytest.TempPathFactory) -> None:
    from govscan.config import load_config

    path = tmp_path / "scan.yaml"  # type: ignore[operator]
    path.write_text(
        "name: n\ntargets:\n  - name: p\n    url: https://portal.kz/\n"
        "    crawl: {robots: audit, ner: false, ner_max_chars: 5000, deadline: 30}\n",
        encoding="utf-8",
    )
    crawl = load_config(path).targets[0].crawl
    settings = portal_settings(crawl)
    assert (settings.robots_mode, settings.ner, settings.ner_max_chars, settings.deadline) == ("audit", False, 5000, 30)
    assert portal_settings(CrawlConfig(ignore_robots=True)).robots_mode == "ignore"  # older configs keep working
    assert portal_settings(CrawlConfig()).robots_mode == "obey"  # the default: third parties may run govscan


def test_an_unknown_robots_choice_is_one_line_naming_the_file(tmp_path: pytest.TempPathFactory) -> None:
    from govscan.config import ConfigError, load_config

    path = tmp_path / "scan.yaml"  # type: ignore[operator]
    path.write_text("name: n\ntargets:\n  - name: p\n    url: https://portal.kz/\n    crawl:\n      robots: politely\n")
    with pytest.raises(ConfigError, match=r"scan\.yaml:6: targets\.0\.crawl\.robots: Input should be 'obey'"):
        load_config(path)


# -- a portal served only over plain HTTP -------------------------------------------------------


def test_a_plain_http_only_portal_gets_the_finding_that_explains_its_f_and_its_header_findings(
    rules: RuleSet,
) -> None:
    routes = {"/robots.txt": text("User-agent: *\nAllow: /\n"), "/": html("<p>Акимат</p>")}
    with serve(routes) as site:
        result = audit(site, rules, probes=False, api_sources=[])
    found = {f.rule_id: f for f in result.findings}
    assert "http.transport.no-https" in found and "TLS failure" in found["http.transport.no-https"].evidence
    assert {"http.header.csp-missing", "http.header.frame-options-missing"} <= set(found)
    assert {"http.header.content-type-options-missing", "http.header.referrer-policy-missing"} <= set(found)
    assert not {"http.header.hsts-missing", "http.transport.no-https-redirect"} & set(found)
    assert result.summary["grade"] == "F" and result.summary["http_failed"] == ["http.transport.no-https"]
