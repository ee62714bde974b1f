"""A scheduled scan: every target of a config, asset by asset, into the findings database.

Each asset is recorded as soon as it is read, so an interrupted scan (Ctrl-C, kill -9) leaves a
consistent database and ``--resume`` carries on without re-reading what is done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from govscan import __version__
from govscan.config import ScanConfig, TargetConfig
from govscan.identity import key_id
from govscan.model import Severity
from govscan.pii.detector import PiiDetector
from govscan.pipeline import CheckOptions, run_check
from govscan.rules import RuleSet
from govscan.sources import expand_inputs, is_url
from govscan.store.lifecycle import AssetOutcome, Recorded, finish_scan, record, start_scan
from govscan.store.tables import Asset, AssetRead, FindingRow, Scan


@dataclass
class ScanOutcome:
    scan_id: int
    new: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    fixed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, recorded: Recorded) -> None:
        self.new += recorded.new
        self.reopened += recorded.reopened
        self.fixed += recorded.fixed


def run_scan(
    session: Session,
    config: ScanConfig,
    rules: RuleSet,
    key: bytes,
    *,
    resume: bool = False,
    on_asset: Callable[[str], None] | None = None,
) -> ScanOutcome:
    scan = _resumable(session, config.name) if resume else None
    if scan is None:
        scan = start_scan(
            session,
            config.name,
            govscan_version=__version__,
            ruleset_digest=rules.digest,
            fingerprint_key_id=key_id(key),
        )
    assert scan.id is not None
    outcome = ScanOutcome(scan.id)
    done = _assets_done(session, scan.id)
    detector = PiiDetector(rules, key)
    batch = _Batch(session)
    try:
        for target in config.targets:
            for uri in dataset_assets(target):
                if uri in done:
                    continue
                result = run_check(CheckOptions([uri], target.exclude), rules, key, detector=detector)
                failed = {e.uri for e in result.errors}
                outcome.errors += [str(e) for e in result.errors]
                outcomes = [AssetOutcome(uri, uri not in failed, "; ".join(e.problem for e in result.errors) or None)]
                outcome.add(record(session, scan, target.name, target.kind, outcomes, result.findings, commit=False))
                batch.tick()
                if on_asset:
                    on_asset(uri)
            batch.commit()
            if target.tls:
                _scan_tls(session, scan, target, rules, key, outcome, done)
    except KeyboardInterrupt:
        batch.commit()
        finish_scan(session, scan, "interrupted")
        raise
    finish_scan(session, scan)
    return outcome


def dataset_assets(target: TargetConfig) -> list[str]:
    """Asset uris of a target without reading them (URLs are one asset each, fetched later)."""
    uris: list[str] = []
    for item in target.datasets:
        if is_url(item):
            uris.append(item)
            continue
        for asset in expand_inputs([item], target.exclude):
            uris.append(asset.uri)  # a missing path stays, so the scan records it as unreadable
    return list(dict.fromkeys(uris))


def _scan_tls(
    session: Session, scan: Scan, target: TargetConfig, rules: RuleSet, key: bytes, outcome: ScanOutcome, done: set[str]
) -> None:
    from govscan.tls.audit import judge
    from govscan.tls.collect import ScanSettings
    from govscan.tls.runner import run
    from govscan.tls.targets import parse_target

    endpoints = [e for e in (parse_target(t) for t in target.tls) if e.uri not in done]
    for facts in run(endpoints, ScanSettings()):
        if facts.error:
            outcome.errors.append(f"{facts.endpoint.uri}: {facts.error}")
        findings = [] if facts.error else judge(facts, rules, key)
        outcomes = [AssetOutcome(facts.endpoint.uri, facts.error is None, facts.error)]
        outcome.add(record(session, scan, target.name, target.kind, outcomes, findings))


class _Batch:
    """Commit every ``size`` assets or ``seconds``: a kill -9 loses at most that much, re-read on resume."""

    def __init__(self, session: Session, size: int = 25, seconds: float = 2.0) -> None:
        self.session, self.size, self.seconds = session, size, seconds
        self.pending = 0
        self.since = time.monotonic()

    def tick(self) -> None:
        self.pending += 1
        if self.pending >= self.size or time.monotonic() - self.since >= self.seconds:
            self.commit()

    def commit(self) -> None:
        if self.pending:
            self.session.commit()
        self.pending = 0
        self.since = time.monotonic()


def gate(session: Session, outcome: ScanOutcome, fail_on: str) -> bool:
    """True when a new or reopened finding is at or above ``fail_on`` (cron and CI exit 1)."""
    if fail_on == "none":
        return False
    threshold = Severity.parse(fail_on)
    for finding_id in outcome.new + outcome.reopened:
        row = session.get(FindingRow, finding_id)
        if row is not None and Severity.parse(row.severity) >= threshold:
            return True
    return False


def _resumable(session: Session, name: str) -> Scan | None:
    return session.exec(
        select(Scan).where(Scan.name == name, Scan.status.in_(("running", "interrupted"))).order_by(Scan.id.desc())  # type: ignore[union-attr, attr-defined]
    ).first()


def _assets_done(session: Session, scan_id: int) -> set[str]:
    rows = session.exec(
        select(Asset.uri_display).join(AssetRead, AssetRead.asset_id == Asset.id).where(AssetRead.scan_id == scan_id)
    )
    return set(rows.all())
