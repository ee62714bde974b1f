"""A database keeps its fingerprint key: a scan under another key is refused and writes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from govscan.cli import cli
from govscan.identity import key_id

TEAM_KEY = "team-key-3b8e0d5f9a1c7246-shared-in-ci"
LAPTOP_KEY = "laptop-key-c41f8a2e6d09b375-auto-created"


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Path]:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "list.csv").write_text(
        "ФИО,ИИН\nИванов Иван Иванович,900101300017\nПетров Пётр Петрович,851231400120\n", encoding="utf-8"
    )
    config = tmp_path / "scan.yaml"
    config.write_text(f"name: nightly\ntargets:\n  - name: open data\n    datasets: ['{exports}/*.csv']\n")
    return {"config": config, "db": tmp_path / "g.db"}


def scan(setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch, key: str) -> Result:
    monkeypatch.setenv("GOVSCAN_SECRET", key)
    return CliRunner().invoke(cli, ["scan", str(setup["config"]), "--db", f"sqlite:///{setup['db']}"])


def rows(db: Path) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(db) as connection:
        scans = connection.execute("SELECT id, status, fingerprint_key_id FROM scan ORDER BY id").fetchall()
        findings = connection.execute("SELECT id, fingerprint, status FROM finding ORDER BY id").fetchall()
    return scans, findings


def test_a_scan_under_another_key_is_refused_in_one_line_and_changes_nothing(
    setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert scan(setup, monkeypatch, TEAM_KEY).exit_code == 1  # the first scan finds the IINs
    before = rows(setup["db"])
    assert before[1] and all(status == "open" for _, _, status in before[1])

    refused = scan(setup, monkeypatch, LAPTOP_KEY)

    assert refused.exit_code == 2, refused.output
    assert "Traceback" not in refused.stderr and refused.stdout == ""
    (line,) = refused.stderr.splitlines()
    assert key_id(TEAM_KEY.encode()) in line and key_id(LAPTOP_KEY.encode()) in line
    assert "GOVSCAN_SECRET" in line
    assert rows(setup["db"]) == before  # no scan row, nothing marked fixed, nothing re-created

    again = scan(setup, monkeypatch, TEAM_KEY)  # the team's key still scans on
    assert again.exit_code == 0 and "0 new, 0 reopened, 0 fixed" in again.stdout


def test_resuming_an_interrupted_scan_under_another_key_is_refused_too(
    setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert scan(setup, monkeypatch, TEAM_KEY).exit_code == 1
    with sqlite3.connect(setup["db"]) as connection:
        connection.execute("UPDATE scan SET status = 'interrupted'")
    before = rows(setup["db"])
    monkeypatch.setenv("GOVSCAN_SECRET", LAPTOP_KEY)
    refused = CliRunner().invoke(cli, ["scan", str(setup["config"]), "--resume", "--db", f"sqlite:///{setup['db']}"])
    assert refused.exit_code == 2 and key_id(TEAM_KEY.encode()) in refused.stderr
    assert rows(setup["db"]) == before


def test_a_new_database_takes_any_key(setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    assert scan(setup, monkeypatch, LAPTOP_KEY).exit_code == 1
    assert rows(setup["db"])[0][0][2] == key_id(LAPTOP_KEY.encode())
