"""Option decorators shared by commands: one list of format names, one meaning for each.

* :func:`output_options` — the findings commands of the gate (``check``, ``tls``, ``crawl``):
  ``--format``/``-o`` plus extra outputs for CI in the same run (``--json-output FILE``,
  ``--sarif-output FILE``, ``--csv-output FILE``, as semgrep does), which ``cli/gate.finish`` writes.
* :func:`results_options` — every other command that prints results (``findings list``/``show``,
  ``diff``, ``scans list``, ``rules list``): ``--format`` among its formats and ``-o``.
* :func:`gate_options` — ``--fail-on``, baselines and the gate's config file (``--config FILE``,
  ``--no-config``; found from the working directory upward otherwise, :mod:`govscan.gateconfig`),
  whose settings become the defaults of the command's own flags.

Precedence, for every flag: the command line, then its ``GOVSCAN_<COMMAND>_<FLAG>`` variable
(click's ``auto_envvar_prefix``, set by ``govscan.cli.main``), then the config file, then the default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

# Every format name means one thing wherever it is accepted.
FORMAT_MEANINGS = {
    "text": "for people and CI logs",
    "json": "a document of govscan/schemas/report.schema.json",
    "sarif": "SARIF 2.1.0 for code-scanning services",
    "csv": "one row per item, formula-safe",
    "html": "the auditor's report",
    "md": "the auditor's report in Markdown",
}
FORMATS = ("text", "json", "sarif", "csv")  # outputs that hold findings
LISTING_FORMATS = ("text", "json", "csv")  # outputs that list other things (scans, rules)
REPORT_FORMATS = ("html", "md", *FORMATS)  # ``govscan report``
EXTRA_OUTPUTS = ("json", "sarif", "csv")  # --json-output, --sarif-output, --csv-output
SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

META_EXTRA_OUTPUTS = "govscan.extra_outputs"  # ctx.meta: format -> file, for gate.finish
META_GATE_CONFIG = "govscan.gate_config"  # ctx.meta: the LoadedConfig in force, or absent
_META_CONFIG_CHOICE = "govscan.config_choice"


def format_help(formats: tuple[str, ...]) -> str:
    return "Output format: " + "; ".join(f"{name}: {FORMAT_MEANINGS[name]}" for name in formats) + "."


def format_option(formats: tuple[str, ...] = FORMATS, default: str = "text") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(formats),
        default=default,
        show_default=True,
        help=format_help(formats),
    )


class _ReportFormats(click.Choice):  # type: ignore[type-arg]
    """The built-in findings formats, and any format a plugin's reporter adds (``govscan_reporters``).

    Plugins are asked only for a name that is not built in: ``check`` never pays for loading them
    just to parse ``--format json``.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value not in self.choices:
            from govscan import plugins

            if value in plugins.reporters():
                return value
        return super().convert(value, param, ctx)


def report_format_option(fn: F) -> F:
    """``--format`` of the commands that render a live result (check, tls, crawl): plugins' reporters too."""
    return click.option(
        "--format",
        "fmt",
        type=_ReportFormats(FORMATS),
        default="text",
        show_default=True,
        help=format_help(FORMATS)[:-1] + "; or the name of a format a plugin's reporter adds.",
    )(fn)


def writable_target(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an output file that cannot be created before any work starts: a scan of an hour must
    not end in a traceback because ``-o`` named a folder that does not exist."""
    import os
    from pathlib import Path

    if value and value != "-":
        folder = Path(value).parent
        try:
            exists = folder.is_dir()
        except OSError as exc:  # a name longer than the system allows is not "no such folder"
            raise click.BadParameter(f"folder {str(folder)!r} cannot be used ({exc.strerror})", ctx, param) from None
        if not exists:
            raise click.BadParameter(f"folder {str(folder)!r} does not exist", ctx, param)
        if not os.access(folder, os.W_OK):
            raise click.BadParameter(f"cannot write in folder {str(folder)!r}", ctx, param)
    return value


def output_option(fn: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True, allow_dash=True),
        metavar="FILE",
        callback=writable_target,
        help="Write the output to FILE instead of standard output ('-': standard output).",
    )(fn)


def results_options(formats: tuple[str, ...] = FORMATS) -> Callable[[F], F]:
    """``--format`` (among ``formats``) and ``-o`` for a command that prints results."""

    def decorate(fn: F) -> F:
        return format_option(formats)(output_option(fn))

    return decorate


def _remember_extra(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if writable_target(ctx, param, value):
        fmt = (param.name or "").removesuffix("_output")
        ctx.meta.setdefault(META_EXTRA_OUTPUTS, {})[fmt] = value


def output_options(fn: F) -> F:
    fn = output_option(fn)
    fn = report_format_option(fn)
    for fmt in reversed(EXTRA_OUTPUTS):  # decorators apply bottom-up: --json-output shows first
        fn = click.option(
            f"--{fmt}-output",
            type=click.Path(dir_okay=False, writable=True),
            metavar="FILE",
            expose_value=False,  # read by cli/gate.finish from ctx.meta: commands need no parameter
            callback=_remember_extra,
            help=f"Also write the {fmt} output to FILE, whatever --format says.",
        )(fn)
    return fn


def _config_choice(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """``--config`` and ``--no-config`` are eager: once both are known the file is loaded and its
    settings become the defaults of the flags parsed after them (``ctx.default_map``)."""
    choice = ctx.meta.setdefault(_META_CONFIG_CHOICE, {})
    choice[param.name] = value
    if len(choice) == 2:
        _load_config(ctx, choice["config"], bool(choice["no_config"]))


def _load_config(ctx: click.Context, path: str | None, disabled: bool) -> None:
    from pathlib import Path

    from govscan import gateconfig

    if disabled and path:
        raise click.UsageError("--config and --no-config contradict each other", ctx)
    found = None if disabled else Path(path) if path else gateconfig.discover()
    if found is None:
        return
    loaded = gateconfig.load(found)  # a bad file: GateConfigError, one line and exit 2
    ctx.meta[META_GATE_CONFIG] = loaded
    ctx.default_map = {**loaded.defaults(ctx.info_name), **(ctx.default_map or {})}


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
        help="Record every current finding as accepted in FILE (keeps reasons already there); exit 0.",
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
    fn = click.option(
        "--no-config",
        is_flag=True,
        is_eager=True,
        expose_value=False,
        callback=_config_choice,
        help="Ignore .govscan.yaml and [tool.govscan] in pyproject.toml.",
    )(fn)
    fn = click.option(
        "--config",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        is_eager=True,
        expose_value=False,
        callback=_config_choice,
        help="Gate config (fail-on, exclude, baseline, per-rule ignores); default: .govscan.yaml or "
        "[tool.govscan] in pyproject.toml, from here up to the repository root.",
    )(fn)
    return fn
