"""A scan records which rules it ran; reports read that record instead of guessing later.

Guessing at report time used the rule set of the day the report was built: a rule added after
the scan was counted as tested by it, and a compliance requirement passed on a check never run.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from govscan.cli import cli
from govscan.report.data import build_report_data
from govscan.rules import load_rules
from govscan.store.engine import migrate, open_engine
from govscan.store.tables import Scan

ROOT = Path(__file__).resolve().parents[2]


def scan_exports(tmp_path: Path) -> str:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "list.csv").write_text("ФИО,ИИН\nИванов Иван Иванович,900101300017\n", encoding="utf-8")
    config = tmp_path / "scan.yaml"
    config.write_text(
        f"name: nightly\ntargets:\n  - name: open data\n    datasets: ['{exports}/*.csv']\n", encoding="utf-8"
    )
    db = f"sqlite:///{tmp_path / 'g.db'}"
    result = CliRunner().invoke(cli, ["scan", str(config), "--db", db, "--fail-on", "none", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return db


def test_a_scan_records_the_rules_it_ran(tmp_path: Path) -> None:
    db = scan_exports(tmp_path)
    with Session(open_engine(db)) as session:
        (scan,) = session.exec(select(Scan)).all()
        assert scan.rules_run_json is not None
        ran = json.loads(scan.rules_run_json)
    assert set(ran) == {r.id for r in load_rules().of_kind("pii")}  # datasets only: no tls, http, exposure


def test_a_report_with_a_newer_rule_set_does_not_count_rules_added_after_the_scan(tmp_path: Path) -> None:
    db = scan_exports(tmp_path)
    newer = tmp_path / "newer"
    newer.mkdir()
    rule = (ROOT / "rules" / "pii" / "kz-bin.yaml").read_text(encoding="utf-8")
    (newer / "kz-bin-v2.yaml").write_text(rule.replace("id: pii.kz-bin", "id: pii.kz-bin-v2"), encoding="utf-8")
    rules = load_rules([newer])
    assert rules.get("pii.kz-bin-v2") is not None
    with Session(open_engine(db)) as session:
        methodology = build_report_data(session, rules).methodology
    assert "pii.kz-iin" in methodology.rules_run and "pii.kz-bin-v2" not in methodology.rules_run
    assert methodology.kinds_run == ["pii"]


def test_migration_0007_leaves_older_scans_without_a_record_and_their_report_infers_it(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    old = create_engine(f"sqlite:///{db}")
    migrate(old, "0006")
    with old.begin() as c:
        c.execute(text(
            "INSERT INTO scan (name, started_at, status, govscan_version, ruleset_digest, fingerprint_key_id)"
            " VALUES ('s', '2026-01-01', 'completed', '0.1', '', '')"
        ))  # fmt: skip
        c.execute(text("INSERT INTO target (name, kind) VALUES ('t', 'datasets')"))
        c.execute(text("INSERT INTO asset (target_id, uri_normal, uri_display) VALUES (1, 'a.csv', 'a.csv')"))
        c.execute(text("INSERT INTO assetread (scan_id, asset_id, status) VALUES (1, 1, 'ok')"))
    old.dispose()
    with Session(open_engine(f"sqlite:///{db}")) as session:
        (scan,) = session.exec(select(Scan)).all()
        assert scan.rules_run_json is None
        methodology = build_report_data(session, load_rules(plugins=False)).methodology
    assert methodology.kinds_run == ["pii"] and "pii.kz-iin" in methodology.rules_run
