"""The findings database on PostgreSQL: a throwaway server started by the test, then a real lifecycle.

Runs when PostgreSQL's server binaries are installed (Debian's ``postgresql``, which ``.ci/run``
installs) and the psycopg driver is importable; otherwise it is skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select, text

from govscan.config import ScanConfig, TargetConfig
from govscan.executors import SerialExecutor
from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.scanrun import run_scan
from govscan.store.engine import open_engine
from govscan.store.lifecycle import triage
from govscan.store.queries import diff_scans
from govscan.store.tables import FindingRow
from govscan.work import WorkContext, install

IINS = ["900101300017", "851231400120"]


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed (pip install 'govscan[postgres]')")
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are not installed (Debian package 'postgresql')")
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the 'postgres' account
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' account to start the server with")
        run_as = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="govscan-pg-"))
    os.chmod(root, 0o755)  # noqa: S103 - the server account must reach its data directory
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if owner is not None:
        for path in (root, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "govscan", "-A", "trust"],
                   check=True, capture_output=True)  # fmt: skip
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
                    "start"], check=True, capture_output=True)  # fmt: skip
    try:
        yield f"postgresql+psycopg://govscan@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def test_three_scans_on_postgresql_keep_the_lifecycle_and_triage(postgres_url: str, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    data = exports / "a.csv"
    config = ScanConfig(name="nightly", targets=[TargetConfig(name="open data", datasets=[str(exports / "*.csv")])])
    rules, key = load_rules(), load_secret()
    engine = open_engine(postgres_url)  # runs the Alembic migrations on an empty PostgreSQL database

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
