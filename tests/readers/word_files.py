"""Word and OpenDocument files as agencies publish them, built by the tests (python-docx, odfpy).

Parts python-docx cannot write (footnotes, tracked deletions) are added to the package XML the
way Word writes them.
"""

from __future__ import annotations

import random
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from govscan.testing import synth

RNG = random.Random(11)
IINS = [synth.iin(RNG) for _ in range(40)]
NAMES = [synth.full_name(RNG) for _ in range(40)]
TITLE = "Список получателей жилищной помощи по состоянию на 01.02.2024 года"
XML_NS = "http://www.w3.org/XML/1998/namespace"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_with_table(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    title_row: str | None = None,
    header_rows: int = 0,
    before: str = "Решение комиссии",
) -> Path:
    """A decision with a table; ``title_row`` is merged across the table's first row."""
    document = docx.Document()
    document.add_paragraph(before)
    width = max(len(r) for r in rows)
    table = document.add_table(rows=0, cols=width)
    if title_row is not None:
        cells = table.add_row().cells
        merged = cells[0].merge(cells[-1])
        merged.text = title_row
    for number, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = text
        if number < header_rows:
            tr_pr = table.rows[-1]._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:tblHeader"))
    document.add_paragraph("Председатель комиссии")
    document.save(path)
    return path


def iin_rows(count: int = 30) -> list[list[str]]:
    return [["№", "ФИО", "ИИН", "Сумма"]] + [
        [str(i), NAMES[i % len(NAMES)], IINS[i % len(IINS)], str(1000 * i)] for i in range(1, count + 1)
    ]


def add_tracked_deletion(document: docx.document.Document, kept: str, deleted: str, author: str) -> None:
    """A paragraph where a reviewer deleted ``deleted`` with track changes on (Word's markup)."""
    paragraph = document.add_paragraph(kept)
    removal = OxmlElement("w:del")
    removal.set(qn("w:id"), "901")
    removal.set(qn("w:author"), author)
    removal.set(qn("w:date"), "2024-02-01T10:00:00Z")
    run = OxmlElement("w:r")
    text = OxmlElement("w:delText")
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    text.text = deleted
    run.append(text)
    removal.append(run)
    paragraph._p.append(removal)


FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def add_footnote_part(path: Path, text: str) -> None:
    """Give a saved .docx a ``word/footnotes.xml`` part holding ``text``, declared as Word does."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W_NS}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    rewrite_zip(path, {"word/footnotes.xml": xml.encode()}, content_type=("/word/footnotes.xml", FOOTNOTES_TYPE))


def rewrite_zip(path: Path, extra: dict[str, bytes], content_type: tuple[str, str] | None = None) -> None:
    """Copy a zip with members added or replaced (and one ``Override`` added to its content types)."""
    source = path.with_suffix(path.suffix + ".orig")
    shutil.move(path, source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in extra:
                continue
            data = old.read(info)
            if content_type and info.filename == "[Content_Types].xml":
                part, kind = content_type
                data = data.replace(b"</Types>", f'<Override PartName="{part}" ContentType="{kind}"/></Types>'.encode())
            new.writestr(info, data)
        for name, data in extra.items():
            new.writestr(name, data)
    source.unlink()


def odt_document(
    path: Path,
    rows: Sequence[Sequence[str]] = (),
    *,
    header_rows: int = 0,
    title_row: str | None = None,
    paragraphs: Sequence[str] = ("Решение комиссии",),
    comment: tuple[str, str] | None = None,
    footnote: str | None = None,
    deletion: tuple[str, str] | None = None,
    page_header: str | None = None,
    creator: str | None = None,
    last_saved_by: str | None = None,
) -> Path:
    """An OpenDocument text as LibreOffice writes one (odfpy); ``comment``/``deletion`` are (author, text)."""
    from odf import dc, meta, office, style, table, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    if deletion is not None:
        author, deleted = deletion
        changes = text.TrackedChanges()
        region = text.ChangedRegion(qattributes={(XML_NS, "id"): "ct1", (text.TEXTNS, "id"): "ct1"})
        removal = text.Deletion()
        info = office.ChangeInfo()
        info.addElement(dc.Creator(text=author))
        info.addElement(dc.Date(text="2024-02-01T10:00:00"))
        removal.addElement(info)
        removal.addElement(text.P(text=deleted))
        region.addElement(removal)
        changes.addElement(region)
        document.text.addElement(changes)
    for number, words in enumerate(paragraphs):
        paragraph = text.P(text=words)
        if number == 0 and comment is not None:
            note = office.Annotation()
            note.addElement(dc.Creator(text=comment[0]))
            note.addElement(text.P(text=comment[1]))
            paragraph.addElement(note)
        if number == 0 and footnote is not None:
            mark = text.Note(id="ftn1", noteclass="footnote")
            mark.addElement(text.NoteCitation(text="1"))
            body = text.NoteBody()
            body.addElement(text.P(text=footnote))
            mark.addElement(body)
            paragraph.addElement(mark)
        if number == 0 and deletion is not None:
            paragraph.addElement(text.ChangeStart(changeid="ct1"))
            paragraph.addElement(text.ChangeEnd(changeid="ct1"))
        document.text.addElement(paragraph)
    if rows or title_row:
        width = max(len(r) for r in rows)
        grid = table.Table(name="Таблица1")
        grid.addElement(table.TableColumn(numbercolumnsrepeated=width))
        if title_row is not None:
            row = table.TableRow()
            cell = table.TableCell(numbercolumnsspanned=width)
            cell.addElement(text.P(text=title_row))
            row.addElement(cell)
            for _ in range(width - 1):
                row.addElement(table.CoveredTableCell())
            grid.addElement(row)
        head = table.TableHeaderRows() if header_rows else None
        if head is not None:
            grid.addElement(head)
        for number, values in enumerate(rows):
            row = table.TableRow()
            for value in values:
                cell = table.TableCell(valuetype="string")
                cell.addElement(text.P(text=value))
                row.addElement(cell)
            (head if head is not None and number < header_rows else grid).addElement(row)
        document.text.addElement(grid)
    if page_header is not None:
        layout = style.PageLayout(name="pm1")
        document.automaticstyles.addElement(layout)
        master = style.MasterPage(name="Standard", pagelayoutname=layout)
        header = style.Header()
        header.addElement(text.P(text=page_header))
        master.addElement(header)
        document.masterstyles.addElement(master)
    if creator is not None:
        document.meta.addElement(meta.InitialCreator(text=creator))
    if last_saved_by is not None:
        document.meta.addElement(dc.Creator(text=last_saved_by))
    document.save(str(path))
    return path


def ods_workbook(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    """A one-sheet OpenDocument spreadsheet (odfpy), cells as strings."""
    from odf import table, text
    from odf.opendocument import OpenDocumentSpreadsheet

    book = OpenDocumentSpreadsheet()
    sheet = table.Table(name="Лист1")
    for values in rows:
        row = table.TableRow()
        for value in values:
            cell = table.TableCell(valuetype="string")
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        sheet.addElement(row)
    book.spreadsheet.addElement(sheet)
    book.save(str(path))
    return path
