"""Legacy ``.xls`` (BIFF8) specifics calamine does not give: hidden rows and hidden columns.

The ``Workbook`` stream is a flat list of records (type, length, data). ``BOUNDSHEET`` records
in the workbook globals name each sheet and give the offset of its substream; in a sheet's
substream a ``ROW`` record with ``fDyZero`` is a hidden row and a ``COLINFO`` record with
``fHidden`` a range of hidden columns ([MS-XLS] 2.4.221, 2.4.53). Records are walked by their
lengths, bounded by the stream; a malformed stream ends the walk (the values are calamine's).
Cell comments of ``.xls`` (``NOTE`` + ``TXO`` in drawing objects) are not read.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from govscan.readers.xlsx import SheetExtras

_BOF, _EOF, _BOUNDSHEET, _ROW, _COLINFO = 0x0809, 0x000A, 0x0085, 0x0208, 0x007D
_CELLS = frozenset({0x00FD, 0x0203, 0x027E, 0x0201, 0x0204, 0x0205, 0x0006, 0x00D6})  # rw, col first
_MULTI = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: rw, first col … last col
_HEADER = struct.Struct("<HH")


class Extras:
    """``sheet(name)`` → the :class:`SheetExtras` of a sheet of a BIFF8 workbook."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._sheets: dict[str, SheetExtras] | None = None

    def sheet(self, name: str) -> SheetExtras:
        return self.prepare().get(name, SheetExtras())

    def prepare(self) -> dict[str, SheetExtras]:
        if self._sheets is None:
            self._sheets = _scan(self.path)
        return self._sheets

    def largest_extent(self) -> int:
        """Cells of the largest first-to-last-cell rectangle of a sheet (what calamine allocates)."""
        return max((extras.extent for extras in self.prepare().values()), default=0)


def _scan(path: str) -> dict[str, SheetExtras]:
    import olefile

    try:
        with olefile.OleFileIO(path) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(name).read()
    except Exception:  # olefile raises OSError, struct errors… on broken files: calamine reports them  # noqa: BLE001
        return {}
    sheets: dict[str, SheetExtras] = {}
    for sheet_name, offset in _boundsheets(stream):
        sheets[sheet_name] = _sheet(stream, offset)
    return sheets


def _records(stream: bytes, offset: int) -> Iterator[tuple[int, int, int]]:
    """``(type, data offset, length)`` of the records from ``offset`` to the next ``EOF``."""
    size = len(stream)
    while offset + 4 <= size:
        kind, length = _HEADER.unpack_from(stream, offset)
        data_at = offset + 4
        if data_at + length > size:
            return
        yield kind, data_at, length
        if kind == _EOF:
            return
        offset = data_at + length


def _boundsheets(stream: bytes) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for kind, at, length in _records(stream, 0):
        if kind == _BOUNDSHEET and length >= 8:
            (position,) = struct.unpack_from("<I", stream, at)
            count, flags = stream[at + 6], stream[at + 7]
            raw = stream[at + 8 : at + length]
            text = raw[: count * 2].decode("utf-16-le", "replace") if flags & 1 else raw[:count].decode("latin-1")
            out.append((text, position))
    return out


def _sheet(stream: bytes, offset: int) -> SheetExtras:
    extras = SheetExtras()
    if offset + 4 > len(stream) or _HEADER.unpack_from(stream, offset)[0] != _BOF:
        return extras
    first = True
    low_row = low_col = 1 << 20
    high_row = high_col = -1
    for kind, at, length in _records(stream, offset):
        if first:
            first = False
            continue  # the sheet's own BOF
        if kind == _BOF:
            break  # an embedded substream (a chart): this sheet's records are done
        if kind in _CELLS and length >= 4:
            row, col = struct.unpack_from("<HH", stream, at)
            low_row, high_row = min(low_row, row), max(high_row, row)
            low_col, high_col = min(low_col, col), max(high_col, col)
        elif kind in _MULTI and length >= 6:
            row, col = struct.unpack_from("<HH", stream, at)
            (last,) = struct.unpack_from("<H", stream, at + length - 2)
            low_row, high_row = min(low_row, row), max(high_row, row)
            low_col, high_col = min(low_col, col), max(high_col, last)
        elif kind == _ROW and length >= 16:
            row, flags = struct.unpack_from("<H", stream, at)[0], struct.unpack_from("<H", stream, at + 12)[0]
            if flags & 0x0020:
                extras.hidden_rows.add(row + 1)
        elif kind == _COLINFO and length >= 10:
            low, high, _, _, flags = struct.unpack_from("<HHHHH", stream, at)
            if flags & 0x0001 and low <= high:
                extras.hidden_columns.update(range(low + 1, min(high, 255) + 2))
    if high_row >= 0:
        extras.extent = (high_row - low_row + 1) * (max(high_col, low_col) - low_col + 1)
    return extras
