"""What a data engineer in an akimat actually produces: damaged numbers, no headers, odd encodings."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest

from govscan.engine.documents import CheckOptions, run_check
from govscan.identity import load_secret
from govscan.model import Finding
from govscan.pii.recognizers.kz_iin import KzIinRecognizer
from govscan.rules import load_rules
from govscan.testing import synth

RNG = random.Random(99)


def scan(*paths: Path) -> list[Finding]:
    result = run_check(CheckOptions([str(p) for p in paths]), load_rules(plugins=False), load_secret())
    assert result.errors == []
    return result.findings


def by_entity(findings: list[Finding]) -> dict[str, Finding]:
    return {f.entity: f for f in findings}


def test_iins_stored_as_numbers_in_xlsx_are_restored(tmp_path: Path) -> None:
    """Excel keeps IINs as floats: leading zeros vanish and big ones print as 7.1E+11."""
    path = tmp_path / "list.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Получатель", "ИИН"])
    iins = [synth.iin(RNG, born=None) for _ in range(40)] + ["0" + synth.iin(RNG)[1:]]
    for iin in iins:
        ws.append(["Иванов Иван Иванович", float(iin)])
    wb.save(path)
    found = by_entity(scan(path))
    valid = sum(1 for i in iins if synth.control_digit(i[:11]) == int(i[11]))
    assert found["KZ_IIN"].count == valid


@pytest.mark.parametrize(
    "render",
    [
        lambda iin: f"{int(iin):.11E}".replace("E+", "E+"),
        lambda iin: f"{iin}.0",
        lambda iin: f"{iin[:3]} {iin[3:6]} {iin[6:9]} {iin[9:]}",
        lambda iin: f"{iin[:6]}-{iin[6:]}",
        lambda iin: str(int(iin)),  # leading zero lost
    ],
    ids=["scientific", "float", "spaced", "dashed", "lost-zero"],
)
def test_damaged_iins_in_a_csv_column_are_counted(tmp_path: Path, render) -> None:
    iins = [synth.iin(RNG, female=True) for _ in range(30)]
    iins = [("0" + i[1:]) if n % 2 else i for n, i in enumerate(iins)]
    iins = [i[:11] + str(synth.control_digit(i[:11])) for i in iins if synth.control_digit(i[:11]) is not None]
    iins = [i for i in iins if KzIinRecognizer().validate(i) is not False]  # the birth date must still exist
    path = tmp_path / "export.csv"
    path.write_text("ИИН;Сумма\n" + "".join(f"{render(i)};100\n" for i in iins), encoding="utf-8")
    found = by_entity(scan(path))
    assert found["KZ_IIN"].count == len(iins)
    assert found["KZ_IIN"].location.column == "ИИН"


def test_a_headerless_export_is_still_judged_by_its_values(tmp_path: Path) -> None:
    rows = [f"{synth.full_name(RNG)},{synth.iin(RNG)},{synth.mobile(RNG, style=2)}" for _ in range(50)]
    path = tmp_path / "dump.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = by_entity(scan(path))
    assert found["KZ_IIN"].location.column is None and found["KZ_IIN"].location.column_index == 2
    assert found["KZ_IIN"].count == 50
    assert found["PHONE_NUMBER"].location.column_index == 3
    assert found["PERSON"].location.column_index == 1


def test_identifiers_inside_free_text_comments_are_found(tmp_path: Path) -> None:
    lines = ["№;Комментарий"]
    for n in range(60):
        if n % 3 == 0:
            lines.append(f"{n};Обратился гражданин, ИИН {synth.iin(RNG)}, просит перерасчёт пособия за прошлый год")
        else:
            lines.append(f"{n};Документы приняты, решение будет направлено заявителю почтой в течение месяца")
    path = tmp_path / "appeals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = by_entity(scan(path))
    assert found["KZ_IIN"].count == 20
    assert found["KZ_IIN"].location.column == "Комментарий"


def test_excel_unicode_text_export_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode text" is UTF-16 LE with a BOM and TABs."""
    rows = ["ФИО\tИИН"] + [f"{synth.full_name(RNG)}\t{synth.iin(RNG)}" for _ in range(20)]
    path = tmp_path / "export.txt"
    path.write_bytes("\r\n".join(rows).encode("utf-16"))
    found = by_entity(scan(path))
    assert found["KZ_IIN"].count == 20 and found["PERSON"].count == 20


def test_bins_and_contract_numbers_are_never_reported_as_iins(tmp_path: Path) -> None:
    rows = ["БИН/ИИН поставщика,Номер договора,Сумма"]
    for _ in range(40):
        iin_like = synth.iin(RNG)  # a contract number that happens to validate as an IIN
        rows.append(f"{synth.bin_(RNG)},{iin_like},{RNG.randrange(10**6, 10**9)}")
    path = tmp_path / "contracts.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = by_entity(scan(path))
    assert "KZ_IIN" not in found
    assert found["KZ_BIN"].count == 40


def test_individual_entrepreneurs_iins_in_a_bin_iin_column_are_still_personal_data(tmp_path: Path) -> None:
    rows = ["БИН/ИИН"] + [synth.bin_(RNG) for _ in range(30)] + [synth.iin(RNG) for _ in range(10)]
    path = tmp_path / "suppliers.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = by_entity(scan(path))
    assert found["KZ_BIN"].count == 30
    assert found["KZ_IIN"].count == 10


def test_amount_and_population_columns_are_not_phones_or_iins(tmp_path: Path) -> None:
    rows = ["Регион,Численность,Расходы бюджета тенге"]
    rows += [f"Алматы,{RNG.randrange(10**6, 10**7)},{RNG.randrange(10**11, 10**12)}" for _ in range(300)]
    path = tmp_path / "stats.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert scan(path) == []


def test_repeated_template_comments_are_counted_once_per_row(tmp_path: Path) -> None:
    iin = synth.iin(RNG)
    lines = ["Комментарий"] + [f"Повторная выплата заявителю, ИИН {iin}, по решению комиссии акимата"] * 7
    lines += ["Документы приняты, решение будет направлено заявителю почтой в течение месяца"] * 30
    path = tmp_path / "templated.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert by_entity(scan(path))["KZ_IIN"].count == 7
