"""Word, OpenDocument and RTF files built by a hostile publisher, and by a careless agency.

Every attack ends in bounded time and memory: either the file is read (what it holds is found)
or it is one ``govscan: error:`` line naming it, and a good file beside it is still reported.
The packages are written by hand (``zipfile``) where python-docx/odfpy would refuse to write them.
"""

from __future__ import annotations

import json
import random
import resource
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from govscan.cli import cli
from govscan.readers import office

from .word_files import IINS, NAMES, add_footnote_part, docx_with_table, iin_rows, rewrite_zip

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{WORD_MAIN}"/></Types>'
)
ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
RTF_HEAD = r"{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0\fcharset204 Times New Roman;}}"
PLAIN_NAME = "Иванов Иван Петрович"  # encodable in cp1251, unlike some synthetic Kazakh names


# --- builders -----------------------------------------------------------------------------------


def word_body(inner: str) -> bytes:
    return f'<w:document xmlns:w="{W_NS}"><w:body>{inner}</w:body></w:document>'.encode()


def word_cell(text: str, span: int | None = None) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span else ""
    return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def word_paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def raw_docx(
    path: Path, body: bytes, extra: dict[str, bytes] | None = None, content_types: str = CONTENT_TYPES
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr("word/document.xml", body)
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return path


def raw_odt(path: Path, body: str) -> Path:
    spaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in ODF.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {spaces}>'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", content)
    return path


def odt_cell(text: str, repeat: int | None = None) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat else ""
    return f"<table:table-cell{times}><text:p>{text}</text:p></table:table-cell>"


def rtf_escape(text: str) -> str:
    return "".join(c if ord(c) < 128 else f"\\u{ord(c)}?" for c in text)


def rtf_row(cells: list[str]) -> str:
    return r"\trowd" + "".join(rf"\intbl {rtf_escape(c)}\cell" for c in cells) + r"\row" + "\n"


def good_docx(tmp_path: Path) -> Path:
    return docx_with_table(tmp_path / "good.docx", iin_rows(10))


def wide_word_table(columns: int, rows: int, rng: random.Random) -> bytes:
    """A header row of ``columns`` filled cells, then ``rows`` two-cell rows of names and IINs."""
    noise = "".join(word_cell(f"{rng.getrandbits(16):x}") for _ in range(columns))  # random: no ratio bomb
    body = [f"<w:tbl><w:tr>{word_cell('ФИО')}{word_cell('ИИН')}{noise}</w:tr>"]
    body += [f"<w:tr>{word_cell(NAMES[i % 40])}{word_cell(IINS[i % 40])}</w:tr>" for i in range(rows)]
    return word_body("".join(body) + "</w:tbl>")


# --- running govscan --------------------------------------------------------------------------


def check(*paths: Path, fmt: str = "json") -> tuple[int, str, list[str], str]:
    result = CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", "--format", fmt, *map(str, paths)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("govscan: error:")]
    return result.exit_code, result.stdout, errors, result.stderr


def iin_uris(report: str) -> dict[str, int]:
    """File name → IINs found in it."""
    out: dict[str, int] = {}
    for finding in json.loads(report)["findings"]:
        if finding["entity"] == "KZ_IIN":
            name = finding["location"]["uri"].rsplit("/", 1)[-1]
            out[name] = out.get(name, 0) + finding["count"]
    return out


def check_bounded(*paths: Path, memory: int = 2 << 30, seconds: int = 100) -> subprocess.CompletedProcess[str]:
    """``govscan check`` in a child limited to ``memory`` bytes of address space and ``seconds``."""

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "govscan", "check", "--no-progress", "--no-ner", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=bounded,  # noqa: PLW1509 - only sets an rlimit
        check=False,
    )


# --- tables wider than any document has ---------------------------------------------------------


def test_a_word_row_wider_than_the_column_bound_is_read_as_text_beyond_it(tmp_path, read_file):
    cells = [f"значение {i}" for i in range(1, 3000)] + [IINS[0]]
    rows = "".join(f"<w:tr>{''.join(word_cell(c) for c in cells)}</w:tr>" for _ in range(3))
    pieces = read_file(raw_docx(tmp_path / "wide.docx", word_body(f"<w:tbl>{rows}</w:tbl>")))
    assert pieces.errors == []
    assert max(v.field.column_index or 0 for v in pieces.values) <= office.MAX_COLUMNS
    assert IINS[0] in pieces.text  # the cell beyond the bound is not lost


def test_merged_cells_spanning_thousands_of_columns_do_not_widen_the_table_beyond_the_bound(tmp_path, read_file):
    row = "".join(word_cell(f"группа {i}", span=100) for i in range(200)) + word_cell(IINS[1])
    pieces = read_file(raw_docx(tmp_path / "spans.docx", word_body(f"<w:tbl><w:tr>{row}</w:tr></w:tbl>")))
    assert pieces.errors == []
    assert max(v.field.column_index or 0 for v in pieces.values) <= office.MAX_COLUMNS
    assert IINS[1] in pieces.text


def test_an_odt_column_beyond_the_column_bound_is_not_silently_dropped(tmp_path):
    header = odt_cell("столбец", repeat=1100) + odt_cell("ИИН")
    rows = "".join(
        f"<table:table-row>{odt_cell('x', repeat=1100)}{odt_cell(IINS[i])}</table:table-row>" for i in range(8)
    )
    path = raw_odt(
        tmp_path / "wide.odt",
        f'<table:table table:name="T"><table:table-row>{header}</table:table-row>{rows}</table:table>',
    )
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"wide.odt": 8}


def test_an_rtf_row_wider_than_the_column_bound_is_read_as_text_beyond_it(tmp_path, read_file):
    path = tmp_path / "wide.rtf"
    path.write_text(RTF_HEAD + rtf_row([f"x{i}" for i in range(2000)] + [IINS[2]]) * 3 + "}", encoding="ascii")
    pieces = read_file(path)
    assert pieces.errors == []
    assert max(v.field.column_index or 0 for v in pieces.values) <= office.MAX_COLUMNS
    assert IINS[2] in pieces.text


def test_rows_repeated_by_the_thousand_are_charged_to_the_cell_bound(tmp_path, read_file, monkeypatch):
    monkeypatch.setattr(office, "MAX_CELLS", 100_000)
    row = f'<table:table-row table:number-rows-repeated="1000">{odt_cell("7", repeat=1024)}</table:table-row>'
    path = raw_odt(tmp_path / "repeated.odt", f'<table:table table:name="T">{row * 50}</table:table>')
    pieces = read_file(path)
    assert pieces.problems == ["more than 100000 table cells; rest not read"]
    assert sum(len(v.values) for v in pieces.values) <= 110_000


def test_hostile_tables_and_groups_end_bounded_beside_a_good_file(tmp_path):
    """Each file is read or is one line, in bounded time and memory; the good file is reported."""
    rng = random.Random(11)
    wide = raw_docx(tmp_path / "wide.docx", wide_word_table(100_000, 2000, rng))  # 330 KB
    spans = "".join(word_cell(f"{rng.getrandbits(16):x}", span=100) for _ in range(20_000))
    spanned = raw_docx(tmp_path / "spanned.docx", word_body(f"<w:tbl>{f'<w:tr>{spans}</w:tr>' * 10}</w:tbl>"))
    cells = tmp_path / "cells.rtf"
    noise = [f"{rng.getrandbits(16):x}" for _ in range(100_000)]
    rows = "".join(rtf_row([PLAIN_NAME, IINS[i % 40]]) for i in range(1500))
    cells.write_text(RTF_HEAD + rtf_row(["ФИО", "ИИН", *noise]) + rows + "}", encoding="ascii")
    deep = tmp_path / "deep.rtf"
    deep.write_text(RTF_HEAD + "{" * 5_000_000, encoding="ascii")
    good = good_docx(tmp_path)
    done = check_bounded(wide, spanned, cells, deep, good)
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("govscan: error:")]
    assert done.returncode == 2, errors
    assert [line.split(": ")[2].rsplit("/", 1)[-1] for line in errors] == ["deep.rtf"], errors
    assert "deeper than" in errors[0]
    assert iin_uris(done.stdout) == {"wide.docx": 2000, "cells.rtf": 1500, "good.docx": 10}


# --- RTF escapes ------------------------------------------------------------------------------


def test_an_rtf_unicode_escape_beyond_sixteen_bits_does_not_hide_the_document(tmp_path):
    path = tmp_path / "escapes.rtf"
    lines = "".join(r"\pard " + rtf_escape(f"{PLAIN_NAME}, ИИН {IINS[i]}") + r"\par" + "\n" for i in range(5))
    path.write_text(RTF_HEAD + r"\u99999999999 \u-99999 " + lines + "}", encoding="ascii")
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"escapes.rtf": 5}


def test_an_emoji_written_as_a_surrogate_pair_is_read_as_one_character(tmp_path, read_file):
    path = tmp_path / "emoji.rtf"
    path.write_text(RTF_HEAD + r"\pard \u-10179?\u-8704? " + rtf_escape(PLAIN_NAME) + r"\par}", encoding="ascii")
    pieces = read_file(path)
    assert pieces.errors == []
    assert pieces.text == "\U0001f600 " + PLAIN_NAME


# --- packages that lie about themselves ---------------------------------------------------------


def duplicated_document(path: Path, first: bytes, second: bytes) -> Path:
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name, and writes it
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("word/document.xml", first)
        package.writestr("word/document.xml", second)
    return path


def test_a_part_name_given_twice_hides_neither_copy(tmp_path):
    listing = word_body("".join(word_paragraph(f"{PLAIN_NAME}, ИИН {IINS[i]}") for i in range(5)))
    decoy = word_body(word_paragraph("Заседание не состоялось."))
    first = duplicated_document(tmp_path / "first.docx", listing, decoy)
    second = duplicated_document(tmp_path / "second.docx", decoy, listing)
    code, report, errors, _ = check(first, second)
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"first.docx": 5, "second.docx": 5}


def lying_workbook(path: Path) -> Path:
    """A workbook of IINs whose ``[Content_Types].xml`` calls its workbook part a Word document."""
    book = openpyxl.Workbook()
    for row in iin_rows(8):
        book.active.append(row)
    book.save(path)
    rewrite_zip(path, {})
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    types = parts["[Content_Types].xml"].decode()
    assert SHEET_MAIN in types
    parts["[Content_Types].xml"] = types.replace(SHEET_MAIN, WORD_MAIN).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def test_a_workbook_whose_content_types_claim_a_word_document_is_read_as_the_workbook_it_is(tmp_path):
    named_xlsx = lying_workbook(tmp_path / "list.xlsx")
    named_docx = lying_workbook(tmp_path / "list.docx")
    code, report, errors, _ = check(named_xlsx, named_docx)
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"list.xlsx": 8, "list.docx": 8}


def test_a_strict_open_xml_document_is_read_like_a_transitional_one(tmp_path):
    """Word's "Strict Open XML Document" writes the same parts under other namespaces."""
    path = docx_with_table(tmp_path / "strict.docx", iin_rows(6))
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    body = parts["word/document.xml"].replace(W_NS.encode(), b"http://purl.oclc.org/ooxml/wordprocessingml/main")
    assert body != parts["word/document.xml"]
    rewrite_zip(path, {"word/document.xml": body})
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"strict.docx": 6}


def test_a_main_part_that_is_not_wordprocessingml_is_one_line_not_an_all_clear(tmp_path):
    path = raw_docx(tmp_path / "odd.docx", b'<?xml version="1.0"?><worksheet xmlns="urn:x"><c>1</c></worksheet>')
    code, _, errors, _ = check(path, good_docx(tmp_path))
    assert code == 2
    assert errors == [
        f"govscan: error: {path}: not a valid DOCX (word/document.xml is not a WordprocessingML document)"
    ]


def test_a_csv_named_docx_is_read_by_its_content(tmp_path):
    path = tmp_path / "list.docx"
    path.write_text("ФИО;ИИН\n" + "".join(f"{NAMES[i]};{IINS[i]}\n" for i in range(10)), encoding="utf-8")
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"list.docx": 10}


def odt_package(path: Path, members: list[tuple[str, bytes]]) -> Path:
    """An ODT written member by member (a name may repeat), ``mimetype`` first and stored."""
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        warnings.simplefilter("ignore")
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        for name, data in members:
            package.writestr(name, data)
    return path


def odt_content(body: str) -> bytes:
    spaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in ODF.items())
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {spaces}>'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    ).encode()


def test_an_odt_content_part_given_twice_hides_neither_copy(tmp_path):
    listing = odt_content("".join(f"<text:p>{PLAIN_NAME}, ИИН {IINS[i]}</text:p>" for i in range(5)))
    decoy = odt_content("<text:p>Заседание не состоялось.</text:p>")
    first = odt_package(tmp_path / "first.odt", [("content.xml", listing), ("content.xml", decoy)])
    second = odt_package(tmp_path / "second.odt", [("content.xml", decoy), ("content.xml", listing)])
    code, report, errors, _ = check(first, second)
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"first.odt": 5, "second.odt": 5}


MANIFEST_ENCRYPTED = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="2000">'
    '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k"'
    ' manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc"'
    ' manifest:initialisation-vector="AAAA"/><manifest:key-derivation manifest:key-derivation-name="PBKDF2"'
    ' manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="AAAA"/></manifest:encryption-data>'
    "</manifest:file-entry></manifest:manifest>"
)


def test_a_password_protected_odt_is_encrypted_not_read(tmp_path):
    """LibreOffice encrypts the parts, not the zip: the manifest says so (ODF 1.2, 3.8)."""
    ciphertext = random.Random(4).randbytes(2000)
    path = odt_package(
        tmp_path / "locked.odt", [("META-INF/manifest.xml", MANIFEST_ENCRYPTED.encode()), ("content.xml", ciphertext)]
    )
    code, _, errors, _ = check(path, good_docx(tmp_path))
    assert code == 2
    assert errors == [f"govscan: error: {path}: {office.ENCRYPTED}"]


def test_a_password_protected_ods_is_encrypted_not_read(tmp_path):
    """The spreadsheet twin of the ODT case: not "malformed XML", which hides why it was not read."""
    path = odt_package(
        tmp_path / "locked.ods",
        [("META-INF/manifest.xml", MANIFEST_ENCRYPTED.encode()), ("content.xml", random.Random(5).randbytes(2000))],
    )
    rewrite_zip(path, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    code, _, errors, _ = check(path, good_docx(tmp_path))
    assert code == 2
    assert errors == [f"govscan: error: {path}: {office.ENCRYPTED}"]


def test_one_broken_part_does_not_leave_the_rest_of_the_document_unread(tmp_path):
    book = openpyxl.Workbook()
    for row in iin_rows(12):
        book.active.append(row)
    annex = tmp_path / "annex.xlsx"
    book.save(annex)
    path = docx_with_table(tmp_path / "decision.docx", iin_rows(3))
    comments = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
    rewrite_zip(path, {"word/comments.xml": b"<w:comments broken"}, content_type=("/word/comments.xml", comments))
    add_footnote_part(path, f"Сведения о заявителе: {PLAIN_NAME}, ИИН {IINS[20]}")
    rewrite_zip(path, {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": annex.read_bytes()})
    code, report, errors, _ = check(path)
    assert code == 2
    assert len(errors) == 1 and "word/comments.xml" in errors[0], errors
    found = {(f["location"]["uri"].rsplit("!/", 1)[-1], f["location"]["part"]) for f in json.loads(report)["findings"]}
    found = {(uri, part) for uri, part in found if uri.endswith((".docx", ".xlsx"))}
    assert {
        (str(path), None),
        (str(path), "footnote"),
        ("word/embeddings/Microsoft_Excel_Worksheet.xlsx", None),
    } <= found


# --- declared encodings -------------------------------------------------------------------------


def test_a_part_in_a_single_byte_cyrillic_encoding_is_read(tmp_path):
    prose = "".join(word_paragraph(f"Заявитель {PLAIN_NAME}, ИИН {IINS[i]}") for i in range(4))
    body = b'<?xml version="1.0" encoding="windows-1251"?>' + word_body(prose).decode().encode("cp1251")
    code, report, errors, _ = check(raw_docx(tmp_path / "cp1251.docx", body))
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"cp1251.docx": 4}


def test_an_encoding_the_parser_cannot_use_is_one_line_naming_the_part(tmp_path):
    shift_jis = raw_docx(
        tmp_path / "sjis.docx", b'<?xml version="1.0" encoding="Shift_JIS"?>' + word_body(word_paragraph("abc"))
    )
    unknown = raw_docx(tmp_path / "x.docx", b'<?xml version="1.0" encoding="x-unknown-9"?>' + word_body(""))
    code, _, errors, _ = check(shift_jis, unknown, good_docx(tmp_path))
    assert code == 2
    part = "malformed XML in DOCX part word/document.xml: encoding not supported"
    assert errors == [
        f"govscan: error: {shift_jis}: {part} (multi-byte encodings are not supported)",
        f"govscan: error: {unknown}: {part} (unknown encoding: x-unknown-9)",
    ]


# --- privacy ------------------------------------------------------------------------------------


def test_an_iin_in_names_the_file_carries_never_leaves_unmasked(tmp_path):
    """The IIN is in the file's own name, a table header, a comment author, a part and an embedded
    file name, and a broken part's error line: every report format and stderr show it masked."""
    iin = IINS[7]
    path = docx_with_table(tmp_path / f"spravka_{iin}.docx", [["ФИО", f"ИИН {iin}"]] + iin_rows(5)[1:])
    comments = (
        f'<w:comments xmlns:w="{W_NS}"><w:comment w:id="1" w:author="Иванов {iin}">'
        "<w:p><w:r><w:t>проверено</w:t></w:r></w:p></w:comment></w:comments>"
    )
    header_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
    rewrite_zip(
        path,
        {
            f"word/header{iin}.xml": b"<w:hdr broken",
            "word/comments.xml": comments.encode(),
            f"word/embeddings/list_{iin}.csv": f"ФИО;ИИН\n{PLAIN_NAME};{IINS[8]}\n".encode(),
        },
        content_type=(f"/word/header{iin}.xml", header_type),
    )
    masked = f"{iin[:4]}******{iin[-2:]}"
    for fmt in ("text", "json", "sarif", "csv"):
        code, report, errors, stderr = check(path, fmt=fmt)
        assert code == 2, (fmt, errors)
        assert iin not in report and iin not in stderr, fmt
        assert masked in report and masked in stderr, fmt


# --- legacy .doc converters that hang or crash --------------------------------------------------


def converter(path: Path, body: str) -> str:
    path.write_text(f"#!{sys.executable}\nimport os, signal, time\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_a_doc_that_hangs_one_converter_and_crashes_the_other_is_one_line_in_bounded_time(tmp_path, monkeypatch):
    import time

    from govscan.readers import doc

    hangs = converter(tmp_path / "antiword", "time.sleep(60)")
    crashes = converter(tmp_path / "catdoc", "os.kill(os.getpid(), signal.SIGSEGV)")
    monkeypatch.setattr(doc, "converters", lambda: (hangs, crashes))
    monkeypatch.setattr(doc, "MAX_SECONDS", 2)
    hostile = tmp_path / "hostile.doc"
    hostile.write_bytes((Path(__file__).parents[1] / "fixtures" / "readers" / "recipients.doc").read_bytes())
    started = time.monotonic()
    code, report, errors, stderr = check(hostile, good_docx(tmp_path))
    assert time.monotonic() - started < 30
    assert "Traceback" not in stderr
    assert code == 2
    assert errors == [f"govscan: error: {hostile}: catdoc could not read it (exit code -11)"]
    assert iin_uris(report) == {"good.docx": 10}


# --- embedded documents ---------------------------------------------------------------------------


def overlapping_entries(path: Path, member: str, copies: int) -> None:
    """Append ``copies`` central-directory entries that all point at ``member``'s bytes, each under
    another name (the "overlapping files" zip-bomb trick)."""
    data = path.read_bytes()
    end = data.rfind(b"PK\x05\x06")
    size, offset = struct.unpack("<II", data[end + 12 : end + 20])
    directory = data[offset : offset + size]
    entries, at = [], 0
    while at < len(directory):
        name_len, extra_len, comment_len = struct.unpack("<HHH", directory[at + 28 : at + 34])
        entries.append(directory[at : at + 46 + name_len + extra_len + comment_len])
        at += 46 + name_len + extra_len + comment_len
    [target] = [e for e in entries if e[46 : 46 + struct.unpack("<H", e[28:30])[0]] == member.encode()]
    name_len = struct.unpack("<H", target[28:30])[0]
    added = []
    for number in range(copies):
        name = f"word/embeddings/copy{number:05d}.docx".encode()
        added.append(target[:28] + struct.pack("<H", len(name)) + target[30:46] + name + target[46 + name_len :])
    directory += b"".join(added)
    count = len(entries) + copies
    tail = struct.pack("<HHII", count, count, len(directory), offset)
    path.write_bytes(data[:offset] + directory + data[end : end + 8] + tail + data[end + 20 :])


def test_embedded_entries_overlapping_one_document_read_it_once_without_a_line_per_entry(tmp_path):
    path = raw_docx(
        tmp_path / "fan.docx",
        word_body(word_paragraph("Решение")),
        extra={"word/embeddings/annex.docx": good_docx(tmp_path).read_bytes()},
    )
    overlapping_entries(path, "word/embeddings/annex.docx", 3000)
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"annex.docx": 10}


def test_beyond_the_embedded_document_bound_the_rest_is_one_line(tmp_path):
    from govscan.readers import docx as docx_reader

    annexes = {
        f"word/embeddings/list{n:04d}.csv": f"ИИН\n{IINS[n % 40]}\n".encode()
        for n in range(docx_reader.MAX_EMBEDDED + 50)
    }
    path = raw_docx(tmp_path / "annexes.docx", word_body(word_paragraph("Решение")), extra=annexes)
    code, _, errors, _ = check(path)
    assert code == 2
    assert errors == [f"govscan: error: {path}: more than {docx_reader.MAX_EMBEDDED} embedded documents; rest not read"]


# --- held: names, entities and labels ---------------------------------------------------------


def test_member_names_climbing_out_of_the_package_are_read_in_place(tmp_path):
    escape = tmp_path / "outside"
    target = f"word/embeddings/../../../../{escape.relative_to('/')}/evil.docx"
    path = raw_docx(
        tmp_path / "climb.docx",
        word_body(word_paragraph("Решение")),
        extra={target: good_docx(tmp_path).read_bytes(), "/abs/word/x.xml": b"<x/>", "../up.xml": b"<x/>"},
    )
    code, report, errors, _ = check(path)
    assert (code, errors) == (1, [])
    assert iin_uris(report) == {"evil.docx": 10}
    assert not escape.exists()


def test_external_entities_and_dtds_are_refused_in_one_line_and_the_body_before_them_is_kept(tmp_path):
    entity = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    external = raw_docx(tmp_path / "xxe.docx", entity + word_body(word_paragraph("&x;")))
    core = (
        '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]><cp:coreProperties xmlns:cp="http://schemas.'
        'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:creator>&a;</dc:creator></cp:coreProperties>"
    )
    listing = word_body("".join(word_paragraph(f"{PLAIN_NAME}, ИИН {IINS[i]}") for i in range(3)))
    metadata = raw_docx(tmp_path / "core.docx", listing, extra={"docProps/core.xml": core.encode()})
    code, report, errors, _ = check(external, metadata)
    assert code == 2
    assert errors == [
        f"govscan: error: {external}: DOCX XML entity/DTD refused (DTDForbidden)",
        f"govscan: error: {metadata}: DOCX XML entity/DTD refused (DTDForbidden)",
    ]
    assert "root:" not in report
    assert iin_uris(report) == {"core.docx": 3}


def test_a_zip_of_csvs_labelled_word_is_one_line_not_an_all_clear(tmp_path):
    path = tmp_path / "list.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("list.csv", "ИИН\n" + "\n".join(IINS[:5]) + "\n")
    code, _, errors, _ = check(path)
    assert (code, errors) == (2, [f"govscan: error: {path}: not a valid DOCX (no main document part)"])
