"""Shared table logic for CSV, XLSX and HTML: header detection and column-wise chunking.

Tables are emitted column by column, ``chunk_rows`` rows at a time, so a detector scans a whole
column chunk in one pass. Rows are kept (blank ones as empty strings) so that for files
without multi-line cells ``values[i]`` is on line ``first_line + i``; a column chunk whose
values are all empty is not emitted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

from govscan.model import Field, Values
from govscan.readers.limits import Limits

HEADER_LOOKAHEAD = 20
"""Rows after the first one that header detection compares it with."""

_DIGITS = re.compile(r"\d")
_LONG_NUMBER = re.compile(r"\d{6,}")
_SHAPE_RUNS = re.compile(r"(.)\1+")


def is_value_like(cell: str) -> bool:
    """A cell that reads as data rather than a column title: mostly digits, or an e-mail."""
    if "@" in cell or _LONG_NUMBER.search(cell.replace(" ", "")):
        return True
    alnum = [ch for ch in cell if ch.isalnum()]
    if not alnum:
        return False  # "№", "#", "-": as common as a title as it is as a placeholder
    digits = len(_DIGITS.findall(cell))
    return digits * 2 >= len(alnum)


def cell_shape(cell: str) -> str:
    """Coarse shape of a cell: ``Иванов Иван`` → ``Aa Aa``, ``+7 701`` → ``+9 9``."""
    out = []
    for ch in cell:
        if ch.isdigit():
            out.append("9")
        elif ch.isalpha():
            out.append("A" if ch.isupper() else "a")
        else:
            out.append(ch)
    return _SHAPE_RUNS.sub(r"\1", "".join(out))


def looks_like_header(first: list[str], following: list[list[str]]) -> bool:
    """Decide whether ``first`` is a header row, given a few rows that follow it.

    Not a header when nothing follows it, when any cell holds an identifier-like number (a header is never an IIN; and
    treating data as a header would hide it from detectors and print it in reports), when
    most cells look like values, or when every column's first cell has the same shape as the
    cells below it. A header whose column is typed differently below it (text title above
    numbers) is the strongest sign of a header.
    """
    cells = [c for c in first if c]
    if not cells:
        return False
    if any(_LONG_NUMBER.search(c.replace(" ", "")) or "@" in c for c in cells):
        return False
    if sum(is_value_like(c) for c in cells) * 2 >= len(cells):
        return False
    if not any(any(row) for row in following):
        return False  # a lone row: scan it as data rather than hide it as titles
    same_shape = 0
    compared = 0
    for j, head in enumerate(first):
        below = [row[j] for row in following if j < len(row) and row[j]]
        if not head or not below:
            continue
        compared += 1
        value_like_below = sum(is_value_like(c) for c in below)
        if value_like_below * 5 >= len(below) * 4 and not is_value_like(head):
            return True
        common_shape, _ = Counter(cell_shape(c) for c in below).most_common(1)[0]
        if cell_shape(head) == common_shape:
            same_shape += 1
    return not (compared and same_shape == compared)


def clean_header(cell: str) -> str:
    return " ".join(cell.split())


class TableBuilder:
    """Push rows in, get ``Values`` batches out (push-style so an HTML parser can drive it).

    ``header``: the header row when the format says so (HTML ``<th>``); otherwise, with
    ``detect_header``, the first non-blank row is tested with :func:`looks_like_header`.
    """

    def __init__(
        self,
        uri: str,
        limits: Limits,
        sheet: str | None = None,
        header: list[str] | None = None,
        detect_header: bool = True,
    ) -> None:
        self.uri = uri
        self.sheet = sheet
        self._chunk = max(1, limits.chunk_rows)
        self._header: list[str] | None = [clean_header(c) for c in header] if header is not None else None
        self._decided = header is not None or not detect_header
        self._rows: list[list[str]] = []
        self._lines: list[int | None] = []
        self._fields: list[Field] = []

    def add(self, row: list[str], line: int | None = None) -> list[Values]:
        if not self._rows and not self._decided and not any(row):
            return []  # leading blank rows carry nothing, and must not become the header
        self._rows.append(row)
        self._lines.append(line)
        needed = self._chunk if self._decided else max(self._chunk, HEADER_LOOKAHEAD + 1)
        if len(self._rows) >= needed:
            return self._flush()
        return []

    def finish(self) -> list[Values]:
        return self._flush()

    @property
    def takes_blocks(self) -> bool:
        """True once the header is decided and no row waits: whole blocks may come now."""
        return self._decided and not self._rows

    def add_block(self, rows: list[list[str]], first_line: int | None) -> list[Values]:
        """Emit a block of raw rows directly (the bulk path once the header is known).

        Cells are stripped column by column here, with ``map`` over each column, which costs a
        fraction of stripping row by row.
        """
        if not self.takes_blocks:
            out: list[Values] = []
            for offset, row in enumerate(rows):
                out.extend(self.add([c.strip() for c in row], None if first_line is None else first_line + offset))
            return out
        return self._columns(rows, first_line, strip=True)

    def _flush(self) -> list[Values]:
        if not self._decided:
            self._decide_header()
        out: list[Values] = []
        for start in range(0, len(self._rows), self._chunk):
            out.extend(self._columns(self._rows[start : start + self._chunk], self._lines[start]))
        self._rows, self._lines = [], []
        return out

    def _decide_header(self) -> None:
        self._decided = True
        if self._rows and looks_like_header(self._rows[0], self._rows[1 : 1 + HEADER_LOOKAHEAD]):
            self._header = [clean_header(c) for c in self._rows[0]]
            del self._rows[0]
            del self._lines[0]

    def _field(self, index: int) -> Field:
        """Field of 1-based column ``index``; empty or missing header cells get ``#index``."""
        while len(self._fields) < index:
            i = len(self._fields) + 1
            name = self._header[i - 1] if self._header and i <= len(self._header) else ""
            self._fields.append(Field(sheet=self.sheet, column=name or None, column_index=i))
        return self._fields[index - 1]

    def _columns(self, rows: list[list[str]], first_line: int | None, strip: bool = False) -> list[Values]:
        width = max(map(len, rows), default=0)
        if width == 0:
            return []
        if min(map(len, rows)) < width:
            rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
        out = []
        for index, column in enumerate(zip(*rows, strict=True), start=1):
            values = list(map(str.strip, column)) if strip else list(column)
            if any(values):
                out.append(Values(self.uri, self._field(index), values, first_line))
        return out


def table_values(
    uri: str,
    rows: Iterable[tuple[int | None, list[str]]],
    limits: Limits,
    sheet: str | None = None,
) -> Iterator[Values]:
    """Pull-style wrapper: ``(line, cells)`` rows in, ``Values`` batches out.

    When reading the rows fails, the rows already read are emitted before the error propagates.
    """
    builder = TableBuilder(uri, limits, sheet)
    try:
        for line, row in rows:
            yield from builder.add(row, line)
    except Exception:
        yield from builder.finish()  # rows read before the problem are valid data
        raise
    yield from builder.finish()
