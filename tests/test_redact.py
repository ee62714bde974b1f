"""Messages that are not findings never carry an identifier."""

from __future__ import annotations

from govscan.model import ReadError
from govscan.redact import redact


def test_digit_runs_and_emails_are_scrubbed() -> None:
    message = 'invalid char: {"iin": 710508363018x}, tel +7 701 123-45-67, mail a.b@mail.kz'
    cleaned = redact(message)
    assert "710508363018" not in cleaned and "701 123" not in cleaned and "a.b@mail.kz" not in cleaned
    assert "invalid char" in cleaned


def test_short_numbers_like_line_numbers_stay() -> None:
    assert redact("CSV error at line 12345: field larger than 100 characters") == (
        "CSV error at line 12345: field larger than 100 characters"
    )


def test_a_malformed_json_error_does_not_quote_the_data(tmp_path) -> None:
    from govscan.model import Asset
    from govscan.readers import read_asset

    path = tmp_path / "bad.json"
    path.write_text('{"a": [{"iin": "710508363018"}, {"iin": 710508363018x}]}', encoding="utf-8")
    [error] = [p for p in read_asset(Asset(str(path), str(path))) if isinstance(p, ReadError)]
    assert error.problem.startswith("malformed JSON")
    assert "63018" not in error.problem
