"""Plain text: blocks of whole lines, bounded, with the line of their first character."""

from __future__ import annotations

from govscan.readers.limits import Limits


def test_consecutive_lines_form_one_block_with_its_first_line(read):
    pieces = read("notes.txt", "Заявитель Иванов Иван.\nИИН 710508363018, тел. +77011234567.\n")
    assert [(t.text, t.line) for t in pieces.texts] == [
        ("Заявитель Иванов Иван.\nИИН 710508363018, тел. +77011234567.", 1)
    ]


def test_blocks_are_cut_at_line_boundaries_under_text_block_chars(read):
    content = "".join(f"строка номер {i}\n" for i in range(1, 21))
    pieces = read("a.txt", content, Limits(text_block_chars=60))
    assert all(len(t.text) <= 60 for t in pieces.texts)
    assert pieces.texts[1].line == 1 + pieces.texts[0].text.count("\n") + 1
    assert "\n".join(t.text for t in pieces.texts) == content.rstrip("\n")


def test_a_line_longer_than_a_block_is_split_not_refused(read):
    pieces = read("long.txt", "x" * 250 + "\nконец\n", Limits(text_block_chars=100))
    assert [(t.text, t.line) for t in pieces.texts] == [("x" * 100, 1), ("x" * 100, 1), ("x" * 50 + "\nконец", 1)]
    assert pieces.errors == []


def test_cp1251_text_is_decoded(read):
    assert read("a.txt", "Иванов Иван Иванович проживает в Алматы\n".encode("cp1251")).text == (
        "Иванов Иван Иванович проживает в Алматы"
    )


def test_whitespace_only_files_yield_nothing(read):
    assert read("blank.txt", "\n\n   \n") == []


def test_a_file_without_newlines_streams_in_blocks(read_file, tmp_path):
    path = tmp_path / "one-line.log"
    path.write_bytes(b"a" * 3_000_000)
    pieces = read_file(path)
    assert len(pieces.texts) == 750 and pieces.errors == []
