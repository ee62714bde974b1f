"""``govscan check``: the CI gate for files and URLs about to be published."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

import click

from govscan.baseline import BaselineError, apply_baseline, load_baseline, write_baseline
from govscan.cli.options import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, gate_options, output_options
from govscan.identity import load_secret
from govscan.model import Severity
from govscan.pipeline import CheckOptions, run_check
from govscan.progress import Progress
from govscan.report import render
from govscan.report.base import ScanResult
from govscan.rules import RuleLoadError, load_rules


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH|URL...")
@output_options
@gate_options
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB (repeatable).")
@click.option(
    "--ner/--no-ner",
    default=True,
    show_default=True,
    help="Use natasha's offline NER for names in pages and text documents (slower start-up).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress on stderr (default: on for terminals, sparse lines otherwise).",
)
def check(
    inputs: tuple[str, ...],
    fmt: str,
    output: str | None,
    fail_on: str,
    baseline: str | None,
    write_baseline: str | None,
    exclude: tuple[str, ...],
    ner: bool,
    progress: bool | None,
) -> None:
    """Scan files, folders, globs or URLs for personal data.

    Exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error or an
    input that could not be read (all other inputs are still scanned and reported).
    """
    try:
        rules = load_rules()
        accepted = load_baseline(Path(baseline)) if baseline else None
    except (RuleLoadError, BaselineError) as exc:
        raise click.UsageError(str(exc)) from exc

    result = run_check(
        CheckOptions(list(inputs), list(exclude), ner=ner),
        rules,
        load_secret(),
        Progress(enabled=progress is not False),
    )
    if accepted is not None:
        result = ScanResult(
            **{**result.__dict__, "findings": apply_baseline(result.findings, accepted), "baseline_path": baseline}
        )
    if write_baseline:
        write_baseline_file(Path(write_baseline), result)

    with open(output, "w", encoding="utf-8", newline="") if output else nullcontext(sys.stdout) as out:
        render(fmt, result, out)
    for error in result.errors:
        click.echo(f"govscan: error: {error}", err=True)
    sys.exit(exit_code(result, fail_on))


def write_baseline_file(path: Path, result: ScanResult) -> None:
    write_baseline(path, result.findings, result.rules)
    click.echo(f"govscan: wrote {len(result.findings)} findings to baseline {path}", err=True)


def exit_code(result: ScanResult, fail_on: str) -> int:
    """2 when something could not be read (the gate cannot vouch for it), else 1 on findings."""
    if result.errors:
        return EXIT_ERROR
    if fail_on.lower() == "none":
        return EXIT_CLEAN
    threshold = Severity.parse(fail_on)
    if any(f.severity >= threshold for f in result.open_findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN
