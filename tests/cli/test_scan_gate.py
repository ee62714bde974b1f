"""``scan`` says which findings failed the gate: on exit 1, the new or reopened open findings at or
above --fail-on on stderr, the most severe first, masked, at most 20 and then a count."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from govscan.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "social_aid_2024.csv"
RAW_IIN = "160402513597"


def scan(tmp_path: Path, copies: int, *args: str):
    folder = tmp_path / "exports"
    folder.mkdir(exist_ok=True)
    for i in range(copies):  # an identifier in the file name: the listing must mask it
        shutil.copy(EXAMPLE, folder / f"spravka_{RAW_IIN}_{i}.csv")
    config = tmp_path / "scan.yaml"
    config.write_text(f"name: nightly\ntargets:\n  - name: exports\n    datasets: ['{folder}']\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'g.db'}"
    return CliRunner().invoke(cli, ["scan", str(config), "--db", db, "--jobs", "1", "--no-progress", *args])


def gate_section(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("govscan: gate: "))
    return lines[start:]


def test_the_findings_that_failed_the_gate_are_listed_masked_most_severe_first(tmp_path: Path) -> None:
    result = scan(tmp_path, 1, "--fail-on", "high")
    assert result.exit_code == 1, result.stderr
    heading, *rows = gate_section(result.stderr)
    count = int(
        re.match(r"govscan: gate: (\d+) new or reopened findings at or above high \(--fail-on high\):", heading)[1]
    )
    assert count == len(rows) >= 2
    assert rows[0].startswith("  CRITICAL  pii.kz-iin ")
    assert all(re.match(r"  (CRITICAL|HIGH) ", row) for row in rows)
    assert all("spravka_1604******97_0.csv  " in row and re.search(r"  #\d+$", row) for row in rows)
    assert RAW_IIN not in result.stderr


def test_past_twenty_the_rest_are_counted(tmp_path: Path) -> None:
    result = scan(tmp_path, 7, "--fail-on", "high")
    assert result.exit_code == 1, result.stderr
    heading, *rows = gate_section(result.stderr)
    total = int(re.match(r"govscan: gate: (\d+) ", heading)[1])
    assert total > 20
    assert len(rows) == 21 and rows[-1] == f"  and {total - 20} more (govscan findings list --scan 1)"


def test_a_passing_gate_lists_nothing_and_the_next_scan_nothing_new(tmp_path: Path) -> None:
    first = scan(tmp_path, 1, "--fail-on", "critical")
    assert first.exit_code == 1
    assert all(row.startswith("  CRITICAL ") for row in gate_section(first.stderr)[1:])
    second = scan(tmp_path, 1, "--fail-on", "critical")  # the same findings: none new
    assert second.exit_code == 0, second.stderr
    assert "govscan: gate:" not in second.stderr
