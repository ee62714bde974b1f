"""Office containers are dispatched by their content, and a document's reading is bounded.

Which reader gets a zip or an OLE2 file is decided from inside it (``[Content_Types].xml``,
the ODF ``mimetype``, OLE2 streams), never from its name alone; a document beyond its bounds
(paragraphs, seconds) is cut with one line and what was read before stays.
"""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from govscan.model import Asset
from govscan.readers import office, sniff_format

from .word_files import IINS, docx_with_table, iin_rows


def encrypted(plain: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("secret", out)
    return out.getvalue()


def test_an_encrypted_workbook_is_encrypted_not_read(tmp_path, read):
    book = openpyxl.Workbook()
    book.active.append(["ИИН"])
    book.active.append([IINS[0]])
    plain = io.BytesIO()
    book.save(plain)
    pieces = read("list.xlsx", encrypted(plain.getvalue()))
    assert [p for p in pieces if not hasattr(p, "problem")] == []
    assert pieces.problems == [office.ENCRYPTED]


def test_a_presentation_is_reported_unsupported_not_unpacked(tmp_path, read):
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.presentationml.presentation.main+xml"/></Types>',
        )
        package.writestr("ppt/slides/slide1.xml", f"<p>{IINS[0]}</p>")
    pieces = read("slides.zip", payload.getvalue())
    assert pieces.problems == ["PowerPoint presentation (.pptx) is not supported"]


def test_a_plain_zip_is_still_an_archive(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("list.csv", "ИИН\n" + IINS[0] + "\n")
    assert sniff_format(Asset("export.zip", str(path))) == "zip"


def test_a_word_document_inside_an_archive_is_read_as_a_document(tmp_path, read_file):
    inner = docx_with_table(tmp_path / "decision.docx", iin_rows(3))
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(inner, "2024/decision.docx")
    pieces = read_file(path)
    assert pieces.errors == []
    assert pieces.columns["table 1!ИИН"] == IINS[1:4]
    assert {v.uri for v in pieces.values} == {"bundle.zip!/2024/decision.docx"}


def test_a_broken_zip_named_docx_is_a_broken_docx_not_text(tmp_path, read):
    pieces = read("decision.docx", b"PK\x03\x04" + b"\x00" * 200)
    assert len(pieces.problems) == 1 and pieces.problems[0].startswith("not a valid DOCX")


def test_beyond_the_paragraph_bound_the_rest_is_cut_with_one_line(tmp_path, read_file, monkeypatch):
    monkeypatch.setattr(office, "MAX_PARAGRAPHS", 50)
    document = docx.Document()
    for i in range(200):
        document.add_paragraph(f"Пункт {i}")
    path = tmp_path / "long.docx"
    document.save(path)
    pieces = read_file(path)
    assert pieces.problems == ["more than 50 paragraphs; rest not read"]
    assert "Пункт 0" in pieces.text and "Пункт 49" in pieces.text and "Пункт 150" not in pieces.text


def test_a_document_read_too_long_is_cut_with_one_line(tmp_path, read_file, monkeypatch):
    monkeypatch.setattr(office, "MAX_SECONDS", -1.0)
    document = docx.Document()
    for i in range(3000):
        document.add_paragraph(f"Пункт {i}")
    path = tmp_path / "slow.docx"
    document.save(path)
    pieces = read_file(path)
    assert pieces.problems == ["reading took longer than -1 s; rest not read"]


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_the_kind_of_an_office_zip_comes_from_its_content_types(tmp_path, kind):
    path = tmp_path / "file.bin"
    if kind == "docx":
        docx.Document().save(path)
    else:
        openpyxl.Workbook().save(path)
    assert office.zip_document_kind(str(path)) == kind


def test_a_document_announcing_a_huge_central_directory_is_refused_before_it_is_parsed(tmp_path, read):
    path = tmp_path / "whole.docx"
    docx.Document().save(path)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 12 : end + 16] = (512 * 1024 * 1024).to_bytes(4, "little")  # 512 MB of member entries
    pieces = read("decision.docx", bytes(data))
    assert pieces.problems == ["ZIP central directory of 536870912 bytes refused (too many members)"]
