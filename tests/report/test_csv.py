"""``--format csv``: one row per finding, fixed columns, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from govscan.report import render
from govscan.report.csv_ import COLUMNS, neutralise

RAW_IIN = "880514300112"


def render_rows(result) -> tuple[str, list[dict[str, str]]]:
    out = io.StringIO(newline="")
    render("csv", result, out)
    text = out.getvalue()
    return text, list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_is_the_documented_column_order(result_factory):
    text, _ = render_rows(result_factory())
    assert text.splitlines()[0] == (
        "severity,rule_id,entity,uri,sheet,column,column_index,json_path,line,count,"
        "evidence,confidence,fingerprint,title,compliance,status,page,part,id"
    )
    assert list(COLUMNS) == text.splitlines()[0].split(",")


def test_one_row_per_finding_in_report_order(result_factory):
    _, rows = render_rows(result_factory())
    assert [r["fingerprint"] for r in rows] == ["b2", "a1", "c3", "d4"]  # sorted by uri


def test_sheet_column_row(result_factory):
    _, rows = render_rows(result_factory())
    row = next(r for r in rows if r["fingerprint"] == "a1")
    assert row == {
        "severity": "high",
        "rule_id": "pii.kz-iin",
        "entity": "KZ_IIN",
        "uri": "data/list.xlsx",
        "sheet": "Лист1",
        "column": "ИИН",
        "column_index": "3",
        "json_path": "",
        "line": "",
        "count": "412",
        "evidence": "8805******12",
        "confidence": "0.99",
        "fingerprint": "a1",
        "title": "ИИН физических лиц опубликованы",
        "compliance": "kz-pdl:art-8",
        "status": "open",
        "page": "",
        "part": "",
        "id": "",  # only a stored finding has one
    }


def test_json_path_archive_member_and_url_rows(result_factory):
    _, rows = render_rows(result_factory())
    by_fp = {r["fingerprint"]: r for r in rows}
    assert by_fp["b2"]["json_path"] == "items[*].applicant.phone"
    assert by_fp["c3"]["uri"] == "exports/архив 2023.zip!/выплаты.csv"
    assert by_fp["c3"]["column"] == "ФИО и ИИН"
    assert by_fp["c3"]["line"] == "2"
    assert by_fp["d4"]["uri"] == "https://data.egov.kz/datasets/view?index=школы"
    assert by_fp["d4"]["compliance"] == ""


def test_masked_phone_evidence_is_neutralised(result_factory):
    _, rows = render_rows(result_factory())
    phone = next(r for r in rows if r["rule_id"] == "pii.phone")
    assert phone["evidence"] == "'+7 7** *** **45"


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_is_neutralised(trigger):
    assert neutralise(f'{trigger}HYPERLINK("http://evil")') == f'\'{trigger}HYPERLINK("http://evil")'


@pytest.mark.parametrize("safe", ["ИИН", "8805******12", "a=b", "", "'quoted"])
def test_ordinary_cells_are_left_alone(safe):
    assert neutralise(safe) == safe


def test_attacker_controlled_headers_and_uris_are_neutralised(result_factory, finding_factory):
    finding = finding_factory(
        uri="@evil.csv",
        sheet="=cmd|' /C calc'!A0",
        column="-2+3",
        json_path="+x",
        fingerprint="f",
    )
    _, rows = render_rows(result_factory([finding]))
    assert rows[0]["uri"] == "'@evil.csv"
    assert rows[0]["sheet"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["column"] == "'-2+3"
    assert rows[0]["json_path"] == "'+x"


def test_suppressed_findings_have_status_suppressed(result_factory, finding_factory):
    findings = [
        finding_factory(fingerprint="old", baseline_state="unchanged", suppressed="accepted"),
        finding_factory(uri="z.csv", fingerprint="new", baseline_state="new"),
    ]
    _, rows = render_rows(result_factory(findings, baseline_path="b.json"))
    assert {r["fingerprint"]: r["status"] for r in rows} == {
        "old": "suppressed",
        "new": "open",
    }


def test_rows_end_with_crlf_and_unicode_is_kept(result_factory):
    text, _ = render_rows(result_factory())
    assert text.endswith("\r\n")
    assert "Лист1" in text


def test_empty_result_is_just_the_header(result_factory):
    text, rows = render_rows(result_factory([]))
    assert rows == []
    assert text == ",".join(COLUMNS) + "\r\n"


def test_evidence_is_printed_verbatim_and_no_raw_value_appears(result_factory, finding_factory):
    text, rows = render_rows(result_factory([finding_factory(evidence="8805******12", fingerprint="f")]))
    assert rows[0]["evidence"] == "8805******12"
    assert RAW_IIN not in text
    assert text.count("8805******12") == 1


def test_every_csv_govscan_writes_goes_through_the_one_neutralising_writer() -> None:
    """A new CSV output cannot forget formula neutralisation by calling the csv module itself."""
    from pathlib import Path

    import govscan

    package = Path(govscan.__file__).parent
    allowed = {
        "report/csv_.py",  # SafeCsvWriter itself
        "testing/examples.py",  # sample input files for scans and demos, not output
        "testing/unseen.py",  # the generated corpus of publications to scan, not output
    }
    writers = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if "csv.writer(" in path.read_text(encoding="utf-8") or "csv.DictWriter(" in path.read_text(encoding="utf-8")
    }
    assert writers <= allowed, writers - allowed


def test_a_finding_in_a_pdf_has_its_page_and_hidden_part(result_factory, finding_factory):
    from govscan.model import Location

    covered = finding_factory("pii.failed-redaction", uri="decision.pdf", fingerprint="r")
    covered.location = Location("decision.pdf", page=3, part="under a redaction box")
    _, rows = render_rows(result_factory([covered]))
    assert (rows[0]["page"], rows[0]["part"]) == ("3", "under a redaction box")
