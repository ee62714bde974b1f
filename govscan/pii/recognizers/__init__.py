"""Built-in recognizers, registered by name: rule files refer to them as ``recognizer: kz_iin``.

They reach the detector through the ``govscan_recognizers`` hook (:mod:`govscan.plugins`), like a plugin's.
"""

from __future__ import annotations

from govscan.pii.recognizers.address import AddressRecognizer
from govscan.pii.recognizers.base import Match, PatternDef, Recognizer
from govscan.pii.recognizers.card import CardRecognizer
from govscan.pii.recognizers.dates import BirthDateRecognizer
from govscan.pii.recognizers.documents import IdCardRecognizer, PassportRecognizer
from govscan.pii.recognizers.email import EmailRecognizer
from govscan.pii.recognizers.iban import IbanRecognizer
from govscan.pii.recognizers.kz_bin import KzBinRecognizer
from govscan.pii.recognizers.kz_iin import KzIinRecognizer
from govscan.pii.recognizers.person import PersonRecognizer
from govscan.pii.recognizers.phone import PhoneRecognizer

BUILTIN_RECOGNIZERS: tuple[type[Recognizer], ...] = (
    KzIinRecognizer,
    KzBinRecognizer,
    PassportRecognizer,
    IdCardRecognizer,
    PhoneRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    CardRecognizer,
    BirthDateRecognizer,
    AddressRecognizer,
    PersonRecognizer,
)
"""The recognizers govscan ships (:mod:`govscan.builtins` registers them like a plugin's)."""


__all__ = ["BUILTIN_RECOGNIZERS", "Match", "PatternDef", "Recognizer"]
