"""Legacy Word .doc through antiword/catdoc: tables under their headers, authors, bounded failures.

The fixtures were written once by LibreOffice (``soffice --convert-to doc``) from python-docx
documents holding synthetic data: ``recipients.doc`` has a title row merged across a table of
12 names and IINs, author and last-saved-by names; ``report.doc`` has no personal data.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.model import Asset
from govscan.readers import doc, sniff_format

from .conftest import FIXTURES

RECIPIENTS = FIXTURES / "recipients.doc"
REPORT = FIXTURES / "report.doc"
ANTIWORD, CATDOC = shutil.which("antiword"), shutil.which("catdoc")
needs_antiword = pytest.mark.skipif(ANTIWORD is None, reason="needs Debian's antiword package")
needs_catdoc = pytest.mark.skipif(CATDOC is None, reason="needs Debian's catdoc package")
FIRST_IINS = ["460510377243", "560524467517", "910101310701"]


def check(*paths: Path, env: dict[str, str] | None = None) -> tuple[int, dict, list[str]]:
    result = CliRunner().invoke(cli, ["check", "--no-progress", "--format", "json", *map(str, paths)], env=env)
    errors = [line for line in result.stderr.splitlines() if line.startswith("govscan: error:")]
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout), errors


@needs_antiword
def test_antiword_tables_come_out_as_columns_under_the_header_found_below_the_title(read_fixture):
    pieces = read_fixture("recipients.doc")
    assert pieces.errors == []
    assert pieces.columns["table 1!ИИН"][:3] == FIRST_IINS
    assert len(pieces.columns["table 1!ИИН"]) == 12
    assert "Список получателей жилищной помощи" in pieces.text
    assert "Заявитель" in pieces.text and FIRST_IINS[0] not in pieces.text
    metadata = {(v.field.column, v.field.part): v.values for v in pieces.values if v.field.part}
    assert metadata == {
        ("creator", "metadata:author"): ["Омаров Тимур Рустемович"],
        ("last modified by", "metadata:last modified by"): ["Ким Виктор Александрович"],
    }


@needs_catdoc
def test_catdoc_is_the_fallback_where_antiword_is_missing(read_fixture, monkeypatch):
    monkeypatch.setattr(doc, "converters", lambda: (None, CATDOC))
    pieces = read_fixture("recipients.doc")
    assert pieces.errors == []
    assert pieces.columns["table 1!ИИН"][:3] == FIRST_IINS


@needs_antiword
def test_an_iin_list_in_a_doc_fails_the_check_and_a_report_passes(tmp_path):
    code, report, errors = check(RECIPIENTS)
    assert (code, errors) == (1, [])
    [iin] = [f for f in report["findings"] if f["entity"] == "KZ_IIN" and f["location"]["column"]]
    assert (iin["location"]["sheet"], iin["location"]["column"], iin["count"]) == ("table 1", "ИИН", 12)
    assert ("creator", "metadata:author") in {
        (f["location"]["column"], f["location"]["part"]) for f in report["findings"] if f["entity"] == "PERSON"
    }
    code, report, errors = check(REPORT)
    assert (code, errors, report["findings"]) == (0, [], [])


def test_without_antiword_or_catdoc_a_doc_is_one_clear_line_and_an_unread_input(tmp_path):
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    good = tmp_path / "good.csv"
    good.write_text("ИИН\n" + "\n".join(FIRST_IINS * 4) + "\n", encoding="utf-8")
    code, report, errors = check(RECIPIENTS, good, env={"PATH": str(empty_path)})
    assert code == 2
    assert [line for line in errors if "recipients.doc" in line] == [f"govscan: error: {RECIPIENTS}: {doc.MISSING}"]
    assert any(f["location"]["uri"].endswith("good.csv") for f in report["findings"])


def test_an_encrypted_doc_is_encrypted_not_read(tmp_path):
    path = tmp_path / "secret.doc"
    shutil.copy(RECIPIENTS, path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        fib = bytearray(ole.openstream("WordDocument").read())
        fib[11] |= 0x01  # FIB flags at offset 10: fEncrypted is bit 8
        ole.write_stream("WordDocument", bytes(fib))
    code, _, errors = check(path)
    assert code == 2
    assert len(errors) == 1 and "encrypted, not read" in errors[0]


def test_broken_docs_are_one_line_each_and_a_good_file_beside_them_is_reported(tmp_path):
    truncated = tmp_path / "truncated.doc"
    truncated.write_bytes(RECIPIENTS.read_bytes()[:3000])
    scrambled = tmp_path / "scrambled.doc"
    shutil.copy(RECIPIENTS, scrambled)
    with olefile.OleFileIO(str(scrambled), write_mode=True) as ole:
        size = len(ole.openstream("WordDocument").read())
        ole.write_stream("WordDocument", bytes((i * 7919) % 251 for i in range(size)))
    good = tmp_path / "good.csv"
    good.write_text("ИИН\n" + "\n".join(FIRST_IINS * 4) + "\n", encoding="utf-8")
    code, report, errors = check(truncated, scrambled, good)
    assert code == 2
    assert [line for line in errors if "truncated.doc" in line] == [
        f"govscan: error: {truncated}: not a valid OLE2 (legacy Office) file: truncated or damaged"
    ]
    assert any(f["location"]["uri"].endswith("good.csv") for f in report["findings"])


def test_a_doc_is_known_by_its_streams_whatever_its_name(tmp_path):
    path = tmp_path / "download"
    shutil.copy(RECIPIENTS, path)
    assert sniff_format(Asset("download", str(path))) == "doc"
