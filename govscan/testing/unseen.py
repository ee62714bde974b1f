"""A labelled corpus of publications govscan's tests were not written against, made on demand.

Why: the shared sample corpus is small and the detectors were tuned on it; this generator makes
files of the kinds Kazakh agencies publish (benefit recipients, housing queues, commission
decisions, staff reserves, tender winners, school admissions) in every format they publish them
in, with the layouts they really have (title rows, two-line Kazakh/Russian headers, numbering
rows, merged cells, hidden sheets, comments, scans) and hard negatives (the agency's own
contacts, streets named after people, masked values, BINs, contract numbers, statistics).

Every value is synthetic (:mod:`govscan.testing.synth`, valid IIN check digits). Wording and
layout are drawn from several variants per seed, so the set is not one template. Labels follow
the shared corpus: per file ``entities`` (place → entities), ``negatives`` and ``iin_count``;
a place is a column header (matched as a part of the header govscan reports, since readers join
two-line headers), a JSON path, or ``*`` for anywhere in the file (prose, scans).

Run ``python -m govscan.testing.unseen OUT_DIR [--seed N] [--no-scans]``; writing needs the
test extra (fpdf2, python-docx, odfpy, xlwt, openpyxl) and PyMuPDF.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govscan.testing import synth

KK_SURNAMES = ["Жұмабаев", "Сәрсенбаев", "Төлеуов", "Қасымов", "Әбдірахманов", "Нұрпейісов", "Ермеков", "Байжанов"]
KK_GIVEN_M = ["Ерболат", "Нұрлан", "Әлихан", "Бекзат", "Дәурен", "Қанат", "Мирас", "Ғалым"]
KK_GIVEN_F = ["Аружан", "Гүлнұр", "Ақмарал", "Жұлдыз", "Назерке", "Айдана", "Томирис", "Балжан"]
RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря"]  # fmt: skip
PERSON_STREETS = ["ул. Жамбыла", "пр. Абая", "ул. Муканова", "Абай даңғылы", "Қонаев көшесі", "ул. Ауэзова"]


@dataclass
class Column:
    """One column: header variants, the entity its values hold (None: not personal), a maker."""

    headers: Sequence[str]
    entity: str | None
    make: Callable[[random.Random, dict[str, Any]], str]
    negatives: Sequence[str] = ()


@dataclass
class Doc:
    """A file to write and its labels."""

    name: str
    entities: dict[str, list[str]] = field(default_factory=dict)
    negatives: dict[str, list[str]] = field(default_factory=dict)
    iin_count: int = 0
    fmt: str = ""

    def label(self) -> dict[str, Any]:
        return {"entities": self.entities, "negatives": self.negatives, "iin_count": self.iin_count,
                "format": self.fmt}  # fmt: skip


# ---------------------------------------------------------------- people and values


def person(rng: random.Random) -> dict[str, Any]:
    female = rng.random() < 0.5
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 60))
    if rng.random() < 0.5:
        surname = rng.choice(KK_SURNAMES) + ("а" if female else "")
        given = rng.choice(KK_GIVEN_F if female else KK_GIVEN_M)
        father = rng.choice(KK_GIVEN_M)
        patronymic = father + ("қызы" if female else "ұлы") if rng.random() < 0.4 else None
    else:
        surname = rng.choice(synth.SURNAMES) + ("а" if female else "")
        given = rng.choice(synth.FEMALE if female else synth.MALE)
        father = rng.choice(synth.FATHERS)
        patronymic = None
    if patronymic is None:
        base = father[:-1] + "и" if father.endswith("й") else father
        patronymic = (
            base + ("евна" if female else "евич") if father.endswith("й") else father + ("овна" if female else "ович")
        )
    return {
        "surname": surname,
        "given": given,
        "patronymic": patronymic,
        "name": f"{surname} {given} {patronymic}",
        "born": born,
        "iin": synth.iin(rng, born=born, female=female),
        "phone": synth.mobile(rng),
        "email": f"{rng.choice(['a', 'm', 'd', 'e'])}.{rng.randrange(10, 9999)}@{rng.choice(['mail.ru', 'gmail.com', 'inbox.kz'])}",
        "address": home_address(rng),
    }


def home_address(rng: random.Random) -> str:
    city = rng.choice(synth.CITIES)
    street = rng.choice(synth.STREETS + PERSON_STREETS)
    house, flat = rng.randrange(1, 200), rng.randrange(1, 300)
    return rng.choice(
        [
            f"г. {city}, {street}, д. {house}, кв. {flat}",
            f"{city} қ., {street}, {house}-үй, {flat}-пәтер",
            f"{city}, {street} {house}, кв.{flat}",
        ]
    )


def date_text(rng: random.Random, d: dt.date, style: int) -> str:
    if style == 0:
        return f"{d:%d.%m.%Y}"
    if style == 1:
        return f"{d:%Y-%m-%d}"
    return f"{d.day} {RU_MONTHS[d.month - 1]} {d.year} г."


def contract_no(rng: random.Random) -> str:
    return rng.choice([f"№{rng.randrange(1, 999)}-ГЗ/{rng.randrange(2022, 2025)}",
                       f"{rng.randrange(10**8, 10**9)}-{rng.randrange(10, 99)}"])  # fmt: skip


def money(rng: random.Random) -> str:
    return f"{rng.randrange(10_000, 9_000_000):,}".replace(",", " ") + rng.choice(["", ",00"])


# ---------------------------------------------------------------- table kinds


def _col(headers: Sequence[str], entity: str | None, key: str, negatives: Sequence[str] = ()) -> Column:
    return Column(headers, entity, lambda rng, p: str(p[key]), negatives)


def recipients_table(rng: random.Random) -> tuple[str, list[Column]]:
    date_style = rng.randrange(3)
    cols = [
        _col(["ФИО получателя", "Ф.И.О.", "Фамилия, имя, отчество", "Аты-жөні"], "PERSON", "name"),
        _col(["ИИН", "ИИН получателя", "ЖСН"], "KZ_IIN", "iin"),
        Column(
            ["Дата рождения", "Туған күні", "Дата рожд."],
            "DATE_OF_BIRTH",
            lambda r, p: date_text(r, p["born"], date_style),
        ),  # fmt: skip
        _col(["Адрес проживания", "Мекенжайы", "Место жительства"], "ADDRESS", "address"),
        Column(
            ["Сумма выплаты, тг", "Размер АСП (тенге)", "Сомасы, теңге"],
            None,
            lambda r, p: money(r),
            ["KZ_IIN", "PHONE_NUMBER", "CREDIT_CARD"],
        ),  # fmt: skip
    ]
    if rng.random() < 0.6:
        cols.append(_col(["Телефон", "Контактный телефон", "Байланыс телефоны"], "PHONE_NUMBER", "phone"))
    title = rng.choice(
        [
            "Список получателей адресной социальной помощи по {district} району на {date}",
            "Перечень лиц, получивших единовременную материальную помощь ({district} р-н), {date}",
            "Атаулы әлеуметтік көмек алушылар тізімі, {district} ауданы, {date}",
        ]
    )
    return title, cols


def housing_table(rng: random.Random) -> tuple[str, list[Column]]:
    cols = [
        Column(
            ["№ в очереди", "Номер очереди", "Кезек нөмірі"],
            None,
            lambda r, p: str(r.randrange(1, 9000)),
            ["KZ_IIN", "PHONE_NUMBER"],
        ),  # fmt: skip
        _col(["Фамилия, имя, отчество заявителя", "Заявитель", "Өтініш берушінің аты-жөні"], "PERSON", "name"),
        _col(["ИИН заявителя", "ИИН", "ЖСН"], "KZ_IIN", "iin"),
        Column(
            ["Дата постановки на учет", "Дата подачи заявления", "Есепке алынған күні"],
            None,
            lambda r, p: f"{dt.date(2015, 1, 1) + dt.timedelta(days=r.randrange(3000)):%d.%m.%Y}",
            ["DATE_OF_BIRTH"],
        ),  # fmt: skip
        Column(
            ["Категория", "Санаты"],
            None,
            lambda r, p: r.choice(["многодетная семья", "инвалид II группы", "госслужащий", "сирота"]),
        ),  # fmt: skip
        Column(["Состав семьи", "Отбасы құрамы"], None, lambda r, p: str(r.randrange(1, 9))),
    ]
    if rng.random() < 0.5:
        cols.append(_col(["Адрес", "Тіркелген мекенжайы"], "ADDRESS", "address"))
    return rng.choice(["Очередность граждан на получение жилища из коммунального жилищного фонда, {date}",
                       "Тұрғын үй кезегі тізімі ({district} ауданы) {date}"]), cols  # fmt: skip


def reserve_table(rng: random.Random) -> tuple[str, list[Column]]:
    split = rng.random() < 0.5
    cols: list[Column] = []
    if split:
        kk = rng.random() < 0.5
        cols += [
            _col(["Тегі" if kk else "Фамилия"], "PERSON", "surname"),
            _col(["Аты" if kk else "Имя"], None, "given", ["PERSON"]),
            _col(["Әкесінің аты" if kk else "Отчество"], None, "patronymic", ["PERSON"]),
        ]
    else:
        cols.append(_col(["Ф.И.О. кандидата", "ФИО", "Т.А.Ә."], "PERSON", "name"))
    cols += [
        Column(
            ["Дата рождения", "Год, дата рождения", "Туған күні"], "DATE_OF_BIRTH", lambda r, p: f"{p['born']:%d.%m.%Y}"
        ),  # fmt: skip
        Column(
            ["Должность", "Занимаемая должность", "Лауазымы"],
            None,
            lambda r, p: r.choice(["главный специалист", "руководитель отдела", "заместитель акима"]),
        ),  # fmt: skip
        Column(
            ["Образование", "Білімі"],
            None,
            lambda r, p: r.choice(["высшее", "ЕНУ им. Гумилева", "КазНУ им. аль-Фараби"]),
        ),
    ]
    if rng.random() < 0.5:
        cols.append(_col(["Телефон", "Моб. телефон"], "PHONE_NUMBER", "phone"))
    if rng.random() < 0.4:
        cols.append(_col(["E-mail", "Электронная почта"], "EMAIL_ADDRESS", "email"))
    return rng.choice(["Кадровый резерв административной государственной службы корпуса «Б» на {date}",
                       "Мемлекеттік қызметтің кадр резерві, {date}"]), cols  # fmt: skip


def tender_table(rng: random.Random) -> tuple[str, list[Column]]:
    def supplier(r: random.Random, p: dict[str, Any]) -> str:
        if p["org"]:
            return p["org"]
        form = r.choice(["ИП", "ИП", "КХ", "ЖК"])
        if form == "КХ":  # a farm named after its owner, with initials (a bare surname is a trade name)
            return f"КХ «{p['surname']} {p['given'][0]}.{p['patronymic'][0]}.»"
        return f"{form} {p['name']}"

    def ident(r: random.Random, p: dict[str, Any]) -> str:
        return p["bin"] if p["org"] else p["iin"]

    cols = [
        Column(["№ лота", "Номер лота"], None, lambda r, p: str(r.randrange(1, 400)), ["KZ_IIN"]),
        Column(
            ["Наименование закупки", "Предмет закупки"],
            None,
            lambda r, p: r.choice(["Услуги по уборке", "Поставка угля", "Ремонт кровли школы № 12"]),
        ),  # fmt: skip
        Column(["Победитель", "Поставщик", "Наименование поставщика"], "PERSON", supplier),
        Column(["ИИН/БИН поставщика", "БИН/ИИН"], "KZ_IIN", ident),
        Column(["Номер договора", "№ договора"], None, lambda r, p: contract_no(r), ["KZ_IIN", "KZ_BIN"]),
        Column(["Сумма договора, тенге", "Сумма, тг"], None, lambda r, p: money(r), ["KZ_IIN", "PHONE_NUMBER"]),
    ]
    return "Итоги государственных закупок способом запроса ценовых предложений, {date}", cols


def school_table(rng: random.Random) -> tuple[str, list[Column]]:
    cols = [
        _col(["ФИО ребенка", "Баланың аты-жөні", "Т.А.Ә."], "PERSON", "name"),
        _col(["ИИН ребенка", "ЖСН"], "KZ_IIN", "iin"),
        Column(["Дата рождения", "Туған күні"], "DATE_OF_BIRTH", lambda r, p: f"{p['born']:%d.%m.%Y}"),
        Column(["Класс", "Сынып"], None, lambda r, p: f"1 «{r.choice('АБВГ')}»", ["KZ_IIN"]),
        _col(["Адрес", "Мекенжайы"], "ADDRESS", "address"),
    ]
    if rng.random() < 0.5:
        cols.append(_col(["Телефон родителя", "Ата-анасының телефоны"], "PHONE_NUMBER", "phone"))
    return rng.choice(["Список детей, зачисленных в 1 класс КГУ «Школа-гимназия № {n}», {date}",
                       "{n} мектепке 1-сыныпқа қабылданған балалар тізімі, {date}"]), cols  # fmt: skip


KINDS = {
    "recipients": recipients_table,
    "housing": housing_table,
    "reserve": reserve_table,
    "tender": tender_table,
    "school": school_table,
}
DISTRICTS = ["Алмалинскому", "Есильскому", "Сарыаркинскому", "Байконырскому", "Енбекшинскому"]


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]
    columns: list[Column]
    iins: int
    bins: bool = False  # some identifier cells hold a company's BIN (tender winners)


def make_table(rng: random.Random, kind: str, n: int, kk_ru: bool = False) -> Table:
    title, cols = KINDS[kind](rng)
    title = title.format(district=rng.choice(DISTRICTS), date=f"{rng.randrange(1, 28):02d}.0{rng.randrange(1, 9)}.2024",
                         n=rng.randrange(2, 99))  # fmt: skip
    header = [rng.choice(list(c.headers)) for c in cols]
    header = ["№ п/п" if rng.random() < 0.5 else "№"] + header
    rows, iins, orgs = [], 0, 0
    for i in range(n):
        p = person(rng)
        p["org"] = None
        if kind == "tender" and rng.random() < 0.4:
            p["org"] = rng.choice(["ТОО «Строй-Сервис»", "АО «КазТрансКом»", "ТОО «Алем Клининг»"])
            p["bin"] = synth.bin_(rng)
            orgs += 1
        row = [str(i + 1)] + [c.make(rng, p) for c in cols]
        iins += sum(1 for c, v in zip(cols, row[1:]) if c.entity == "KZ_IIN" and v == p.get("iin"))
        rows.append(row)
    return Table(title, header, rows, cols, iins, bins=orgs > 0)


def table_labels(doc: Doc, table: Table, *, anywhere: bool = False) -> None:
    """Entities and negatives of ``table`` into ``doc``: by header, or ``*`` when the format
    keeps no header (a scan, prose)."""
    for head, col in zip(table.header[1:], table.columns):
        place = "*" if anywhere else head
        entity = col.entity
        if entity == "KZ_IIN" and table.bins and "KZ_BIN" not in doc.entities.get(place, []):
            doc.entities.setdefault(place, []).append("KZ_BIN")
        if entity and entity not in doc.entities.get(place, []):
            doc.entities.setdefault(place, []).append(entity)
        if col.negatives and not anywhere:
            doc.negatives.setdefault(place, []).extend(e for e in col.negatives if e != entity)
    doc.iin_count += table.iins


# ---------------------------------------------------------------- prose


def decision_text(rng: random.Random, people: int = 3) -> tuple[list[str], set[str], int]:
    """Paragraphs of a commission decision naming applicants; the agency's contacts at the end."""
    paras = [
        rng.choice(["РЕШЕНИЕ", "ШЕШІМ", "ПРОТОКОЛ заседания жилищной комиссии"]) + f" № {rng.randrange(1, 300)}",
        f"г. {rng.choice(synth.CITIES)}, {rng.randrange(1, 28)} {rng.choice(RU_MONTHS)} 2024 года",
        "Комиссия в составе председателя и членов комиссии рассмотрела поступившие заявления и РЕШИЛА:",
    ]
    entities = {"PERSON", "KZ_IIN"}
    iins = 0
    for i in range(people):
        p = person(rng)
        form = rng.randrange(3)
        if form == 0:
            paras.append(f"{i + 1}. Предоставить жилище гр. {p['name']}, ИИН {p['iin']}, "
                         f"проживающему(ей) по адресу: {p['address']}.")  # fmt: skip
            entities.add("ADDRESS")
        elif form == 1:
            paras.append(f"{i + 1}. Отказать в назначении пособия заявителю {p['name']} "
                         f"({p['born']:%d.%m.%Y} г.р., ИИН {p['iin']}) ввиду превышения дохода.")  # fmt: skip
            entities.add("DATE_OF_BIRTH")
        else:
            paras.append(f"{i + 1}. {p['name']} (ЖСН {p['iin']}, тел. {p['phone']}) кезекке қойылсын.")
            entities.add("PHONE_NUMBER")
        iins += 1
    paras += agency_contacts(rng)
    return paras, entities, iins


def agency_contacts(rng: random.Random) -> list[str]:
    """The agency's own lines: never personal data."""
    code = rng.choice(["7172", "727", "7212"])
    return [
        rng.choice(
            [
                f"Приемная: 8 ({code}) 55-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}, факс: 8 ({code}) 55-{rng.randrange(10, 99)}-00",
                f"Канцелярия: +7 ({code}) 74-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}; e-mail: kanc@akimat.gov.kz",
                f"Қабылдау бөлмесі: 8 ({code}) 30-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}, e-mail: info@uszn.gov.kz",
            ]
        ),
        "Единый контакт-центр: 1414. Адрес: г. Астана, пр. Мәңгілік Ел, 8, Дом министерств, подъезд 5.",
    ]


# ---------------------------------------------------------------- writers


def _pdf() -> Any:
    from govscan.testing.pdfs import new_pdf

    pdf = new_pdf()
    pdf.add_page()
    return pdf


def write_pdf_table(path: Path, table: Table, rng: random.Random, *, repeat: bool, prose: Sequence[str] = ()) -> None:
    from fpdf import FontFace

    pdf = _pdf()
    pdf.set_font("Body", size=7)
    pdf.multi_cell(0, 5, text=table.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    with pdf.table(first_row_as_headings=True, repeat_headings=1 if repeat else 0,
                   headings_style=FontFace(emphasis="B" if False else ""), line_height=4) as t:  # fmt: skip
        for row in [table.header, *table.rows]:
            cells = t.row()
            for cell in row:
                cells.cell(cell)
    for p in prose:
        pdf.multi_cell(0, 5, text=p, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def write_pdf_prose(path: Path, paras: Sequence[str]) -> None:
    pdf = _pdf()
    for p in paras:
        pdf.multi_cell(0, 6, text=p, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.output(str(path))


def scan(source: Path, target: Path, rng: random.Random, dpi: int = 200) -> None:
    """Render each page, rotate it a little and add speckle noise, wrap back with no text layer."""
    import pymupdf
    from PIL import Image, ImageFilter

    with pymupdf.open(source) as src, pymupdf.open() as out:
        for page in src:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
            img = img.rotate(rng.uniform(-1.2, 1.2), resample=Image.BICUBIC, fillcolor=255, expand=False)
            px = img.load()
            for _ in range(img.width * img.height // 400):
                px[rng.randrange(img.width), rng.randrange(img.height)] = rng.choice((0, 90, 180))
            img = img.filter(ImageFilter.GaussianBlur(0.4))
            buf = io.BytesIO()
            img.save(buf, format="PNG")
            new = out.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, stream=buf.getvalue())
        out.save(str(target))


def write_docx(path: Path, table: Table, rng: random.Random, *, kk_ru: bool, numbering: bool,
               prose: Sequence[str] = ()) -> None:  # fmt: skip
    import docx

    d = docx.Document()
    d.add_paragraph(rng.choice(["УТВЕРЖДАЮ", "БЕКІТЕМІН"]))
    width = len(table.header)
    extra = 1 + (1 if numbering else 0)
    t = d.add_table(rows=len(table.rows) + 1 + extra, cols=width)
    t.style = "Table Grid"
    title = t.cell(0, 0).merge(t.cell(0, width - 1))
    title.text = table.title
    for j, h in enumerate(table.header):
        t.cell(1, j).text = (KK_OF.get(h, h) + "\n" + h) if kk_ru and h in KK_OF else h
    r0 = 2
    if numbering:
        for j in range(width):
            t.cell(2, j).text = str(j + 1)
        r0 = 3
    for i, row in enumerate(table.rows):
        for j, v in enumerate(row):
            t.cell(r0 + i, j).text = v
    for p in prose:
        d.add_paragraph(p)
    d.save(str(path))


KK_OF = {
    "ФИО": "Т.А.Ә.", "Ф.И.О.": "Т.А.Ә.", "ИИН": "ЖСН", "Дата рождения": "Туған күні", "Телефон": "Телефоны",
    "Адрес": "Мекенжайы", "Адрес проживания": "Тұратын мекенжайы", "Должность": "Лауазымы",
    "Фамилия": "Тегі", "Имя": "Аты", "Отчество": "Әкесінің аты", "Класс": "Сынып",
}  # fmt: skip


def write_xlsx(
    path: Path, tables: Sequence[Table], rng: random.Random, *, hidden_last: bool, comment: str | None
) -> None:
    import openpyxl
    from openpyxl.comments import Comment

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for k, table in enumerate(tables):
        ws = wb.create_sheet(rng.choice(["Лист", "Sheet", "Парақ"]) + str(k + 1))
        ws.cell(1, 1, table.title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(table.header))
        r = 3 if rng.random() < 0.6 else 2
        for j, h in enumerate(table.header):
            ws.cell(r, j + 1, h)
        if rng.random() < 0.5:
            r += 1
            for j in range(len(table.header)):
                ws.cell(r, j + 1, j + 1)
        for i, row in enumerate(table.rows):
            for j, v in enumerate(row):
                ws.cell(r + 1 + i, j + 1, int(v) if j == 0 else v)
        if hidden_last and k == len(tables) - 1 and k > 0:
            ws.sheet_state = "hidden"
    if comment:
        wb.worksheets[0].cell(1, 1).comment = Comment(comment, "Исполнитель")
    wb.save(str(path))


def write_xls(path: Path, table: Table, rng: random.Random) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Лист1")
    ws.write_merge(0, 0, 0, len(table.header) - 1, table.title)
    r = 2
    for j, h in enumerate(table.header):
        ws.write(r, j, h)
    for i, row in enumerate(table.rows):
        for j, v in enumerate(row):
            ws.write(r + 1 + i, j, int(v) if j == 0 else v)
    wb.save(str(path))


def write_ods(path: Path, table: Table, rng: random.Random) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table as OTable
    from odf.table import TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    sheet = OTable(name="Список")

    def add(values: Sequence[str]) -> None:
        tr = TableRow()
        for v in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=v))
            tr.addElement(cell)
        sheet.addElement(tr)

    add([table.title])
    add([""])
    add(table.header)
    for row in table.rows:
        add(row)
    doc.spreadsheet.addElement(sheet)
    doc.save(str(path))


def write_odt(path: Path, table: Table, rng: random.Random, prose: Sequence[str]) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table as OTable
    from odf.table import TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentText()
    doc.text.addElement(P(text=table.title))
    t = OTable(name="Таблица1")
    t.addElement(TableColumn(numbercolumnsrepeated=len(table.header)))
    for row in [table.header, *table.rows]:
        tr = TableRow()
        for v in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=v))
            tr.addElement(cell)
        t.addElement(tr)
    doc.text.addElement(t)
    for p in prose:
        doc.text.addElement(P(text=p))
    doc.save(str(path))


def _rtf_escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ord(ch) > 127:
            out.append(f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?")
        else:
            out.append(ch)
    return "".join(out)


def write_rtf(path: Path, table: Table | None, paras: Sequence[str]) -> None:
    parts = ["{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs22\n"]
    for p in paras[:3]:
        parts.append(_rtf_escape(p) + "\\par\n")
    if table is not None:
        for row in [table.header, *table.rows]:
            parts.append("\\trowd" + "".join(f"\\cellx{(j + 1) * 1500}" for j in range(len(row))))
            parts.append("".join(f"\\intbl {_rtf_escape(v)}\\cell" for v in row) + "\\row\n")
    for p in paras[3:]:
        parts.append(_rtf_escape(p) + "\\par\n")
    parts.append("}")
    path.write_text("".join(parts), encoding="ascii")


def write_csv(path: Path, table: Table, rng: random.Random) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([table.title] + [""] * (len(table.header) - 1))
    w.writerow([""] * len(table.header))
    w.writerow(table.header)
    w.writerows(table.rows)
    # cp1251 has no Kazakh letters: exports replace them by their Russian look-alikes.
    path.write_bytes(buf.getvalue().translate(CP1251_KK).encode("cp1251", errors="replace"))


CP1251_KK = str.maketrans("әғқңөұүһӘҒҚҢӨҰҮҺ", "агкноууhАГКНОУУН")


def write_html(path: Path, table: Table, rng: random.Random, prose: Sequence[str]) -> None:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in table.rows)
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in prose)
    thead = f"<thead><tr>{head}</tr></thead>" if rng.random() < 0.5 else f"<tr>{head}</tr>"
    path.write_text(
        f"<!doctype html><html lang='ru'><head><meta charset='utf-8'><title>{html.escape(table.title)}</title></head>"
        f"<body><nav><a href='/'>Главная</a> | <a href='/contacts'>Контакты</a></nav><h1>{html.escape(table.title)}</h1>"
        f"<table border='1'>{thead}{body}</table>{paras}<footer>© Акимат, 2024</footer></body></html>",
        encoding="utf-8",
    )


TRANSLIT_KEYS = {
    "PERSON": ["fio", "familiya_imya_otchestvo", "fio_poluchatelya"],
    "KZ_IIN": ["iin", "iin_zayavitelya"],
    "DATE_OF_BIRTH": ["data_rozhdeniya", "birthdate", "data_rozhd"],
    "PHONE_NUMBER": ["tel_mob", "telefon", "kontaktnyi_telefon"],
    "ADDRESS": ["adres_prozhivaniya", "mesto_zhitelstva", "adres"],
    "EMAIL_ADDRESS": ["email", "el_pochta"],
}


def write_json(path: Path, doc: Doc, table: Table, rng: random.Random) -> None:
    keys = []
    for col in table.columns:
        keys.append(rng.choice(TRANSLIT_KEYS[col.entity]) if col.entity in TRANSLIT_KEYS else
                    rng.choice(["summa", "kategoriya", "dolzhnost", "nomer", "obrazovanie"]) + f"_{len(keys)}")  # fmt: skip
    items = [{"nomer": int(r[0]), **dict(zip(keys, r[1:]))} for r in table.rows]
    root = rng.choice(["data", "items", "records"])
    path.write_text(json.dumps({"title": table.title, "total": len(items), root: items}, ensure_ascii=False, indent=1),
                    encoding="utf-8")  # fmt: skip
    for key, col in zip(keys, table.columns):
        if col.entity:
            doc.entities.setdefault(f"{root}[*].{key}", []).append(col.entity)
    doc.negatives[f"{root}[*].nomer"] = ["KZ_IIN", "PHONE_NUMBER"]
    doc.iin_count += table.iins


# ---------------------------------------------------------------- hard negatives


def contacts_page(rng: random.Random) -> tuple[str, list[list[str]]]:
    code = rng.choice(["7172", "727"])
    rows = [["Подразделение", "Телефон", "E-mail", "Адрес"]]
    for unit in ["Приемная акима", "Канцелярия", "Пресс-служба", "Call-центр", "Отдел кадров"]:
        rows.append([unit, f"8 ({code}) {rng.randrange(20, 99)}-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}",
                     rng.choice(["kanc", "press", "priemnaya", "info", "kadry"]) + "@akimat-ast.gov.kz",
                     f"г. Астана, {rng.choice(PERSON_STREETS)}, {rng.randrange(1, 40)}"])  # fmt: skip
    return "Контакты аппарата акима", rows


def orgs_rows(rng: random.Random) -> list[list[str]]:
    rows = [["№", "Наименование организации", "БИН", "Юридический адрес", "Номер договора", "Сумма, тенге"]]
    for i in range(12):
        rows.append([str(i + 1), rng.choice(["ТОО «Нур-Строй»", "АО «Казпочта»", "ГКП «Жылу»", "КГУ «Школа № 5»"]),
                     synth.bin_(rng), f"г. {rng.choice(synth.CITIES)}, {rng.choice(PERSON_STREETS)}, {rng.randrange(1, 90)}",
                     contract_no(rng), money(rng)])  # fmt: skip
    return rows


def masked_rows(rng: random.Random) -> list[list[str]]:
    rows = [["№", "ФИО", "ИИН", "Телефон", "Статус заявки"]]
    for i in range(15):
        p = person(rng)
        rows.append([str(i + 1), f"{p['surname']} {p['given'][0]}.***", p["iin"][:4] + "******" + p["iin"][-2:],
                     f"+7 ({p['phone'][-10:-7] if p['phone'][-10:-7].isdigit() else '705'}) ***-**-{rng.randrange(10, 99)}",
                     rng.choice(["одобрена", "на рассмотрении", "отказано"])])  # fmt: skip
    return rows


def stats_rows(rng: random.Random) -> list[list[str]]:
    rows = [["Район", "Численность населения", "Мужчины", "Женщины", "Доля, %", "Код КАТО"]]
    for name in ["Алмалинский", "Ауэзовский", "Бостандыкский", "Жетысуский", "Медеуский", "Наурызбайский"]:
        total = rng.randrange(100_000, 400_000)
        men = total * rng.randrange(45, 52) // 100
        rows.append([name, str(total), str(men), str(total - men), f"{rng.uniform(5, 25):.1f}",
                     f"7511{rng.randrange(10**5, 10**6)}"])  # fmt: skip
    return rows


def schools_rows(rng: random.Random) -> list[list[str]]:
    rows = [["Организация образования", "Директор", "Адрес", "Телефон приемной"]]
    for i in range(8):
        rows.append([f"КГУ «Школа-лицей № {rng.randrange(1, 120)}»", "вакансия" if i % 3 == 0 else "и.о.",
                     f"{rng.choice(PERSON_STREETS)}, {rng.randrange(1, 200)}",
                     f"8 (727) {rng.randrange(200, 399)}-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}"])  # fmt: skip
    return rows


def _plain(header: list[str], rows: list[list[str]]) -> Table:
    return Table("", header, rows, [], 0)


# ---------------------------------------------------------------- the corpus


NewDoc = Callable[[str, str], Doc]


# PDF with a text layer: tables over pages, header repeated or not, some with a decision's prose.
def _write_pdf(out: Path, rng: random.Random, new: NewDoc) -> None:
    for i, kind in enumerate(["recipients", "housing", "reserve", "tender", "school"]):
        t = make_table(rng, kind, rng.choice([12, 45, 70]))
        d = new(f"{kind}_{i}.pdf", "pdf")
        write_pdf_table(out / d.name, t, rng, repeat=i % 2 == 0, prose=agency_contacts(rng) if i % 2 else ())
        table_labels(d, t)
    paras, ents, n = decision_text(rng, 4)
    d = new("reshenie_komissii.pdf", "pdf")
    write_pdf_prose(out / d.name, paras)
    d.entities["*"] = sorted(ents)
    d.iin_count = n


def _write_scan(out: Path, rng: random.Random, new: NewDoc) -> None:
    for i, kind in enumerate(["recipients", "school"]):
        t = make_table(rng, kind, 14)
        d = new(f"scan_{kind}.pdf", "scan")
        src = out / f".src_{i}.pdf"
        write_pdf_table(src, t, rng, repeat=False)
        scan(src, out / d.name, rng)
        src.unlink()
        table_labels(d, t, anywhere=True)
    paras, ents, n = decision_text(rng, 3)
    d = new("scan_reshenie.pdf", "scan")
    src = out / ".src_d.pdf"
    write_pdf_prose(src, paras)
    scan(src, out / d.name, rng)
    src.unlink()
    d.entities["*"] = sorted(ents)
    d.iin_count = n


def _write_docx(out: Path, rng: random.Random, new: NewDoc) -> None:
    for i in range(5):
        t = make_table(rng, list(KINDS)[i], rng.choice([10, 30]))
        d = new(f"spisok_{i}.docx", "docx")
        prose: list[str] = agency_contacts(rng) if i % 2 else []
        write_docx(out / d.name, t, rng, kk_ru=i % 2 == 0, numbering=i in (1, 2, 4), prose=prose)
        table_labels(d, t)
    import docx

    paras, ents, n = decision_text(rng, 4)
    d = new("shesim_komissii.docx", "docx")
    w = docx.Document()
    for p in paras:
        w.add_paragraph(p)
    w.save(str(out / d.name))
    d.entities["*"] = sorted(ents)
    d.iin_count = n


def _one_table_each(
    out: Path,
    rng: random.Random,
    new: NewDoc,
    kinds: Sequence[str],
    rows: int,
    name: str,
    fmt: str,
    write: Callable[[Path, Table, random.Random], None],
) -> None:
    """One file per kind of table, named ``name.format(kind=…)``, labelled with its table."""
    for kind in kinds:
        t = make_table(rng, kind, rows)
        d = new(name.format(kind=kind), fmt)
        write(out / d.name, t, rng)
        table_labels(d, t)


def _write_xls(out: Path, rng: random.Random, new: NewDoc) -> None:
    _one_table_each(out, rng, new, ["recipients", "housing", "tender"], 40, "legacy_{kind}.xls", "xls", write_xls)


def _write_xlsx(out: Path, rng: random.Random, new: NewDoc) -> None:
    for i, kind in enumerate(["reserve", "recipients", "school", "housing"]):
        tables = [make_table(rng, kind, 25)]
        if i % 2 == 0:
            tables.append(make_table(rng, rng.choice(list(KINDS)), 10))
        d = new(f"reestr_{i}.xlsx", "xlsx")
        write_xlsx(out / d.name, tables, rng, hidden_last=True, comment="Сверено" if i == 1 else None)
        for t in tables:
            table_labels(d, t)


def _write_ods(out: Path, rng: random.Random, new: NewDoc) -> None:
    _one_table_each(out, rng, new, ["housing", "school"], 30, "ochered_{kind}.ods", "ods", write_ods)


def _write_odt(out: Path, rng: random.Random, new: NewDoc) -> None:
    def write(path: Path, t: Table, rng: random.Random) -> None:
        write_odt(path, t, rng, agency_contacts(rng))

    _one_table_each(out, rng, new, ["reserve", "recipients"], 15, "prikaz_{kind}.odt", "odt", write)


def _write_rtf(out: Path, rng: random.Random, new: NewDoc) -> None:
    t = make_table(rng, "recipients", 15)
    d = new("spisok_asp.rtf", "rtf")
    write_rtf(out / d.name, t, ["ПРИКАЗ", "О назначении адресной социальной помощи", ""] + agency_contacts(rng))
    table_labels(d, t)
    paras, ents, n = decision_text(rng, 3)
    d = new("reshenie.rtf", "rtf")
    write_rtf(out / d.name, None, paras)
    d.entities["*"] = sorted(ents)
    d.iin_count = n


def _write_csv(out: Path, rng: random.Random, new: NewDoc) -> None:
    _one_table_each(out, rng, new, ["recipients", "tender", "school"], 50, "export_{kind}.csv", "csv", write_csv)


def _write_html(out: Path, rng: random.Random, new: NewDoc) -> None:
    def write(path: Path, t: Table, rng: random.Random) -> None:
        write_html(path, t, rng, agency_contacts(rng))

    _one_table_each(out, rng, new, ["housing", "reserve", "tender"], 20, "page_{kind}.html", "html", write)


def _write_json(out: Path, rng: random.Random, new: NewDoc) -> None:
    for kind in ["recipients", "school"]:
        t = make_table(rng, kind, 20)
        d = new(f"open_data_{kind}.json", "json")
        write_json(out / d.name, d, t, rng)


def _write_negatives(out: Path, rng: random.Random, new: NewDoc) -> None:
    title, rows = contacts_page(rng)
    d = new("kontakty.html", "negatives")
    write_html(out / d.name, Table(title, rows[0], rows[1:], [], 0), rng, agency_contacts(rng))
    d.negatives = {"*": ["PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "ADDRESS"]}
    rows = orgs_rows(rng)
    d = new("dogovory_organizacii.csv", "negatives")
    write_csv(out / d.name, Table("Реестр договоров за 2024 год", rows[0], rows[1:], [], 0), rng)
    d.entities = {"БИН": ["KZ_BIN"]}
    d.negatives = {"*": ["KZ_IIN", "PERSON", "PHONE_NUMBER", "ADDRESS"]}
    rows = masked_rows(rng)
    d = new("zayavki_masked.xlsx", "negatives")
    write_xlsx(out / d.name, [Table("Статус заявок (данные обезличены)", rows[0], rows[1:], [], 0)], rng,
               hidden_last=False, comment=None)  # fmt: skip
    d.negatives = {"*": ["KZ_IIN", "PERSON", "PHONE_NUMBER"]}
    rows = stats_rows(rng)
    d = new("statistika_naseleniya.pdf", "negatives")
    write_pdf_table(out / d.name, Table("Численность населения по районам на 01.01.2024", rows[0], rows[1:], [], 0),
                    rng, repeat=False, prose=agency_contacts(rng))  # fmt: skip
    d.negatives = {"*": ["KZ_IIN", "PHONE_NUMBER", "DATE_OF_BIRTH", "PERSON"]}
    rows = schools_rows(rng)
    d = new("shkoly_adresa.docx", "negatives")
    write_docx(out / d.name, Table("Перечень организаций образования", rows[0], rows[1:], [], 0), rng,
               kk_ru=False, numbering=False, prose=agency_contacts(rng))  # fmt: skip
    d.negatives = {"*": ["PERSON", "PHONE_NUMBER", "ADDRESS"]}


WRITERS: dict[str, Callable[[Path, random.Random, NewDoc], None]] = {
    "pdf": _write_pdf,
    "scan": _write_scan,
    "docx": _write_docx,
    "xls": _write_xls,
    "xlsx": _write_xlsx,
    "ods": _write_ods,
    "odt": _write_odt,
    "rtf": _write_rtf,
    "csv": _write_csv,
    "html": _write_html,
    "json": _write_json,
    "negatives": _write_negatives,
}


def generate(out: Path, seed: int = 20241, *, scans: bool = True, only: Sequence[str] | None = None) -> dict[str, Any]:
    """Write the corpus into ``out``; return and write its labels (``labels.json``)."""
    out.mkdir(parents=True, exist_ok=True)
    docs: list[Doc] = []

    def new(name: str, fmt: str) -> Doc:
        d = Doc(name, fmt=fmt)
        docs.append(d)
        return d

    for fmt, write in WRITERS.items():
        if (only is None or fmt in only) and (scans or fmt != "scan"):
            # Each format draws from its own stream, so a subset (no scans) leaves the rest unchanged.
            write(out, random.Random(f"{seed}:{fmt}"), new)
    labels = {d.name: d.label() for d in docs}
    (out / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1), encoding="utf-8")
    return labels


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=20241)
    ap.add_argument("--no-scans", action="store_true")
    args = ap.parse_args(argv)
    labels = generate(args.out, args.seed, scans=not args.no_scans)
    print(f"{len(labels)} files in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# ---------------------------------------------------------------- scoring


def _norm(text: str) -> str:
    # A cp1251 export writes Kazakh letters as Russian look-alikes: the place is the same column.
    return " ".join(text.replace("\n", " ").split()).casefold().translate(CP1251_KK)


def score(labels: dict[str, Any], findings: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Recall and precision by (file, place, entity), overall and per format.

    ``findings`` are the ``findings`` of ``govscan check --format json``. A finding's place is its
    JSON path, else its column header, else ``*``. A label place matches a finding's place when it
    is equal or a part of it (two-line headers are joined by the readers), and ``*`` matches any
    place in the file. Every finding that matches no label counts against precision.
    """
    found: set[tuple[str, str, str]] = set()
    for f in findings:
        uri = f["location"]["uri"].replace("\\", "/").split("!/")[0]
        loc = f["location"]
        place = loc.get("json_path") or loc.get("column") or "*"
        found.add((uri.rsplit("/", 1)[-1], place, f.get("entity") or ""))
    expected = {(fn, place, e) for fn, spec in labels.items() for place, ents in spec["entities"].items() for e in ents}

    def matches(label: tuple[str, str, str], item: tuple[str, str, str]) -> bool:
        if label[0] != item[0] or label[2] != item[2]:
            return False
        lp, ip = label[1], item[1]
        if lp == "*" or lp == ip:
            return True
        if "[*]" in lp:
            return ip.replace("[*]", "").replace("[]", "") == lp.replace("[*]", "") or ip.endswith(lp.split(".")[-1])
        return _norm(lp) in _norm(ip)

    recalled = {e for e in expected if any(matches(e, f) for f in found)}
    true_pos = {f for f in found if any(matches(e, f) for e in expected)}
    per_format: dict[str, dict[str, Any]] = {}
    for fn, spec in labels.items():
        fmt = spec.get("format", "?")
        s = per_format.setdefault(fmt, {"expected": 0, "recalled": 0, "found": 0, "true": 0, "files": 0})
        s["files"] += 1
        s["expected"] += sum(1 for e in expected if e[0] == fn)
        s["recalled"] += sum(1 for e in recalled if e[0] == fn)
        s["found"] += sum(1 for f in found if f[0] == fn)
        s["true"] += sum(1 for f in true_pos if f[0] == fn)
    for s in per_format.values():
        s["recall"] = s["recalled"] / s["expected"] if s["expected"] else 1.0
        s["precision"] = s["true"] / s["found"] if s["found"] else 1.0
    return {
        "recall": len(recalled) / len(expected) if expected else 1.0,
        "precision": len(true_pos) / len(found) if found else 1.0,
        "missed": sorted(expected - recalled),
        "false_positives": sorted(found - true_pos),
        "per_format": per_format,
    }


def format_table(result: dict[str, Any]) -> str:
    lines = [f"{'format':<10} {'files':>5} {'recall':>8} {'precision':>10}"]
    for fmt, s in sorted(result["per_format"].items()):
        lines.append(f"{fmt:<10} {s['files']:>5} {s['recall']:>8.3f} {s['precision']:>10.3f}")
    lines.append(f"{'all':<10} {'':>5} {result['recall']:>8.3f} {result['precision']:>10.3f}")
    return "\n".join(lines)
