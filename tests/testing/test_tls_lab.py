"""The TLS lab: generated certificates carry what they claim, and every scenario server really
offers what it claims, as sslyze (the scanner the TLS audit is built on) sees it."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from govscan.testing.tls_lab import (
    SCENARIOS,
    LabServer,
    closed_port,
    issue_leaf,
    lab_ca,
    lab_ca_file,
    lab_servers,
    make_ca,
    make_intermediate,
)

pytestmark = pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")

PROTOCOLS = ("tls_1_0", "tls_1_1", "tls_1_2", "tls_1_3")
DAY = dt.timedelta(days=1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ext(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> x509.Extension[Any]:
    return cert.extensions.get_extension_for_oid(oid)


# ---------------------------------------------------------------------------------------------
# Certificate factory
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["ec256", "rsa2048"])
def test_a_ca_is_self_signed_with_critical_ca_constraints_and_key_identifiers(key: str) -> None:
    ca = make_ca("test root", key=key, country="KZ")
    cert = ca.cert
    assert cert.subject == cert.issuer and ca.is_root and ca.intermediates == ()
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "KZ"
    constraints = ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    assert constraints.critical and constraints.value.ca
    usage = ext(cert, ExtensionOID.KEY_USAGE)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    ski = ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER).value.digest
    assert ext(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value.key_identifier == ski
    assert ca.cert_pem.startswith(b"-----BEGIN CERTIFICATE-----")


def test_a_leaf_names_its_hosts_and_is_for_server_authentication_only() -> None:
    ca = make_ca(key="ec256")
    leaf = issue_leaf(ca, hostnames=["localhost", "127.0.0.1", "portal.example"], key="rsa2048")
    cert = leaf.cert
    san = ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost", "portal.example"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    assert ext(cert, ExtensionOID.EXTENDED_KEY_USAGE).value == x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])
    usage = ext(cert, ExtensionOID.KEY_USAGE)
    assert usage.critical and usage.value.digital_signature and usage.value.key_encipherment
    assert not usage.value.key_cert_sign
    constraints = ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    assert constraints.critical and not constraints.value.ca
    issuer_ski = ext(ca.cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER).value.digest
    assert ext(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value.key_identifier == issuer_ski
    assert ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    assert not leaf.self_signed and not leaf.weak

    ec_leaf = issue_leaf(ca, key="ec384")
    assert not ext(ec_leaf.cert, ExtensionOID.KEY_USAGE).value.key_encipherment
    assert ec_leaf.cert.public_key().key_size == 384


def test_times_are_absolute_or_relative_to_now() -> None:
    ca = make_ca()
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    leaf = issue_leaf(ca, not_before=start, not_after=start + 30 * DAY)
    assert leaf.cert.not_valid_before_utc == start
    assert leaf.cert.not_valid_after_utc == start + 30 * DAY
    soon = issue_leaf(ca, not_after=10 * DAY).cert.not_valid_after_utc
    assert abs(soon - (now() + 10 * DAY)) < dt.timedelta(minutes=1)


def test_an_intermediate_chain_verifies_with_cryptography_as_sslyze_does(tmp_path: Path) -> None:
    root = make_ca(key="rsa2048")
    issuing = make_intermediate(root, "issuing", key="ec256")
    leaf = issue_leaf(issuing, key="ec256")
    assert leaf.intermediates == (issuing.cert,) and leaf.root == root.cert
    verifier = (
        verification.PolicyBuilder()
        .store(verification.Store([root.cert]))
        .build_server_verifier(x509.DNSName("localhost"))
    )
    path = verifier.verify(leaf.cert, list(leaf.intermediates))
    assert path == [leaf.cert, issuing.cert, root.cert]

    chain_path, key_path = leaf.write(tmp_path)
    chain = x509.load_pem_x509_certificates(chain_path.read_bytes())
    assert chain == [leaf.cert, issuing.cert]  # the root is not sent
    assert key_path.read_bytes() == leaf.key_pem and oct(key_path.stat().st_mode)[-3:] == "600"
    assert x509.load_pem_x509_certificate(issuing.write(tmp_path).read_bytes()) == root.cert


def test_a_self_signed_leaf_signs_itself_and_stays_an_end_entity() -> None:
    leaf = issue_leaf(None, self_signed=True, key="ec256")
    cert = leaf.cert
    assert leaf.self_signed and cert.issuer == cert.subject and leaf.intermediates == ()
    cert.verify_directly_issued_by(cert)
    assert not ext(cert, ExtensionOID.BASIC_CONSTRAINTS).value.ca
    assert leaf.chain_pem == leaf.cert_pem


@pytest.mark.parametrize(
    ("issuer_key", "hash_name", "oid_name"),
    [
        ("rsa2048", "sha1", "sha1WithRSAEncryption"),
        ("rsa2048", "md5", "md5WithRSAEncryption"),
        ("ec256", "sha1", "ecdsa-with-SHA1"),
    ],
)
def test_sha1_and_md5_signatures_are_made_though_the_builder_refuses_them(
    issuer_key: str, hash_name: str, oid_name: str
) -> None:
    ca = make_ca(key=issuer_key)
    leaf = issue_leaf(ca, key="rsa1024", signature_hash=hash_name)
    cert = leaf.cert
    assert cert.signature_hash_algorithm is not None and cert.signature_hash_algorithm.name == hash_name
    assert cert.signature_algorithm_oid._name == oid_name
    public = ca.key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        public.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
    else:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    assert leaf.weak
    # Everything else survived the splice.
    assert ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value.get_values_for_type(x509.DNSName) == ["localhost"]


def test_md5_has_no_ecdsa_algorithm_and_unknown_specs_are_refused() -> None:
    with pytest.raises(ValueError, match="md5"):
        issue_leaf(make_ca(key="ec256"), signature_hash="md5")
    with pytest.raises(ValueError, match="key spec"):
        issue_leaf(make_ca(), key="dsa1024")
    with pytest.raises(ValueError, match="hash"):
        issue_leaf(make_ca(), signature_hash="sha3")


# ---------------------------------------------------------------------------------------------
# Every scenario, scanned once by sslyze (all servers in parallel, one Scanner)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from sslyze import (
        CertificateInfoExtraArgument,
        ScanCommand,
        ScanCommandsExtraArguments,
        Scanner,
        ServerNetworkConfiguration,
        ServerNetworkLocation,
        ServerScanRequest,
    )

    workdir = tmp_path_factory.mktemp("tls-lab")
    ca_file = lab_ca_file(workdir)
    commands = {
        ScanCommand.TLS_1_0_CIPHER_SUITES,
        ScanCommand.TLS_1_1_CIPHER_SUITES,
        ScanCommand.TLS_1_2_CIPHER_SUITES,
        ScanCommand.TLS_1_3_CIPHER_SUITES,
        ScanCommand.CERTIFICATE_INFO,
        ScanCommand.HTTP_HEADERS,
    }
    extra = ScanCommandsExtraArguments(certificate_info=CertificateInfoExtraArgument(custom_ca_file=ca_file))
    thread_errors: list[Any] = []
    previous_hook = threading.excepthook
    threading.excepthook = thread_errors.append
    threads_before = set(threading.enumerate())
    try:
        with lab_servers(workdir=workdir) as servers:
            by_port = {srv.port: name for name, srv in servers.items()}
            requests = [
                ServerScanRequest(
                    server_location=ServerNetworkLocation("localhost", srv.port, ip_address="127.0.0.1"),
                    network_configuration=ServerNetworkConfiguration("localhost", network_timeout=5),
                    scan_commands=commands,
                    scan_commands_extra_arguments=extra,
                )
                for srv in servers.values()
            ]
            scanner = Scanner(concurrent_server_scans_limit=len(requests))
            scanner.queue_scans(requests)
            results = {by_port[r.server_location.port]: r for r in scanner.get_results()}
            alive = {name: _https_get(srv) for name, srv in servers.items()}
            stats = {name: srv.stats for name, srv in servers.items()}
            started = time.monotonic()
        stop_seconds = time.monotonic() - started
    finally:
        threading.excepthook = previous_hook
    return {
        "ca_file": ca_file,
        "results": results,
        "alive": alive,
        "stats": stats,
        "stop_seconds": stop_seconds,
        "thread_errors": thread_errors,
        "leaked": [t for t in threading.enumerate() if t not in threads_before and t.name.startswith("tls-lab")],
    }


def _https_get(srv: LabServer) -> bytes:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    with socket.create_connection((srv.host, srv.port), timeout=5) as raw, ctx.wrap_socket(raw) as tls:
        tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        data = b""
        while chunk := tls.recv(4096):
            data += chunk
    return data


class Seen:
    """What sslyze saw for one scenario, in the terms the assertions need."""

    def __init__(self, result: Any, ca_file: Path) -> None:
        assert result.scan_status.name == "COMPLETED", result.connectivity_error_trace
        self.scan = result.scan_result
        for name in ("certificate_info", "http_headers", *(f"{p}_cipher_suites" for p in PROTOCOLS)):
            attempt = getattr(self.scan, name)
            assert attempt.status.name == "COMPLETED", (name, attempt.error_trace)
        deployment = self.scan.certificate_info.result.certificate_deployments[0]
        self.deployment = deployment
        self.chain: list[x509.Certificate] = deployment.received_certificate_chain
        self.leaf = self.chain[0]
        [lab_store] = [p for p in deployment.path_validation_results if Path(p.trust_store.path) == ca_file]
        self.trusted = lab_store.was_validation_successful
        self.hsts = self.scan.http_headers.result.strict_transport_security_header

    def suites(self, protocol: str) -> list[Any]:
        return getattr(self.scan, f"{protocol}_cipher_suites").result.accepted_cipher_suites

    def names(self, protocol: str) -> set[str]:
        return {s.cipher_suite.name for s in self.suites(protocol)}

    def offers(self, protocol: str) -> bool:
        return bool(self.suites(protocol))


@pytest.fixture(scope="module")
def seen(lab: dict[str, Any]) -> dict[str, Seen]:
    return {name: Seen(result, lab["ca_file"]) for name, result in lab["results"].items()}


MODERN = {"tls_1_0": False, "tls_1_1": False, "tls_1_2": True, "tls_1_3": True}
EXPECTED_PROTOCOLS = {name: MODERN for name in SCENARIOS} | {
    "legacy": {"tls_1_0": True, "tls_1_1": True, "tls_1_2": True, "tls_1_3": True},
    "null-anon": {"tls_1_0": False, "tls_1_1": False, "tls_1_2": True, "tls_1_3": False},
}
TRUSTED_BY_LAB_CA = {"good", "legacy", "expiring", "no-hsts", "chain", "null-anon"}


def test_every_scenario_is_covered_here() -> None:
    assert set(SCENARIOS) == {
        "good",
        "legacy",
        "expired",
        "expiring",
        "mismatch",
        "selfsigned",
        "weak",
        "untrusted",
        "no-hsts",
        "chain",
        "null-anon",
    }


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_scenario_offers_the_protocols_and_trust_it_claims(name: str, seen: dict[str, Seen]) -> None:
    got = seen[name]
    assert {p: got.offers(p) for p in PROTOCOLS} == EXPECTED_PROTOCOLS[name]
    assert got.trusted == (name in TRUSTED_BY_LAB_CA)
    expected_hsts = None if name == "no-hsts" else (63072000, True)
    actual_hsts = got.hsts and (got.hsts.max_age, got.hsts.include_subdomains)
    assert actual_hsts == expected_hsts


def test_scenario_servers_survive_a_scan_print_nothing_and_stop_promptly(lab: dict[str, Any]) -> None:
    assert all(reply.startswith(b"HTTP/1.1 200 OK") for reply in lab["alive"].values()), lab["alive"]
    assert all(stats.handshake_failures > 100 for stats in lab["stats"].values())  # sslyze's probing
    assert lab["thread_errors"] == []
    assert lab["leaked"] == []
    assert lab["stop_seconds"] < 5


def test_good_is_modern_and_forward_secret(seen: dict[str, Seen]) -> None:
    good = seen["good"]
    assert isinstance(good.leaf.public_key(), rsa.RSAPublicKey) and good.leaf.public_key().key_size == 2048
    assert good.leaf.signature_hash_algorithm.name == "sha256"
    assert good.leaf.issuer == lab_ca().cert.subject
    assert good.names("tls_1_2") and all(
        "ECDHE" in n and ("GCM" in n or "CHACHA20" in n) for n in good.names("tls_1_2")
    )


def test_legacy_speaks_tls_1_0_with_weak_key_exchanges(seen: dict[str, Seen], lab: dict[str, Any]) -> None:
    legacy = seen["legacy"]
    assert "TLS_RSA_WITH_AES_128_CBC_SHA" in legacy.names("tls_1_0")  # no forward secrecy
    dhe = [s for s in legacy.suites("tls_1_0") if s.cipher_suite.name.startswith("TLS_DHE_")]
    assert dhe and all(s.ephemeral_key.size == 1024 for s in dhe)
    assert {"TLSv1", "TLSv1.1"} <= lab["stats"]["legacy"].versions  # the server's own account
    assert "TLSv1" not in lab["stats"]["good"].versions


def test_expired_and_expiring_dates(seen: dict[str, Seen]) -> None:
    assert seen["expired"].leaf.not_valid_after_utc < now() - 29 * DAY
    left = seen["expiring"].leaf.not_valid_after_utc - now()
    assert 9 * DAY < left <= 10 * DAY


def test_mismatch_names_only_another_host(seen: dict[str, Seen]) -> None:
    san = ext(seen["mismatch"].leaf, ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    assert san.get_values_for_type(x509.DNSName) == ["other.example"]
    assert san.get_values_for_type(x509.IPAddress) == []


def test_selfsigned_untrusted_and_chain_certificates(seen: dict[str, Seen]) -> None:
    selfsigned = seen["selfsigned"]
    assert len(selfsigned.chain) == 1 and selfsigned.leaf.issuer == selfsigned.leaf.subject
    untrusted = seen["untrusted"].leaf
    assert untrusted.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "govscan untrusted root CA"
    chain = seen["chain"]
    assert len(chain.chain) == 2 and chain.chain[1].issuer == lab_ca().cert.subject
    assert chain.deployment.received_chain_has_valid_order
    assert isinstance(chain.leaf.public_key(), ec.EllipticCurvePublicKey)


def test_weak_has_a_1024_bit_key_signed_with_sha1(seen: dict[str, Seen]) -> None:
    weak = seen["weak"].leaf
    assert weak.public_key().key_size == 1024
    assert weak.signature_hash_algorithm.name == "sha1"
    assert seen["weak"].names("tls_1_2") == seen["good"].names("tls_1_2")  # only the certificate is weak


def test_null_anon_accepts_null_and_anonymous_suites(seen: dict[str, Seen]) -> None:
    suites = seen["null-anon"].suites("tls_1_2")
    assert any("_WITH_NULL_" in s.cipher_suite.name for s in suites)
    assert any(s.cipher_suite.is_anonymous for s in suites)


# ---------------------------------------------------------------------------------------------
# Non-TLS modes, shutdown, argument checks
# ---------------------------------------------------------------------------------------------


def test_a_hanging_server_holds_clients_but_does_not_hold_up_shutdown() -> None:
    before = set(threading.enumerate())
    with LabServer(mode="hang") as srv:
        clients = [socket.create_connection((srv.host, srv.port), timeout=2) for _ in range(3)]
        clients[0].sendall(b"\x16\x03\x01\x00\x05hello")  # the start of a ClientHello
        clients[0].settimeout(0.3)
        with pytest.raises(TimeoutError):
            clients[0].recv(1)
        started = time.monotonic()
    assert time.monotonic() - started < 2
    assert clients[1].recv(1) == b""  # cut at shutdown
    for client in clients:
        client.close()
    assert [t for t in threading.enumerate() if t not in before] == []


def test_plain_http_answers_http() -> None:
    with LabServer(mode="plain-http", hsts="max-age=60") as srv:
        assert srv.url == f"http://127.0.0.1:{srv.port}/" and srv.address == f"127.0.0.1:{srv.port}"
        with urllib.request.urlopen(srv.url, timeout=5) as reply:
            assert reply.status == 200 and reply.headers["Connection"] == "close"
            assert reply.headers["Strict-Transport-Security"] == "max-age=60"
            assert reply.read() == b"govscan TLS lab\n"


def test_close_mode_accepts_then_hangs_up() -> None:
    with LabServer(mode="close") as srv, socket.create_connection((srv.host, srv.port), timeout=2) as client:
        try:
            assert client.recv(1) == b""
        except ConnectionResetError:
            pass
    assert srv.stats.accepted == 1


def test_closed_port_refuses() -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", closed_port()), timeout=2).close()


def test_a_server_stops_promptly_with_a_client_stuck_mid_handshake() -> None:
    with LabServer(issue_leaf(lab_ca())) as srv:
        stuck = socket.create_connection((srv.host, srv.port), timeout=2)
        time.sleep(0.1)
        started = time.monotonic()
    assert time.monotonic() - started < 2
    stuck.close()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        LabServer(mode="ftp")
    with pytest.raises(ValueError, match="leaf"):
        LabServer(mode="tls")
    with pytest.raises(ValueError, match="min_version"):
        LabServer(issue_leaf(lab_ca()), min_version="TLSv1.3", max_version="TLSv1.2")
    with pytest.raises(ValueError, match="TLS version"):
        LabServer(issue_leaf(lab_ca()), min_version="SSLv3")


def test_weak_certificates_and_old_protocols_lower_the_security_level_only_when_needed() -> None:
    good = LabServer(issue_leaf(lab_ca()))
    assert "@SECLEVEL" not in good.effective_ciphers()
    assert LabServer(issue_leaf(lab_ca()), min_version="TLSv1").effective_ciphers() == "DEFAULT:@SECLEVEL=0"
    weak = LabServer(issue_leaf(lab_ca(), key="rsa1024"))
    assert weak.effective_ciphers().endswith(":@SECLEVEL=0") and "DEFAULT" not in weak.effective_ciphers()
