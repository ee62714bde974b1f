"""Transliterated and English keys of JSON and CSV exports are header hints like the Cyrillic ones."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from govscan.pii.headers import HeaderVerdict, judge_header
from govscan.pii.translit import latin_spellings
from govscan.rules import load_rules
from govscan.testing import synth

from .publications import places, scan, write_csv, write_json

RNG = random.Random(711)


def hints(entity: str) -> tuple[list[str], list[str]]:
    spec = next(r.pii for r in load_rules(plugins=False).pii_rules() if r.pii and r.pii.entity == entity)
    return spec.header_hints.all(), spec.negative_header_hints.all()


@pytest.mark.parametrize(
    ("key", "entity"),
    [
        ("familiya", "PERSON"),
        ("familia", "PERSON"),
        ("imya", "PERSON"),
        ("otchestvo", "PERSON"),
        ("tegi", "PERSON"),
        ("akesinin_aty", "PERSON"),
        ("data_rozhdeniya", "DATE_OF_BIRTH"),
        ("dataRozhdeniia", "DATE_OF_BIRTH"),
        ("mesto_rozhd", "DATE_OF_BIRTH"),
        ("tugan_kuni", "DATE_OF_BIRTH"),
        ("birthdate", "DATE_OF_BIRTH"),
        ("tel_mob", "PHONE_NUMBER"),
        ("pasport_nomer", "KZ_PASSPORT"),
        ("udostoverenie", "KZ_ID_CARD"),
        ("nomer_udost", "KZ_ID_CARD"),
        ("iin", "KZ_IIN"),
        ("zhsn", "KZ_IIN"),
        ("adres_prozhivaniya", "ADDRESS"),
        ("mekenzhai", "ADDRESS"),
        ("datarozhdeniya", "DATE_OF_BIRTH"),
        ("datarozhd", "DATE_OF_BIRTH"),
        ("nomerpasporta", "KZ_PASSPORT"),
        ("mestozhitelstva", "ADDRESS"),
        ("udostoverenielichnosti", "KZ_ID_CARD"),
    ],
)
def test_latin_keys_point_at_their_entity(key: str, entity: str) -> None:
    assert judge_header(key, *hints(entity)) is HeaderVerdict.POSITIVE


@pytest.mark.parametrize(
    ("key", "entity"), [("rabochiy_telefon", "PHONE_NUMBER"), ("summa_vyplaty", "KZ_IIN"), ("kod_kato", "KZ_IIN")]
)
def test_latin_keys_of_negative_hints_point_away(key: str, entity: str) -> None:
    assert judge_header(key, *hints(entity)) is HeaderVerdict.NEGATIVE


def test_latin_spellings_are_derived_by_the_table_not_listed() -> None:
    assert {"familiya", "familiia", "familia"} <= set(latin_spellings("фамилия"))
    assert {"khodataistvo", "hodataistvo", "khodatayistvo"} & set(latin_spellings("ходатайство"))
    assert {"qabyldau", "kabyldau"} <= set(latin_spellings("қабылдау"))
    assert latin_spellings("IIN") == ()


def test_unrelated_latin_keys_say_nothing() -> None:
    for key in ("status", "region_code", "summa", "kolichestvo", "id", "driver", "другое", "gruppa"):
        assert judge_header(key, *hints("DATE_OF_BIRTH")) is not HeaderVerdict.POSITIVE


def test_a_transliterated_json_export_has_its_birth_dates_and_documents_found(tmp_path: Path) -> None:
    """Header-only entities (birth dates, passports, ID cards) are lost without a header hint."""
    records = []
    for _ in range(30):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=RNG.randrange(0, 20000))
        records.append(
            {
                "nomer": str(RNG.randrange(1, 999)),
                "data_rozhdeniya": born.strftime("%d.%m.%Y"),
                "pasport_nomer": f"N{RNG.randrange(10**7, 10**8):08d}",
                "udostoverenie": f"{RNG.randrange(10**8, 10**9)}",
                "data_podachi": "12.03.2024",
                "status": "одобрено",
            }
        )
    found = scan(write_json(tmp_path / "ochered.json", records))
    assert places(found, "DATE_OF_BIRTH") == {"data[*].data_rozhdeniya": 30}
    assert places(found, "KZ_PASSPORT") == {"data[*].pasport_nomer": 30}
    assert places(found, "KZ_ID_CARD") == {"data[*].udostoverenie": 30}


def test_an_abbreviated_csv_header_counts(tmp_path: Path) -> None:
    rows = [
        [str(n), synth.full_name(RNG), f"{RNG.randrange(1, 28):02d}.0{RNG.randrange(1, 9)}.19{RNG.randrange(50, 99)}"]
        for n in range(1, 25)
    ]
    found = scan(write_csv(tmp_path / "spisok.csv", ["npp", "fio", "data_rozhd"], rows))
    assert places(found, "DATE_OF_BIRTH") == {"data_rozhd": 24}
