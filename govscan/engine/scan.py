"""A scheduled scan: every target of a config, asset by asset, into the findings database.

Work units run on an executor (threads for the network, processes for parsing); this module is
the coordinator and the only database writer. Results are written in small batches as they
arrive, so an interrupted scan (Ctrl-C, kill -9) leaves a consistent database and ``--resume``
carries on without re-reading what is done.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import BrokenExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, fields, replace

from sqlmodel import Session, select

from govscan import __version__
from govscan.config import ScanConfig
from govscan.engine.plan import plan, scan_settings
from govscan.engine.steps import STOP, audit_site, audit_tls, crashed, install, read_dataset
from govscan.engine.units import WorkContext
from govscan.errors import InputError
from govscan.executors import Executor, LocalExecutor
from govscan.identity import key_id
from govscan.model import Severity, WorkResult
from govscan.rules import RuleSet
from govscan.store.coverage import record_rules_run
from govscan.store.keys import check_key
from govscan.store.lifecycle import finish_scan, start_scan
from govscan.store.locks import ScanBusy, scan_lock
from govscan.store.queries import scan_changes
from govscan.store.tables import Asset, AssetRead, FindingRow, Scan
from govscan.store.writer import FindingsWriter, Recorded


@dataclass
class ScanOutcome(Recorded):
    """What the whole scan changed and what it could not read.

    Read back from the scan's events once it is done, not summed from this process's writes: a
    scan resumed after ``kill -9`` counts the findings it recorded before it was killed, so the
    gate and the webhook judge the whole scan (the README's systemd unit runs ``--resume``).
    """

    scan_id: int = 0
    errors: list[str] = field(default_factory=list)


class ScanRunning(InputError):
    """A live process is scanning this config on this database; ``str()`` is the line to show."""


def run_scan(
    session: Session,
    config: ScanConfig,
    rules: RuleSet,
    key: bytes,
    *,
    resume: bool = False,
    on_asset: Callable[[str], None] | None = None,
    executor: Executor | None = None,
    suppress: Mapping[str, str] | None = None,
) -> ScanOutcome:
    """Run every target through ``executor`` (local pools by default); this thread alone writes.

    ``suppress``: baseline fingerprints (with their reasons) whose findings are stored ``suppressed``.
    Raises ``ScanRunning`` while another live process scans the same config on this database.
    """
    check_key(session, key_id(key))  # another key would mark every finding fixed and re-create it
    with ExitStack() as held:
        try:
            held.enter_context(scan_lock(session.get_bind().engine, config.name))
        except ScanBusy:
            raise ScanRunning(_running_line(session, config.name)) from None
        _interrupt_dead_scans(session, config.name)  # we hold the lock: a scan still "running" died
        return _run(session, config, rules, key, resume, on_asset, executor, suppress)


def _run(
    session: Session,
    config: ScanConfig,
    rules: RuleSet,
    key: bytes,
    resume: bool,
    on_asset: Callable[[str], None] | None,
    executor: Executor | None,
    suppress: Mapping[str, str] | None,
) -> ScanOutcome:
    scan = _resumable(session, config.name) if resume else None
    if scan is not None:
        scan.status = "running"  # running again; its start stays the first run's
        session.add(scan)
        session.commit()
    else:
        scan = start_scan(
            session,
            config.name,
            govscan_version=__version__,
            ruleset_digest=rules.digest,
            fingerprint_key_id=key_id(key),
            settings_json=json.dumps(scan_settings(config), ensure_ascii=False),
            config_digest=hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:16],
        )
    assert scan.id is not None
    earlier = _unreadable(session, scan.id)  # what a resumed scan could not read before it was killed
    outcome = ScanOutcome(scan_id=scan.id)
    files, urls, tls, portals = plan(config, _assets_done(session, scan.id))
    if config.deadline:  # portal audits end by the scan's deadline, whenever each one starts
        stop_at = time.time() + config.deadline
        portals = [replace(p, settings=replace(p.settings, scan_stop_at=stop_at)) for p in portals]
    limits = config.read_limits()  # the scan's OCR mode, for dataset files and portals' data files alike
    portals = [replace(p, settings=replace(p.settings, limits=limits)) for p in portals]
    context = WorkContext(rules, key, limits=limits)
    executor = executor or LocalExecutor(initializer=install, initargs=(context,))
    batch = _Batch(
        FindingsWriter(session, scan.id, suppress),
        outcome,
        on_asset,
        {t.name: t.kind for t in config.targets},
        size=_write_batch(),
    )
    STOP.clear()
    try:
        with executor:
            try:
                for result in executor.run(read_dataset, files, "cpu", on_crash=crashed):
                    batch.add(result)
                for result in executor.run(read_dataset, urls, "io"):
                    batch.add(result)
                for result in executor.run(audit_site, portals, "io"):
                    batch.add(result)
                for results in executor.run(audit_tls, tls, "io"):
                    for result in results:
                        batch.add(result)
            except BaseException:
                STOP.set()  # running crawls wind down now instead of finishing their site
                raise
        batch.flush()
    except (KeyboardInterrupt, BrokenExecutor):
        batch.flush()
        record_rules_run(session, scan, rules)
        finish_scan(session, scan, "interrupted")
        raise KeyboardInterrupt from None
    record_rules_run(session, scan, rules)
    finish_scan(session, scan)
    changes = scan_changes(session, scan.id)
    whole = {part.name: getattr(changes, part.name) for part in fields(Recorded)}
    return ScanOutcome(scan_id=scan.id, errors=earlier + outcome.errors, **whole)


def _write_batch() -> int:
    """Assets per database transaction (``GOVSCAN_WRITE_BATCH``): bigger is faster, smaller loses less to kill -9."""
    try:
        return max(1, int(os.environ.get("GOVSCAN_WRITE_BATCH", "200")))
    except ValueError:
        return 200


class _Batch:
    """Write every ``size`` assets or ``seconds``: a kill -9 loses at most that much, re-read on resume."""

    def __init__(
        self,
        writer: FindingsWriter,
        outcome: ScanOutcome,
        on_asset: Callable[[str], None] | None,
        kinds: dict[str, str],
        size: int = 200,
        seconds: float = 2.0,
    ) -> None:
        self.writer, self.outcome, self.on_asset = writer, outcome, on_asset
        self.kinds = kinds
        self.size, self.seconds = size, seconds
        self.since = time.monotonic()

    def add(self, result: WorkResult) -> None:
        self.writer.add(result.target, self.kinds.get(result.target, "datasets"), result.outcomes, result.findings)
        self.outcome.errors += result.errors
        if self.on_asset:
            for asset in result.outcomes:
                self.on_asset(asset.uri)
        if self.writer.pending >= self.size or time.monotonic() - self.since >= self.seconds:
            self.flush()

    def flush(self) -> None:
        self.writer.flush()
        self.since = time.monotonic()


def gate(session: Session, outcome: ScanOutcome, fail_on: str) -> bool:
    """True when a new or reopened finding, still open, is at or above ``fail_on`` (cron and CI exit 1).

    Still open: one a person already triaged away (between a kill and ``--resume``) fails nothing.
    """
    if fail_on == "none":
        return False
    threshold = Severity.parse(fail_on)
    for finding_id in outcome.new + outcome.reopened:
        row = session.get(FindingRow, finding_id)
        if row is not None and row.status == "open" and Severity.parse(row.severity) >= threshold:
            return True
    return False


def _resumable(session: Session, name: str) -> Scan | None:
    """The latest scan of this config when it did not complete (an older one is history, not work)."""
    latest = session.exec(select(Scan).where(Scan.name == name).order_by(Scan.id.desc())).first()  # type: ignore[union-attr]
    return latest if latest is not None and latest.status in ("running", "interrupted") else None


def _running_line(session: Session, name: str) -> str:
    running = session.exec(
        select(Scan).where(Scan.name == name, Scan.status == "running").order_by(Scan.id.desc())  # type: ignore[union-attr]
    ).first()
    if running is None:
        return f"another scan of config {name!r} is starting on this database; wait for it to finish"
    return (
        f"scan {running.id} of this config ({name!r}) is running since {running.started_at:%Y-%m-%d %H:%M} UTC;"
        " wait for it to finish (a scan whose process died holds nothing: run again, with --resume to finish it)"
    )


def _interrupt_dead_scans(session: Session, name: str) -> None:
    """Scans of this config left "running" by a process that died (kill -9, power loss) say so."""
    for scan in session.exec(select(Scan).where(Scan.name == name, Scan.status == "running")).all():
        scan.status = "interrupted"
        session.add(scan)
    session.commit()


def _unreadable(session: Session, scan_id: int) -> list[str]:
    """``uri: reason`` of the assets this scan recorded as unreadable so far."""
    rows = session.exec(
        select(Asset.uri_display, AssetRead.reason)
        .join(AssetRead, AssetRead.asset_id == Asset.id)
        .where(AssetRead.scan_id == scan_id, AssetRead.status == "error")
        .order_by(AssetRead.id)  # type: ignore[arg-type]
    )
    return [f"{uri}: {reason or 'not read'}" for uri, reason in rows.all()]


def _assets_done(session: Session, scan_id: int) -> set[str]:
    rows = session.exec(
        select(Asset.uri_normal).join(AssetRead, AssetRead.asset_id == Asset.id).where(AssetRead.scan_id == scan_id)
    )
    return set(rows.all())
