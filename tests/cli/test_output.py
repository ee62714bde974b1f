"""Every line govscan prints passes one sanitiser: terminal controls from file names are shown, not
obeyed, and inputs echoed in error lines are clipped — on a terminal and when piped."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from govscan.cli import cli
from govscan.progress import Progress

# An OSC title change, a screen clear, a C1 CSI, a bidi override and a carriage return.
HOSTILE = "list\x1b]0;owned\x07\x1b[2J\u202egpj\x9b31m\rX"
RAW_CONTROLS = ("\x1b", "\x07", "\u202e", "\x9b", "\r")


def raw_controls(text: str) -> list[str]:
    return [c for c in RAW_CONTROLS if c in text.replace("\r\n", "\n")]


def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / f"{HOSTILE}.csv").write_text("ФИО,ИИН\nИванов Иван,520120310335\n", encoding="utf-8")
    (folder / f"{HOSTILE}.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    return folder


def test_escape_sequences_in_file_names_reach_no_output_of_check(tmp_path: Path) -> None:
    folder = exports(tmp_path)
    for fmt in ("text", "csv"):
        result = CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", "--format", fmt, str(folder)])
        assert result.exit_code == 2  # the broken workbook
        assert "\\u001b]0;owned\\u0007" in result.stderr, "the name is shown, escaped"
        assert not raw_controls(result.stdout) and not raw_controls(result.stderr), fmt


def test_escape_sequences_reach_no_line_of_findings_list_or_diff(tmp_path: Path) -> None:
    folder = exports(tmp_path)
    db = f"sqlite:///{tmp_path / 'g.db'}"
    config = tmp_path / "scan.yaml"
    config.write_text(f"name: n\ntargets:\n  - name: files\n    datasets: ['{folder}']\n", encoding="utf-8")
    outputs = [CliRunner().invoke(cli, ["scan", str(config), "--db", db, "--fail-on", "none"])]
    outputs.append(CliRunner().invoke(cli, ["findings", "list", "--db", db]))
    outputs.append(CliRunner().invoke(cli, ["diff", "--db", db]))
    assert "\\u001b]0;owned" in outputs[1].stdout and "\\u001b]0;owned" in outputs[2].stdout
    for result in outputs:
        assert not raw_controls(result.stdout) and not raw_controls(result.stderr), result.output


def test_json_output_stays_valid_and_keeps_the_name(tmp_path: Path) -> None:
    """On stdout a bidi control becomes a JSON escape of itself: the document means the same."""
    folder = exports(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", "--format", "json", str(folder)])
    assert not raw_controls(result.stdout)
    uris = {f["location"]["uri"] for f in json.loads(result.stdout)["findings"]}
    assert any("\u202egpj" in uri for uri in uris)


def test_a_piped_run_of_the_real_command_prints_no_control(tmp_path: Path) -> None:
    folder = exports(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "govscan", "check", "--no-ner", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2 and "govscan: error:" in run.stderr
    assert not raw_controls(run.stdout) and not raw_controls(run.stderr)


def test_report_files_written_with_o_carry_no_control_either(tmp_path: Path) -> None:
    """A text report is read later with cat or less: the file is neutralised like stdout."""
    folder = exports(tmp_path)
    for fmt in ("text", "csv", "sarif"):
        out = tmp_path / f"report.{fmt}"
        CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", "--format", fmt, "-o", str(out), str(folder)])
        assert "gpj" in out.read_text(encoding="utf-8") and not raw_controls(out.read_text(encoding="utf-8")), fmt
    db = f"sqlite:///{tmp_path / 'g.db'}"
    config = tmp_path / "scan.yaml"
    config.write_text(f"name: n\ntargets:\n  - name: files\n    datasets: ['{folder}']\n", encoding="utf-8")
    CliRunner().invoke(cli, ["scan", str(config), "--db", db, "--fail-on", "none"])
    for fmt in ("md", "html"):
        out = tmp_path / f"report.{fmt}"
        CliRunner().invoke(cli, ["report", "--db", db, "--format", fmt, "-o", str(out)])
        assert "gpj" in out.read_text(encoding="utf-8") and not raw_controls(out.read_text(encoding="utf-8")), fmt


def test_the_guarded_streams_judge_whole_lines_and_keep_crlf_line_ends() -> None:
    from govscan.cli.output import CHUNK, GuardedStream, stderr_line
    from govscan.redact import neutralise

    err = io.StringIO()
    guarded = GuardedStream(err, stderr_line, by_line=True)
    for piece in ("govscan: error: spravka_1604", "02513597.csv", ": bad\x1b[2J zip\n"):
        guarded.write(piece)  # an identifier split across writes is still seen whole
    assert err.getvalue() == "govscan: error: spravka_1604******97.csv: bad\\u001b[2J zip\n"

    out = io.StringIO()
    guarded = GuardedStream(out, neutralise, by_line=False)
    guarded.write("a" * (CHUNK - 1) + "\r")  # a CSV line end split at the chunk boundary
    guarded.write("\nb\rc\x9b")
    guarded.flush()
    assert out.getvalue() == "a" * (CHUNK - 1) + "\r\nb\\u000dc\\u009b"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_live_progress_line_draws_only_its_own_controls() -> None:
    stream = Terminal()
    progress = Progress(stream)
    progress.asset_started(f"exports/{HOSTILE}_160402513597.csv")
    progress.close()
    text = stream.getvalue()
    drawn = re.sub(r"\x1b\[(\?25[lh]|2K|1A|[0-9;]*m)", "", text)  # the bar's own: cursor, line, colour
    assert "\x1b[2K" in text and "\x1b" not in drawn
    assert "\u202e" not in text and "\x07" not in text and "160402513597" not in text


def test_ci_progress_lines_are_sanitised_too() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    progress.asset_started(f"{HOSTILE}.csv")
    progress.asset_finished(f"{HOSTILE}.csv", 1)
    assert not raw_controls(stream.getvalue())


# --- inputs echoed in error lines are clipped (issue 10, item 15) ---------------------------------


def test_a_five_megabyte_path_is_echoed_clipped(tmp_path: Path) -> None:
    huge = str(tmp_path / ("d" * 5_000_000))
    result = CliRunner().invoke(cli, ["check", "--no-progress", huge])
    assert result.exit_code == 2
    assert len(result.stderr) < 2_000 and "…" in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("govscan: error: ")


def test_click_errors_quoting_an_argument_are_clipped_too(tmp_path: Path) -> None:
    huge = "d" * 5_000_000
    for args, problem in (
        (["crawl", "--ca-file", huge, "https://portal.kz/"], "does not exist"),
        (["crawl", huge], "not an http(s) URL"),
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2
        assert len(result.stderr) < 3_000 and problem in result.stderr, args


# --- a line break in a name does not forge a line -------------------------------------------------


def test_a_line_break_in_a_file_name_cannot_forge_a_line_on_stderr(tmp_path: Path) -> None:
    """``bad\\ngovscan: 0 findings, all clear.xlsx`` must print as one error line naming it, escaped."""
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "bad\ngovscan: 0 findings, all clear.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = CliRunner().invoke(cli, ["check", "--progress", "--no-ner", str(folder)])
    assert result.exit_code == 2
    assert not [line for line in result.stderr.splitlines() if line.startswith("govscan: 0 findings")]
    assert "bad\\u000agovscan: 0 findings, all clear.xlsx: not a valid XLSX" in result.stderr


def test_a_line_break_in_a_file_name_cannot_forge_a_line_in_a_scans_errors(tmp_path: Path) -> None:
    """The scheduled scan's error lines are one line each, like the gate's."""
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "bad\ngovscan: 0 findings, all clear.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    config = tmp_path / "scan.yaml"
    config.write_text(f"name: nightly\ntargets:\n  - name: exports\n    datasets: ['{folder}']\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'govscan.db'}"
    result = CliRunner().invoke(cli, ["scan", str(config), "--db", db])
    assert result.exit_code == 2, result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith("govscan: 0 findings")]
    assert "bad\\u000agovscan: 0 findings, all clear.xlsx" in result.stderr


def test_an_output_folder_the_system_cannot_even_look_up_is_one_masked_line(tmp_path: Path) -> None:
    # A path component longer than the system allows: Path.is_dir() raises, it does not say False
    target = tmp_path / ("a" * 300 + "450420320289") / "x.json"
    result = CliRunner().invoke(cli, ["check", "--format", "json", "-o", str(target), str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "4504******89" in result.stderr and "450420320289" not in result.stderr


CRASH = """
import sys
from govscan.cli import cli, main
def boom(**kwargs):
    raise RuntimeError("cannot read /data/spravka_450420320289.csv")
cli.commands["rules"].commands["list"].callback = boom
sys.argv = ["govscan", "rules", "list"]
main()
"""


def test_a_crash_prints_its_traceback_masked_like_every_other_line() -> None:
    # A bug is still a bug (a traceback, exit 1), but its message quotes what the process read
    done = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "Traceback" in done.stderr and "RuntimeError" in done.stderr
    assert "spravka_4504******89.csv" in done.stderr and "450420320289" not in done.stderr


def test_an_error_in_the_root_commands_own_options_is_masked_too() -> None:
    # parsed before any subcommand runs, outside the guarded streams' invocation
    result = CliRunner().invoke(cli, ["--x450420320289", "check"])
    assert result.exit_code == 2 and "--x4504******89" in result.stderr and "450420320289" not in result.stderr
