"""Judge a ``Response`` against an ``exposure:`` rule's matchers: pure functions, no I/O.

Bodies are read as latin-1 so every byte is one character: a zip's ``PK\\x03\\x04`` magic and
a SQL dump's ``CREATE TABLE`` are matched by the same kind of pattern, and a body in any
charset never fails to decode. Only a bounded prefix is searched, so a 50 MB dump that a
client did not truncate still costs one regex pass over a few hundred kilobytes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from govscan.net.model import Response
from govscan.redact import shorten
from govscan.rules.probe import Matcher, ProbeGroup

BODY_SCAN_LIMIT = 256 * 1024
EVIDENCE_ITEM_CHARS = 60
EVIDENCE_MAX_ITEMS = 8
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]+")


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def body_text(response: Response, limit: int = BODY_SCAN_LIMIT) -> str:
    """The first ``limit`` bytes of the body, one character per byte."""
    return response.body[:limit].decode("latin-1")


def _media_type_ok(wanted: list[str], actual: str) -> bool:
    for media in wanted:
        if media.endswith("/*") and actual.startswith(media[:-1]):
            return True
        if media == actual:
            return True
    return False


def _header_ok(matcher: Matcher, response: Response) -> bool:
    if matcher.header is not None:
        values = response.header_all(matcher.header)
        if not values:
            return False
        if matcher.header_regex is None:
            return True
        pattern = _compiled(matcher.header_regex)
        return any(pattern.search(value) for value in values)
    if matcher.header_regex is not None:
        pattern = _compiled(matcher.header_regex)
        return any(pattern.search(f"{name}: {value}") for name, value in response.headers)
    return True


def matches(matcher: Matcher, response: Response, *, limit: int = BODY_SCAN_LIMIT, text: str | None = None) -> bool:
    """Whether every condition the matcher states holds; ``text`` saves decoding the body again."""
    if matcher.status and response.status not in matcher.status:
        return False
    if matcher.min_bytes is not None and len(response.body) < matcher.min_bytes:
        return False
    if matcher.media_types and not _media_type_ok(matcher.media_types, response.media_type):
        return False
    if not _header_ok(matcher, response):
        return False
    if matcher.body_regex is not None or matcher.not_body_regex is not None:
        body = body_text(response, limit) if text is None else text
        if matcher.body_regex is not None and not _compiled(matcher.body_regex).search(body):
            return False
        if matcher.not_body_regex is not None and _compiled(matcher.not_body_regex).search(body):
            return False
    return True


def group_matches(group: ProbeGroup, response: Response, *, limit: int = BODY_SCAN_LIMIT) -> bool:
    """Whether a response proves a probe group: all of its matchers, or any with ``condition: any``."""
    text = body_text(response, limit)
    results = (matches(m, response, limit=limit, text=text) for m in group.matchers)
    return any(results) if group.condition == "any" else all(results)


def _clean(fragment: str) -> str:
    """A quotable fragment: latin-1 undone to UTF-8 where it was UTF-8, control bytes dropped, bounded."""
    try:
        fragment = fragment.encode("latin-1").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        pass
    fragment = _UNPRINTABLE.sub(" ", fragment).strip()
    return shorten(fragment, EVIDENCE_ITEM_CHARS)  # masked before the cut


def evidence_captures(
    pattern: str | None, response: Response, *, every: bool = False, limit: int = BODY_SCAN_LIMIT
) -> list[str]:
    """What a rule allows to be quoted from a hit: group 1 of ``pattern`` (or the whole match).

    With ``every`` all distinct captures in body order (at most ``EVIDENCE_MAX_ITEMS``), else the
    first. The rule author chooses the pattern so that it never reaches a secret's value.
    """
    if pattern is None:
        return []
    compiled = _compiled(pattern)
    seen: list[str] = []
    for match in compiled.finditer(body_text(response, limit)):
        fragment = _clean(match.group(1) if compiled.groups else match.group(0))
        if fragment and fragment not in seen:
            seen.append(fragment)
        if seen and (not every or len(seen) >= EVIDENCE_MAX_ITEMS):
            break
    return seen
