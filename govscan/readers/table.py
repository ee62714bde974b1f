"""Shared table logic for every table reader: header-row detection and column-wise chunking.

:func:`find_header` finds the header of a real published table: after title and blank rows,
on one or two lines (Kazakh over Russian, a group cell over its sub-columns), with a numbering
row 1..N under it. CSV, spreadsheet, HTML, Word, ODF and PDF table readers all call it, through
:class:`TableBuilder` or directly.

Tables are emitted column by column, ``chunk_rows`` rows at a time, so a detector scans a whole
column chunk in one pass. Rows are kept (blank ones as empty strings) so that for files
without multi-line cells ``values[i]`` is on line ``first_line + i``; a column chunk whose
values are all empty is not emitted.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from govscan.model import Field, Piece, Text, Values
from govscan.readers.limits import Limits

HEADER_LOOKAHEAD = 20
"""Rows after the header that header detection compares it with."""
HEADER_SEARCH_ROWS = 25
"""Rows from the first non-blank one within which the header row is looked for."""
HEADER_MAX_LINES = 3
"""Lines one header may span (a group title over sub-columns, Kazakh over Russian)."""
_HEADER_CELL_CHARS = 150
_TITLE_CHARS = 40
_SENTENCE_CHARS = 60
"""A cell this long in a row that leaves columns empty is a title ("Список … по состоянию на …")."""
"""A cell longer than this in a row that fills few columns reads as a title, not a header."""

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


@dataclass(frozen=True, slots=True)
class HeaderLayout:
    """Where a table's header is among its first rows (0-based indexes into the rows given).

    Rows before ``start`` are titles; rows ``start``..``data - 1`` are the header lines and a
    numbering row; the data starts at ``data``. ``names`` has one header text per column, the
    lines of a multi-line header joined with `` / `` (``Туған күні / Дата рождения``).
    """

    start: int
    data: int
    names: list[str]


def find_header(rows: Sequence[Sequence[str]], marked: Sequence[bool] | None = None) -> HeaderLayout | None:
    """Find the header of a table from its first rows; ``None`` when the table has none.

    ``rows`` are the table's first rows (cells stripped; ``HEADER_SEARCH_ROWS`` plus
    ``HEADER_LOOKAHEAD`` of them are enough). ``marked[i]`` says the format itself marks row
    ``i`` as a header (HTML ``<th>``). Why each step:

    * title rows ("Список получателей … по состоянию на …", usually one merged cell) fill far
      fewer columns than the table: narrow rows are skipped while looking for the header;
    * the first wide row is the header when it reads like one: column header hints of the
      rule pack (``ИИН``, ``Дата рождения``, ``Туған күні`` …) or titles shaped unlike the
      rows below (:func:`looks_like_header`); otherwise the table is headerless and every row,
      titles included, stays data (``#1``…), as before;
    * the next rows join the header when they are header lines too: they hold hints, or fill
      the sub-columns of a group cell above them, and are not data-shaped;
    * a row numbering the columns 1..N right under the header is neither header nor data.
    """
    n = len(rows)
    first = next((i for i in range(n) if any(rows[i])), None)
    if first is None:
        return None
    window = range(first, min(n, first + HEADER_SEARCH_ROWS))
    wide = _table_width([rows[i] for i in window])
    for i in window:
        if not any(rows[i]):
            continue
        if _title_like(rows[i], wide) and not (marked and marked[i] and _filled(rows[i]) > 1):
            continue  # a title row, a date line, a blank: the header is further down
        if not _header_line(rows, i, marked, first_line=True):
            break
        lines = [i]
        j = i + 1
        while j < n and len(lines) < HEADER_MAX_LINES and _continues_header(rows, lines, j, marked):
            lines.append(j)
            j += 1
        return _layout(rows, i, j, lines)
    return _narrow_header(rows, first)


def _layout(rows: Sequence[Sequence[str]], start: int, end: int, lines: list[int]) -> HeaderLayout:
    if end < len(rows) and _numbering_row(rows[end]):
        end += 1
    return HeaderLayout(start, end, _join_lines([rows[k] for k in lines]))


def _narrow_header(rows: Sequence[Sequence[str]], first: int) -> HeaderLayout | None:
    """A first row that names only some columns (``ИИН | | |``) over data is still their header.

    Only when a cell holds a column hint and none is as long as a title: a title stays data.
    """
    cells = [c for c in rows[first] if c]
    if not _hints_in(cells) or any(len(c) > _TITLE_CHARS for c in cells):
        return None
    if not looks_like_header(list(rows[first]), _following(rows, first + 1)):
        return None
    return _layout(rows, first, first + 1, [first])


def _title_like(row: Sequence[str], wide: int) -> bool:
    """Fills at most half the table's columns, or fewer than all with a sentence-long cell."""
    filled = _filled(row)
    return filled * 2 <= wide or (filled < wide and max(map(len, row)) > _SENTENCE_CHARS)


def _filled(row: Sequence[str]) -> int:
    return sum(1 for c in row if c)


def _table_width(rows: list[Sequence[str]]) -> int:
    """The number of filled cells of the table's wide rows (the upper quartile of the rows)."""
    counts = sorted(_filled(r) for r in rows if any(r))
    return counts[(len(counts) * 3) // 4] if counts else 0


def _header_line(rows: Sequence[Sequence[str]], i: int, marked: Sequence[bool] | None, first_line: bool) -> bool:
    row = list(rows[i])
    if marked and marked[i]:
        return True
    cells = [c for c in row if c]
    if not cells or any(len(c) > _HEADER_CELL_CHARS for c in cells):
        return False
    if len(cells) > 1 and len(set(cells)) == 1:
        return False  # one merged title repeated across its cells
    following = _following(rows, i + 1)
    if _hints_in(cells) and not any(_LONG_NUMBER.search(c.replace(" ", "")) or "@" in c for c in cells):
        value_like = sum(is_value_like(c) for c in cells)
        if value_like * 2 < len(cells) and (following or not first_line):
            return True
    return looks_like_header(row, following)


def _continues_header(rows: Sequence[Sequence[str]], lines: list[int], j: int, marked: Sequence[bool] | None) -> bool:
    row = rows[j]
    if not any(row) or _numbering_row(row):
        return False
    cells = [c for c in row if c]
    if any(_LONG_NUMBER.search(c.replace(" ", "")) or "@" in c or is_value_like(c) for c in cells):
        return False
    if marked and marked[j]:
        return True
    if marked and marked[lines[0]]:
        return False  # the format marks its header rows: an unmarked row is data
    if not (_hints_in(cells) or _fills_a_group(rows[lines[-1]], row)):
        return False
    following = _following(rows, j + 1)
    return bool(following) and looks_like_header(list(row), following)


def _fills_a_group(upper: Sequence[str], lower: Sequence[str]) -> bool:
    """Whether ``lower`` has sub-column titles under a group cell of ``upper`` (merged cells)."""
    owner = None
    for j, cell in enumerate(lower):
        above = upper[j] if j < len(upper) else ""
        if above:
            owner = j
        elif cell and owner is not None and owner < len(lower) and lower[owner]:
            return True
    return False


def _following(rows: Sequence[Sequence[str]], start: int) -> list[list[str]]:
    out: list[list[str]] = []
    for row in rows[start:]:
        if len(out) >= HEADER_LOOKAHEAD:
            break
        if any(row) and not (not out and _numbering_row(row)):
            out.append(list(row))
    return out


def _numbering_row(row: Sequence[str]) -> bool:
    """``1 | 2 | 3 | …`` (or ``1. | 2. | …``, blanks allowed): a numbering of the columns."""
    numbers = []
    for cell in row:
        if not cell:
            continue
        text = cell.rstrip(".")
        if not text.isdigit() or len(text) > 3:
            return False
        numbers.append(int(text))
    return len(numbers) >= 2 and numbers[0] == 1 and all(b == a + 1 for a, b in zip(numbers, numbers[1:]))


def _join_lines(lines: list[Sequence[str]]) -> list[str]:
    """One header text per column; a group cell's title covers the empty cells to its right."""
    width = max(len(line) for line in lines)
    grid = [[clean_header(c) for c in line] + [""] * (width - len(line)) for line in lines]
    for upper, lower in zip(grid, grid[1:]):
        owner = ""
        for j in range(width):
            if upper[j]:
                owner = upper[j] if lower[j] else ""
            elif lower[j] and owner:
                upper[j] = owner
    names = []
    for j in range(width):
        parts: list[str] = []
        for line in grid:
            if line[j] and line[j] not in parts:
                parts.append(line[j])
        names.append(" / ".join(parts))
    return names


def _hints_in(cells: Iterable[str]) -> int:
    return sum(1 for c in cells if _has_hint(c))


@lru_cache(maxsize=8192)
def _has_hint(cell: str) -> bool:
    from govscan.identity import header_words
    from govscan.pii.headers import hint_strength

    words = header_words(cell)
    return any(hint_strength(words, hint) for hint in header_hints())


@lru_cache(maxsize=1)
def header_hints() -> tuple[str, ...]:
    """Every header hint of the bundled pii rules, positive and negative: words that name columns.

    Read from the rule files (the one place the vocabulary is kept); loaded once, on the first
    table that needs it.
    """
    from govscan.rulefiles import builtin_rules_dir
    from govscan.rules.loader import parse_rule_file

    hints: list[str] = []
    for path in sorted((builtin_rules_dir() / "pii").glob("*.yaml")):
        pii = parse_rule_file(path).pii
        if pii is not None:
            hints.extend([*pii.header_hints.all(), *pii.negative_header_hints.all()])
    return tuple(dict.fromkeys(hints))


def clean_header(cell: str) -> str:
    return " ".join(cell.split())


class TableBuilder:
    """Push rows in, get ``Values`` batches out (push-style so an HTML parser can drive it).

    ``header``: the header row when the format says so; otherwise, with ``detect_header``, the
    first rows are given to :func:`find_header` once enough of them are buffered. Rows above the
    header (title rows such as "Список получателей … по состоянию на …") come out as one ``Text``
    piece, so a name or number in a title is still scanned as prose; a numbering row under the
    header is dropped. ``add(..., marked=True)`` says the format marked the row as a header
    (HTML ``<th>`` cells); ``add(..., hidden=True)`` says the row is hidden (a spreadsheet's
    hidden rows): its cells come out in separate ``Values`` whose field part is ``hidden rows``.
    ``column_parts`` gives a part to whole columns (``{3: "hidden column"}``) and ``part`` to
    the whole table (``"hidden sheet"``, which wins over both).
    """

    def __init__(
        self,
        uri: str,
        limits: Limits,
        sheet: str | None = None,
        header: list[str] | None = None,
        detect_header: bool = True,
        *,
        part: str | None = None,
        column_parts: dict[int, str] | None = None,
        page: int | None = None,
    ) -> None:
        self.uri = uri
        self.sheet = sheet
        self.part = part
        self.page = page
        self._column_parts = column_parts or {}
        self._chunk = max(1, limits.chunk_rows)
        self._header: list[str] | None = [clean_header(c) for c in header] if header is not None else None
        self._decided = header is not None or not detect_header
        self._rows: list[list[str]] = []
        self._lines: list[int | None] = []
        self._marked: list[bool] = []
        self._hidden: list[bool] = []
        self._fields: list[Field] = []
        self._hidden_fields: list[Field] = []

    def add(
        self, row: list[str], line: int | None = None, *, marked: bool = False, hidden: bool = False
    ) -> list[Piece]:
        if not self._rows and not self._decided and not any(row):
            return []  # leading blank rows carry nothing, and must not become the header
        self._rows.append(row)
        self._lines.append(line)
        self._marked.append(marked)
        self._hidden.append(hidden)
        needed = self._chunk if self._decided else max(self._chunk, HEADER_SEARCH_ROWS + HEADER_LOOKAHEAD + 1)
        if len(self._rows) >= needed:
            return self._flush()
        return []

    def finish(self) -> list[Piece]:
        return self._flush()

    @property
    def takes_blocks(self) -> bool:
        """True once the header is decided and no row waits: whole blocks may come now."""
        return self._decided and not self._rows

    def add_block(self, rows: list[list[str]], first_line: int | None) -> list[Piece]:
        """Emit a block of raw rows directly (the bulk path once the header is known).

        Cells are stripped column by column here, with ``map`` over each column, which costs a
        fraction of stripping row by row.
        """
        if not self.takes_blocks:
            out: list[Piece] = []
            for offset, row in enumerate(rows):
                out.extend(self.add([c.strip() for c in row], None if first_line is None else first_line + offset))
            return out
        return list(self._columns(rows, first_line, strip=True))

    def _flush(self) -> list[Piece]:
        out: list[Piece] = []
        if not self._decided:
            out.extend(self._decide_header())
        for start in range(0, len(self._rows), self._chunk):
            rows = self._rows[start : start + self._chunk]
            hidden = self._hidden[start : start + self._chunk]
            if any(hidden):
                out.extend(self._columns(_blank_where(rows, hidden, True), self._lines[start]))
                out.extend(self._columns(_blank_where(rows, hidden, False), self._lines[start], hidden_rows=True))
            else:
                out.extend(self._columns(rows, self._lines[start]))
        self._rows, self._lines, self._marked, self._hidden = [], [], [], []
        return out

    def _decide_header(self) -> list[Piece]:
        """Find the header; the rows above it become a ``Text``, the header rows go."""
        self._decided = True
        layout = find_header(self._rows, marked=self._marked)
        if layout is None:
            return []
        self._header = layout.names
        out: list[Piece] = []
        above = [" ".join(c for c in row if c) for row in self._rows[: layout.start]]
        if any(above):
            first = next(i for i, text in enumerate(above) if text)
            place = Field(sheet=self.sheet, part=self.part)
            out.append(Text(self.uri, "\n".join(above[first:]).rstrip("\n"), place, self._lines[first], self.page))
        del self._rows[: layout.data], self._lines[: layout.data]
        del self._marked[: layout.data], self._hidden[: layout.data]
        return out

    def column_name(self, index: int) -> str | None:
        """The header of 1-based column ``index`` once decided (for notes about a cell)."""
        return self._field(index).column

    def _field(self, index: int, hidden_rows: bool = False) -> Field:
        """Field of 1-based column ``index``; empty or missing header cells get ``#index``."""
        fields = self._hidden_fields if hidden_rows else self._fields
        while len(fields) < index:
            i = len(fields) + 1
            name = self._header[i - 1] if self._header and i <= len(self._header) else ""
            part = self.part or ("hidden rows" if hidden_rows else self._column_parts.get(i))
            fields.append(Field(sheet=self.sheet, column=name or None, column_index=i, part=part))
        return fields[index - 1]

    def _columns(
        self, rows: list[list[str]], first_line: int | None, strip: bool = False, hidden_rows: bool = False
    ) -> list[Values]:
        width = max(map(len, rows), default=0)
        if width == 0:
            return []
        # Ragged rows are read with zip_longest, one column at a time: padding every row to the
        # widest one would hold rows × width cells at once (a lone cell in column XFD).
        ragged = min(map(len, rows)) < width
        columns = itertools.zip_longest(*rows, fillvalue="") if ragged else zip(*rows, strict=True)
        out = []
        for index, column in enumerate(columns, start=1):
            values = list(map(str.strip, column)) if strip else list(column)
            if any(values):
                out.append(Values(self.uri, self._field(index, hidden_rows), values, first_line, self.page))
        return out


def _blank_where(rows: list[list[str]], hidden: list[bool], blank_hidden: bool) -> list[list[str]]:
    """The rows with the hidden (or the visible) ones blanked, so lines stay aligned."""
    return [[] if flag == blank_hidden else row for row, flag in zip(rows, hidden, strict=True)]


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
