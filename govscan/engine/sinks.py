"""Where the results of work units go: the one ``ScanResult`` a command renders, or the database.

``MemorySink`` is the only place a ``ScanResult`` is built (``check``, ``tls``, ``crawl``);
``DatabaseSink`` hands each unit's result to the store's writer in small batches (a scheduled
scan). Both take ``WorkResult``s as a unit's step returns them, wherever it ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from govscan import __version__
from govscan.engine.results import TlsResult
from govscan.model import Finding, ReadError, ScanResult, WorkResult
from govscan.rules import RuleSet

if TYPE_CHECKING:  # the store is imported by the scan that passes a writer, never by ``check``
    from govscan.store.writer import FindingsWriter


@dataclass
class Scanned:
    """What reading documents found: findings, inputs that could not be read, uris read."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)


class MemorySink(Scanned):
    """Keeps everything in memory and builds the command's ``ScanResult``.

    ``unreadable_fails``: an asset a unit could not read is an error of the command (exit 2, as
    for ``tls``), or only a warning (``crawl``: one page or file of a portal is not the portal).
    ``endpoints_scanned``: an audited TLS endpoint counts as a scanned asset (``tls``), or only as
    a summary beside the portal (``crawl``). Warnings are the units' own problem lines, in the
    order their results arrived.
    """

    def __init__(
        self,
        rules: RuleSet,
        inputs: list[str],
        *,
        category: str = "check",
        unreadable_fails: bool = True,
        endpoints_scanned: bool = True,
    ) -> None:
        super().__init__()
        self.rules, self.inputs, self.category = rules, list(inputs), category
        self.unreadable_fails, self.endpoints_scanned = unreadable_fails, endpoints_scanned
        self.started_at = datetime.now(UTC)
        self.endpoints: list[dict[str, Any]] = []  # TLS summaries, one per endpoint
        self.portals: list[dict[str, Any]] = []  # what each portal audit observed of its site
        self.ner_cut: dict[str, int] = {}  # uri → characters read without name NER (its budget)
        self.warnings: list[str] = []

    def add(self, result: WorkResult) -> None:
        self.findings += result.findings
        self.warnings += result.errors
        if isinstance(result, TlsResult):
            self.endpoints.append(result.endpoint)
        for outcome in result.outcomes:
            kind = outcome.summary.get("kind") if outcome.summary else None
            if kind == "portal":
                self.portals.append(outcome.summary)  # type: ignore[arg-type]  # the site: its figures, not an asset
            elif kind == "tls" and not self.endpoints_scanned:
                continue
            elif outcome.ok:
                self.scanned.append(outcome.uri)
            elif self.unreadable_fails:
                self.errors.append(ReadError(outcome.uri, outcome.reason or "not read"))

    def result(self) -> ScanResult:
        return ScanResult(
            findings=self.findings,
            errors=self.errors,
            rules=self.rules,
            inputs=list(self.inputs),
            tool_version=__version__,
            started_at=self.started_at,
            finished_at=datetime.now(UTC),
            scanned=self.scanned,
            endpoints=self.endpoints,
            ner_cut=self.ner_cut,
            category=self.category,
        )


class DatabaseSink:
    """Write every ``size`` assets or ``seconds``: a kill -9 loses at most that much, re-read on resume."""

    def __init__(
        self,
        writer: FindingsWriter,
        on_asset: Callable[[str], None] | None,
        kinds: dict[str, str],
        size: int = 200,
        seconds: float = 2.0,
    ) -> None:
        self.writer, self.on_asset = writer, on_asset
        self.kinds = kinds  # target name → its kind, as the asset reads record it
        self.size, self.seconds = size, seconds
        self.since = time.monotonic()
        self.errors: list[str] = []

    def add(self, result: WorkResult) -> None:
        self.writer.add(result.target, self.kinds.get(result.target, "datasets"), result.outcomes, result.findings)
        self.errors += result.errors
        if self.on_asset:
            for asset in result.outcomes:
                self.on_asset(asset.uri)
        if self.writer.pending >= self.size or time.monotonic() - self.since >= self.seconds:
            self.flush()

    def flush(self) -> None:
        self.writer.flush()
        self.since = time.monotonic()
