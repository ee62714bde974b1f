"""Reporters: one module per output format, all fed the same :class:`ScanResult`.

The reporters reach :func:`render` (what the CLI calls) through the ``govscan_reporters`` hook
of :mod:`govscan.plugins`, the built-ins like a plugin's, by their ``--format`` name. Every reporter prints only masked evidence, never raw values.
"""

from __future__ import annotations

from typing import TextIO

from govscan import plugins
from govscan.model import ScanResult
from govscan.report.base import Reporter
from govscan.report.csv_ import CsvReporter
from govscan.report.json_ import JsonReporter
from govscan.report.sarif import SarifReporter
from govscan.report.text import TextReporter


def builtin_reporters() -> list[Reporter]:
    """The report formats govscan ships (:mod:`govscan.builtins` registers them like a plugin's)."""
    return [TextReporter(), JsonReporter(), SarifReporter(), CsvReporter()]


def render(fmt: str, result: ScanResult, out: TextIO) -> None:
    """Write ``result`` to ``out`` in format ``fmt`` (a name of ``plugins.reporters()``)."""
    registry = plugins.reporters()
    try:
        reporter = registry[fmt]
    except KeyError:
        known = ", ".join(registry)
        raise ValueError(f"unknown report format {fmt!r} (expected one of: {known})") from None
    reporter.render(result, out)


__all__ = ["Reporter", "render"]
