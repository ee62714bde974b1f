"""A directory of institutions lists each organisation's own contacts: not personal data.

A table whose rows are organisations (a school list, a pharmacy register) publishes their
addresses, phones and mailboxes on purpose; only the people it names (the head) are personal.
A table whose rows are people keeps every contact, whatever workplace column it has, and a
sole trader (ИП, ЖК, КХ) is a person: a directory of them keeps its contacts as personal.
"""

from __future__ import annotations

from pathlib import Path

from govscan.model import Finding

from .publications import scan, write_csv, write_json

SCHOOLS_HEADER = ["№", "Наименование организации", "Адрес", "Телефон", "Электронная почта", "Директор"]
SCHOOLS = [
    ["1", "КГУ «Средняя школа № 12» акимата г. Астаны", "г. Астана, ул. Кенесары, 40", "+7 (7172) 21-45-67",
     "school12@astana.edu.kz", "Иванова Мария Петровна"],
    ["2", "ГККП «Ясли-сад \"Балапан\"»", "г. Астана, пр. Республики, 15/2", "8 7172 33 44 55", "balapan@mail.kz",
     "Сейткали Айгерим Бекқызы"],
    ["3", "КГУ «Гимназия № 5»", "г. Астана, ул. Бейбітшілік, 23", "+7 717 224 1010", "gymn5@edu.kz",
     "Ахметов Ерлан Серикович"],
]  # fmt: skip
CONTACTS = {"ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS"}


def entities(found: list[Finding]) -> set[str]:
    return {f.entity for f in found if f.entity}


def test_a_school_directory_reports_only_the_heads_names(tmp_path: Path) -> None:
    found = scan(write_csv(tmp_path / "schools.csv", SCHOOLS_HEADER, SCHOOLS))
    assert entities(found) == {"PERSON"}
    assert {f.location.column for f in found} == {"Директор"}


def test_a_kazakh_headed_directory_reports_only_the_heads_names(tmp_path: Path) -> None:
    header = ["Р/с", "Мекеме атауы", "Мекенжайы", "Телефон", "Электрондық пошта", "Басшы"]
    found = scan(write_csv(tmp_path / "mektepter.csv", header, SCHOOLS))
    assert entities(found) == {"PERSON"}


def test_a_directory_is_known_by_legal_forms_when_its_name_column_has_no_telling_header(tmp_path: Path) -> None:
    header = ["№", "Объект", "Адрес", "Телефон", "E-mail", "Руководитель"]
    found = scan(write_csv(tmp_path / "objects.csv", header, SCHOOLS))
    assert entities(found) == {"PERSON"}


def test_a_json_directory_reports_only_the_heads_names(tmp_path: Path) -> None:
    keys = ["id", "naimenovanie_organizacii", "adres", "telefon", "email", "direktor"]
    found = scan(write_json(tmp_path / "schools.json", [dict(zip(keys, row)) for row in SCHOOLS]))
    assert entities(found) == {"PERSON"}


def test_a_table_of_people_with_a_workplace_column_keeps_their_contacts(tmp_path: Path) -> None:
    header = ["ФИО", "Дата рождения", "Место работы", "Адрес", "Телефон", "Электронная почта"]
    rows = [
        [row[5], "12.03.1987", row[1], "г. Астана, ул. Кенесары, д. 40, кв. 12", "8 701 555 12 3" + str(i),
         f"person{i}@mail.ru"]
        for i, row in enumerate(SCHOOLS)
    ]  # fmt: skip
    found = scan(write_csv(tmp_path / "staff.csv", header, rows))
    assert CONTACTS <= entities(found)


def test_a_table_of_people_with_an_organisation_column_keeps_their_contacts(tmp_path: Path) -> None:
    header = ["Организация", "Тегі Аты", "ЖСН", "Мекенжайы", "Телефон", "E-mail"]
    rows = [[row[1], row[5], "870312300123", row[2], row[3], row[4]] for row in SCHOOLS]
    found = scan(write_csv(tmp_path / "workers.csv", header, rows))
    assert CONTACTS <= entities(found)


def test_a_directory_of_sole_traders_keeps_their_contacts_as_personal(tmp_path: Path) -> None:
    rows = [
        ["1", "ИП Иванов И.И.", "г. Астана, ул. Кенесары, 40", "+7 701 214 56 78", "ivanov.ii@mail.ru", "Иванов Иван Иванович"],
        ["2", "ИП «Сейткали»", "г. Астана, пр. Республики, 15/2", "8 702 334 45 55", "seitkali@mail.kz",
         "Сейткали Айгерим Бекқызы"],
        ["3", "КХ «Ахметов»", "г. Астана, ул. Бейбітшілік, 23", "+7 777 224 10 10", "akhmetov@mail.kz",
         "Ахметов Ерлан Серикович"],
    ]  # fmt: skip
    found = scan(write_csv(tmp_path / "traders.csv", SCHOOLS_HEADER, rows))
    assert CONTACTS <= entities(found)


def test_an_xlsx_directory_with_the_heads_full_name_column_reports_only_the_heads(tmp_path: Path) -> None:
    """ "ФИО руководителя" names the organisation's head (a role), not the person a row is about."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["№", "Наименование учреждения", "Адрес", "Телефон", "E-mail", "ФИО руководителя"])
    for row in SCHOOLS:
        sheet.append(row)
    book.save(tmp_path / "schools.xlsx")
    found = scan(tmp_path / "schools.xlsx")
    assert entities(found) == {"PERSON"}
    assert sum(f.count for f in found) == len(SCHOOLS)


def test_a_directory_without_a_heads_column_has_no_findings(tmp_path: Path) -> None:
    found = scan(write_csv(tmp_path / "schools.csv", SCHOOLS_HEADER[:-1], [row[:-1] for row in SCHOOLS]))
    assert found == []
