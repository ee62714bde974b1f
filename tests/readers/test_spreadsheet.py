"""Spreadsheets as agencies publish them: .xlsx, .xls, .ods with title rows, hidden parts, bad files.

Fixtures are generated here: openpyxl writes XLSX, xlwt XLS, odfpy ODS, msoffcrypto-tool an
encrypted workbook. End-to-end specs go through ``govscan check`` as a CI job runs it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from click.testing import CliRunner
from odf.office import Annotation
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P

from govscan.cli import cli
from govscan.model import Field
from govscan.testing import synth

RNG = random.Random(11)
TITLE = "Список получателей жилищной помощи по состоянию на 01.01.2024"
HEADER = ["№", "Фамилия, имя, отчество", "ИИН", "Дата рождения", "Номер паспорта"]
KAZAKH = ["Р/с №", "Тегі, аты, әкесінің аты", "ЖСН", "Туған күні", "Төлқұжат нөмірі"]


def people(n: int = 12) -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(1, n + 1):
        born = dt.date(1960 + i, 1 + i % 12, 1 + i % 27)
        rows.append([i, synth.full_name(RNG), synth.iin(RNG, born), born.strftime("%d.%m.%Y"), f"N{12345600 + i}"])
    return rows


def title_layout(kazakh: bool = False) -> list[list[object]]:
    """Title row, blank row, (Kazakh line), Russian header line, numbering row, data."""
    top: list[list[object]] = [[TITLE, "", "", "", ""], ["", "", "", "", ""]]
    heads: list[list[object]] = [KAZAKH, HEADER] if kazakh else [HEADER]
    return [*top, *heads, [1, 2, 3, 4, 5], *people()]


# --- writers -----------------------------------------------------------------------------------


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], merge_title: bool = True) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if merge_title and rows and rows[0] and rows[0][0] == TITLE:
            sheet.merge_cells("A1:E1")
    book.save(path)
    return path


def write_xls(
    path: Path,
    sheets: dict[str, list[list[object]]],
    hidden: tuple[str, ...] = (),
    hidden_rows: tuple[int, ...] = (),
    hidden_columns: tuple[int, ...] = (),
) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "":
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.visibility = 1
        for r in hidden_rows:  # 1-based, as the spreadsheet shows them
            sheet.row(r - 1).hidden = True
        for c in hidden_columns:
            sheet.col(c - 1).hidden = True
    book.save(str(path))
    return path


def write_ods(
    path: Path,
    sheets: dict[str, list[list[object]]],
    hidden_sheets: tuple[str, ...] = (),
    hidden_rows: tuple[int, ...] = (),
    hidden_columns: tuple[int, ...] = (),
    notes: dict[tuple[int, int], str] | None = None,
) -> Path:
    doc = OpenDocumentSpreadsheet()
    invisible = Style(name="hiddentable", family="table")
    invisible.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(invisible)
    for name, rows in sheets.items():
        table = Table(name=name, stylename=invisible) if name in hidden_sheets else Table(name=name)
        for c in range(1, max(map(len, rows)) + 1):
            table.addElement(TableColumn(visibility="collapsed") if c in hidden_columns else TableColumn())
        for r, row in enumerate(rows, start=1):
            tr = TableRow(visibility="collapsed") if r in hidden_rows else TableRow()
            for c, value in enumerate(row, start=1):
                if isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value)
                else:
                    cell = TableCell(valuetype="string") if value != "" else TableCell()
                if value != "":
                    cell.addElement(P(text=str(value)))
                if notes and (r, c) in notes:
                    note = Annotation()
                    note.addElement(P(text=notes[(r, c)]))
                    cell.addElement(note)
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    path.write_text("\n".join(";".join(str(c) for c in row) for row in rows) + "\n", encoding="utf-8")
    return path


def write_html(path: Path, rows: list[list[object]]) -> Path:
    title, _, *rest = rows
    body = [f'<tr><th colspan="5">{title[0]}</th></tr>']
    for i, row in enumerate(rest):
        tag = "th" if i < len(rest) - 13 else "td"
        body.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in row) + "</tr>")
    path.write_text("<html><body><table>" + "".join(body) + "</table></body></html>", encoding="utf-8")
    return path


WRITERS = {
    "xlsx": lambda p, rows: write_xlsx(p, {"Лист1": rows}),
    "xls": lambda p, rows: write_xls(p, {"Лист1": rows}),
    "ods": lambda p, rows: write_ods(p, {"Лист1": rows}),
    "csv": write_csv,
    "html": write_html,
}


def check(*paths: Path) -> tuple[int, list[dict], list[str]]:
    result = CliRunner().invoke(
        cli, ["check", "--no-progress", "--no-ner", "--format", "json", *map(str, paths)], catch_exceptions=False
    )
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    findings = report["findings"] if isinstance(report, dict) else report
    errors = [line for line in result.stderr.splitlines() if line.startswith("govscan: error:")]
    return result.exit_code, findings, errors


def found(findings: list[dict], rule: str) -> list[dict]:
    return [f["location"] for f in findings if f["rule_id"] == rule]


# --- real layouts, every table format ----------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_under_a_title_row_birth_dates_and_passports_are_found_in_their_columns(tmp_path, kind):
    path = WRITERS[kind](tmp_path / f"list.{kind}", title_layout())
    code, findings, errors = check(path)
    assert errors == [] and code == 1
    assert [loc["column"] for loc in found(findings, "pii.date-of-birth")] == ["Дата рождения"]
    assert [loc["column"] for loc in found(findings, "pii.kz-passport")] == ["Номер паспорта"]
    assert [(loc["column"], loc["column_index"]) for loc in found(findings, "pii.kz-iin")] == [("ИИН", 3)]


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_kazakh_header_line_over_a_russian_one_names_each_column_with_both(tmp_path, kind):
    path = WRITERS[kind](tmp_path / f"kk.{kind}", title_layout(kazakh=True))
    _, findings, _ = check(path)
    assert [loc["column"] for loc in found(findings, "pii.date-of-birth")] == ["Туған күні / Дата рождения"]
    first = found(findings, "pii.kz-iin")[0]
    assert first["column"] == "ЖСН / ИИН"
    if kind != "html":  # the generated page is one line
        assert first["line"] == 6  # the numbering row (line 5) is not data


def test_a_merged_group_header_names_its_sub_columns(tmp_path):
    rows: list[list[object]] = [["ФИО", "Удостоверение личности", "", "Дата рождения"], ["", "номер", "выдано", ""]]
    for person in people():
        rows.append([person[1], f"0{str(person[2])[:8]}", "МВД РК", "01.02.1990"])  # 9-digit card numbers
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.active.merge_cells("B1:C1")
    book.active.merge_cells("A1:A2")
    path = tmp_path / "group.xlsx"
    book.save(path)
    _, findings, _ = check(path)
    assert [loc["column"] for loc in found(findings, "pii.kz-id-card")] == ["Удостоверение личности / номер"]


def test_a_spreadsheet_without_personal_data_passes(tmp_path):
    rows = [["Регион", "Год", "Численность"], ["Алматы", 2023, 2200000], ["Астана", 2023, 1350000]]
    paths = [write_xlsx(tmp_path / "s.xlsx", {"S": rows}), write_xls(tmp_path / "s.xls", {"S": rows})]
    paths.append(write_ods(tmp_path / "s.ods", {"S": rows}))
    assert check(*paths) == (0, [], [])


def test_numeric_iins_in_xls_and_ods_come_out_as_digits(tmp_path, read_file):
    iins = [synth.iin(RNG) for _ in range(3)]
    rows = [["ИИН"], *[[float(i)] for i in iins]]
    for path in (write_xls(tmp_path / "n.xls", {"S": rows}), write_ods(tmp_path / "n.ods", {"S": rows})):
        assert read_file(path).columns == {"S!ИИН": [str(int(i)) for i in iins]}


# --- hidden content ---------------------------------------------------------------------------


def test_xlsx_hidden_sheets_rows_columns_and_comments_are_read_and_named(tmp_path, read_file):
    iins = [synth.iin(RNG) for _ in range(4)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Видимый"
    for row in [["ФИО", "ИИН", "Примечание"], ["Иванов Иван", iins[0], ""], ["Петров Петр", iins[1], ""]]:
        sheet.append(row)
    sheet.column_dimensions["B"].hidden = True
    sheet.row_dimensions[3].hidden = True
    sheet["C2"].comment = openpyxl.comments.Comment(f"ИИН супруги {iins[2]}", "Оператор")
    secret = book.create_sheet("Скрытый")
    secret.append(["ИИН"])
    secret.append([iins[3]])
    secret.sheet_state = "veryHidden"
    path = tmp_path / "hidden.xlsx"
    book.save(path)

    pieces = read_file(path)
    fields = {(v.field.sheet, v.field.column, v.field.part): v.values for v in pieces.values}
    assert fields[("Видимый", "ИИН", "hidden column")] == [iins[0], ""]
    assert fields[("Видимый", "ИИН", "hidden rows")] == ["", iins[1]]
    assert fields[("Скрытый", "ИИН", "hidden sheet")] == [iins[3]]
    notes = [(t.text, t.field, t.line) for t in pieces.texts]
    assert notes == [(f"ИИН супруги {iins[2]}", Field("Видимый", "Примечание", 3, part="comment"), 2)]

    _, findings, _ = check(path)
    parts = sorted((loc["sheet"], loc["part"]) for loc in found(findings, "pii.kz-iin"))
    assert ("Скрытый", "hidden sheet") in parts and ("Видимый", "comment") in parts


def test_ods_hidden_sheets_rows_columns_and_annotations_are_read_and_named(tmp_path, read_file):
    iins = [synth.iin(RNG) for _ in range(4)]
    path = write_ods(
        tmp_path / "hidden.ods",
        {
            "Видимый": [["ФИО", "ИИН", "Телефон"], ["Иванов Иван", iins[0], ""], ["Петров Петр", iins[1], ""]],
            "Скрытый": [["ИИН"], [iins[3]]],
        },
        hidden_sheets=("Скрытый",),
        hidden_rows=(3,),
        hidden_columns=(2,),
        notes={(2, 3): f"ИИН супруги {iins[2]}"},
    )
    pieces = read_file(path)
    fields = {(v.field.sheet, v.field.column, v.field.part): v.values for v in pieces.values}
    assert fields[("Видимый", "ИИН", "hidden column")] == [iins[0], ""]
    assert fields[("Видимый", "ИИН", "hidden rows")] == ["", iins[1]]
    assert fields[("Скрытый", "ИИН", "hidden sheet")] == [iins[3]]
    assert [(t.text, t.field.part, t.field.column_index, t.line) for t in pieces.texts] == [
        (f"ИИН супруги {iins[2]}", "comment", 3, 2)
    ]


def test_xls_hidden_rows_and_columns_are_named(tmp_path, read_file):
    iins = [synth.iin(RNG) for _ in range(3)]
    rows = [["ФИО", "ИИН"], ["Иванов Иван", iins[0]], ["Петров Петр", iins[1]], ["Сидоров Олег", iins[2]]]
    path = write_xls(tmp_path / "h.xls", {"Лист": rows}, hidden_rows=(3,), hidden_columns=(2,))
    fields = {(v.field.column, v.field.part): v.values for v in read_file(path).values}
    assert fields[("ИИН", "hidden column")] == [iins[0], "", iins[2]]
    assert fields[("ИИН", "hidden rows")] == ["", iins[1], ""]
    assert fields[("ФИО", None)] == ["Иванов Иван", "", "Сидоров Олег"]


def test_a_hidden_xls_sheet_is_named(tmp_path, read_file):
    iin = synth.iin(RNG)
    path = write_xls(tmp_path / "h.xls", {"A": [["Сумма"], [1]], "B": [["ИИН"], [iin]]}, hidden=("B",))
    assert [(v.field.sheet, v.field.part, v.values) for v in read_file(path).values] == [
        ("A", None, ["1"]),
        ("B", "hidden sheet", [iin]),
    ]


# --- hostile and broken files ------------------------------------------------------------------


def test_hostile_spreadsheets_end_in_one_line_each_and_the_good_one_is_still_reported(tmp_path):
    good = write_xls(tmp_path / "good.xls", {"S": [["ИИН"], *[[synth.iin(RNG)] for _ in range(5)]]})
    whole_ods = write_ods(tmp_path / "whole.ods", {"S": [["ИИН"], [synth.iin(RNG)]]})
    whole_xls = write_xls(tmp_path / "whole.xls", {"S": [["ИИН"], [synth.iin(RNG)]]})
    bad = {
        "truncated.ods": whole_ods.read_bytes()[: whole_ods.stat().st_size // 2],
        "truncated.xls": whole_xls.read_bytes()[:1536],
        "garbage.xlsb": b"PK\x03\x04" + b"\x00" * 200,
    }
    bomb = tmp_path / "bomb.ods"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("content.xml", b"<a>" + b" " * (64 << 20) + b"</a>")
    paths = [bomb]
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    paths.append(encrypted_xlsx(tmp_path / "locked.xlsx"))

    code, findings, errors = check(*paths, good)
    assert code == 2
    assert [loc["uri"] for loc in found(findings, "pii.kz-iin")] == [str(good)]
    for path in paths:
        mine = [line for line in errors if path.name in line]
        assert len(mine) == 1, (path.name, errors)
    assert any("locked.xlsx" in line and "encrypted, not read" in line for line in errors)
    assert any("bomb.ods" in line and "zip bomb" in line for line in errors)


def encrypted_xlsx(path: Path) -> Path:
    """A workbook encrypted by msoffcrypto-tool the way Excel's "Encrypt with password" does."""
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(path.with_suffix(".plain.xlsx"), {"S": [["ИИН"], [synth.iin(RNG)]]})
    out = io.BytesIO()
    with plain.open("rb") as stream:
        OOXMLFile(stream).encrypt("secret", out)
    assert msoffcrypto  # the library is what wrote the file
    path.write_bytes(out.getvalue())
    plain.unlink()
    return path


def test_a_part_inflating_past_its_declared_size_is_one_line(tmp_path, read_file):
    path = write_xlsx(tmp_path / "liar.xlsx", {"S": [["ИИН"], *[[synth.iin(RNG)] for _ in range(2000)]]})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    name = info.filename.encode()
    for offset, size_at in ((info.header_offset, 22), (data.rindex(b"PK\x01\x02", 0, data.rindex(name)), 24)):
        data[offset + size_at : offset + size_at + 4] = (1000).to_bytes(4, "little")  # declare 1000 bytes
    path.write_bytes(bytes(data))
    pieces = read_file(path)
    assert pieces.values == []
    assert len(pieces.problems) == 1 and pieces.problems[0].startswith("not a valid XLSX (")


def test_broken_comments_do_not_lose_the_sheet_values(tmp_path, read_file):
    book = openpyxl.Workbook()
    book.active.append(["ИИН"])
    book.active.append([synth.iin(RNG)])
    book.active["A2"].comment = openpyxl.comments.Comment("примечание", "Автор")
    path = tmp_path / "c.xlsx"
    book.save(path)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, b"<comments><unclosed>" if item.filename.startswith("xl/comments") else data)
    pieces = read_file(broken)
    assert [v.field.column for v in pieces.values] == ["ИИН"]
    assert len(pieces.problems) == 1 and pieces.problems[0].startswith("sheet 1: hidden rows and comments not read")


def test_an_empty_sheet_beside_a_full_one_is_no_problem(tmp_path, read_file):
    path = write_xlsx(tmp_path / "e.xlsx", {"Пусто": [], "S": [["ИИН"], [synth.iin(RNG)]]})
    ods_path = write_ods(tmp_path / "e.ods", {"S": [["ИИН"], [synth.iin(RNG)]]})
    for pieces in (read_file(path), read_file(ods_path)):
        assert pieces.problems == [] and [v.field.label for v in pieces.values] == ["S!ИИН"]


def test_an_html_table_saved_as_xls_is_read_as_the_table_it_is(tmp_path):
    path = write_html(tmp_path / "export.html", title_layout()).rename(tmp_path / "export.xls")
    code, findings, errors = check(path)
    assert errors == [] and code == 1
    assert [loc["column"] for loc in found(findings, "pii.date-of-birth")] == ["Дата рождения"]


def test_ods_hidden_rows_repeated_a_million_times_are_bounded(tmp_path, read_file):
    path = write_ods(tmp_path / "r.ods", {"S": [["ИИН"], [synth.iin(RNG)]]}, hidden_rows=(2,))
    with zipfile.ZipFile(path) as src:
        content = src.read("content.xml").replace(
            b"</table:table>",
            b'<table:table-row table:visibility="collapsed" table:number-rows-repeated="1048000">'
            b"<table:table-cell/></table:table-row></table:table>",
        )
        rebuilt = tmp_path / "big.ods"
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                dst.writestr(item, content if item.filename == "content.xml" else src.read(item))
    tracemalloc.start()
    try:
        pieces = read_file(rebuilt)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert pieces.problems == []
    assert [(v.field.part, v.first_line) for v in pieces.values] == [("hidden rows", 2)]
    assert peak < 32 << 20  # a million row numbers would take ~60 MB


def test_a_sheet_too_big_to_load_whole_is_streamed_with_the_same_result(tmp_path, read_file, monkeypatch):
    iins = [synth.iin(RNG, dt.date(2003, 4, 5)) for _ in range(3)]  # "030405…": a leading zero
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    for row in [[TITLE], [], ["ФИО", "ИИН"], ["Иванов Иван", int(iins[0])], ["Петров Петр", iins[1]]]:
        sheet.append(row)
    sheet["B4"].number_format = "000000000000"
    sheet.row_dimensions[5].hidden = True
    sheet["A4"].comment = openpyxl.comments.Comment(f"ИИН {iins[2]}", "Оператор")
    path = tmp_path / "big.xlsx"
    book.save(path)
    loaded = [(p.field, getattr(p, "values", None), getattr(p, "text", None)) for p in read_file(path)]
    monkeypatch.setattr("govscan.readers.spreadsheet.IN_MEMORY_SHEET_BYTES", 0)
    streamed = [(p.field, getattr(p, "values", None), getattr(p, "text", None)) for p in read_file(path)]
    assert streamed == loaded
    assert (Field("S", "ИИН", 2, part="hidden rows"), ["", iins[1]], None) in streamed
    assert (Field("S", "ИИН", 2), [iins[0], ""], None) in streamed


def test_a_password_protected_xls_is_encrypted_not_read(tmp_path, read_file):
    """BIFF encryption is a FILEPASS record in the workbook globals (here put in place of the first one)."""
    import olefile

    path = write_xls(tmp_path / "locked.xls", {"S": [["ИИН"], [synth.iin(RNG)]]})
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
        bof_length = int.from_bytes(stream[2:4], "little")
        stream[4 + bof_length : 6 + bof_length] = (0x002F).to_bytes(2, "little")  # FILEPASS
        ole.write_stream("Workbook", bytes(stream))
    pieces = read_file(path)
    assert pieces.values == []
    assert pieces.problems == ["encrypted, not read (a password-protected Office document)"]


def _with_content(path: Path, out: Path, edit) -> Path:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, edit(data) if item.filename == "content.xml" else data)
    return out


def test_an_ods_repeating_a_cell_into_millions_is_refused_before_loading(tmp_path, read_file):
    """One line of XML: a value 1,000 columns wide, 10,000 rows down (1.2 GB once calamine builds it)."""
    bomb = (
        b'<table:table-row table:number-rows-repeated="10000"><table:table-cell office:value-type="string"'
        b' table:number-columns-repeated="1000"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    plain = write_ods(tmp_path / "plain.ods", {"S": [["ИИН"], [synth.iin(RNG)]]})
    path = _with_content(
        plain, tmp_path / "repeat.ods", lambda xml: xml.replace(b"</table:table>", bomb + b"</table:table>")
    )
    assert read_file(path).problems == [
        "ODS sheet spans 10002000 cells from its first to its last (limit 4000000); not read"
    ]


def test_an_ods_declaring_entities_is_refused(tmp_path, read_file):
    plain = write_ods(tmp_path / "plain.ods", {"S": [["ИИН"], [synth.iin(RNG)]]})
    dtd = b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path = _with_content(plain, tmp_path / "dtd.ods", lambda xml: xml.replace(b"?>", b"?>" + dtd, 1))
    assert read_file(path).problems == ["ODS content.xml declares a DTD (entities refused)"]


def test_a_sparse_xlsx_is_streamed_not_allocated_whole(tmp_path, read_file, monkeypatch):
    """Two cells, A1 and XFD6000: calamine would allocate 98 million cells (3 GB) for them."""

    def calamine_must_not_load(*args: object) -> None:
        raise AssertionError("the sparse sheet went to calamine")

    monkeypatch.setattr("govscan.readers.spreadsheet._workbook", calamine_must_not_load)
    book = openpyxl.Workbook()
    book.active.title = "S"
    book.active["A1"] = "ИИН"
    book.active["A2"] = synth.iin(RNG)
    book.active["XFD6000"] = "x"
    path = tmp_path / "sparse.xlsx"
    book.save(path)
    tracemalloc.start()
    try:
        pieces = read_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert pieces.problems == []
    assert [(v.field.label, v.first_line) for v in pieces.values] == [("S!ИИН", 2), ("S!#16384", 5001)]
    assert peak < 64 << 20  # rows are not padded to the widest one (16384 × 5000 cells)


def test_a_sparse_xls_is_refused_before_loading(tmp_path, read_file):
    """A1 and IV65536: two cells, and the whole 65,536 × 256 rectangle in calamine."""
    path = write_xls(tmp_path / "sparse.xls", {"S": [["ИИН"]]})
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("S")
    sheet.write(0, 0, "ИИН")
    sheet.write(65535, 255, "x")
    book.save(str(path))
    assert read_file(path).problems == [
        "XLS sheet spans 16777216 cells from its first to its last (limit 4000000); not read"
    ]


def test_an_ods_with_two_cells_far_apart_is_refused_before_loading(tmp_path, read_file):
    far = (
        b'<table:table-row table:number-rows-repeated="100000"><table:table-cell/></table:table-row>'
        b'<table:table-row><table:table-cell table:number-columns-repeated="999"/>'
        b'<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    plain = write_ods(tmp_path / "plain.ods", {"S": [["ИИН"], [synth.iin(RNG)]]})
    path = _with_content(
        plain, tmp_path / "far.ods", lambda xml: xml.replace(b"</table:table>", far + b"</table:table>")
    )
    assert read_file(path).problems == [
        "ODS sheet spans 100003000 cells from its first to its last (limit 4000000); not read"
    ]
