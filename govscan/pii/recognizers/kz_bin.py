"""KZ_BIN: an organisation's business identification number (БИН / БСН). Not personal data.

Reported as information so that nobody mistakes it for an IIN: position 5 is the entity type
(4–6) where an IIN has the tens of the birth day (0–3), so the two sets never overlap.
"""

from __future__ import annotations

from collections.abc import Sequence

from govscan.pii.recognizers.base import PatternDef, Recognizer, only_digits
from govscan.pii.recognizers.kz_numbers import TWELVE_DIGITS, bin_ok, check_many, repair_numeric_ids


class KzBinRecognizer(Recognizer):
    entity = "KZ_BIN"
    name = "kz_bin"
    patterns = (PatternDef("bin", TWELVE_DIGITS, 0.4),)
    repairs_cells = True
    validates_cells = True

    def validate(self, text: str) -> bool | None:
        return None if self.validate_many([text])[0] else False

    def validate_many(self, texts: Sequence[str]) -> list[bool]:
        return check_many(texts, bin_ok)

    def normalize(self, text: str) -> str:
        return only_digits(text)

    def repair_column(self, joined: str) -> str:
        return repair_numeric_ids(joined)
