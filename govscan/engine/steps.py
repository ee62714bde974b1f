"""The functions that do one work unit (``units.py``), wherever they run.

Functions are top-level so an executor can run them in a thread, a child process, or on a
remote worker. Each returns a ``WorkResult`` and never
raises for bad input or a bad server: problems come back as errors, as data.

The scan-wide context (rules, fingerprint key, the PII detector) is installed once per process
with ``install`` — the process pool's initializer — and the detector is built on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from govscan.engine.documents import CheckOptions, run_check
from govscan.engine.results import TlsResult
from govscan.engine.units import DatasetUnit, PortalUnit, TlsUnit, WorkContext
from govscan.model import AssetOutcome, WorkResult
from govscan.pii.detector import PiiDetector
from govscan.progress import current
from govscan.redact import public_uri

if TYPE_CHECKING:  # sslyze is imported by the TLS step when it runs, not by every command
    from govscan.tls.facts import TlsFacts

STOP = threading.Event()  # set by the coordinator on Ctrl-C: network units in this process stop early
_context: WorkContext | None = None
_detector: PiiDetector | None = None


def install(context: WorkContext) -> None:
    """Make ``context`` this process's scan context (called once per worker)."""
    global _context, _detector
    if _context is not context:
        _context, _detector = context, None


def _installed() -> WorkContext:
    if _context is None:
        raise RuntimeError("no scan context installed in this worker")
    return _context


def _current() -> tuple[WorkContext, PiiDetector]:
    """The context and its PII detector, built on first use (TLS units never need one)."""
    global _detector
    context = _installed()
    if _detector is None:
        _detector = PiiDetector(context.rules, context.key, ner=context.ner)
    return context, _detector


def read_dataset(unit: DatasetUnit) -> WorkResult:
    """Read one dataset asset and detect personal data in it.

    The asset is read ok only when it was actually scanned and had no error of its own; an
    archive member that failed gets its own failed outcome, so its earlier findings stay open.
    Exclusions were applied when the scan was planned: applying them again here could silently
    skip the file (a pattern matching a parent folder) and record it as read.
    """
    context, detector = _current()
    try:
        result = run_check(
            CheckOptions([unit.uri], ca_file=unit.ca_file, limits=context.limits),
            context.rules,
            context.key,
            detector=detector,
        )
    except Exception as exc:  # noqa: BLE001 - one asset's failure must not end the scan
        problem = f"could not be scanned ({type(exc).__name__})"
        return WorkResult(unit.target, [AssetOutcome(unit.uri, False, problem)], [], [f"{unit.uri}: {problem}"])
    shown = public_uri(unit.uri)  # errors and scanned uris come back masked (model.py)
    own = [e.problem for e in result.errors if e.uri == shown]
    if shown not in result.scanned and not own:
        own = ["was not read"]
    outcomes = [AssetOutcome(unit.uri, not own, "; ".join(own) or None)]
    outcomes += [AssetOutcome(e.uri, False, e.problem) for e in result.errors if e.uri != shown]
    return WorkResult(unit.target, outcomes, result.findings, [str(e) for e in result.errors])


def crashed(unit: DatasetUnit, problem: str) -> WorkResult:
    """The result of a unit whose worker died: an unreadable asset, and the scan goes on."""
    return WorkResult(unit.target, [AssetOutcome(unit.uri, False, problem)], [], [f"{unit.uri}: {problem}"])


def audit_tls(unit: TlsUnit) -> list[WorkResult]:
    """Audit a target's TLS endpoints: one result per endpoint, its grade and certificate as the summary."""
    return list(tls_results(unit))


def tls_results(unit: TlsUnit, on_done: Callable[[TlsFacts], None] | None = None) -> Iterator[TlsResult]:
    """Each endpoint's result as its batch finishes; ``on_done`` hears of each endpoint first (progress).

    The stored summary leaves out sslyze's raw answer; the result's ``endpoint`` keeps it for reports.
    """
    from govscan.tls.audit import judge, summary
    from govscan.tls.collect import ScanSettings
    from govscan.tls.runner import run
    from govscan.tls.targets import parse_target

    context = _installed()
    options = unit.options
    settings = ScanSettings(
        profile=options.profile,
        ca_file=options.ca_file,
        network_timeout=options.timeout,
        per_host_connections=options.per_host,
    )
    overrides = None
    if options.expiring_days is not None:  # reaches every rule built on the expiry check (keyed by rule id)
        overrides = {
            r.id: {"days": options.expiring_days}
            for r in context.rules.of_kind("tls")
            if r.tls and r.tls.check == "cert_expiring"
        }
    endpoints = [parse_target(t) for t in unit.endpoints]
    for facts in run(endpoints, settings, workers=options.workers, rate=options.rate, on_done=on_done):
        uri, whole = facts.endpoint.uri, summary(facts)
        if facts.error:
            yield TlsResult(
                unit.target, [AssetOutcome(uri, False, facts.error)], [], [f"{uri}: {facts.error}"], endpoint=whole
            )
        else:
            observed = {k: v for k, v in whole.items() if k not in ("sslyze", "command_errors")}
            outcome = AssetOutcome(uri, True, None, {"kind": "tls", **observed})
            yield TlsResult(unit.target, [outcome], judge(facts, context.rules, context.key, overrides), endpoint=whole)


def audit_site(unit: PortalUnit) -> WorkResult:
    """Audit one portal; the site's summary (pages, requests, robots choice) rides on its outcome."""
    from govscan.engine.portal import audit_portal

    context, detector = _current()
    try:
        found = audit_portal(
            unit.target,
            unit.url,
            unit.settings,
            context.rules,
            context.key,
            detector,
            should_stop=STOP.is_set,
            progress=current(),  # the command's, when the audit runs in its process (an io thread)
        )
    except Exception as exc:  # noqa: BLE001 - one portal's failure must not end the scan
        problem = f"could not be audited ({type(exc).__name__})"
        return WorkResult(unit.target, [AssetOutcome(unit.url, False, problem)], [], [f"{unit.url}: {problem}"])
    found.outcomes.insert(0, AssetOutcome(unit.url, bool(found.summary.get("pages")), None, found.summary))
    return found
