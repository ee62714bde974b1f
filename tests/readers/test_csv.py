"""CSV/TSV: delimiters, encodings, headers, ragged rows and hostile sizes."""

from __future__ import annotations

import time
import tracemalloc

from govscan.model import Field
from govscan.readers.limits import Limits

PEOPLE = "ИИН;ФИО;Телефон\n710508363018;Иванов Иван;+7 701 123 45 67\n020304500111;Петрова Мария;87011234567\n"


def test_cp1251_semicolon_file_is_decoded_and_split(read):
    pieces = read("people.csv", PEOPLE.encode("cp1251"))
    assert pieces.columns == {
        "ИИН": ["710508363018", "020304500111"],
        "ФИО": ["Иванов Иван", "Петрова Мария"],
        "Телефон": ["+7 701 123 45 67", "87011234567"],
    }


def test_header_cells_become_column_names_with_1_based_indexes(read):
    pieces = read("people.csv", PEOPLE)
    assert [v.field for v in pieces.values] == [
        Field(column="ИИН", column_index=1),
        Field(column="ФИО", column_index=2),
        Field(column="Телефон", column_index=3),
    ]


def test_values_are_kept_as_written_including_leading_zeros(read):
    pieces = read("ids.csv", "iin,amount\n010101500123,007\n")
    assert pieces.columns == {"iin": ["010101500123"], "amount": ["007"]}


def test_surrounding_whitespace_is_stripped(read):
    assert read("a.csv", "name , iin\n Иванов ,  710508363018 \n").columns == {
        "name": ["Иванов"],
        "iin": ["710508363018"],
    }


def test_comma_file_is_split_on_commas(read):
    assert read("a.csv", "iin,phone\n710508363018,+77011234567\n").columns == {
        "iin": ["710508363018"],
        "phone": ["+77011234567"],
    }


def test_pipe_file_is_split_on_pipes(read):
    assert read("a.csv", "iin|name\n710508363018|Иванов\n").columns == {"iin": ["710508363018"], "name": ["Иванов"]}


def test_excel_unicode_text_export_is_utf16_tab_separated(read):
    data = "ИИН\tФИО\r\n710508363018\tИванов Иван\r\n".encode("utf-16")
    assert read("export.txt", data).columns == {"ИИН": ["710508363018"], "ФИО": ["Иванов Иван"]}


def test_decimal_commas_do_not_beat_the_semicolon_delimiter(read):
    pieces = read("sums.csv", "ФИО;Сумма;Ставка\nИванов;1500,50;0,5\nПетров;200,00;1,5\n")
    assert pieces.columns["Сумма"] == ["1500,50", "200,00"]


def test_headerless_file_gets_numbered_columns(read):
    pieces = read("raw.csv", "710508363018;+77011234567\n810508363018;+77021234567\n")
    assert [v.field for v in pieces.values] == [Field(column_index=1), Field(column_index=2)]
    assert pieces.columns == {"#1": ["710508363018", "810508363018"], "#2": ["+77011234567", "+77021234567"]}


def test_headerless_text_rows_of_the_same_shape_are_data(read):
    pieces = read("names.csv", "Иванов Иван;Алматы\nПетров Петр;Астана\nСидоров Олег;Шымкент\n")
    assert pieces.columns["#1"] == ["Иванов Иван", "Петров Петр", "Сидоров Олег"]


def test_empty_header_cells_are_numbered(read):
    pieces = read("a.csv", "ИИН;;Телефон\n710508363018;x;+77011234567\n")
    assert [v.field.label for v in pieces.values] == ["ИИН", "#2", "Телефон"]


def test_ragged_rows_are_padded_and_extra_cells_get_numbered_columns(read):
    pieces = read("ragged.csv", "a;b\n1;2;710508363018\n3\n")
    assert pieces.columns == {"a": ["1", "3"], "b": ["2", ""], "#3": ["710508363018", ""]}


def test_quoted_newlines_stay_inside_the_value(read):
    pieces = read("q.csv", 'name,address\n"Иванов","г. Алматы,\nул. Абая 10"\nПетров,Астана\n')
    assert pieces.columns["address"] == ["г. Алматы,\nул. Абая 10", "Астана"]


def test_first_line_is_the_physical_line_of_each_chunk(read):
    rows = "".join(f"{700000000000 + i};x{i}\n" for i in range(5))
    pieces = read("c.csv", "iin;n\n" + rows, Limits(chunk_rows=2))
    iin = [v for v in pieces.values if v.field.column == "iin"]
    assert [(v.first_line, len(v.values)) for v in iin] == [(2, 2), (4, 2), (6, 1)]


def test_first_line_counts_quoted_newlines(read):
    pieces = read("c.csv", 'n,t\n1,"a\nb"\n2,c\n3,d\n', Limits(chunk_rows=1))
    assert [v.first_line for v in pieces.values if v.field.column == "n"] == [2, 4, 5]


def test_chunks_hold_chunk_rows_values(read):
    rows = "".join(f"{i};Иванов\n" for i in range(12))
    pieces = read("c.csv", rows, Limits(chunk_rows=5))
    assert [len(v.values) for v in pieces.values if v.field.column_index == 1] == [5, 5, 2]


def _write_repeated(path, block: bytes, times: int) -> None:
    with open(path, "wb") as f:
        for _ in range(times):
            f.write(block)


def test_a_50_mb_single_line_is_refused_quickly_without_loading_it(read_file, tmp_path):
    path = tmp_path / "huge.csv"
    _write_repeated(path, b"7" * (1 << 20), 50)
    started = time.monotonic()
    tracemalloc.start()
    try:
        pieces = read_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pieces.problems == ["line 1 longer than 1000000 characters"]
    assert peak < 20 * 1024 * 1024
    assert time.monotonic() - started < 5


def test_rows_before_an_overlong_line_are_still_yielded(read):
    pieces = read("a.csv", "iin\n710508363018\n" + "x" * 200 + "\n", Limits(max_field_chars=100))
    assert pieces.columns == {"iin": ["710508363018"]}
    assert pieces.problems == ["line 3 longer than 100 characters"]


def test_a_quoted_field_spanning_many_lines_is_refused_past_the_limit(read):
    content = 'a,b\n1,"' + "0123456789\n" * 50 + '"\n'
    pieces = read("a.csv", content, Limits(max_field_chars=100))
    assert pieces.problems == ["CSV error at line 11: field larger than 100 characters"]
