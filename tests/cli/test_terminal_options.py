"""``-q``, ``-v`` and ``--no-color`` are accepted by the root command and every subcommand."""

from __future__ import annotations

import io
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from govscan import terminal
from govscan.cli import cli
from govscan.cli.output import QuietFilter

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "social_aid_2024.csv")


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_check_shows_progress_on_stderr_by_default() -> None:
    result = run("check", "--no-ner", EXAMPLE)
    assert result.exit_code == 1
    assert "govscan: progress " in result.stderr and "govscan: done in " in result.stderr
    assert "social_aid_2024.csv" in result.stdout


@pytest.mark.parametrize("args", [["-q", "check"], ["check", "-q"], ["--quiet", "check"]])
def test_quiet_silences_progress_and_notes_but_not_results(args: list[str]) -> None:
    result = run(*args, "--no-ner", EXAMPLE)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert "pii.kz-iin" in result.stdout


def test_quiet_still_prints_errors(tmp_path: Path) -> None:
    result = run("-q", "check", "--no-ner", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2
    assert result.stderr.startswith("govscan: error: ")


def test_verbose_names_each_file_read() -> None:
    result = run("-v", "check", "--no-ner", EXAMPLE)
    assert "govscan: file " in result.stderr and "social_aid_2024.csv (" in result.stderr


def test_the_settings_last_one_command_only() -> None:
    run("-q", "-v", "--no-color", "check", "--no-ner", EXAMPLE)
    assert terminal.SETTINGS == terminal.Settings()
    assert "govscan: progress " in run("check", "--no-ner", EXAMPLE).stderr


def test_no_color_turns_colour_off_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    try:
        assert terminal.use_colour(Tty())
        terminal.configure(colour=False)
        assert not terminal.use_colour(Tty())
    finally:
        terminal.reset()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal.use_colour(Tty())


def test_every_subcommand_documents_the_options() -> None:
    def commands(group: click.Group):
        for command in group.commands.values():
            yield command
            if isinstance(command, click.Group):
                yield from commands(command)

    for command in commands(cli):
        names = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {"-q", "--quiet", "-v", "--verbose", "--no-color"} <= names, command.name


def test_the_quiet_filter_drops_notes_and_their_continuations_only() -> None:
    keep = QuietFilter()
    terminal.configure(quiet=True)
    try:
        lines = [
            "govscan: 13 pages, 4 data links, 140 requests",
            "  note: a continuation of it",
            "govscan: warning: https://portal.kz/a.csv: HTTP 404",
            "govscan: error: exports/x.xlsx: not a valid XLSX",
            "govscan: gate: 2 new findings at or above high",
            "  CRITICAL  pii.kz-iin  exports/a.csv",
            "govscan demo: portal at http://127.0.0.1:8080",
            "Error: No such option: --bogus",
        ]
        kept = [line for line in lines if keep(line)]
    finally:
        terminal.reset()
    assert kept == lines[2:6] + lines[7:]
