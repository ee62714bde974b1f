"""Archive reader: ``.zip``, ``.gz`` and ``.tar`` (also ``.tar.gz``/``.tgz``), read recursively.

Each member is copied to a temp file (inside a ``TemporaryDirectory`` removed afterwards; the
file is named ``member-N``, never after the member, so ``../`` names cannot escape) and read
with the normal dispatcher as ``Asset(uri="<archive uri>!/<member name>")``; nested archives
give ``a.zip!/b.zip!/c.csv``.

Bombs are stopped while bytes are counted, not only from declared sizes (which can lie):
a member above ``archive_max_member_bytes`` or above ``archive_max_ratio`` (checked once it is
larger than ``archive_ratio_min_bytes``) is skipped with a ``ReadError`` for that member; the
bytes unpacked from one top-level asset, over all nesting levels, are capped by
``archive_max_total_bytes`` (the rest of the asset is skipped); archives nested deeper than
``archive_max_depth`` are not opened; members beyond ``archive_max_members`` are skipped.
Encrypted zip members are reported and skipped. Zip names without the UTF-8 flag are decoded
as UTF-8 if valid, else cp866 (Windows Russian zips; Python decodes them as cp437).
"""

from __future__ import annotations

import gzip
import os
import posixpath
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from govscan.errors import described
from govscan.model import Asset, Piece, ReadError
from govscan.readers.limits import Limits, ReadContext, ReaderError

COPY_CHUNK = 1 << 20
_EOCD = b"PK\x05\x06"
_MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024
_MEMBER_FAILURES = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, tarfile.TarError)


class BudgetExhausted(ReaderError):
    """The byte budget of the top-level asset is spent: stop every level, report once."""


class _MemberSkipped(Exception):
    """One member is refused (too big, bomb-like); the archive goes on."""


def ratio_exceeded(unpacked: int, packed: int, limits: Limits) -> bool:
    return unpacked > limits.archive_ratio_min_bytes and unpacked > max(packed, 1) * limits.archive_max_ratio


def check_declared_sizes(infos: Iterable[zipfile.ZipInfo], limits: Limits, what: str = "member") -> None:
    """Refuse a zip whose central directory already announces a bomb (used by the XLSX reader)."""
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.archive_max_member_bytes:
            raise ReaderError(f"{what} {info.filename} declares {info.file_size} bytes (zip bomb?)")
        if ratio_exceeded(info.file_size, info.compress_size, limits):
            raise ReaderError(
                f"{what} {info.filename} compression ratio above {limits.archive_max_ratio}:1 (zip bomb?)"
            )
    if total > limits.archive_max_total_bytes:
        raise ReaderError(f"declares {total} bytes in total (zip bomb?)")


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """Member name as its author wrote it: undo Python's cp437 decoding of non-UTF-8 names."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            raw = b""
        if raw and not raw.isascii():
            try:
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                name = raw.decode("cp866", errors="replace")
    return name.replace("\\", "/")


def read_zip(asset: Asset, ctx: ReadContext) -> Iterator[Piece | ReadError]:
    _check_depth(ctx)
    _check_central_directory(asset.path)
    try:
        archive = zipfile.ZipFile(asset.path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReaderError(f"not a valid ZIP ({described(exc, 200)})") from None
    limits = ctx.limits
    with archive, tempfile.TemporaryDirectory(prefix="govscan-") as tmp:
        members = (info for info in archive.infolist() if not info.is_dir())
        for number, info in enumerate(members):
            uri = f"{asset.uri}!/{zip_member_name(info)}"
            if number >= limits.archive_max_members:
                yield ReadError(asset.uri, f"more than {limits.archive_max_members} members; rest skipped")
                return
            if info.flag_bits & 0x1:
                yield ReadError(uri, "encrypted member skipped")
                continue
            if info.file_size > limits.archive_max_member_bytes or ratio_exceeded(
                info.file_size, info.compress_size, limits
            ):
                yield ReadError(uri, _too_big(info.file_size, limits))
                continue
            yield from _extract_and_read(
                lambda info=info: archive.open(info), uri, info.compress_size, tmp, number, ctx
            )


def read_gzip(asset: Asset, ctx: ReadContext) -> Iterator[Piece | ReadError]:
    _check_depth(ctx)
    base = posixpath.basename(asset.uri.split("?", 1)[0].split("!/")[-1])
    inner = base[:-3] if base.lower().endswith(".gz") else (base[:-5] if base.lower().endswith(".gzip") else "content")
    packed = os.path.getsize(asset.path)
    with tempfile.TemporaryDirectory(prefix="govscan-") as tmp:
        yield from _extract_and_read(
            lambda: gzip.open(asset.path, "rb"), f"{asset.uri}!/{inner or 'content'}", packed, tmp, 0, ctx
        )


def read_tar(asset: Asset, ctx: ReadContext) -> Iterator[Piece | ReadError]:
    _check_depth(ctx)
    limits = ctx.limits
    packed = os.path.getsize(asset.path)
    unpacked = 0
    try:
        archive = tarfile.open(asset.path, mode="r|*")  # stream mode: no seeking back and forth
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise ReaderError(f"not a valid TAR ({described(exc, 200)})") from None
    with archive, tempfile.TemporaryDirectory(prefix="govscan-") as tmp:
        number = -1
        for member in _tar_members(archive):
            if not member.isfile():
                continue  # directories, links, devices: nothing to read, nothing to follow
            number += 1
            uri = f"{asset.uri}!/{member.name}"
            if number >= limits.archive_max_members:
                yield ReadError(asset.uri, f"more than {limits.archive_max_members} members; rest skipped")
                return
            if member.size > limits.archive_max_member_bytes:
                yield ReadError(uri, _too_big(member.size, limits))
                continue
            unpacked += member.size
            if ratio_exceeded(unpacked, packed, limits):
                raise ReaderError(f"compression ratio above {limits.archive_max_ratio}:1 (tar bomb?); rest skipped")
            source = archive.extractfile(member)
            if source is None:
                continue
            yield from _extract_and_read(lambda source=source: source, uri, member.size, tmp, number, ctx)


def _tar_members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    try:
        yield from archive
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ReaderError(f"damaged TAR ({described(exc, 200)})") from None


def _extract_and_read(
    open_source: Callable[[], IO[bytes]], uri: str, packed: int, tmp: str, number: int, ctx: ReadContext
) -> Iterator[Piece | ReadError]:
    """Copy one member to a temp file with every limit enforced, then read it recursively."""
    from govscan.readers import read_with_context  # the dispatcher imports this module

    target = os.path.join(tmp, f"member-{number}")
    try:
        with open_source() as source, open(target, "wb") as sink:
            _copy_bounded(source, sink, packed, ctx)
    except _MemberSkipped as exc:
        _remove(target)
        yield ReadError(uri, str(exc))
        return
    except BudgetExhausted:
        _remove(target)
        raise
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
        _remove(target)
        yield ReadError(uri, f"cannot extract ({described(exc, 200)})")
        return
    except _MEMBER_FAILURES as exc:
        _remove(target)
        yield ReadError(uri, f"damaged member ({described(exc, 200)})")
        return
    try:
        yield from read_with_context(Asset(uri=uri, path=target), ctx.nested())
    finally:
        _remove(target)


def _copy_bounded(source: IO[bytes], sink: IO[bytes], packed: int, ctx: ReadContext) -> None:
    limits = ctx.limits
    written = 0
    while chunk := source.read(COPY_CHUNK):
        written += len(chunk)
        if written > limits.archive_max_member_bytes or ratio_exceeded(written, packed, limits):
            raise _MemberSkipped(_too_big(written, limits))
        try:
            ctx.budget.take(len(chunk), limits.archive_max_total_bytes)
        except ReaderError as exc:
            raise BudgetExhausted(str(exc)) from None
        sink.write(chunk)


def _too_big(size: int, limits: Limits) -> str:
    return (
        f"member skipped: unpacks to more than {min(size, limits.archive_max_member_bytes)} bytes "
        f"or compression ratio above {limits.archive_max_ratio}:1 (zip bomb?)"
    )


def _check_depth(ctx: ReadContext) -> None:
    if ctx.depth >= ctx.limits.archive_max_depth:
        raise ReaderError(f"archive nested deeper than {ctx.limits.archive_max_depth} levels; not opened")


def _check_central_directory(path: str) -> None:
    """Refuse a central directory so big that parsing it (zipfile does, fully) exhausts memory."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65_557))
            tail = f.read()
    except OSError as exc:
        raise ReaderError(described(exc, 200)) from None
    pos = tail.rfind(_EOCD)
    if pos < 0 or len(tail) < pos + 16:
        return  # zipfile will report it properly
    cd_size = int.from_bytes(tail[pos + 12 : pos + 16], "little")
    if cd_size != 0xFFFFFFFF and cd_size > _MAX_CENTRAL_DIRECTORY:
        raise ReaderError(f"ZIP central directory of {cd_size} bytes refused (too many members)")


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
