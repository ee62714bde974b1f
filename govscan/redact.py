"""Scrub identifier-like text out of messages that are not findings (errors, logs).

Parser error messages quote the input around the fault (yajl prints the 30 characters before
it), and inputs are full of IINs. Findings carry masked evidence by construction; everything
else that reaches a terminal, a log or a report goes through ``redact`` first.
"""

from __future__ import annotations

import re

# Six or more digits, possibly grouped ("710 508 363 018", "+7 701 123-45-67"), and e-mails.
_NUMBER = re.compile(r"(?<![0-9])\+?[0-9](?:[ \-()]?[0-9]){5,}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def redact(text: str) -> str:
    """``… {"iin": 710508363018x} …`` → ``… {"iin": ############x} …``."""
    text = _EMAIL.sub("***@***", text)
    return _NUMBER.sub(lambda m: re.sub(r"[0-9]", "#", m.group()), text)
