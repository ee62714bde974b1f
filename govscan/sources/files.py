"""Expand what the user typed (files, directories, globs, URLs) into assets to read.

Every asset is yielded as a :class:`SourceAsset`: an ``Asset`` that is also a context manager,
so both loops work and temp files never outlive their use::

    for item in expand_inputs(["exports/", "https://example.kz/list.csv"], exclude=["*.tmp"]):
        if isinstance(item, ReadError): ...
        with item as asset:                # or simply read_asset(item)
            for piece in read_asset(asset): ...

A downloaded URL lives in a temp directory that is removed when the ``with`` block exits, and
in any case when the generator is resumed for the next item (or closed). Consequently assets
must be read before asking for the next one; do not ``list()`` the generator.
"""

from __future__ import annotations

import glob
import os
import posixpath
import stat
from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from govscan.model import ReadError, SourceAsset
from govscan.readers.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from govscan.net.download import Downloader

_GLOB_CHARS = frozenset("*?[")


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def expand_inputs(
    inputs: Iterable[str], exclude: Iterable[str] = (), limits: Limits | None = None, *, ca_file: str | None = None
) -> Iterator[SourceAsset | ReadError]:
    """Assets for ``inputs``, in order; an input that cannot be used becomes a ``ReadError``.

    A directory is walked recursively in sorted order, skipping hidden directories (``.git``)
    and non-regular files (FIFOs would block); ``exclude`` globs are matched against the path
    relative to the directory (or glob) given, each of its parent directories, and the file
    name. A path seen twice is read once. URLs are fetched through the guarded web client
    (``net.download``), trusting ``ca_file`` for TLS when given; they share one rate limit
    and byte budget.
    """
    limits = limits or DEFAULT_LIMITS
    patterns = [p.replace("\\", "/").rstrip("/") for p in exclude if p.strip()]
    seen: set[str] = set()
    downloader: Downloader | None = None
    for raw in inputs:
        if is_url(raw):
            if downloader is None:  # imported on first use: a check of local files never loads requests
                from govscan.net.download import Downloader

                downloader = Downloader(limits, ca_file=ca_file)
            yield from _url(raw, downloader)
        elif os.path.isdir(raw):
            yield from _directory(raw, patterns, seen)
        elif os.path.lexists(raw):
            yield from _file(raw, _slashes(raw), _slashes(raw), patterns, seen)
        elif _GLOB_CHARS & set(raw):
            yield from _glob(raw, patterns, seen)
        else:
            yield ReadError(_slashes(raw), "no such file or directory")


def is_excluded(relative: str, patterns: Iterable[str]) -> bool:
    """Whether a relative path, one of its parent directories, or its name matches a pattern."""
    parts = [p for p in relative.split("/") if p not in ("", ".")]
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        tail = pattern[3:] if pattern.startswith("**/") else None
        for index, prefix in enumerate(prefixes):
            if fnmatchcase(prefix, pattern) or fnmatchcase(parts[index], pattern):
                return True
            if tail is not None and fnmatchcase(prefix, tail):
                return True
    return False


def _url(url: str, downloader: Downloader) -> Iterator[SourceAsset | ReadError]:
    from govscan.readers.limits import ReaderError

    try:
        asset = downloader.download(url)
    except ReaderError as exc:
        yield ReadError(url, str(exc))
        return
    try:
        yield asset
    finally:
        asset.release()


def _directory(root: str, patterns: list[str], seen: set[str]) -> Iterator[SourceAsset | ReadError]:
    base = _slashes(root).rstrip("/") or "/"
    for current, dirs, files in os.walk(root, onerror=None, followlinks=False):
        relative_dir = _slashes(os.path.relpath(current, root))
        relative_dir = "" if relative_dir == "." else relative_dir
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not is_excluded(posixpath.join(relative_dir, d), patterns)
        )
        for name in sorted(files):
            relative = posixpath.join(relative_dir, name)
            uri = relative if base == "." else posixpath.join(base, relative)
            yield from _file(os.path.join(current, name), uri, relative, patterns, seen, quiet=True)


def _glob(pattern: str, patterns: list[str], seen: set[str]) -> Iterator[SourceAsset | ReadError]:
    matches = sorted(glob.glob(pattern, recursive=True))
    if not matches:
        yield ReadError(_slashes(pattern), "no files match this pattern")
        return
    for match in matches:
        if os.path.isdir(match):
            yield from _directory(match, patterns, seen)
        else:
            yield from _file(match, _slashes(match), _slashes(match), patterns, seen, quiet=True)


def _file(
    path: str, uri: str, relative: str, patterns: list[str], seen: set[str], quiet: bool = False
) -> Iterator[SourceAsset | ReadError]:
    if is_excluded(relative, patterns):
        return
    try:
        info = os.stat(path)
    except OSError as exc:
        yield ReadError(uri, (exc.strerror or str(exc)).lower())
        return
    if not stat.S_ISREG(info.st_mode):
        if not quiet:
            yield ReadError(uri, "not a regular file")
        return
    key = os.path.realpath(path)
    if key in seen:
        return
    seen.add(key)
    yield SourceAsset(uri=uri, path=path)


def _slashes(path: str) -> str:
    return path.replace("\\", "/")
