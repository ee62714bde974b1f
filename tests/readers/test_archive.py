"""Archives: members read recursively under ``archive!/member`` names, bombs and tricks refused."""

from __future__ import annotations

import gzip
import io
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

from govscan.readers.limits import Limits

PEOPLE = "ИИН;ФИО\n710508363018;Иванов Иван\n"


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path, monkeypatch):
    """Temp files of the readers go to a directory the tests can inspect."""
    directory = tmp_path / "scratch"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def test_zip_members_are_named_archive_bang_member(tmp_path, read_file):
    path = _zip(tmp_path / "export.zip", {"2023/people.csv": PEOPLE})
    pieces = read_file(path)
    assert {v.uri for v in pieces.values} == {"export.zip!/2023/people.csv"}
    assert pieces.columns == {"ИИН": ["710508363018"], "ФИО": ["Иванов Иван"]}


def test_nested_zips_are_read_recursively(tmp_path, read_file):
    inner = _zip_bytes({"people.csv": PEOPLE})
    path = _zip(tmp_path / "outer.zip", {"inner.zip": inner})
    assert {v.uri for v in read_file(path).values} == {"outer.zip!/inner.zip!/people.csv"}


def test_archives_nested_deeper_than_the_limit_are_not_opened(tmp_path, read_file):
    level3 = _zip_bytes({"people.csv": PEOPLE})
    level2 = _zip_bytes({"c.zip": level3})
    path = _zip(tmp_path / "a.zip", {"b.zip": level2})
    pieces = read_file(path, limits=Limits(archive_max_depth=2))
    assert pieces.values == []
    assert [(e.uri, e.problem) for e in pieces.errors] == [
        ("a.zip!/b.zip!/c.zip", "archive nested deeper than 2 levels; not opened")
    ]


def test_a_zip_bomb_member_is_skipped_and_the_others_read(tmp_path, read_file):
    path = _zip(tmp_path / "bomb.zip", {"zeros.csv": b"0" * (5 << 20), "people.csv": PEOPLE})
    pieces = read_file(path)
    assert pieces.columns == {"ИИН": ["710508363018"], "ФИО": ["Иванов Иван"]}
    assert [e.uri for e in pieces.errors] == ["bomb.zip!/zeros.csv"]
    assert "zip bomb" in pieces.errors[0].problem


def test_a_member_whose_declared_size_lies_is_not_unpacked_past_it(tmp_path, read_file):
    path = _zip(tmp_path / "liar.zip", {"zeros.csv": b"0" * (5 << 20)})
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")  # declared uncompressed size
    path.write_bytes(bytes(data))
    pieces = read_file(path)
    assert pieces.values == []
    assert pieces.problems == ["damaged member (BadZipFile: Bad CRC-32 for file 'zeros.csv')"]


def test_total_unpacked_bytes_are_capped_for_the_whole_asset(tmp_path, read_file):
    path = _zip(tmp_path / "many.zip", {f"{i}.csv": PEOPLE + "x" * 4000 for i in range(5)})
    pieces = read_file(path, limits=Limits(archive_max_total_bytes=10_000))
    assert pieces.errors[-1].uri == "many.zip"
    assert pieces.errors[-1].problem == "archive unpacks to more than 10000 bytes in total; rest skipped"
    assert len(pieces.errors) == 1


def test_members_beyond_the_limit_are_skipped_with_one_error(tmp_path, read_file):
    path = _zip(tmp_path / "m.zip", {f"{i}.csv": PEOPLE for i in range(3)})
    pieces = read_file(path, limits=Limits(archive_max_members=2))
    assert {v.uri for v in pieces.values} == {"m.zip!/0.csv", "m.zip!/1.csv"}
    assert [(e.uri, e.problem) for e in pieces.errors] == [("m.zip", "more than 2 members; rest skipped")]


def test_path_traversal_names_are_only_names(tmp_path, read_file, private_tempdir):
    path = _zip(tmp_path / "evil.zip", {"../../evil.csv": PEOPLE, "/etc/evil2.csv": PEOPLE})
    pieces = read_file(path)
    assert {v.uri for v in pieces.values} == {"evil.zip!/../../evil.csv", "evil.zip!//etc/evil2.csv"}
    assert not list(tmp_path.parent.glob("**/evil*.csv"))
    assert list(private_tempdir.iterdir()) == []


def test_cp866_member_names_without_utf8_flag_are_decoded(tmp_path, read_file):
    path = _zip(tmp_path / "win.zip", {"XXXXXX.csv": PEOPLE})
    data = path.read_bytes().replace(b"XXXXXX.csv", "Список.csv".encode("cp866"))
    path.write_bytes(data)
    assert {v.uri for v in read_file(path).values} == {"win.zip!/Список.csv"}


def test_utf8_member_names_are_kept(tmp_path, read_file):
    path = _zip(tmp_path / "u.zip", {"Қазақстан/тізім.csv": PEOPLE})
    assert {v.uri for v in read_file(path).values} == {"u.zip!/Қазақстан/тізім.csv"}


def test_encrypted_members_are_reported_and_skipped(tmp_path, read_file):
    path = _zip(tmp_path / "enc.zip", {"secret.csv": PEOPLE})
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    data[6] |= 0x1
    path.write_bytes(bytes(data))
    pieces = read_file(path)
    assert [(e.uri, e.problem) for e in pieces.errors] == [("enc.zip!/secret.csv", "encrypted member skipped")]


def test_directories_inside_zips_are_skipped(tmp_path, read_file):
    path = _zip(tmp_path / "d.zip", {"folder/": b"", "folder/people.csv": PEOPLE})
    pieces = read_file(path)
    assert pieces.errors == [] and {v.uri for v in pieces.values} == {"d.zip!/folder/people.csv"}


def test_a_corrupt_zip_is_a_read_error(tmp_path, read_file):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert read_file(path).problems[0].startswith("not a valid ZIP (BadZipFile")


def test_gz_file_is_read_as_its_inner_file(tmp_path, read_file):
    path = tmp_path / "people.csv.gz"
    path.write_bytes(gzip.compress(PEOPLE.encode()))
    pieces = read_file(path)
    assert {v.uri for v in pieces.values} == {"people.csv.gz!/people.csv"}
    assert pieces.columns["ИИН"] == ["710508363018"]


def test_truncated_gz_is_a_read_error(tmp_path, read_file):
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress((PEOPLE * 1000).encode())[:200])
    pieces = read_file(path)
    assert pieces.values == []
    assert pieces.errors[0].uri == "cut.csv.gz!/cut.csv"
    assert pieces.errors[0].problem.startswith("damaged member (EOFError")


def test_gz_bomb_is_stopped(tmp_path, read_file):
    path = tmp_path / "zeros.txt.gz"
    path.write_bytes(gzip.compress(b"0" * (5 << 20)))
    pieces = read_file(path)
    assert pieces.texts == [] and "zip bomb" in pieces.problems[0]


def test_tar_gz_members_are_read(tmp_path, read_file):
    path = tmp_path / "dump.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        data = PEOPLE.encode()
        info = tarfile.TarInfo("export/people.csv")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    assert {v.uri for v in read_file(path).values} == {"dump.tar.gz!/export/people.csv"}


def test_temp_files_are_removed_after_reading(tmp_path, read_file, private_tempdir):
    path = _zip(tmp_path / "t.zip", {"a.csv": PEOPLE, "b.zip": _zip_bytes({"c.csv": PEOPLE})})
    assert len(read_file(path).values) == 4
    assert list(private_tempdir.iterdir()) == []
