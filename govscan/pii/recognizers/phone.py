"""PHONE_NUMBER: Kazakhstan mobile and landline numbers, valid per libphonenumber's metadata.

Kazakhstan shares +7 with Russia; its national numbers start with 7. Validity comes from the
phonenumbers package's KZ metadata (mobile and fixed-line national number patterns), compiled
once, so the bulk path checks a whole column with plain regex calls instead of one
``phonenumbers.parse`` per cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from govscan.pii.recognizers.base import PatternDef, Recognizer, only_digits

_SEP = r"[ \u00a0\-.]?"
_LEAD = r"[0-9A-Za-z+]"  # a phone number never continues a longer token
PHONE = (
    r"(?:\+(?<!" + _LEAD + r"\+) ?7" + _SEP + r"\(?7"
    r"|8(?<!" + _LEAD + r"8)" + _SEP + r"\(?7"
    r"|\((?<!" + _LEAD + r"\()7"
    r"|7(?<![0-9A-Za-z+(]7))"
    r"[0-9]{2,4}\)?" + _SEP + r"[0-9]{1,3}" + _SEP + r"[0-9]{2}" + _SEP + r"[0-9]{2}(?![0-9A-Za-z])"
)


@cache
def _kz_national() -> re.Pattern[str]:
    from phonenumbers import PhoneMetadata  # metadata module only: cheap

    meta = PhoneMetadata.metadata_for_region("KZ")
    assert meta is not None and meta.mobile and meta.fixed_line
    kinds = [meta.mobile.national_number_pattern, meta.fixed_line.national_number_pattern]
    return re.compile("(?:" + "|".join(f"(?:{k})" for k in kinds if k) + ")")


@cache
def _kz_with_trunk() -> re.Pattern[str]:
    """A national number, optionally after the trunk prefix 8 or the country code 7."""
    return re.compile("[78]?" + _kz_national().pattern)


_SEPARATOR_BYTES = b" +()-./\t\r"


def national_number(text: str) -> str | None:
    """The 10-digit national number, if the text is a KZ number written in any usual way."""
    digits = only_digits(text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    elif len(digits) != 10:
        return None
    return digits if _kz_national().fullmatch(digits) else None


class PhoneRecognizer(Recognizer):
    entity = "PHONE_NUMBER"
    name = "kz_phone"
    own_in_clause = True
    patterns = (PatternDef("kz_phone", PHONE, 0.5),)
    repairs_cells = True
    validates_cells = True

    def validate(self, text: str) -> bool | None:
        return None if national_number(text) else False

    def validate_many(self, texts: Sequence[str]) -> list[bool]:
        # Separators dropped from all candidates at once (bytes.translate: no Python call per
        # value; ASCII bytes never occur inside UTF-8 multibyte letters), then one fullmatch each.
        # Anything else left in a value (letters) makes its fullmatch fail, as it should.
        digits = "\n".join(texts).encode("utf-8").translate(None, _SEPARATOR_BYTES).decode("utf-8")
        full = _kz_with_trunk().fullmatch
        return [full(d) is not None for d in digits.split("\n")]

    def normalize(self, text: str) -> str:
        national = national_number(text)
        return "+7" + national if national else only_digits(text)

    def mask(self, text: str) -> str:
        value = self.normalize(text)  # +77071234567 → +7707*****67
        return value[:5] + "*" * (len(value) - 7) + value[-2:] if len(value) > 8 else "*" * len(value)

    def repair_column(self, joined: str) -> str:
        # Numbers stored as numbers lose the "+": 77071234567 still reads as a KZ number, and
        # 7.7071234567E+10 is expanded back.
        from govscan.pii.recognizers.kz_numbers import repair_numeric_ids

        return repair_numeric_ids(joined, width=11)
