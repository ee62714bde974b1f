"""A name split over three columns is one PERSON finding on the surname column, counting its rows."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest

from govscan.testing import synth

from .publications import places, scan, write_csv, write_json

RNG = random.Random(2024)
KK_GIVEN = ["Айгерім", "Ерлан", "Мөлдір", "Нұрлан", "Әсел", "Бауыржан", "Жұлдыз", "Данияр"]
KK_SURNAMES = ["Сейітқали", "Жұмабаев", "Әбдірахманова", "Құдайберген", "Оспанов", "Төлегенова"]
KK_FATHERS = ["Серік", "Болат", "Қайрат", "Мұрат", "Асқар"]


def ru_rows(n: int) -> list[list[str]]:
    return [[str(i + 1), *synth.full_name(RNG).split(), synth.iin(RNG)] for i in range(n)]


def kk_rows(n: int) -> list[list[str]]:
    rows = []
    for i in range(n):
        female = RNG.random() < 0.5
        patronymic = RNG.choice(KK_FATHERS) + ("қызы" if female else "ұлы")
        rows.append([str(i + 1), RNG.choice(KK_SURNAMES), RNG.choice(KK_GIVEN), patronymic, synth.iin(RNG)])
    return rows


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        (["№", "Фамилия", "Имя", "Отчество", "ИИН"], ru_rows(35)),
        (["Р/с", "Тегі", "Аты", "Әкесінің аты", "ЖСН"], kk_rows(35)),
        (["nn", "familiya", "imya", "otchestvo", "iin"], ru_rows(35)),
        (["nn", "last_name", "first_name", "middle_name", "iin"], ru_rows(35)),
    ],
    ids=["ru", "kk", "translit", "en"],
)
def test_a_name_over_three_columns_is_one_person_on_the_surname_column(
    tmp_path: Path, header: list[str], rows: list[list[str]]
) -> None:
    found = scan(write_csv(tmp_path / "spisok.csv", header, rows))
    assert places(found, "PERSON") == {header[1]: 35}
    assert places(found, "KZ_IIN") == {header[4]: 35}


def test_surname_and_given_name_without_patronymic_are_a_person(tmp_path: Path) -> None:
    rows = [[synth.full_name(RNG).split()[0], RNG.choice(synth.MALE), "участник"] for _ in range(20)]
    found = scan(write_csv(tmp_path / "uchastniki.csv", ["Фамилия", "Имя", "Статус"], rows))
    assert places(found, "PERSON") == {"Фамилия": 20}


def test_a_split_name_in_a_json_export_is_one_person(tmp_path: Path) -> None:
    records = []
    for _ in range(12):
        surname, given, patronymic = synth.full_name(RNG).split()
        records.append({"familiya": surname, "imya": given, "otchestvo": patronymic, "rayon": "Алмалинский"})
    found = scan(write_json(tmp_path / "export.json", records))
    assert places(found, "PERSON") == {"data[*].familiya": 12}


def test_a_split_name_in_a_workbook_with_a_title_row_is_one_person(tmp_path: Path) -> None:
    path = tmp_path / "ochered.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Очередь"
    ws.append(["Список очередников на жильё по состоянию на 01.01.2025"])
    ws.append([])
    ws.append(["№", "Фамилия", "Имя", "Отчество", "Дата постановки"])
    for i in range(25):
        ws.append([i + 1, *synth.full_name(RNG).split(), "12.03.2019"])
    wb.save(path)
    assert places(scan(path), "PERSON") == {"Фамилия": 25}


def test_columns_of_words_headed_like_name_parts_are_not_people(tmp_path: Path) -> None:
    """A "Фамилия" column beside an "Имя" column of product names is not a list of people."""
    rows = [[RNG.choice(["Сталь", "Цемент", "Кирпич"]), RNG.choice(["Марка", "Сорт", "Тип"])] for _ in range(20)]
    found = scan(write_csv(tmp_path / "tovary.csv", ["Фамилия поставщика", "Имя товара"], rows))
    assert places(found, "PERSON") == {}


def test_a_full_name_column_headed_with_all_three_parts_is_counted_as_before(tmp_path: Path) -> None:
    rows = [[synth.full_name(RNG), synth.iin(RNG)] for _ in range(15)]
    found = scan(write_csv(tmp_path / "fio.csv", ["Фамилия, имя, отчество", "ИИН"], rows))
    assert places(found, "PERSON") == {"Фамилия, имя, отчество": 15}


def test_a_full_name_column_headed_aty_zhoni_is_not_a_given_name_part(tmp_path: Path) -> None:
    """ "Аты-жөні" (full name) holds the word "аты" (given name); its own cells are the names."""
    rows = [
        [RNG.choice(KK_SURNAMES), f"{RNG.choice(KK_SURNAMES)} {RNG.choice(KK_GIVEN)} {RNG.choice(KK_FATHERS)}ұлы"]
        for _ in range(15)
    ]
    found = scan(write_csv(tmp_path / "tizim.csv", ["Тегі", "Аты-жөні"], rows))
    assert places(found, "PERSON") == {"Аты-жөні": 15}


def test_a_split_name_in_a_word_table_is_one_person(tmp_path: Path) -> None:
    """Commission decisions come as Word files: Тегі | Аты | Әкесінің аты under a title paragraph."""
    import docx

    document = docx.Document()
    document.add_paragraph("Тұрғын үй кезегіне қойылған азаматтардың тізімі")
    rows = kk_rows(18)
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, ["Р/с", "Тегі", "Аты", "Әкесінің аты", "ЖСН"]):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    path = tmp_path / "tizim.docx"
    document.save(str(path))
    found = scan(path)
    assert places(found, "PERSON") == {"Тегі": 18}
    assert places(found, "KZ_IIN") == {"ЖСН": 18}
