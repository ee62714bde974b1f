"""Scanned PDFs and images: Tesseract reads pages without a text layer; without it, nothing is clean.

The scans are made here: a generated PDF page rendered to a picture and wrapped back into a PDF
that has no text layer (or saved as a PNG/TIFF). Tests that run Tesseract skip only where the
binary is absent (Debian package ``tesseract-ocr``, with ``tesseract-ocr-rus``/``-kaz``).
"""

from __future__ import annotations

import json
import random
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.readers.limits import Limits
from govscan.readers.ocr import normalise_digits
from govscan.testing import pdfs, synth

RNG = random.Random(31)
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract not installed (Debian package tesseract-ocr)"
)
needs_font = pytest.mark.skipif(
    pdfs.cyrillic_font() is None, reason=f"no Cyrillic TrueType font (Debian package {pdfs.FONT_PACKAGE})"
)


@pytest.mark.parametrize(
    ("ocr", "fixed"),
    [
        ("87l2153OO123", "871215300123"),  # l→1, O→0 inside a digit run
        ("ИИН 9O1O1З40O123", "ИИН 901013400123"),  # Latin O and Cyrillic З
        ("+7 7O1 234 56 78", "+7 7O1 234 56 78"),  # short runs are left alone: phones validate as they are
        ("ЗОЛОТО и SOLO", "ЗОЛОТО и SOLO"),  # words without digits stay words
        ("Sold 2024", "Sold 2024"),  # a word beside a number is not a number
        ("кв. 1OO5", "кв. 1OO5"),  # two digits are too few to call it a number
    ],
)
def test_letters_read_for_digits_are_fixed_only_inside_digit_runs(ocr: str, fixed: str) -> None:
    assert normalise_digits(ocr) == fixed


def scanned_list(tmp_path: Path) -> tuple[Path, str]:
    """A one-page decision with an IIN in its text, as a scan without a text layer."""
    iin = synth.iin(RNG)
    pdf = pdfs.new_pdf()
    pdf.set_font_size(14)
    pdf.add_page()
    pdfs.add_paragraph(pdf, "Решение комиссии по жилищным вопросам")
    pdfs.add_paragraph(pdf, f"Заявитель: {synth.full_name(RNG)}, ИИН {iin}, включён в список очередности.")
    typed = tmp_path / "typed.pdf"
    pdf.output(str(typed))
    scan = tmp_path / "scan.pdf"
    pdfs.rasterise(typed, scan, dpi=200)
    return scan, iin


def good_csv(tmp_path: Path) -> Path:
    path = tmp_path / "good.csv"
    path.write_text("ИИН\n" + "\n".join(synth.iin(RNG) for _ in range(8)) + "\n", encoding="utf-8")
    return path


def check(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", "--format", "json", *args])
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


@needs_tesseract
@needs_font
def test_a_scanned_page_is_read_by_ocr_and_its_iin_found_on_its_page(tmp_path: Path, read_file) -> None:
    scan, iin = scanned_list(tmp_path)
    assert "ИИН" not in "".join(t.text for t in read_file(scan, limits=Limits(ocr="off")).texts)  # no text layer
    pieces = read_file(scan)
    assert not pieces.errors
    assert iin in pieces.text and [t.page for t in pieces.texts] == [1]
    code, report, _ = check(str(scan))
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "pii.kz-iin"]
    assert finding["location"]["page"] == 1


@needs_tesseract
@needs_font
@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif"])
def test_an_image_of_a_page_is_read_by_ocr(tmp_path: Path, read_file, suffix: str) -> None:
    scan, iin = scanned_list(tmp_path)
    image = tmp_path / f"page{suffix}"
    pdfs.page_image(scan, image, dpi=200)
    pieces = read_file(image)
    assert not pieces.errors and iin in pieces.text


@needs_font
def test_without_tesseract_the_scanned_pages_are_named_and_the_exit_is_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan, _ = scanned_list(tmp_path)
    good = good_csv(tmp_path)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no tesseract anywhere
    code, report, stderr = check(str(scan), str(good))
    assert code == 2  # an unread input, never a clean result
    lines = [line for line in stderr.splitlines() if "scan.pdf" in line]
    assert len(lines) == 1
    assert "page 1 not read" in lines[0] and "tesseract-ocr" in lines[0]
    assert any(f["location"]["uri"].endswith("good.csv") for f in report["findings"])  # the rest is still reported


@needs_font
def test_ocr_off_reports_scanned_pages_as_not_read(tmp_path: Path) -> None:
    scan, _ = scanned_list(tmp_path)
    code, _, stderr = check("--ocr", "off", str(scan))
    assert code == 2
    assert "page 1 not read: no text layer and OCR is off (--ocr off)" in stderr


def test_an_image_is_not_read_with_ocr_off_and_says_so(tmp_path: Path, read_file) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(_png(10, 10))
    pieces = read_file(image, limits=Limits(ocr="off"))
    assert pieces.problems == ["image not read: OCR is off (--ocr off)"]


@needs_tesseract
def test_an_image_that_claims_billions_of_pixels_is_refused_before_decoding(tmp_path: Path, read_file) -> None:
    image = tmp_path / "bomb.png"
    image.write_bytes(_png(100_000, 100_000))
    pieces = read_file(image)
    assert len(pieces.errors) == 1 and "refused" in pieces.problems[0]


@needs_tesseract
@needs_font
def test_ocr_force_reads_a_page_with_a_text_layer_through_tesseract(tmp_path: Path, read_file) -> None:
    iin = synth.iin(RNG)
    pdf = pdfs.new_pdf()
    pdf.set_font_size(14)
    pdf.add_page()
    pdfs.add_paragraph(pdf, f"ИИН {iin}")
    path = tmp_path / "typed.pdf"
    pdf.output(str(path))
    pieces = read_file(path, limits=Limits(ocr="force"))
    assert iin in pieces.text and len(pieces.texts) == 1


def _png(width: int, height: int) -> bytes:
    """A valid PNG header for ``width`` x ``height`` grey pixels with one tiny (short) data chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" + b"\xff" * min(width, 10))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@needs_font
def test_a_scan_config_with_ocr_off_records_the_scanned_pdf_as_not_read(tmp_path: Path) -> None:
    """``ocr:`` in a scan configuration is the ``--ocr`` of scheduled scans."""
    scan, _ = scanned_list(tmp_path)
    config = tmp_path / "scan.yaml"
    config.write_text(
        f"name: nightly\nocr: off\ntargets:\n  - name: docs\n    datasets: ['{scan}']\n", encoding="utf-8"
    )
    db = f"sqlite:///{tmp_path / 'g.db'}"
    result = CliRunner().invoke(cli, ["scan", str(config), "--db", db])
    assert "Traceback" not in result.output
    assert "page 1 not read: no text layer and OCR is off (--ocr off)" in result.output + result.stderr


def test_a_scan_config_refuses_an_unknown_ocr_mode(tmp_path: Path) -> None:
    from govscan.config import ConfigError, load_config

    config = tmp_path / "scan.yaml"
    config.write_text("name: n\nocr: sometimes\ntargets:\n  - name: t\n    datasets: ['a.csv']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ocr"):
        load_config(config)


@needs_tesseract
def test_a_page_whose_text_layer_is_gibberish_is_read_by_ocr(tmp_path: Path, read_file) -> None:
    """Legacy fonts without a character map give a text layer of nonsense; the page still renders."""
    iin = synth.iin(RNG)
    path = tmp_path / "legacy-font.pdf"
    path.write_bytes(pdfs.garbled_pdf(f"Applicant IIN {iin}"))
    assert iin not in "".join(t.text for t in read_file(path, limits=Limits(ocr="off")).texts)
    pieces = read_file(path)
    assert not pieces.errors and iin in pieces.text


def test_a_gibberish_text_layer_without_ocr_is_named_as_not_read(tmp_path: Path, read_file) -> None:
    path = tmp_path / "legacy-font.pdf"
    path.write_bytes(pdfs.garbled_pdf(f"Applicant IIN {synth.iin(RNG)}"))
    pieces = read_file(path, limits=Limits(ocr="off"))
    assert pieces.problems == ["page 1 not read: text layer unreadable (no character map) and OCR is off (--ocr off)"]


def test_without_tesseract_an_image_is_one_line_naming_the_package(
    tmp_path: Path, read_file, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(_png(10, 10))
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract here
    assert read_file(image).problems == [
        "image not read: OCR needs Tesseract (Debian package tesseract-ocr), not found on PATH"
    ]
