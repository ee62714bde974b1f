"""Option decorators shared by commands that produce findings (check now, tls and scan later)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "json", "sarif", "csv")
SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def output_options(fn: F) -> F:
    fn = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        help="Write the report to FILE instead of stdout.",
    )(fn)
    fn = click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format."
    )(fn)
    return fn


def gate_options(fn: F) -> F:
    fn = click.option(
        "--baseline-reason",
        default="accepted in baseline",
        show_default=True,
        help="Why the findings written with --write-baseline are accepted (stored with each one).",
    )(fn)
    fn = click.option(
        "--write-baseline",
        type=click.Path(dir_okay=False, writable=True),
        help="Record every current finding as accepted in FILE (keeps reasons already there).",
    )(fn)
    fn = click.option(
        "--baseline",
        type=click.Path(dir_okay=False),
        help="Accepted findings (from --write-baseline): they are reported as suppressed and never fail the gate.",
    )(fn)
    fn = click.option(
        "--fail-on",
        type=click.Choice(SEVERITY_CHOICES, case_sensitive=False),
        default="high",
        show_default=True,
        help="Exit 1 when a finding at or above this severity is open; 'none' never fails on findings.",
    )(fn)
    return fn
