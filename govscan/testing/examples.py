"""Regenerate the bundled synthetic exports (every value invented; check digits valid).

python -m govscan.testing.examples
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from pathlib import Path

import openpyxl

from govscan.testing import synth

HERE = Path(__file__).resolve().parents[2] / "examples"
RUSSIAN_ONLY = [
    "Омаров Тимур Рустемович",
    "Иванова Ольга Сергеевна",
    "Ким Виктор Александрович",
    "Петрова Мария Андреевна",
]


def social_aid(rng: random.Random) -> None:
    """cp1251 and semicolons, as Excel on a Russian Windows saves 'CSV'."""
    with (HERE / "social_aid_2024.csv").open("w", encoding="cp1251", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["№", "ФИО получателя", "ИИН", "Дата рождения", "Телефон", "Адрес проживания", "Сумма, тенге"])
        for i in range(1, 41):
            iin = synth.iin(rng)
            born = f"{iin[4:6]}.{iin[2:4]}.{('19' if iin[6] in '34' else '20')}{iin[:2]}"
            w.writerow(
                [i, RUSSIAN_ONLY[i % 4], iin, born, synth.mobile(rng), synth.address(rng), rng.randrange(20000, 90000)]
            )


def grants(rng: random.Random) -> None:
    items = []
    for i in range(25):
        name = synth.full_name(rng)
        items.append(
            {
                "id": 500000 + i,
                "applicant": {"full_name": name, "contacts": {"phone": synth.mobile(rng), "email": synth.email(rng)}},
                "comment": f"Заявитель {name}, ИИН {synth.iin(rng)}, выплата на счет {synth.kz_iban(rng)}.",
                "amount": rng.randrange(50000, 500000),
            }
        )
    (HERE / "grant_api_dump.json").write_text(
        json.dumps({"total": len(items), "items": items}, ensure_ascii=False, indent=1), "utf-8"
    )


def procurement(rng: random.Random) -> None:
    with (HERE / "procurement_contracts.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["БИН поставщика", "Поставщик", "Номер договора", "Сумма, тенге"])
        for i in range(30):
            w.writerow(
                [
                    synth.bin_(rng),
                    f"ТОО «Поставщик {i}»",
                    f"{rng.randrange(10**11, 10**12)}",
                    f"{rng.randrange(10**5, 10**8)}.00",
                ]
            )


def statistics(rng: random.Random) -> None:
    with (HERE / "population_statistics.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Регион", "Год", "Численность"])
        for region in ["Алматы", "Астана", "Шымкент"]:
            for year in range(2019, 2025):
                w.writerow([region, year, rng.randrange(900000, 2300000)])


def payments_archive(rng: random.Random) -> None:
    body = io.StringIO()
    w = csv.writer(body)
    w.writerow(["Получатель", "ИИН получателя", "Номер карты"])
    for _ in range(20):
        w.writerow([synth.full_name(rng), synth.iin(rng), synth.card(rng)])
    with zipfile.ZipFile(HERE / "payments_archive.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2023/payments.csv", body.getvalue())
        zf.writestr("README.txt", "Payments 2023. Source: akimat.\n")


def staff(rng: random.Random) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Сотрудники"
    ws.append(["ФИО", "Должность", "Мобильный", "Паспорт", "Удостоверение личности"])
    for _ in range(15):
        ws.append(
            [
                synth.full_name(rng),
                "специалист",
                synth.mobile(rng),
                f"N{rng.randrange(10**8):08d}",
                f"{rng.randrange(10**9):09d}",
            ]
        )
    wb.save(HERE / "staff_list.xlsx")


def decision_page(rng: random.Random) -> None:
    rows = "".join(f"<tr><td>{synth.full_name(rng)}</td><td>{synth.iin(rng)}</td></tr>" for _ in range(8))
    (HERE / "akimat_decision.html").write_text(
        "<!doctype html><html lang='ru'><head><meta charset='utf-8'><title>Решение акима</title>"
        "<style>td{padding:2px}</style><script>var x = '900101300017';</script></head><body>"
        "<h1>О назначении жилищной помощи</h1><p>Приемная: 8 (7172) 55-12-34, priemnaya@akimat.gov.kz</p>"
        f"<table><tr><th>ФИО</th><th>ИИН</th></tr>{rows}</table></body></html>",
        "utf-8",
    )


def main() -> None:
    rng = random.Random(2024)
    for make in (social_aid, grants, procurement, statistics, payments_archive, staff, decision_page):
        make(rng)


if __name__ == "__main__":
    main()
