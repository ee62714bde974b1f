"""CREDIT_CARD: payment card numbers (13–19 digits), Luhn-checked."""

from __future__ import annotations

from govscan.pii.recognizers.base import PatternDef, Recognizer, only_digits

GROUPED = r"[2-6](?<![0-9A-Za-z][2-6])[0-9]{3}(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?(?![0-9A-Za-z])"
PLAIN = r"[2-6](?<![0-9A-Za-z][2-6])[0-9]{12,18}(?![0-9A-Za-z])"


def luhn_ok(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class CardRecognizer(Recognizer):
    """Written in groups of four a number is almost surely a card; plain it needs context."""

    entity = "CREDIT_CARD"
    name = "card"
    validates_cells = True
    patterns = (PatternDef("card_grouped", GROUPED, 0.5), PatternDef("card_plain", PLAIN, 0.3))

    def validate(self, text: str) -> bool | None:
        return None if luhn_ok(only_digits(text)) else False

    def normalize(self, text: str) -> str:
        return only_digits(text)

    def mask(self, text: str) -> str:
        value = self.normalize(text)  # PCI DSS: first six and last four at most
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
