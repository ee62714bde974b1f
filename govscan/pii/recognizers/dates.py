"""DATE_OF_BIRTH: a date is personal only when it is somebody's birth date, so context decides."""

from __future__ import annotations

import datetime as dt
import re

from govscan.pii.recognizers.base import PatternDef, Recognizer

DMY = r"[0-3](?<![0-9.][0-3])[0-9]?[./-][01]?[0-9][./-](?:18|19|20)[0-9]{2}(?![0-9])"
ISO = r"[12](?<![0-9.\-][12])[089][0-9]{2}-[01][0-9]-[0-3][0-9](?![0-9])"
_PARTS = re.compile(r"[0-9]+")


def parse_date(text: str) -> dt.date | None:
    parts = [int(p) for p in _PARTS.findall(text)]
    if len(parts) != 3:
        return None
    y, m, d = (parts[0], parts[1], parts[2]) if parts[0] > 31 else (parts[2], parts[1], parts[0])
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


class BirthDateRecognizer(Recognizer):
    entity = "DATE_OF_BIRTH"
    name = "date_of_birth"
    patterns = (PatternDef("dmy", DMY, 0.2), PatternDef("iso", ISO, 0.2))

    def validate(self, text: str) -> bool | None:
        date = parse_date(text)
        if date is None or not 1900 <= date.year or date > dt.date.today():
            return False
        return None

    def mask(self, text: str) -> str:
        date = parse_date(text)
        return f"**.**.{date.year}" if date else "**.**.****"
