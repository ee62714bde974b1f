"""Reporters: one module per output format, all fed the same :class:`ScanResult`.

``REPORTERS`` maps the ``--format`` names to reporter instances; :func:`render` is what the CLI
calls. Every reporter prints only masked evidence, never raw values.
"""

from __future__ import annotations

from typing import TextIO

from govscan.report.base import Reporter, ScanResult
from govscan.report.csv_ import CsvReporter
from govscan.report.json_ import JsonReporter
from govscan.report.sarif import SarifReporter
from govscan.report.text import TextReporter

REPORTERS: dict[str, Reporter] = {
    "text": TextReporter(),
    "json": JsonReporter(),
    "sarif": SarifReporter(),
    "csv": CsvReporter(),
}


def render(fmt: str, result: ScanResult, out: TextIO) -> None:
    """Write ``result`` to ``out`` in format ``fmt`` (one of :data:`REPORTERS`)."""
    try:
        reporter = REPORTERS[fmt]
    except KeyError:
        known = ", ".join(REPORTERS)
        raise ValueError(f"unknown report format {fmt!r} (expected one of: {known})") from None
    reporter.render(result, out)


__all__ = ["REPORTERS", "Reporter", "ScanResult", "render"]
