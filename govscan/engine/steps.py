"""The functions that do one work unit (``units.py``), wherever they run.

Functions are top-level so an executor can run them in a
thread, a child process, or (later) a remote worker. Each returns a ``WorkResult`` and never
raises for bad input or a bad server: problems come back as errors, as data.

The scan-wide context (rules, fingerprint key, the PII detector) is installed once per process
with ``install`` — the process pool's initializer — and the detector is built on first use.
"""

from __future__ import annotations

import threading

from govscan.engine.documents import CheckOptions, run_check
from govscan.engine.units import DatasetUnit, PortalUnit, TlsUnit, WorkContext
from govscan.model import AssetOutcome, WorkResult
from govscan.pii.detector import PiiDetector
from govscan.redact import public_uri

STOP = threading.Event()  # set by the coordinator on Ctrl-C: network units in this process stop early
_context: WorkContext | None = None
_detector: PiiDetector | None = None


def install(context: WorkContext) -> None:
    """Make ``context`` this process's scan context (called once per worker)."""
    global _context, _detector
    if _context is not context:
        _context, _detector = context, None


def _current() -> tuple[WorkContext, PiiDetector]:
    global _detector
    if _context is None:
        raise RuntimeError("no scan context installed in this worker")
    if _detector is None:
        _detector = PiiDetector(_context.rules, _context.key, ner=_context.ner)
    return _context, _detector


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
    from govscan.tls.audit import audit, summary

    context, _ = _current()
    results = []
    for facts, findings in audit(list(unit.endpoints), context.rules, context.key):
        uri = facts.endpoint.uri
        if facts.error:
            results.append(
                WorkResult(unit.target, [AssetOutcome(uri, False, facts.error)], [], [f"{uri}: {facts.error}"])
            )
        else:
            observed = {k: v for k, v in summary(facts).items() if k not in ("sslyze", "command_errors")}
            results.append(
                WorkResult(unit.target, [AssetOutcome(uri, True, None, {"kind": "tls", **observed})], findings)
            )
    return results


def audit_site(unit: PortalUnit) -> WorkResult:
    """Audit one portal; the site's summary (pages, requests, robots choice) rides on its outcome."""
    from govscan.engine.portal import audit_portal

    context, detector = _current()
    try:
        found = audit_portal(
            unit.target, unit.url, unit.settings, context.rules, context.key, detector, should_stop=STOP.is_set
        )
    except Exception as exc:  # noqa: BLE001 - one portal's failure must not end the scan
        problem = f"could not be audited ({type(exc).__name__})"
        return WorkResult(unit.target, [AssetOutcome(unit.url, False, problem)], [], [f"{unit.url}: {problem}"])
    found.outcomes.insert(0, AssetOutcome(unit.url, bool(found.summary.get("pages")), None, found.summary))
    return found
