"""IBAN_CODE: bank accounts (KZ IBANs are 20 characters), checked with ISO 13616 mod-97."""

from __future__ import annotations

from govscan.pii.recognizers.base import PatternDef, Recognizer, mask_middle

IBAN = r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z][0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])"
LENGTHS = {"KZ": 20, "RU": 33, "DE": 22, "GB": 22, "FR": 27, "TR": 26, "AE": 23, "GE": 22, "AZ": 28, "UZ": 0}


def iban_ok(text: str) -> bool:
    value = text.replace(" ", "").upper()
    expected = LENGTHS.get(value[:2])
    if expected == 0 or not 15 <= len(value) <= 34 or (expected and len(value) != expected):
        return False
    rearranged = value[4:] + value[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


class IbanRecognizer(Recognizer):
    entity = "IBAN_CODE"
    name = "iban"
    validates_cells = True
    patterns = (PatternDef("iban", IBAN, 0.5),)

    def validate(self, text: str) -> bool | None:
        return True if iban_ok(text) else False

    def normalize(self, text: str) -> str:
        return text.replace(" ", "").upper()

    def mask(self, text: str) -> str:
        value = self.normalize(text)
        return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else mask_middle(value)
