"""Running a plan: every unit on an executor, every result into a sink, in the plan's order.

The same loop serves a scheduled scan (local pools or remote workers, the database sink) and
the one-off commands (``crawl`` in this process, the memory sink). ``tls`` runs its one unit
here with a progress callback: the TLS runner keeps its own worker processes and pacing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from govscan.engine.plan import Plan
from govscan.engine.sinks import MemorySink
from govscan.engine.steps import STOP, audit_site, audit_tls, crashed, read_dataset, tls_results
from govscan.engine.units import TlsUnit
from govscan.executors import Executor
from govscan.model import WorkResult
from govscan.progress import current

if TYPE_CHECKING:
    from govscan.tls.facts import TlsFacts


class Sink(Protocol):
    def add(self, result: WorkResult) -> None: ...  # pragma: no cover - a protocol


def run_plan(executor: Executor, work: Plan, sink: Sink) -> None:
    """Files (processes), dataset URLs, portals, then TLS (threads); results as they complete.

    On any interruption, running portal crawls are told to wind down (``STOP``) before it spreads.
    Each result is counted by the command's progress as it arrives (worker processes and remote
    workers included); a portal audit in this process also reports from inside (``audit_site``).
    """
    STOP.clear()
    progress = current()
    progress.expect(len(work.files) + len(work.urls) + len(work.portals) + sum(len(u.endpoints) for u in work.tls))
    with executor:
        try:
            for result in executor.run(read_dataset, work.files, "cpu", on_crash=crashed):
                sink.add(result)
                progress.result(result)
            for result in executor.run(read_dataset, work.urls, "io"):
                sink.add(result)
                progress.result(result)
            for result in executor.run(audit_site, work.portals, "io"):
                sink.add(result)
                progress.result(result)
            for results in executor.run(audit_tls, work.tls, "io"):
                for result in results:
                    sink.add(result)
                    progress.result(result)
        except BaseException:
            STOP.set()  # running crawls wind down now instead of finishing their site
            raise


def run_tls_here(unit: TlsUnit, sink: MemorySink, on_done: Callable[[TlsFacts], None] | None = None) -> None:
    """One TLS unit in this process (its runner starts the workers), each endpoint reported as it finishes.

    Results arrive as batches finish; the endpoints' summaries are put back in the order given.
    """
    from govscan.tls.targets import parse_target

    progress = current()
    progress.expect(len(unit.endpoints))
    for result in tls_results(unit, on_done=on_done):
        sink.add(result)
        progress.result(result)
    order = {parse_target(e).uri: i for i, e in enumerate(unit.endpoints)}
    sink.endpoints.sort(key=lambda s: order.get(f"tls://{s['host']}:{s['port']}", 0))
