"""KZ_BIN: an organisation's business identification number (БИН / БСН). Not personal data.

Reported as information so that nobody mistakes it for an IIN: position 5 is the entity type
(4–6) where an IIN has the tens of the birth day (0–3), so the two sets never overlap.
"""

from __future__ import annotations

from govscan.pii.recognizers.base import PatternDef
from govscan.pii.recognizers.kz_numbers import TWELVE_DIGITS, KzNumberRecognizer, bin_ok


class KzBinRecognizer(KzNumberRecognizer):
    entity = "KZ_BIN"
    name = "kz_bin"
    patterns = (PatternDef("bin", TWELVE_DIGITS, 0.4),)
    check = staticmethod(bin_ok)
