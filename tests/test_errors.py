"""govscan.errors: quoted exception texts stay on one line."""

from __future__ import annotations

from govscan.errors import described, one_line, shown


def test_one_line_collapses_every_whitespace_run_and_cuts_at_the_limit() -> None:
    assert one_line("bad\r\n  row\tthree ") == "bad row three"
    assert one_line(ValueError("x" * 50), 10) == "x" * 9 + "…"


def test_a_quoted_text_cut_at_the_limit_never_keeps_most_of_an_identifier() -> None:
    # a parser's message quoting a row, cut through the identifier in it: masked before the cut
    message = ValueError("bad row: " + "x" * 480 + " 450420320289 Иванов")
    assert one_line(message, 500).endswith(" 4504*****…")
    assert shown("/data/" + "d" * 285 + "/450420320289.csv").endswith("/4504***…")


def test_described_names_the_exception_type_even_when_it_says_nothing() -> None:
    assert described(KeyError()) == "KeyError"
    assert described(OSError("disk\nfull")) == "OSError: disk full"


def test_described_cut_to_a_limit_masks_an_identifier_before_the_cut() -> None:
    # readers quote a library's message at 200 characters: an IIN cut through keeps no digits run
    message = "bad member " + "x" * 180 + " 450420320289.csv"
    text = described(ValueError(message), 200)
    assert text.startswith("ValueError: bad member ") and text.endswith("…")
    assert "4504203" not in text
