"""ODS specifics calamine does not give: hidden rows and columns, cell comments (annotations).

One bounded pass over ``content.xml`` (DTD- and entity-refusing, bytes counted as unpacked:
:func:`govscan.readers.office.iter_part`), taken before calamine loads the workbook. Rows and
columns are counted with their ``number-rows-repeated``/``number-columns-repeated``, so indexes
match calamine's (1-based, as a spreadsheet shows them). The same pass counts the cells calamine
would build: a cell with a value repeated 1,000 columns wide in a row repeated 20,000 times is
20 million cells (2.4 GB in calamine) from one line of XML: each sheet's first-to-last-cell
rectangle (``SheetExtras.extent``) is bounded by the caller before calamine loads the workbook,
and the walk itself stops past ``MAX_CELLS`` cells holding a value.
"""

from __future__ import annotations

import zipfile
from typing import Any

from govscan.errors import described
from govscan.readers.limits import ReadContext, ReaderError
from govscan.readers.office import check_part
from govscan.readers.xlsx import SheetExtras

MAX_CELLS = 20_000_000
"""Cells holding a value an ODS may expand to, all sheets together (the walk stops past it)."""
_MAX_HIDDEN = 200_000
"""Hidden row/column indexes kept per workbook (a million repeated empty rows may be hidden)."""
_MAX_COMMENTS = 100_000


class Extras:
    """``sheet(name)`` → the :class:`SheetExtras` of a sheet of an ODS workbook."""

    def __init__(self, path: str, ctx: ReadContext) -> None:
        self.path = path
        self.ctx = ctx
        self._sheets: dict[str, SheetExtras] | None = None

    def close(self) -> None:
        self._sheets = None

    def sheet(self, name: str) -> SheetExtras:
        return self.prepare().get(name, SheetExtras())

    def prepare(self) -> dict[str, SheetExtras]:
        """Walk ``content.xml`` once (refusing a repeat bomb): call before calamine loads it."""
        if self._sheets is None:
            try:
                with zipfile.ZipFile(self.path) as archive:
                    self._sheets = _walk(archive, archive.getinfo("content.xml"), self.ctx)
            except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError) as exc:
                raise ReaderError(f"not a valid ODS ({described(exc, 200)})") from None
        return self._sheets


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT_P = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
_T = "{" + _TABLE + "}"
_TAGS = [f"{_T}table", f"{_T}table-row", f"{_T}table-column", f"{_T}table-cell", f"{_T}covered-table-cell"]
_ANNOTATION = "{" + _OFFICE + "}annotation"
_VALUE_TYPE = "{" + _OFFICE + "}value-type"


def _repeat(elem: Any, attribute: str) -> int:
    value = elem.get(_T + attribute) or ""
    return int(value) if value.isdigit() and len(value) <= 8 else 1


def _hidden(elem: Any) -> bool:
    return elem.get(_T + "visibility") in ("collapsed", "filter")


def _walk(archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: ReadContext) -> dict[str, SheetExtras]:
    """lxml's iterparse, events only for the table elements (ten times fewer Python calls than a
    full walk), entities not resolved, no DTD or network; a finished row is dropped at once."""
    from lxml import etree

    walk = _Walk()
    check_part(info, ctx.limits, "ODS")
    with archive.open(info) as stream:
        events = etree.iterparse(
            stream,
            events=("start", "end"),
            tag=[*_TAGS, _ANNOTATION],
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
        )
        try:
            for event, elem in events:
                if event == "start":
                    walk.start(elem)
                elif walk.current is not None:
                    walk.end(elem)
        except etree.XMLSyntaxError as exc:
            raise ReaderError(f"malformed XML in ODS part content.xml: {described(exc, 200)}") from None
    return walk.sheets


class _Walk:
    """The walk's position (sheet, row, column) and its counts: hidden indexes kept, cells built."""

    def __init__(self) -> None:
        self.sheets: dict[str, SheetExtras] = {}
        self.current: SheetExtras | None = None
        self.row = self.column = self.next_column = 0
        self.kept = self.cells = self.row_cells = self.high_row = self.high_col = 0

    def start(self, elem: Any) -> None:
        tag = elem.tag
        if self.current is None and elem.getroottree().docinfo.internalDTD is not None:
            raise ReaderError("ODS content.xml declares a DTD (entities refused)")
        if tag == _T + "table":
            self.current = self.sheets.setdefault(elem.get(_T + "name") or "", SheetExtras())
            self.row, self.next_column, self.high_row, self.high_col = 0, 1, 0, 0
        elif tag == _T + "table-row":
            self.column, self.row_cells = 1, 0

    def end(self, elem: Any) -> None:
        tag, current = elem.tag, self.current
        assert current is not None
        if tag == _T + "table-column":
            count = _repeat(elem, "number-columns-repeated")
            if _hidden(elem) and self.kept < _MAX_HIDDEN:
                end = self.next_column + min(count, 16384, _MAX_HIDDEN - self.kept)
                current.hidden_columns.update(range(self.next_column, end))
                self.kept += count
            self.next_column += count
        elif tag in (_T + "table-cell", _T + "covered-table-cell"):
            count = _repeat(elem, "number-columns-repeated")
            if len(elem) or elem.get(_VALUE_TYPE):
                self.row_cells += count  # calamine builds every repeated cell that holds something
                self.high_col = max(self.high_col, self.column + count - 1)
            self.column += count
        elif tag == _ANNOTATION:
            text = " ".join(" ".join(p.itertext()) for p in elem.iter(_TEXT_P))
            text = " ".join(text.split())
            if text and len(current.comments) < _MAX_COMMENTS:
                current.comments.append((self.row + 1, self.column, text))
        elif tag == _T + "table-row":
            self.end_row(elem, current)
        elif tag == _T + "table":
            self.current = None

    def end_row(self, elem: Any, current: SheetExtras) -> None:
        count = _repeat(elem, "number-rows-repeated")
        if _hidden(elem) and self.kept < _MAX_HIDDEN:
            current.hidden_rows.update(range(self.row + 1, self.row + 1 + min(count, _MAX_HIDDEN - self.kept)))
            self.kept += count
        self.row += count
        self.cells += count * self.row_cells
        if self.row_cells:
            self.high_row = self.row
            current.extent = self.high_row * self.high_col  # from A1: calamine's start may be later
        if self.cells > MAX_CELLS:
            raise ReaderError(f"ODS expands to more than {MAX_CELLS} cells (repeated cells); not read")
        elem.clear()
        parent = elem.getparent()
        while parent is not None and len(parent) > 1 and parent[0] is not elem:
            del parent[0]  # rows (and columns) already walked: memory stays one row deep
