"""How govscan talks to the person at the terminal: quiet, verbose, colour, and the width of tables.

The root command's ``-q/--quiet``, ``-v/--verbose`` and ``--no-color`` (cli/__init__.py) set
:data:`SETTINGS` for the duration of one command; :class:`govscan.progress.Progress`, the text
report and the tables read it. A module-level setting rather than a click context object because
the readers of it (progress on an io thread, a renderer) are library code without a context.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import TextIO

PIPE_WIDTH = 120  # columns of a table written to a file, a pipe or a CI log: readable, never 384


@dataclass
class Settings:
    quiet: bool = False  # no progress, no notes; errors and warnings still
    verbose: bool = False  # each asset, page and endpoint as it is done
    colour: bool | None = None  # None: decide per stream (a terminal, and NO_COLOR unset)


SETTINGS = Settings()


def configure(*, quiet: bool = False, verbose: bool = False, colour: bool | None = None) -> None:
    """Set the command's terminal settings (the root command does, once per invocation)."""
    SETTINGS.quiet, SETTINGS.verbose, SETTINGS.colour = quiet, verbose, colour


def reset() -> None:
    configure()


def is_terminal(stream: TextIO | None) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream
        return False


def use_colour(stream: TextIO | None) -> bool:
    """Colour only for a terminal, never with ``--no-color`` or ``NO_COLOR`` set (https://no-color.org)."""
    if SETTINGS.colour is False or os.environ.get("NO_COLOR"):
        return False
    return is_terminal(stream)


def width_of(stream: TextIO | None) -> int:
    """The terminal's width for a terminal (at least 40), else :data:`PIPE_WIDTH`."""
    if not is_terminal(stream):
        return PIPE_WIDTH
    return max(40, shutil.get_terminal_size((PIPE_WIDTH, 24)).columns)
