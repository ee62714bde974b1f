"""Header detection and column chunking shared by CSV, XLSX and HTML tables."""

from __future__ import annotations

from govscan.model import Field, Text, Values
from govscan.readers.limits import Limits
from govscan.readers.table import HeaderLayout, TableBuilder, find_header, looks_like_header, table_values


def test_text_titles_over_numeric_columns_are_a_header():
    assert looks_like_header(["ИИН", "Телефон"], [["710508363018", "+77011234567"]])


def test_titles_over_names_of_a_different_shape_are_a_header():
    assert looks_like_header(["ФИО", "Город"], [["Иванов Иван", "Алматы"], ["Петров Петр", "Астана"]])


def test_a_row_with_an_iin_is_never_a_header():
    assert not looks_like_header(["Иванов", "710508363018"], [["Петров", "810508363018"]])


def test_a_row_with_an_email_is_never_a_header():
    assert not looks_like_header(["ivanov@mail.kz", "Иванов"], [["petrov@mail.kz", "Петров"]])


def test_a_mostly_numeric_row_is_data():
    assert not looks_like_header(["12", "15.5", "Алматы"], [["13", "2.5", "Астана"]])


def test_a_row_shaped_like_the_rows_below_is_data():
    assert not looks_like_header(["Иванов Иван", "Алматы"], [["Петров Петр", "Астана"]])


def test_a_lone_row_is_data():
    assert not looks_like_header(["Иванов Иван", "Алматы"], [])


def test_leading_blank_rows_are_skipped_before_the_header():
    rows = [(1, []), (2, ["ИИН"]), (3, ["710508363018"])]
    values = list(table_values("u", rows, Limits()))
    assert [(v.field, v.values, v.first_line) for v in values] == [
        (Field(column="ИИН", column_index=1), ["710508363018"], 3)
    ]


def test_all_empty_column_chunks_are_not_emitted():
    values = list(table_values("u", [(1, ["ИИН", "Пусто"]), (2, ["710508363018", ""])], Limits()))
    assert [v.field.column for v in values] == ["ИИН"]


def test_an_explicit_header_skips_detection():
    builder = TableBuilder("u", Limits(), sheet="S", header=["  Номер\nтелефона "], detect_header=False)
    values = builder.add(["87011234567"], 2) + builder.finish()
    assert [v.field for v in values] == [Field(sheet="S", column="Номер телефона", column_index=1)]


def test_a_number_sign_title_over_row_numbers_is_a_header():
    assert looks_like_header(["№", "Комментарий"], [["1", "Документы приняты"], ["2", "Обратился гражданин"]])


# --- real layouts: find_header -------------------------------------------------------------

TITLE = "Список получателей жилищной помощи по состоянию на 01.01.2024"
DATA = [
    ["1", "Иванов Иван Иванович", "710508363018", "08.05.1971"],
    ["2", "Петрова Анна Сергеевна", "810508363018", "08.05.1981"],
]


def test_the_header_is_found_under_a_merged_title_row_and_a_blank_row():
    rows = [[TITLE, "", "", ""], ["", "", "", ""], ["№", "ФИО", "ИИН", "Дата рождения"], *DATA]
    assert find_header(rows) == HeaderLayout(start=2, data=3, names=["№", "ФИО", "ИИН", "Дата рождения"])


def test_a_kazakh_line_over_a_russian_line_is_one_header_per_column():
    rows = [
        [TITLE],
        ["Р/с №", "Тегі, аты, әкесінің аты", "ЖСН", "Туған күні"],
        ["№ п/п", "Фамилия, имя, отчество", "ИИН", "Дата рождения"],
        *DATA,
    ]
    layout = find_header(rows)
    assert layout is not None and (layout.start, layout.data) == (1, 3)
    assert layout.names[3] == "Туған күні / Дата рождения"
    assert layout.names[2] == "ЖСН / ИИН"


def test_a_numbering_row_under_the_header_is_skipped():
    rows = [["№", "ФИО", "ИИН", "Дата рождения"], ["1", "2", "3", "4"], *DATA]
    assert find_header(rows) == HeaderLayout(start=0, data=2, names=["№", "ФИО", "ИИН", "Дата рождения"])


def test_a_group_cell_names_its_sub_columns():
    rows = [
        ["ФИО", "Паспорт", "", "Дата рождения"],
        ["", "серия", "номер", ""],
        ["Иванов Иван", "N", "12345678", "08.05.1971"],
        ["Петров Петр", "N", "12345679", "08.05.1981"],
    ]
    assert find_header(rows).names == ["ФИО", "Паспорт / серия", "Паспорт / номер", "Дата рождения"]


def test_a_headerless_table_stays_headerless_even_under_a_title():
    rows = [["Отчёт"], ["Иванов Иван", "Алматы"], ["Петров Петр", "Астана"], ["Сидоров Олег", "Шымкент"]]
    assert find_header(rows) is None
    assert find_header([["710508363018", "+77011234567"], ["810508363018", "+77021234567"]]) is None


def test_title_rows_come_out_as_text_and_data_under_the_found_header():
    rows = [(1, [TITLE, "", ""]), (2, []), (3, ["ФИО", "ИИН", "Дата рождения"]), (4, ["1", "2", "3"])]
    rows += [(5, ["Иванов Иван", "710508363018", "08.05.1971"])]
    pieces = list(table_values("u", rows, Limits(), sheet="S"))
    assert [(p.text, p.field, p.line) for p in pieces if isinstance(p, Text)] == [(TITLE, Field(sheet="S"), 1)]
    values = [p for p in pieces if isinstance(p, Values)]
    assert [(v.field.column, v.values, v.first_line) for v in values] == [
        ("ФИО", ["Иванов Иван"], 5),
        ("ИИН", ["710508363018"], 5),
        ("Дата рождения", ["08.05.1971"], 5),
    ]


def test_hidden_rows_come_out_apart_with_their_part_and_lines_kept():
    builder = TableBuilder("u", Limits(), sheet="S", header=["ИИН"], detect_header=False)
    pieces = builder.add(["710508363018"], 2) + builder.add(["810508363018"], 3, hidden=True) + builder.finish()
    assert [(p.field.part, p.values, p.first_line) for p in pieces] == [
        (None, ["710508363018", ""], 2),
        ("hidden rows", ["", "810508363018"], 2),
    ]


def test_a_first_row_naming_only_some_columns_is_still_their_header():
    rows = [["ИИН", "", ""], ["710508363018", "Алматы", "2023"], ["810508363018", "Астана", "2024"]]
    assert find_header(rows) == HeaderLayout(start=0, data=1, names=["ИИН", "", ""])


def test_marked_header_rows_stop_at_a_row_of_values():
    rows = [["ФИО", "ИИН"], ["Иванов Иван", "710508363018"], ["Петров Петр", "810508363018"]]
    assert find_header(rows, marked=[True, True, True]).names == ["ФИО", "ИИН"]


def test_a_two_cell_title_row_over_a_three_column_table_is_a_title():
    rows = [[TITLE, "", "Форма 3"], ["ФИО", "ИИН", "Дата рождения"], DATA[0][1:], DATA[1][1:]]
    assert find_header(rows) == HeaderLayout(start=1, data=2, names=["ФИО", "ИИН", "Дата рождения"])
