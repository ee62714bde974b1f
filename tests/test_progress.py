"""Progress goes to stderr: a live bar on a terminal, plain lines every few seconds in CI logs."""

from __future__ import annotations

import io
import multiprocessing
import time
from collections.abc import Iterator

import pytest
from rich.console import Console

from govscan import terminal
from govscan.cli.output import GuardedStream, stderr_line
from govscan.model import AssetOutcome, WorkResult
from govscan.progress import Progress, current

RAW_IIN = "880514300112"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def default_settings() -> Iterator[None]:
    terminal.reset()
    yield
    terminal.reset()


def _wait_for(predicate, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_terminal_gets_a_bar_redrawn_in_place_and_cleared_at_the_end() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120, color_system=None)
    progress = Progress(console=console, total=4)
    progress.add("pages", 3, uri="https://portal.kz/about")
    progress.add("requests", 7)
    progress.asset_finished("exports/a.csv", 2)
    progress.close()
    text = buffer.getvalue()
    assert "━" in text  # the bar
    assert "3 pages, 7 requests, 1 file, 2 findings" in text and "1/4" in text
    assert "https://portal.kz/about" in text or "exports/a.csv" in text
    assert "\r" in text and text.rstrip("\n").endswith("\x1b[2K")  # redrawn in place, then cleared


def test_ci_logs_get_a_line_at_the_start_then_every_interval_and_a_summary() -> None:
    stream = io.StringIO()
    progress = Progress(stream, interval=0.05)
    progress.add("pages", uri="https://portal.kz/")
    first = stream.getvalue()
    assert first.startswith("govscan: progress ") and first.endswith(": 1 page, 0 findings; last https://portal.kz/\n")
    for i in range(5):
        progress.add("pages", uri=f"https://portal.kz/{i}")
        progress.add("requests", 2)
    _wait_for(lambda: "6 pages, 10 requests" in stream.getvalue())
    progress.close()
    lines = stream.getvalue().splitlines()
    assert any(": 6 pages, 10 requests, 0 findings; last https://portal.kz/4" in line for line in lines[1:-1])
    assert lines[-1].startswith("govscan: done in ") and lines[-1].endswith(": 6 pages, 10 requests, 0 findings")
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_ci_lines_are_not_repeated_when_nothing_moved() -> None:
    stream = io.StringIO()
    progress = Progress(stream, interval=0.02)
    progress.asset_finished("a.csv", 0)
    time.sleep(0.2)  # ten intervals without news
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines  # the first event, the summary
    assert lines[0].startswith("govscan: progress ") and lines[1].startswith("govscan: done in ")


def test_the_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSCAN_PROGRESS_INTERVAL", "0.25")
    assert Progress(io.StringIO()).interval == 0.25
    monkeypatch.setenv("GOVSCAN_PROGRESS_INTERVAL", "soon")
    assert Progress(io.StringIO()).interval == 10.0


def test_no_progress_writes_nothing() -> None:
    stream = Terminal()
    progress = Progress(stream, enabled=False)
    progress.asset_started("a.csv")
    progress.asset_finished("a.csv", 1)
    progress.add("pages", uri="https://portal.kz/")
    progress.close()
    assert stream.getvalue() == ""


def test_quiet_silences_even_a_terminal_and_verbose_lists_each_asset() -> None:
    terminal.configure(quiet=True)
    stream = Terminal()
    progress = Progress(stream)
    progress.add("pages", uri="https://portal.kz/")
    progress.close()
    assert stream.getvalue() == "" and not progress.live

    terminal.configure(verbose=True)
    stream = io.StringIO()
    progress = Progress(stream, interval=3600)
    progress.asset_finished("exports/a.csv", 2)
    progress.add("endpoints", uri="tls://portal.kz:443")
    progress.close()
    text = stream.getvalue()
    assert "govscan: file exports/a.csv (2 findings)\n" in text
    assert "govscan: endpoint tls://portal.kz:443\n" in text


def test_uris_are_masked_and_neutralised_on_a_terminal_and_in_logs() -> None:
    hostile = f"https://user:secret@portal.kz/spravka_{RAW_IIN}\x1b[2J\u202e.csv"
    buffer = io.StringIO()
    live = Progress(console=Console(file=buffer, force_terminal=True, width=200), verbose=True)
    live.asset_finished(hostile, 1)
    live.close()
    log = io.StringIO()
    plain = Progress(log, verbose=True, interval=3600)
    plain.asset_finished(hostile, 1)
    plain.close()
    for text in (buffer.getvalue(), log.getvalue()):
        assert RAW_IIN not in text and "secret" not in text and "\u202e" not in text and "\x1b[2J" not in text
        assert "spravka_8805******12" in text


def test_a_long_units_running_totals_are_not_counted_twice() -> None:
    """A portal's heartbeat sends its totals so far; its result, arriving later, sends the same figures."""
    progress = Progress(io.StringIO(), enabled=False)
    progress.report("https://portal.kz/", pages=3, requests=10)
    progress.report("https://portal.kz/", pages=5, requests=18)
    progress.report("https://other.kz/", pages=1, requests=2)
    summary = {"kind": "portal", "pages": 6, "requests": 21}
    progress.result(WorkResult("portal", [AssetOutcome("https://portal.kz/", True, None, summary)], []))
    assert progress.counts["pages"] == 7 and progress.counts["requests"] == 23
    assert progress.done == 1


def test_results_at_the_coordinator_count_files_endpoints_and_what_was_not_read() -> None:
    progress = Progress(io.StringIO(), enabled=False, total=3)
    progress.result(WorkResult("exports", [AssetOutcome("a.csv", True)], []))
    progress.result(WorkResult("exports", [AssetOutcome("b.zip", True), AssetOutcome("b.zip!/c.csv", False, "bad")]))
    progress.result(WorkResult("site", [AssetOutcome("tls://portal.kz:443", True, None, {"kind": "tls"})]))
    assert progress.counts["files"] == 3 and progress.counts["endpoints"] == 1 and progress.counts["errors"] == 1
    assert progress.summary().startswith("[3/3] 3 files, 1 endpoint, 0 findings, 1 error")


def test_warnings_printed_while_the_bar_is_drawn_go_above_it_still_sanitised() -> None:
    raw = Terminal()
    guarded = GuardedStream(raw, stderr_line, by_line=True)
    buffer = io.StringIO()
    progress = Progress(guarded, console=Console(file=buffer, force_terminal=True, width=120))
    progress.add("pages", uri="https://portal.kz/")
    guarded.write(f"govscan: warning: spravka_{RAW_IIN}.csv\x07 could not be read\n")
    progress.close()
    guarded.write("govscan: after the bar\n")
    assert "govscan: warning: spravka_8805******12.csv\\u0007 could not be read" in buffer.getvalue()
    assert raw.getvalue() == "govscan: after the bar\n"  # the bar's console took the warning, not the raw stream


def test_the_running_commands_progress_is_current_in_its_process_only() -> None:
    progress = Progress(io.StringIO(), interval=3600)
    assert not current().enabled
    with progress:
        assert current() is progress
        context = multiprocessing.get_context("fork")
        with context.Pool(1) as pool:
            assert pool.apply(_current_is_enabled_in_child) is False
    assert current() is not progress


def _current_is_enabled_in_child() -> bool:
    return current().enabled


def test_a_disabled_progress_counts_but_never_writes_or_starts_a_thread() -> None:
    stream = io.StringIO()
    progress = Progress(stream, enabled=False, interval=0.01)
    progress.result(WorkResult("exports", [AssetOutcome("a.csv", True)], []))
    summary = {"kind": "portal", "pages": 6, "requests": 21}
    progress.result(WorkResult("portal", [AssetOutcome("https://portal.kz/", True, None, summary)], []))
    time.sleep(0.05)
    progress.close()
    assert stream.getvalue() == "" and progress._ticker is None
    assert progress.counts["files"] == 1 and progress.counts["pages"] == 6


def test_outside_a_command_progress_keeps_nothing() -> None:
    """A long-lived worker process audits portal after portal: the silent progress it sees holds no totals."""
    silent = current()
    for i in range(3):
        silent.report(f"https://portal{i}.kz/", pages=5, requests=9)
        silent.result(WorkResult("exports", [AssetOutcome(f"{i}.csv", True)], []))
    assert not silent.enabled and not silent.counts and not silent._sources


def test_an_interrupted_check_gives_the_terminal_its_cursor_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import govscan.engine.documents as documents
    from govscan.rules import load_rules

    def interrupted(items, detector, *, progress, **kwargs):  # Ctrl-C while the first file is read
        progress.asset_started("exports/a.csv")
        raise KeyboardInterrupt

    monkeypatch.setattr(documents, "scan_assets", interrupted)
    buffer = io.StringIO()
    progress = Progress(console=Console(file=buffer, force_terminal=True, width=100))
    with pytest.raises(KeyboardInterrupt):
        documents.run_check(documents.CheckOptions(["exports/a.csv"], ner=False), load_rules(), b"k" * 32, progress)
    assert "\x1b[?25h" in buffer.getvalue() and progress._closed  # the cursor shown again, the bar gone
