"""Where a command's results go: ``-o FILE`` or standard output, and the gate's extra outputs.

Every results command writes through :func:`destination`, so a file gets the same treatment as the
terminal (escape sequences and bidi overrides neutralised: a report file is printed later with
``cat`` or ``less``) and ``-`` means standard output everywhere.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import click

from govscan import __version__
from govscan.cli.options import META_EXTRA_OUTPUTS, META_GATE_CONFIG
from govscan.cli.output import GuardedStream
from govscan.errors import InputError, one_line, shown
from govscan.model import ScanResult
from govscan.redact import neutralise


class OutputError(InputError):
    """An output file that cannot be written: one line, exit 2."""


@contextmanager
def destination(output: str | None) -> Iterator[TextIO]:
    """A text stream onto ``output`` (a file, or standard output for None and ``-``)."""
    if output and output != "-":
        try:
            handle = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by the with below
        except OSError as exc:  # checked when parsed (options.writable_target); this is what is left
            raise OutputError(f"output {shown(output)}: cannot write ({one_line(exc)})") from None
        with handle as stream:
            guarded = GuardedStream(stream, neutralise, by_line=False)
            yield guarded  # type: ignore[misc]
            guarded.flush()
    else:
        yield sys.stdout


def _meta() -> dict:
    ctx = click.get_current_context(silent=True)
    return ctx.meta if ctx is not None else {}


def apply_gate_config(result: ScanResult) -> ScanResult:
    """``result`` with the config file's ``ignore`` entries applied (as suppressed, with the reason)."""
    loaded = _meta().get(META_GATE_CONFIG)
    if loaded is None or not loaded.config.ignore:
        return result
    from govscan.gateconfig import apply_ignores

    ignored = apply_ignores(result.findings, loaded)  # marks them in place
    if ignored:
        noun = "finding" if ignored == 1 else "findings"
        click.echo(f"govscan: {ignored} {noun} suppressed by the ignores of {loaded.path}", err=True)
    return result


def write_extra_outputs(result: ScanResult) -> None:
    """``--json-output``, ``--sarif-output``, ``--csv-output``: the same result in more formats."""
    from govscan.report import render

    for fmt, path in _meta().get(META_EXTRA_OUTPUTS, {}).items():
        with destination(path) as out:
            render(fmt, result, out)


def document(kind: str, **fields: Any) -> dict[str, Any]:
    """A JSON document of ``kind`` in the one envelope, checked against its model (report/shape.py)."""
    from pydantic import TypeAdapter

    from govscan.report.shape import Document, dump, envelope

    return dump(TypeAdapter(Document).validate_python({**envelope(__version__), "kind": kind, **fields}))


def write_json(data: dict[str, Any], out: TextIO) -> None:
    from govscan.report.json_ import write_json as write

    write(data, out)


def aligned(rows: list[list[str]], out: TextIO | None = None, *, indent: int = 0) -> list[str]:
    """Rows of cells as the lines of a table (report/tables.py) no wider than ``out``'s width (the
    terminal's, or 120 columns in a file or pipe; standard output when None): every column as wide
    as its widest cell while they fit — a 40-character rule id widens its column instead of
    breaking the table — and long cells (titles, uris) wrapped onto more lines when they do not."""
    from govscan.report.tables import Column, table_lines
    from govscan.terminal import width_of

    if not rows:
        return []
    width = width_of(out if out is not None else sys.stdout) - indent
    count = len(rows[0])
    widest = [max(len(r[i]) for r in rows) for i in range(count)]
    # Narrow cells first (ids, statuses, severities, rule ids up to 48) are never broken, while the
    # columns left to wrap keep 20 characters each; the last column (a title, evidence) always wraps.
    whole: set[int] = set()
    for i in sorted(range(count - 1), key=lambda i: widest[i]):
        kept = whole | {i}
        need = sum(widest[j] if j in kept else min(widest[j], 20) for j in range(count)) + 2 * (count - 1)
        if widest[i] > 48 or need > width:
            break
        whole = kept
    columns = [Column(no_wrap=True, min_width=widest[i]) if i in whole else Column() for i in range(count)]
    return [" " * indent + line for line in table_lines(rows, columns, width=width)]
