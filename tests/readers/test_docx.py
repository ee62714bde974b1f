"""DOCX: tables read as tables under their headers, hidden parts named, hostile packages refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from msoffcrypto.format.ooxml import OOXMLFile

from govscan.cli import cli
from govscan.model import Asset, Field
from govscan.readers import sniff_format

from .word_files import (
    IINS,
    NAMES,
    TITLE,
    add_footnote_part,
    add_tracked_deletion,
    docx_with_table,
    iin_rows,
    rewrite_zip,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def check(*paths: Path) -> tuple[int, dict, list[str], str]:
    result = CliRunner().invoke(
        cli, ["check", "--no-progress", "--format", "json", *map(str, paths)], catch_exceptions=False
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("govscan: error:")]
    return result.exit_code, json.loads(result.stdout), errors, result.stderr


def findings(report: dict, entity: str) -> list[dict]:
    return [f for f in report["findings"] if f["entity"] == entity]


# --- structure --------------------------------------------------------------------------------


def test_a_table_is_read_as_columns_under_its_header(tmp_path, read_file):
    pieces = read_file(docx_with_table(tmp_path / "decision.docx", iin_rows(3)))
    assert pieces.errors == []
    assert pieces.columns["table 1!ИИН"] == IINS[1:4]
    assert pieces.columns["table 1!ФИО"] == NAMES[1:4]
    iin_column = next(v for v in pieces.values if v.field.column == "ИИН")
    assert iin_column.field == Field(sheet="table 1", column="ИИН", column_index=3)
    assert "Решение комиссии" in pieces.text and "Председатель комиссии" in pieces.text
    assert IINS[1] not in pieces.text  # cells are not prose


def test_a_title_merged_across_the_first_row_is_prose_and_the_header_is_found_below_it(tmp_path, read_file):
    pieces = read_file(docx_with_table(tmp_path / "t.docx", iin_rows(3), title_row=TITLE))
    assert pieces.columns["table 1!ИИН"] == IINS[1:4]
    assert TITLE in pieces.text


def test_rows_marked_repeat_as_header_are_the_header_two_lines_joined(tmp_path, read_file):
    rows = [["Тегі, аты", "ЖСН"], ["ФИО", "ИИН"]] + [[NAMES[i], IINS[i]] for i in range(3)]
    pieces = read_file(docx_with_table(tmp_path / "kk.docx", rows, header_rows=2))
    assert pieces.columns["table 1!ЖСН / ИИН"] == IINS[:3]
    assert pieces.columns["table 1!Тегі, аты / ФИО"] == NAMES[:3]


def test_merged_cells_keep_the_columns_aligned(tmp_path, read_file):
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Адрес", "", "ИИН"], strict=True):
        cell.text = text
    table.cell(0, 0).merge(table.cell(0, 1))
    for r in (1, 2):
        table.cell(r, 0).text, table.cell(r, 1).text, table.cell(r, 2).text = "г. Астана", "ул. Абая 1", IINS[r]
    document.save(tmp_path / "m.docx")
    assert read_file(tmp_path / "m.docx").columns["table 1!ИИН"] == IINS[1:3]


def test_a_docm_is_read_by_its_content_type_whatever_its_name(tmp_path, read_file):
    path = docx_with_table(tmp_path / "macro.bin", iin_rows(2))
    assert sniff_format(Asset("macro.bin", str(path))) == "docx"
    assert read_file(path).columns["table 1!ИИН"] == IINS[1:3]


# --- hidden content ---------------------------------------------------------------------------


def test_hidden_parts_are_read_and_say_where_they_are(tmp_path, read_file):
    document = docx.Document()
    paragraph = document.add_paragraph("Решение принято единогласно.")
    document.add_comment(paragraph.runs, text=f"Проверить ИИН {IINS[5]}", author="Иванов Иван Иванович")
    document.sections[0].header.paragraphs[0].text = f"Исполнитель: {NAMES[6]}"
    add_tracked_deletion(document, "Заявитель: ", f"ИИН {IINS[7]}", author="Сапарова Айгерим")
    document.core_properties.author = "Омаров Тимур Рустемович"
    document.core_properties.last_modified_by = "Ким Виктор Александрович"
    path = tmp_path / "hidden.docx"
    document.save(path)
    add_footnote_part(path, f"Телефон заявителя +7 701 {IINS[8][:7]}")

    pieces = read_file(path)
    by_part = {}
    for text in pieces.texts:
        by_part.setdefault(text.field.part, []).append(text.text)
    assert IINS[5] in " ".join(by_part["comment"])
    assert NAMES[6] in " ".join(by_part["header/footer"])
    assert IINS[7] in " ".join(by_part["tracked deletion"])
    assert IINS[7] not in " ".join(by_part[None])  # deleted text is not shown as body text
    assert IINS[8][:7] in " ".join(by_part["footnote"])
    metadata = {(v.field.column, v.field.part): v.values for v in pieces.values}
    assert metadata[("creator", "metadata:author")] == ["Омаров Тимур Рустемович"]
    assert metadata[("last modified by", "metadata:last modified by")] == ["Ким Виктор Александрович"]
    assert "Иванов Иван Иванович" in metadata[("comment author", "metadata:author")]
    assert metadata[("revision author", "metadata:author")] == ["Сапарова Айгерим"]


def test_text_formatted_as_hidden_is_read_apart_from_the_shown_text(tmp_path, read_file):
    document = docx.Document()
    paragraph = document.add_paragraph("Заявитель: ")
    paragraph.add_run(f"ИИН {IINS[10]}").font.hidden = True
    paragraph.add_run("Омаров Т.")
    path = tmp_path / "hidden-run.docx"
    document.save(path)
    pieces = read_file(path)
    shown = [t.text for t in pieces.texts if t.field.part is None]
    hidden = [t.text for t in pieces.texts if t.field.part == "hidden text"]
    assert shown == ["Заявитель: Омаров Т."]
    assert hidden == [f"ИИН {IINS[10]}"]


def test_a_deleted_iin_and_the_authors_name_are_findings_that_say_where(tmp_path):
    document = docx.Document()
    add_tracked_deletion(document, "Заявитель: ", f"ИИН {IINS[9]}", author="Reviewer")
    document.core_properties.author = "Омаров Тимур Рустемович"
    document.core_properties.last_modified_by = "User"
    path = tmp_path / "draft.docx"
    document.save(path)
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    iin = findings(report, "KZ_IIN")
    assert [f["location"]["part"] for f in iin] == ["tracked deletion"]
    person = findings(report, "PERSON")
    assert [(f["location"]["column"], f["location"]["part"]) for f in person] == [("creator", "metadata:author")]
    assert "Омаров Тимур Рустемович" not in json.dumps(report, ensure_ascii=False)  # masked


# --- through govscan check --------------------------------------------------------------------


def test_an_iin_column_in_a_word_table_fails_the_check_with_its_header(tmp_path):
    code, report, errors, _ = check(docx_with_table(tmp_path / "list.docx", iin_rows(30), title_row=TITLE))
    assert (code, errors) == (1, [])
    [iin] = findings(report, "KZ_IIN")
    assert iin["location"]["sheet"] == "table 1" and iin["location"]["column"] == "ИИН"
    assert iin["count"] == 30
    assert [f["location"]["column"] for f in findings(report, "PERSON")] == ["ФИО"]


def test_a_decision_without_personal_data_passes(tmp_path):
    rows = [["Показатель", "2023", "2024"], ["Выдано решений", "120", "135"], ["Отказано", "12", "9"]]
    code, report, errors, _ = check(docx_with_table(tmp_path / "stats.docx", rows))
    assert (code, errors, report["findings"]) == (0, [], [])


def test_a_docx_with_its_thumbnail_is_read_as_a_document(tmp_path):
    path = docx_with_table(tmp_path / "thumb.docx", iin_rows(10))
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(200)
    rewrite_zip(path, {"docProps/thumbnail.jpeg": jpeg})
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    assert findings(report, "KZ_IIN")[0]["location"]["column"] == "ИИН"


def hostile_docx(tmp_path: Path) -> dict[str, Path]:
    good = docx_with_table(tmp_path / "whole.docx", iin_rows(5))
    files = {}
    files["truncated.docx"] = tmp_path / "truncated.docx"
    files["truncated.docx"].write_bytes(good.read_bytes()[: good.stat().st_size // 2])

    files["bomb.docx"] = tmp_path / "bomb.docx"
    shutil_copy(good, files["bomb.docx"])
    body = f'<w:document xmlns:w="{"http://schemas.openxmlformats.org/wordprocessingml/2006/main"}"><w:body><w:p><w:r><w:t>'
    padding = b" " * (32 * 1024 * 1024)  # ~1000:1, far above the 200:1 bound
    rewrite_zip(
        files["bomb.docx"], {"word/document.xml": body.encode() + padding + b"</w:t></w:r></w:p></w:body></w:document>"}
    )

    files["encrypted.docx"] = tmp_path / "encrypted.docx"
    encrypted = io.BytesIO()
    with good.open("rb") as plain:
        office = OOXMLFile(plain)
        office.encrypt("secret", encrypted)
    files["encrypted.docx"].write_bytes(encrypted.getvalue())

    files["entities.docx"] = tmp_path / "entities.docx"
    shutil_copy(good, files["entities.docx"])
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>'
    )
    rewrite_zip(files["entities.docx"], {"word/document.xml": laughs.encode()})

    files["nested.docx"] = tmp_path / "nested.docx"
    shutil_copy(good, files["nested.docx"])
    deep = b"<w:sdt><w:sdtContent>" * 5000
    rewrite_zip(
        files["nested.docx"],
        {"word/document.xml": f'<w:document xmlns:w="{W}"><w:body>'.encode() + deep},
    )
    return files


def shutil_copy(source: Path, target: Path) -> None:
    target.write_bytes(source.read_bytes())


def test_hostile_word_files_are_one_line_each_and_a_good_file_beside_them_is_reported(tmp_path):
    files = hostile_docx(tmp_path)
    good = docx_with_table(tmp_path / "good.docx", iin_rows(10))
    code, report, errors, stderr = check(*files.values(), good)
    assert code == 2
    assert "Traceback" not in stderr
    for name in files:
        assert sum(name in line for line in errors) == 1, (name, errors)
    assert "encrypted, not read" in next(line for line in errors if "encrypted.docx" in line)
    assert {f["location"]["uri"].rsplit("/", 1)[-1] for f in findings(report, "KZ_IIN")} == {"good.docx"}


@pytest.mark.parametrize("name", ["decision.docx", "decision.zip", "decision"])
def test_a_word_document_is_never_read_as_a_generic_archive(tmp_path, name):
    path = docx_with_table(tmp_path / name, iin_rows(2))
    assert sniff_format(Asset(name, str(path))) == "docx"


def test_a_spreadsheet_embedded_in_the_document_is_read_as_its_own_table(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Приложение"
    for row in iin_rows(12):
        book.active.append(row)
    annex = tmp_path / "annex.xlsx"
    book.save(annex)
    path = docx_with_table(tmp_path / "decision.docx", [["Показатель", "2024"], ["Решений", "12"]])
    rewrite_zip(path, {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": annex.read_bytes()})
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    [iin] = findings(report, "KZ_IIN")
    assert iin["location"]["uri"].endswith("decision.docx!/word/embeddings/Microsoft_Excel_Worksheet.xlsx")
    assert (iin["location"]["sheet"], iin["location"]["column"], iin["count"]) == ("Приложение", "ИИН", 12)
