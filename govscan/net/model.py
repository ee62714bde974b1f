"""What a fetch left behind, as plain data: checks and probes judge these, never a live socket.

The client (``net/client.py``) is the only code that talks to the network; header, cookie,
form and probe checks are pure functions of a ``Response`` (sslyze's split of I/O and analysis).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Response:
    """One HTTP exchange, body bounded by the client's byte limit.

    ``headers`` keeps every header line (``Set-Cookie`` repeats) as ``(name, value)`` pairs in
    the order received; ``header()`` looks one up case-insensitively. ``url`` is the URL asked
    for, ``final_url`` where the redirects (if followed) ended; ``redirects`` the hops between.
    """

    url: str
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    final_url: str = ""
    redirects: tuple[str, ...] = ()
    truncated: bool = False  # the body hit the byte limit
    elapsed: float = 0.0
    saved_to: str | None = None  # a download: the body is in this file, not in ``body``

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        lower = name.lower()
        return [value for key, value in self.headers if key.lower() == lower]

    @property
    def media_type(self) -> str:
        value = self.header("content-type") or ""
        return value.split(";", 1)[0].strip().lower()

    @property
    def where(self) -> str:
        return self.final_url or self.url

    def text(self, limit: int | None = None) -> str:
        """The body decoded leniently (charset from Content-Type, else UTF-8 with replacement)."""
        charset = "utf-8"
        for part in (self.header("content-type") or "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"' ")
        body = self.body if limit is None else self.body[:limit]
        try:
            return body.decode(charset, errors="replace")
        except (LookupError, UnicodeError):  # unknown charset, or one like idna that cannot "replace"
            return body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class FetchError:
    """A fetch that produced no response: timeout, reset, refused, blocked by the SSRF guard…"""

    url: str
    problem: str  # one line, no secrets

    def __str__(self) -> str:
        return f"{self.url}: {self.problem}"


@dataclass
class Page:
    """A crawled HTML page with what the crawler extracted from it."""

    response: Response
    depth: int
    links: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    subresources: list[str] = field(default_factory=list)  # src/href of scripts, images, styles, iframes


@dataclass(frozen=True)
class FormField:
    name: str
    type: str = "text"
    label: str = ""  # placeholder / aria-label / <label for> text, whatever names the field


@dataclass(frozen=True)
class Form:
    page_url: str
    action: str  # absolute URL the form posts to
    method: str = "get"
    fields: tuple[FormField, ...] = ()
