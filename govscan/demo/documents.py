"""The demo portal's published documents: a PDF list, a scanned order and a Word decision.

Made at run time from the demo's synthetic people with govscan's own dependencies only
(PyMuPDF and its built-in Nimbus Sans, which has Cyrillic and Kazakh letters; a ``.docx`` is a
few XML parts in a zip), so ``govscan demo`` needs no test library and no binary files in the
repository, and the people in the documents are the ones the demo's checks know about.

What each one plants, as agencies really publish them:

* ``recipients-2024.pdf`` — a ruled list under a title row ("Список получателей … по состоянию
  на …"), a covering note with an IIN hidden under a drawn black box (a failed redaction), and the
  official who prepared it in the document's metadata;
* ``order-scan.pdf`` — a signed order scanned to an image: no text layer, only OCR reads it;
* ``decision.docx`` — a commission's decision whose table lists applicants with IINs.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from govscan.readers.pdf import load_pymupdf

A4 = (595, 842)
MARGIN = 50
FONT = "body"


def recipients_pdf(people: list[dict[str, str]], author: str, covered_iin: str) -> bytes:
    """A one-page list of aid recipients with a title row, a failed redaction and an author."""
    pymupdf = load_pymupdf()

    doc = pymupdf.open()
    page = _page(doc)
    y = MARGIN + 10
    page.insert_text(
        (MARGIN, y), "Акимат города Демо. Отдел занятости и социальных программ", fontname=FONT, fontsize=10
    )
    y += 18
    page.insert_text(
        (MARGIN, y),
        "Список получателей адресной социальной помощи по состоянию на 01.03.2024 г.",
        fontname=FONT,
        fontsize=11,
    )
    y += 14
    widths = [25, 190, 95, 185]
    rows = [["№", "ФИО", "ИИН", "Адрес"]] + [
        [str(n), p["name"], p["iin"], p["address"]] for n, p in enumerate(people, start=1)
    ]
    y = _table(page, rows, widths, y, size=8)
    y += 24
    note = "Справка подготовлена по обращению заявителя, ИИН"
    page.insert_text((MARGIN, y), note, fontname=FONT, fontsize=10)
    metrics = pymupdf.Font("helv")
    x = MARGIN + metrics.text_length(note + " ", fontsize=10)
    page.insert_text((x, y), covered_iin, fontname=FONT, fontsize=10)
    box = pymupdf.Rect(x - 1, y - 10, x + metrics.text_length(covered_iin, fontsize=10) + 1, y + 3)
    page.draw_rect(box, color=None, fill=(0, 0, 0))  # drawn over the text, which stays in the file
    doc.set_metadata({"author": author, "title": "Список получателей АСП", "creator": "Microsoft Word 2016"})
    return _save(doc)


def scanned_order_pdf(person: dict[str, str]) -> bytes:
    """An order printed, signed and scanned: one page that is only a picture."""
    pymupdf = load_pymupdf()

    typed = pymupdf.open()
    page = _page(typed)
    lines = [
        "ПРИКАЗ № 47-к от 12.02.2024 г.",
        "О назначении единовременной выплаты",
        f"Назначить выплату {person['name']},",
        f"ИИН {person['iin']}, телефон {person['phone']}.",
        "Руководитель отдела                    подпись",
    ]
    for n, line in enumerate(lines):
        page.insert_text((MARGIN + 20, MARGIN + 60 + 28 * n), line, fontname=FONT, fontsize=14)
    picture = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY).tobytes("png")
    scan = pymupdf.open()
    scanned = scan.new_page(width=A4[0], height=A4[1])
    scanned.insert_image(scanned.rect, stream=picture)
    data = scan.tobytes(garbage=3, deflate=True)
    scan.close()
    typed.close()
    return data


def decision_docx(people: list[dict[str, str]]) -> bytes:
    """A housing commission's decision: prose, then a table of applicants with their IINs."""
    paragraphs = [
        "РЕШЕНИЕ жилищной комиссии акимата города Демо № 12 от 20.02.2024 г.",
        "Рассмотрев заявления граждан, комиссия РЕШИЛА включить в список очередности следующих лиц:",
    ]
    rows = [["№", "Фамилия, имя, отчество", "ИИН", "Адрес проживания"]] + [
        [str(n), p["name"], p["iin"], p["address"]] for n, p in enumerate(people, start=1)
    ]
    body = "".join(_w_paragraph(text) for text in paragraphs) + _w_table(rows) + _w_paragraph("Председатель комиссии")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("[Content_Types].xml", _CONTENT_TYPES)
        docx.writestr("_rels/.rels", _RELS)
        docx.writestr("word/document.xml", document)
    return out.getvalue()


def _page(doc: Any) -> Any:
    pymupdf = load_pymupdf()

    page = doc.new_page(width=A4[0], height=A4[1])
    page.insert_font(fontname=FONT, fontbuffer=pymupdf.Font("helv").buffer)  # Nimbus Sans: Cyrillic and Kazakh
    return page


def _table(page: Any, rows: list[list[str]], widths: list[int], top: float, size: float) -> float:
    """Draw a ruled table from ``top``; returns the y below it."""
    height = size + 8
    right = MARGIN + sum(widths)
    for r, row in enumerate(rows):
        y = top + r * height
        x = MARGIN
        for width, cell in zip(widths, row, strict=True):
            page.insert_text((x + 3, y + size + 2), cell, fontname=FONT, fontsize=size)
            x += width
        page.draw_line((MARGIN, y), (right, y), color=(0, 0, 0), width=0.5)
    bottom = top + len(rows) * height
    page.draw_line((MARGIN, bottom), (right, bottom), color=(0, 0, 0), width=0.5)
    x = MARGIN
    for width in [0, *widths]:
        x += width
        page.draw_line((x, top), (x, bottom), color=(0, 0, 0), width=0.5)
    return bottom


def _save(doc: Any) -> bytes:
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def _w_paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _w_table(rows: list[list[str]]) -> str:
    cells = "".join(
        "<w:tr>" + "".join(f"<w:tc>{_w_paragraph(cell)}</w:tc>" for cell in row) + "</w:tr>" for row in rows
    )
    return f"<w:tbl>{cells}</w:tbl>"


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
