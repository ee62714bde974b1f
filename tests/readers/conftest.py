"""Reader specs share one fixture: ``read(name, content)`` writes a file and reads it back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from govscan.model import Asset, ReadError, Text, Values
from govscan.readers import read_asset
from govscan.readers.limits import Limits

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "readers"


class Pieces(list):
    """What a reader yielded, with views that make assertions read like the behaviour."""

    @property
    def values(self) -> list[Values]:
        return [p for p in self if isinstance(p, Values)]

    @property
    def columns(self) -> dict[str, list[str]]:
        """Values merged per field label (``sheet!column``, ``#i``, JSON/XML path)."""
        out: dict[str, list[str]] = {}
        for item in self.values:
            out.setdefault(item.field.label, []).extend(item.values)
        return out

    @property
    def errors(self) -> list[ReadError]:
        return [p for p in self if isinstance(p, ReadError)]

    @property
    def problems(self) -> list[str]:
        return [e.problem for e in self.errors]

    @property
    def texts(self) -> list[Text]:
        return [p for p in self if isinstance(p, Text)]

    @property
    def text(self) -> str:
        return "\n".join(t.text for t in self.texts)


def read_path(path: Path | str, uri: str | None = None, limits: Limits | None = None, media_hint: str | None = None):
    return Pieces(read_asset(Asset(uri=uri or Path(path).name, path=str(path), media_hint=media_hint), limits))


@pytest.fixture
def read(tmp_path: Path) -> Callable[..., Pieces]:
    """``read(name, content, limits=None, media_hint=None)``: write ``content`` (str → UTF-8)."""

    def _read(name: str, content: bytes | str, limits: Limits | None = None, media_hint: str | None = None) -> Pieces:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return read_path(path, name, limits, media_hint)

    return _read


@pytest.fixture
def read_file() -> Callable[..., Pieces]:
    """Read an existing file (e.g. a big one written in chunks by the test)."""
    return read_path


@pytest.fixture
def read_fixture() -> Callable[..., Pieces]:
    """Read a committed file from ``tests/fixtures/readers``."""

    def _read(name: str, limits: Limits | None = None) -> Pieces:
        return read_path(FIXTURES / name, name, limits)

    return _read
