"""ODS specifics calamine does not give: hidden rows and columns, cell comments (annotations).

One bounded pass over ``content.xml`` (DTD- and entity-refusing, bytes counted as unpacked:
:func:`govscan.readers.office.iter_part`), taken only when the part mentions a collapsed row or
column or an ``office:annotation`` — the pass costs as much as reading the values. Rows and
columns are counted with their ``number-rows-repeated``/``number-columns-repeated``, so indexes
match calamine's (1-based, as a spreadsheet shows them).
"""

from __future__ import annotations

import zipfile
from xml.etree.ElementTree import Element

from govscan.readers.limits import ReadContext, ReaderError
from govscan.readers.office import describe, iter_part, local
from govscan.readers.xlsx import SheetExtras

_NEEDLES = (b"table:visibility=", b"<office:annotation")
_MAX_HIDDEN = 200_000
"""Hidden row/column indexes kept per workbook (a million repeated empty rows may be hidden)."""
_MAX_COMMENTS = 100_000
_SCAN_CHUNK = 1 << 20


class Extras:
    """``sheet(name)`` → the :class:`SheetExtras` of a sheet of an ODS workbook."""

    def __init__(self, path: str, ctx: ReadContext) -> None:
        self.path = path
        self.ctx = ctx
        self._sheets: dict[str, SheetExtras] | None = None

    def close(self) -> None:
        self._sheets = None

    def sheet(self, name: str) -> SheetExtras:
        if self._sheets is None:
            self._sheets = self._scan()
        return self._sheets.get(name, SheetExtras())

    def _scan(self) -> dict[str, SheetExtras]:
        try:
            with zipfile.ZipFile(self.path) as archive:
                info = archive.getinfo("content.xml")
                if not _mentions(archive, info):
                    return {}
                return _walk(archive, info, self.ctx)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError) as exc:
            raise ReaderError(f"not a valid ODS ({describe(exc)})") from None


def _mentions(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    read = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            read += len(chunk)
            if read > info.file_size:
                raise ReaderError("ODS part content.xml unpacks beyond its declared size (zip bomb?)")
            window = tail + chunk
            if any(needle in window for needle in _NEEDLES):
                return True
            tail = chunk[-32:]
    return False


def _repeat(elem: Element, attribute: str) -> int:
    for key, value in elem.attrib.items():
        if local(key) == attribute:
            return int(value) if value.isdigit() and len(value) <= 8 else 1
    return 1


def _hidden(elem: Element) -> bool:
    return any(local(k) == "visibility" and v in ("collapsed", "filter") for k, v in elem.attrib.items())


def _walk(archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: ReadContext) -> dict[str, SheetExtras]:
    sheets: dict[str, SheetExtras] = {}
    current: SheetExtras | None = None
    stack: list[Element] = []
    row = column = next_column = 0
    kept = 0
    for event, elem in iter_part(archive, info, ctx, "ODS"):
        tag = local(elem.tag)
        if event == "start":
            stack.append(elem)
            if tag == "table":
                name = next((v for k, v in elem.attrib.items() if local(k) == "name"), "")
                current = sheets.setdefault(name, SheetExtras())
                row, next_column = 0, 1
            elif tag == "table-row":
                column = 1
            continue
        stack.pop()
        if current is None:
            continue
        if tag == "table-column":
            count = _repeat(elem, "number-columns-repeated")
            if _hidden(elem) and kept < _MAX_HIDDEN:
                current.hidden_columns.update(range(next_column, next_column + min(count, 16384, _MAX_HIDDEN - kept)))
                kept += count
            next_column += count
        elif tag in ("table-cell", "covered-table-cell"):
            column += _repeat(elem, "number-columns-repeated")
        elif tag == "annotation":
            text = " ".join(" ".join(p.itertext()) for p in elem.iter() if local(p.tag) == "p" and elem is not p)
            text = " ".join(text.split())
            if text and len(current.comments) < _MAX_COMMENTS:
                current.comments.append((row + 1, column, text))
            elem.clear()
        elif tag == "table-row":
            count = _repeat(elem, "number-rows-repeated")
            if _hidden(elem) and kept < _MAX_HIDDEN:
                current.hidden_rows.update(range(row + 1, row + 1 + min(count, _MAX_HIDDEN - kept)))
                kept += count
            row += count
            if stack:
                del stack[-1][:]  # the row is done: memory stays one row deep
        elif tag == "table":
            current = None
    return sheets
