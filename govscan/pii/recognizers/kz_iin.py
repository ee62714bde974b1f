"""KZ_IIN: the individual identification number (ИИН / ЖСН), 12 digits, on every ID card."""

from __future__ import annotations

from collections.abc import Sequence

from govscan.pii.recognizers.base import PatternDef, Recognizer, only_digits
from govscan.pii.recognizers.kz_numbers import (
    TWELVE_DIGITS,
    TWELVE_DIGITS_GROUPED,
    check_many,
    iin_ok,
    repair_numeric_ids,
)


class KzIinRecognizer(Recognizer):
    """Twelve digits whose control digit, century digit and birth date all check out.

    The check digit alone passes ~10 % of random numbers; with the date and century checks
    ~0.2 % pass, which is why a validated IIN scores 0.5 even without context.
    """

    entity = "KZ_IIN"
    name = "kz_iin"
    patterns = (
        PatternDef("iin", TWELVE_DIGITS, 0.5),
        PatternDef("iin_grouped", TWELVE_DIGITS_GROUPED, 0.4),
    )
    repairs_cells = True
    validates_cells = True

    def validate(self, text: str) -> bool | None:
        return None if self.validate_many([text])[0] else False

    def validate_many(self, texts: Sequence[str]) -> list[bool]:
        return check_many(texts, iin_ok)

    def normalize(self, text: str) -> str:
        return only_digits(text)

    def repair_column(self, joined: str) -> str:
        return repair_numeric_ids(joined)
