"""Stable identity for findings: normal forms of places and a keyed fingerprint.

The fingerprint is an HMAC so that a baseline or a database of fingerprints cannot be reversed
into the values (IINs are only ~10^9 plausible strings: an unkeyed hash is a lookup table away
from the data). The key is per installation: ``GOVSCAN_SECRET``, else a file created with mode
0600 on first use.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import hmac
import os
import re
import secrets
import stat
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from govscan.errors import InputError, shown
from govscan.model import Field
from govscan.redact import public_uri

FINGERPRINT_VERSION = "v1"
SECRET_ENV = "GOVSCAN_SECRET"  # noqa: S105 - the variable name, not a secret
SECRET_ENV_ALIASES = ("GOVSCAN_FINGERPRINT_KEY",)


def config_home() -> Path:
    """The directory of the key file: ``GOVSCAN_HOME``, else ``$XDG_CONFIG_HOME/govscan``."""
    base = os.environ.get("GOVSCAN_HOME")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if not xdg:
        try:
            xdg = str(Path.home() / ".config")
        except (RuntimeError, KeyError):  # no $HOME and no passwd entry (a bare container)
            raise SecretError(
                "no home directory to keep the fingerprint key in: set GOVSCAN_HOME or GOVSCAN_SECRET"
            ) from None
    return Path(xdg) / "govscan"


def secret_path() -> Path:
    return config_home() / "secret"


class SecretError(InputError):
    """The fingerprint key cannot be used or kept; the one-line message names the file or variable."""


# A key must not be guessable: fingerprints of masked values are public (reports, baselines), and a
# masked IIN has ~10^6 candidates, so whoever can guess the key recovers the value in a second.
# 32 characters is 128 bits when random hex (``openssl rand -hex 16``); the key govscan creates is
# 64 hex characters. Fewer than 8 different characters (``aaaa…``, ``abab…``) is a pattern, not a key.
MIN_KEY_LENGTH = 32
MIN_KEY_SYMBOLS = 8
_MAX_KEY_FILE = 4096  # a key file is one line; /dev/zero or a log file put there is not one
_KEY_ADVICE = "use a random one (openssl rand -hex 32), the same on every scanner that shares a database or baseline"
_warned: set[str] = set()


def load_secret() -> bytes:
    """The fingerprint key: ``GOVSCAN_SECRET``, else the key file, created (0600) on first use.

    Surrounding whitespace is not part of the key, so the file's content pasted into a CI
    secret (with or without its newline) is the same key. A set but empty variable is an error
    rather than a fall-back to a fresh key file: in CI it means the secret is missing, and a
    fresh key would silently match nothing recorded before.
    """
    for name in (SECRET_ENV, *SECRET_ENV_ALIASES):
        value = os.environ.get(name)
        if value is not None:
            return _usable(os.fsencode(value).strip(), name)
    path = secret_path()
    key = _read_key_file(path)
    return key if key is not None else _create_key_file(path)


def _usable(key: bytes, where: str) -> bytes:
    if not key:
        raise SecretError(f"{where}: the fingerprint key is empty; {_KEY_ADVICE}")
    if len(key) < MIN_KEY_LENGTH:
        raise SecretError(
            f"{where}: the fingerprint key is {len(key)} characters, at least {MIN_KEY_LENGTH} are needed "
            f"(a short key lets masked values be recovered from fingerprints); {_KEY_ADVICE}"
        )
    if len(set(key)) < MIN_KEY_SYMBOLS:
        raise SecretError(
            f"{where}: the fingerprint key uses only {len(set(key))} different characters, "
            f"a pattern anyone can guess; {_KEY_ADVICE}"
        )
    return key


def _read_key_file(path: Path) -> bytes | None:
    """The key in ``path``, ``None`` when there is no file; a problem with it is a :class:`SecretError`."""
    name = shown(str(path))
    try:
        # O_NONBLOCK: a FIFO put in the key's place must not hang the scan.
        fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except FileNotFoundError:
        if os.path.islink(path):
            raise SecretError(f"{name}: the key file is a symbolic link to nothing") from None
        return None
    except NotADirectoryError:
        raise SecretError(f"{shown(str(path.parent))}: not a directory (GOVSCAN_HOME must be one)") from None
    except PermissionError:
        raise SecretError(f"{name}: cannot read the key file (permission denied)") from None
    except OSError as exc:
        raise SecretError(f"{name}: cannot read the key file ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SecretError(f"{name}: is a directory, not a key file")
        if not stat.S_ISREG(info.st_mode):
            raise SecretError(f"{name}: is not a regular file, not a key file")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise SecretError(f"{name}: cannot read the key file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > _MAX_KEY_FILE:
        raise SecretError(f"{name}: more than {_MAX_KEY_FILE} bytes, not a govscan key file")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077 and name not in _warned:
        _warned.add(name)
        print(
            f"govscan: warning: {name}: the fingerprint key file is open to other users "
            f"(mode {mode:04o}); chmod 600 {name}",
            file=sys.stderr,
        )
    return _usable(data.strip(), name)


def _create_key_file(path: Path) -> bytes:
    """Create the key file whole or not at all, and never replace one another process created.

    The key is written to a temporary file (0600) in the same directory, synced, then hard-linked
    to its name: a link never overwrites, so of two first runs racing the first link wins and
    both read the winner's key back; a kill before the link leaves no key file (only a stray
    temporary one), never an empty key.
    """
    home = path.parent
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (FileExistsError, NotADirectoryError):
        raise SecretError(f"{shown(str(home))}: not a directory (GOVSCAN_HOME must be one)") from None
    except OSError as exc:
        raise SecretError(f"{shown(str(home))}: cannot create the key directory ({exc.strerror or exc})") from None
    key = secrets.token_hex(32).encode("ascii")
    try:
        fd, temporary = tempfile.mkstemp(prefix=".secret-", suffix=".tmp", dir=home)
    except OSError as exc:
        raise SecretError(f"{shown(str(home))}: cannot write the key file ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        _link_once(temporary, path)
    except OSError as exc:
        raise SecretError(f"{shown(str(path))}: cannot write the key file ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    with contextlib.suppress(OSError):  # the new name survives a power cut
        directory = os.open(home, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    stored = _read_key_file(path)
    if stored is None:
        raise SecretError(f"{shown(str(path))}: the key file disappeared while it was being created")
    return stored


def _link_once(temporary: str, path: Path) -> None:
    """Give ``temporary`` the name ``path`` unless that exists (then another run's key stands)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        return
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links: exclusive create still lets only one run write.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "wb") as handle:
            handle.write(Path(temporary).read_bytes())
            handle.flush()
            os.fsync(handle.fileno())


def key_id(key: bytes) -> str:
    """A short public id of a key, so a changed key can be noticed without revealing it."""
    return hashlib.sha256(b"govscan-key-id|" + key).hexdigest()[:12]


def mask_uri(uri: str) -> str:
    """``public_uri``: kept under this name for the callers that mask a uri before showing it."""
    return public_uri(uri)


@functools.lru_cache(maxsize=65_536)  # a scan asks for the same few uris over and over
def stored_uri(uri: str) -> str:
    """The form an asset is stored and matched by: normal, then public (``public_uri``: no
    credentials or tokens, identifiers masked).

    Fingerprints keep the unmasked normal form (it only enters a keyed hash); the database and
    everything read from it see this one. ``stored_uri(public_uri(u)) == stored_uri(u)``, so a
    finding's (public) location finds the asset its (raw) source was recorded under.
    """
    return public_uri(normal_uri(uri))


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


_CAMEL = re.compile(r"(?<=[a-zа-я])(?=[A-ZА-Я])")
_PUNCT = re.compile(r"[^\w]+|_")
# Kazakh letters folded to the Russian look-alikes that cp1251 exports write instead ("Туган куні"
# for "Туған күні", "Т.А.А." for "Т.А.Ә."); hints and headers are folded alike.
_LOOK_ALIKE = str.maketrans("әғқңөұүһі", "агкноуухи")


@functools.lru_cache(maxsize=4096)
def header_words(header: str) -> tuple[str, ...]:
    """``Ф.И.О. получателя`` → (ф, и, о, получателя); ``fullName`` → (full, name).

    A column's words are part of a finding's fingerprint (``location_key``), and the PII rules read
    header hints with the same words: one normal form, kept here beside the fingerprint it feeds.
    """
    text = _CAMEL.sub(" ", header).lower().replace("ё", "е").translate(_LOOK_ALIKE)
    return tuple(w for w in _PUNCT.split(text) if w)


def location_key(place: Field) -> str:
    """Where in an asset, leaving out line numbers (they shift when rows are added)."""
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
