"""The ``govscan`` command: thin click wrappers that parse, call the library, render, exit."""

from __future__ import annotations

import sys

import click

from govscan import __version__
from govscan.cli.check import check
from govscan.cli.crawl import crawl
from govscan.cli.demo import demo
from govscan.cli.errors import OneLineErrors
from govscan.cli.findings import diff, findings, scans
from govscan.cli.output import GuardedGroup, add_terminal_options, masked_excepthook, terminal_options
from govscan.cli.report import report
from govscan.cli.rules import rules
from govscan.cli.store import scan
from govscan.cli.tls import tls
from govscan.cli.worker import worker


class _Root(GuardedGroup, OneLineErrors):
    """Guarded output (``output.py``) around one-line input errors (``errors.py``)."""


# Every flag can come from the environment: GOVSCAN_<COMMAND>_<FLAG> (GOVSCAN_CHECK_FAIL_ON,
# GOVSCAN_FINDINGS_LIST_FORMAT), click's auto_envvar_prefix. Scoped by command, so one variable never
# means two things (--format takes other names in `rules list` than in `check`), and the variables
# govscan already reads (GOVSCAN_DB, GOVSCAN_SECRET, GOVSCAN_HOME…) keep their meaning.
# Precedence: the flag, then its variable, then the gate's config file (cli/options.py), then the default.
ENVVAR_PREFIX = "GOVSCAN"


def name_envvars(group: click.Group, prefix: str = ENVVAR_PREFIX) -> None:
    """Give every option of every subcommand its variable, named after the flag users type.

    click's automatic names come from the parameter (``--format`` is ``fmt`` in the code, so
    ``GOVSCAN_CHECK_FMT``); naming them here keeps ``GOVSCAN_CHECK_FORMAT`` and shows it in ``--help``.
    An option that names its own variable keeps it.
    """
    for name, command in group.commands.items():
        scope = f"{prefix}_{name.upper().replace('-', '_')}"
        if isinstance(command, click.Group):
            name_envvars(command, scope)
        for param in command.params:
            if isinstance(param, click.Option) and not param.envvar and param.opts[0] not in ("--help", "--version"):
                flag = max(param.opts, key=len).lstrip("-")
                param.envvar = f"{scope}_{flag.upper().replace('-', '_')}"
                param.show_envvar = not param.hidden


@click.group(
    cls=_Root,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 100,
        "auto_envvar_prefix": ENVVAR_PREFIX,
    },
)
@click.version_option(__version__, prog_name="govscan")
def cli() -> None:
    """Audit government portals and open datasets for exposed personal data."""


cli.params += terminal_options()  # -q, -v, --no-color before the subcommand; add_terminal_options: after it


cli.add_command(check)
cli.add_command(rules)
cli.add_command(tls)
cli.add_command(crawl)
cli.add_command(demo)
cli.add_command(report)
for command in (scan, findings, scans, diff, worker):
    cli.add_command(command)
add_terminal_options(cli)
name_envvars(cli)


def main() -> None:
    sys.excepthook = masked_excepthook  # a crash's traceback is printed after the guarded streams
    cli(prog_name="govscan")
