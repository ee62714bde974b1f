"""Text tables (``findings list``, ``scans list``, ``rules list``, the text report) drawn by rich.

Columns take the width their cells need and the table never exceeds the width it is given: the
terminal's on a terminal, :data:`govscan.terminal.PIPE_WIDTH` (120) in a file, a pipe or a CI log.
When the cells do not fit, the widest columns give way: their cells wrap onto further lines
(``fold``: a long rule id or uri is cut anywhere, never lost) or end in an ellipsis (``ellipsis``,
for titles). Every cell is text, never markup (a file name ``[bold]x.csv`` prints as written), and
control and bidi characters are escaped before rich sees them.

Colour is used only where :func:`govscan.terminal.use_colour` allows it (a terminal, no
``--no-color``, no ``NO_COLOR``).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from govscan import terminal

Cell = str | tuple[str, str]  # text, or (text, rich style) e.g. ("HIGH", "red")
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


@dataclass(frozen=True)
class Column:
    header: str = ""
    justify: Literal["left", "right"] = "left"
    overflow: Literal["fold", "ellipsis"] = "fold"
    no_wrap: bool = False  # short fixed cells (severity, counts) are never broken
    min_width: int | None = None


def clean(text: str) -> str:
    """Escape control, format (bidi) and line-separator characters so text cannot steer a terminal
    or break a row: ``\\u001b`` as the guarded streams and JSON write them (govscan.redact.neutralise)."""
    return "".join(_escape(ch) if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def table_lines(
    rows: Sequence[Sequence[Cell]],
    columns: Sequence[Column] | None = None,
    *,
    width: int = terminal.PIPE_WIDTH,
    colour: bool = False,
    indent: int = 0,
    header: bool = False,
    styles: Sequence[str | None] | None = None,
) -> list[str]:
    """The table as lines of at most ``width`` characters (``indent`` spaces included), no line ends.

    ``styles``: one rich style per row (None: none), e.g. ``dim`` for a baselined finding.
    """
    if not rows:
        return []
    count = max(len(r) for r in rows)
    columns = list(columns or [])
    columns += [Column()] * (count - len(columns))
    table = Table(box=None, show_header=header, pad_edge=False, padding=(0, 1), show_edge=False, expand=False)
    for column in columns:
        table.add_column(
            Text(column.header, style="bold" if colour else ""),
            justify=column.justify,
            overflow=column.overflow,
            no_wrap=column.no_wrap,
            min_width=column.min_width,
        )
    for i, row in enumerate(rows):
        style = styles[i] if styles is not None and i < len(styles) else None
        table.add_row(*(_text(cell) for cell in row), *([Text("")] * (count - len(row))), style=style)
    return _printed(table, width, colour, indent)


def text_lines(text: str, *, width: int = terminal.PIPE_WIDTH, colour: bool = False, style: str = "") -> list[str]:
    """One line of text (a uri heading), escaped and folded onto as many lines as ``width`` needs."""
    return _printed(Text(clean(text), style=style, overflow="fold"), width, colour, 0)


def _printed(renderable: Table | Text, width: int, colour: bool, indent: int) -> list[str]:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(20, width - indent),
        force_terminal=colour,
        color_system="standard" if colour else None,
        no_color=not colour,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
    console.print(renderable, overflow="fold")
    pad = " " * indent
    return [pad + line.rstrip() for line in buffer.getvalue().splitlines()]


def write_table(
    out: TextIO,
    rows: Sequence[Sequence[Cell]],
    columns: Sequence[Column] | None = None,
    *,
    indent: int = 0,
    header: bool = False,
    colour: bool | None = None,
) -> None:
    """``table_lines`` for ``out``: its width and colour (``colour`` None decides per stream)."""
    colour = terminal.use_colour(out) if colour is None else colour
    lines = table_lines(rows, columns, width=terminal.width_of(out), colour=colour, indent=indent, header=header)
    styled_stream(out, colour).writelines(line + "\n" for line in lines)


def styled_stream(out: TextIO, colour: bool) -> TextIO:
    """Where styled text goes: around the command's guarded stdout (cli/output.py), whose
    neutralising would print the colour codes as ``\\u001b[31m``; the cells are escaped already."""
    if not colour:
        return out
    while hasattr(out, "unguarded"):  # a report stream guarded over the guarded stdout: both
        out.flush()  # what the guard holds comes first
        out = out.unguarded
    return out


def _text(cell: Cell) -> Text:
    if isinstance(cell, tuple):
        return Text(clean(cell[0]), style=cell[1])
    return Text(clean(cell))
