"""Kazakh headers in a cp1251 export: the code page has no ә, ғ, қ, ң, ө, ұ, ү, һ, so exports
write their Russian look-alikes ("Туган куні", "Т.А.А."). Such a header still names its column."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from govscan.pii.headers import HeaderVerdict, judge_header
from govscan.testing import synth

from .publications import places, scan

RNG = random.Random(1251)
LOOK_ALIKE = str.maketrans("әғқңөұүһӘҒҚҢӨҰҮҺ", "агкноуухАГКНОУУХ")


@pytest.mark.parametrize(
    ("header", "hints"),
    [
        ("Туган куні", ["туған күні"]),
        ("Т.А.А.", ["Т А Ә"]),
        ("Баланын аты-жоні", ["аты-жөні"]),
        ("Тiркелген мекенжайы", ["мекенжайы"]),
    ],
)
def test_a_kazakh_hint_matches_its_look_alike_spelling(header: str, hints: list[str]) -> None:
    assert judge_header(header, hints, []) is HeaderVerdict.POSITIVE


def test_a_cp1251_admission_list_reports_names_and_birth_dates(tmp_path: Path) -> None:
    rows = ["Т.А.А.;ЖСН;Туган куні;Сынып"]
    for _ in range(30):
        rows.append(
            f"{synth.full_name(RNG).translate(LOOK_ALIKE)};{synth.iin(RNG)};{RNG.randrange(1, 28):02d}.0{RNG.randrange(1, 9)}.2017;1 А"
        )
    path = tmp_path / "qabyldau.csv"
    path.write_bytes("\r\n".join(rows).encode("cp1251"))
    found = scan(path)
    assert places(found, "PERSON") == {"Т.А.А.": 30}
    assert places(found, "DATE_OF_BIRTH") == {"Туган куні": 30}
