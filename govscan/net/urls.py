"""One reading of a URL: the one the library that connects (requests → urllib3) will act on.

Two URL parsers that disagree are a scope escape. ``http://evil.example\\@portal.kz/x``:
``urllib.parse.urlsplit`` reads the host as ``portal.kz`` (the backslash is just a character of
the user info), urllib3 ends the authority at the backslash and connects to ``evil.example``.
A guard or scope that judged the first reading while the request went to the second would let a
link, a redirect or a CKAN resource URL send the scanner anywhere.

The form chosen: the URL **exactly as requests will send it** — ``PreparedRequest.prepare_url``
(urllib3's ``parse_url``, IDNA, re-quoting), without the fragment — computed once by
:func:`parse`. The guard, the scope, the rate limiter and the request itself all use that one
string (requests prepares it again and gets it back unchanged: it is a fixed point), and the
host they judge is the one both ``urlsplit`` (requests' adapter picks the connection pool with
``urlparse``) and urllib3's ``parse_url`` read from it — they must agree. Normalising to some
third form (a browser's WHATWG reading, say) would still leave requests to re-parse it its own
way, so the connecting library's reading is the only one that cannot drift from the connection.

Where parsers disagree the URL is refused, never repaired (a repaired URL is a guess at which
host was meant):

* an ASCII control character anywhere (``urlsplit`` silently drops tab, CR and LF; urllib3 keeps
  them and requests sends them percent-encoded);
* a backslash or whitespace in the authority (where the authority ends, and so what the host
  is, depends on the parser), or a percent sign in the host (requests decodes ``%2e``, urlsplit
  does not; a percent-encoded password in the user info is fine);
* ``urlsplit`` and urllib3 disagreeing on the scheme, host or port of the prepared form;
* a prepared form that changes when prepared again (not a fixed point);
* a host that is not an ASCII DNS name or an IP literal once IDNA-encoded.

User info (``http://user:pass@host/``) is allowed when both parsers agree on the host: a target
URL may carry credentials, and ``http://portal.kz@evil.example/`` is judged as ``evil.example``
by every reading.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from requests.exceptions import RequestException
from requests.models import PreparedRequest
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
NOT_HTTP = "not an http(s) URL"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_AUTHORITY_TRAPS = re.compile(r"[\\\s]")
_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
_IPV6 = re.compile(r"\[[0-9a-f:.]+\]")


class UnsafeURL(ValueError):
    """A URL govscan will not fetch; the message is one line that follows ``refused: ``."""


@dataclass(frozen=True)
class WebURL:
    """A URL as it will be requested: ``url`` is the string sent, the rest is read from it."""

    url: str
    scheme: str
    host: str  # ASCII, lower case; an IPv6 literal without brackets
    port: int  # the effective port (80/443 when the URL names none)

    @property
    def site(self) -> str:
        """``host:port`` as one string, for messages."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse(url: str) -> WebURL:
    """The one reading of ``url`` that guard, scope and connection share; ``UnsafeURL`` when there is none."""
    return _parse(url.strip(" \t\r\n\f\v"))


def canonical(url: str) -> str | None:
    """``parse(url).url``, or None when the URL is refused."""
    try:
        return parse(url).url
    except UnsafeURL:
        return None


@functools.lru_cache(maxsize=8192)
def _parse(text: str) -> WebURL:
    if _CONTROL.search(text):
        raise UnsafeURL("control character in the URL")
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme not in SCHEMES:
        raise UnsafeURL(NOT_HTTP)
    try:
        split_authority = urlsplit(text).netloc
        connect_authority = _authority(text)
    except ValueError:  # urlsplit refuses e.g. a bad IPv6 literal or NFKC tricks in the host
        raise UnsafeURL("malformed URL") from None
    for authority in (split_authority, connect_authority):
        if _AUTHORITY_TRAPS.search(authority):
            raise UnsafeURL("backslash or whitespace in the host part")
        if "%" in authority.rpartition("@")[2]:
            raise UnsafeURL("percent-encoded host")
    prepared = _prepare(text)
    again = _prepare(prepared)
    if again != prepared:
        raise UnsafeURL("URL changes when prepared again (encoded dot segments?)")
    return _agreed(prepared)


def _authority(text: str) -> str:
    """The authority as urllib3 delimits it: up to the first ``/``, ``\\``, ``?`` or ``#``."""
    rest = text.split(":", 1)[1]
    if not rest.startswith("//"):
        return ""
    return re.split(r"[/\\?#]", rest[2:], maxsplit=1)[0]


def _prepare(text: str) -> str:
    request = PreparedRequest()
    try:
        request.prepare_url(text, None)
    except (RequestException, LocationParseError, ValueError, UnicodeError):
        raise UnsafeURL("malformed URL") from None
    return str(request.url).split("#", 1)[0]


def _agreed(prepared: str) -> WebURL:
    """Read the prepared URL with both parsers; refuse it unless they say the same."""
    try:
        split = urlsplit(prepared)
        split_port = split.port
        connect = parse_url(prepared)
    except (ValueError, LocationParseError):
        raise UnsafeURL("malformed URL") from None
    scheme = (connect.scheme or "").lower()
    host = (connect.host or "").lower()
    if scheme not in SCHEMES or not host:
        raise UnsafeURL("URL has no host")
    if not (_NAME.fullmatch(host) or _IPV6.fullmatch(host)):
        raise UnsafeURL("host is not a DNS name or an IP address")
    bare = host.strip("[]")
    port = connect.port or DEFAULT_PORTS[scheme]
    if (split.scheme.lower(), (split.hostname or "").lower(), split_port or DEFAULT_PORTS[scheme]) != (
        scheme,
        bare,
        port,
    ):
        raise UnsafeURL("URL parsers disagree on the host")
    return WebURL(url=prepared, scheme=scheme, host=bare, port=port)
