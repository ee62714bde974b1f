"""``--format text``: a report a person reads in a CI log."""

from __future__ import annotations

import dataclasses
import io

import pytest

from govscan.model import ReadError, Severity
from govscan.report import render
from govscan.report.text import TextReporter, clean, use_colour

RAW_IIN = "880514300112"


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def render_text(result) -> str:
    out = io.StringIO()
    render("text", result, out)
    return out.getvalue()


def test_findings_are_grouped_by_file_with_aligned_lines(result_factory):
    assert render_text(result_factory()) == (
        "api/заявки.json\n"
        "  MEDIUM    pii.phone   items[*].applicant.phone     7 ×  +7 7** *** **45  PHONE_NUMBER\n"
        "\n"
        "data/list.xlsx\n"
        "  HIGH      pii.kz-iin  Лист1!ИИН (col 3)          412 ×  8805******12     KZ_IIN\n"
        "\n"
        "exports/архив 2023.zip!/выплаты.csv\n"
        "  HIGH      pii.kz-iin  ФИО и ИИН (col 2, line 2)   12 ×  9001******07     KZ_IIN\n"
        "\n"
        "https://data.egov.kz/datasets/view?index=школы\n"
        "  INFO      pii.kz-bin  text (line 14)               1 ×  1204******31     KZ_BIN\n"
        "\n"
        "4 findings (critical: 0, high: 2, medium: 1, low: 0, info: 1) in 4 files (5 scanned);"
        " 0 inputs could not be read\n"
    )


def test_within_a_file_the_most_severe_come_first(result_factory, finding_factory):
    findings = [
        finding_factory("pii.kz-bin", column="БИН", severity=Severity.INFO, fingerprint="1"),
        finding_factory("pii.kz-iin", column="ИИН", severity=Severity.CRITICAL, fingerprint="2"),
    ]
    lines = render_text(result_factory(findings)).splitlines()
    assert lines[1].startswith("  CRITICAL  pii.kz-iin")
    assert lines[2].startswith("  INFO      pii.kz-bin")


def test_read_errors_are_listed_and_counted(result_factory, finding_factory):
    errors = [
        ReadError("broken.xlsx", "not a zip file"),
        ReadError("https://portal.kz/x.csv", "HTTP 404"),
    ]
    text = render_text(result_factory([finding_factory(fingerprint="f")], errors=errors))
    assert "error: broken.xlsx: not a zip file\nerror: https://portal.kz/x.csv: HTTP 404\n" in text
    assert text.endswith(
        "1 finding (critical: 0, high: 1, medium: 0, low: 0, info: 0) in 1 file (2 scanned);"
        " 2 inputs could not be read\n"
    )


def test_baselined_findings_are_marked_and_not_counted(result_factory, finding_factory):
    findings = [
        finding_factory(
            column="ИИН",
            fingerprint="old",
            baseline_state="unchanged",
            suppressed="public register",
        ),
        finding_factory(uri="new.csv", column="ИИН", fingerprint="new", baseline_state="new"),
    ]
    text = render_text(result_factory(findings, baseline_path="b.json"))
    assert "  HIGH      pii.kz-iin  ИИН  1 ×  8805******12  KZ_IIN  (baselined: public register)\n" in text
    assert text.endswith(
        "1 finding (critical: 0, high: 1, medium: 0, low: 0, info: 0) in 1 file (3 scanned);"
        " 0 inputs could not be read; 1 baselined\n"
    )


def test_a_clean_run_prints_only_the_summary(result_factory):
    assert render_text(result_factory([], scanned=["a.csv", "b.csv"])) == (
        "0 findings (critical: 0, high: 0, medium: 0, low: 0, info: 0) in 0 files (2 scanned);"
        " 0 inputs could not be read\n"
    )


def test_no_colour_when_not_a_tty(result_factory):
    assert "\033[" not in render_text(result_factory())


def test_colour_on_a_tty_unless_no_color_is_set(result_factory, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty = FakeTty()
    render("text", result_factory(), tty)
    assert "\033[31mHIGH" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(FakeTty())


def test_colour_can_be_forced_and_dims_baselined_lines(result_factory, finding_factory):
    finding = finding_factory(fingerprint="old", baseline_state="unchanged", suppressed="ok")
    out = io.StringIO()
    TextReporter(colour=True).render(result_factory([finding], baseline_path="b.json"), out)
    assert "\033[2mHIGH" in out.getvalue() and "\033[2mpii.kz-iin" in out.getvalue()


def test_control_and_bidi_characters_from_files_are_escaped(result_factory, finding_factory):
    finding = finding_factory(uri="evil\033[2J.csv", column="ИИН\u202e", fingerprint="f")
    text = render_text(result_factory([finding]))
    assert "\033" not in text and "\u202e" not in text
    assert "evil\\u001b[2J.csv" in text  # escaped as the guarded streams and JSON write it
    assert "ИИН\\u202e" in text


@pytest.mark.parametrize("text", ["Лист1!ФИО", "a b", "Т.А.Ә."])
def test_clean_keeps_ordinary_unicode(text):
    assert clean(text) == text


def test_evidence_is_printed_verbatim_and_no_raw_value_appears(result_factory, finding_factory):
    text = render_text(result_factory([finding_factory(evidence="8805******12", fingerprint="f")]))
    assert RAW_IIN not in text
    assert text.count("8805******12") == 1


def test_a_finding_in_a_pdf_names_its_page_and_the_hidden_part(result_factory, finding_factory):
    from govscan.model import Location

    covered = finding_factory("pii.failed-redaction", uri="decision.pdf", fingerprint="r")
    covered.location = Location("decision.pdf", page=3, part="under a redaction box")
    listed = finding_factory("pii.kz-iin", uri="decision.pdf", column="ИИН", column_index=2, fingerprint="t")
    listed.location = Location("decision.pdf", column="ИИН", column_index=2, page=5)
    lines = render_text(result_factory([covered, listed])).splitlines()
    assert "text (page 3, under a redaction box)" in lines[1]
    assert "ИИН (col 2, page 5)" in lines[2]


def test_a_table_with_a_name_says_row_not_line(result_factory, finding_factory):
    """An HTML, Word or spreadsheet table numbers its rows; "line 1" pointed at the page's first line."""
    finding = finding_factory(uri="decision.html", sheet="table 1", column="ИИН", column_index=2, line=3)
    assert "table 1!ИИН (col 2, row 3)" in render_text(result_factory([finding]))
    csv_line = finding_factory(uri="a.csv", column="ИИН", column_index=2, line=3)
    assert "ИИН (col 2, line 3)" in render_text(result_factory([csv_line]))


def test_a_tls_audit_counts_endpoints_not_files(result_factory, finding_factory):
    finding = finding_factory(rule_id="tls.weak-protocol", uri="tls://portal.kz:443", entity=None)
    text = render_text(result_factory([finding], scanned=["tls://portal.kz:443"]))
    assert text.endswith("in 1 endpoint (1 scanned); 0 inputs could not be read\n")
    assert "in 0 endpoints" in render_text(result_factory([], scanned=["tls://a.kz:443", "tls://b.kz:443"]))


def test_a_finding_an_ignore_accepted_is_marked_suppressed_not_baselined(result_factory, finding_factory):
    finding = finding_factory(fingerprint="f", suppressed="ignored by .govscan.yaml: press contacts")
    text = render_text(result_factory([finding]))
    assert "(suppressed: ignored by .govscan.yaml: press contacts)" in text and "baselined" not in text
    assert text.endswith("; 1 suppressed\n")


# --- tables never wider than the terminal (or 120 columns in a log) -------------------------------

LONG_RULE = "pii.kz-iin-in-a-very-long-custom-rule-pack"  # 42 characters


def test_a_forty_character_rule_id_and_a_long_place_stay_within_the_width(result_factory, finding_factory):
    findings = [
        finding_factory(LONG_RULE, column="ИИН", fingerprint="a"),
        finding_factory(uri="d/" + "очень-длинное-имя-файла-" * 12 + ".xlsx", column="Х" * 300, fingerprint="b"),
    ]
    for width in (120, 80, 60):
        out = io.StringIO()
        TextReporter(width=width).render(result_factory(findings), out)
        lines = out.getvalue().splitlines()
        assert max(len(line) for line in lines if not line.startswith(("4 findings", "2 findings"))) <= width
        assert any(LONG_RULE in line for line in lines) or width < 100  # whole while it fits
    assert out.getvalue().count("Х") == 300  # wrapped onto more lines, not cut


def test_a_pipe_gets_120_columns(result_factory, finding_factory):
    finding = finding_factory(LONG_RULE, column="Х" * 300, fingerprint="a")
    lines = render_text(result_factory([finding])).splitlines()[:-1]
    assert max(len(line) for line in lines) == 120


def test_cells_are_text_not_markup(result_factory, finding_factory):
    finding = finding_factory(uri="[bold]x[/bold].csv", column="[red]ИИН", fingerprint="a")
    text = render_text(result_factory([finding]))
    assert "[bold]x[/bold].csv" in text and "[red]ИИН" in text


def test_colour_on_a_terminal_passes_the_guarded_stdout_as_colour(result_factory):
    """The command's stdout neutralises escape sequences; the report's own colours go around it."""
    from govscan.cli.output import GuardedStream, stdout_text

    tty = FakeTty()
    guarded = GuardedStream(GuardedStream(tty, stdout_text, by_line=False), stdout_text, by_line=False)
    TextReporter(colour=True).render(result_factory(), guarded)
    guarded.flush()
    assert "\033[31mHIGH" in tty.getvalue() and "\\u001b" not in tty.getvalue()


def test_a_stored_endpoint_summary_with_only_a_grade_is_printed(result_factory):
    """``report --format text`` gets endpoint summaries from the database, which may hold only the grade."""
    result = dataclasses.replace(result_factory([]), endpoints=[{"host": "portal.kz", "port": 443, "grade": "B"}])
    assert "grade B   portal.kz:443" in render_text(result)
