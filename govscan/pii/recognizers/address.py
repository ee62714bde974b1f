"""ADDRESS: street-level addresses in Russian and Kazakh word order.

A bare city name is not an address; a street word with a house number is (``ул. Абая, д. 5``,
``Абай даңғылы, 55``, ``мкр. Самал-2, 14``).
"""

from __future__ import annotations

import re

from govscan.pii.recognizers.base import PatternDef, Recognizer

_NAME = (
    r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9][\w\-\.«»\"]*"
    r"(?: (?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9][\w\-\.«»\"]*|[a-zа-яёәғқңөұүһі]{1,7})){0,3}"
)  # "Абылай хана", "Төле би", "Самал-2": lower-case title words after the name are common
_HOUSE = r"(?:,? ?(?:д\.|дом|үй|уй)? ?[0-9]{1,4}[А-Яа-яA-Za-z]?(?:/[0-9]{1,3})?)"
_FLAT = r"(?:,? ?(?:кв\.?|квартира|пәтер|оф\.?|офис) ?[0-9]{1,4})?"
# Every street type, full and abbreviated: улица/ул., проспект/пр./пр-т/пр-кт, переулок/пер.,
# площадь/пл., бульвар/б-р, микрорайон/мкр./мкрн., шоссе/ш., набережная/наб., аллея, тупик,
# проезд, тракт, жилой массив/ж.м.
RU_ORDER = (
    r"(?:[Уу]л(?:\.|ица)|[Пп](?:р\.|р-к?т\.?|росп\.|роспект|ер\.|ереулок|л\.|лощадь|роезд)"
    r"|[Бб](?:-р|ульвар)|[Мм](?:крн?\.?|икрорайон)|[Шш](?:оссе|\.)|[Нн]аб(?:\.|ережная)|[Аа]ллея"
    r"|[Тт](?:упик|ракт)|[Жж](?:\.?м\.|илой массив)) ?" + _NAME + _HOUSE + _FLAT
)
# Kazakh puts the street type after the name: көшесі/көш., даңғылы/даң., шағын ауданы/ш.а.,
# ықшамауданы, тас жолы (highway), жағалауы (embankment), алаңы (square), бульвары, тұйығы and
# тұйық көшесі (dead end), өткелі (passage).
KK_ORDER = (
    _NAME + r" (?i:көшесі|көш\.|даңғылы|даң\.|ықшамауданы|шағын ауданы|ш\. ?а\.|тұйық көшесі|тұйығы"
    r"|алаңы|бульвары|тас жолы|жағалауы|өткелі)" + _HOUSE + _FLAT
)


class AddressRecognizer(Recognizer):
    entity = "ADDRESS"
    name = "address"
    patterns = (PatternDef("ru_order", RU_ORDER, 0.5), PatternDef("kk_order", KK_ORDER, 0.5))

    def may_be_own(self, value: str) -> bool:
        # An office is not in a flat: "ул. Абая, 5, кв. 3" beside "приемная" is still a home.
        return _FLAT_WORD.search(value) is None

    def mask(self, text: str) -> str:
        # Keep the street words, hide names and numbers: "ул. С*******, д. *, кв. **".
        out = []
        for word in text.split():
            if word.strip(",.").lower() in STREET_WORDS:
                out.append(word)
            else:
                out.append("".join(_mask_char(c, i) for i, c in enumerate(word)))
        return " ".join(out)


_FLAT_WORD = re.compile(r"(?i:кв\.?|квартира|пәтер) ?[0-9]")

STREET_WORDS = frozenset(
    "ул улица пр проспект пр-т пр-кт б-р бульвар пер переулок мкр мкрн микрорайон д дом кв квартира "
    "пл площадь ш шоссе наб набережная аллея тупик проезд тракт "
    "көшесі көш даңғылы даң ықшамауданы шағын ауданы ш.а тас жолы жағалауы алаңы бульвары тұйығы "
    "тұйық өткелі үй пәтер г".split()
)


def _mask_char(char: str, index: int) -> str:
    if char in ",.":
        return char
    return char if index == 0 and char.isalpha() else "*"
