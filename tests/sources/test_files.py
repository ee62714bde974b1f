"""expand_inputs: files, directories, globs and exclusions, as the user typed them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govscan.model import Asset, ReadError, SourceAsset
from govscan.sources import expand_inputs, is_excluded


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """exports/{a.csv, b.json, notes.tmp, 2023/c.csv, archive/old.csv, .git/config}; cwd = tmp_path."""
    files = ["exports/a.csv", "exports/b.json", "exports/notes.tmp", "exports/2023/c.csv", "exports/archive/old.csv"]
    for name in [*files, "exports/.git/config"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _uris(items) -> list[str]:
    return [item.uri for item in items]


def test_a_file_path_is_one_asset_named_as_written(tree):
    assert list(expand_inputs(["exports/a.csv"], [])) == [SourceAsset(uri="exports/a.csv", path="exports/a.csv")]


def test_a_directory_is_walked_recursively_in_sorted_order_skipping_hidden_dirs(tree):
    assert _uris(expand_inputs(["exports"], [])) == [
        "exports/a.csv",
        "exports/b.json",
        "exports/notes.tmp",
        "exports/2023/c.csv",
        "exports/archive/old.csv",
    ]


def test_a_trailing_slash_does_not_double_in_uris(tree):
    assert _uris(expand_inputs(["exports/"], []))[0] == "exports/a.csv"


def test_the_current_directory_gives_relative_uris(tree):
    os.chdir("exports")
    assert _uris(expand_inputs(["."], []))[:2] == ["a.csv", "b.json"]


def test_asset_paths_point_at_the_files(tree):
    for item in expand_inputs(["exports"], []):
        assert Path(item.path).read_text() == "x"


def test_a_recursive_glob_expands_to_matching_files(tree):
    assert _uris(expand_inputs(["exports/**/*.csv"], [])) == [
        "exports/2023/c.csv",
        "exports/a.csv",
        "exports/archive/old.csv",
    ]


def test_exclude_matches_file_names(tree):
    assert "exports/notes.tmp" not in _uris(expand_inputs(["exports"], ["*.tmp"]))


def test_exclude_matches_relative_paths(tree):
    assert _uris(expand_inputs(["exports"], ["2023/*.csv", "archive/**"])) == [
        "exports/a.csv",
        "exports/b.json",
        "exports/notes.tmp",
    ]


def test_exclude_matches_directory_names_anywhere(tree):
    assert "exports/archive/old.csv" not in _uris(expand_inputs(["exports"], ["archive"]))


def test_exclude_applies_to_glob_matches(tree):
    assert _uris(expand_inputs(["exports/**/*.csv"], ["**/archive/**"])) == ["exports/2023/c.csv", "exports/a.csv"]


def test_is_excluded_checks_path_parents_and_name():
    assert is_excluded("a/b/c.csv", ["b"])
    assert is_excluded("a/b/c.csv", ["*.csv"])
    assert is_excluded("a/b/c.csv", ["**/b/*.csv"])
    assert not is_excluded("a/b/c.csv", ["c"])


def test_a_missing_path_is_a_read_error(tree):
    assert list(expand_inputs(["nope.csv"], [])) == [ReadError("nope.csv", "no such file or directory")]


def test_a_glob_without_matches_is_a_read_error(tree):
    assert list(expand_inputs(["exports/*.xlsx"], [])) == [ReadError("exports/*.xlsx", "no files match this pattern")]


def test_a_file_given_twice_is_read_once(tree):
    assert _uris(expand_inputs(["exports/a.csv", "exports/*.csv"], [])) == ["exports/a.csv"]


def test_special_files_are_skipped_in_directories_and_reported_when_named(tree):
    os.mkfifo("exports/pipe")
    assert "exports/pipe" not in _uris(expand_inputs(["exports"], []))
    assert list(expand_inputs(["exports/pipe"], [])) == [ReadError("exports/pipe", "not a regular file")]


def test_assets_work_as_plain_assets_and_as_context_managers(tree):
    item = next(expand_inputs(["exports/a.csv"], []))
    assert isinstance(item, Asset)
    with item as asset:
        assert asset.path == "exports/a.csv"
    assert os.path.exists("exports/a.csv")  # local files are never deleted
