"""Each recognizer: what it finds, what it refuses, how it masks."""

from __future__ import annotations

import random

import pytest

from govscan.pii.recognizers.address import AddressRecognizer
from govscan.pii.recognizers.card import CardRecognizer, luhn_ok
from govscan.pii.recognizers.dates import BirthDateRecognizer
from govscan.pii.recognizers.documents import IdCardRecognizer, PassportRecognizer
from govscan.pii.recognizers.email import EmailRecognizer
from govscan.pii.recognizers.iban import IbanRecognizer, iban_ok
from govscan.pii.recognizers.person import PersonRecognizer
from govscan.pii.recognizers.phone import PhoneRecognizer, national_number
from govscan.testing import synth


def found(recognizer, text: str) -> list[str]:
    return [m.text for m in recognizer.find(text)]


@pytest.mark.parametrize(
    "text",
    ["+7 (777) 060-74-86", "+77076686735", "87087322358", "8 707 139 30 67", "8 (7172) 55-12-34", "+7 727 250 00 00"],
)
def test_kazakh_mobile_and_landline_numbers_are_phones(text: str) -> None:
    assert found(PhoneRecognizer(), f"тел. {text}, звонить днём") == [text]


@pytest.mark.parametrize("text", ["+7 916 123 45 67", "8 495 123 45 67", "+7 703 123 45 67"])
def test_russian_and_unassigned_numbers_are_not_kazakh_phones(text: str) -> None:
    assert found(PhoneRecognizer(), text) == []


def test_phone_normal_form_and_mask() -> None:
    assert national_number("8 (701) 234-56-78") == "7012345678"
    assert PhoneRecognizer().mask("8 (701) 234-56-78") == "+7701*****78"


def test_personal_email_is_found_and_role_mailboxes_are_not() -> None:
    text = "Пишите: priemnaya@akimat.gov.kz, info@gov.kz или a.seitova@mail.kz"
    assert found(EmailRecognizer(), text) == ["a.seitova@mail.kz"]
    assert EmailRecognizer().mask("a.seitova@mail.kz") == "a.***@mail.kz"


def test_iban_checksum() -> None:
    assert iban_ok("KZ86125KZT5004100100")
    assert not iban_ok("KZ86125KZT5004100101")
    assert all(iban_ok(synth.kz_iban(random.Random(i))) for i in range(50))
    assert found(IbanRecognizer(), "счёт KZ86125KZT5004100100.") == ["KZ86125KZT5004100100"]


def test_card_numbers_need_luhn() -> None:
    assert luhn_ok("4400430100000014")
    assert not luhn_ok("4400430100000011")
    assert found(CardRecognizer(), "карта 4400 4301 0000 0014") == ["4400 4301 0000 0014"]
    assert found(CardRecognizer(), "карта 4400 4301 0000 0011") == []
    assert CardRecognizer().mask("4400 4301 0000 0014") == "4400********0014"


def test_plain_sixteen_digits_need_context() -> None:
    card = CardRecognizer(context=["карт"])
    assert found(card, "номер карты 4400430100000014") == ["4400430100000014"]
    assert found(card, "транзакция 4400430100000014") == []


def test_document_numbers_need_context_words() -> None:
    passport = PassportRecognizer(context=["паспорт"])
    id_card = IdCardRecognizer(context=["удостоверени"])
    assert found(passport, "паспорт N12345678") == ["N12345678"]
    assert found(passport, "артикул N12345678") == []
    assert found(id_card, "удостоверение личности 012345678") == ["012345678"]
    assert found(id_card, "заказ 012345678") == []


def test_birth_dates_need_context_and_a_real_past_date() -> None:
    dob = BirthDateRecognizer(context=["рождения", "туған"])
    assert found(dob, "дата рождения 08.05.1971") == ["08.05.1971"]
    assert found(dob, "дата договора 08.05.1971") == []
    assert found(dob, "дата рождения 31.02.1990") == []
    assert dob.mask("08.05.1971") == "**.**.1971"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Заявитель Ли Дмитрий Сергеевич, ИИН", ["Ли Дмитрий Сергеевич"]),
        ("Мөлдір Қайратқызы Сәтбаева", ["Мөлдір Қайратқызы Сәтбаева"]),
        ("Сейткали Нурсултан Ерланович", ["Сейткали Нурсултан Ерланович"]),
        ("ИВАНОВ ИВАН ИВАНОВИЧ", ["ИВАНОВ ИВАН ИВАНОВИЧ"]),
        ("Айгерим Бекова", ["Айгерим Бекова"]),
    ],
)
def test_full_names_in_russian_and_kazakh_forms(text: str, expected: list[str]) -> None:
    assert found(PersonRecognizer(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ремонт дороги по ул. Абая завершён.",
        "пр. Назарбаева Нурсултана, 12",
        "ТОО «Астана Сервис»",
        "ИП Сапаров",
        "Алматы Строй Инвест",
        "Абай даңғылы, 55",
        "Школа-гимназия имени Абая",
        "Республики Казахстан",
    ],
)
def test_streets_organisations_and_places_are_not_people(text: str) -> None:
    assert found(PersonRecognizer(), text) == []


@pytest.mark.parametrize(
    "text",
    [
        "г. Павлодар, ул. Сейфуллина, д. 5, кв. 88",
        "г. Актобе, пр. Абылай хана, д. 108, кв. 259",
        "Төле би көшесі, 101",
        "мкр. Самал-2, 14",
    ],
)
def test_street_level_addresses(text: str) -> None:
    assert found(AddressRecognizer(), text)


def test_a_city_alone_is_not_an_address_and_masks_hide_numbers() -> None:
    assert found(AddressRecognizer(), "Алматы") == []
    assert AddressRecognizer().mask("ул. Сейфуллина, д. 5, кв. 88") == "ул. С*********, д. *, кв. **"
