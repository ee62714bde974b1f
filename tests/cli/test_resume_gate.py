"""A scan killed with SIGKILL and finished with ``--resume`` is judged whole: gate, summary, webhook.

The README's systemd unit runs ``scan --resume --fail-on high --notify URL``. If the process dies
after writing a critical finding, the resumed run must still fail the gate and report the
finding as new — the leak was found by this scan, whichever process of it wrote the row.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.cli import cli

IINS = ["900101300017", "851231400120", "100715501237"]
CLEAN_FILES = 300  # enough that the scan is still running when the first batches are committed


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A webhook receiver on 127.0.0.1 that keeps every JSON body posted to it."""
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/govscan", received
    finally:
        server.shutdown()
        server.server_close()


def _exports(tmp_path: Path) -> Path:
    """One leaking file first (the scan reads in sorted order), then hundreds of clean ones."""
    exports = tmp_path / "exports"
    exports.mkdir()
    rows = ["ФИО,ИИН"] + [f"Иванов Иван Иванович,{iin}" for iin in IINS]
    (exports / "a000_leak.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for n in range(CLEAN_FILES):
        (exports / f"b{n:03d}.csv").write_text("Город,Население\nАлматы,2000000\nАстана,1300000\n", encoding="utf-8")
    return exports


def _kill_after_the_critical_finding_is_written(command: list[str], db: Path) -> None:
    environment = {**os.environ, "GOVSCAN_WRITE_BATCH": "5"}  # commit often, so a kill lands between commits
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    deadline = time.monotonic() + 110  # start-up (imports, NER) can be slow on a loaded CI box
    critical = 0
    while time.monotonic() < deadline and child.poll() is None:
        try:
            with sqlite3.connect(db, timeout=1) as connection:
                critical = connection.execute("SELECT count(*) FROM finding WHERE severity = 'critical'").fetchone()[0]
        except sqlite3.Error:
            critical = 0
        if critical:
            break
        time.sleep(0.05)
    if child.poll() is not None:
        pytest.skip("the scan finished before it could be killed")
    if not critical:
        child.kill()
        pytest.fail("the scan recorded no critical finding within the time allowed")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT status FROM scan").fetchall() == [("running",)]
        done = connection.execute("SELECT count(*) FROM assetread").fetchone()[0]
    assert done < CLEAN_FILES + 1  # killed mid-scan: the resumed run has clean files left to read


def test_a_resumed_scan_fails_the_gate_and_notifies_on_what_it_found_before_the_kill(
    tmp_path: Path, webhook: tuple[str, list[dict]]
) -> None:
    url, received = webhook
    exports = _exports(tmp_path)
    config = tmp_path / "nightly.yaml"
    config.write_text(f"name: nightly\ntargets:\n  - name: open data\n    datasets: ['{exports}/*.csv']\n")
    db = tmp_path / "g.db"
    scan = [sys.executable, "-m", "govscan", "scan", str(config), "--db", f"sqlite:///{db}", "--fail-on", "none"]
    _kill_after_the_critical_finding_is_written(scan, db)

    resumed = CliRunner().invoke(
        cli,
        ["scan", str(config), "--db", f"sqlite:///{db}", "--resume", "--fail-on", "high", "--notify", url],
        catch_exceptions=False,
    )

    assert resumed.exit_code == 1  # the critical IIN finding is new in this scan: the gate fails
    assert "scan 1: 2 new, 0 reopened, 0 fixed" in resumed.stdout  # the IIN and the name, found before the kill
    assert len(received) == 1
    body = received[0]
    assert body["scan_id"] == 1 and body["new"] == 2
    assert {f["rule_id"] for f in body["findings"]} == {"pii.kz-iin", "pii.person"}
    assert all(iin not in json.dumps(body) for iin in IINS)
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*), max(status) FROM scan").fetchone() == (1, "completed")
        assert connection.execute("SELECT count(DISTINCT asset_id) FROM assetread").fetchone()[0] == CLEAN_FILES + 1


class _HeldDataset(BaseHTTPRequestHandler):
    """A dataset URL that answers only once the test lets it: the first scan stays running meanwhile."""

    release = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        self.release.wait(60)
        body = "ФИО,телефон\nИванов Иван,+77011234567\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_second_scan_of_a_config_while_one_runs_is_one_line_and_exit_2(tmp_path: Path) -> None:
    exports = _exports(tmp_path)
    held = ThreadingHTTPServer(("127.0.0.1", 0), _HeldDataset)
    held.daemon_threads = True
    _HeldDataset.release.clear()
    threading.Thread(target=held.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{held.server_address[1]}/held.csv"
    config = tmp_path / "nightly.yaml"
    config.write_text(f"name: nightly\ntargets:\n  - name: open data\n    datasets: ['{exports}/*.csv', '{url}']\n")
    db = tmp_path / "g.db"
    command = [sys.executable, "-m", "govscan", "scan", str(config), "--db", f"sqlite:///{db}", "--fail-on", "none"]
    environment = {**os.environ, "GOVSCAN_WRITE_BATCH": "5"}
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    try:
        deadline = time.monotonic() + 110
        while time.monotonic() < deadline and child.poll() is None:
            try:
                with sqlite3.connect(db, timeout=1) as connection:
                    if connection.execute("SELECT count(*) FROM assetread").fetchone()[0]:
                        break
            except sqlite3.Error:
                pass
            time.sleep(0.05)
        assert child.poll() is None, "the first scan ended while its held dataset was still unanswered"

        second = CliRunner().invoke(cli, ["scan", str(config), "--db", f"sqlite:///{db}"], catch_exceptions=False)

        assert second.exit_code == 2
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(
            "govscan: error: scan 1 of this config ('nightly') is running since"
        )
    finally:
        child.kill()
        child.wait()
        _HeldDataset.release.set()  # from now on the dataset answers at once
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT id, status FROM scan").fetchall() == [(1, "running")]  # nothing of its own

    # The first process is gone (SIGKILL): nothing to clear by hand, the next scan runs.
    after = CliRunner().invoke(cli, ["scan", str(config), "--db", f"sqlite:///{db}", "--fail-on", "none"])
    assert after.exit_code == 0, after.stderr
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT id, status FROM scan").fetchall() == [(1, "interrupted"), (2, "completed")]
    held.shutdown()
    held.server_close()
