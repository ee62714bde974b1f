"""Text tables (report/tables.py): never wider than the terminal or 120 columns, nothing lost."""

from __future__ import annotations

import io

import pytest

from govscan.cli.results import aligned
from govscan.report.tables import Column, table_lines

RULE_40 = "pii.kz-iin.in-a-custom-pack-of-the-akimat"  # 41 characters
assert len(RULE_40) >= 40


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def rows() -> list[list[str]]:
    return [
        ["12", "open", "critical", RULE_40, "exports/" + "выплаты-" * 20 + ".xlsx", "Лист1!ИИН", "412 × 8805******12"],
        ["13", "fixed", "low", "pii.email", "a.csv", "email", "1 × a***@***.kz"],
    ]


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 160])
def test_no_line_is_wider_than_the_width_and_no_character_is_lost(width: int, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    for lines in (
        table_lines(rows(), [Column(no_wrap=True), Column(no_wrap=True)], width=width),
        aligned(rows(), Tty()),
    ):
        assert max(len(line) for line in lines) <= width
        text = "".join(lines)
        assert text.count("в") == 20 and text.count("*") == 12  # wrapped (even inside a word), never cut
    if width >= 120:
        assert any(RULE_40 in line for line in lines)  # a listing keeps a rule id whole while it fits


def test_a_listing_in_a_pipe_gets_120_columns_and_a_terminal_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    piped = aligned(rows(), io.StringIO())
    assert max(len(line) for line in piped) <= 120 and piped[0].startswith("12  open   critical  ")
    monkeypatch.setenv("COLUMNS", "70")
    narrow = aligned(rows(), Tty())
    assert max(len(line) for line in narrow) <= 70 and len(narrow) > len(piped)


def test_cells_are_text_escaped_and_never_markup() -> None:
    [line] = table_lines([["[bold]x[/bold]", "a\x1b[2Jb\u202ec", ":smile:"]])
    assert line == "[bold]x[/bold]  a\\u001b[2Jb\\u202ec  :smile:"


def test_colour_only_when_asked() -> None:
    plain = table_lines([[("HIGH", "red"), "pii.kz-iin"]])
    styled = table_lines([[("HIGH", "red"), "pii.kz-iin"]], colour=True)
    assert "\x1b" not in "".join(plain) and "\x1b[31mHIGH" in "".join(styled)


def test_an_indented_listing_counts_its_indent_in_the_width() -> None:
    """``diff`` indents its findings under the heading: still at most 120 columns in a pipe."""
    lines = aligned(rows(), io.StringIO(), indent=2)
    assert all(line.startswith("  ") for line in lines) and max(len(line) for line in lines) <= 120
