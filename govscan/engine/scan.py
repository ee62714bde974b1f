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
from collections.abc import Callable, Mapping
from concurrent.futures import BrokenExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, fields

from sqlmodel import Session, select

from govscan import __version__
from govscan.config import ScanConfig
from govscan.engine.plan import plan, scan_settings
from govscan.engine.run import run_plan
from govscan.engine.sinks import DatabaseSink
from govscan.engine.steps import install
from govscan.engine.units import WorkContext
from govscan.errors import InputError
from govscan.executors import Executor, LocalExecutor
from govscan.identity import key_id
from govscan.model import Severity
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
    scan = _started(session, config, rules, key, resume)
    assert scan.id is not None
    earlier = _unreadable(session, scan.id)  # what a resumed scan could not read before it was killed
    work = plan(config, _assets_done(session, scan.id))
    context = WorkContext(rules, key, limits=config.read_limits())
    executor = executor or LocalExecutor(initializer=install, initargs=(context,))
    kinds = {t.name: t.kind for t in config.targets}
    sink = DatabaseSink(FindingsWriter(session, scan.id, suppress), on_asset, kinds, size=_write_batch())
    try:
        run_plan(executor, work, sink)
        sink.flush()
    except (KeyboardInterrupt, BrokenExecutor):
        sink.flush()
        record_rules_run(session, scan, rules)
        finish_scan(session, scan, "interrupted")
        raise KeyboardInterrupt from None
    record_rules_run(session, scan, rules)
    finish_scan(session, scan)
    changes = scan_changes(session, scan.id)
    whole = {part.name: getattr(changes, part.name) for part in fields(Recorded)}
    return ScanOutcome(scan_id=scan.id, errors=earlier + sink.errors, **whole)


def _started(session: Session, config: ScanConfig, rules: RuleSet, key: bytes, resume: bool) -> Scan:
    """The scan record: the unfinished one running again (``--resume``; its start stays the first run's), or a new one."""
    scan = _resumable(session, config.name) if resume else None
    if scan is not None:
        scan.status = "running"
        session.add(scan)
        session.commit()
        return scan
    return start_scan(
        session,
        config.name,
        govscan_version=__version__,
        ruleset_digest=rules.digest,
        fingerprint_key_id=key_id(key),
        settings_json=json.dumps(scan_settings(config), ensure_ascii=False),
        config_digest=hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:16],
    )


def _write_batch() -> int:
    """Assets per database transaction (``GOVSCAN_WRITE_BATCH``): bigger is faster, smaller loses less to kill -9."""
    try:
        return max(1, int(os.environ.get("GOVSCAN_WRITE_BATCH", "200")))
    except ValueError:
        return 200


def tripping(session: Session, outcome: ScanOutcome, fail_on: str) -> list[FindingRow]:
    """The findings that fail the gate (cron and CI exit 1): new or reopened, still open, at or above
    ``fail_on``; the most severe first (the scan command lists them when it exits 1).

    Still open: one a person already triaged away (between a kill and ``--resume``) fails nothing.
    """
    if fail_on == "none":
        return []
    threshold = Severity.parse(fail_on)
    rows = [session.get(FindingRow, finding_id) for finding_id in outcome.new + outcome.reopened]
    found = [r for r in rows if r is not None and r.status == "open" and Severity.parse(r.severity) >= threshold]
    return sorted(found, key=lambda r: (-Severity.parse(r.severity), r.rule_id, r.id or 0))


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
