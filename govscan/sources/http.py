"""Fetch an http(s) URL into a temp file, streamed and bounded, for the readers.

Every failure is a one-line ``ReaderError`` (``HTTP 404``, ``timed out after 30 s``,
``response larger than … bytes``, ``connection failed: …``) that ``expand_inputs`` reports
as a ``ReadError`` for the URL. Timeouts: 10 s to connect, ``url_timeout`` between bytes, and
``url_max_seconds`` for the whole body (a server can drip one byte every few seconds forever).
"""

from __future__ import annotations

import mimetypes
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from email.message import Message

import requests
import urllib3

from govscan.readers.limits import DEFAULT_LIMITS, Limits, ReaderError
from govscan.sources.files import SourceAsset

CONNECT_TIMEOUT = 10.0
CHUNK_BYTES = 64 * 1024
_OBJECT_PREFIX = re.compile(r"<[^>]*>:\s*")


def user_agent() -> str:
    try:
        from govscan import __version__
    except ImportError:  # pragma: no cover - the package always defines it
        __version__ = "dev"
    return f"govscan/{__version__} (+https://github.com/govscan/govscan)"


def download(url: str, limits: Limits | None = None, session: requests.Session | None = None) -> SourceAsset:
    """Download ``url`` into a fresh temp directory owned by the returned asset.

    The caller releases it (``with asset:`` or ``asset.release()``); on failure nothing is
    left behind and ``ReaderError`` is raised.
    """
    limits = limits or DEFAULT_LIMITS
    directory = tempfile.mkdtemp(prefix="govscan-url-")
    path = os.path.join(directory, "body")
    try:
        media_hint = _fetch(url, path, limits, session)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return SourceAsset(uri=url, path=path, media_hint=media_hint, cleanup_dir=directory)


def _fetch(url: str, path: str, limits: Limits, session: requests.Session | None) -> str | None:
    getter = session.get if session is not None else requests.get
    try:
        with getter(
            url,
            stream=True,
            timeout=(CONNECT_TIMEOUT, limits.url_timeout),
            headers={"User-Agent": user_agent()},
            allow_redirects=True,
        ) as response:
            _check_status(response)
            _check_declared_length(response, limits)
            _save_body(response, path, limits)
            return _media_hint(response)
    except requests.exceptions.Timeout:
        raise ReaderError(f"timed out after {limits.url_timeout:g} s") from None
    except requests.exceptions.TooManyRedirects:
        raise ReaderError("too many redirects") from None
    except requests.exceptions.SSLError as exc:
        raise ReaderError(f"TLS error: {_cause(exc)}") from None
    except requests.exceptions.ConnectionError as exc:
        cause = _cause(exc)
        if "timed out" in cause.lower():
            raise ReaderError(f"timed out after {limits.url_timeout:g} s") from None
        raise ReaderError(f"connection failed: {cause}") from None
    except requests.exceptions.RequestException as exc:
        raise ReaderError(f"request failed: {_cause(exc)}") from None
    except OSError as exc:
        raise ReaderError(f"cannot save the response: {exc.strerror or exc}") from None


def _check_status(response: requests.Response) -> None:
    if not 200 <= response.status_code < 300:
        raise ReaderError(f"HTTP {response.status_code}")


def _check_declared_length(response: requests.Response, limits: Limits) -> None:
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limits.url_max_bytes:
        raise ReaderError(f"response larger than {limits.url_max_bytes} bytes")


def _save_body(response: requests.Response, path: str, limits: Limits) -> None:
    deadline = time.monotonic() + limits.url_max_seconds
    received = 0
    with open(path, "wb") as sink:
        for chunk in _chunks(response, limits):
            received += len(chunk)
            if received > limits.url_max_bytes:
                raise ReaderError(f"response larger than {limits.url_max_bytes} bytes")
            if time.monotonic() > deadline:
                raise ReaderError(f"download took longer than {limits.url_max_seconds:g} s")
            sink.write(chunk)


def _chunks(response: requests.Response, limits: Limits) -> Iterator[bytes]:
    """Body bytes as they arrive (``read1``), so a dripping server meets the deadline check.

    ``iter_content`` blocks until a whole chunk has arrived; ``read1`` returns what is there.
    """
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if read1 is None:
        yield from response.iter_content(CHUNK_BYTES)
        return
    while True:
        try:
            chunk = read1(CHUNK_BYTES, decode_content=True)
        except urllib3.exceptions.TimeoutError:
            raise ReaderError(f"timed out after {limits.url_timeout:g} s") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ReaderError(f"connection failed while reading: {_cause(exc)}") from None
        if not chunk:
            return
        yield chunk


def _media_hint(response: requests.Response) -> str | None:
    """Content-Type; when it is generic, the type implied by a Content-Disposition filename."""
    content_type = response.headers.get("Content-Type")
    generic = not content_type or content_type.split(";")[0].strip().lower() == "application/octet-stream"
    disposition = response.headers.get("Content-Disposition")
    if generic and disposition:
        message = Message()
        message["Content-Disposition"] = disposition
        filename = message.get_filename()
        guessed = mimetypes.guess_type(filename)[0] if filename else None
        if guessed:
            return guessed
    return content_type


def _cause(exc: BaseException) -> str:
    """The innermost useful message of a requests/urllib3 exception chain, on one line."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    text = str(reason if reason is not None else exc)
    text = _OBJECT_PREFIX.sub("", " ".join(text.split()))
    return text[:200] or type(exc).__name__
