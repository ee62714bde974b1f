"""RTF: text in its code page, table rows as tables under their header, oversized files refused."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner

from govscan.cli import cli
from govscan.model import Asset
from govscan.readers import rtf, sniff_format

from .word_files import IINS, NAMES, TITLE, iin_rows


def escaped(text: str, unicode: bool = False) -> str:
    """RTF markup for ``text``: ``\\'xx`` cp1251 escapes (Word's default) or ``\\uN?`` escapes."""
    return "".join(_escape(c, unicode) for c in text)


def _escape(char: str, unicode: bool) -> str:
    if ord(char) < 128:
        return char
    try:
        code = char.encode("cp1251")
    except UnicodeEncodeError:
        unicode = True  # Kazakh letters outside cp1251: Word writes them as \uN escapes too
    if unicode:
        return f"\\u{ord(char)}?"
    return "".join(f"\\'{b:02x}" for b in code)


def rtf_document(
    path: Path,
    paragraphs: Sequence[str],
    rows: Sequence[Sequence[str]] = (),
    unicode: bool = False,
    info: tuple[str, str] | None = None,
) -> Path:
    """An RTF as Word writes one; ``info`` is (author, operator: who saved it last)."""
    parts = ["{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0\\fcharset204 Times New Roman;}}\n"]
    if info is not None:
        title, author, operator = (escaped(words, unicode) for words in ("Решение", *info))
        parts.append(f"{{\\info{{\\title {title}}}{{\\author {author}}}{{\\operator {operator}}}}}\n")
    parts += [escaped(p, unicode) + "\\par\n" for p in paragraphs]
    for row in rows:
        edges = "".join(f"\\cellx{1500 * (i + 1)}" for i in range(len(row)))
        parts.append("\\trowd" + edges + " " + "".join(escaped(c, unicode) + "\\cell " for c in row) + "\\row\n")
    parts.append("\\pard " + escaped("Председатель комиссии", unicode) + "\\par}")
    path.write_text("".join(parts), encoding="ascii")
    return path


def check(*paths: Path) -> tuple[int, dict, list[str]]:
    result = CliRunner().invoke(cli, ["check", "--no-progress", "--format", "json", *map(str, paths)])
    errors = [line for line in result.stderr.splitlines() if line.startswith("govscan: error:")]
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout), errors


def test_cp1251_escapes_are_decoded_and_table_rows_are_a_table(tmp_path, read_file):
    pieces = read_file(rtf_document(tmp_path / "d.rtf", ["Решение комиссии"], iin_rows(3)))
    assert pieces.errors == []
    assert pieces.columns["table 1!ИИН"] == IINS[1:4]
    assert pieces.columns["table 1!ФИО"] == NAMES[1:4]
    assert "Решение комиссии" in pieces.text and IINS[1] not in pieces.text


def test_unicode_escapes_and_a_title_row_above_the_header(tmp_path, read_file):
    rows = [[TITLE], *iin_rows(3)]
    pieces = read_file(rtf_document(tmp_path / "u.rtf", ["Решение"], rows, unicode=True))
    assert pieces.columns["table 1!ИИН"] == IINS[1:4]
    assert TITLE in pieces.text


def test_an_rtf_is_known_by_its_content_whatever_its_name(tmp_path):
    path = rtf_document(tmp_path / "decision.doc", ["Решение"])
    assert sniff_format(Asset("decision.doc", str(path))) == "rtf"


def test_an_iin_list_in_rtf_fails_the_check_and_a_plain_one_passes(tmp_path):
    code, report, errors = check(rtf_document(tmp_path / "list.rtf", ["Решение"], iin_rows(30)))
    assert (code, errors) == (1, [])
    [iin] = [f for f in report["findings"] if f["entity"] == "KZ_IIN"]
    assert (iin["location"]["column"], iin["count"]) == ("ИИН", 30)
    code, report, errors = check(rtf_document(tmp_path / "plain.rtf", ["Выдано 120 решений за 2023 год."]))
    assert (code, errors, report["findings"]) == (0, [], [])


def test_an_oversized_or_truncated_rtf_is_one_line_and_the_good_file_is_still_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(rtf, "MAX_RTF_BYTES", 4096)
    big = rtf_document(tmp_path / "big.rtf", ["Решение комиссии " * 200] * 5)
    whole = rtf_document(tmp_path / "whole.rtf", ["Решение"], iin_rows(10))
    truncated = tmp_path / "truncated.rtf"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    good = rtf_document(tmp_path / "good.rtf", ["Решение"], iin_rows(10))
    code, report, errors = check(big, truncated, good)
    assert code == 2
    assert [line for line in errors if "big.rtf" in line] == [
        next(line for line in errors if "big.rtf" in line and "larger than" in line)
    ]
    uris = {f["location"]["uri"].rsplit("/", 1)[-1] for f in report["findings"] if f["entity"] == "KZ_IIN"}
    assert "good.rtf" in uris and "big.rtf" not in uris


def test_the_author_and_who_saved_it_last_are_metadata_names(tmp_path):
    path = rtf_document(
        tmp_path / "signed.rtf", ["Решение"], info=("Омаров Тимур Рустемович", "Ким Виктор Александрович")
    )
    code, report, errors = check(path)
    assert (code, errors) == (1, [])
    people = {(f["location"]["column"], f["location"]["part"]) for f in report["findings"] if f["entity"] == "PERSON"}
    assert people == {("creator", "metadata:author"), ("last modified by", "metadata:last modified by")}
