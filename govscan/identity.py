"""Stable identity for findings: normal forms of places and a keyed fingerprint.

The fingerprint is an HMAC so that a baseline or a database of fingerprints cannot be reversed
into the values (IINs are only ~10^9 plausible strings: an unkeyed hash is a lookup table away
from the data). The key is per installation: ``GOVSCAN_SECRET``, else a file created with mode
0600 on first use.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from govscan.model import Field

FINGERPRINT_VERSION = "v1"
SECRET_ENV = "GOVSCAN_SECRET"  # noqa: S105 - the variable name, not a secret
SECRET_ENV_ALIASES = ("GOVSCAN_FINGERPRINT_KEY",)


def config_home() -> Path:
    base = os.environ.get("GOVSCAN_HOME")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(xdg) / "govscan"


def secret_path() -> Path:
    return config_home() / "secret"


def load_secret() -> bytes:
    """The installation's fingerprint key, creating it (mode 0600) when there is none yet."""
    for name in (SECRET_ENV, *SECRET_ENV_ALIASES):
        value = os.environ.get(name)
        if value:
            return value.encode("utf-8")
    path = secret_path()
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def key_id(key: bytes) -> str:
    """A short public id of a key, so a changed key can be noticed without revealing it."""
    return hashlib.sha256(b"govscan-key-id|" + key).hexdigest()[:12]


_TWELVE_DIGITS = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{6}([0-9]{2})(?![0-9])")


def mask_uri(uri: str) -> str:
    """A uri with any standalone 12-digit run (an IIN or BIN in a file name or query) masked.

    File names like ``spravka_900101300017.csv`` would otherwise put an identifier into the
    database and the reports; masking keeps four and two digits, like evidence, so the file
    can still be found.
    """
    return _TWELVE_DIGITS.sub(r"\1******\2", uri)


def public_uri(uri: str) -> str:
    """A URL fit for logs and reports: no user:password, no query string (API keys, webhook
    tokens live there), identifiers masked; local paths are only masked."""
    if "://" not in uri:
        return mask_uri(uri)
    parts = urlsplit(uri)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = "…" if parts.query else ""
    return mask_uri(urlunsplit((parts.scheme, netloc, parts.path, query, "")))


@functools.lru_cache(maxsize=65_536)  # a scan asks for the same few uris over and over
def stored_uri(uri: str) -> str:
    """The form an asset is stored and matched by: normal, with identifiers masked (``mask_uri``).

    Fingerprints keep the unmasked normal form (it only enters a keyed hash); the database and
    everything read from it see this one.
    """
    return mask_uri(normal_uri(uri))


def normal_uri(uri: str) -> str:
    """Scheme and host lower-cased, default ports and fragments dropped, ``./`` and ``\\`` folded."""
    if "://" in uri:
        parts = urlsplit(uri)
        host = (parts.hostname or "").lower()
        port = parts.port
        if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
            host = f"{host}:{port}"
        return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))
    path = uri.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def location_key(place: Field) -> str:
    """Where in an asset, leaving out line numbers (they shift when rows are added)."""
    from govscan.pii.headers import header_words

    parts = [f"sheet={place.sheet or ''}"]
    if place.column:
        parts.append("col=" + " ".join(header_words(place.column)))
    elif place.column_index is not None:
        parts.append(f"idx={place.column_index}")
    if place.json_path:
        parts.append(f"path={place.json_path}")
    if place.part:
        parts.append(f"part={place.part}")
    return "|".join(parts)


def fingerprint(key: bytes, rule_id: str, uri: str, place: Field, value: str = "") -> str:
    """HMAC-SHA256 over version, rule, asset and place; ``value`` only for point findings."""
    message = "\x1f".join((FINGERPRINT_VERSION, rule_id, normal_uri(uri), location_key(place), value))
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()
