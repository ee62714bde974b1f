"""IIN and BIN share one structure check: the two-pass mod-11 control digit (decree 565).

Vectorised with numpy because a table column can hold millions of candidates; the scalar
helpers call the same code on a one-row array so both paths agree by construction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import ClassVar

import numpy as np

from govscan.pii.recognizers.base import Recognizer, only_digits

W1 = np.arange(1, 12, dtype=np.int32)
W2 = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], dtype=np.int32)
DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)

# A 12-digit run, not part of a longer code (an IBAN, an order number with letters).
# Every pattern in govscan starts with a character class and puts its "not preceded by" check
# right after it: Python's re can then skip ahead by that class (5-10x faster on prose) where a
# leading lookbehind makes it try every position. written plain, or with spaces/dashes between groups as people type them.
TWELVE_DIGITS = r"[0-9](?<![0-9A-Za-z][0-9])[0-9]{11}(?![0-9A-Za-z])"
TWELVE_DIGITS_GROUPED = r"[0-9](?<![0-9A-Za-z][0-9])[0-9]{1,5}(?:[ \u00a0-][0-9]{2,6}){1,4}(?![0-9A-Za-z])"

_SPREADSHEET_SCI = re.compile(r"^([0-9])[.,]([0-9]{1,11})[eE]\+?([0-9]{1,2})$", re.M)
_SPREADSHEET_FLOAT = re.compile(r"^([0-9]+)[.,]0+$", re.M)
_SHORT = re.compile(r"^([0-9]{9,11})$", re.M)


def digit_matrix(values: Sequence[str], width: int = 12) -> np.ndarray:
    """Rows of digits for values that are exactly ``width`` ASCII digits (callers filter)."""
    raw = np.frombuffer("".join(values).encode("ascii"), dtype=np.uint8)
    return raw.reshape(-1, width).astype(np.int32) - 48


def control_ok(d: np.ndarray) -> np.ndarray:
    first = (d[:, :11] @ W1) % 11
    second = (d[:, :11] @ W2) % 11
    control = np.where(first == 10, second, first)
    return (control != 10) & (control == d[:, 11])


def iin_ok(d: np.ndarray, today: dt.date | None = None) -> np.ndarray:
    """Control digit, century/sex digit 1–6, a real birth date that is not in the future."""
    today = today or dt.date.today()
    century_digit = d[:, 6]
    yy = d[:, 0] * 10 + d[:, 1]
    month = d[:, 2] * 10 + d[:, 3]
    day = d[:, 4] * 10 + d[:, 5]
    year = 1800 + ((century_digit - 1) // 2) * 100 + yy
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    dim = DAYS_IN_MONTH[np.clip(month, 0, 12)] + ((month == 2) & leap)
    date_ok = month_ok & (day >= 1) & (day <= dim)
    born = year * 10000 + month * 100 + day
    not_future = born <= today.year * 10000 + today.month * 100 + today.day
    return (century_digit >= 1) & (century_digit <= 6) & date_ok & not_future & control_ok(d)


def bin_ok(d: np.ndarray) -> np.ndarray:
    """Registration month, entity type 4–6 at position 5, attribute 0–3, control digit."""
    month = d[:, 2] * 10 + d[:, 3]
    return (month >= 1) & (month <= 12) & (d[:, 4] >= 4) & (d[:, 4] <= 6) & (d[:, 5] <= 3) & control_ok(d)


def check_many(values: Sequence[str], check: Callable[[np.ndarray], np.ndarray]) -> list[bool]:
    """Apply a matrix check to candidates; anything that is not 12 digits after clean-up fails."""
    joined = "".join(values)
    if len(joined) == 12 * len(values) and joined.isascii() and joined.isdigit():  # the common case
        return check(digit_matrix(values)).tolist()  # type: ignore[no-any-return]
    cleaned = [re.sub(r"[^0-9]", "", v) for v in values]
    good_idx = [i for i, v in enumerate(cleaned) if len(v) == 12 and v.isascii()]
    result = [False] * len(values)
    if good_idx:
        verdicts = check(digit_matrix([cleaned[i] for i in good_idx]))
        for i, ok in zip(good_idx, verdicts.tolist()):
            result[i] = bool(ok)
    return result


def repair_numeric_ids(joined: str, width: int = 12) -> str:
    """Restore identifiers that a spreadsheet turned into numbers, cell by cell (one per line).

    ``7.10508363018E+11`` → ``710508363018``; ``710508363018.0`` → ``710508363018``; a 9- to 11-digit cell gets back its lost leading
    zeros (IINs of people born 2000–2009 start with 0, those born in 2000 with up to three).
    Separators (``710 508 363 018``) need no repair: validation drops them.
    """
    if "e" in joined or "E" in joined:
        joined = _SPREADSHEET_SCI.sub(_expand_scientific, joined)
    if "." in joined or "," in joined:
        joined = _SPREADSHEET_FLOAT.sub(r"\1", joined)
    if width == 12:
        joined = _SHORT.sub(lambda m: m.group(1).zfill(12), joined)
    return joined


def _expand_scientific(m: re.Match[str]) -> str:
    whole, frac, exp = m.group(1), m.group(2).rstrip("0"), int(m.group(3))
    digits = whole + frac
    if len(digits) > exp + 1:  # fractional part left: not an integer identifier
        return m.group(0)
    return digits + "0" * (exp + 1 - len(digits))


class KzNumberRecognizer(Recognizer):
    """IIN and BIN: twelve digits checked in bulk by a matrix check, repaired after spreadsheets."""

    check: ClassVar[Callable[[np.ndarray], np.ndarray]]
    repairs_cells = True
    validates_cells = True

    def validate(self, text: str) -> bool | None:
        return None if self.validate_many([text])[0] else False

    def validate_many(self, texts: Sequence[str]) -> list[bool]:
        return check_many(texts, type(self).check)

    def normalize(self, text: str) -> str:
        return only_digits(text)

    def repair_column(self, joined: str) -> str:
        return repair_numeric_ids(joined)
