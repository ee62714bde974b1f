"""govscan.errors: quoted exception texts stay on one line."""

from __future__ import annotations

from govscan.errors import described, one_line


def test_one_line_collapses_every_whitespace_run_and_cuts_at_the_limit() -> None:
    assert one_line("bad\r\n  row\tthree ") == "bad row three"
    assert one_line(ValueError("x" * 50), 10) == "x" * 10


def test_described_names_the_exception_type_even_when_it_says_nothing() -> None:
    assert described(KeyError()) == "KeyError"
    assert described(OSError("disk\nfull")) == "OSError: disk full"
