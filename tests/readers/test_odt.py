"""ODT: OpenDocument text read as a document (tables, notes, annotations, deletions, metadata).

An ODS is dispatched by its ``mimetype`` to the spreadsheet reader, never read as a zip of XML.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from govscan.cli import cli
from govscan.model import Asset, Field
from govscan.readers import sniff_format

from .word_files import IINS, NAMES, TITLE, iin_rows, ods_workbook, odt_document, rewrite_zip


def check(*paths: Path) -> tuple[int, dict, list[str], str]:
    result = CliRunner().invoke(
        cli, ["check", "--no-progress", "--format", "json", *map(str, paths)], catch_exceptions=False
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("govscan: error:")]
    return result.exit_code, json.loads(result.stdout), errors, result.stderr


def test_a_table_is_read_as_columns_under_its_header_rows(tmp_path, read_file):
    pieces = read_file(odt_document(tmp_path / "d.odt", iin_rows(3), header_rows=1))
    assert pieces.errors == []
    assert pieces.columns["Таблица1!ИИН"] == IINS[1:4]
    assert next(v.field for v in pieces.values if v.field.column == "ИИН") == Field(
        sheet="Таблица1", column="ИИН", column_index=3
    )
    assert "Решение комиссии" in pieces.text and IINS[1] not in pieces.text


def test_a_title_spanning_the_first_row_is_prose_and_the_header_is_found_below_it(tmp_path, read_file):
    pieces = read_file(odt_document(tmp_path / "t.odt", iin_rows(3), title_row=TITLE))
    assert pieces.columns["Таблица1!ИИН"] == IINS[1:4]
    assert TITLE in pieces.text


def test_hidden_parts_are_read_and_say_where_they_are(tmp_path, read_file):
    path = odt_document(
        tmp_path / "hidden.odt",
        paragraphs=[f"Заявитель {NAMES[2]}", "Решение принято."],
        comment=("Иванов Иван Иванович", f"Проверить ИИН {IINS[5]}"),
        footnote=f"Сноска: ИИН {IINS[6]}",
        deletion=("Сапарова Айгерим", f"ИИН {IINS[7]}"),
        page_header=f"Исполнитель: {NAMES[3]}",
        creator="Омаров Тимур Рустемович",
        last_saved_by="Ким Виктор Александрович",
    )
    pieces = read_file(path)
    assert pieces.errors == []
    by_part: dict[str | None, str] = {}
    for text in pieces.texts:
        by_part[text.field.part] = by_part.get(text.field.part, "") + "\n" + text.text
    assert IINS[5] in by_part["comment"] and "Иванов Иван" not in by_part["comment"]
    assert IINS[6] in by_part["footnote"]
    assert IINS[7] in by_part["tracked deletion"]
    assert NAMES[3] in by_part["header/footer"]
    body = by_part[None]
    assert f"Заявитель {NAMES[2]}" in body
    assert all(iin not in body for iin in IINS[5:8])  # notes, comments, deletions are not body text
    assert "комиссии1" not in body and "Решение принято." in body
    metadata = {(v.field.column, v.field.part): v.values for v in pieces.values}
    assert metadata[("creator", "metadata:author")] == ["Омаров Тимур Рустемович"]
    assert metadata[("last modified by", "metadata:last modified by")] == ["Ким Виктор Александрович"]
    assert metadata[("comment author", "metadata:author")] == ["Иванов Иван Иванович"]
    assert metadata[("revision author", "metadata:author")] == ["Сапарова Айгерим"]


def test_repeated_rows_and_cells_are_expanded_within_bounds(tmp_path, read_file):
    path = odt_document(tmp_path / "r.odt", [["ФИО", "ИИН"], [NAMES[0], IINS[0]]], header_rows=1)
    from zipfile import ZipFile

    content = ZipFile(path).read("content.xml")
    row = content[content.rindex(b"<table:table-row>") : content.rindex(b"</table:table-row>")]
    repeated = row.replace(b"<table:table-row>", b'<table:table-row table:number-rows-repeated="3">', 1)
    repeated += b'<table:table-cell table:number-columns-repeated="16384"/>'
    rewrite_zip(path, {"content.xml": content.replace(row, repeated)})
    pieces = read_file(path)
    assert pieces.columns["Таблица1!ИИН"] == [IINS[0]] * 3
    assert max(v.field.column_index for v in pieces.values) == 2


def test_an_iin_table_in_an_odt_fails_the_check_and_a_plain_one_passes(tmp_path):
    hit = odt_document(tmp_path / "list.odt", iin_rows(30), title_row=TITLE)
    code, report, errors, _ = check(hit)
    assert (code, errors) == (1, [])
    [iin] = [f for f in report["findings"] if f["entity"] == "KZ_IIN"]
    assert (iin["location"]["sheet"], iin["location"]["column"], iin["count"]) == ("Таблица1", "ИИН", 30)
    miss = odt_document(tmp_path / "stats.odt", [["Показатель", "2023"], ["Выдано решений", "120"]])
    code, report, errors, _ = check(miss)
    assert (code, errors, report["findings"]) == (0, [], [])


def test_a_deleted_iin_in_an_odt_is_a_finding_in_its_part(tmp_path):
    path = odt_document(tmp_path / "draft.odt", deletion=("Reviewer", f"ИИН {IINS[9]}"))
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    assert [f["location"]["part"] for f in report["findings"] if f["entity"] == "KZ_IIN"] == ["tracked deletion"]


def test_hostile_odt_files_are_one_line_each_and_a_good_file_beside_them_is_reported(tmp_path):
    whole = odt_document(tmp_path / "whole.odt", iin_rows(5), header_rows=1)
    truncated = tmp_path / "truncated.odt"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    bomb = odt_document(tmp_path / "bomb.odt", iin_rows(2))
    rewrite_zip(bomb, {"content.xml": b"<a>" + b" " * (32 * 1024 * 1024) + b"</a>"})
    good = odt_document(tmp_path / "good.odt", iin_rows(10), header_rows=1)
    code, report, errors, stderr = check(truncated, bomb, good)
    assert code == 2 and "Traceback" not in stderr
    assert [sum(name in line for line in errors) for name in ("truncated.odt", "bomb.odt")] == [1, 1]
    assert {f["location"]["uri"].rsplit("/", 1)[-1] for f in report["findings"]} == {"good.odt"}


def test_an_ods_is_never_read_as_a_generic_zip(tmp_path):
    path = ods_workbook(tmp_path / "list.ods", [["ФИО", "ИИН"]] + [[NAMES[i], IINS[i]] for i in range(30)])
    for name in ("list.ods", "list.zip", "list"):
        assert sniff_format(Asset(name, str(path))) == "ods"
    code, report, errors, _ = check(path)
    assert code != 0  # a list of IINs is never a silent all-clear: found (1) or not readable (2)
    assert not any("!/" in f["location"]["uri"] for f in report["findings"])
    assert not any("content.xml" in line for line in errors)


def test_a_section_hidden_from_display_is_read_as_hidden_text(tmp_path, read_file):
    path = odt_document(tmp_path / "s.odt", paragraphs=["Решение принято."])
    from zipfile import ZipFile

    content = ZipFile(path).read("content.xml").decode()
    sections = (
        f'<text:section text:name="Скрыто" text:display="none"><text:p>ИИН {IINS[11]}</text:p></text:section>'
        '<text:section text:name="Видно"><text:p>Председатель комиссии</text:p></text:section>'
    )
    rewrite_zip(path, {"content.xml": content.replace("</office:text>", sections + "</office:text>").encode()})
    pieces = read_file(path)
    assert [(t.field.part, t.text) for t in pieces.texts] == [
        (None, "Решение принято.\nПредседатель комиссии"),
        ("hidden text", f"ИИН {IINS[11]}"),
    ]
