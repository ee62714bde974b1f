"""CSV/TSV reader: stdlib ``csv`` over a bounded line stream, emitted column-wise.

The delimiter is chosen among ``,`` ``;`` TAB ``|`` by how consistently it splits the first
lines into the same number of fields (csv.Sniffer is easily fooled by decimal commas in
semicolon files). Values are the cell strings with surrounding whitespace stripped; nothing
else is touched (leading zeros of IINs stay).

Memory is bounded twice: a physical line longer than ``max_field_chars`` raises (so a file
without newlines is never accumulated) and ``csv.field_size_limit`` stops a quoted field that
spans many lines.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

from govscan.model import Asset, Piece
from govscan.readers.encoding import bounded_lines, open_text
from govscan.readers.limits import ReadContext, ReaderError
from govscan.readers.table import TableBuilder

DELIMITERS = ("\t", ";", "|", ",")  # tie-break order: the rarer in prose, the stronger a signal
SNIFF_LINES = 50


def detect_delimiter(lines: list[str]) -> tuple[str, float, int]:
    """Return ``(delimiter, consistency, fields)`` for the best candidate.

    ``consistency`` is the share of non-blank sample rows whose field count equals the most
    common count; a delimiter that yields a single field everywhere scores 0.
    """
    best = (",", 0.0, 1)
    for delimiter in DELIMITERS:
        counts = _field_counts(lines, delimiter)
        if not counts:
            continue
        fields, freq = Counter(counts).most_common(1)[0]
        if fields < 2:
            continue
        consistency = round(freq / len(counts), 2)
        if consistency > best[1]:
            best = (delimiter, consistency, fields)
    return best


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    counts = []
    try:
        for row in csv.reader(lines, delimiter=delimiter):
            if any(row):
                counts.append(len(row))
    except csv.Error:
        pass  # a field over the size limit: reading proper reports it with its line
    return counts


def looks_like_table(text: str) -> bool:
    """Whether sampled text is delimiter-separated data rather than prose (for ``.txt`` etc.)."""
    lines = [line for line in text.splitlines(keepends=True)[:SNIFF_LINES] if line.strip()]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample probably cut the last line
    if len(lines) < 2:
        return False
    _, consistency, _ = detect_delimiter(lines)
    return consistency >= 0.8


def read_csv(asset: Asset, ctx: ReadContext) -> Iterator[Piece]:
    limits = ctx.limits
    csv.field_size_limit(limits.max_field_chars)
    stream, _ = open_text(asset.path, newline="")
    with stream:
        lines = bounded_lines(stream, limits.max_field_chars)
        sample, problem = _take(lines, SNIFF_LINES)
        delimiter, _, _ = detect_delimiter(sample)
        rest = lines if problem is None else _raise(problem)
        reader = csv.reader(itertools.chain(sample, rest), delimiter=delimiter)
        yield from _table(asset.uri, reader, limits.chunk_rows, TableBuilder(asset.uri, limits))


def _table(uri: str, reader: Any, chunk_rows: int, builder: TableBuilder) -> Iterator[Piece]:
    """Rows one by one until the header is decided, then whole blocks (no Python call per cell).

    Rows read before a problem are emitted before the problem is raised.
    """
    previous_end = 0
    block: list[list[str]] = []
    try:
        for row in reader:
            yield from builder.add([cell.strip() for cell in row], previous_end + 1)
            previous_end = reader.line_num
            if builder.takes_blocks:
                break
        first_line = previous_end + 1
        for row in reader:
            block.append(row)
            if len(block) >= chunk_rows:
                yield from builder.add_block(block, first_line)
                first_line = reader.line_num + 1
                block = []
    except csv.Error as exc:
        yield from builder.add_block(block, first_line) if block else ()
        yield from builder.finish()
        problem = str(exc)
        if "field larger than field limit" in problem:
            problem = f"field larger than {csv.field_size_limit()} characters"
        raise ReaderError(f"CSV error at line {reader.line_num}: {problem}") from None
    except ReaderError:
        yield from builder.add_block(block, first_line) if block else ()
        yield from builder.finish()
        raise
    if block:
        yield from builder.add_block(block, first_line)
    yield from builder.finish()


def _take(lines: Iterator[str], count: int) -> tuple[list[str], ReaderError | None]:
    """The first lines for sniffing; a problem among them is deferred until they are read."""
    sample: list[str] = []
    try:
        for line in lines:
            sample.append(line)
            if len(sample) >= count:
                break
    except ReaderError as exc:
        return sample, exc
    return sample, None


def _raise(problem: ReaderError) -> Iterator[str]:
    raise problem
    yield  # pragma: no cover - makes this a generator that fails when first advanced
