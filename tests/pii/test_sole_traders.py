"""Recipients that are sole traders and farms: an entry named after its owner is a person."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from govscan.pii.recognizers.person import PersonRecognizer
from govscan.testing import synth

from .publications import places, scan, write_csv

RNG = random.Random(515)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ИП Иванов Иван Иванович", "Иванов Иван Иванович"),
        ("ЖК Сериков Б.", "Сериков Б."),
        ('ИП "Ахметова А.К."', "Ахметова А.К."),
        ("КХ «Жумабаев Е.С.»", "Жумабаев Е.С."),
        ("Крестьянское хозяйство «Оспанов Н. Т.»", "Оспанов Н. Т."),
        ("Индивидуальный предприниматель Ким В.", "Ким В."),
        ("ШҚ «Әбдірахманова Г.Қ.»", "Әбдірахманова Г.Қ."),
        ("Жеке кәсіпкер Төлегенов А.", "Төлегенов А."),
    ],
)
def test_a_sole_trader_or_farm_named_after_its_owner_is_a_person(text: str, expected: str) -> None:
    assert [m.text for m in PersonRecognizer().find(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "КХ «Береке»",
        "ИП Сапаров",
        "ТОО «Астана Сервис»",
        "КХ «Нұр-Ай»",
        "ШҚ «Жаңа өмір»",
        "ИП Иванов И.***",
        "Сериков Б.",
    ],
)
def test_farms_with_trade_names_and_masked_owners_are_not_people(text: str) -> None:
    assert [m.text for m in PersonRecognizer().find(text)] == []


def recipient(kind: int) -> tuple[str, str]:
    """A subsidy recipient and its identifier: sole traders and farms by IIN, companies by BIN."""
    surname, given, patronymic = synth.full_name(RNG).split()
    if kind == 0:
        return f"ИП {surname} {given} {patronymic}", synth.iin(RNG)
    if kind == 1:
        return f"КХ «{surname} {given[0]}.{patronymic[0]}.»", synth.iin(RNG)
    if kind == 2:
        return f"ЖК {surname} {given[0]}.", synth.iin(RNG)
    if kind == 3:
        return f'ИП "{surname} {given[0]}.{patronymic[0]}."', synth.iin(RNG)
    if kind == 4:
        return f"КХ «{RNG.choice(['Береке', 'Асыл', 'Достық', 'Нұр'])}»", synth.bin_(RNG)
    return f"ТОО «{RNG.choice(['Агро', 'Астық', 'Дала'])} {RNG.choice(['Сервис', 'Трейд'])}»", synth.bin_(RNG)


def test_a_subsidy_recipient_column_of_sole_traders_is_a_column_of_names(tmp_path: Path) -> None:
    kinds = [n % 6 for n in range(48)]
    rows = []
    for n, kind in enumerate(kinds):
        name, number = recipient(kind)
        rows.append([str(n + 1), name, number, "Жамбылский район", f"{RNG.randrange(100, 9000) * 1000}"])
    header = ["№ п/п", "Наименование получателя субсидии", "ИИН/БИН", "Район", "Сумма субсидии, тенге"]
    found = scan(write_csv(tmp_path / "subsidii.csv", header, rows))
    persons = sum(1 for k in kinds if k < 4)
    assert places(found, "PERSON") == {"Наименование получателя субсидии": persons}
    assert places(found, "KZ_IIN") == {"ИИН/БИН": persons}
    assert places(found, "KZ_BIN") == {"ИИН/БИН": len(kinds) - persons}


def test_iins_of_sole_traders_in_a_column_headed_bin_are_iins(tmp_path: Path) -> None:
    rows = [[f"ИП {synth.full_name(RNG)}", synth.iin(RNG)] for _ in range(12)]
    rows += [[f"ТОО «Дала {n}»", synth.bin_(RNG)] for n in range(12)]
    found = scan(write_csv(tmp_path / "postavshiki.csv", ["Поставщик", "БИН"], rows))
    assert places(found, "KZ_IIN") == {"БИН": 12}
    assert places(found, "KZ_BIN") == {"БИН": 12}


@pytest.mark.parametrize("header", ["Поставщик", "Наименование поставщика", "Победитель конкурса"])
def test_tender_winners_that_are_sole_traders_are_people_under_a_supplier_header(tmp_path: Path, header: str) -> None:
    """A supplier header says "organisation", but a cell "ИП Иванов Иван Иванович" says person."""
    kinds = [n % 4 for n in range(40)]  # 0, 2, 3: sole traders named after their owner; 1: a farm
    rows = []
    for n, kind in enumerate(kinds):
        name, number = recipient(kind if kind != 1 else 5)
        rows.append([str(n + 1), name, number, f"№{RNG.randrange(1, 999)}-ГЗ/2024"])
    found = scan(write_csv(tmp_path / "itogi.csv", ["№", header, "ИИН/БИН", "Номер договора"], rows))
    assert places(found, "PERSON") == {header: sum(1 for k in kinds if k != 1)}


def test_a_supplier_column_of_companies_only_holds_no_people(tmp_path: Path) -> None:
    rows = [[recipient(5)[0], synth.bin_(RNG)] for _ in range(20)]
    rows += [[f"АО «{RNG.choice(['Казпочта', 'Казахтелеком'])}»", synth.bin_(RNG)] for _ in range(5)]
    found = scan(write_csv(tmp_path / "dogovory.csv", ["Поставщик", "БИН"], rows))
    assert places(found, "PERSON") == {}
