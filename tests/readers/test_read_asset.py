"""read_asset: format sniffing, dispatch, and errors as data instead of exceptions."""

from __future__ import annotations

import pytest

from govscan.hookspecs import hookimpl
from govscan.model import Asset, Field, Text, Values
from govscan.readers import Format, read_asset, sniff_format
from govscan.readers.limits import ReaderError


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.csv", "a;b\n1;2\n", "csv"),
        ("a.tsv", "a\tb\n1\t2\n", "csv"),
        ("a.json", '{"a": 1}', "json"),
        ("a.jsonl", '{"a": 1}\n', "jsonl"),
        ("a.xml", "<r/>", "xml"),
        ("a.htm", "<p>x</p>", "html"),
        ("download", '{"a": 1}', "json"),
        ("download", '  [{"a": 1}]', "json"),
        ("download", '<?xml version="1.0"?><r/>', "xml"),
        ("download", "<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("download", "ИИН;ФИО\n710508363018;Иванов\n820508363018;Петров\n", "csv"),
        ("notes.txt", "Уважаемые коллеги,\nпросим предоставить сведения.\n", "text"),
        ("export.txt", "ИИН\tФИО\n710508363018\tИванов\n820508363018\tПетров\n", "csv"),
        ("https://data.egov.kz/api/list.json?page=2", '{"a": 1}', "json"),
        ("page.csv", "<!DOCTYPE html><html><body>Not found</body></html>", "html"),
    ],
)
def test_format_is_sniffed_from_extension_and_content(tmp_path, name, content, expected):
    path = tmp_path / "file"
    path.write_text(content, encoding="utf-8")
    assert sniff_format(Asset(uri=name, path=str(path))) == expected


def test_content_type_decides_when_the_name_says_nothing(tmp_path):
    path = tmp_path / "file"
    path.write_text("ИИН;ФИО\n710508363018;Иванов\n", encoding="utf-8")
    assert (
        sniff_format(Asset(uri="https://x.kz/get?id=1", path=str(path), media_hint="text/csv; charset=utf-8")) == "csv"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"Rar!\x1a\x07\x00" + b"\0" * 100, "RAR archives are not supported"),  # PDF is read: tests/readers/test_pdf.py
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "not a valid OLE2 (legacy Office) file: truncated or damaged",
        ),
        (b"\x00\x01\x02\x03binary\x00\x00" * 10, "binary file in an unsupported format"),
    ],
)
def test_unsupported_binaries_are_read_errors(read, content, problem):
    assert read("blob.bin", content).problems == [problem]


def test_a_missing_file_is_a_read_error(tmp_path):
    items = list(read_asset(Asset(uri="gone.csv", path=str(tmp_path / "gone.csv"))))
    assert [(e.uri, e.problem) for e in items] == [("gone.csv", "no such file or directory")]


def test_an_empty_file_yields_nothing(read):
    assert read("empty.csv", b"") == []


@pytest.fixture
def add_format(fresh_plugins):
    """Register a plugin offering one format (replacing a built-in of the same name)."""

    def add(fmt: Format) -> None:
        class Plugin:
            @hookimpl
            def govscan_readers(self) -> list[Format]:
                return [fmt]

        fresh_plugins.register(Plugin())

    return add


def test_an_unexpected_reader_exception_becomes_a_trailing_read_error(tmp_path, add_format):
    def flaky(asset, ctx):
        yield Text(asset.uri, "first piece")
        raise ValueError("boom\nsecond line")

    add_format(Format("csv", flaky))
    path = tmp_path / "a.csv"
    path.write_text("x")
    items = list(read_asset(Asset(uri="a.csv", path=str(path))))
    assert items[0] == Text("a.csv", "first piece")
    assert items[1].problem == "ValueError: boom second line"


def test_reader_errors_keep_their_message(tmp_path, add_format):
    def refusing(asset, ctx):
        raise ReaderError("too odd")
        yield

    add_format(Format("csv", refusing))
    path = tmp_path / "a.csv"
    path.write_text("x")
    assert [e.problem for e in read_asset(Asset(uri="a.csv", path=str(path)))] == ["too odd"]


def test_plugins_register_formats_by_extension(tmp_path, add_format):
    def read_ods(asset, ctx):
        yield Values(asset.uri, Field(), ["x"])

    add_format(Format("ods", read_ods, extensions=(".ods",)))
    path = tmp_path / "a.ods"
    path.write_text("anything")
    assert [v.values for v in read_asset(Asset(uri="a.ods", path=str(path)))] == [["x"]]
