"""Why an asset could not be read, as report messages (``reasons.yaml``), for the ru/kk/en reports.

The readers and the scan state a reason in English and the database keeps it so (JSON, SARIF and
text show it as it is). The HTML and Markdown reports say the known forms in their language: the
forms are data (``reasons.yaml``: a pattern and a catalogue message per form), this module only
matches them. A reason is matched whole, else as the ``"; "``-joined problems of one asset (each
must match); anything else is unknown and the report shows it as stored, quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from govscan.report.data import EvidenceMessage

FORMS_FILE = Path(__file__).with_name("reasons.yaml")


@dataclass(frozen=True)
class ReasonForm:
    """One known form of a reason: its message id (``reason.<id>``) and the pattern of its English."""

    id: str
    pattern: re.Pattern[str]


@cache
def _forms() -> tuple[ReasonForm, ...]:
    entries = yaml.safe_load(FORMS_FILE.read_text(encoding="utf-8"))
    return tuple(ReasonForm(str(e["id"]), re.compile(str(e["match"]))) for e in entries)


FORMS = _forms()


def _one(text: str) -> EvidenceMessage | None:
    for form in FORMS:
        if match := form.pattern.fullmatch(text):
            params = {k: v for k, v in match.groupdict().items() if v is not None}
            return EvidenceMessage(id=form.id, params=params)
    return None


def reason_messages(reason: str | None) -> list[EvidenceMessage] | None:
    """The reason as messages (ids of ``reason.*``), or None when some part of it is not a known form."""
    text = " ".join((reason or "").split())
    if not text:
        return None
    if (whole := _one(text)) is not None:
        return [whole]
    parts = [_one(part) for part in text.split("; ")]
    if len(parts) < 2 or any(p is None for p in parts):
        return None
    return [p for p in parts if p is not None]
