"""A date beside an IIN that encodes the same birth date is that person's birth date.

Scanned lists lose their header row to OCR: "1 Серикова Алия 850312400125 12.03.1985 ..." has
no word saying "born", but the IIN's first six digits are the date of birth (YYMMDD) and its
seventh gives the century. The same date beside an IIN of another date is not a birth date.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from govscan.pii.detector import build_plans
from govscan.pii.recognizers.base import Recognizer
from govscan.rules import load_rules
from govscan.testing import synth

from .publications import places, scan, write_text

RNG = random.Random(8503)


def dob() -> Recognizer:
    return next(p.recognizer for p in build_plans(load_rules(plugins=False)) if p.recognizer.entity == "DATE_OF_BIRTH")


def test_a_date_in_the_row_of_an_iin_of_that_date_is_a_birth_date() -> None:
    iin = synth.iin(RNG, born=dt.date(1985, 3, 12))
    assert [m.text for m in dob().find(f"3 Серикова Алия Болатовна {iin} 12.03.1985 г. Алматы")] == ["12.03.1985"]


def test_a_date_beside_an_iin_of_another_date_is_not_a_birth_date() -> None:
    iin = synth.iin(RNG, born=dt.date(1979, 11, 2))
    assert [m.text for m in dob().find(f"3 Серикова Алия {iin} 12.03.2024 одобрено")] == []


def test_an_iin_on_another_line_does_not_make_a_date_a_birth_date() -> None:
    iin = synth.iin(RNG, born=dt.date(1985, 3, 12))
    assert [m.text for m in dob().find(f"Заявитель {iin}\nПротокол от 12.03.1985 г. утверждён")] == []


def test_an_ocr_like_list_without_headers_reports_its_birth_dates(tmp_path: Path) -> None:
    lines = []
    for n in range(12):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=RNG.randrange(20000))
        lines.append(f"{n + 1} {synth.full_name(RNG)} {synth.iin(RNG, born=born)} {born:%d.%m.%Y} {synth.address(RNG)}")
    found = scan(write_text(tmp_path / "scan.txt", "\n".join(lines) + "\n"))
    assert sum(places(found, "DATE_OF_BIRTH").values()) == 12


def test_presidios_path_judges_a_date_by_its_iin_and_its_abbreviation_as_the_bulk_path_does() -> None:
    """Scanned pages go through presidio's analyzer; its context enhancer knows neither."""
    from govscan.pii.detector import build_plans
    from govscan.pii.engine import build_analyzer

    analyzer = build_analyzer([p.recognizer for p in build_plans(load_rules(plugins=False))])
    iin = synth.iin(RNG, born=dt.date(1985, 3, 12))
    for text in (f"1. Серикова Алия Болатовна {iin} 12.03.1985 7 397 034", "Серикова А.Б., д.р. 12.03.1985, г. Алматы"):
        results = analyzer.analyze(text=text, language="ru", score_threshold=0.4)
        assert [text[r.start : r.end] for r in results if r.entity_type == "DATE_OF_BIRTH"] == ["12.03.1985"], text
