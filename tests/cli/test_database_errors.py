"""A database that cannot be used is one line naming it (password masked) and the problem, exit 2.

Read-only commands never create a database: a mistyped ``--db`` is an error, not "no findings".
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.cli import cli

READ_ONLY = [
    ["findings", "list"],
    ["findings", "show", "1"],
    ["scans", "list"],
    ["report", "--format", "json"],
    ["diff"],
]


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line_error(result, *expected: str) -> str:  # type: ignore[no-untyped-def]
    """The command failed with exit 2 and exactly one line on stderr holding every expected piece."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("govscan: error: "), result.stderr
    for piece in expected:
        assert piece in lines[0], lines[0]
    return lines[0]


def a_scanned_database(tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "a.csv").write_text("ФИО,ИИН\nИванов Иван Иванович,900101300017\n", encoding="utf-8")
    config = tmp_path / "scan.yaml"
    config.write_text(f"name: n\ntargets:\n  - name: t\n    datasets: ['{exports}/*.csv']\n", encoding="utf-8")
    db = tmp_path / "g.db"
    assert invoke("scan", str(config), "--db", f"sqlite:///{db}", "--fail-on", "none", "--jobs", "1").exit_code == 0
    return db


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_read_only_command_refuses_a_database_that_does_not_exist(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo" / "govscan.db"
    result = invoke(*command, "--db", f"sqlite:///{missing}")
    one_line_error(result, str(missing), "does not exist")
    assert not missing.parent.exists()  # neither the file nor its directory was created


def test_a_read_only_command_refuses_an_empty_file_that_holds_no_scans(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    one_line_error(invoke("findings", "list", "--db", f"sqlite:///{empty}"), str(empty), "no govscan data")
    assert empty.stat().st_size == 0  # no tables were created in it


def test_scan_still_creates_a_new_database_private(tmp_path: Path) -> None:
    db = a_scanned_database(tmp_path)
    assert db.stat().st_mode & 0o777 == 0o600
    assert invoke("findings", "list", "--db", f"sqlite:///{db}").exit_code == 0


def _truncated(tmp_path: Path) -> Path:
    db = a_scanned_database(tmp_path)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def _corrupt(tmp_path: Path) -> Path:
    db = tmp_path / "corrupt.db"
    db.write_bytes(b"this is not an sqlite file at all\n" * 200)
    return db


def _directory(tmp_path: Path) -> Path:
    db = tmp_path / "adir.db"
    db.mkdir()
    return db


def _dangling(tmp_path: Path) -> Path:
    db = tmp_path / "link.db"
    db.symlink_to(tmp_path / "gone" / "real.db")
    return db


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (_corrupt, "not a database"),
        (_truncated, "malformed"),
        (_directory, "is a directory"),
        (_dangling, "dangling symbolic link"),
    ],
    ids=["corrupt", "truncated", "directory", "dangling-symlink"],
)
@pytest.mark.parametrize(
    "command", [["findings", "list", "--all"], ["report", "--format", "json"], ["scan"]], ids=" ".join
)
def test_an_unusable_sqlite_file_is_one_line_not_a_traceback(tmp_path: Path, make, problem: str, command) -> None:  # type: ignore[no-untyped-def]
    db = make(tmp_path)
    if command == ["scan"]:
        config = tmp_path / "other.yaml"
        config.write_text(
            f"name: o\ntargets:\n  - name: t\n    datasets: ['{tmp_path}/nothing/*.csv']\n", encoding="utf-8"
        )
        command = ["scan", str(config), "--jobs", "1"]
    one_line_error(invoke(*command, "--db", f"sqlite:///{db}"), str(db), problem)


def test_a_database_written_by_a_newer_govscan_says_so(tmp_path: Path) -> None:
    import sqlite3

    db = a_scanned_database(tmp_path)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    one_line_error(invoke("scans", "list", "--db", f"sqlite:///{db}"), str(db), "newer than this govscan")


def test_an_unknown_dialect_is_named(tmp_path: Path) -> None:
    one_line_error(invoke("scans", "list", "--db", "nosuchdb://u:hunter2@127.0.0.1/x"), "nosuchdb", "unknown database")


def test_an_unknown_driver_is_named_and_the_password_never_printed() -> None:
    line = one_line_error(
        invoke("scans", "list", "--db", "postgresql+nosuchdriver://auditor:hunter2@127.0.0.1/govscan"),
        "postgresql+nosuchdriver://",
        "127.0.0.1/govscan",
        "unknown database dialect or driver",
    )
    assert "hunter2" not in line


def test_a_missing_driver_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "psycopg" or m.startswith("psycopg.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails as if it were not installed
    line = one_line_error(
        invoke("findings", "list", "--db", "postgresql+psycopg://auditor:hunter2@127.0.0.1/govscan"),
        "psycopg",
        "not installed",
    )
    assert "hunter2" not in line


def test_an_unreachable_postgresql_is_one_line_without_the_password() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://auditor:hunter2@127.0.0.1:{port}/govscan"
    line = one_line_error(invoke("scans", "list", "--db", url), f"127.0.0.1:{port}", "cannot connect")
    assert "hunter2" not in line


def test_a_very_long_database_path_is_clipped_in_the_error(tmp_path: Path) -> None:
    line = one_line_error(invoke("scans", "list", "--db", "sqlite:///" + "x" * 100_000 + "/g.db"), "xxx…")
    assert len(line) < 600 and "too long" in line


def test_an_existing_database_readable_by_others_is_made_private_on_open(tmp_path: Path) -> None:
    db = a_scanned_database(tmp_path)
    db.chmod(0o666)
    result = invoke("findings", "list", "--db", f"sqlite:///{db}")
    assert result.exit_code == 0
    assert db.stat().st_mode & 0o777 == 0o600
    assert "readable by others" in result.stderr and str(db) in result.stderr
