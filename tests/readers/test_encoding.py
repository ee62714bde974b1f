"""Encoding detection: what portals really publish must come out as readable Cyrillic."""

from __future__ import annotations

import codecs

import pytest

from govscan.readers.encoding import detect_encoding, open_text

RUSSIAN = "ФИО;Адрес\nИванов Иван Иванович;г. Алматы, ул. Абая 10\nПетрова Мария;г. Астана\n"
HEADER_ONLY = "иин;фио;телефон\n"


def test_utf8_with_bom_is_utf8_sig():
    assert detect_encoding(codecs.BOM_UTF8 + "ИИН".encode()) == "utf-8-sig"


def test_utf16_le_with_bom_like_excel_unicode_text():
    data = "ИИН\tФИО\r\n".encode("utf-16")  # native order with BOM, as Excel writes it
    assert detect_encoding(data).startswith("utf-16")
    assert data.decode(detect_encoding(data)) == "ИИН\tФИО\r\n"


def test_utf16_be_with_bom():
    data = codecs.BOM_UTF16_BE + "ИИН;ФИО".encode("utf-16-be")
    assert data.decode(detect_encoding(data)) == "ИИН;ФИО"


def test_utf16_le_without_bom_is_recognised_by_its_nul_bytes():
    data = "iin\tname\r\n710508363018\tIvanov\r\n".encode("utf-16-le")
    assert detect_encoding(data) == "utf-16-le"


def test_plain_ascii_is_utf8():
    assert detect_encoding(b"iin,phone\n710508363018,+77011234567\n") == "utf-8"


def test_kazakh_utf8_is_utf8():
    assert detect_encoding("Әлиев Қанат Ұлы, Өскемен, Шығыс".encode()) == "utf-8"


def test_utf8_cut_inside_a_character_at_the_sample_end_is_still_utf8():
    data = ("Иванов " * 9363).encode()[: 64 * 1024]  # the 64 KiB cut splits a Cyrillic letter
    assert detect_encoding(data) == "utf-8"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "cp866"])
def test_russian_text_in_single_byte_encodings_is_decoded(encoding):
    data = RUSSIAN.encode(encoding)
    assert data.decode(detect_encoding(data)) == RUSSIAN


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "cp866"])
def test_a_short_lowercase_header_is_enough(encoding):
    data = HEADER_ONLY.encode(encoding)
    assert data.decode(detect_encoding(data)) == HEADER_ONLY


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r"])
def test_an_uppercase_header_is_enough(encoding):
    data = "ФИО;ИИН;ТЕЛЕФОН\n".encode(encoding)
    assert data.decode(detect_encoding(data)) == "ФИО;ИИН;ТЕЛЕФОН\n"


def test_kazakh_in_kz1048_is_not_read_as_serbian_cp1251():
    text = "Әлиев Қанат;Өскемен қаласы;Ұлы Дала\n"
    data = text.encode("kz1048")
    assert data.decode(detect_encoding(data)) == text


def test_cp1251_kazakh_with_the_shared_letter_i_stays_cp1251():
    text = "Сәулет үйі — Жібек жолы; білім\n".replace("ә", "а").replace("ү", "у")  # cp1251 substitutes
    data = text.encode("cp1251")
    assert detect_encoding(data) == "cp1251"


def test_utf8_with_a_few_broken_bytes_is_opened_as_utf8_with_replacement(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Иванов Иван\n".encode() * 20 + b"\xff\xfe broken\n")
    stream, encoding = open_text(str(path))
    with stream:
        lines = stream.read().splitlines()
    assert encoding == "utf-8"
    assert lines[0] == "Иванов Иван"
    assert lines[-1] == "\ufffd\ufffd broken"
