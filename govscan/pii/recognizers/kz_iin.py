"""KZ_IIN: the individual identification number (ИИН / ЖСН), 12 digits, on every ID card."""

from __future__ import annotations

from govscan.pii.recognizers.base import PatternDef
from govscan.pii.recognizers.kz_numbers import TWELVE_DIGITS, TWELVE_DIGITS_GROUPED, KzNumberRecognizer, iin_ok


class KzIinRecognizer(KzNumberRecognizer):
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
    check = staticmethod(iin_ok)
