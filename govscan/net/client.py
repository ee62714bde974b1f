"""The one place govscan talks HTTP to portals: polite, bounded, and never raising on a bad server.

Every request goes through one ``requests.Session`` and:

* names itself (User-Agent ``govscan/<version> (+project URL; contact: …)``) so an admin who
  sees the scan in their logs knows who to ask;
* waits its turn (``HostLimiter``: rate and concurrency per host, robots Crawl-delay);
* reads its URL once (``urls.parse``): the spelling requests will send and the host urllib3 will
  connect to are what the guard and the scope judge, and a URL the parsers read differently
  (``http://evil.example\\@portal.kz/``) is refused — for every caller: links, redirects,
  sitemap entries, portal-API resources, dataset URLs;
* is checked by the SSRF ``Guard`` before the request and again at connect time, and — for
  redirects, which are followed by hand — every hop is checked by the guard and the ``Scope``,
  so a portal cannot bounce the scanner to ``169.254.169.254`` or off site; environment
  proxies are never used (the guard must see the real peer);
* reads the body streamed, at most ``max_bytes_per_response`` bytes (then ``truncated=True``,
  the connection is dropped, nothing more is read), within a wall-clock deadline, and within a
  byte budget for the whole scan;
* retries connection errors, timeouts and 429/502/503/504 with exponential backoff, honouring
  ``Retry-After`` (capped);
* is cached: one URL is fetched once per scan, concurrent callers share the one fetch;
* optionally (``max_decoded_ratio``) stops a Content-Encoding bomb at a decompression ratio, and
  (``whole_bodies``) fails a body over the limit instead of truncating it: the dataset gate's
  settings (``net/download.py``).

Failures come back as ``FetchError`` with a one-line problem (never a traceback, never the body).
"""

from __future__ import annotations

import dataclasses
import os
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import BinaryIO
from urllib.parse import urljoin

import certifi
import requests
import urllib3
from pydantic import Field

from govscan.errors import one_line
from govscan.net.guard import Guard, GuardedAdapter, GuardRefused, Resolver, resolve
from govscan.net.limiter import HostLimiter, host_limiter
from govscan.net.model import FetchError, Response
from govscan.net.scope import Pattern, Scope, host_of, normalise
from govscan.net.urls import NOT_HTTP, UnsafeURL, WebURL, parse
from govscan.net.watchdog import Watch
from govscan.redact import shorten
from govscan.strict import StrictModel

CHUNK_BYTES = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MiB = 1024 * 1024
DEADLINE_GRACE = 1.0  # the socket watchdog fires this long after the deadline the body reader checks


def user_agent() -> str:
    """``govscan/<version> (+project URL)``: who is asking, for the admin reading the access log."""
    try:
        from govscan import __version__
    except ImportError:  # pragma: no cover - the package always defines it
        __version__ = "dev"
    return f"govscan/{__version__} (+https://github.com/govscan/govscan)"


def build_user_agent(contact: str = "") -> str:
    """``user_agent()`` with a contact (e-mail or URL) for the portal's admins, when given."""
    base = user_agent()
    if not contact:
        return base
    contact = " ".join(contact.split())
    if base.endswith(")"):
        return f"{base[:-1]}; contact: {contact})"
    return f"{base} (contact: {contact})"


class ClientSettings(StrictModel):
    """Limits of one scan's HTTP traffic. Defaults suit a small government portal.

    A pydantic model because it is also the client block of a scan config's ``crawl:`` (``contact``,
    ``rate``, ``concurrency``, ``max_bytes_per_response``, ``max_total_bytes``, ``ca_file``): the
    config validates it once and the client takes it as it is, with no copy in between. The other
    fields are set by code (the dataset downloader, the audit's deadline), never by YAML.
    """

    contact: str = Field("", description="e-mail or URL for the portal's admins, put in the User-Agent")
    user_agent: str | None = None  # overrides the whole header; None builds it from ``contact``
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # between bytes
    deadline: float = 60.0  # whole response, per attempt: a server dripping a byte a second ends here
    max_bytes_per_response: int = Field(5 * MiB, ge=1)
    max_total_bytes: int = Field(500 * MiB, ge=1)
    max_redirects: int = 5
    retries: int = 2  # extra attempts after the first
    backoff: float = 1.0  # first retry waits this, then twice as long…
    max_retry_after: float = 60.0  # cap on Retry-After and backoff waits
    ca_file: str | None = Field(None, description="CA bundle for the portal's certificate (e.g. NCA RK roots)")
    rate: float | None = Field(2.0, ge=0, description="requests per second to the host; 0 = no limit")
    concurrency: int = Field(4, ge=1, le=64, description="requests in flight per host (and crawl workers)")
    cache_max_bytes: int = 128 * MiB  # bodies kept for re-use; older entries are dropped past this
    # Content-Encoding bombs: a gzip/deflate body expanding more than this many times over (once
    # past ``decoded_ratio_min_bytes``) is cut with an error; None: bounded by the byte limits only.
    max_decoded_ratio: float | None = None
    decoded_ratio_min_bytes: int = 1 * MiB
    # A body over ``max_bytes_per_response`` (declared or read) is an error, not a truncated
    # response: for callers that need a file whole or not at all (the dataset gate).
    whole_bodies: bool = False
    stop_at: float | None = None  # a ``time.monotonic()`` moment (the audit's deadline): no request runs past it

    @property
    def verify(self) -> bool | str:
        """What requests is told: the CA bundle (added to the public roots, see ``trust_context``) or True."""
        return self.ca_file or True

    def agent(self) -> str:
        return self.user_agent or build_user_agent(self.contact)


@dataclass
class ClientStats:
    """What the client did so far (a copy; the live counters are behind the client's lock)."""

    requests: int = 0  # HTTP requests sent: retries and redirect hops count one each
    bytes_read: int = 0  # body bytes received
    errors: int = 0  # fetches that ended in a FetchError
    retries: int = 0
    cache_hits: int = 0


@dataclass(frozen=True)
class _Raw:
    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    truncated: bool = False


@dataclass(frozen=True)
class _Failure:
    problem: str
    transient: bool = False


class WebClient:
    """GET with limits. ``get(url) -> Response | FetchError``; thread-safe; see the module doc."""

    def __init__(
        self,
        settings: ClientSettings | None = None,
        *,
        scope: Scope | None = None,
        guard: Guard | None = None,
        session: requests.Session | None = None,
        limiter: HostLimiter | None = None,
        budget: ByteBudget | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or ClientSettings()
        self.budget = budget or ByteBudget(self.settings.max_total_bytes)  # share it to bound several clients
        self.scope = scope  # redirects must stay inside it (host/port, exclude patterns)
        self.guard = guard or Guard()
        self.limiter = limiter or host_limiter(self.settings.rate, self.settings.concurrency, sleep=sleep, clock=clock)
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._stats = ClientStats()
        self._cache: OrderedDict[str, Future[Response | FetchError]] = OrderedDict()
        self._cache_bytes = 0
        self._session = session or requests.Session()
        self._session.trust_env = False  # no proxies from the environment: the guard must see the real peer
        pool = max(10, 2 * (self.settings.concurrency or 4))
        self._tls = trust_context(self.settings.verify)
        adapter = GuardedAdapter(
            self.guard, ssl_context=self._tls, pool_connections=pool, pool_maxsize=pool, max_retries=0
        )
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update(
            {
                "User-Agent": self.settings.agent(),
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "kk,ru;q=0.9,en;q=0.5",
                "Accept-Encoding": "gzip, deflate",
            }
        )

    @classmethod
    def for_target(
        cls,
        url: str,
        settings: ClientSettings | None = None,
        *,
        include: tuple[Pattern, ...] = (),
        exclude: tuple[Pattern, ...] = (),
        allow_private: bool = False,
        resolver: Resolver = resolve,
        **kwargs: object,
    ) -> WebClient:
        """A client scoped to ``url``'s site whose guard lets that target's own addresses through."""
        scope = Scope.for_target(url, include, exclude)
        guard = Guard.for_target(url, allow_private=allow_private, resolver=resolver)
        return cls(settings, scope=scope, guard=guard, **kwargs)  # type: ignore[arg-type]

    # -- public ---------------------------------------------------------------------------

    @property
    def stats(self) -> ClientStats:
        with self._lock:
            return ClientStats(**{f.name: getattr(self._stats, f.name) for f in fields(ClientStats)})

    @property
    def cache_size(self) -> int:
        with self._lock:
            return len(self._cache)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> WebClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def download(self, url: str, path: str) -> Response | FetchError:
        """Fetch ``url`` streaming its body into the file ``path`` (a data file: never held in memory).

        Same limits, guard, scope and retries as ``get``; never cached. The returned
        ``Response`` has an empty ``body`` and ``saved_to=path``.
        """
        key = _request_key(url)
        with open(path, "wb") as sink:
            result = self._fetch(key, sink)
        if isinstance(result, FetchError):
            self._count("errors")
            return result
        return dataclasses.replace(result, saved_to=path)

    def probe(self, url: str, headers: dict[str, str]) -> Response | FetchError:
        """One uncached GET with extra request headers (a CORS probe's ``Origin``)."""
        key = _request_key(url)
        result = self._fetch(key, headers=headers)
        if isinstance(result, FetchError):
            self._count("errors")
        return result

    def get(self, url: str, *, use_cache: bool = True) -> Response | FetchError:
        """Fetch ``url`` (exactly as given, fragment aside: probes need their odd paths intact).

        Redirects are followed by hand; ``Response.redirects`` lists the URLs that answered with
        one, in order (the first is ``url``), ``final_url`` the one that answered last.
        """
        key = _request_key(url)
        if not use_cache:
            return self._counted(key)
        with self._lock:
            future = self._cache.get(key)
            owner = future is None
            if future is None:
                future = self._cache[key] = Future()
            else:
                self._cache.move_to_end(key)
                self._stats.cache_hits += 1
        if not owner:
            return future.result()
        try:
            result = self._counted(key)
        except BaseException:
            with self._lock:
                self._cache.pop(key, None)
            future.set_result(FetchError(key, "internal error while fetching"))
            raise
        future.set_result(result)
        self._remember(key, result)
        return result

    # -- cache ----------------------------------------------------------------------------

    def _remember(self, key: str, result: Response | FetchError) -> None:
        if not isinstance(result, Response):
            return
        with self._lock:
            self._cache_bytes += len(result.body)
            while self._cache_bytes > self.settings.cache_max_bytes and len(self._cache) > 1:
                old_key, old = next(iter(self._cache.items()))
                if not old.done() or old_key == key:
                    break
                del self._cache[old_key]
                dropped = old.result()
                if isinstance(dropped, Response):
                    self._cache_bytes -= len(dropped.body)

    # -- fetching -------------------------------------------------------------------------

    def _count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self._stats, name, getattr(self._stats, name) + amount)

    def _counted(self, url: str) -> Response | FetchError:
        result = self._fetch(url)
        if isinstance(result, FetchError):
            self._count("errors")
        return result

    def _fetch(
        self, url: str, sink: BinaryIO | None = None, headers: dict[str, str] | None = None
    ) -> Response | FetchError:
        started = self._clock()
        try:
            first = parse(url)  # the one reading of the URL: what requests sends, where urllib3 connects
        except UnsafeURL as exc:
            return FetchError(url, str(exc) if str(exc) == NOT_HTTP else f"refused: {exc}")
        problem = self.guard.check(first) or (self.scope.off_site(first.url) if self.scope else None)
        if problem:
            return FetchError(url, f"refused: {problem}")
        current = first.url
        hops: list[str] = []
        visited = {normalise(current) or current}
        while True:
            raw = self._with_retries(current, sink, headers)
            if isinstance(raw, _Failure):
                return FetchError(url, raw.problem)
            location = _header(raw.headers, "location")
            if raw.status not in REDIRECT_STATUSES or not location:
                return Response(
                    url=url,
                    status=raw.status,
                    headers=raw.headers,
                    body=raw.body,
                    final_url=current,
                    redirects=tuple(hops),
                    truncated=raw.truncated,
                    elapsed=self._clock() - started,
                )
            try:
                joined = urljoin(current, location.strip())
            except ValueError:
                return FetchError(url, f"redirect to a malformed URL refused: {one_line(location, 100)}")
            hops.append(current)
            hop = self._next_hop(joined, visited, len(hops))
            if isinstance(hop, str):
                return FetchError(url, hop)
            visited.add(normalise(hop.url) or hop.url)
            current = hop.url

    def _next_hop(self, joined: str, visited: set[str], hops: int) -> WebURL | str:
        """The redirect target as it will be requested, or why it is not followed.

        Limits, loops, the URL parsers' agreement, the guard and the scope are checked on the
        one reading of the Location (``urls.parse``), which is also the URL then requested.
        """
        shown = one_line(joined, 200)
        try:
            target = parse(joined)
        except UnsafeURL as exc:
            if str(exc) == NOT_HTTP:
                return f"redirect to a non-http URL refused: {shown}"
            return f"redirect to {shown} refused: {exc}"
        if (normalise(target.url) or target.url) in visited:
            return f"redirect loop at {shown}"
        if hops > self.settings.max_redirects:
            return f"more than {self.settings.max_redirects} redirects"
        problem = self.guard.check(target)
        if problem:
            return f"redirect to {shown} refused: {problem}"
        if self.scope is not None:
            problem = self.scope.redirect_problem(target.url)
            if problem:
                return f"redirect to {shown} refused: outside scope ({problem})"
        return target

    def _with_retries(
        self, url: str, sink: BinaryIO | None = None, headers: dict[str, str] | None = None
    ) -> _Raw | _Failure:
        settings = self.settings
        attempt = 0
        while True:
            if sink is not None:  # a failed attempt may have written part of a body
                sink.seek(0)
                sink.truncate()
            result = self._attempt(url, sink, headers)
            if attempt >= settings.retries:
                return result
            if isinstance(result, _Raw) and result.status in RETRY_STATUSES:
                wait = retry_after_seconds(_header(result.headers, "retry-after"))
                if wait is None:
                    wait = settings.backoff * 2**attempt
            elif isinstance(result, _Failure) and result.transient:
                wait = settings.backoff * 2**attempt
            else:
                return result
            if settings.stop_at is not None and time.monotonic() + wait >= settings.stop_at:
                return result  # the retry would start past the audit's deadline
            self._count("retries")
            self._sleep(min(wait, settings.max_retry_after))
            attempt += 1

    def _attempt(
        self, url: str, sink: BinaryIO | None = None, headers: dict[str, str] | None = None
    ) -> _Raw | _Failure:
        """One request within the wall-clock deadline, enforced on the socket (see ``watchdog``).

        The deadline is the per-response one, or what is left until ``stop_at`` when that is sooner.
        """
        seconds = self._seconds_left()
        if seconds <= 0:
            return _Failure("not fetched: the audit's deadline has passed")
        with Watch(seconds + DEADLINE_GRACE) as watch:
            result = self._attempt_once(url, sink, headers, seconds)
        if watch.expired and isinstance(result, _Failure):
            return self._too_slow(seconds)
        return result

    def _too_slow(self, seconds: float) -> _Failure:
        if seconds < self.settings.deadline:
            return _Failure("the audit's deadline passed while the response was being read", transient=False)
        return _Failure(f"response took longer than {seconds:g} s", transient=False)

    def _seconds_left(self) -> float:
        stop_at = self.settings.stop_at
        if stop_at is None:
            return self.settings.deadline
        return min(self.settings.deadline, stop_at - time.monotonic())

    def _attempt_once(
        self, url: str, sink: BinaryIO | None = None, headers: dict[str, str] | None = None, seconds: float = 0.0
    ) -> _Raw | _Failure:
        settings = self.settings
        seconds = seconds or settings.deadline
        if self._spent():
            return _Failure(f"scan byte budget of {settings.max_total_bytes} bytes is spent")
        try:
            with self.limiter.slot(host_of(url)):
                self._count("requests")
                deadline = self._clock() + seconds
                with self._session.get(
                    url,
                    headers=headers,
                    stream=True,
                    allow_redirects=False,
                    timeout=(settings.connect_timeout, settings.read_timeout),
                    verify=True if self._tls is not None else settings.verify,  # the CA file is in the context
                ) as reply:
                    headers = _headers(reply)
                    if reply.status_code in REDIRECT_STATUSES:
                        return _Raw(url, reply.status_code, headers)
                    limit = settings.max_bytes_per_response
                    if settings.whole_bodies and _declared_length(reply) > limit:
                        return _Failure(f"response larger than {limit} bytes")
                    body, truncated = self._read_body(reply, deadline, sink)
                    if truncated and settings.whole_bodies:
                        return _Failure(self._cut_reason())
                    return _Raw(url, reply.status_code, headers, body, truncated)
        except _Bomb:
            return _Failure(
                f"body expands more than {settings.max_decoded_ratio:g}:1 when decompressed "
                "(Content-Encoding bomb?); rest skipped"
            )
        except _Deadline:
            return self._too_slow(seconds)
        except requests.exceptions.SSLError as exc:
            return _Failure(
                f"TLS failure: {_cause(exc)} (ca_file: {settings.ca_file or 'none'}; a portal signed by the national "
                "root CA needs its bundle: --ca-file, or ca_file in the scan config)"
            )
        except requests.exceptions.ConnectTimeout:
            return _Failure(f"connect timed out after {settings.connect_timeout:g} s", transient=True)
        except (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError):
            return _Failure(f"read timed out after {settings.read_timeout:g} s", transient=True)
        except requests.exceptions.ConnectionError as exc:
            refused = _find(exc, GuardRefused)
            if refused is not None:
                return _Failure(f"refused: {_cause(refused)}")
            return _Failure(f"connection failed: {_cause(exc)}", transient=True)
        except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError, ConnectionError) as exc:
            return _Failure(f"connection broke while reading: {_cause(exc)}", transient=True)
        except requests.exceptions.ContentDecodingError as exc:
            return _Failure(f"cannot decode the body: {_cause(exc)}")
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            return _Failure(f"request failed: {_cause(exc)}")
        except ValueError as exc:  # e.g. a Location header requests cannot parse ("http://[::1")
            return _Failure(f"malformed answer: {_cause(exc)}")

    def _spent(self) -> bool:
        return self.budget.spent

    def _cut_reason(self) -> str:
        if self._spent():
            return f"scan byte budget of {self.settings.max_total_bytes} bytes is spent"
        return f"response larger than {self.settings.max_bytes_per_response} bytes"

    def _take(self, wanted: int) -> int:
        """Reserve up to ``wanted`` bytes of the scan budget; the caller returns what it did not use."""
        granted = self.budget.take(wanted)
        self._count("bytes_read", granted)
        return granted

    def _give_back(self, unused: int) -> None:
        if unused:
            self.budget.give_back(unused)
            self._count("bytes_read", -unused)

    def _read_body(self, reply: requests.Response, deadline: float, sink: BinaryIO | None = None) -> tuple[bytes, bool]:
        """Read at most the per-response limit (and what is left of the budget), never a byte more.

        With a ``sink`` the chunks go to it (a download) and the returned body is empty.

        ``read1`` returns whatever has arrived, so a dripping server meets the deadline check;
        urllib3 caps decompressed output at the amount asked for, so a gzip bomb is bounded too,
        and with ``max_decoded_ratio`` it ends early (``_check_ratio``).
        """
        limit = self.settings.max_bytes_per_response
        read1 = getattr(reply.raw, "read1", None)
        chunks: list[bytes] = []
        received = 0
        while True:
            if self._clock() > deadline:
                raise _Deadline
            want = min(CHUNK_BYTES, limit - received)
            if want <= 0:
                declared = reply.headers.get("content-length", "")
                exact = (
                    declared.isascii()
                    and declared.isdigit()
                    and int(declared) == received
                    and not reply.headers.get("content-encoding")
                )
                return b"".join(chunks), not exact
            granted = self._take(want)
            if granted <= 0:
                return b"".join(chunks), True
            chunk = b""
            try:
                chunk = read1(granted, decode_content=True) if read1 else reply.raw.read(granted, decode_content=True)
            finally:
                self._give_back(granted - len(chunk))
            if not chunk:
                return b"".join(chunks), False
            if sink is not None:
                sink.write(chunk)
            else:
                chunks.append(chunk)
            received += len(chunk)
            self._check_ratio(reply, received)

    def _check_ratio(self, reply: requests.Response, decoded: int) -> None:
        """Raise ``_Bomb`` when the decoded body outgrows what came over the wire by the ratio limit.

        ``reply.raw.tell()`` counts the bytes read from the socket (compressed), so a few KiB of
        gzip that inflate to gigabytes stop here, as archive members stop at ``archive_max_ratio``.
        """
        ratio = self.settings.max_decoded_ratio
        if not ratio or decoded <= self.settings.decoded_ratio_min_bytes:
            return
        tell = getattr(reply.raw, "tell", None)
        wire = tell() if callable(tell) else None
        if isinstance(wire, int) and decoded > max(wire, 1) * ratio:
            raise _Bomb


def trust_context(verify: bool | str) -> ssl.SSLContext | None:
    """For a CA bundle path: a context trusting the public roots (certifi's, as requests does) *and* it.

    requests' ``verify=path`` replaces the public roots, so a portal signed by the national CA
    would work while the storage host it redirects to, with a public certificate, would fail.
    ``--ca-file`` adds anchors, as it does for ``govscan tls``. None: requests' own handling.
    """
    if not isinstance(verify, str):
        return None
    context = ssl.create_default_context(cafile=certifi.where())
    try:
        if os.path.isdir(verify):
            context.load_verify_locations(capath=verify)
        else:
            context.load_verify_locations(cafile=verify)
    except (OSError, ssl.SSLError, ValueError):
        return None  # not a readable bundle: requests then fails each https request with one line
    return context


def _request_key(url: str) -> str:
    """The URL as requested and cached: exactly as given (probes need their odd paths), no fragment."""
    return url.strip().split("#", 1)[0]


class ByteBudget:
    """Bytes a scan may still read from a site, shared by the clients that fetch from it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    @property
    def spent(self) -> bool:
        with self._lock:
            return self.used >= self.limit

    def take(self, wanted: int) -> int:
        with self._lock:
            granted = max(0, min(wanted, self.limit - self.used))
            self.used += granted
            return granted

    def give_back(self, unused: int) -> None:
        with self._lock:
            self.used -= unused


class _Deadline(Exception):
    pass


class _Bomb(Exception):
    """The decoded body outgrew the wire bytes by more than ``max_decoded_ratio``."""


def _declared_length(reply: requests.Response) -> int:
    """Content-Length as a number, -1 when absent or not one."""
    declared = reply.headers.get("content-length", "").strip()
    return int(declared) if declared.isascii() and declared.isdigit() else -1


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks to wait (delta-seconds or an HTTP date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _headers(reply: requests.Response) -> tuple[tuple[str, str], ...]:
    raw_headers = getattr(reply.raw, "headers", None)
    iteritems = getattr(raw_headers, "iteritems", None)
    pairs = iteritems() if iteritems is not None else reply.headers.items()
    return tuple((str(k), str(v)) for k, v in pairs)


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """The first ``kind`` in an exception's args/reason/cause chain (requests wraps urllib3 wraps…)."""
    stack: list[object] = [exc]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kind):
            return item
        stack.extend(item.args)
        stack.extend((getattr(item, "reason", None), item.__cause__, item.__context__))
    return None


def _cause(exc: BaseException) -> str:
    """A one-line, bounded description of an exception (the innermost reason when there is one)."""
    reason: object = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    text = str(reason if reason is not None else exc)
    text = " ".join(text.split())
    if ": " in text and text.startswith("<"):
        text = text.split(": ", 1)[1]
    return shorten(text, 200) or type(exc).__name__
