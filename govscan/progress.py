"""Progress on stderr: a live line on a terminal, sparse plain lines in CI logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from govscan.redact import terminal_line


class Progress:
    """Observer the pipeline calls per asset; never writes to stdout (results go there)."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True, interval: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        # Progress draws its own control sequences, so it writes around the command's guarded
        # stderr (cli/output.py) and sanitises the uris it shows itself.
        self._out: TextIO = getattr(self.stream, "unguarded", self.stream)
        self.enabled = enabled
        self.live = enabled and self.stream.isatty()
        self.interval = interval
        self._last: float | None = None  # monotonic time starts near 0 on a fresh boot
        self._started = time.monotonic()
        self.done = 0

    def asset_started(self, uri: str) -> None:
        if self.live:
            self._write(f"\r\x1b[Kgovscan: [{self.done + 1}] {terminal_line(uri, 70)}")

    def asset_finished(self, uri: str, findings: int) -> None:
        self.done += 1
        now = time.monotonic()
        if self.enabled and not self.live and (self._last is None or now - self._last >= self.interval):
            self._last = now
            self._write(f"govscan: {_inputs(self.done)} read, last {terminal_line(uri)} ({findings} findings)\n")

    def close(self) -> None:
        if self.live:
            self._write("\r\x1b[K")
        elif self.enabled and self.done:
            elapsed = time.monotonic() - self._started
            self._write(f"govscan: {_inputs(self.done)} read in {elapsed:.1f} s\n")

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()


def _inputs(n: int) -> str:
    return "1 input" if n == 1 else f"{n} inputs"
