"""A big file read by a forked child gives exactly the pieces an in-process read gives."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from govscan.model import Asset, Field, ReadError, Values
from govscan.readers import background, read_asset
from govscan.readers.background import read_in_background

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_the_child_streams_the_same_pieces(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("ИИН,Комментарий\n" + "".join(f"{i:012d},текст с \x1e разделителем {i}\n" for i in range(12000)))
    asset = Asset(str(path), str(path))
    assert list(read_in_background(asset)) == list(read_asset(asset))


def test_a_reader_that_dies_becomes_a_read_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def die(asset, limits=None):
        yield Values(asset.uri, Field(column="a", column_index=1), ["x"])
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(background, "read_asset", die)
    path = tmp_path / "t.csv"
    path.write_text("a\n")
    pieces = list(read_in_background(Asset(str(path), str(path))))
    assert isinstance(pieces[-1], ReadError) and "ended unexpectedly" in pieces[-1].problem


def test_the_page_of_a_table_survives_the_trip_from_the_child() -> None:
    piece = Values("list.pdf", Field(column="ИИН", column_index=3), ["900101300017", "851231400120"], None, page=7)
    assert background._unpack(background._pack(piece)) == piece
