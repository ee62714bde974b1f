"""XLSX/XLSM specifics: cell text as Excel shows it, the package's hidden parts, a streaming path.

Cells become the text a person sees in Excel, because detectors look for what is published:

* integers as written; integral floats without ``.0`` (Excel stores IINs as numbers:
  7.10508363018E+11 → ``710508363018``); other floats with Excel's 15 significant digits;
* a number whose format is all zeros (``000000000000``) is zero-padded to that width, which
  restores the leading zero of IINs of people born in the 2000s;
* dates as ISO ``YYYY-MM-DD`` (with `` HH:MM:SS`` when there is a time), booleans as
  ``TRUE``/``FALSE``, strings stripped.

Values are read by calamine (:mod:`govscan.readers.spreadsheet`); what calamine does not give
is read here from the package's XML with the bounded, DTD- and entity-refusing parser of
:mod:`govscan.readers.office`: hidden rows and columns and zero-padded number formats of each
sheet (only when the sheet mentions them: the pass costs as much as reading the values), and
cell comments (``xl/comments*.xml``). A workbook whose sheet XML is too large to load whole is
streamed row by row with openpyxl instead (:func:`stream_rows`), so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from govscan.errors import described
from govscan.readers.archive import check_declared_sizes
from govscan.readers.limits import ReadContext, ReaderError
from govscan.readers.office import ENCRYPTED, iter_part, local

_ZERO_FORMAT = re.compile(r"^0+$")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_SCAN_CHUNK = 1 << 20
_REF_COLUMN = re.compile(rb'\sr="([A-Z]{1,3})\d')
_REF_ROW = re.compile(rb'\sr="[A-Z]{1,3}(\d{1,7})"')
_MAX_COMMENTS = 100_000


def cell_text(value: Any, number_format: str | None = None) -> str:
    """The text Excel would show for a cell value (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return _zero_pad(str(value), number_format)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return _zero_pad(str(int(value)), number_format)
        return format(value, ".15g")
    return _other_text(value)


def float_text(value: float) -> str:
    """:func:`cell_text` of a float without a number format (the bulk path's fast case)."""
    if value.is_integer() and -1e21 < value < 1e21:
        return str(int(value))
    return format(value, ".15g")


def _other_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _zero_pad(digits: str, number_format: str | None) -> str:
    if number_format and _ZERO_FORMAT.match(number_format) and digits.isdigit():
        return digits.zfill(len(number_format))
    return digits


def pad_width(number_format: str | None) -> int | None:
    """The width a number format pads integers to (``000000000000`` → 12), else None."""
    return len(number_format) if number_format and _ZERO_FORMAT.match(number_format) else None


def column_number(letters: str) -> int:
    """``A`` → 1, ``AA`` → 27."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``B7`` → (row 7, column 2), 1-based."""
    match = _CELL_REF.match(ref.strip())
    return (int(match.group(2)), column_number(match.group(1))) if match else None


# --- the package ---------------------------------------------------------------------------


@dataclass(slots=True)
class SheetExtras:
    """What a sheet holds beside its values: hidden rows/columns, padded columns, comments."""

    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    pad_columns: dict[int, int] = field(default_factory=dict)  # column → width of its zero format
    comments: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column, text)
    extent: int = 0  # cells of the first-to-last-cell rectangle, where the format reader counts it


def check_package(path: str, ctx: ReadContext) -> list[zipfile.ZipInfo]:
    """Refuse a broken, encrypted or bomb-like XLSX before any parser touches it."""
    limits = ctx.limits
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReaderError(f"not a valid XLSX ({described(exc, 200)})") from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise ReaderError("not a valid XLSX (no xl/workbook.xml; a .docx/.ods or plain zip?)")
    if any(info.flag_bits & 0x1 for info in infos):
        raise ReaderError(ENCRYPTED)
    check_declared_sizes(infos, limits, what="XLSX part")
    for info in infos:
        if info.filename == "xl/sharedStrings.xml" and info.file_size > limits.xlsx_max_shared_strings_bytes:
            raise ReaderError(
                f"XLSX shared strings declare {info.file_size} bytes (limit {limits.xlsx_max_shared_strings_bytes})"
            )
    return infos


class Package:
    """The parts of an XLSX that say where each sheet is and what it hides."""

    def __init__(self, path: str, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.archive = zipfile.ZipFile(path)
        self.infos = {info.filename: info for info in self.archive.infolist()}
        self._hidden: set[str] = set()
        self.sheet_parts = self._sheet_parts()
        self._pad_styles: dict[int, int] | None = None

    def close(self) -> None:
        self.archive.close()

    def hidden_sheets(self) -> set[str]:
        """Names of hidden and very hidden sheets (``state`` of ``xl/workbook.xml``)."""
        return set(self._hidden)

    def largest_sheet_bytes(self) -> int:
        return max((self.infos[p].file_size for p in self.sheet_parts.values() if p in self.infos), default=0)

    def largest_extent(self) -> int:
        """Cells of the largest rectangle calamine would allocate for a sheet (first to last cell).

        calamine allocates the whole rectangle between a sheet's first and last cell: a sheet
        holding ``A1`` and ``XFD6000`` is two cells of XML and 98 million cells (3 GB) once
        loaded. The cell references are scanned from the unpacked XML, without parsing it.
        """
        return max((self._extent(p) for p in self.sheet_parts.values() if p in self.infos), default=0)

    def _extent(self, part: str) -> int:
        columns: set[bytes] = set()
        low, high = 1 << 30, 0
        tail = b""
        try:
            with self.archive.open(self.infos[part]) as stream:
                while chunk := stream.read(_SCAN_CHUNK):
                    data = tail + chunk
                    cut = data.rfind(b"<")
                    body, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                    columns.update(_REF_COLUMN.findall(body))
                    rows = _REF_ROW.findall(body)
                    if rows:
                        low, high = min(low, min(map(int, rows))), max(high, max(map(int, rows)))
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise ReaderError(f"not a valid XLSX ({described(exc, 200)})") from None
        if not columns or not high:
            return 0
        numbers = [column_number(c.decode("ascii")) for c in columns]
        return (high - low + 1) * (max(numbers) - min(numbers) + 1)

    def extras(self, sheet: str) -> SheetExtras:
        """Hidden rows/columns and padded columns (one bounded pass when needed), and comments."""
        extras = SheetExtras()
        part = self.sheet_parts.get(sheet)
        if part is None or part not in self.infos:
            return extras
        pad_styles = self._zero_styles()
        if pad_styles or self._mentions(part, b"hidden="):
            self._scan_sheet(part, pad_styles, extras)
        comments = self._related(part, "/comments")
        if comments:
            extras.comments = self._comments(comments)
        return extras

    # --- parts ----------------------------------------------------------------------------

    def _elements(self, name: str) -> Iterator[Element]:
        for event, elem in iter_part(self.archive, self.infos[name], self.ctx, "XLSX"):
            if event == "end":
                yield elem

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, resolved part name) of ``part``."""
        directory, name = posixpath.split(part)
        rels = posixpath.join(directory, "_rels", name + ".rels")
        out: dict[str, tuple[str, str]] = {}
        if rels not in self.infos:
            return out
        for elem in self._elements(rels):
            if local(elem.tag) == "Relationship":
                target = elem.get("Target") or ""
                resolved = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(directory, target))
                )
                out[elem.get("Id") or ""] = (elem.get("Type") or "", resolved)
        return out

    def _sheet_parts(self) -> dict[str, str]:
        rels = self._rels("xl/workbook.xml")
        parts: dict[str, str] = {}
        for elem in self._elements("xl/workbook.xml"):
            if local(elem.tag) == "sheet":
                rid = next((v for k, v in elem.attrib.items() if local(k) == "id"), None)
                if rid in rels and elem.get("name"):
                    parts[elem.get("name") or ""] = rels[rid][1]
                if (elem.get("state") or "visible") != "visible":
                    self._hidden.add(elem.get("name") or "")
        return parts

    def _related(self, part: str, type_suffix: str) -> str | None:
        for kind, target in self._rels(part).values():
            if kind.endswith(type_suffix) and target in self.infos:
                return target
        return None

    def _zero_styles(self) -> dict[int, int]:
        """Cell style index → width, for styles whose number format is all zeros."""
        if self._pad_styles is not None:
            return self._pad_styles
        self._pad_styles = {}
        if "xl/styles.xml" not in self.infos:
            return self._pad_styles
        formats: dict[str, int] = {}
        index = 0
        in_cell_xfs = False
        for event, elem in iter_part(self.archive, self.infos["xl/styles.xml"], self.ctx, "XLSX"):
            tag = local(elem.tag)
            if tag == "cellXfs":
                in_cell_xfs = event == "start"
            elif event == "end" and tag == "numFmt":
                width = pad_width(elem.get("formatCode"))
                if width:
                    formats[elem.get("numFmtId") or ""] = width
            elif event == "end" and tag == "xf" and in_cell_xfs:
                width = formats.get(elem.get("numFmtId") or "")
                if width:
                    self._pad_styles[index] = width
                index += 1
        return self._pad_styles

    def _mentions(self, part: str, needle: bytes) -> bool:
        """Whether the unpacked part contains ``needle`` (a cheap scan before a full parse)."""
        info = self.infos[part]
        tail = b""
        read = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(_SCAN_CHUNK):
                    read += len(chunk)
                    if read > info.file_size:
                        raise ReaderError(f"XLSX part {part} unpacks beyond its declared size (zip bomb?)")
                    if needle in tail + chunk[: len(needle)] or needle in chunk:
                        return True
                    tail = chunk[-len(needle) :]
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise ReaderError(f"not a valid XLSX ({described(exc, 200)})") from None
        return False

    def _scan_sheet(self, part: str, pad_styles: dict[int, int], extras: SheetExtras) -> None:
        parent: Element | None = None
        for event, elem in iter_part(self.archive, self.infos[part], self.ctx, "XLSX"):
            tag = local(elem.tag)
            if event == "start":
                if tag == "sheetData":
                    parent = elem
                continue
            if tag == "col" and _flag(elem.get("hidden")):
                low, high = _int(elem.get("min")), _int(elem.get("max"))
                if low and high and 0 < low <= high:
                    extras.hidden_columns.update(range(low, min(high, 16384) + 1))
            elif tag == "c" and pad_styles:
                width = pad_styles.get(_int(elem.get("s")) or 0) if elem.get("s") else None
                where = parse_ref(elem.get("r") or "")
                if width and where:
                    extras.pad_columns.setdefault(where[1], width)
            elif tag == "row":
                if _flag(elem.get("hidden")) and _int(elem.get("r")):
                    extras.hidden_rows.add(_int(elem.get("r")) or 0)
                if parent is not None:
                    del parent[:]  # the row is done: memory stays one row deep

    def _comments(self, part: str) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        texts: list[str] = []
        for event, elem in iter_part(self.archive, self.infos[part], self.ctx, "XLSX"):
            tag = local(elem.tag)
            if event == "start":
                if tag == "comment":
                    texts = []
                continue
            if tag == "t" and elem.text:
                texts.append(elem.text)
            elif tag == "comment":
                where = parse_ref(elem.get("ref") or "")
                text = " ".join("".join(texts).split())
                if where and text and len(out) < _MAX_COMMENTS:
                    out.append((where[0], where[1], text))
                elem.clear()
        return out


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true")


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 9 else None


# --- the streaming path ----------------------------------------------------------------------


def stream_rows(path: str) -> Iterator[tuple[str, Iterator[list[str]]]]:
    """``(sheet title, rows)`` per worksheet, streamed by openpyxl in read-only mode.

    Rows start at Excel row 1 and column A, cells as :func:`cell_text` renders them.
    """
    import openpyxl  # ~0.1 s to import: only for workbooks too big to load whole

    with open(path, "rb") as stream:
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises anything from KeyError to lxml errors
            raise ReaderError(f"not a valid XLSX ({described(exc, 200)})") from None
        try:
            for sheet in workbook.worksheets:
                yield sheet.title, _openpyxl_rows(sheet)
        finally:
            workbook.close()


def _openpyxl_rows(sheet: Any) -> Iterator[list[str]]:
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # the stored dimension is often wrong in generated files
    for cells in sheet.iter_rows():
        yield [_openpyxl_cell(cell) for cell in cells]


def _openpyxl_cell(cell: Any) -> str:
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return cell_text(value, getattr(cell, "number_format", None))
    return cell_text(value)
