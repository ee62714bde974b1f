"""``govscan report`` end to end: every format from a database built by real scans."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.report.shape import ReportDoc
from govscan.rules import load_rules
from govscan.testing.beside import load_beside

from ..conftest import SARIF_SCHEMA

rdb = load_beside(__file__, "report_db.py")
report_db = rdb.report_db


def report(db, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    out = tmp_path / "report.out"
    result = CliRunner().invoke(cli, ["report", "--db", db.url, "-o", str(out), *args])
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    return result.exit_code, text, result.stderr


@pytest.mark.parametrize("fmt", ["html", "md", "text", "json", "csv", "sarif"])
@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_every_format_and_language_without_raw_values(report_db, tmp_path: Path, fmt: str, lang: str) -> None:
    code, text, err = report(report_db, tmp_path, "--format", fmt, "--lang", lang)
    assert code == 0, err
    assert text and "scan 3" in err
    for value in report_db.raw_values():
        assert value not in text, (fmt, value)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_rule_text_follows_lang_but_machine_formats_stay_english(report_db, tmp_path: Path, lang: str) -> None:
    rule = load_rules()["pii.kz-iin"]
    _, html, _ = report(report_db, tmp_path, "--format", "html", "--lang", lang)
    assert rule.title_in(lang) in html and rule.title not in html
    _, text, _ = report(report_db, tmp_path, "--format", "json", "--lang", lang)
    titles = {f["title"] for f in json.loads(text)["findings"] if f["rule_id"] == rule.id}
    assert titles == {rule.title}  # the JSON contract is English whatever --lang says
    _, text, _ = report(report_db, tmp_path, "--format", "sarif", "--lang", lang)
    assert rule.title in text and rule.title_in(lang) not in text and rule.remediation_in(lang) not in text
    _, text, _ = report(report_db, tmp_path, "--format", "csv", "--lang", lang)
    assert rule.title in text and rule.title_in(lang) not in text


def test_json_has_check_shape(report_db, tmp_path: Path) -> None:
    _, text, _ = report(report_db, tmp_path, "--format", "json")
    data = json.loads(text)
    ReportDoc.model_validate(data)  # the exact model ``govscan check --format json`` is built through
    assert data["summary"]["by_severity"]["critical"] == 2 and data["summary"]["suppressed"] == 1
    person = next(f for f in data["findings"] if f["rule_id"] == "pii.person")
    assert person["suppressed"]["reason"].startswith("false_positive: ")
    assert {e["host"]: e["grade"] for e in data["endpoints"]} == {"portal.example.kz": "B"}
    assert any(f["location"]["column"] == rdb.HOSTILE_COLUMN for f in data["findings"])


def test_sarif_is_valid(report_db, tmp_path: Path) -> None:
    _, text, _ = report(report_db, tmp_path, "--format", "sarif")
    log = json.loads(text)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    results = log["runs"][0]["results"]
    assert len(results) == 4 and sum(1 for r in results if r.get("suppressions")) == 1


def test_csv_rows(report_db, tmp_path: Path) -> None:
    _, text, _ = report(report_db, tmp_path, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4 and {r["status"] for r in rows} == {"open", "false_positive"}  # the stored status
    assert all(r["id"].isdigit() for r in rows)  # and the stored finding's id, as `findings show` takes it


def test_json_findings_carry_their_stored_fields_and_match_the_committed_schema(report_db, tmp_path: Path) -> None:
    from govscan.schemas import HERE

    _, text, _ = report(report_db, tmp_path, "--format", "json")
    data = json.loads(text)
    jsonschema.validate(data, json.loads((HERE / "report.schema.json").read_text(encoding="utf-8")))
    assert data["kind"] == "report" and isinstance(data["scan"]["id"], int)
    person = next(f for f in data["findings"] if f["rule_id"] == "pii.person")
    assert person["status"] == "false_positive" and person["first_seen_scan_id"] == 1
    assert person["triage"][-1]["to_status"] == "false_positive" and person["triage"][-1]["note"] == rdb.HOSTILE_NOTE
    iin = next(f for f in data["findings"] if f["rule_id"] == "pii.kz-iin" and f["reopened_count"])
    assert iin["status"] == "open" and isinstance(iin["id"], int)


def test_html_for_a_terminal_goes_to_a_file_named_after_the_scan(report_db, tmp_path: Path) -> None:
    """Run in a pseudo-terminal, as a user types it: the markup goes to a file, the terminal gets its name."""
    import os
    import pty
    import subprocess
    import sys

    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "govscan", "report", "--db", report_db.url, "--format", "md", "--lang", "en"],
            cwd=tmp_path,  # the default file is written here
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
            stdin=subprocess.DEVNULL,
            stdout=secondary,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    (written,) = tmp_path.glob("govscan-report-scan-*.en.md")
    assert done.returncode == 0 and shown == b""
    assert f"report: {written.name}" in done.stderr.decode() and written.read_text(encoding="utf-8").startswith("#")
    piped = CliRunner().invoke(cli, ["report", "--db", report_db.url, "--format", "md", "--lang", "en"])
    assert piped.stdout.startswith("#")  # not a terminal: standard output, as before


def test_filters_and_stdout(report_db) -> None:
    result = CliRunner().invoke(
        cli, ["report", "--db", report_db.url, "--format", "json", "--target", rdb.SECOND_TARGET, "--scan", "1"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [f["rule_id"] for f in data["findings"]] == ["pii.kz-iin"] and data["scan"]["inputs"] == [rdb.SECOND_TARGET]


def test_framework_filter(report_db, tmp_path: Path) -> None:
    from govscan.compliance import load_frameworks

    frameworks = load_frameworks()
    keep, drop = frameworks[0], frameworks[1]
    code, text, _ = report(report_db, tmp_path, "--format", "md", "--lang", "en", "--framework", keep.id)
    assert code == 0 and f"### {keep.title.en}" in text and f"### {drop.title.en}" not in text


@pytest.mark.parametrize("args,message", [
    (("--scan", "99"), "no scan with id 99"),
    (("--target", "nope"), "has no target 'nope'"),
    (("--framework", "nope"), "no compliance framework 'nope'"),
])  # fmt: skip
def test_errors_are_one_line(report_db, args: tuple[str, ...], message: str) -> None:
    result = CliRunner().invoke(cli, ["report", "--db", report_db.url, *args])
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_empty_database(tmp_path: Path) -> None:
    from govscan.store.engine import open_engine

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_engine(url).dispose()  # a database with its tables and no scan yet (a missing one is refused)
    result = CliRunner().invoke(cli, ["report", "--db", url])
    assert result.exit_code == 1 and "no completed scan" in result.stderr
