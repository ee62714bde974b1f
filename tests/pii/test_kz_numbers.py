"""IIN and BIN validation: control digit, dates, the IIN/BIN boundary, spreadsheet damage."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govscan.pii.recognizers.kz_bin import KzBinRecognizer
from govscan.pii.recognizers.kz_iin import KzIinRecognizer
from govscan.pii.recognizers.kz_numbers import repair_numeric_ids
from govscan.testing import synth

IIN = KzIinRecognizer()
BIN = KzBinRecognizer()


@pytest.mark.parametrize(
    "value",
    ["900101300017", "851231400120", "100715501237", "900101300811", "150426670746"],
    ids=["pass1", "female-1985", "born-2010", "second-weight-pass", "corpus-second-pass"],
)
def test_valid_iins_from_the_reference_are_accepted(value: str) -> None:
    assert IIN.validate(value) is not False


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("900101300018", "wrong control digit"),
        ("901301300017", "month 13 although the checksum passes"),
        ("900101000017", "century digit 0"),
        ("900101700017", "century digit 7"),
        ("900230300015", "30 February"),
    ],
)
def test_invalid_iins_are_rejected(value: str, why: str) -> None:
    assert IIN.validate(value) is False, why


def test_a_birth_date_in_the_future_is_not_an_iin() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    first = f"{tomorrow:%y%m%d}5" + "0001"
    check = synth.control_digit(first)
    if check is None:
        pytest.skip("this date has no valid control digit")
    assert IIN.validate(first + str(check)) is False


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_generated_iin_validates_and_is_never_a_bin(seed: int) -> None:
    value = synth.iin(random.Random(seed))
    assert IIN.validate(value) is not False
    assert BIN.validate(value) is False


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_generated_bin_validates_and_is_never_an_iin(seed: int) -> None:
    value = synth.bin_(random.Random(seed))
    assert BIN.validate(value) is not False
    assert IIN.validate(value) is False


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(1, 9))
def test_any_other_control_digit_breaks_an_iin(seed: int, delta: int) -> None:
    value = synth.iin(random.Random(seed))
    wrong = value[:11] + str((int(value[11]) + delta) % 10)
    assert IIN.validate(wrong) is False


def test_vectorised_and_scalar_validation_agree() -> None:
    rng = random.Random(7)
    values = [f"{rng.randrange(10**12):012d}" for _ in range(5000)] + [synth.iin(rng) for _ in range(500)]
    assert IIN.validate_many(values) == [IIN.validate(v) is not False for v in values]


def test_random_twelve_digit_numbers_rarely_pass() -> None:
    """Checksum, century and date together let through ~0.2 % of random numbers."""
    rng = random.Random(11)
    values = [f"{rng.randrange(10**12):012d}" for _ in range(20000)]
    assert sum(IIN.validate_many(values)) / len(values) < 0.005


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("7.10508363018E+11", "710508363018"),
        ("710508363018.0", "710508363018"),
        ("60826559351", "060826559351"),
        ("1.5E+3", "1500"),
        ("12.5", "12.5"),
        ("abc", "abc"),
    ],
)
def test_spreadsheet_damage_is_undone_cell_by_cell(cell: str, expected: str) -> None:
    assert repair_numeric_ids(cell) == expected


def test_iin_in_free_text_is_found_with_its_position() -> None:
    text = "Заявитель, ИИН 500815315271, просит выплату"
    [match] = list(IIN.find(text))
    assert text[match.start : match.end] == "500815315271"


def test_iin_written_in_groups_is_found_in_text() -> None:
    assert [m.text for m in IIN.find("ИИН: 500 815 315 271.")] == ["500 815 315 271"]


def test_masked_iin_keeps_only_the_ends() -> None:
    assert IIN.mask("710508363018") == "7105******18"
