"""Progress goes to stderr: a live line on a terminal, sparse plain lines in CI logs."""

from __future__ import annotations

import io

from govscan.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_rewritten_line_and_it_is_cleared_at_the_end() -> None:
    stream = Terminal()
    progress = Progress(stream)
    progress.asset_started("exports/a.csv")
    progress.asset_finished("exports/a.csv", 3)
    progress.close()
    text = stream.getvalue()
    assert "\r" in text and "exports/a.csv" in text and "\n" not in text


def test_ci_logs_get_plain_lines_at_most_every_interval_and_a_summary() -> None:
    stream = io.StringIO()
    progress = Progress(stream, interval=3600)
    for i in range(50):
        progress.asset_started(f"f{i}.csv")
        progress.asset_finished(f"f{i}.csv", 0)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # the first asset, then the summary
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()
    assert lines[-1].startswith("govscan: 50 inputs read in")


def test_no_progress_writes_nothing() -> None:
    stream = Terminal()
    progress = Progress(stream, enabled=False)
    progress.asset_started("a.csv")
    progress.asset_finished("a.csv", 1)
    progress.close()
    assert stream.getvalue() == ""


def test_one_input_is_one_input() -> None:
    stream = io.StringIO()
    progress = Progress(stream, interval=3600)
    progress.asset_started("a.csv")
    progress.asset_finished("a.csv", 0)
    progress.close()
    first, last = stream.getvalue().splitlines()
    assert first.startswith("govscan: 1 input read, last a.csv") and last.startswith("govscan: 1 input read in")
