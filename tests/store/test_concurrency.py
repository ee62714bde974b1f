"""Several govscan processes on one SQLite file at once: real processes, a real file.

Processes line up on a start time after paying for their imports, so they really do open the
database and write at the same moment (the race a review saw: three scans at once stored 4,000
finding rows for 1,600 fingerprints, and one died with ``table scan already exists``).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from govscan.config import ScanConfig, TargetConfig
from govscan.engine.documents import CheckOptions, run_check
from govscan.engine.scan import ScanRunning, run_scan
from govscan.engine.steps import install
from govscan.engine.units import WorkContext
from govscan.executors import SerialExecutor
from govscan.identity import load_secret
from govscan.model import AssetOutcome
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.store.lifecycle import start_scan
from govscan.store.locks import scan_lock
from govscan.store.writer import FindingsWriter

IINS = ["900101300017", "851231400120", "100715501237"]

# Pay for the imports, wait for the common start time, then run as the `govscan` command does.
AT_THE_START_LINE = textwrap.dedent(
    """
    import sys, time
    from govscan.cli import main
    import govscan.engine.scan, govscan.store.engine
    time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
    sys.argv = ["govscan", *sys.argv[2:]]
    main()
    """
)


def _together(commands: list[list[str]], lead: float = 8.0) -> list[subprocess.CompletedProcess[str]]:
    """Run ``govscan`` command lines as processes that all start at the same instant."""
    start = time.time() + lead
    environment = {**os.environ, "GOVSCAN_WRITE_BATCH": "5"}  # many small commits: writers interleave
    children = [
        subprocess.Popen(
            [sys.executable, "-c", AT_THE_START_LINE, str(start), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for command in commands
    ]
    results = []
    for child, command in zip(children, commands, strict=True):
        out, err = child.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(command, child.returncode, out, err))
    return results


def test_processes_opening_a_new_database_together_migrate_it_once(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    exports = tmp_path / "clean"
    exports.mkdir()
    (exports / "cities.csv").write_text("Город\nАлматы\n", encoding="utf-8")
    configs = []
    for n in range(4):
        config = tmp_path / f"c{n}.yaml"
        config.write_text(
            f"name: c{n}\ntargets:\n  - name: t{n}\n    datasets: ['{exports}/*.csv']\n", encoding="utf-8"
        )
        configs.append(["scan", str(config), "--db", f"sqlite:///{db}", "--jobs", "1", "--fail-on", "none"])
    results = _together(configs)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
        assert connection.execute("SELECT count(*), count(DISTINCT name) FROM scan").fetchone() == (4, 4)


def test_three_configs_scanning_one_target_at_once_store_each_asset_and_finding_once(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    files = 120
    for n in range(files):
        rows = ["ФИО,ИИН"] + [f"Иванов Иван Иванович,{iin}" for iin in IINS]
        (exports / f"f{n:03d}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = tmp_path / "shared.db"
    commands = []
    for name in ("nightly", "weekly", "adhoc"):  # three configs, one target name: the same assets
        config = tmp_path / f"{name}.yaml"
        config.write_text(f"name: {name}\ntargets:\n  - name: open data\n    datasets: ['{exports}/*.csv']\n")
        commands.append(["scan", str(config), "--db", f"sqlite:///{db}", "--jobs", "1", "--fail-on", "none"])

    results = _together(commands)

    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr[-500:] for r in results]
    with sqlite3.connect(db) as connection:
        assets, uris = connection.execute("SELECT count(*), count(DISTINCT uri_normal) FROM asset").fetchone()
        assert (assets, uris) == (files, files)
        findings, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT asset_id || ':' || fingerprint) FROM finding"
        ).fetchone()
        assert findings == distinct == 2 * files  # an IIN and a name finding per file, once each
        assert connection.execute("SELECT count(*) FROM scan WHERE status = 'completed'").fetchone()[0] == 3
        # every scan saw every finding, whichever of them stored it first
        per_scan = connection.execute(
            "SELECT count(DISTINCT finding_id) FROM findingevent GROUP BY scan_id ORDER BY scan_id"
        ).fetchall()
        assert per_scan == [(2 * files,)] * 3


@pytest.fixture
def one_file_config(tmp_path: Path) -> tuple[ScanConfig, str]:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "a.csv").write_text("ИИН\n" + "\n".join(IINS) + "\n", encoding="utf-8")
    config = ScanConfig(name="nightly", targets=[TargetConfig(name="open data", datasets=[str(exports / "*.csv")])])
    return config, f"sqlite:///{tmp_path / 'g.db'}"


def test_a_second_scan_of_a_running_config_is_refused_and_a_dead_ones_row_is_cleared(one_file_config) -> None:  # type: ignore[no-untyped-def]
    config, url = one_file_config
    rules, key = load_rules(), load_secret()
    engine = open_engine(url)

    def scan():  # type: ignore[no-untyped-def]
        with Session(engine) as session:
            return run_scan(session, config, rules, key, executor=SerialExecutor(install, (WorkContext(rules, key),)))

    with Session(engine) as session:
        running = start_scan(session, "nightly")  # scan 1, "running" in another process…
    with scan_lock(engine, "nightly"):  # …which is alive: it holds the config's lock
        with pytest.raises(ScanRunning, match=r"scan 1 of this config \('nightly'\) is running since 20\d\d-"):
            scan()
    statuses = "SELECT id, status FROM scan ORDER BY id"
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        assert connection.execute(statuses).fetchall() == [(running.id, "running")]  # nothing written

    # The process died (its lock went with it): the next scan runs, and the dead one says so.
    assert len(scan().new) == 1
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        assert connection.execute(statuses).fetchall() == [(1, "interrupted"), (2, "completed")]
    with scan_lock(engine, "weekly"), scan_lock(engine, "nightly"):  # each config has its own lock
        pass


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'g.db'}"
    return request.getfixturevalue("postgres_database")


def test_a_writer_whose_target_another_scan_filled_meanwhile_stores_nothing_twice(
    database: str, tmp_path: Path
) -> None:
    """Scan A knows the target's assets from its first write; scan B (another config) then stores
    a file and its finding; A reaches the same file: it finds B's rows instead of duplicating them."""
    data = tmp_path / "y.csv"
    data.write_text("ИИН\n" + "\n".join(IINS) + "\n", encoding="utf-8")
    found = run_check(CheckOptions([str(data)], parallel=False), load_rules(plugins=False), load_secret()).findings
    assert len(found) == 1
    engine = open_engine(database)
    with Session(engine) as a, Session(engine) as b:
        writer_a = FindingsWriter(a, start_scan(a, "nightly").id)  # type: ignore[arg-type]
        writer_b = FindingsWriter(b, start_scan(b, "weekly").id)  # type: ignore[arg-type]
        writer_a.add("open data", "datasets", [AssetOutcome(str(tmp_path / "x.csv"), True)], [])
        writer_a.flush()  # A now holds the target's assets as they were: x.csv only
        writer_b.add("open data", "datasets", [AssetOutcome(str(data), True)], found)
        assert len(writer_b.flush().new) == 1

        writer_a.add("open data", "datasets", [AssetOutcome(str(data), True)], found)
        seen_by_a = writer_a.flush()

    with engine.connect() as connection:
        assets = connection.execute(text("SELECT count(*), count(DISTINCT uri_normal) FROM asset")).one()
        findings = connection.execute(text("SELECT id FROM finding")).scalars().all()
    engine.dispose()
    assert tuple(assets) == (2, 2)
    assert len(findings) == 1 and seen_by_a.seen == findings and seen_by_a.new == []
