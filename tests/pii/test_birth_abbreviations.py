"""Decisions write a birth date as "12.03.1985 г.р." (год рождения): the abbreviation is context.

The rule's hints are stored normalised ("г р"), so prose must be compared the same way — but only
as whole words, so a document's own date followed by "г. рассмотрела" is not a birth date.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govscan.pii.detector import build_plans
from govscan.pii.recognizers.base import Recognizer
from govscan.rules import load_rules

from .publications import scan, write_text


def dob() -> Recognizer:
    return next(p.recognizer for p in build_plans(load_rules(plugins=False)) if p.recognizer.entity == "DATE_OF_BIRTH")


@pytest.mark.parametrize(
    "text",
    [
        "Отказать заявителю Сериковой А.Б. (12.03.1985 г.р., ИИН указан в деле) ввиду превышения дохода.",
        "Серикова Алия Болатовна, 12.03.1985 г. р., проживающая в г. Алматы",
        "Серикова А.Б., д.р. 12.03.1985, проживающая в г. Алматы",
    ],
)
def test_an_abbreviated_birth_mark_makes_the_date_a_birth_date(text: str) -> None:
    assert [m.text for m in dob().find(text)] == ["12.03.1985"]


@pytest.mark.parametrize(
    "text",
    [
        "Комиссия 12.03.2024 г. рассмотрела заявления граждан.",
        "Протокол от 12.03.2024 г. Рудный, комиссия по делам",
        "Решение от 12.03.2024 года, гр. Серикова",
    ],
)
def test_a_documents_own_date_before_other_words_is_not_a_birth_date(text: str) -> None:
    assert [m.text for m in dob().find(text)] == []


def test_a_decision_in_a_text_file_reports_the_abbreviated_birth_date(tmp_path: Path) -> None:
    text = "РЕШЕНИЕ № 5\n1. Отказать заявителю Сериковой Алие Болатовне (12.03.1985 г.р.) в назначении пособия.\n"
    found = scan(write_text(tmp_path / "reshenie.txt", text))
    assert [f.entity for f in found if f.entity == "DATE_OF_BIRTH"] == ["DATE_OF_BIRTH"]
