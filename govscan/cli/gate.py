"""What every findings command does last: baseline, render, report errors, exit code."""

from __future__ import annotations

import dataclasses
import sys
from contextlib import nullcontext
from pathlib import Path

import click

from govscan.baseline import Baseline, apply_baseline, load_baseline, write_baseline
from govscan.cli.options import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from govscan.cli.output import GuardedStream
from govscan.cli.results import apply_gate_config, write_extra_outputs
from govscan.model import ScanResult, Severity
from govscan.redact import neutralise, terminal_line
from govscan.report import render


def read_baseline(path: str | None) -> Baseline | None:
    """The ``--baseline`` file; a bad one is a BaselineError: one line, exit 2 (govscan.cli.errors)."""
    return load_baseline(Path(path)) if path else None


def finish(
    result: ScanResult,
    *,
    fmt: str,
    output: str | None,
    fail_on: str,
    accepted: Baseline | None,
    baseline: str | None,
    write_baseline_to: str | None,
    baseline_reason: str = "accepted in baseline",
) -> None:
    if accepted is not None:
        result = dataclasses.replace(result, findings=apply_baseline(result.findings, accepted), baseline_path=baseline)
    result = apply_gate_config(result)  # .govscan.yaml's per-rule ignores: suppressed, with their reason
    if write_baseline_to:
        write_baseline(Path(write_baseline_to), result.findings, result.rules, baseline_reason)
        click.echo(f"govscan: wrote {len(result.findings)} findings to baseline {write_baseline_to}", err=True)
    to_file = output and output != "-"  # '-' is standard output, as for every results command
    with open(output, "w", encoding="utf-8", newline="") if to_file else nullcontext(sys.stdout) as stream:
        out = GuardedStream(stream, neutralise, by_line=False)  # a report file is printed later (cat, less)
        render(fmt, result, out)  # type: ignore[arg-type]
        out.flush()
    write_extra_outputs(result)  # --json-output, --sarif-output, --csv-output
    for error in result.errors:
        click.echo(f"govscan: error: {terminal_line(str(error))}", err=True)  # one line, whatever the name holds
    # writing a baseline accepts every finding: a success unless something could not be read
    sys.exit(exit_code(result, "none" if write_baseline_to else fail_on))


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
