"""Header detection and column chunking shared by CSV, XLSX and HTML tables."""

from __future__ import annotations

from govscan.model import Field
from govscan.readers.limits import Limits
from govscan.readers.table import TableBuilder, looks_like_header, table_values


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
