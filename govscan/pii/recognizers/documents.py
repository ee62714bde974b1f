"""KZ_PASSPORT and KZ_ID_CARD: identity document numbers, reported only with context.

Neither number carries a check digit (no public algorithm is known), so a bare 9-digit number is
indistinguishable from any other; a header or nearby words must say it is a document number.
"""

from __future__ import annotations

from govscan.pii.recognizers.base import PatternDef, Recognizer, mask_middle, only_digits


class PassportRecognizer(Recognizer):
    entity = "KZ_PASSPORT"
    name = "kz_passport"
    # Latin N or Cyrillic Н followed by eight digits, as printed in KZ passports.
    patterns = (PatternDef("kz_passport", r"[NНnн](?<![A-Za-zА-Яа-я0-9][NНnн]) ?[0-9]{8}(?![0-9])", 0.3),)

    def normalize(self, text: str) -> str:
        return "N" + only_digits(text)

    def mask(self, text: str) -> str:
        value = self.normalize(text)
        return value[:2] + "*" * (len(value) - 4) + value[-2:]


class IdCardRecognizer(Recognizer):
    entity = "KZ_ID_CARD"
    name = "kz_id_card"
    patterns = (PatternDef("kz_id_card", r"[0-9](?<![0-9A-Za-z][0-9])[0-9]{8}(?![0-9A-Za-z])", 0.1),)
    repairs_cells = True

    def normalize(self, text: str) -> str:
        return only_digits(text)

    def mask(self, text: str) -> str:
        return mask_middle(self.normalize(text))

    def repair_column(self, joined: str) -> str:
        import re

        # A spreadsheet drops the leading zero of 012345678; in a column already known to hold
        # ID-card numbers, an 8-digit cell is such a number.
        return re.sub(r"^([0-9]{8})(?:[.,]0+)?$", r"0\1", joined, flags=re.M)
