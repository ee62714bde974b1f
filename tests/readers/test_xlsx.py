"""XLSX: every sheet, cells as Excel shows them, broken and bomb-like workbooks refused."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl

from govscan.model import Field
from govscan.readers.xlsx import cell_text


def _workbook(path: Path, sheets: dict[str, list[list[object]]], formats: dict[str, str] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for coordinate, number_format in (formats or {}).items():
            sheet[coordinate].number_format = number_format
    workbook.save(path)
    return path


def test_every_sheet_is_read_with_its_title_as_sheet(tmp_path, read_file):
    path = _workbook(
        tmp_path / "book.xlsx",
        {"Заявители": [["ИИН", "ФИО"], ["710508363018", "Иванов Иван"]], "Контакты": [["Телефон"], ["+77011234567"]]},
    )
    pieces = read_file(path)
    assert [v.field for v in pieces.values] == [
        Field(sheet="Заявители", column="ИИН", column_index=1),
        Field(sheet="Заявители", column="ФИО", column_index=2),
        Field(sheet="Контакты", column="Телефон", column_index=1),
    ]
    assert pieces.columns["Контакты!Телефон"] == ["+77011234567"]


def test_iins_stored_as_numbers_come_out_as_digits(tmp_path, read_file):
    path = _workbook(tmp_path / "n.xlsx", {"S": [["ИИН", "Сумма"], [710508363018.0, 1500.5], [810508363018, 7]]})
    assert read_file(path).columns == {"S!ИИН": ["710508363018", "810508363018"], "S!Сумма": ["1500.5", "7"]}


def test_zero_padded_number_format_restores_leading_zeros(tmp_path, read_file):
    path = _workbook(tmp_path / "z.xlsx", {"S": [["ИИН"], [20304500111]]}, formats={"A2": "000000000000"})
    assert read_file(path).columns == {"S!ИИН": ["020304500111"]}


def test_first_line_is_the_excel_row_number(tmp_path, read_file):
    path = _workbook(tmp_path / "r.xlsx", {"S": [["ИИН"], ["710508363018"]]})
    assert [v.first_line for v in read_file(path).values] == [2]


def test_headerless_sheet_gets_numbered_columns(tmp_path, read_file):
    path = _workbook(tmp_path / "h.xlsx", {"S": [[710508363018, "+77011234567"], [810508363018, "+77021234567"]]})
    assert read_file(path).columns == {
        "S!#1": ["710508363018", "810508363018"],
        "S!#2": ["+77011234567", "+77021234567"],
    }


def test_cell_text_matches_what_excel_shows():
    assert cell_text(7.10508363018e11) == "710508363018"
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(True) == "TRUE"
    assert cell_text(dt.datetime(1971, 5, 8)) == "1971-05-08"
    assert cell_text(dt.datetime(2023, 1, 2, 10, 30)) == "2023-01-02 10:30:00"
    assert cell_text(dt.date(2001, 2, 3)) == "2001-02-03"
    assert cell_text(None) == ""
    assert cell_text("  Иванов ") == "Иванов"


def test_dates_are_iso(tmp_path, read_file):
    path = _workbook(tmp_path / "d.xlsx", {"S": [["Дата рождения"], [dt.datetime(1971, 5, 8)]]})
    assert read_file(path).columns == {"S!Дата рождения": ["1971-05-08"]}


def test_xlsx_without_extension_is_recognised_by_content(tmp_path, read_file):
    path = _workbook(tmp_path / "download.xlsx", {"S": [["ИИН"], ["710508363018"]]})
    renamed = path.rename(tmp_path / "download")
    assert read_file(renamed).columns == {"S!ИИН": ["710508363018"]}


def test_truncated_xlsx_is_a_read_error(tmp_path, read_file):
    path = _workbook(tmp_path / "t.xlsx", {"S": [["ИИН"], ["710508363018"]]})
    path.write_bytes(path.read_bytes()[:1500])
    pieces = read_file(path)
    assert pieces.values == []
    assert pieces.problems[0].startswith("not a valid XLSX (")


def test_zip_without_workbook_named_xlsx_is_a_read_error(tmp_path, read_file):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert read_file(path).problems == ["not a valid XLSX (no xl/workbook.xml; a .docx/.ods or plain zip?)"]


def test_bomb_like_xlsx_is_refused_before_opening(tmp_path, read_file):
    path = _workbook(tmp_path / "bomb.xlsx", {"S": [["ИИН"], ["710508363018"]]})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", b"\0" * (4 << 20))
    pieces = read_file(path)
    assert pieces.values == []
    assert pieces.problems == ["XLSX part xl/media/zeros.bin compression ratio above 200:1 (zip bomb?)"]
