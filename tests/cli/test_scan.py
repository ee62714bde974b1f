"""Scheduled scans into a real SQLite file: lifecycle across runs, triage, diff, resume, gate, webhook."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.cli import cli

IINS = ["900101300017", "851231400120", "100715501237"]


def listed(text: str) -> list[dict]:
    """The findings of a ``findings list --format json`` document."""
    document = json.loads(text)
    assert document["kind"] == "findings"
    return document["findings"]


def changed(document: dict, change: str) -> list[dict]:
    """The findings of a ``diff --format json`` document that changed so."""
    return [f for f in document["findings"] if f["change"] == change]


@pytest.fixture
def setup(tmp_path: Path) -> dict:
    exports = tmp_path / "exports"
    exports.mkdir()
    config = tmp_path / "scan.yaml"
    config.write_text(
        f"name: nightly\ntargets:\n  - name: open data\n    datasets: ['{exports}/*.csv']\n", encoding="utf-8"
    )
    return {"exports": exports, "config": config, "db": f"sqlite:///{tmp_path / 'g.db'}"}


def write(setup: dict, name: str, iins: bool) -> None:
    rows = ["ФИО,ИИН"] + [f"Иванов Иван Иванович,{i if iins else ''}" for i in IINS]
    (setup["exports"] / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


def run(setup: dict, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--db", setup["db"]], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_three_nightly_scans_tell_the_story(setup: dict) -> None:
    write(setup, "a.csv", iins=True)
    code, out = run(setup, "scan", str(setup["config"]))
    assert code == 1 and "2 new" in out  # IIN (critical) and names: new at or above high

    code, out = run(setup, "scan", str(setup["config"]))
    assert code == 0 and "0 new, 0 reopened, 0 fixed" in out  # nothing new: cron stays quiet

    write(setup, "a.csv", iins=False)
    code, out = run(setup, "scan", str(setup["config"]))
    assert "1 fixed" in out
    _, diff = run(setup, "diff", "--format", "json")
    changes = json.loads(diff)
    assert [f["rule_id"] for f in changed(changes, "fixed")] == ["pii.kz-iin"]
    assert [f["rule_id"] for f in changed(changes, "unchanged")] == ["pii.person"]

    write(setup, "a.csv", iins=True)
    code, out = run(setup, "scan", str(setup["config"]))
    assert code == 1 and "1 reopened" in out
    _, listing = run(setup, "findings", "list", "--format", "json")
    iin = next(f for f in listed(listing) if f["rule_id"] == "pii.kz-iin")
    assert iin["reopened_count"] == 1 and iin["status"] == "open"


def test_triage_persists_and_shows_in_the_history(setup: dict) -> None:
    write(setup, "a.csv", iins=True)
    run(setup, "scan", str(setup["config"]))
    _, listing = run(setup, "findings", "list", "--format", "json")
    person = next(f for f in listed(listing) if f["rule_id"] == "pii.person")
    code, _ = run(
        setup,
        "findings",
        "triage",
        str(person["id"]),
        "--status",
        "false_positive",
        "--note",
        "names of officials",
        "--by",
        "auditor",
    )
    assert code == 0
    run(setup, "scan", str(setup["config"]))
    _, shown = run(setup, "findings", "show", str(person["id"]))
    assert "status: false_positive" in shown and "auditor: open → false_positive names of officials" in shown
    _, open_only = run(setup, "findings", "list", "--format", "json")
    assert all(f["rule_id"] != "pii.person" for f in listed(open_only))


def _interrupt_at_the_second_asset(monkeypatch: pytest.MonkeyPatch, calls: list[str]):  # type: ignore[no-untyped-def]
    """Make the scan's reader record each asset it reads and raise Ctrl-C at the second one."""
    import govscan.engine.steps as work

    real = work.run_check

    def interrupted(options, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(options.inputs[0])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(options, *args, **kwargs)

    monkeypatch.setattr(work, "run_check", interrupted)
    return real


def test_an_interrupted_scan_resumes_without_rereading_done_assets(
    setup: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    import govscan.engine.steps as work

    for name in ("a.csv", "b.csv", "c.csv"):
        write(setup, name, iins=True)
    calls: list[str] = []
    real = _interrupt_at_the_second_asset(monkeypatch, calls)
    code, _ = run(setup, "scan", str(setup["config"]), "--jobs", "1")  # in this process, where the patch is
    assert code == 130
    monkeypatch.setattr(
        work, "run_check", lambda options, *a, **k: (calls.append(options.inputs[0]), real(options, *a, **k))[1]
    )
    code, out = run(setup, "scan", str(setup["config"]), "--resume", "--jobs", "1")
    assert calls[0] not in calls[2:]  # the asset recorded before the interruption is not read again
    _, listing = run(setup, "findings", "list", "--format", "json", "--rule", "pii.kz-iin")
    assert len(listed(listing)) == 3  # one finding per file: none lost, none duplicated
    _, scans = run(setup, "scans", "list")
    assert scans.count("completed") == 1 and len(scans.strip().splitlines()) == 1


def test_each_scan_records_which_configuration_it_ran(setup: dict) -> None:
    import sqlite3

    write(setup, "a.csv", iins=True)
    run(setup, "scan", str(setup["config"]))
    setup["config"].write_text(setup["config"].read_text() + "    exclude: ['*.tmp']\n", encoding="utf-8")
    run(setup, "scan", str(setup["config"]))
    with sqlite3.connect(setup["db"].removeprefix("sqlite:///")) as connection:
        digests = [d for (d,) in connection.execute("SELECT config_digest FROM scan ORDER BY id")]
    assert len(digests) == 2 and all(digests) and digests[0] != digests[1]


def test_notify_posts_new_findings_to_a_webhook(setup: dict) -> None:
    received: list[bytes] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)  # an internal receiver: the operator named it
    threading.Thread(target=server.serve_forever, daemon=True).start()
    write(setup, "a.csv", iins=True)
    try:
        hook = f"http://127.0.0.1:{server.server_address[1]}/govscan"
        run(setup, "scan", str(setup["config"]), "--notify", hook, "--fail-on", "none")
    finally:
        server.shutdown()
        server.server_close()
    body = json.loads(received[0])
    assert body["new"] == 2 and {f["rule_id"] for f in body["findings"]} == {"pii.kz-iin", "pii.person"}
    for finding in body["findings"]:  # the one shape of a finding, as findings list --format json has it
        assert finding["title"] and finding["compliance"] and finding["status"] == "open" and finding["id"]
    assert all(iin not in received[0].decode() for iin in IINS)


def test_a_failed_notification_is_one_line_without_the_webhook_path(setup: dict) -> None:
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there
    write(setup, "a.csv", iins=True)
    result = CliRunner().invoke(
        cli, ["scan", str(setup["config"]), "--db", setup["db"], "--notify", f"http://127.0.0.1:{port}/hooks/T0KEN"]
    )
    (line,) = [x for x in result.stderr.splitlines() if "notification to" in x]  # the tmp path names it too
    assert line == (
        f"govscan: error: notification to http://127.0.0.1:{port}/… failed "
        "(connection failed (refused, reset or unreachable))"
    )


def test_a_config_error_names_the_line(setup: dict) -> None:
    setup["config"].write_text("name: x\ntargets:\n  - name: y\n    dataset: [a]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(setup["config"]), "--db", setup["db"]])
    assert result.exit_code == 2 and "scan.yaml:4" in result.stderr


def test_kill_minus_9_mid_scan_leaves_a_consistent_database_and_resume_finishes(setup: dict) -> None:
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    files = 300  # enough that the scan is still running when the first batches are committed
    for n in range(files):
        write(setup, f"f{n:03d}.csv", iins=True)
    db_path = setup["db"].removeprefix("sqlite:///")
    command = [sys.executable, "-m", "govscan", "scan", str(setup["config"]), "--db", setup["db"], "--fail-on", "none"]
    environment = {**os.environ, "GOVSCAN_WRITE_BATCH": "5"}  # commit often, so a kill lands between commits
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    deadline = time.monotonic() + 110  # start-up (imports, NER) can be slow on a loaded CI box
    reads = 0
    while time.monotonic() < deadline and child.poll() is None:
        try:
            with sqlite3.connect(db_path, timeout=1) as connection:
                reads = connection.execute("SELECT count(*) FROM assetread").fetchone()[0]
        except sqlite3.Error:
            reads = 0
        if reads >= 5:
            break
        time.sleep(0.05)
    if child.poll() is not None:
        pytest.skip("the scan finished before it could be killed")
    if reads < 5:
        child.kill()
        pytest.fail("the scan recorded nothing within the time allowed")
    workers = _children_of(child.pid)
    assert workers  # the scan parses in worker processes
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)  # parsing workers die with their coordinator

    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT status FROM scan").fetchone()[0] == "running"

    code, out = run(setup, "scan", str(setup["config"]), "--resume", "--fail-on", "none")
    assert code == 0
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT count(*), count(DISTINCT asset_id) FROM assetread").fetchone() == (
            files,
            files,
        )
        assert connection.execute("SELECT count(*) FROM finding WHERE rule_id = 'pii.kz-iin'").fetchone()[0] == files
        assert connection.execute("SELECT count(*), max(status) FROM scan").fetchone() == (1, "completed")


def _children_of(pid: int) -> list[int]:
    """Child processes, from each process's parent id in /proc (works on every Linux kernel)."""
    from pathlib import Path

    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _alive(pid: int) -> bool:
    from pathlib import Path

    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_baseline_entries_are_stored_suppressed_and_do_not_fail_the_gate(setup: dict, tmp_path: Path) -> None:
    write(setup, "a.csv", iins=True)
    baseline = tmp_path / "baseline.json"
    accepted = CliRunner().invoke(
        cli,
        [
            "check",
            str(setup["exports"]),
            "--fail-on",
            "none",
            "--write-baseline",
            str(baseline),
            "--baseline-reason",
            "t-42",
        ],
    )
    assert accepted.exit_code == 0, accepted.output
    code, out = run(setup, "scan", str(setup["config"]), "--baseline", str(baseline))
    assert code == 0 and "0 new" in out and "2 suppressed by the baseline" in out
    _, listing = run(setup, "findings", "list", "--status", "suppressed", "--format", "json")
    assert {f["rule_id"] for f in listed(listing)} == {"pii.kz-iin", "pii.person"}
    _, open_only = run(setup, "findings", "list", "--format", "json")
    assert listed(open_only) == []


def test_findings_can_be_listed_by_target_and_by_scan(setup: dict, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.csv").write_text("ИИН\n" + "\n".join(IINS) + "\n", encoding="utf-8")
    setup["config"].write_text(
        "name: nightly\ntargets:\n"
        f"  - name: open data\n    datasets: ['{setup['exports']}/*.csv']\n"
        f"  - name: archive\n    datasets: ['{other}/*.csv']\n",
        encoding="utf-8",
    )
    write(setup, "a.csv", iins=True)
    run(setup, "scan", str(setup["config"]))
    (other / "b.csv").write_text("ИИН\n\n", encoding="utf-8")
    run(setup, "scan", str(setup["config"]))

    _, archive = run(setup, "findings", "list", "--target", "archive", "--all", "--format", "json")
    assert [(f["rule_id"], f["status"], f["location"]["uri"].endswith("b.csv")) for f in listed(archive)] == [
        ("pii.kz-iin", "fixed", True)
    ]
    _, open_data = run(setup, "findings", "list", "--target", "open data", "--format", "json")
    assert {f["rule_id"] for f in listed(open_data)} == {"pii.kz-iin", "pii.person"}
    _, first = run(setup, "findings", "list", "--scan", "1", "--format", "json")
    _, second = run(setup, "findings", "list", "--scan", "2", "--format", "json")
    assert len(listed(first)) == 3 and len(listed(second)) == 2


def test_diff_between_scans_that_are_not_consecutive(setup: dict) -> None:
    write(setup, "a.csv", iins=True)
    run(setup, "scan", str(setup["config"]))  # 1: IIN and names new
    write(setup, "a.csv", iins=False)
    run(setup, "scan", str(setup["config"]))  # 2: IIN fixed
    run(setup, "scan", str(setup["config"]))  # 3: nothing changes
    write(setup, "a.csv", iins=True)
    run(setup, "scan", str(setup["config"]))  # 4: IIN reopened

    _, one_to_three = run(setup, "diff", "1", "3", "--format", "json")
    changes = json.loads(one_to_three)
    assert [f["rule_id"] for f in changed(changes, "fixed")] == ["pii.kz-iin"]
    assert [f["rule_id"] for f in changed(changes, "unchanged")] == ["pii.person"]
    _, two_to_four = run(setup, "diff", "2", "4", "--format", "json")
    changes = json.loads(two_to_four)
    assert [f["rule_id"] for f in changed(changes, "reopened")] == ["pii.kz-iin"] and changed(changes, "new") == []


def _scan(setup: dict, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["scan", str(setup["config"]), "--db", setup["db"], "--fail-on", "none", *extra])
    return result.stdout


def _statuses(setup: dict) -> dict[str, str]:
    _, listing = run(setup, "findings", "list", "--all", "--format", "json")
    return {f"{f['rule_id']}@{Path(f['location']['uri']).name}": f["status"] for f in listed(listing)}


def test_an_archive_member_that_cannot_be_read_keeps_its_findings_open(setup: dict) -> None:
    import zipfile

    good = "ИИН\n" + "\n".join(IINS) + "\n"
    with zipfile.ZipFile(setup["exports"] / "bundle.zip", "w") as bundle:
        bundle.writestr("people.csv", good)
        bundle.writestr("more.json", json.dumps([{"iin": i} for i in IINS]))
    setup["config"].write_text(setup["config"].read_text().replace("*.csv", "*.zip"), encoding="utf-8")
    _scan(setup)
    with zipfile.ZipFile(setup["exports"] / "bundle.zip", "w") as bundle:
        bundle.writestr("people.csv", good)
        bundle.writestr("more.json", '[{"iin": "9001')  # damaged this time
    out = _scan(setup)
    assert "0 fixed" in out
    assert set(_statuses(setup).values()) == {"open"}


def test_an_exclude_pattern_matching_a_parent_folder_does_not_turn_into_a_silent_clean_read(
    setup: dict, tmp_path: Path
) -> None:
    folder = tmp_path / "backup-2024"
    folder.mkdir()
    (folder / "a.csv").write_text("ИИН\n" + "\n".join(IINS) + "\n", encoding="utf-8")
    setup["config"].write_text(
        f"name: nightly\ntargets:\n  - name: t\n    datasets: ['{folder}']\n    exclude: ['backup-*']\n",
        encoding="utf-8",
    )
    assert "1 new" in _scan(setup)
    (folder / "a.csv").write_text("ИИН\n\n", encoding="utf-8")
    assert "1 fixed" in _scan(setup)  # the file was really read again: the fix is real


def test_a_fixed_finding_that_comes_back_after_being_baselined_is_suppressed_not_reopened(
    setup: dict, tmp_path: Path
) -> None:
    write(setup, "a.csv", iins=True)
    _scan(setup)  # open
    write(setup, "a.csv", iins=False)
    _scan(setup)  # fixed
    assert _statuses(setup)["pii.kz-iin@a.csv"] == "fixed"
    write(setup, "a.csv", iins=True)
    baseline = tmp_path / "baseline.json"  # meanwhile the team accepts the file as it is
    CliRunner().invoke(cli, ["check", str(setup["exports"]), "--fail-on", "none", "--write-baseline", str(baseline)])
    result = CliRunner().invoke(cli, ["scan", str(setup["config"]), "--db", setup["db"], "--baseline", str(baseline)])
    assert result.exit_code == 0 and "0 reopened" in result.stdout and "1 suppressed" in result.stdout
    assert _statuses(setup)["pii.kz-iin@a.csv"] == "suppressed"


def test_a_suppressed_finding_the_baseline_no_longer_lists_is_open_again(setup: dict, tmp_path: Path) -> None:
    write(setup, "a.csv", iins=True)
    accepted = tmp_path / "accepted.json"
    CliRunner().invoke(cli, ["check", str(setup["exports"]), "--fail-on", "none", "--write-baseline", str(accepted)])
    _scan(setup, "--baseline", str(accepted))
    assert _statuses(setup)["pii.kz-iin@a.csv"] == "suppressed"
    empty = tmp_path / "empty.json"
    CliRunner().invoke(
        cli, ["check", str(tmp_path / "nothing-here"), "--fail-on", "none", "--write-baseline", str(empty)]
    )
    _scan(setup, "--baseline", str(empty))
    assert _statuses(setup)["pii.kz-iin@a.csv"] == "open"
    _scan(setup)  # without --baseline nothing is re-judged
    assert _statuses(setup)["pii.kz-iin@a.csv"] == "open"


def test_resume_matches_assets_however_the_config_spells_their_paths(
    setup: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import govscan.engine.steps as work

    monkeypatch.chdir(tmp_path)
    for name in ("a.csv", "b.csv"):
        write(setup, name, iins=True)
    setup["config"].write_text("name: nightly\ntargets:\n  - name: d\n    datasets: ['exports/*.csv']\n")
    calls: list[str] = []
    real = _interrupt_at_the_second_asset(monkeypatch, calls)
    run(setup, "scan", str(setup["config"]), "--jobs", "1")
    setup["config"].write_text(
        "name: nightly\ntargets:\n  - name: d\n    datasets: ['./exports/a.csv', './exports/b.csv']\n"
    )
    monkeypatch.setattr(work, "run_check", lambda o, *a, **k: (calls.append(o.inputs[0]), real(o, *a, **k))[1])
    run(setup, "scan", str(setup["config"]), "--resume", "--jobs", "1")
    assert calls == ["exports/a.csv", "exports/b.csv", "./exports/b.csv"]  # a.csv, recorded before, is not re-read


def test_diff_with_one_scan_compares_it_with_its_predecessor_of_the_same_config(setup: dict, tmp_path: Path) -> None:
    write(setup, "a.csv", iins=True)
    run(setup, "scan", str(setup["config"]))  # 1 nightly: new
    weekly = tmp_path / "weekly.yaml"
    weekly.write_text(setup["config"].read_text().replace("name: nightly", "name: weekly"), encoding="utf-8")
    run(setup, "scan", str(weekly))  # 2 weekly
    write(setup, "a.csv", iins=False)
    run(setup, "scan", str(setup["config"]))  # 3 nightly: IIN fixed

    _, latest = run(setup, "diff", "--format", "json")
    changes = json.loads(latest)
    assert (changes["from_scan"], changes["to_scan"]) == (1, 3)  # not the weekly scan in between
    assert [f["rule_id"] for f in changed(changes, "fixed")] == ["pii.kz-iin"]
    _, first = run(setup, "diff", "1", "--format", "json")
    assert json.loads(first)["from_scan"] is None and len(changed(json.loads(first), "new")) == 2


def test_two_targets_naming_one_file_each_keep_and_fix_their_own_findings(setup: dict) -> None:
    write(setup, "a.csv", iins=True)
    both = (
        f"name: nightly\ntargets:\n  - name: exports\n    datasets: ['{setup['exports']}/*.csv']\n"
        f"  - name: archive\n    datasets: ['{setup['exports']}/a.csv']\n"
    )
    setup["config"].write_text(both, encoding="utf-8")
    assert "4 new" in _scan(setup)
    _, archive = run(setup, "findings", "list", "--target", "archive", "--format", "json")
    assert {f["rule_id"] for f in listed(archive)} == {"pii.kz-iin", "pii.person"}

    only_archive = f"name: nightly\ntargets:\n  - name: archive\n    datasets: ['{setup['exports']}/a.csv']\n"
    setup["config"].write_text(only_archive, encoding="utf-8")
    write(setup, "a.csv", iins=False)
    assert "1 fixed" in _scan(setup)  # the archive target's own IIN finding, though "exports" saw it first
    _, archive = run(setup, "findings", "list", "--target", "archive", "--all", "--format", "json")
    assert {f["rule_id"]: f["status"] for f in listed(archive)} == {"pii.kz-iin": "fixed", "pii.person": "open"}


def test_an_identifier_in_a_file_name_never_reaches_the_database(setup: dict) -> None:
    write(setup, f"spravka_{IINS[0]}.csv", iins=True)
    assert "2 new" in _scan(setup)
    _, listing = run(setup, "findings", "list", "--format", "json")
    assert {Path(f["location"]["uri"]).name for f in listed(listing)} == {"spravka_9001******17.csv"}
    raw = b"".join(p.read_bytes() for p in Path(setup["db"].removeprefix("sqlite:///")).parent.glob("g.db*"))
    assert IINS[0].encode() not in raw
    assert "0 new, 0 reopened, 0 fixed" in _scan(setup)  # the masked name matches the same asset next time


def test_findings_list_csv_neutralises_formula_cells_as_the_report_does(setup: dict) -> None:
    import csv
    import io

    (setup["exports"] / "phones.csv").write_text(
        "Телефон,Имя\n+7 701 123 45 67,a\n+7 702 555 11 22,b\n", encoding="utf-8"
    )
    _scan(setup)
    _, listing = run(setup, "findings", "list", "--format", "csv", "--rule", "pii.phone")
    header, *rows = list(csv.reader(io.StringIO(listing)))
    evidence = [dict(zip(header, r, strict=True))["evidence"] for r in rows]
    assert evidence and all(e.startswith("'+7") for e in evidence)  # a spreadsheet shows text, runs no formula
