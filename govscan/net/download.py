"""Dataset URLs (``govscan check URL``, ``datasets:`` in a scan) fetched through the guarded client.

A thin adapter over ``govscan.net.client.WebClient``, so a dataset URL gets what every other
request gets: the SSRF guard before the request and at connect time, redirects followed by hand
with the guard on every hop, no proxies from the environment, the per-host rate limit, a byte
budget, retries with backoff, one reading of the URL (``net.urls``) and ``--ca-file``. What is
particular to a dataset:

* the target's own address is allowed (a ``check`` of ``http://127.0.0.1:8000/x.csv`` works),
  on its own port only; a redirect may leave the site (portals hand files out from a storage
  host), but never to a non-public address;
* the body is wanted whole: over ``url_max_bytes`` (declared or read) is an error, not a
  truncated file; a Content-Encoding bomb stops at ``archive_max_ratio``, as archives do.

Every failure is a one-line ``ReaderError`` (``HTTP 404``, ``read timed out after 30 s``,
``refused: …``, ``response larger than … bytes``) that ``expand_inputs`` reports as a
``ReadError`` for the URL.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from email.message import Message

from govscan.model import SourceAsset
from govscan.net.client import ByteBudget, ClientSettings, WebClient, user_agent
from govscan.net.guard import Guard, Resolver, resolve
from govscan.net.limiter import host_limiter
from govscan.net.model import FetchError, Response
from govscan.readers.limits import DEFAULT_LIMITS, Limits, ReaderError

__all__ = ["Downloader", "download", "user_agent"]

CONNECT_TIMEOUT = 10.0
BUDGET_FILES = 10  # a run's byte budget: this many maximal files (10 GiB with the default limits)


class Downloader:
    """Fetches the dataset URLs of one run (a ``check``, one dataset of a scan) into temp files.

    One per run, so the URLs of a run share the per-host rate limit and the byte budget.
    ``ca_file``: the CA bundle that signs the portals (the national root CA for ``*.gov.kz``).
    """

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        ca_file: str | None = None,
        resolver: Resolver = resolve,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.limits = limits or DEFAULT_LIMITS
        self.resolver = resolver
        self.settings = ClientSettings(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=self.limits.url_timeout,
            deadline=self.limits.url_max_seconds,
            max_bytes_per_response=self.limits.url_max_bytes,
            max_total_bytes=BUDGET_FILES * self.limits.url_max_bytes,
            ca_file=ca_file,
            max_decoded_ratio=self.limits.archive_max_ratio,
            decoded_ratio_min_bytes=self.limits.archive_ratio_min_bytes,
            whole_bodies=True,
        )
        self.sleep = sleep or time.sleep  # looked up now, so a test may stand in for it
        self.limiter = host_limiter(self.settings.rate, self.settings.concurrency, sleep=self.sleep)
        self.budget = ByteBudget(self.settings.max_total_bytes)

    def client(self, url: str) -> WebClient:
        """A client for one dataset URL: its guard allows the URL's own address and port, no scope."""
        guard = Guard.for_target(url, resolver=self.resolver)
        return WebClient(self.settings, guard=guard, limiter=self.limiter, budget=self.budget, sleep=self.sleep)

    def download(self, url: str) -> SourceAsset:
        """Download ``url`` into a fresh temp directory owned by the returned asset.

        The caller releases it (``with asset:`` or ``asset.release()``); on failure nothing is
        left behind and ``ReaderError`` is raised.
        """
        directory = tempfile.mkdtemp(prefix="govscan-url-")
        path = os.path.join(directory, "body")
        try:
            with self.client(url) as client:
                answer = client.download(url, path)
            media_hint = _media_hint(_ok(answer))
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return SourceAsset(uri=url, path=path, media_hint=media_hint, cleanup_dir=directory)


def download(
    url: str,
    limits: Limits | None = None,
    *,
    ca_file: str | None = None,
    resolver: Resolver = resolve,
    sleep: Callable[[float], None] | None = None,
) -> SourceAsset:
    """One URL on its own: ``Downloader(…).download(url)``."""
    return Downloader(limits, ca_file=ca_file, resolver=resolver, sleep=sleep).download(url)


def _ok(answer: Response | FetchError) -> Response:
    if isinstance(answer, FetchError):
        raise ReaderError(answer.problem)
    if not 200 <= answer.status < 300:
        raise ReaderError(f"HTTP {answer.status}")
    return answer


def _media_hint(response: Response) -> str | None:
    """Content-Type; when it is generic, the type implied by a Content-Disposition filename."""
    content_type = response.header("content-type")
    generic = not content_type or content_type.split(";")[0].strip().lower() == "application/octet-stream"
    disposition = response.header("content-disposition")
    if generic and disposition:
        message = Message()
        message["Content-Disposition"] = disposition
        filename = message.get_filename()
        guessed = mimetypes.guess_type(filename)[0] if filename else None
        if guessed:
            return guessed
    return content_type
