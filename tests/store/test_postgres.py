"""The findings database on PostgreSQL (a throwaway server, see conftest): a real lifecycle,
migrations and scans that start together, one running scan per config.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlmodel import Session, select, text

from govscan.config import ScanConfig, TargetConfig
from govscan.engine.scan import ScanRunning, run_scan
from govscan.engine.steps import install
from govscan.engine.units import WorkContext
from govscan.executors import SerialExecutor
from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.store.lifecycle import triage
from govscan.store.locks import scan_lock
from govscan.store.queries import diff_scans
from govscan.store.tables import FindingRow

IINS = ["900101300017", "851231400120"]


def test_three_scans_on_postgresql_keep_the_lifecycle_and_triage(postgres_database: str, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    data = exports / "a.csv"
    config = ScanConfig(name="nightly", targets=[TargetConfig(name="open data", datasets=[str(exports / "*.csv")])])
    rules, key = load_rules(), load_secret()
    engine = open_engine(postgres_database)  # runs the Alembic migrations on an empty PostgreSQL database

    def scan(with_iins: bool):  # type: ignore[no-untyped-def]
        rows = ["ФИО,ИИН"] + [f"Иванов Иван Иванович,{i if with_iins else ''}" for i in IINS]
        data.write_text("\n".join(rows) + "\n", encoding="utf-8")
        with Session(engine) as session:
            executor = SerialExecutor(install, (WorkContext(rules, key),))
            return run_scan(session, config, rules, key, executor=executor)

    first = scan(with_iins=True)
    assert len(first.new) == 2
    with Session(engine) as session:
        person = session.exec(select(FindingRow).where(FindingRow.rule_id == "pii.person")).one()
        triage(session, person.id, "accepted_risk", "published by law", "auditor")  # type: ignore[arg-type]
    second = scan(with_iins=False)
    third = scan(with_iins=True)
    assert len(second.fixed) == 1 and len(third.reopened) == 1

    with Session(engine) as session:
        rows = {r.rule_id: r for r in session.exec(select(FindingRow)).all()}
        assert rows["pii.kz-iin"].status == "open" and rows["pii.kz-iin"].reopened_count == 1
        assert rows["pii.person"].status == "accepted_risk"
        assert all(iin not in r.evidence_masked for r in rows.values() for iin in IINS)
        changes = diff_scans(session, second.scan_id, third.scan_id)
        assert [r.rule_id for r in changes.reopened] == ["pii.kz-iin"]
        assert session.exec(text("SHOW timezone")).one()[0] == "UTC"  # times stored as UTC whatever the server's zone
    engine.dispose()


def test_processes_opening_a_new_postgresql_database_together_migrate_it_once(postgres_database: str) -> None:
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def open_at_once() -> None:
        start.wait()
        try:
            open_engine(postgres_database).dispose()  # each its own engine and connections, as processes have
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=open_at_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    engine = open_engine(postgres_database)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        indexes = connection.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'asset'")).scalars()
        assert "uq_asset_target_uri" in set(indexes)
    engine.dispose()


def test_a_scan_of_a_config_another_connection_holds_is_refused_on_postgresql(
    postgres_database: str, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "a.csv").write_text("ИИН\n" + "\n".join(IINS) + "\n", encoding="utf-8")
    config = ScanConfig(name="nightly", targets=[TargetConfig(name="open data", datasets=[str(exports / "*.csv")])])
    rules, key = load_rules(), load_secret()
    engine = open_engine(postgres_database)

    def scan():  # type: ignore[no-untyped-def]
        with Session(engine) as session:
            return run_scan(session, config, rules, key, executor=SerialExecutor(install, (WorkContext(rules, key),)))

    with scan_lock(engine, "nightly"), pytest.raises(ScanRunning):  # held as another process's scan would
        scan()
    assert len(scan().new) == 1  # released: the scan runs
    engine.dispose()
