"""Synthetic identifiers and people: valid check digits, invented values, seeded for repeatability.

Used by the test-suite, the benchmarks and the bundled examples; nothing here is real data.
"""

from __future__ import annotations

import datetime as dt
import random

W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

MALE = ["Тимур", "Данияр", "Нурсултан", "Арман", "Ерлан", "Бауыржан", "Сергей", "Дмитрий", "Асхат", "Виктор"]
FEMALE = ["Айгерим", "Динара", "Гульнара", "Жанна", "Елена", "Мария", "Наталья", "Ольга", "Мөлдір", "Сәуле"]
SURNAMES = [
    "Омаров",
    "Нурланов",
    "Бекмуханов",
    "Касымов",
    "Ахметов",
    "Сулейменов",
    "Иванов",
    "Жумабаев",
    "Сейтов",
    "Абенов",
]
FATHERS = ["Рустем", "Марат", "Ерлан", "Кайрат", "Нурлан", "Серик", "Болат", "Сергей", "Петр", "Александр"]
STREETS = ["ул. Сейфуллина", "пр. Абылай хана", "ул. Жандосова", "ул. Толе би", "пр. Республики", "ул. Кенесары"]
CITIES = ["Алматы", "Астана", "Шымкент", "Караганда", "Павлодар", "Актобе"]
MOBILE_PREFIXES = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "777", "778"]


def control_digit(first11: str) -> int | None:
    digits = [int(c) for c in first11]
    c = sum(d * w for d, w in zip(digits, W1)) % 11
    if c == 10:
        c = sum(d * w for d, w in zip(digits, W2)) % 11
        if c == 10:
            return None
    return c


def iin(rng: random.Random, born: dt.date | None = None, female: bool | None = None) -> str:
    """A valid IIN for a (random) birth date and sex."""
    while True:
        date = born or dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 84))
        is_female = rng.random() < 0.5 if female is None else female
        century = {18: 1, 19: 3, 20: 5}[date.year // 100] + (1 if is_female else 0)
        first = f"{date:%y%m%d}{century}{rng.randrange(0, 10000):04d}"
        check = control_digit(first)
        if check is not None:
            return first + str(check)


def bin_(rng: random.Random) -> str:
    while True:
        first = f"{rng.randrange(0, 100):02d}{rng.randrange(1, 13):02d}{rng.choice('456')}{rng.choice('0123')}{rng.randrange(0, 100000):05d}"
        check = control_digit(first)
        if check is not None:
            return first + str(check)


def mobile(rng: random.Random, style: int | None = None) -> str:
    prefix = rng.choice(MOBILE_PREFIXES)
    n = f"{rng.randrange(0, 10**7):07d}"
    styles = [
        f"+7 ({prefix}) {n[:3]}-{n[3:5]}-{n[5:]}",
        f"+7{prefix}{n}",
        f"8{prefix}{n}",
        f"8 {prefix} {n[:3]} {n[3:5]} {n[5:]}",
    ]
    return styles[rng.randrange(len(styles)) if style is None else style]


def luhn_complete(prefix: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(prefix + "0")):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return prefix + str((10 - total % 10) % 10)


def card(rng: random.Random) -> str:
    number = luhn_complete(rng.choice(["4400", "5522", "4149", "5169"]) + f"{rng.randrange(0, 10**11):011d}")
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def kz_iban(rng: random.Random) -> str:
    bban = f"{rng.randrange(100, 1000)}" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(13))
    numeric = "".join(str(int(c, 36)) for c in bban + "KZ00")
    check = 98 - int(numeric) % 97
    return f"KZ{check:02d}{bban}"


def full_name(rng: random.Random, female: bool | None = None) -> str:
    is_female = rng.random() < 0.5 if female is None else female
    surname = rng.choice(SURNAMES) + ("а" if is_female else "")
    given = rng.choice(FEMALE if is_female else MALE)
    father = rng.choice(FATHERS)
    patronymic = father + ("овна" if is_female else "ович")
    return f"{surname} {given} {patronymic}"


def address(rng: random.Random) -> str:
    return f"г. {rng.choice(CITIES)}, {rng.choice(STREETS)}, д. {rng.randrange(1, 200)}, кв. {rng.randrange(1, 300)}"


def email(rng: random.Random) -> str:
    return f"user{rng.randrange(10, 100000)}@{rng.choice(['mail.kz', 'gmail.com', 'yandex.kz'])}"
