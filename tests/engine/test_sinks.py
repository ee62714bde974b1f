"""Sinks: the one ``ScanResult`` a command renders, and the database writer's batches."""

from __future__ import annotations

from govscan.engine.results import TlsResult
from govscan.engine.sinks import DatabaseSink, MemorySink
from govscan.model import AssetOutcome, WorkResult
from govscan.rules import load_rules


def test_the_memory_sink_builds_the_result_from_unit_results() -> None:
    rules = load_rules(plugins=False)
    sink = MemorySink(rules, ["tls.kz"], category="tls")
    sink.add(TlsResult("t", [AssetOutcome("tls://a.kz:443", True, None, {"kind": "tls"})], endpoint={"host": "a.kz"}))
    sink.add(TlsResult("t", [AssetOutcome("tls://b.kz:443", False, "refused")], [], ["tls://b.kz:443: refused"]))
    result = sink.result()
    assert result.scanned == ["tls://a.kz:443"] and result.category == "tls" and result.inputs == ["tls.kz"]
    assert [str(e) for e in result.errors] == ["tls://b.kz:443: refused"]  # the tls command fails on it
    assert result.endpoints[0]["host"] == "a.kz" and len(result.endpoints) == 2


def test_a_portal_sink_keeps_the_sites_figures_apart_and_unreadable_parts_as_warnings() -> None:
    sink = MemorySink(load_rules(plugins=False), ["https://p.kz/"], unreadable_fails=False, endpoints_scanned=False)
    site = AssetOutcome("https://p.kz/", True, None, {"kind": "portal", "pages": 3})
    page = AssetOutcome("https://p.kz/a", True)
    data = AssetOutcome("https://p.kz/x.csv", False, "HTTP 404")
    sink.add(WorkResult("crawl", [site, page, data], [], ["https://p.kz/x.csv: HTTP 404"]))
    sink.add(TlsResult("crawl", [AssetOutcome("tls://p.kz:443", True, None, {"kind": "tls"})], endpoint={"h": 1}))
    result = sink.result()
    assert sink.portals == [{"kind": "portal", "pages": 3}]
    assert result.scanned == ["https://p.kz/a"]  # neither the site as a whole nor its TLS endpoint is an asset read
    assert result.errors == [] and sink.warnings == ["https://p.kz/x.csv: HTTP 404"]
    assert result.endpoints == [{"h": 1}]


class _Writer:
    def __init__(self) -> None:
        self.pending, self.flushes, self.added = 0, 0, []

    def add(self, target, kind, outcomes, findings) -> None:  # type: ignore[no-untyped-def]
        self.added.append((target, kind))
        self.pending += len(outcomes)

    def flush(self) -> None:
        self.flushes += 1
        self.pending = 0


def test_the_database_sink_writes_in_batches_and_keeps_the_error_lines() -> None:
    writer = _Writer()
    seen: list[str] = []
    sink = DatabaseSink(writer, seen.append, {"a": "url"}, size=2, seconds=3600)  # type: ignore[arg-type]
    sink.add(WorkResult("a", [AssetOutcome("https://a.kz/1", True)]))
    assert writer.flushes == 0
    sink.add(WorkResult("b", [AssetOutcome("/b.csv", False, "bad")], [], ["/b.csv: bad"]))
    assert writer.flushes == 1 and writer.added == [("a", "url"), ("b", "datasets")]
    assert seen == ["https://a.kz/1", "/b.csv"] and sink.errors == ["/b.csv: bad"]
