"""The one place that decides what text may leave the process.

govscan reads names and content it does not control: file names (``spravka_<IIN>.csv``), archive
members, sheet names, column headers, JSON keys, URL paths and queries, certificate subjects,
banners. Everything built from them passes through this module before it reaches a report, the
database, a baseline or a terminal:

* ``mask_identifiers`` masks twelve-digit identifiers (IIN/BIN) in every spelling — contiguous or
  grouped by spaces, dots, dashes, underscores or their percent-encodings — keeping four leading
  and two trailing digits, like evidence;
* ``public_uri`` also drops ``user:password@`` and masks the values of secret-looking query
  parameters (``token``, ``apiKey``, ``sig``…), keeping the other parameters so that two datasets
  of one endpoint (``?page=1``, ``?page=2``) stay two assets;
* ``public_text`` applies ``public_uri`` to every URL inside a message, then masks identifiers;
* ``public_json`` does it to every string of a JSON-like value (TLS summaries, sslyze's raw result),
  withholding the PEM of a certificate whose names carried an identifier (base64 would hide it);
* ``terminal_line`` makes a line safe for a terminal: masked, escape sequences and bidi overrides
  shown as ``\\u001b``/``\\u202e`` rather than obeyed, and clipped around an ellipsis.

``redact`` stays the stricter scrub for parser error messages, which quote raw data.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, unquote_plus

# Six or more digits, possibly grouped ("710 508 363 018", "+7 701 123-45-67"), and e-mails.
_NUMBER = re.compile(r"(?<![0-9])\+?[0-9](?:[ \-()]?[0-9]){5,}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def redact(text: str) -> str:
    """``… {"iin": 710508363018x} …`` → ``… {"iin": ############x} …``."""
    text = _EMAIL.sub("***@***", text)
    return _NUMBER.sub(lambda m: re.sub(r"[0-9]", "#", m.group()), text)


# --- identifiers ----------------------------------------------------------------------------------

IDENTIFIER_DIGITS = 12
KEEP_HEAD, KEEP_TAIL = 4, 2
# What may stand between two digits of one identifier: a character (or its percent-escape), up to MAX_GAP,
# visible or not — a zero-width space, soft hyphen or line break leaves the digits readable as one run.
_SEPARATORS = frozenset(
    " \u00a0\u2009\u202f._+-\u2010\u2011\u2013\t\n\u00ad\u200b\u200c\u200d\u2060\ufeff"
    "\u3000\uff0e\uff0d\uff3f"  # the ideographic space and full-width . - _ that come with full-width digits
) | {"\r\n"}
# How many separators may stand together between two digits of one identifier: aligned by hand
# ("450420  320289"), or spaced around a dash ("4504 - 2032 - 0289"). More and they are two numbers.
MAX_GAP = 3
# One token: a line break, a percent-escaped character (a UTF-8 sequence is one character: a
# full-width digit is %EF%BC%91), or any one character. A percent-escaped digit is a digit.
_TOKEN = re.compile(r"\r\n|%[C-Fc-f][0-9A-Fa-f](?:%[89ABab][0-9A-Fa-f]){1,3}|%[0-9A-Fa-f]{2}|.", re.DOTALL)
_HEX_WORD = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]+(?![0-9A-Za-z])")
_IPV4 = re.compile(r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}\.[0-9]{3}")
_DIGEST_LENGTHS = frozenset({32, 40, 64, 128})  # MD5, SHA-1, SHA-256, SHA-512 in hex: fingerprints, not names


def mask_identifiers(text: str) -> str:
    """Every run of twelve digits, contiguous or grouped, with its middle six digits starred.

    ``spravka_900101300017.csv`` → ``spravka_9001******17.csv``; ``580.412.487.546`` →
    ``580.4**.***.*46``; ``160402%20513597`` → ``1604**%20****97``. Longer digit runs (a card
    number, a 13-digit id) are left to their own recognizers; a dotted IPv4 address and hex digests
    are not identifiers. Idempotent: a masked text has no twelve-digit run left.
    """
    if sum(ch.isdecimal() for ch in text) < IDENTIFIER_DIGITS:
        return text  # the common case, decided without tokenising
    tokens = _TOKEN.findall(text)
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    kinds = [_kind(_decoded(t)) for t in tokens]
    masked = list(tokens)
    i, n = 0, len(tokens)
    while i < n:
        if kinds[i] != "d" or (i > 0 and kinds[i - 1] == "d"):
            i += 1
            continue
        digits, j = [i], i + 1
        while len(digits) < IDENTIFIER_DIGITS and j < n:
            if kinds[j] == "d":
                digits.append(j)
                j += 1
            elif kinds[j] == "s":
                gap = j
                while gap < n and kinds[gap] == "s" and gap - j < MAX_GAP:
                    gap += 1
                if gap < n and kinds[gap] == "d":
                    j = gap
                else:
                    break
            else:
                break
        whole = len(digits) == IDENTIFIER_DIGITS and (j >= n or kinds[j] != "d")
        if whole and not _exempt("".join(tokens[i:j]), text, offsets[i]):
            for k, index in enumerate(digits):
                if KEEP_HEAD <= k < IDENTIFIER_DIGITS - KEEP_TAIL:
                    masked[index] = "*"
            i = j
        else:
            i += 1
    return "".join(masked)


def _decoded(token: str) -> str:
    return unquote(token, errors="replace") if len(token) > 2 and token[0] == "%" else token


def _kind(char: str) -> str:
    """``d`` a digit, ``s`` what may separate two digits of one identifier, ``o`` anything else."""
    if len(char) == 1 and char.isdecimal():
        return "d"
    return "s" if char in _SEPARATORS else "o"


def _exempt(span: str, text: str, offset: int) -> bool:
    """A dotted IPv4 address (every octet ≤ 255: no IIN of a living person is one) or a hex digest."""
    if _IPV4.fullmatch(span) and all(int(octet) <= 255 for octet in span.split(".")):
        return True
    if not span.isdecimal():
        return False
    for word in _HEX_WORD.finditer(text, max(0, offset - 128), min(len(text), offset + len(span) + 128)):
        if word.start() <= offset and word.end() >= offset + len(span):
            return len(word.group()) in _DIGEST_LENGTHS and not word.group().isdecimal()
    return False


# --- URLs -----------------------------------------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s<>\"'`]+")
_JWT = re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]+")
SECRET_VALUE = "***"  # noqa: S105 - what a secret is replaced with
# Query parameter names (lower-cased, punctuation removed) whose values are credentials.
_SECRET_NAMES = frozenset({"key", "pass", "pwd", "sig", "sid", "auth", "hmac", "otp", "ticket", "bearer", "jwt"})
_SECRET_PARTS = ("token", "secret", "passw", "apikey", "signature", "credential", "session", "authoriz", "privatekey")


def public_uri(uri: str) -> str:
    """A uri fit for reports, logs and the database: no credentials, no tokens, identifiers masked.

    ``https://u:p@data.egov.kz/api?apiKey=S&source=x#t`` → ``https://data.egov.kz/api?apiKey=***&source=x``.
    Non-secret parameters are kept (masked like everything else): they tell a reader which dataset
    it is, and they keep ``?page=1`` and ``?page=2`` two assets in the database. The fragment is
    dropped (OAuth puts ``access_token`` there; it never reaches the server anyway). Never raises.
    """
    scheme = _SCHEME.match(uri)
    if scheme is None:
        return mask_identifiers(uri)
    rest = uri[scheme.end() :]
    end = next((i for i, ch in enumerate(rest) if ch in "/?#\\"), len(rest))
    host = rest[:end].rpartition("@")[2]
    tail = rest[end:].partition("#")[0]
    path, question, query = tail.partition("?")
    if ";" in path:  # path parameters: ;jsessionid=… is a session as much as ?sid=… is
        path = _PATH_PARAM.sub(lambda m: _public_param(m.group()), path)
    if question:
        query = "".join(_public_param(part) for part in re.split(r"([&;])", query))
    return mask_identifiers(f"{scheme.group()}{host}{path}{question}{query}")


_PATH_PARAM = re.compile(r"(?<=;)[^/;]+")


def _public_param(part: str) -> str:
    if part in ("&", ";"):
        return part
    name, equals, value = part.partition("=")
    if equals and (is_secret_name(name) or _JWT.search(value)):
        return f"{name}={SECRET_VALUE}"
    return part


def is_secret_name(name: str) -> bool:
    """Whether a query parameter (or header) of this name carries a credential: ``apiKey``, ``X-Amz-Signature``…"""
    bare = re.sub(r"[^a-z0-9]", "", unquote_plus(name).lower())
    return bare in _SECRET_NAMES or bare.endswith(("key", "sig")) or any(part in bare for part in _SECRET_PARTS)


_PARAM_IN_TEXT = re.compile(r"(?<=[?&;])([A-Za-z0-9_.%\-]{1,64})=([^&;\s#'\"<>)]*)")


def public_text(text: str) -> str:
    """A message with every URL in it made public and every identifier masked.

    Query parameters quoted without their URL (urllib3: ``… with url: /x?access_token=…``) have
    their secret values masked as well.
    """
    if "://" in text:
        text = _URL_IN_TEXT.sub(_public_url_match, text)
    if "=" in text:
        text = _PARAM_IN_TEXT.sub(_public_param_match, text)
    if "uthoriz" in text or "UTHORIZ" in text:
        text = _AUTHORIZATION.sub(lambda m: m.group(1) + (m.group(2) or "") + SECRET_VALUE, text)
    return mask_identifiers(text)


# An Authorization header quoted in a message (a server echoing the request): the scheme is kept.
_AUTHORIZATION = re.compile(
    r"""((?:proxy-)?authorization['"]?\s*[:=]\s*['"]?)((?:basic|bearer|digest|negotiate|token)\s+)?[^\s'",;}]+""",
    re.IGNORECASE,
)


def _public_url_match(match: re.Match[str]) -> str:
    url = match.group()
    bare = url.rstrip(".,:;!?)")  # "… failed for http://h/x?key=K: HTTP 404": the colon is prose
    return public_uri(bare) + url[len(bare) :]


def _public_param_match(match: re.Match[str]) -> str:
    param = match.group()
    bare = param.rstrip(".,:;!?)")
    return _public_param(bare) + param[len(bare) :]


_PEM_WITHHELD = "(withheld: the certificate names a person)"


def public_json(value: Any) -> Any:
    """A JSON-like value with ``public_text`` applied to every string (keys included).

    A certificate whose subject or other names carried an identifier (a personal NCA certificate:
    ``serialNumber=IIN…``) loses its PEM: the base64 would carry the identifier past the mask.
    """
    if isinstance(value, str):
        return public_text(value)
    if isinstance(value, list | tuple):
        return [public_json(item) for item in value]
    if isinstance(value, dict):
        shown = {public_text(k) if isinstance(k, str) else k: public_json(v) for k, v in value.items()}
        if "as_pem" in value:
            rest = {k: v for k, v in value.items() if k != "as_pem"}
            if public_json(rest) != rest:
                shown["as_pem"] = _PEM_WITHHELD
        return shown
    return value


# --- terminals ------------------------------------------------------------------------------------

LINE_LIMIT = 1000  # characters of one printed line; a 5 MB path is clipped around an ellipsis
ELLIPSIS = "…"
# C0 (but tab and newline), DEL, C1, and the bidi controls a file name can use to reorder a line.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\r(?!\n)"
)


def neutralise(text: str) -> str:
    """Terminal controls shown as escapes instead of obeyed: ``a\\u001b]0;x\\u0007`` prints as written."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def _escape(match: re.Match[str]) -> str:
    # \uXXXX for every control: readable, and the same character's escape inside a JSON string,
    # so a JSON report on stdout stays valid and means what it meant.
    return f"\\u{ord(match.group()[0]):04x}"


_CUT_AWAY = "0123456789 .-_+%*"
# The most characters one identifier can span: twelve full-width digits percent-encoded (nine
# characters each) and eleven percent-encoded separators between them.
_IDENTIFIER_SPAN = IDENTIFIER_DIGITS * 9 + (IDENTIFIER_DIGITS - 1) * 9


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters: the head, and an ellipsis if anything was cut.

    Identifiers are masked *before* the cut: an identifier cut through would otherwise leave ten
    digits before the ellipsis (``X-Powered-By: PHP/7.4 … 4504203202…``), a run too short for the
    mask to recognise afterwards. Only the head and the longest identifier beyond it are masked,
    so a 5 MB value costs no more than a short one. Every place that quotes a value read from
    outside (a header, a path, a parser's message) cut to a length uses this.
    """
    if len(text) <= limit:
        return text
    # masked percent-escapes shrink to one character: take enough that the cut stays inside
    head = text[: 9 * limit + _IDENTIFIER_SPAN]
    window = mask_identifiers(head)
    if len(head) == len(text) and len(window) <= limit:
        return window
    return window[: limit - 1] + ELLIPSIS


def clip(text: str, limit: int = LINE_LIMIT) -> str:
    """At most about ``limit`` characters: the head and the tail (where the problem is named) kept.

    Digits next to the cut go with it, so that a clip never leaves half an identifier that the
    mask, seeing fewer than twelve digits, would let through.
    """
    if len(text) <= limit:
        return text
    tail = limit // 3
    # masked before the cut (digits of any script, escaped or not), only near the cut: a 5 MB
    # path costs what a short one does; a masked escape shrinks, ninefold at most
    window = 9 * limit + _IDENTIFIER_SPAN
    if len(text) <= window:
        text = mask_identifiers(text)
        if len(text) <= limit:
            return text
        head, end = text[: limit - tail - 1], text[len(text) - tail :]
    else:
        head = mask_identifiers(text[:window])[: limit - tail - 1]
        end = mask_identifiers(text[len(text) - window :])[-tail:]
    return head.rstrip(_CUT_AWAY) + ELLIPSIS + end.lstrip(_CUT_AWAY)


def terminal_line(text: str, limit: int = LINE_LIMIT) -> str:
    """One line as govscan prints it: clipped, public (``public_text``), neutralised.

    Clipped first (a 5 MB path costs nothing to mask then) and again after the escapes, which
    may have made it longer. A line break inside (a file name ``bad\ngovscan: all clear.xlsx``)
    is shown as ``\u000a``: one message never prints as two lines.
    """
    return clip(neutralise(public_text(clip(text, 4 * limit))).replace("\n", "\\u000a"), limit)


def terminal_text(text: str, limit: int = LINE_LIMIT) -> str:
    """``terminal_line`` for each line of ``text``; newlines kept."""
    return "\n".join(terminal_line(line.removesuffix("\r"), limit) + ("\r" if line.endswith("\r") else "")
                     for line in text.split("\n"))  # fmt: skip
