"""The ``govscan`` group: an :class:`~govscan.errors.InputError` from any command is one line, exit 2."""

from __future__ import annotations

from typing import Any

import click

from govscan.cli.options import EXIT_ERROR
from govscan.errors import InputError


class OneLineErrors(click.Group):
    """Catches input errors once for every subcommand, so no command can leak a traceback for them."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"govscan: error: {' '.join(str(exc).split())}", err=True)
            ctx.exit(EXIT_ERROR)
