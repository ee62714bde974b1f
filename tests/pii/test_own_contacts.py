"""An organisation's own contacts in running text are not personal data; a citizen's still are."""

from __future__ import annotations

from pathlib import Path

import pytest

from govscan.pii.detector import build_plans
from govscan.pii.recognizers.base import Recognizer
from govscan.pii.recognizers.email import EmailRecognizer
from govscan.pii.recognizers.phone import PhoneRecognizer
from govscan.rules import load_rules

from .publications import places, scan, write_text

DECREE_RU = """\
АКИМАТ ГОРОДА АСТАНЫ
Адрес: 010000, г. Астана, пр. Бейбітшілік, 11
Тел./факс: 8 (7172) 55-64-01, e-mail: kanc@astana.gov.kz, www.astana.gov.kz

ПОСТАНОВЛЕНИЕ от 12 марта 2024 года № 505-1234

О предоставлении жилища из коммунального жилищного фонда

Рассмотрев заявление гражданки, проживающей по адресу: г. Астана, ул. Кенесары, д. 40, кв. 12,
контактный телефон 8 701 555 12 34, электронная почта a.serikova1987@mail.ru, акимат ПОСТАНОВЛЯЕТ:
1. Предоставить жилище согласно очереди.
2. Справки по телефону приемной: 8 (7172) 55-64-00, факс 8 (7172) 55-64-02.
Единый контакт-центр 1414, call-центр акимата: +7 (7172) 55-60-00.
Телефон доверия: 8 (7172) 55-61-61. Горячая линия по вопросам жилья: 8 (7172) 55-62-62.
Обращения направляйте в канцелярию: priemnaya@astana.gov.kz, пресс-служба press@astana.gov.kz.
Уведомления рассылаются с адреса noreply@egov.kz; ошибки доставки — mailer-daemon@astana.gov.kz.
"""

DECREE_KK = """\
ҚАРАҒАНДЫ ОБЛЫСЫНЫҢ ӘКІМДІГІ
Мекенжайы: 100008, Қарағанды қ., Бұқар жырау даңғылы, 47
Кеңсе: 8 (7212) 41-07-00, факс: 8 (7212) 41-07-01, kense@karaganda.gov.kz

ҚАУЛЫ
Өтініш беруші, Қарағанды қ., Ерубаев көшесі, 12, пәтер 5 мекенжайында тұратын азамат,
байланыс телефоны 8 777 123 45 67, электрондық поштасы e.nurlanuly@gmail.com.
Қабылдау бөлмесі: 8 (7212) 41-07-02. Байланыс орталығы: 8 (7212) 41-07-03.
Сенім телефоны: 8 (7212) 41-07-04.
"""


def test_a_decree_reports_only_the_citizens_contacts(tmp_path: Path) -> None:
    found = scan(write_text(tmp_path / "postanovlenie.txt", DECREE_RU))
    assert places(found, "PHONE_NUMBER") == {"text": 1}
    assert places(found, "EMAIL_ADDRESS") == {"text": 1}
    assert places(found, "ADDRESS") == {"text": 1}
    evidence = {f.entity: f.evidence for f in found}
    assert evidence["PHONE_NUMBER"].endswith("34")
    assert evidence["EMAIL_ADDRESS"].startswith("a.")


def test_a_kazakh_decree_reports_only_the_citizens_contacts(tmp_path: Path) -> None:
    found = scan(write_text(tmp_path / "qauly.txt", DECREE_KK))
    assert places(found, "PHONE_NUMBER") == {"text": 1}
    assert places(found, "EMAIL_ADDRESS") == {"text": 1}
    assert places(found, "ADDRESS") == {"text": 1}


def plan_recognizer(entity: str) -> Recognizer:
    return next(p.recognizer for p in build_plans(load_rules(plugins=False)) if p.recognizer.entity == entity)


@pytest.mark.parametrize(
    "text",
    [
        "Приемная: 8 (7172) 74-10-10",
        "тел./факс 8 (7172) 74-10-11",
        "8 (7172) 74-10-12 (приемная)",
        "Телефон доверия 8 (7172) 74-10-13",
        "Call-центр: +7 (727) 244-00-00",
        "Қабылдау бөлмесі: 8 (7172) 74-10-14",
        "Сенім телефоны: 8 (7172) 74-10-15",
        "Приемная: 8 (7172) 74-10-16, 8 (7172) 74-10-17",
    ],
)
def test_office_lines_are_not_personal_phones(text: str) -> None:
    assert list(plan_recognizer("PHONE_NUMBER").find(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "Факс 8 (7172) 74-10-11. Заявитель Петров, тел. 8 701 234 56 78",
        "Иванов И.И., тел. 8 701 234 56 78, обратился в приемную",
        "Заявление, поступившее в канцелярию от гражданина Петрова, тел. 8 701 234 56 78",
        "Петров, тел. 8 701 234 56 78, приемная ему отказала",
    ],
)
def test_a_persons_phone_beside_office_words_is_still_personal(text: str) -> None:
    assert [m.text for m in plan_recognizer("PHONE_NUMBER").find(text)] == ["8 701 234 56 78"]


def test_the_judgement_comes_from_the_rule_data() -> None:
    """Without the rule's words, the reception line is a phone like any other."""
    assert [m.text for m in PhoneRecognizer().find("Приемная: 8 (7172) 74-10-10")] == ["8 (7172) 74-10-10"]


@pytest.mark.parametrize(
    "mailbox",
    [
        "kanc@akimat.kz",
        "kense@zhambyl.gov.kz",
        "priemnaya@astana.gov.kz",
        "press-sluzhba@mvd.gov.kz",
        "no-reply@egov.kz",
        "noreply.egov@gov.kz",
        "robot@e.gov.kz",
        "gateway@kgd.gov.kz",
        "mailer-daemon@mail.kz",
        "support@enbek.kz",
        "office@nao.kz",
        "akimat_almaty@mail.ru",
        "baspasoz@akorda.kz",
        "kanc.akimat.almaty@mail.kz",
        "akimdik@turkestan.gov.kz",
    ],
)
def test_shared_and_system_mailboxes_are_not_personal(mailbox: str) -> None:
    assert list(EmailRecognizer().find(f"пишите: {mailbox}")) == []


def test_a_letterhead_label_does_not_hide_a_citizens_address() -> None:
    text = "Заявитель: Серикова А.Б.\nАдрес: г. Алматы, ул. Абая, д. 5, кв. 3\nТел.: 8 701 234 56 78"
    assert [m.text for m in plan_recognizer("ADDRESS").find(text)] == ["ул. Абая, д. 5, кв. 3"]


def test_the_office_address_in_a_word_letterhead_is_not_personal_but_the_citizens_is(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    header = document.sections[0].header.paragraphs[0]
    header.text = "Адрес: 010000, г. Астана, ул. Бейбітшілік, 11"
    document.sections[0].footer.paragraphs[0].text = "Мекенжайы: Астана қ., Бейбітшілік көшесі, 11"
    document.add_paragraph("РЕШЕНИЕ о постановке на учёт нуждающихся в жилище")
    document.add_paragraph("Адрес: г. Алматы, ул. Абая, д. 5, кв. 3")
    path = tmp_path / "reshenie.docx"
    document.save(str(path))
    found = [f for f in scan(path) if f.entity == "ADDRESS"]
    assert [(f.location.part, f.count) for f in found] == [(None, 1)]


def test_a_home_address_beside_office_words_is_still_personal() -> None:
    text = "Гражданка, записавшаяся в приемную акимата, проживающая по адресу: ул. Абая, д. 5, кв. 3"
    assert [m.text for m in plan_recognizer("ADDRESS").find(text)] == ["ул. Абая, д. 5, кв. 3"]


def test_own_contact_judgement_stays_linear_on_a_huge_single_line() -> None:
    """A hostile page of one 2 MB line with thousands of labelled addresses: no quadratic rescans."""
    import time

    text = "Адрес: ул. Абая, д. 5. " * 90_000
    started = time.process_time()
    found = list(plan_recognizer("ADDRESS").find(text))
    assert len(found) == 90_000
    assert time.process_time() - started < 30


def test_a_directory_of_offices_has_no_personal_phones(tmp_path: Path) -> None:
    """Columns of reception, fax and contact-centre lines are the offices' own, in ru and kk."""
    from .publications import write_csv

    offices = ["Аппарат акима", "Отдел образования", "Отдел ЖКХ", "Управление занятости", "ЦОН"]
    rows = [
        [
            name,
            f"8 (7172) 55-{n:02d}-00",
            f"8 (7172) 55-{n:02d}-01",
            f"+7 (7172) 55-{n:02d}-02",
            f"8 (7172) 55-{n:02d}-03",
        ]
        for n, name in enumerate(offices * 4, start=10)
    ]
    header = ["Наименование", "Приемная", "Факс", "Call-центр", "Байланыс орталығы"]
    found = scan(write_csv(tmp_path / "spravochnik.csv", header, rows))
    assert places(found, "PHONE_NUMBER") == {}


def test_an_office_address_labelled_mid_line_after_its_contact_centre_is_the_offices() -> None:
    """Acts end with one contacts line: the "Адрес:" label opens a sentence, not the line."""
    text = (
        "Решение вступает в силу со дня подписания. Единый контакт-центр: 1414. "
        "Адрес: г. Астана, пр. Мәңгілік Ел, 8, Дом министерств, подъезд 5."
    )
    assert [m.text for m in plan_recognizer("ADDRESS").find(text)] == []


def test_a_citizens_address_mid_line_is_not_hidden_by_a_label_in_another_sentence() -> None:
    text = "Единый контакт-центр: 1414. Заявитель проживает: г. Алматы, ул. Абая, д. 5. Адрес: см. выше."
    assert [m.text for m in plan_recognizer("ADDRESS").find(text)] == ["ул. Абая, д. 5"]
