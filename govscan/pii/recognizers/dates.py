"""DATE_OF_BIRTH: a date is personal only when it is somebody's birth date, so context decides."""

from __future__ import annotations

import datetime as dt
import re

from govscan.pii.recognizers.base import PatternDef, Recognizer

DMY = r"[0-3](?<![0-9.][0-3])[0-9]?[./-][01]?[0-9][./-](?:18|19|20)[0-9]{2}(?![0-9])"
ISO = r"[12](?<![0-9.\-][12])[089][0-9]{2}-[01][0-9]-[0-3][0-9](?![0-9])"

# Month names: Russian in the genitive ("12 марта 1985 г."), Kazakh with any case ending
# ("1985 жылғы 12 наурыз", "12 наурызда", "наурыздың 12-сі"). The index is the month's number.
RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря")  # fmt: skip
KK_MONTHS = ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан")  # fmt: skip
_KK_END = r"[а-яәғқңөұүһі]{0,5}"
_RU_MONTH = "(?i:" + "|".join(RU_MONTHS) + ")"
_KK_MONTH = "(?i:" + "|".join(KK_MONTHS) + ")" + _KK_END
_DAY = r"[0-9](?<![0-9][0-9])[0-9]?(?![0-9])"  # 1..31; validation rejects the rest
_YEAR = r"(?:18|19|20)[0-9]{2}(?![0-9])"
_DAY_END = r"(?:-?(?:ші|шы|сі|сы|і|ы|нші|ншы))?"  # "12-сі", "1-ші"
# Every pattern starts with a character class (see kz_numbers): the regex engine then skips
# ahead to the positions where it can match instead of trying every one.
LONG_RU = (
    r"[«\"0-9](?<![0-9][«\"0-9])(?:(?<=[«\"])[0-9]{1,2}[»\"]|(?<=[0-9])[0-9]?)(?![0-9]) " + _RU_MONTH + " " + _YEAR
)
LONG_KK_DMY = _DAY + " " + _KK_MONTH + " " + _YEAR
LONG_KK_YDM = r"(?:18|19|20)(?<![0-9](?:18|19|20))[0-9]{2} ?(?:ж\.|жылғы|жылы|ж)? ?" + _DAY + _DAY_END + " " + _KK_MONTH


def _led_by_a_letter(words: tuple[str, ...]) -> str:
    """``(?:қаңтар|ақпан…)`` as a character class of first letters, then the rest of each word."""
    firsts = sorted({w[0] for w in words})
    letters = "".join(firsts) + "".join(f.upper() for f in firsts)
    rests = "|".join(f"(?<=[{w[0]}{w[0].upper()}]){w[1:]}" for w in words)
    return f"[{letters}](?<![^\\W\\d_][{letters}])(?:{rests})"


LONG_KK_MDY = _led_by_a_letter(KK_MONTHS) + _KK_END + " " + _DAY + _DAY_END + ",? " + _YEAR
_PARTS = re.compile(r"[0-9]+")
_MONTH_WORD = re.compile("(" + "|".join((*RU_MONTHS, *KK_MONTHS)) + ")", re.I)


def parse_date(text: str) -> dt.date | None:
    """A date written with numbers only (12.03.1985, 1985-03-12) or with a month name."""
    parts = [int(p) for p in _PARTS.findall(text)]
    named = _MONTH_WORD.search(text)
    if named:
        word = named.group(1).lower()
        month = (RU_MONTHS.index(word) if word in RU_MONTHS else KK_MONTHS.index(word)) + 1
        if len(parts) != 2:
            return None
        y, d = (parts[0], parts[1]) if parts[0] > 31 else (parts[1], parts[0])
        parts = [y, month, d]
    elif len(parts) != 3:
        return None
    y, m, d = (parts[0], parts[1], parts[2]) if parts[0] > 31 else (parts[2], parts[1], parts[0])
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


class BirthDateRecognizer(Recognizer):
    entity = "DATE_OF_BIRTH"
    name = "date_of_birth"
    patterns = (
        PatternDef("dmy", DMY, 0.2),
        PatternDef("iso", ISO, 0.2),
        PatternDef("long_ru", LONG_RU, 0.2),
        PatternDef("long_kk_dmy", LONG_KK_DMY, 0.2),
        PatternDef("long_kk_ydm", LONG_KK_YDM, 0.2),
        PatternDef("long_kk_mdy", LONG_KK_MDY, 0.2),
    )

    def validate(self, text: str) -> bool | None:
        date = parse_date(text)
        if date is None or not 1900 <= date.year or date > dt.date.today():
            return False
        return None

    def context_near(self, text: str, start: int, end: int | None = None) -> bool:
        return super().context_near(text, start, end) or (end is not None and _iin_of_this_date(text, start, end))

    def context_presidio_misses(self, text: str, start: int, end: int) -> bool:
        return super().context_presidio_misses(text, start, end) or _iin_of_this_date(text, start, end)

    def mask(self, text: str) -> str:
        date = parse_date(text)
        return f"**.**.{date.year}" if date else "**.**.****"


IIN_REACH = 120  # characters either side, within the line: one row of a list or one sentence
_TWELVE_DIGITS = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


def _iin_of_this_date(text: str, start: int, end: int) -> bool:
    """Whether the date's line holds an IIN that encodes this very date as its birth date.

    An IIN starts with the birth date (YYMMDD) and its seventh digit gives the century, so a list
    whose header OCR lost ("1 Серикова А. 850312400125 12.03.1985 …") still says what the date is.
    """
    date = parse_date(text[start:end])
    if date is None:
        return False
    lo = max(text.rfind("\n", max(0, start - IIN_REACH), start) + 1, start - IIN_REACH)
    hi = text.find("\n", end, end + IIN_REACH)
    window = text[max(0, lo) : hi if hi >= 0 else end + IIN_REACH]
    prefix = f"{date:%y%m%d}"
    for number in _TWELVE_DIGITS.findall(window):
        century = _CENTURY.get(int(number[6]))
        if number.startswith(prefix) and century is not None and century <= date.year < century + 100:
            return True
    return False
