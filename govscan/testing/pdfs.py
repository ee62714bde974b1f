"""Synthetic PDFs shaped like what agencies publish: lists, decisions, scans, and hostile files.

Shared by the tests, ``benchmarks/bench_pdf.py`` and the script that makes the demo portal's
files. Writing uses fpdf2 (a test-extra library, imported here only when called) with a
Cyrillic TrueType font found on the system (Debian ``fonts-dejavu-core``); reading back and
rasterising uses PyMuPDF, which govscan depends on anyway. All people and numbers come from
:mod:`govscan.testing.synth`: nothing here is real data.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
FONT_PACKAGE = "fonts-dejavu-core"
TITLE = "Список получателей адресной социальной помощи по состоянию на 01.03.2024 г."


def cyrillic_font() -> str | None:
    """Path of a TrueType font with Cyrillic and Kazakh letters, or None."""
    return next((p for p in FONT_CANDIDATES if Path(p).is_file()), None)


def new_pdf(author: str | None = None) -> Any:
    from fpdf import FPDF

    font = cyrillic_font()
    if font is None:
        raise RuntimeError(f"no Cyrillic TrueType font found (install Debian package {FONT_PACKAGE})")
    pdf = FPDF(format="A4")
    pdf.add_font("Body", fname=font)
    pdf.set_font("Body", size=10)
    pdf.set_creator("govscan tests")
    if author is not None:
        pdf.set_author(author)
    pdf.set_auto_page_break(True, margin=15)
    return pdf


def add_table(pdf: Any, rows: Sequence[Sequence[str]], *, title: str | None = None, numbering: bool = False) -> None:
    """A ruled table; ``title`` adds a merged title row and a blank row above the header, as
    Excel exports printed to PDF have; ``numbering`` adds the 1..N row under the header."""
    from fpdf import FontFace

    width = len(rows[0])
    with pdf.table(first_row_as_headings=False, headings_style=FontFace(emphasis="")) as table:
        if title:
            table.row().cell(title, colspan=width)
            blank = table.row()
            for _ in range(width):
                blank.cell("")
        for i, row in enumerate(rows):
            cells = table.row()
            for cell in row:
                cells.cell(cell)
            if i == 0 and numbering:
                numbers = table.row()
                for n in range(1, width + 1):
                    numbers.cell(str(n))


def add_paragraph(pdf: Any, text: str) -> None:
    pdf.multi_cell(0, 6, text=text, new_x="LMARGIN", new_y="NEXT")


def add_redacted(pdf: Any, before: str, secret: str, after: str = "") -> None:
    """A line whose ``secret`` is covered by a black filled rectangle drawn over the text."""
    pdf.write(6, before + " ")
    x, y = pdf.get_x(), pdf.get_y()
    pdf.write(6, secret)
    width = pdf.get_string_width(secret)
    pdf.set_fill_color(0, 0, 0)
    pdf.rect(x - 0.5, y, width + 1, 6, style="F")
    pdf.write(6, " " + after)
    pdf.ln(8)


def list_rows(rng: Any, n: int, *, header: Sequence[str] = ("№", "ФИО", "ИИН", "Телефон")) -> list[list[str]]:
    from govscan.testing import synth

    rows = [list(header)]
    for i in range(n):
        rows.append([str(i + 1), synth.full_name(rng), synth.iin(rng), synth.mobile(rng, 0)][: len(header)])
    return rows


def rasterise(source: str | Path, target: str | Path, dpi: int = 200) -> None:
    """A "scan": every page rendered to a picture and wrapped in a PDF with no text layer."""
    import pymupdf

    with pymupdf.open(source) as src, pymupdf.open() as out:
        for page in src:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            new = out.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, stream=pix.tobytes("png"))
        out.save(target)


def page_image(source: str | Path, target: str | Path, page: int = 0, dpi: int = 200) -> None:
    """One page of ``source`` as an image file (``.png``, ``.jpg`` or ``.tif`` by its suffix)."""
    import pymupdf

    with pymupdf.open(source) as src:
        pix = src[page].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    suffix = Path(target).suffix.lower()
    if suffix in (".tif", ".tiff"):
        from PIL import Image

        Image.frombytes("L", (pix.width, pix.height), pix.samples).save(target, format="TIFF")
    else:
        pix.save(str(target))


# Hostile files: written as raw PDF syntax, because no writer library makes them on purpose.


def raw_pdf(objects: Sequence[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies (``objects[0]`` is object 1) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def _one_page(content: bytes, extra: bytes = b"") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R" + extra + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]


def garbled_pdf(text: str) -> bytes:
    """``text`` (Latin and digits) drawn in Helvetica whose character map points every glyph into
    the Private Use Area: the page looks right, its text layer is gibberish (as PDFs made with
    legacy Kazakh fonts are)."""
    content = b"BT /F1 28 Tf 72 700 Td (" + text.encode("ascii") + b") Tj ET"
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Garbled def"
        b" 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <21> <7E> <E000> endbfrange"
        b" endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    objects = _one_page(content, extra=b" /Resources << /Font << /F1 5 0 R >> >>")
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode 6 0 R >>"
    )
    objects.append(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    return raw_pdf(objects)


def nested_pdf(depth: int = 100_000) -> bytes:
    """A page whose content stream and resources hold arrays nested ``depth`` levels deep."""
    nest = b"[" * depth + b"]" * depth
    objects = _one_page(nest, extra=b" /Resources << /X " + nest + b" >>")
    return raw_pdf(objects)


def page_count_pdf(claimed: int = 2_000_000_000) -> bytes:
    """A page tree that claims ``claimed`` pages and holds one."""
    objects = _one_page(b"BT ET")
    objects[1] = b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % claimed
    return raw_pdf(objects)


def many_pages_pdf(pages: int) -> bytes:
    """``pages`` real (empty) pages sharing one content stream: tiny on disk, long to walk."""
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length 5 >>\nstream\nBT ET\nendstream",
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"] * pages
    return raw_pdf(objects)


def drawing_bomb_pdf(segments: int = 2_000_000) -> bytes:
    """A page with a line of text and ``segments`` drawn lines, deflated to under 100 KB."""
    ops = b"BT /F1 12 Tf 72 700 Td (Reception hours) Tj ET\n" + b"0 0 m 100 100 l S\n" * segments
    packed = zlib.compress(ops, 9)
    objects = _one_page(b"", extra=b" /Resources << /Font << /F1 5 0 R >> >>")
    objects[3] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return raw_pdf(objects)


def bomb_pdf(inflated: int = 300 * 1024 * 1024) -> bytes:
    """A page whose content stream is ``inflated`` bytes of spaces deflated to a few hundred KB."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    packed = bytearray()
    for _ in range(inflated // len(chunk)):
        packed += packer.compress(chunk)
    packed += packer.flush()
    objects = _one_page(b"")
    objects[3] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + bytes(packed) + b"\nendstream"
    return raw_pdf(objects)
