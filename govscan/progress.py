"""Progress on stderr for every long command: a live bar on a terminal, plain lines in CI logs.

One :class:`Progress` per command counts what the work did so far — pages, requests, files,
endpoints, findings, errors — from events the engine sends:

* ``asset_started`` / ``asset_finished``: a document read (``check``, files a scan reads here);
* ``report(source, pages=…, requests=…)``: a long unit's own running totals (a portal audit
  sends its heartbeat from inside, page by page); totals are kept per source, so the same
  figures sent again, or sent once more when the unit's result arrives, are not counted twice;
* ``result(work_result)``: a unit's result arriving at the coordinator (worker processes and
  remote workers are counted there, as results come);
* ``add(kind, n)``: anything else (an endpoint audited).

On a terminal a rich progress bar is redrawn in place (pulsing when the total is unknown) and
the command's other stderr lines are printed above it; elsewhere (a CI log, a pipe) one plain
line (``govscan: progress 40.2 s: 13 pages, 120 requests, 2 findings; last URL``) is written
at the first event and then every ``interval`` seconds (``GOVSCAN_PROGRESS_INTERVAL``,
default 10), and a summary at the end. Nothing goes to stdout (results go there). Every uri shown
passes :func:`govscan.redact.terminal_line` (masked, neutralised, clipped): progress writes around
the command's guarded stderr (cli/output.py), because it draws its own control sequences.

``-q`` turns it off, ``-v`` adds a line per asset, page and endpoint (govscan/terminal.py).
A command makes its Progress :func:`current` (``with progress:``) so that engine code in this
process — a portal audit on an io thread — can reach it; a worker process sees a silent one.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

from govscan import terminal
from govscan.redact import clip, terminal_line

if TYPE_CHECKING:
    from rich.console import Console

    from govscan.model import WorkResult

INTERVAL_ENV = "GOVSCAN_PROGRESS_INTERVAL"
DEFAULT_INTERVAL = 10.0  # seconds between plain lines in a CI log
KINDS = ("pages", "requests", "files", "endpoints", "findings", "errors")  # in the order shown
_SINGULAR = {"pages": "page", "requests": "request", "files": "file", "endpoints": "endpoint",
             "findings": "finding", "errors": "error"}  # fmt: skip
URI_WIDTH = 60  # characters of the current uri beside the bar, at most
BAR_WIDTH = 16


def _interval() -> float:
    try:
        return max(0.01, float(os.environ.get(INTERVAL_ENV, DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


def counted(counts: Mapping[str, int], *, always: tuple[str, ...] = ("findings",)) -> str:
    """``12 pages, 48 requests, 1 file, 0 findings``: the kinds seen so far, in a fixed order."""
    parts = []
    for kind in KINDS:
        n = counts.get(kind, 0)
        if n or kind in always:
            parts.append(f"{n} {_SINGULAR[kind] if n == 1 else kind}")
    return ", ".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


class Progress:
    """The command's progress observer; thread-safe (portal audits report from io threads).

    ``stream`` defaults to the command's stderr; ``console`` (a rich Console) forces the live bar,
    e.g. into a buffer in tests. ``total`` (units, endpoints) draws a filled bar instead of a pulse.
    ``interval`` defaults to ``GOVSCAN_PROGRESS_INTERVAL`` or 10 s.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool = True,
        interval: float | None = None,
        total: int | None = None,
        label: str = "govscan",
        console: Console | None = None,
        verbose: bool | None = None,
    ) -> None:
        settings = terminal.SETTINGS
        self.stream = stream or sys.stderr
        # Progress draws its own control sequences, so it writes around the command's guarded
        # stderr (cli/output.py) and sanitises the uris it shows itself.
        self._out: TextIO = getattr(self.stream, "unguarded", self.stream)
        self.enabled = enabled and not settings.quiet
        self.verbose = self.enabled and (settings.verbose if verbose is None else verbose)
        self.live = self.enabled and (console is not None or terminal.is_terminal(self.stream))
        self.interval = _interval() if interval is None else interval
        self.total = total
        self.label = label
        self.counts: Counter[str] = Counter()
        self.done = 0  # units or inputs finished (the bar's position)
        self._sources: dict[str, Counter[str]] = {}  # running totals of long units, by source
        self._current = ""  # the masked uri last heard of
        self._console = console
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._started_at = time.monotonic()
        self._started = False
        self._closed = False
        self._last_line: tuple[int, tuple[tuple[str, int], ...]] | None = None
        self._wake = threading.Event()
        self._ticker: threading.Thread | None = None
        self._bar: Any = None  # rich.progress.Progress, on a terminal
        self._task: Any = None
        self._diverted: Any = None  # the guarded stderr whose lines print above the bar
        self._previous: Progress | None = None

    # --- events --------------------------------------------------------------------------------

    def asset_started(self, uri: str) -> None:
        """A document is being read (shown beside the bar)."""
        if self.enabled:
            with self._lock:
                self._current = terminal_line(uri, URI_WIDTH)
                self._changed()

    def asset_finished(self, uri: str, findings: int) -> None:
        """A document was read, with ``findings`` found in it."""
        with self._lock:
            self.done += 1
            self.counts["files"] += 1
            self.counts["findings"] += findings
            if self.enabled:
                self._current = terminal_line(uri, URI_WIDTH)
                self._detail("file", uri, f" ({_plural(findings, 'finding')})")
                self._changed()

    def add(self, kind: str, n: int = 1, *, uri: str | None = None, step: bool = False) -> None:
        """``n`` more of ``kind`` (one of :data:`KINDS`); ``step``: one more unit done (the bar moves)."""
        with self._lock:
            self.counts[kind] += n
            if step:
                self.done += 1
            if self.enabled:
                if uri is not None:
                    self._current = terminal_line(uri, URI_WIDTH)
                    self._detail(_SINGULAR.get(kind, kind), uri)
                self._changed()

    def report(self, source: str, *, uri: str | None = None, what: str | None = None, **totals: int) -> None:
        """A long unit's running totals (``pages=12, requests=40``), replacing what it sent before;
        ``what`` names the ``uri`` just done for ``-v`` (``page``, ``file``)."""
        with self._lock:
            seen = self._sources.setdefault(source, Counter())
            for kind, value in totals.items():
                self.counts[kind] += value - seen[kind]
                seen[kind] = value
            if self.enabled:
                if uri is not None:
                    self._current = terminal_line(uri, URI_WIDTH)
                    if what:
                        self._detail(what, uri)
                self._changed()

    def result(self, result: WorkResult) -> None:
        """A unit's result arrived at the coordinator: one step of the bar, its findings and assets."""
        portal = next((o for o in result.outcomes if o.summary and o.summary.get("kind") == "portal"), None)
        if portal is not None and portal.summary is not None:
            figures = portal.summary
            self.report(
                portal.uri,
                uri=portal.uri,
                pages=int(figures.get("pages", 0)),
                requests=int(figures.get("requests", 0)),
                findings=len(result.findings),
            )
            with self._lock:
                self.done += 1
                self._changed()
            return
        with self._lock:
            tls = any(o.summary and o.summary.get("kind") == "tls" for o in result.outcomes)
            kind = "endpoints" if tls or any(o.uri.startswith("tls://") for o in result.outcomes) else "files"
            self.counts[kind] += len(result.outcomes)
            self.counts["findings"] += len(result.findings)
            self.counts["errors"] += sum(1 for o in result.outcomes if not o.ok)
            self.done += 1
            if self.enabled and result.outcomes:
                uri = result.outcomes[0].uri
                self._current = terminal_line(uri, URI_WIDTH)
                self._detail(
                    _SINGULAR[kind],
                    uri,
                    f" ({_plural(len(result.findings), 'finding')})"
                    + ("" if all(o.ok for o in result.outcomes) else ", not read"),
                )
            self._changed()

    def expect(self, total: int | None) -> None:
        """How many units the bar counts to (None: unknown, the bar pulses)."""
        with self._lock:
            self.total = total
            if self._started:
                self._changed()

    # --- lifetime ------------------------------------------------------------------------------

    def __enter__(self) -> Progress:
        global _active
        self._previous, _active = _active, self
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = self._previous
        self.close()

    def close(self) -> None:
        """Stop the bar or the ticker; in a CI log, one summary line when anything was counted."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            started = self._started
        self._wake.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        if self._bar is not None:
            self._undivert()
            self._bar.stop()
        elif self.enabled and started and not self.live:
            self._write(f"{self.label}: done in {_duration(time.monotonic() - self._started_at)}: {self.summary()}\n")

    def summary(self) -> str:
        """``[3/10] 12 pages, 48 requests, 0 findings`` (the step count when there is a total)."""
        with self._lock:
            steps = f"[{self.done}/{self.total}] " if self.total else ""
            return steps + counted(self.counts)

    # --- drawing -------------------------------------------------------------------------------

    def _changed(self) -> None:
        """Called under the lock after every event: the first one starts the bar or the ticker."""
        if not self.enabled or self._closed or os.getpid() != self._pid:
            return
        if not self._started:
            self._started = True
            if self.live:
                self._start_bar()
            else:
                self._plain_line()  # the first event: the log shows the work began
                self._ticker = threading.Thread(target=self._tick, name="govscan-progress", daemon=True)
                self._ticker.start()
        if self._bar is not None:
            counts = counted(self.counts)
            steps = f"{self.done}/{self.total}" if self.total else ""
            # the uri takes what the terminal has left: the counts are never the part cut
            room = self._bar.console.width - (len(self.label) + BAR_WIDTH + len(steps) + len(counts) + 16)
            self._bar.update(
                self._task,
                completed=self.done,
                total=self.total,
                counts=counts,
                current=clip(self._current, room) if room >= 12 else "",
                steps=steps,
            )

    def _tick(self) -> None:
        while not self._wake.wait(self.interval):
            with self._lock:
                if not self._closed:
                    self._plain_line()

    def _plain_line(self) -> None:
        """One line for a CI log, unless nothing changed since the last one."""
        state = (self.done, tuple(sorted(self.counts.items())))
        if state == self._last_line:
            return
        self._last_line = state
        elapsed = _duration(time.monotonic() - self._started_at)
        last = f"; last {self._current}" if self._current else ""
        self._write(f"{self.label}: progress {elapsed}: {self.summary()}{last}\n")

    def _detail(self, what: str, uri: str, tail: str = "") -> None:
        """``-v``: one line per asset, above the bar or among the plain lines (``what uri tail``).

        The uri is masked here, after the check: without ``-v`` no event pays for a second mask.
        """
        if not self.verbose or self._closed:
            return
        line = f"{self.label}: {what} {terminal_line(uri)}{tail}"
        if self._bar is not None:
            from rich.text import Text

            self._bar.console.print(Text(line), soft_wrap=True)
        else:
            self._write(line + "\n")

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar
        from rich.table import Column

        console = self._console or Console(
            file=self._out,
            no_color=not terminal.use_colour(self.stream),
            highlight=False,
            markup=False,
            emoji=False,
        )

        def fixed(text: str, **kwargs: Any) -> TextColumn:  # masked text, never markup; never squeezed
            return TextColumn(text, markup=False, table_column=Column(no_wrap=True, **kwargs))

        self._bar = Bar(
            SpinnerColumn(),
            fixed(self.label),
            BarColumn(bar_width=BAR_WIDTH),
            fixed("{task.fields[steps]}"),
            fixed("{task.fields[counts]}"),
            TimeElapsedColumn(),
            fixed("{task.fields[current]}", overflow="ellipsis"),
            console=console,
            transient=True,  # the results follow on a clean line
            redirect_stdout=False,
            redirect_stderr=False,  # the guarded stderr is diverted instead (below): still sanitised
            refresh_per_second=4,
        )
        self._task = self._bar.add_task(self.label, total=self.total, counts="", current="", steps="")
        self._bar.start()
        self._divert()

    def _divert(self) -> None:
        """The command's other stderr lines (warnings) print above the bar instead of through it."""
        stream = self.stream
        if hasattr(stream, "divert") and getattr(stream, "divert", None) is None:
            stream.divert = self._above  # type: ignore[union-attr]
            self._diverted = stream

    def _undivert(self) -> None:
        if self._diverted is not None:
            self._diverted.divert = None
            self._diverted = None

    def _above(self, text: str) -> None:
        from rich.text import Text

        for line in text.rstrip("\n").split("\n"):
            self._bar.console.print(Text(line), soft_wrap=True)

    def _write(self, text: str) -> None:
        try:
            self._out.write(text)
            self._out.flush()
        except (OSError, ValueError):  # a closed pipe: progress is not worth failing for
            pass


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Silent(Progress):
    """What engine code hears outside a command (a worker process, a library caller): nothing is
    kept, so a long-lived worker auditing portal after portal holds no totals."""

    def __init__(self) -> None:
        super().__init__(enabled=False)

    def asset_started(self, uri: str) -> None:
        pass

    def asset_finished(self, uri: str, findings: int) -> None:
        pass

    def add(self, kind: str, n: int = 1, *, uri: str | None = None, step: bool = False) -> None:
        pass

    def report(self, source: str, *, uri: str | None = None, what: str | None = None, **totals: int) -> None:
        pass

    def result(self, result: WorkResult) -> None:
        pass

    def expect(self, total: int | None) -> None:
        pass


_active: Progress | None = None
_SILENT = _Silent()


def current() -> Progress:
    """The running command's progress in this process; a silent one elsewhere (a worker process)."""
    active = _active
    if active is None or active._pid != os.getpid():
        return _SILENT
    return active
