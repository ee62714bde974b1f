"""Every PII rule has a hit and a miss, each run through ``govscan check`` on a published file.

A hit is a column of the entity under its usual heading; a miss is the nearest thing that is not
personal data (a broken control digit, the same numbers under a heading that names something else,
an organisation's name). The recognizers have their own unit tests; these prove the rule — its
id, its hints, its thresholds — is what fires on a real file.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.rules import load_rules
from govscan.testing import pdfs, synth

ROWS = 6
Column = tuple[str, Callable[[random.Random], str]]


def broken(make: Callable[[random.Random], str]) -> Callable[[random.Random], str]:
    """The value with its last digit changed: a control digit (IIN, BIN, card, IBAN) no longer checks."""

    def make_broken(rng: random.Random) -> str:
        value = make(rng)
        return value[:-1] + str((int(value[-1]) + 1) % 10)

    return make_broken


def wrong_check_digits(rng: random.Random) -> str:
    """A Kazakh IBAN whose two check digits are off by one: mod 97 no longer holds."""
    iban = synth.kz_iban(rng)
    return f"KZ{int(iban[2:4]) + 1:02d}{iban[4:]}"


def birth_date(rng: random.Random) -> str:
    return f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(1950, 2005)}"


# rule id → (a column that must fire it, a column that must not)
CASES: dict[str, tuple[Column, Column]] = {
    "pii.kz-iin": (("ИИН", synth.iin), ("ИИН", broken(synth.iin))),
    "pii.kz-bin": (("БИН", synth.bin_), ("БИН", broken(synth.bin_))),
    "pii.kz-passport": (
        ("Номер паспорта", lambda rng: f"N{rng.randrange(10**7, 10**8)}"),
        ("Номер паспорта", lambda rng: f"N{rng.randrange(10**6, 10**7)}"),  # seven digits: not a passport
    ),
    "pii.kz-id-card": (
        ("Номер удостоверения личности", lambda rng: f"0{rng.randrange(10**7, 10**8)}"),
        ("Количество", lambda rng: f"0{rng.randrange(10**7, 10**8)}"),  # nine digits need the heading
    ),
    "pii.date-of-birth": (("Дата рождения", birth_date), ("Дата заявки", birth_date)),
    "pii.iban": (("IBAN", synth.kz_iban), ("IBAN", wrong_check_digits)),
    "pii.card": (("Номер карты", synth.card), ("Номер карты", broken(synth.card))),
    "pii.phone": (("Телефон", synth.mobile), ("Сумма", lambda rng: f"{rng.randrange(10**5, 10**6)}")),
    "pii.email": (("E-mail", synth.email), ("Сайт", lambda rng: f"www.akimat{rng.randrange(100)}.gov.kz")),
    "pii.address": (
        ("Адрес проживания", synth.address),
        ("Район", lambda rng: rng.choice(["Алмалинский", "Есильский"])),
    ),
    "pii.person": (
        ("ФИО", synth.full_name),
        ("Наименование организации", lambda rng: f"ТОО «Строй-{rng.randrange(100)}»"),
    ),
}


def fired(path: Path) -> set[str]:
    """The rule ids ``govscan check`` reports for one file (the rules alone: NER off)."""
    result = CliRunner().invoke(
        cli, ["check", "--no-progress", "--no-ner", "--format", "json", "--fail-on", "none", str(path)]
    )
    assert result.exit_code == 0, result.output
    return {f["rule_id"] for f in json.loads(result.stdout)["findings"]}


def published_column(tmp_path: Path, column: Column, seed: int) -> Path:
    heading, make = column
    rng = random.Random(seed)
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["№", heading])
        writer.writerows([i + 1, make(rng)] for i in range(ROWS))
    return path


def redacted_pdf(tmp_path: Path, boxed: bool) -> Path:
    pdf = pdfs.new_pdf()
    pdf.add_page()
    iin = synth.iin(random.Random(3))
    if boxed:
        pdfs.add_redacted(pdf, "Заявитель, ИИН", iin, "поставлен в очередь.")
    else:
        pdfs.add_paragraph(pdf, f"Заявитель, ИИН {iin}, поставлен в очередь.")
    path = tmp_path / "decision.pdf"
    pdf.output(str(path))
    return path


def test_every_pii_rule_has_a_hit_and_a_miss_case() -> None:
    assert {*CASES, "pii.failed-redaction"} == {rule.id for rule in load_rules(plugins=False).of_kind("pii")}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_hit(rule_id: str, tmp_path: Path) -> None:
    column, _ = CASES[rule_id]
    assert rule_id in fired(published_column(tmp_path, column, seed=11))


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_miss(rule_id: str, tmp_path: Path) -> None:
    _, column = CASES[rule_id]
    assert rule_id not in fired(published_column(tmp_path, column, seed=11))


needs_font = pytest.mark.skipif(pdfs.cyrillic_font() is None, reason=f"no Cyrillic font (Debian {pdfs.FONT_PACKAGE})")


@needs_font
def test_hit_failed_redaction(tmp_path: Path) -> None:
    assert "pii.failed-redaction" in fired(redacted_pdf(tmp_path, boxed=True))


@needs_font
def test_miss_failed_redaction(tmp_path: Path) -> None:
    found = fired(redacted_pdf(tmp_path, boxed=False))
    assert "pii.failed-redaction" not in found and "pii.kz-iin" in found  # the same IIN, in plain sight
