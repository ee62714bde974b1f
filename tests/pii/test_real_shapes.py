"""Shapes of real publications: streets named after people, masked values, every address and date form."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from govscan.pii.recognizers.address import AddressRecognizer
from govscan.pii.recognizers.dates import BirthDateRecognizer, parse_date
from govscan.pii.recognizers.person import PersonRecognizer
from govscan.pii.recognizers.person_ner import NerPersonRecognizer
from govscan.testing import synth

from .publications import places, scan, write_csv, write_text

RNG = random.Random(4242)

# --- streets named after people --------------------------------------------------------------

STREETS_NAMED_AFTER_PEOPLE = [
    "ул. Жамбыла, 12",
    "Абай даңғылы, 55",
    "Мұқанов көшесі, 3",
    "пр. Назарбаева, 1",
    "мкр. Самал-2, 14",
    "Ахмет Байтұрсынұлы алаңы, 1",
    "Қаныш Сәтбаев тас жолы, 3",
    "Бауыржан Момышұлы жағалауы, 8",
    "на проспекте Бауыржан Момышұлы, 5",
    "по улице Сергея Есенина, 7",
    "наб. Нурсултана Назарбаева, 2",
]


@pytest.mark.parametrize("text", STREETS_NAMED_AFTER_PEOPLE)
def test_a_street_named_after_a_person_is_not_a_person(text: str) -> None:
    assert [m.text for m in PersonRecognizer().find(text)] == []
    assert [m.text for m in NerPersonRecognizer().find(f"Жилой дом расположен по адресу: {text}.")] == []


def test_a_person_beside_a_street_is_still_a_person() -> None:
    text = "Заявитель Сейткали Нурсултан Ерланович проживает по адресу: Ахмет Байтұрсынұлы алаңы, 1"
    assert [m.text for m in PersonRecognizer().find(text)] == ["Сейткали Нурсултан Ерланович"]


def test_an_address_column_of_streets_named_after_people_holds_addresses_not_people(tmp_path: Path) -> None:
    streets = [
        "Ахмет Байтұрсынұлы алаңы",
        "Қаныш Сәтбаев тас жолы",
        "Бауыржан Момышұлы жағалауы",
        "Абай Құнанбайұлы тұйығы",
    ]
    rows = [
        [str(n), f"{RNG.choice(streets)}, {RNG.randrange(1, 90)}, пәтер {RNG.randrange(1, 200)}"] for n in range(30)
    ]
    found = scan(write_csv(tmp_path / "kezek.csv", ["Р/с", "Тұрғылықты мекенжайы"], rows))
    assert places(found, "ADDRESS") == {"Тұрғылықты мекенжайы": 30}
    assert places(found, "PERSON") == {}


# --- masked values ---------------------------------------------------------------------------

MASKED = [
    "ИИН 9501******32",
    "ИИН: 9501********",
    "тел. +7 (705) ***-**-18",
    "тел. +7 705 XXX XX 18",
    "Иванов И.***",
    "e-mail: i***@mail.kz",
    "e-mail: a****v@mail.ru",
    "счёт КZ** **** **** 1234",
    "карта 4400 **** **** 1234",
    "дата рождения **.**.1985",
]


def test_masked_values_in_prose_are_never_findings(tmp_path: Path) -> None:
    text = "Список победителей конкурса (данные обезличены):\n" + "\n".join(f"{n}. {v}" for n, v in enumerate(MASKED))
    assert scan(write_text(tmp_path / "pobediteli.txt", text)) == []


def test_masked_cells_of_a_name_column_are_not_counted(tmp_path: Path) -> None:
    rows = [[synth.full_name(RNG), "9501******32"] for _ in range(10)]
    rows += [[f"{synth.full_name(RNG).split()[0]} {RNG.choice('АБЕКМС')}.***", "9501******32"] for _ in range(10)]
    found = scan(write_csv(tmp_path / "spisok.csv", ["ФИО", "ИИН"], rows))
    assert places(found, "PERSON") == {"ФИО": 10}
    assert places(found, "KZ_IIN") == {}


# --- address shapes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ул. Кенесары, 40",
        "улица Кенесары, д. 40, кв. 5",
        "пр. Абая, 10",
        "пр-т Абая 10",
        "пр-кт Абая 10",
        "проспект Абая, 10",
        "пер. Тихий, 3",
        "переулок Тихий, 3",
        "б-р Бухар Жырау, 27",
        "бульвар Бухар Жырау, 27",
        "мкр. Самал-2, 14",
        "мкрн. Алмагуль, д. 9",
        "микрорайон Алмагуль, 9",
        "пл. Республики, 1",
        "площадь Республики, 1",
        "ш. Алаш, 12",
        "шоссе Алаш, 12",
        "наб. Есиля, 3",
        "набережная Есиля, 3",
        "аллея Молодёжи, 2",
        "тупик Жетысу, 4",
        "проезд Нурлы, 5",
        "Төле би көшесі, 101",
        "Мұқанов көш. 7",
        "Абай даңғылы, 15",
        "Абай даң. 15",
        "Самал шағын ауданы, 12",
        "Самал ш.а., 12",
        "Қорғалжын тас жолы, 3",
        "Есіл жағалауы, 5",
        "Республика алаңы, 1",
        "Бейбітшілік бульвары, 9",
        "Жетісу тұйығы, 3",
        "Достық өткелі, 2",
    ],
)
def test_every_russian_and_kazakh_street_type_is_an_address(text: str) -> None:
    assert [m.text for m in AddressRecognizer().find(f"проживает: {text}")] == [text]


def test_street_words_are_kept_in_the_mask() -> None:
    assert AddressRecognizer().mask("Қорғалжын тас жолы, 3") == "Қ******** тас жолы, *"
    assert AddressRecognizer().mask("наб. Есиля, 3") == "наб. Е****, *"


# --- long-form dates ---------------------------------------------------------------------------

BIRTH_CONTEXT = ["дата рождения", "родился", "родилась", "туған"]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("родилась 12 марта 1985 г.", "12 марта 1985"),
        ("родился «5» мая 1990 года", "«5» мая 1990"),
        ("Дата рождения: 29 февраля 1988 г.", "29 февраля 1988"),
        ("туған күні: 1985 жылғы 12 наурыз", "1985 жылғы 12 наурыз"),
        ("туған күні: 12 наурыз 1985 ж.", "12 наурыз 1985"),
        ("туған күні наурыздың 12-сі 1985", "наурыздың 12-сі 1985"),
        ("туған: 1990 жылы 1-ші қыркүйекте", "1990 жылы 1-ші қыркүйекте"),
        ("Өтініш беруші 1985 жылғы 3 қаңтарда туған", "1985 жылғы 3 қаңтарда"),
    ],
)
def test_long_form_birth_dates_in_both_languages_and_word_orders(text: str, date: str) -> None:
    found = [m.text for m in BirthDateRecognizer(context=BIRTH_CONTEXT).find(text)]
    assert found == [date]
    assert parse_date(date) is not None


@pytest.mark.parametrize(
    "text",
    [
        "родился 31 февраля 1985 г.",
        "родилась 30 ақпан 1990 ж.",
        "родился 12 марта 2985 г.",
        "приказ от 12 марта 1985 г.",
    ],
)
def test_impossible_future_or_contextless_long_dates_are_not_birth_dates(text: str) -> None:
    assert list(BirthDateRecognizer(context=BIRTH_CONTEXT).find(text)) == []


def test_a_birth_date_column_in_long_form_is_found(tmp_path: Path) -> None:
    months = ["января", "марта", "мая", "июля", "октября", "декабря"]
    rows = [
        [synth.full_name(RNG), f"{RNG.randrange(1, 29)} {RNG.choice(months)} 19{RNG.randrange(50, 99)} г."]
        for _ in range(20)
    ]
    found = scan(write_csv(tmp_path / "kadry.csv", ["ФИО", "Дата рождения"], rows))
    assert places(found, "DATE_OF_BIRTH") == {"Дата рождения": 20}


def test_an_address_column_without_street_words_is_not_a_column_of_people(tmp_path: Path) -> None:
    """Clerks drop "көшесі": "Мұхтар Әуезов, 12" in an address column is a street, not a person."""
    streets = ["Нурсултан Назарбаев", "Бауыржан Момышұлы", "Абай Құнанбайұлы", "Мұхтар Әуезов"]
    rows = [[synth.full_name(RNG), f"{RNG.choice(streets)}, {RNG.randrange(1, 90)}"] for _ in range(20)]
    found = scan(write_csv(tmp_path / "ochered.csv", ["ФИО", "Адрес проживания"], rows))
    assert places(found, "PERSON") == {"ФИО": 20}


def test_long_form_birth_dates_in_a_decision_are_found_and_its_own_date_is_not(tmp_path: Path) -> None:
    text = (
        "РЕШЕНИЕ от 12 марта 2024 года № 15\n"
        "Назначить пособие гражданке Сериковой Айгерим Нурлановне, дата рождения 5 мая 1990 года.\n"
        "Шешім 2024 жылғы 12 наурызда қабылданды. Өтініш беруші 1985 жылғы 3 қаңтарда туған, туған күні 3 қаңтар 1985 ж."
    )
    found = scan(write_text(tmp_path / "reshenie.txt", text))
    assert places(found, "DATE_OF_BIRTH") == {"text": 3}
