"""HTML: visible text in blocks, tables as tables, invisible parts never read."""

from __future__ import annotations

import time

from govscan.model import Field
from govscan.readers.limits import Limits


def test_scripts_styles_noscript_and_templates_are_not_read(read_fixture):
    pieces = read_fixture("page.html")
    everything = pieces.text + " ".join(v for values in pieces.columns.values() for v in values)
    for hidden in ("111111111111", "222222222222", "333333333333", "444444444444", "555555555555"):
        assert hidden not in everything


def test_title_and_visible_paragraphs_are_text(read_fixture):
    pieces = read_fixture("page.html")
    assert [t.text for t in pieces.texts] == [
        "Список получателей",
        "Получатели помощи\nОтветственный: Иванов Иван, тел. +7 701 123 45 67\nПолучатели 2023\nКонтакты: info@gov.kz",
    ]


def test_text_pieces_carry_the_line_of_their_first_paragraph(read_fixture):
    assert [t.line for t in read_fixture("page.html").texts] == [5, 10]


def test_a_table_with_th_cells_uses_them_as_header_and_caption_as_sheet(read_fixture):
    pieces = read_fixture("page.html")
    assert [v.field for v in pieces.values] == [
        Field(sheet="Получатели 2023", column="ИИН", column_index=1),
        Field(sheet="Получатели 2023", column="ФИО", column_index=2),
        Field(sheet="Получатели 2023", column="Телефон", column_index=3),
    ]
    assert pieces.columns["Получатели 2023!ФИО"] == ["Петрова Мария", "Сидоров Олег"]
    assert pieces.columns["Получатели 2023!Телефон"] == ["87011234567", ""]


def test_tables_without_caption_are_numbered_in_document_order(read):
    page = "<table><tr><td>a</td></tr></table><table><tr><th>ИИН</th></tr><tr><td>710508363018</td></tr></table>"
    assert read("t.html", page).columns == {"table 1!#1": ["a"], "table 2!ИИН": ["710508363018"]}


def test_table_id_names_the_table_when_there_is_no_caption(read):
    page = '<table id="recipients"><tr><th>ИИН</th></tr><tr><td>710508363018</td></tr></table>'
    assert read("t.html", page).columns == {"recipients!ИИН": ["710508363018"]}


def test_a_table_without_th_detects_its_header_like_csv(read):
    page = "<table><tr><td>ИИН</td><td>ФИО</td></tr><tr><td>710508363018</td><td>Иванов</td></tr></table>"
    assert read("t.html", page).columns == {"table 1!ИИН": ["710508363018"], "table 1!ФИО": ["Иванов"]}


def test_colspan_keeps_columns_aligned(read):
    page = (
        "<table><tr><th>ФИО</th><th>Город</th><th>ИИН</th></tr>"
        '<tr><td colspan="2">Иванов Иван</td><td>710508363018</td></tr></table>'
    )
    assert read("t.html", page).columns["table 1!ИИН"] == ["710508363018"]


def test_table_rows_carry_their_line(read):
    page = "<table>\n<tr><th>ИИН</th></tr>\n<tr><td>710508363018</td></tr>\n</table>"
    assert [v.first_line for v in read("t.html", page).values] == [3]


def test_cp1251_page_declared_in_meta_is_decoded(read):
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head>'
    page += "<body><p>Иванов Иван Иванович</p></body></html>"
    assert read("p.html", page.encode("cp1251")).text == "Иванов Иван Иванович"


def test_content_type_charset_is_used(read):
    page = "<p>Иванов Иван</p>".encode("koi8_r")
    assert read("p.html", page, media_hint="text/html; charset=koi8-r").text == "Иванов Иван"


def test_long_text_is_split_into_blocks_of_text_block_chars(read):
    page = "<p>" + " ".join(["Иванов"] * 300) + "</p>"
    pieces = read("p.html", page, Limits(text_block_chars=100))
    assert len(pieces.texts) > 10
    assert all(len(t.text) <= 100 for t in pieces.texts)
    assert {w for t in pieces.texts for w in t.text.split()} == {"Иванов"}


def test_a_big_page_is_read_in_linear_time(read_file, tmp_path):
    path = tmp_path / "big.html"
    row = "<tr><td>710508363018</td><td>Иванов Иван</td></tr>\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write("<html><body><p>Начало</p><table><tr><th>ИИН</th><th>ФИО</th></tr>\n")
        f.write(row * 100_000)  # ~5 MB
        f.write("</table><script>" + "x" * 3_000_000 + "</script><p>Конец</p></body></html>")
    started = time.monotonic()
    pieces = read_file(path)
    assert time.monotonic() - started < 10
    assert len(pieces.columns["table 1!ИИН"]) == 100_000
    assert pieces.text == "Начало\nКонец"


def test_unterminated_markup_past_the_limit_is_a_read_error(read):
    pieces = read("c.html", "<p>Иванов</p><!-- " + "x" * 2_500_000, Limits(max_field_chars=1000))
    assert pieces.problems == ["unterminated HTML markup longer than 1048576 characters"]


def test_unterminated_markup_at_the_end_is_read_as_text_not_rescanned_forever(read_file, tmp_path):
    # The stdlib parser rescans such a tail from every "<" at close: quadratic (CVE-2025-6069);
    # without the guard this 300 KB page takes hours and the test times out.
    page = tmp_path / "hostile.html"
    page.write_bytes(b"<html><body><p>before</p>" + b"<a " * 100_000 + " ИИН 900101300017".encode())
    texts = " ".join(t.text for t in read_file(page).texts)
    assert "before" in texts and "900101300017" in texts
