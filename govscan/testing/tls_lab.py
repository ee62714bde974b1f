"""A TLS lab: local TLS servers with generated certificates, for tests, benchmarks and demos.

Nothing here touches the network beyond 127.0.0.1. Two halves:

* a certificate factory on ``cryptography``: :func:`make_ca`, :func:`make_intermediate`,
  :func:`issue_leaf` build CAs and server certificates with the extensions a modern verifier
  insists on (SKI and AKI everywhere, SAN, serverAuth, key usages). SHA-1 and MD5 signatures,
  which ``cryptography``'s builder refuses, are made by signing the to-be-signed bytes with the
  issuer key directly (``cryptography`` still allows SHA-1/MD5 for raw signatures) and splicing
  the weak algorithm identifier into the DER - no ``openssl`` binary needed;
* :class:`LabServer`, a threaded server on Python's ``ssl`` module. TLS 1.0/1.1 are served by
  lowering OpenSSL's security level (``@SECLEVEL=0``, added automatically when a server allows
  TLS < 1.2 or carries a weak certificate): Debian's OpenSSL 3 refuses them at its default level.
  This OpenSSL is built without 3DES/RC4/DES, so the weakest suites on offer are non-forward-
  secret RSA key exchange, CBC with HMAC-SHA1, 1024-bit DHE, and NULL/anonymous suites.

Ready-made :data:`SCENARIOS` are the good baseline plus one defect each (see :func:`scenario`);
point the audit at :func:`lab_ca_file` with ``--ca-file`` so that the lab CA is trusted.

    with scenario("legacy") as srv:
        print(srv.address)  # 127.0.0.1:PORT, TLS 1.0 - 1.3
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import ipaddress
import os
import select
import shutil
import socket
import ssl
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "127.0.0.1"
ORGANIZATION = "govscan TLS lab"
DEFAULT_HOSTNAMES = ("localhost", "127.0.0.1")

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
# A moment: an absolute datetime, an offset from now (timedelta), or None for the default.
Moment = dt.datetime | dt.timedelta | None

# ---------------------------------------------------------------------------------------------
# Keys, names, times
# ---------------------------------------------------------------------------------------------

_CURVES = {"ec256": ec.SECP256R1, "ec384": ec.SECP384R1, "ec521": ec.SECP521R1}
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha1": hashes.SHA1,
    "md5": hashes.MD5,
}
WEAK_HASHES = frozenset({"sha1", "md5"})


def generate_key(spec: str) -> PrivateKey:
    """``"rsa2048"``, ``"rsa1024"``, ``"rsa<bits>"``, ``"ec256"``, ``"ec384"`` or ``"ec521"``."""
    spec = spec.lower()
    if spec in _CURVES:
        return ec.generate_private_key(_CURVES[spec]())
    if spec.startswith("rsa") and spec[3:].isdigit():
        return rsa.generate_private_key(public_exponent=65537, key_size=int(spec[3:]))
    raise ValueError(f"unknown key spec {spec!r}: use rsa2048, rsa1024, ec256, ec384 or ec521")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _moment(value: Moment, default: dt.timedelta) -> dt.datetime:
    if value is None:
        return _now() + default
    if isinstance(value, dt.timedelta):
        return _now() + value
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _name(common_name: str, country: str | None = None) -> x509.Name:
    attributes = []
    if country:
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, private: bool = False) -> Path:
    path.write_bytes(data)
    if private:
        os.chmod(path, 0o600)
    return path


# ---------------------------------------------------------------------------------------------
# Signing, including the hashes cryptography's builder refuses
# ---------------------------------------------------------------------------------------------

# DER AlgorithmIdentifiers for the weak signature algorithms (RSA ones carry NULL parameters).
_WEAK_ALGORITHM_IDS = {
    ("rsa", "sha1"): bytes.fromhex("300d06092a864886f70d0101050500"),  # sha1WithRSAEncryption
    ("rsa", "md5"): bytes.fromhex("300d06092a864886f70d0101040500"),  # md5WithRSAEncryption
    ("ec", "sha1"): bytes.fromhex("300906072a8648ce3d0401"),  # ecdsa-with-SHA1
}


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _der(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(content)) + content


def _der_element(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, end) of the DER element at ``pos`` (single-byte tags only)."""
    tag, first = data[pos], data[pos + 1]
    if first < 0x80:
        return tag, pos + 2, pos + 2 + first
    size = first & 0x7F
    length = int.from_bytes(data[pos + 2 : pos + 2 + size], "big")
    return tag, pos + 2 + size, pos + 2 + size + length


def _sign(builder: x509.CertificateBuilder, key: PrivateKey, hash_name: str) -> x509.Certificate:
    hash_name = hash_name.lower()
    if hash_name not in _HASHES:
        raise ValueError(f"unknown signature hash {hash_name!r}: use one of {sorted(_HASHES)}")
    if hash_name not in WEAK_HASHES:
        return builder.sign(key, _HASHES[hash_name]())
    # cryptography 46 refuses SHA-1/MD5 in CertificateBuilder.sign ("not supported for
    # signatures") but still signs raw bytes with them: sign with SHA-256, swap the algorithm
    # identifier inside the TBS certificate, re-sign the TBS bytes, reassemble the DER.
    family = "rsa" if isinstance(key, rsa.RSAPrivateKey) else "ec"
    algorithm_id = _WEAK_ALGORITHM_IDS.get((family, hash_name))
    if algorithm_id is None:
        raise ValueError(f"no {hash_name} signature algorithm for {family.upper()} issuer keys")
    template = builder.sign(key, hashes.SHA256())
    tbs = template.tbs_certificate_bytes
    _, start, end = _der_element(tbs, 0)
    pos = start
    tag, _, pos_end = _der_element(tbs, pos)
    if tag == 0xA0:  # [0] version
        pos = pos_end
        tag, _, pos_end = _der_element(tbs, pos)
    pos = pos_end  # past the serial number: the signature AlgorithmIdentifier comes next
    _, _, alg_end = _der_element(tbs, pos)
    new_tbs = _der(0x30, tbs[start:pos] + algorithm_id + tbs[alg_end:end])
    digest = _HASHES[hash_name]()
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(new_tbs, padding.PKCS1v15(), digest)
    else:
        signature = key.sign(new_tbs, ec.ECDSA(digest))
    der = _der(0x30, new_tbs + algorithm_id + _der(0x03, b"\x00" + signature))
    return x509.load_der_x509_certificate(der)


# ---------------------------------------------------------------------------------------------
# CAs and leaves
# ---------------------------------------------------------------------------------------------


class _Pems:
    """PEM views shared by CAs and leaves (both hold ``cert`` and ``key``)."""

    cert: x509.Certificate
    key: PrivateKey

    @property
    def cert_pem(self) -> bytes:
        return _pem(self.cert)

    @property
    def key_pem(self) -> bytes:
        return _key_pem(self.key)


@dataclass(frozen=True)
class Issuer(_Pems):
    """A CA that can sign: its certificate, its key, and its ancestors up to the root."""

    cert: x509.Certificate
    key: PrivateKey
    parents: tuple[x509.Certificate, ...] = ()  # its issuer first, the root last; () for a root

    @property
    def name(self) -> str:
        return self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value  # type: ignore[return-value]

    @property
    def is_root(self) -> bool:
        return not self.parents

    @property
    def root(self) -> x509.Certificate:
        return self.parents[-1] if self.parents else self.cert

    @property
    def intermediates(self) -> tuple[x509.Certificate, ...]:
        """CA certificates a server sends below the root: this one and its non-root parents."""
        return (self.cert, *self.parents)[:-1]

    @property
    def root_pem(self) -> bytes:
        return _pem(self.root)

    def write(self, directory: Path | str, stem: str = "ca") -> Path:
        """Write the *root* certificate (the trust anchor, for ``--ca-file``); return its path."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        return _write(directory / f"{stem}.pem", self.root_pem)


@dataclass(frozen=True)
class Leaf(_Pems):
    """A server certificate with its key and the intermediates to send with it."""

    cert: x509.Certificate
    key: PrivateKey
    intermediates: tuple[x509.Certificate, ...] = ()
    root: x509.Certificate | None = None  # None when self-signed

    @property
    def self_signed(self) -> bool:
        return self.root is None

    @property
    def chain_pem(self) -> bytes:
        """The leaf then its intermediates (never the root): what a server sends."""
        return b"".join(_pem(c) for c in (self.cert, *self.intermediates))

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return (self.cert, *self.intermediates)

    @property
    def weak(self) -> bool:
        """True when OpenSSL's default security level would refuse to serve this chain."""
        for cert in self.chain:
            hash_alg = cert.signature_hash_algorithm
            if hash_alg is not None and hash_alg.name in WEAK_HASHES:
                return True
        key = self.key
        return isinstance(key, rsa.RSAPrivateKey) and key.key_size < 2048

    def write(self, directory: Path | str, stem: str = "server") -> tuple[Path, Path]:
        """Write ``<stem>-chain.pem`` (leaf + intermediates) and ``<stem>-key.pem``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        chain = _write(directory / f"{stem}-chain.pem", self.chain_pem)
        key = _write(directory / f"{stem}-key.pem", self.key_pem, private=True)
        return chain, key


def _ca_builder(
    subject: x509.Name, issuer: x509.Name, public_key: Any, issuer_public_key: Any, start, end, path_length
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key), critical=False)
    )


def make_ca(
    name: str = "govscan test root",
    key: str = "ec256",
    not_before: Moment = None,
    not_after: Moment = None,
    country: str | None = None,
    signature_hash: str = "sha256",
) -> Issuer:
    """A self-signed root CA (valid from a day ago for ten years unless told otherwise)."""
    private = generate_key(key)
    subject = _name(name, country)
    builder = _ca_builder(
        subject,
        subject,
        private.public_key(),
        private.public_key(),
        _moment(not_before, -dt.timedelta(days=1)),
        _moment(not_after, dt.timedelta(days=3650)),
        None,
    )
    return Issuer(_sign(builder, private, signature_hash), private)


def make_intermediate(
    issuer: Issuer,
    name: str = "govscan test intermediate",
    key: str = "ec256",
    not_before: Moment = None,
    not_after: Moment = None,
    country: str | None = None,
    signature_hash: str = "sha256",
) -> Issuer:
    """A CA certificate signed by ``issuer`` (path length 0: it signs leaves only)."""
    private = generate_key(key)
    builder = _ca_builder(
        _name(name, country),
        issuer.cert.subject,
        private.public_key(),
        issuer.key.public_key(),
        _moment(not_before, -dt.timedelta(days=1)),
        _moment(not_after, dt.timedelta(days=1825)),
        0,
    )
    return Issuer(_sign(builder, issuer.key, signature_hash), private, (issuer.cert, *issuer.parents))


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def issue_leaf(
    issuer: Issuer | None = None,
    hostnames: Sequence[str] = DEFAULT_HOSTNAMES,
    key: str = "rsa2048",
    signature_hash: str = "sha256",
    not_before: Moment = None,
    not_after: Moment = None,
    self_signed: bool = False,
) -> Leaf:
    """A server certificate for ``hostnames`` (IP strings become IP SANs; the first is the CN).

    Valid from a day ago for 90 days unless told otherwise. ``signature_hash`` may be
    ``"sha1"`` (RSA and EC issuers) or ``"md5"`` (RSA issuers). ``self_signed=True`` (or no
    issuer) makes a leaf that signs itself: still CA=false, AKI pointing at its own key.
    """
    if not hostnames:
        raise ValueError("a leaf needs at least one hostname")
    if issuer is None:
        self_signed = True
    private = generate_key(key)
    subject = _name(hostnames[0])
    signer_key: PrivateKey = private if self_signed else issuer.key  # type: ignore[union-attr]
    issuer_name = subject if self_signed else issuer.cert.subject  # type: ignore[union-attr]
    is_rsa = isinstance(private, rsa.RSAPrivateKey)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_moment(not_before, -dt.timedelta(days=1)))
        .not_valid_after(_moment(not_after, dt.timedelta(days=90)))
        .add_extension(x509.SubjectAlternativeName([_general_name(h) for h in hostnames]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=is_rsa,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(private.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False)
    )
    cert = _sign(builder, signer_key, signature_hash)
    if self_signed:
        return Leaf(cert, private)
    return Leaf(cert, private, issuer.intermediates, issuer.root)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------

_VERSIONS = {
    "tlsv1": "TLSv1",
    "tlsv1.0": "TLSv1",
    "tls1.0": "TLSv1",
    "1.0": "TLSv1",
    "tlsv1.1": "TLSv1_1",
    "tls1.1": "TLSv1_1",
    "1.1": "TLSv1_1",
    "tlsv1.2": "TLSv1_2",
    "tls1.2": "TLSv1_2",
    "1.2": "TLSv1_2",
    "tlsv1.3": "TLSv1_3",
    "tls1.3": "TLSv1_3",
    "1.3": "TLSv1_3",
}
MODES = ("tls", "plain-http", "hang", "close")

# Mozilla's "intermediate" TLS 1.2 suites: forward-secret AEAD only (TLS 1.3 suites are
# OpenSSL's defaults, which are all fine).
GOOD_CIPHERS = ":".join(
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "DHE-RSA-AES128-GCM-SHA256",
        "DHE-RSA-AES256-GCM-SHA384",
        "DHE-RSA-CHACHA20-POLY1305",
    ]
)

# 1024-bit DH group (a safe prime from ``openssl dhparam 1024``), for the DHE suites of the
# legacy scenario: Python's ssl module offers no DHE at all without explicit parameters.
DH1024_PEM = b"""-----BEGIN DH PARAMETERS-----
MIGHAoGBALThkq+xqfW7t6einulHLFdfmJtvqNjKSH19LcMKWJRGpclTbHAsTr/y
6NPi3iz+rk3+x+IM02pvFSJFCWR0i8U24yG5v1Xzh5rfGxXyar0pZM86dKuJlYxD
dCAP6Xl+TyR9ov2XewFmaDd1FxPvuUoTbtt1p7SCiblZqgu+AODvAgEC
-----END DH PARAMETERS-----
"""


def _tls_version(value: str) -> ssl.TLSVersion:
    try:
        return getattr(ssl.TLSVersion, _VERSIONS[value.lower()])
    except KeyError:
        raise ValueError(f"unknown TLS version {value!r}: use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3") from None


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound then released; racy only in theory)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class _Stats:
    accepted: int = 0
    handshakes: int = 0
    handshake_failures: int = 0
    requests: int = 0
    versions: set[str] = field(default_factory=set)


class LabServer:
    """A local server on 127.0.0.1 (ephemeral port unless ``port`` is given); a context manager.

    ``mode``: ``"tls"`` (handshake, then answer one HTTP request with 200 and close),
    ``"plain-http"`` (the same over cleartext), ``"hang"`` (accept and never send a byte),
    ``"close"`` (accept and close at once).

    ``ciphers`` is an OpenSSL cipher string for TLS <= 1.2 (TLS 1.3 suites are OpenSSL's
    defaults; see :meth:`effective_ciphers` for the default). ``@SECLEVEL=0`` is appended when
    the server allows TLS < 1.2 or the leaf is weak (RSA < 2048, SHA-1/MD5): OpenSSL 3 would
    refuse them otherwise. ``dh_params``: PEM DH parameters, to enable DHE suites.
    ``ecdh_curve``: the single (EC)DHE group to offer (e.g. ``"prime256v1"``; default: OpenSSL's
    list, X25519 to X448 - Python < 3.13 cannot set a list).

    Certificate files go to ``workdir`` (kept) or a private temporary directory (removed on
    stop). Handshake and I/O errors are normal - scanners abort handshakes on purpose - so they
    are counted in ``stats`` and never printed.
    """

    def __init__(
        self,
        leaf: Leaf | None = None,
        *,
        min_version: str = "TLSv1.2",
        max_version: str = "TLSv1.3",
        ciphers: str | None = None,
        hsts: str | None = None,
        mode: str = "tls",
        port: int = 0,
        dh_params: bytes | None = None,
        ecdh_curve: str | None = None,
        workdir: Path | str | None = None,
        io_timeout: float = 5.0,
        body: bytes = b"govscan TLS lab\n",
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use one of {MODES}")
        if mode == "tls" and leaf is None:
            raise ValueError("mode='tls' needs a leaf certificate")
        self.leaf = leaf
        self.mode = mode
        self.min_version = _tls_version(min_version)
        self.max_version = _tls_version(max_version)
        if self.min_version > self.max_version:
            raise ValueError(f"min_version {min_version} is above max_version {max_version}")
        self.ciphers = ciphers
        self.hsts = hsts
        self.dh_params = dh_params
        self.ecdh_curve = ecdh_curve
        self.io_timeout = io_timeout
        self.body = body
        self.host = HOST
        self.port = port
        self.stats = _Stats()
        self.context: ssl.SSLContext | None = None
        self.cert_file: Path | None = None
        self.key_file: Path | None = None
        self._workdir = Path(workdir) if workdir is not None else None
        self._own_tmp: str | None = None
        self._listener: socket.socket | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._acceptor: threading.Thread | None = None

    # -- public --------------------------------------------------------------------------------

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        scheme = "http" if self.mode == "plain-http" else "https"
        return f"{scheme}://{self.address}/"

    @property
    def running(self) -> bool:
        return self._acceptor is not None and self._acceptor.is_alive()

    def start(self) -> LabServer:
        if self._acceptor is not None:
            raise RuntimeError("LabServer already started")
        if self.mode == "tls":
            self.context = self._make_context()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((HOST, self.port))
            listener.listen(128)
            listener.setblocking(False)
        except BaseException:
            listener.close()
            self._cleanup_files()
            raise
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._stop.clear()
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"tls-lab-{self.port}", daemon=True)
        self._acceptor.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, cut every open connection, join the threads (bounded by ``timeout``)."""
        if self._acceptor is None:
            return
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")  # type: ignore[union-attr]
        self._acceptor.join(timeout)
        with self._lock:
            conns = list(self._conns)
            threads = list(self._threads)
        for conn in conns:
            _cut(conn)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for sock in (self._listener, self._wake_r, self._wake_w):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        self._listener = self._wake_r = self._wake_w = None
        self._acceptor = None
        self._cleanup_files()

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LabServer(mode={self.mode!r}, address={self.address!r})"

    # -- setup ---------------------------------------------------------------------------------

    def needs_low_security_level(self) -> bool:
        return self.min_version < ssl.TLSVersion.TLSv1_2 or bool(self.leaf and self.leaf.weak)

    def effective_ciphers(self) -> str:
        """The cipher string given to OpenSSL.

        Default: :data:`GOOD_CIPHERS` (Mozilla "intermediate"), or OpenSSL's ``DEFAULT`` when
        TLS < 1.2 is allowed (TLS 1.0/1.1 have no AEAD suites to offer).
        """
        ciphers = self.ciphers
        if ciphers is None:
            ciphers = "DEFAULT" if self.min_version < ssl.TLSVersion.TLSv1_2 else GOOD_CIPHERS
        if self.needs_low_security_level() and "@SECLEVEL" not in ciphers.upper():
            ciphers += ":@SECLEVEL=0"
        return ciphers

    def _make_context(self) -> ssl.SSLContext:
        assert self.leaf is not None
        if self._workdir is None:
            self._own_tmp = tempfile.mkdtemp(prefix="govscan-tls-lab-")
            directory = Path(self._own_tmp)
        else:
            directory = self._workdir
        try:
            self.cert_file, self.key_file = self.leaf.write(directory, stem=f"server-{id(self):x}")
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            with warnings.catch_warnings():  # ssl.TLSVersion.TLSv1/TLSv1_1 are "deprecated"
                warnings.simplefilter("ignore", DeprecationWarning)
                ctx.minimum_version = self.min_version
                ctx.maximum_version = self.max_version
            # The security level must drop before the certificate is loaded: OpenSSL checks the
            # key size and signature hash of the chain against it at load time.
            ctx.set_ciphers(self.effective_ciphers())
            ctx.load_cert_chain(self.cert_file, self.key_file)
            if self.ecdh_curve:  # Python < 3.13 can only narrow the groups down to one
                ctx.set_ecdh_curve(self.ecdh_curve)
            if self.dh_params:
                dh_file = directory / f"dh-{id(self):x}.pem"
                _write(dh_file, self.dh_params)
                ctx.load_dh_params(str(dh_file))
            return ctx
        except BaseException:
            self._cleanup_files()
            raise

    def _cleanup_files(self) -> None:
        if self._own_tmp is not None:
            shutil.rmtree(self._own_tmp, ignore_errors=True)
            self._own_tmp = None

    # -- serving -------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener, wake = self._listener, self._wake_r
        assert listener is not None and wake is not None
        while not self._stop.is_set():
            try:
                readable, _, _ = select.select([listener, wake], [], [], 1.0)
            except (OSError, ValueError):
                return
            if wake in readable or self._stop.is_set():
                return
            if listener not in readable:
                continue
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                continue
            except OSError:
                return
            self._count("accepted")
            if self.mode == "close":
                with contextlib.suppress(OSError):
                    conn.close()
                continue
            conn.setblocking(True)
            conn.settimeout(self.io_timeout)
            handler = {"tls": self._serve_tls, "plain-http": self._serve_http, "hang": self._serve_hang}[self.mode]
            thread = threading.Thread(
                target=self._run, args=(handler, conn), name=f"tls-lab-{self.port}-conn", daemon=True
            )
            with self._lock:
                if self._stop.is_set():
                    _cut(conn)
                    return
                self._conns.add(conn)
                # Threads stay listed until they are dead, so that stop() joins every one.
                self._threads = {t for t in self._threads if t.is_alive()}
                self._threads.add(thread)
            thread.start()

    def _count(self, what: str, version: str | None = None) -> None:
        with self._lock:
            setattr(self.stats, what, getattr(self.stats, what) + 1)
            if version:
                self.stats.versions.add(version)

    def _run(self, handler: Callable[[socket.socket], None], conn: socket.socket) -> None:
        try:
            handler(conn)
        except Exception:  # noqa: BLE001, S110 - aborted handshakes, resets, timeouts: all normal here
            pass
        finally:
            with self._lock:
                self._conns.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def _serve_hang(self, conn: socket.socket) -> None:
        self._stop.wait()

    def _serve_http(self, conn: socket.socket) -> None:
        self._answer(conn)

    def _serve_tls(self, conn: socket.socket) -> None:
        assert self.context is not None
        tls = self.context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        with self._lock:  # the SSLSocket owns the file descriptor now: track it instead
            self._conns.discard(conn)
            self._conns.add(tls)
        if self._stop.is_set():
            return
        try:
            try:
                tls.do_handshake()
            except (OSError, ValueError):
                self._count("handshake_failures")
                return
            self._count("handshakes", tls.version())
            self._answer(tls)
        finally:
            with self._lock:
                self._conns.discard(tls)
            with contextlib.suppress(OSError):
                tls.close()

    def _answer(self, conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        self._count("requests")
        headers = [
            "HTTP/1.1 200 OK",
            "Content-Type: text/plain; charset=utf-8",
            f"Content-Length: {len(self.body)}",
        ]
        if self.hsts:
            headers.append(f"Strict-Transport-Security: {self.hsts}")
        headers.append("Connection: close")
        conn.sendall(("\r\n".join(headers) + "\r\n\r\n").encode("ascii") + self.body)
        # Half-close, then drain briefly: closing with unread input would send a RST that can
        # overtake the response on its way to the client.
        socket.socket.shutdown(conn, socket.SHUT_WR)
        conn.settimeout(min(self.io_timeout, 1.0))
        with contextlib.suppress(OSError, ValueError):
            while not self._stop.is_set() and conn.recv(4096):
                pass


def _cut(conn: socket.socket) -> None:
    """Unblock whoever is reading ``conn`` (bypassing SSLSocket.shutdown, which drops its state)."""
    with contextlib.suppress(OSError, ValueError):
        socket.socket.shutdown(conn, socket.SHUT_RDWR)


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------

GOOD_HSTS = "max-age=63072000; includeSubDomains"
# The baseline every scenario starts from: compliant with Mozilla's "intermediate" profile as
# sslyze checks it (P-256 only: OpenSSL's default list includes X448 and P-521, which it flags).
GOOD_SERVER: dict[str, Any] = {
    "min_version": "TLSv1.2",
    "max_version": "TLSv1.3",
    "hsts": GOOD_HSTS,
    "ecdh_curve": "prime256v1",
}
LEGACY_CIPHERS = "DEFAULT:AES128-SHA:AES256-SHA:DHE-RSA-AES128-SHA:@SECLEVEL=0"
NULL_ANON_CIPHERS = "ECDHE-RSA-AES128-GCM-SHA256:NULL:aNULL:@SECLEVEL=0"


_TWO_YEARS = dt.timedelta(days=730)  # lab CAs predate every scenario's leaf (expired included)


@functools.cache
def lab_ca() -> Issuer:
    """The lab's root CA (RSA-2048, so SHA-1 leaves read sha1WithRSAEncryption); one per process."""
    return make_ca("govscan lab root CA", key="rsa2048", not_before=-_TWO_YEARS, country="KZ")


@functools.cache
def other_ca() -> Issuer:
    """A second root that is never handed to the audit: its leaves are untrusted."""
    return make_ca("govscan untrusted root CA", key="ec256", not_before=-_TWO_YEARS)


@functools.cache
def lab_intermediate() -> Issuer:
    return make_intermediate(lab_ca(), "govscan lab issuing CA", key="ec256", not_before=-_TWO_YEARS, country="KZ")


def lab_ca_file(directory: Path | str, ca: Issuer | None = None) -> Path:
    """Write the lab root (or ``ca``'s root) to ``directory/govscan-lab-ca.pem``: for ``--ca-file``."""
    return (ca or lab_ca()).write(directory, stem="govscan-lab-ca")


@dataclass(frozen=True)
class Scenario:
    """A ready-made server: the good baseline with one defect (``good`` has none)."""

    name: str
    description: str
    leaf: Callable[[Issuer], Leaf]  # given the lab CA
    server: dict[str, Any] = field(default_factory=dict)  # LabServer keyword arguments

    def build(self, ca: Issuer | None = None, workdir: Path | str | None = None, **overrides: Any) -> LabServer:
        options = {**GOOD_SERVER, **self.server}
        options.update(overrides)
        return LabServer(self.leaf(ca or lab_ca()), workdir=workdir, **options)


def _scenarios() -> dict[str, Scenario]:
    days = dt.timedelta(days=1)
    items = [
        Scenario("good", "TLS 1.2-1.3, forward-secret AEAD suites, RSA-2048/SHA-256 leaf from the lab CA, HSTS 2 years",
                 lambda ca: issue_leaf(ca)),
        Scenario("legacy", "TLS 1.0-1.3 with non-forward-secret RSA, CBC-SHA1 and 1024-bit DHE suites (no 3DES/RC4: not in this OpenSSL)",
                 lambda ca: issue_leaf(ca),
                 {"min_version": "TLSv1", "ciphers": LEGACY_CIPHERS, "dh_params": DH1024_PEM, "ecdh_curve": None}),
        Scenario("expired", "certificate expired 30 days ago",
                 lambda ca: issue_leaf(ca, not_before=-400 * days, not_after=-30 * days)),
        Scenario("expiring", "certificate expires in 10 days",
                 lambda ca: issue_leaf(ca, not_before=-80 * days, not_after=10 * days)),
        Scenario("mismatch", "certificate for other.example only (no localhost, no 127.0.0.1)",
                 lambda ca: issue_leaf(ca, hostnames=["other.example"])),
        Scenario("selfsigned", "self-signed leaf (CA=false), no issuer",
                 lambda ca: issue_leaf(None, self_signed=True)),
        Scenario("weak", "RSA-1024 leaf signed by the lab CA with SHA-1",
                 lambda ca: issue_leaf(ca, key="rsa1024", signature_hash="sha1")),
        Scenario("untrusted", "leaf from a second root that is not the lab CA",
                 lambda ca: issue_leaf(other_ca())),
        Scenario("no-hsts", "the good server without a Strict-Transport-Security header",
                 lambda ca: issue_leaf(ca), {"hsts": None}),
        Scenario("chain", "EC P-256 leaf from an intermediate of the lab CA; the intermediate is sent",
                 lambda ca: issue_leaf(lab_intermediate() if ca is lab_ca() else make_intermediate(ca), key="ec256")),
        Scenario("null-anon", "TLS 1.2 only, accepting NULL-encryption and anonymous (aNULL) suites",
                 lambda ca: issue_leaf(ca),
                 {"max_version": "TLSv1.2", "ciphers": NULL_ANON_CIPHERS}),
    ]  # fmt: skip
    return {item.name: item for item in items}


SCENARIOS: dict[str, Scenario] = _scenarios()


def scenario(name: str, workdir: Path | str | None = None, ca: Issuer | None = None, **overrides: Any) -> LabServer:
    """A (not yet started) :class:`LabServer` for a named scenario; use it as a context manager.

    ``ca`` defaults to :func:`lab_ca`; ``overrides`` are LabServer keyword arguments.
    """
    try:
        spec = SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}: use one of {sorted(SCENARIOS)}") from None
    return spec.build(ca, workdir, **overrides)


@contextlib.contextmanager
def lab_servers(
    names: Iterable[str] | None = None, workdir: Path | str | None = None, ca: Issuer | None = None
) -> Iterator[dict[str, LabServer]]:
    """Start several scenarios at once (all by default); stop them all on exit."""
    with contextlib.ExitStack() as stack:
        servers = {}
        for name in names or SCENARIOS:
            servers[name] = stack.enter_context(scenario(name, workdir, ca))
        yield servers
