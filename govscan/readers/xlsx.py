"""XLSX reader: openpyxl read-only, every worksheet streamed row by row, emitted column-wise.

Cells become the text a person sees in Excel, because detectors look for what is published:

* integers as written; integral floats without ``.0`` (Excel stores IINs as numbers:
  7.10508363018E+11 → ``710508363018``); other floats with Excel's 15 significant digits;
* a number whose format is all zeros (``000000000000``) is zero-padded to that width, which
  restores the leading zero of IINs of people born in the 2000s;
* dates as ISO ``YYYY-MM-DD`` (with `` HH:MM:SS`` when there is a time), booleans as
  ``TRUE``/``FALSE``, strings stripped.

The declared sizes inside the zip are checked before openpyxl touches it (zip-bomb guard;
openpyxl loads the whole shared-strings table even in read-only mode). Header detection and
chunking are the shared table logic; ``Field.sheet`` is the sheet title and ``first_line`` the
Excel row number.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from govscan.model import Asset, Values
from govscan.readers.archive import check_declared_sizes
from govscan.readers.limits import ReadContext, ReaderError
from govscan.readers.table import table_values

_ZERO_FORMAT = re.compile(r"^0+$")


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


def read_xlsx(asset: Asset, ctx: ReadContext) -> Iterator[Values]:
    limits = ctx.limits
    _check_archive(asset.path, ctx)
    with open(asset.path, "rb") as stream:
        try:
            import openpyxl  # ~0.1 s to import: only when a workbook shows up

            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises anything from KeyError to lxml errors
            raise ReaderError(f"not a valid XLSX ({_describe(exc)})") from None
        try:
            for sheet in workbook.worksheets:
                yield from table_values(asset.uri, _rows(sheet), limits, sheet=sheet.title)
        except ReaderError:
            raise
        except Exception as exc:
            raise ReaderError(f"not a valid XLSX ({_describe(exc)})") from None
        finally:
            workbook.close()


def _rows(sheet: Any) -> Iterator[tuple[int | None, list[str]]]:
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # the stored dimension is often wrong in generated files
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        row = [_cell(cell) for cell in cells]
        while row and not row[-1]:
            row.pop()
        yield number, row


def _cell(cell: Any) -> str:
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return cell_text(value, getattr(cell, "number_format", None))
    return cell_text(value)


def _check_archive(path: str, ctx: ReadContext) -> None:
    limits = ctx.limits
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReaderError(f"not a valid XLSX ({_describe(exc)})") from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise ReaderError("not a valid XLSX (no xl/workbook.xml; a .docx/.ods or plain zip?)")
    check_declared_sizes(infos, limits, what="XLSX part")
    for info in infos:
        if info.filename == "xl/sharedStrings.xml" and info.file_size > limits.xlsx_max_shared_strings_bytes:
            raise ReaderError(
                f"XLSX shared strings declare {info.file_size} bytes (limit {limits.xlsx_max_shared_strings_bytes})"
            )


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
