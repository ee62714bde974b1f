"""Spreadsheets — ``.xlsx``/``.xlsm``, ``.xls``, ``.xlsb``, ``.ods`` — read by calamine.

python-calamine (Rust calamine) reads all five formats, about 20× faster than openpyxl's
read-only mode on a 100,000-row XLSX (``benchmarks/bench_spreadsheet.py``). It loads one sheet at a time
whole, so memory grows with the sheet: every format is bounded *before* loading, by the bytes
of the sheet part (XLSX, XLSB), of ``content.xml`` (ODS) or of the file (XLS); an XLSX sheet
above the bound is streamed row by row with openpyxl instead (flat memory, slower). Cells,
sheets and seconds are bounded while reading.

Each sheet is one table (:class:`~govscan.readers.table.TableBuilder`: its header is found
under title rows, ``first_line`` is the spreadsheet's row number, column indexes are the
spreadsheet's columns). Where a leak hides is said by ``Field.part``: ``hidden sheet``
(hidden and very hidden sheets, every format), ``hidden rows`` and ``hidden column`` (XLSX, ODS,
XLS), ``comment`` (XLSX, ODS; comments come out as ``Text``, on the row of their cell).
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from govscan.errors import described
from govscan.model import Asset, Field, Piece, Text
from govscan.readers import ods, xls, xlsx
from govscan.readers.archive import check_declared_sizes
from govscan.readers.limits import MIB, ReadContext, ReaderError
from govscan.readers.office import ENCRYPTED, check_odf_encryption
from govscan.readers.table import TableBuilder

IN_MEMORY_SHEET_BYTES = 64 * MIB
"""Largest sheet part (XLSX/XLSB sheet XML or BIFF12, ODS ``content.xml``) loaded whole.

calamine holds a loaded sheet at 50–100 bytes per cell; sheet XML takes 20–90 bytes per cell,
so this bounds one loaded sheet to a few hundred MB at worst."""
IN_MEMORY_CELLS = 4_000_000
"""Largest rectangle of cells (first to last cell of a sheet) calamine is let to allocate.

It allocates every cell of the rectangle, 32 bytes each before any text: a sparse sheet (two
cells far apart) is refused here, or, for XLSX, streamed by openpyxl instead."""
MAX_XLS_BYTES = 256 * MIB
"""calamine loads a whole ``.xls``; a BIFF sheet holds at most 65,536 × 256 cells, and lists
published as ``.xls`` are far smaller than this."""
MAX_CELLS = 20_000_000
"""Cells read from one workbook, all sheets together."""
MAX_SHEETS = 1000
MAX_SECONDS = 600.0
"""Wall-clock bound on reading one workbook, checked between rows."""

HIDDEN_SHEET = "hidden sheet"
HIDDEN_COLUMN = "hidden column"
COMMENT = "comment"

_NAMES = {"xlsx": "XLSX", "xls": "XLS", "xlsb": "XLSB", "ods": "ODS"}


def read_xlsx(asset: Asset, ctx: ReadContext) -> Iterator[Piece]:
    """XLSX/XLSM: calamine, or openpyxl streaming for a sheet too big to load whole."""
    xlsx.check_package(asset.path, ctx)
    package = _open(lambda: xlsx.Package(asset.path, ctx), "XLSX")
    try:
        if package.largest_sheet_bytes() > IN_MEMORY_SHEET_BYTES or package.largest_extent() > IN_MEMORY_CELLS:
            yield from _streamed_xlsx(asset, ctx, package)
        else:
            yield from _workbook(asset, ctx, "xlsx", package.extras)
    finally:
        package.close()


def read_xlsb(asset: Asset, ctx: ReadContext) -> Iterator[Piece]:
    infos = _zip_infos(asset.path, "XLSB", ctx)
    if "xl/workbook.bin" not in infos:
        raise ReaderError("not a valid XLSB (no xl/workbook.bin)")
    largest = max((i.file_size for n, i in infos.items() if n.startswith("xl/worksheets/")), default=0)
    _bound(largest, "XLSB sheet")
    yield from _workbook(asset, ctx, "xlsb", None)


def read_ods(asset: Asset, ctx: ReadContext) -> Iterator[Piece]:
    infos = _zip_infos(asset.path, "ODS", ctx)
    if "content.xml" not in infos:
        raise ReaderError("not a valid ODS (no content.xml)")
    with zipfile.ZipFile(asset.path) as archive:  # a password encrypts the parts, not the zip
        check_odf_encryption(archive, infos)
    _bound(infos["content.xml"].file_size, "ODS content.xml")
    scan = ods.Extras(asset.path, ctx)
    try:
        _bound_cells(max((extras.extent for extras in scan.prepare().values()), default=0), "ODS")
        yield from _workbook(asset, ctx, "ods", scan.sheet)
    finally:
        scan.close()


def read_xls(asset: Asset, ctx: ReadContext) -> Iterator[Piece]:
    """Legacy BIFF ``.xls``: values, hidden sheets, rows and columns (comments are not read)."""
    try:
        size = os.path.getsize(asset.path)
    except OSError as exc:
        raise ReaderError(described(exc, 200)) from None
    if size > MAX_XLS_BYTES:
        raise ReaderError(f"XLS file of {size} bytes is larger than a workbook can be (limit {MAX_XLS_BYTES})")
    scan = xls.Extras(asset.path)
    _bound_cells(scan.largest_extent(), "XLS")
    yield from _workbook(asset, ctx, "xls", scan.sheet)


# --- one workbook ------------------------------------------------------------------------------


class _Budget:
    def __init__(self) -> None:
        self.cells = MAX_CELLS
        self.deadline = time.monotonic() + MAX_SECONDS
        self._rows = 0

    def take(self, cells: int) -> None:
        self.cells -= cells
        if self.cells < 0:
            raise ReaderError(f"more than {MAX_CELLS} cells; rest not read")
        self._rows += 1
        if not self._rows & 0x3FF and time.monotonic() > self.deadline:
            raise ReaderError(f"reading took longer than {MAX_SECONDS:.0f} s; rest not read")


def _workbook(
    asset: Asset, ctx: ReadContext, kind: str, extras_of: Callable[[str], xlsx.SheetExtras] | None
) -> Iterator[Piece]:
    import python_calamine as calamine  # a compiled module: imported when a workbook shows up

    what = _NAMES[kind]
    workbook = _open(lambda: calamine.CalamineWorkbook.from_path(asset.path), what)
    budget = _Budget()
    try:
        sheets = [m for m in workbook.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
        if len(sheets) > MAX_SHEETS:
            raise ReaderError(f"{what} has {len(sheets)} sheets (limit {MAX_SHEETS})")
        unread: ReaderError | None = None
        for number, meta in enumerate(sheets, start=1):
            hidden = meta.visible != calamine.SheetVisibleEnum.Visible
            extras = xlsx.SheetExtras()
            try:
                extras = extras_of(meta.name) if extras_of else extras
            except ReaderError as exc:  # the values can still be read: the problem is told at the end
                unread = unread or ReaderError(f"sheet {number}: hidden rows and comments not read ({exc})")
            sheet = _open(lambda name=meta.name: workbook.get_sheet_by_name(name), what)
            start = sheet.start or (0, 0)
            rows = _calamine_rows(sheet.iter_rows(), start[1], what)
            yield from sheet_pieces(asset.uri, ctx, meta.name, rows, start[0] + 1, extras, hidden, budget)
            del sheet, rows  # the loaded sheet goes before the next one is loaded
        if unread is not None:
            raise unread
    finally:
        workbook.close()


def _calamine_rows(rows: Iterable[list[Any]], first_column: int, what: str) -> Iterator[list[str]]:
    text = xlsx.cell_text
    fast: dict[type, Callable[[Any], str]] = {str: str.strip, float: xlsx.float_text, int: str}
    pad = [""] * first_column
    try:
        for raw in rows:
            row = [fast.get(type(v), text)(v) for v in raw]
            yield pad + row if pad else row
    except ReaderError:
        raise
    except Exception as exc:  # calamine errors on a broken sheet surface while iterating
        raise _problem(exc, what) from None


def sheet_pieces(
    uri: str,
    ctx: ReadContext,
    name: str,
    rows: Iterable[list[str]],
    first_line: int,
    extras: xlsx.SheetExtras,
    hidden: bool,
    budget: _Budget,
) -> Iterator[Piece]:
    """One sheet as a table: rows numbered from ``first_line``, hidden parts said, comments as text.

    Rows read before a problem are emitted before it is raised.
    """
    builder = TableBuilder(
        uri,
        ctx.limits,
        sheet=name,
        part=HIDDEN_SHEET if hidden else None,
        column_parts=dict.fromkeys(extras.hidden_columns, HIDDEN_COLUMN),
    )
    pads = extras.pad_columns
    hidden_rows = extras.hidden_rows
    chunk = max(1, ctx.limits.chunk_rows)
    block: list[list[str]] = []
    block_line = first_line
    try:
        for line, row in enumerate(rows, start=first_line):
            while row and not row[-1]:
                row.pop()
            for column, width in pads.items():
                if column <= len(row) and row[column - 1].isdigit():
                    row[column - 1] = row[column - 1].zfill(width)
            budget.take(len(row) or 1)
            if hidden_rows or not builder.takes_blocks:
                yield from builder.add(row, line, hidden=line in hidden_rows)
                continue
            if not block:
                block_line = line
            block.append(row)  # the header is decided: whole blocks go at once
            if len(block) >= chunk:
                yield from builder.add_block(block, block_line)
                block = []
    except Exception:
        yield from builder.add_block(block, block_line) if block else ()
        yield from builder.finish()
        raise
    if block:
        yield from builder.add_block(block, block_line)
    yield from builder.finish()
    for line, column, text in extras.comments:
        place = Field(sheet=name, column=builder.column_name(column), column_index=column, part=COMMENT)
        yield Text(uri, text, place, line)


def _streamed_xlsx(asset: Asset, ctx: ReadContext, package: xlsx.Package) -> Iterator[Piece]:
    budget = _Budget()
    hidden_sheets = package.hidden_sheets()
    try:
        for title, rows in xlsx.stream_rows(asset.path):
            extras = package.extras(title)
            yield from sheet_pieces(asset.uri, ctx, title, rows, 1, extras, title in hidden_sheets, budget)
    except ReaderError:
        raise
    except Exception as exc:
        raise ReaderError(f"not a valid XLSX ({described(exc, 200)})") from None


# --- bounds and errors -------------------------------------------------------------------------


def _zip_infos(path: str, what: str, ctx: ReadContext) -> dict[str, zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReaderError(f"not a valid {what} ({described(exc, 200)})") from None
    if any(info.flag_bits & 0x1 for info in infos):
        raise ReaderError(ENCRYPTED)
    check_declared_sizes(infos, ctx.limits, what=f"{what} part")
    return {info.filename: info for info in infos}


def _bound(size: int, what: str) -> None:
    if size > IN_MEMORY_SHEET_BYTES:
        raise ReaderError(f"{what} of {size} bytes is too large to read (limit {IN_MEMORY_SHEET_BYTES})")


def _bound_cells(extent: int, what: str) -> None:
    if extent > IN_MEMORY_CELLS:
        raise ReaderError(
            f"{what} sheet spans {extent} cells from its first to its last (limit {IN_MEMORY_CELLS}); not read"
        )


def _open(make: Callable[[], Any], what: str) -> Any:
    try:
        return make()
    except ReaderError:
        raise
    except Exception as exc:  # calamine, zipfile and XML errors of a broken file
        raise _problem(exc, what) from None


def _problem(exc: BaseException, what: str) -> ReaderError:
    if type(exc).__name__ == "PasswordError" or "password" in str(exc).lower() or "encrypt" in str(exc).lower():
        return ReaderError(ENCRYPTED)
    return ReaderError(f"not a valid {what} ({described(exc, 200)})")
