"""Long commands show progress on stderr: plain lines every GOVSCAN_PROGRESS_INTERVAL seconds in a CI
log (not a terminal), counting pages, requests, files, endpoints and findings so far."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.demo.portal import DemoPortal

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROGRESS = re.compile(r"^govscan: progress [0-9.]+ (?:s|min [0-9]+ s): (?:\[(\d+)/(\d+)\] )?(.*?)(?:; last .*)?$")


@pytest.fixture(autouse=True)
def short_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSCAN_PROGRESS_INTERVAL", "0.2")


def progress_lines(stderr: str) -> list[re.Match[str]]:
    return [m for m in map(PROGRESS.match, stderr.splitlines()) if m]


def test_a_crawl_reports_pages_and_requests_while_the_portal_is_audited() -> None:
    with DemoPortal() as portal:
        result = CliRunner().invoke(
            cli, ["crawl", portal.http_url, "--rate", "0", "--no-ner", "--no-tls", "--format", "json"]
        )
    assert result.exit_code == 1, result.stderr
    lines = progress_lines(result.stderr)
    # heard from inside the audit, before its one unit was done: the portal's own heartbeat
    during = [m for m in lines if m.group(1) == "0" and "pages" in m.group(3)]
    assert during, result.stderr
    assert re.search(r"\d+ pages?, \d+ requests", during[-1].group(3))
    done = [line for line in result.stderr.splitlines() if line.startswith("govscan: done in ")]
    assert len(done) == 1 and re.search(r"\[1/1\] 1[0-9] pages, \d+ requests, \d+ files?, \d+ findings", done[0])
    assert not any(iin in result.stderr for iin in portal.data.iins)


def test_verbose_crawl_names_each_page_and_data_file() -> None:
    with DemoPortal() as portal:
        result = CliRunner().invoke(
            cli, ["-v", "crawl", portal.http_url, "--rate", "0", "--no-ner", "--no-tls", "--no-probes"]
        )
    pages = [line for line in result.stderr.splitlines() if line.startswith(f"govscan: page {portal.http_url}")]
    files = [line for line in result.stderr.splitlines() if line.startswith(f"govscan: file {portal.http_url}")]
    assert len(pages) >= 10 and files, result.stderr
    assert not any(iin in result.stderr for iin in portal.data.iins)


def test_quiet_crawl_prints_no_progress_and_no_notes() -> None:
    with DemoPortal() as portal:
        result = CliRunner().invoke(
            cli,
            ["-q", "crawl", portal.http_url, "--rate", "0", "--no-ner", "--no-tls", "--no-probes", "--format", "json"],
        )
    assert result.exit_code in (0, 1), result.stderr
    assert "govscan: progress" not in result.stderr and "govscan: done" not in result.stderr
    assert "requests (robots.txt" not in result.stderr  # the crawl's summary note
    assert result.stdout.startswith("{")


def test_a_scan_counts_files_and_findings_as_results_arrive(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("social_aid_2024.csv", "procurement_contracts.csv", "staff_list.xlsx"):
        shutil.copy(EXAMPLES / name, folder / name)
    config = tmp_path / "scan.yaml"
    config.write_text(f"name: nightly\ntargets:\n  - name: exports\n    datasets: ['{folder}']\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["scan", str(config), "--db", f"sqlite:///{tmp_path / 'g.db'}", "--jobs", "1", "--fail-on", "none"]
    )
    assert result.exit_code == 0, result.stderr
    assert progress_lines(result.stderr)
    [done] = [line for line in result.stderr.splitlines() if line.startswith("govscan: done in ")]
    assert re.search(r"\[3/3\] 3 files, [1-9]\d* findings", done), done
    quiet = CliRunner().invoke(
        cli, ["scan", str(config), "--db", f"sqlite:///{tmp_path / 'g.db'}", "--jobs", "1", "--no-progress"]
    )
    assert "govscan: progress" not in quiet.stderr and "govscan: done" not in quiet.stderr


def test_tls_takes_jobs_and_still_understands_the_old_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--jobs`` is the one name for processes (scan, tls); ``--workers`` still works, with a warning."""
    import govscan.engine.plan as plan
    from govscan.tls.targets import TargetError

    seen: list[int | None] = []

    def stop(targets: list[str], options: object) -> None:  # before any network: the options matter here
        seen.append(options.workers)  # type: ignore[attr-defined]
        raise TargetError("planned")

    monkeypatch.setattr(plan, "tls_plan", stop)
    jobs = CliRunner().invoke(cli, ["tls", "--jobs", "3", "127.0.0.1:9"])
    old = CliRunner().invoke(cli, ["tls", "--workers", "2", "127.0.0.1:9"])
    assert seen == [3, 2]
    assert "deprecated; use --jobs" in old.stderr and "deprecated" not in jobs.stderr
    helptext = CliRunner().invoke(cli, ["tls", "--help"]).stdout
    assert "--jobs" in helptext and "--workers" not in helptext
    assert "Requests in flight" in CliRunner().invoke(cli, ["crawl", "--help"]).stdout


def test_tls_counts_endpoints_and_names_each_with_verbose() -> None:
    from govscan.testing.tls_lab import LabServer, issue_leaf

    with LabServer(issue_leaf(self_signed=True)) as server:
        target = f"localhost:{server.port}"
        result = CliRunner().invoke(cli, ["-v", "tls", target, "--fast", "--jobs", "1", "--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    assert f"govscan: endpoint tls://{target} (" in result.stderr
    [done] = [line for line in result.stderr.splitlines() if line.startswith("govscan: done in ")]
    assert re.search(r"\[1/1\] 1 endpoint, \d+ findings?", done), done
