"""Run sslyze against endpoints and turn its results into ``TlsFacts``: the only I/O here.

sslyze gathers; govscan judges (``checks.py``, ``grade.py``). What sslyze folds into one failed
validation (expired, mismatched, self-signed, SHA-1) is kept apart here by reading the received
chain with ``cryptography``; what sslyze does not label (NULL, anonymous, export, non-forward-
secret suites) is kept as suite facts for the checks to classify.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govscan.errors import one_line
from govscan.tls.facts import Certificate, Endpoint, Suite, TlsFacts, Trust

# Endpoint profiles: "full" for audits, "fast" (certificate, protocol versions, HSTS) for
# frequent monitoring runs.
PROTOCOL_COMMANDS = {
    "ssl2": "SSL_2_0_CIPHER_SUITES",
    "ssl3": "SSL_3_0_CIPHER_SUITES",
    "tls1.0": "TLS_1_0_CIPHER_SUITES",
    "tls1.1": "TLS_1_1_CIPHER_SUITES",
    "tls1.2": "TLS_1_2_CIPHER_SUITES",
    "tls1.3": "TLS_1_3_CIPHER_SUITES",
}
FAST_EXTRA = ("CERTIFICATE_INFO", "HTTP_HEADERS")
FULL_EXTRA = (
    *FAST_EXTRA,
    "HEARTBLEED",
    "ROBOT",
    "OPENSSL_CCS_INJECTION",
    "TLS_FALLBACK_SCSV",
    "TLS_COMPRESSION",
    "SESSION_RENEGOTIATION",
    "ELLIPTIC_CURVES",
    "TLS_EXTENDED_MASTER_SECRET",
)


@dataclass(frozen=True)
class ScanSettings:
    """How to scan; plain data so a worker process gets it by pickling."""

    profile: str = "full"
    ca_file: str | None = None
    network_timeout: float = 5.0
    per_host_connections: int = 5
    concurrent_endpoints: int = 10

    def command_names(self) -> tuple[str, ...]:
        extra = FULL_EXTRA if self.profile == "full" else FAST_EXTRA
        return (*PROTOCOL_COMMANDS.values(), *extra)


def scan_endpoints(endpoints: Iterable[Endpoint], settings: ScanSettings) -> Iterator[TlsFacts]:
    """Scan endpoints with one sslyze Scanner (threads inside); yield facts as each finishes."""
    from sslyze import (
        CertificateInfoExtraArgument,
        ScanCommand,
        ScanCommandsExtraArguments,
        Scanner,
        ServerNetworkConfiguration,
        ServerNetworkLocation,
        ServerScanRequest,
    )

    endpoints = list(endpoints)
    commands = {ScanCommand(getattr(ScanCommand, name).value) for name in settings.command_names()}
    extra = ScanCommandsExtraArguments(
        certificate_info=CertificateInfoExtraArgument(custom_ca_file=Path(settings.ca_file))
        if settings.ca_file
        else None
    )
    requests = []
    failed: list[TlsFacts] = []
    by_uuid: dict[Any, Endpoint] = {}
    for endpoint in endpoints:
        try:
            location = ServerNetworkLocation(endpoint.host, endpoint.port, ip_address=endpoint.ip)
            network = ServerNetworkConfiguration(
                tls_server_name_indication=endpoint.host,
                network_timeout=int(max(1, settings.network_timeout)),
                network_max_retries=1,
                http_user_agent="govscan (+https://github.com/govscan/govscan)",
            )
            request = ServerScanRequest(
                server_location=location,
                network_configuration=network,
                scan_commands=commands,
                scan_commands_extra_arguments=extra,
            )
        except Exception as exc:  # noqa: BLE001 - DNS failures raise here: one endpoint's problem
            failed.append(_error_facts(endpoint, one_line(exc, 300)))
            continue
        by_uuid[request.uuid] = endpoint
        requests.append(request)
    yield from failed
    if not requests:
        return
    scanner = Scanner(
        per_server_concurrent_connections_limit=settings.per_host_connections,
        concurrent_server_scans_limit=settings.concurrent_endpoints,
    )
    scanner.queue_scans(requests)
    for result in scanner.get_results():
        yield facts_from_result(by_uuid[result.uuid], result, settings)


def facts_from_result(endpoint: Endpoint, result: Any, settings: ScanSettings) -> TlsFacts:
    """Translate one sslyze ``ServerScanResult``; a failed connection becomes an error fact."""
    from sslyze import ServerConnectivityStatusEnum, ServerScanStatusEnum

    now = dt.datetime.now(dt.UTC)
    ip = result.server_location.ip_address
    if result.connectivity_status != ServerConnectivityStatusEnum.COMPLETED:
        trace = result.connectivity_error_trace
        return _error_facts(endpoint, _connectivity_error(trace), ip=ip)
    if result.scan_status != ServerScanStatusEnum.COMPLETED or result.scan_result is None:
        return _error_facts(endpoint, "scan did not complete", ip=ip)
    attempts = _Attempts(result.scan_result)
    protocols, suites = _protocols_and_suites(attempts)
    chain, trust, in_order, ocsp = _certificate_facts(attempts.completed("certificate_info"), settings)
    headers = attempts.completed("http_headers")
    hsts = headers.strict_transport_security_header if headers is not None else None
    renegotiation = attempts.completed("session_renegotiation")
    robot = attempts.completed("robot")
    return TlsFacts(
        endpoint=endpoint,
        scanned_at=now,
        ip=ip,
        protocols=protocols,
        suites=suites,
        chain=chain,
        trust=trust,
        chain_in_order=in_order,
        heartbleed=_attr(attempts.completed("heartbleed"), "is_vulnerable_to_heartbleed"),
        ccs_injection=_attr(attempts.completed("openssl_ccs_injection"), "is_vulnerable_to_ccs_injection"),
        robot=robot.robot_result.name if robot is not None else None,
        compression=_attr(attempts.completed("tls_compression"), "supports_compression"),
        secure_renegotiation=_attr(renegotiation, "supports_secure_renegotiation"),
        client_renegotiation=_attr(renegotiation, "is_vulnerable_to_client_renegotiation_dos"),
        fallback_scsv=_attr(attempts.completed("tls_fallback_scsv"), "supports_fallback_scsv"),
        ocsp_stapling=ocsp,
        hsts_tested=headers is not None,
        hsts_max_age=hsts.max_age if hsts is not None else None,
        hsts_include_subdomains=bool(hsts and hsts.include_subdomains),
        mozilla_issues=_mozilla_issues(result) if settings.profile == "full" else {},
        command_errors=attempts.errors,
        raw=_raw_json(result),
    )


class _Attempts:
    """sslyze's per-command attempts: a completed command's result, a failed one noted in ``errors``."""

    def __init__(self, attempts: Any) -> None:
        self.attempts = attempts
        self.errors: dict[str, str] = {}

    def completed(self, name: str) -> Any:
        attempt = getattr(self.attempts, name)
        status = getattr(attempt.status, "value", str(attempt.status))
        if status == "COMPLETED":
            return attempt.result
        if status == "ERROR":
            reason = getattr(attempt.error_reason, "value", attempt.error_reason)
            self.errors[name] = f"{reason}: {_trace_line(attempt.error_trace)}"
        return None


def _protocols_and_suites(attempts: _Attempts) -> tuple[dict[str, bool | None], tuple[Suite, ...]]:
    """Each protocol version accepted or not (None: not tested), and every accepted suite."""
    protocols: dict[str, bool | None] = {}
    suites: list[Suite] = []
    for protocol, command in PROTOCOL_COMMANDS.items():
        outcome = attempts.completed(command.lower())
        if outcome is None:
            protocols[protocol] = None
            continue
        accepted = outcome.accepted_cipher_suites
        protocols[protocol] = bool(accepted)
        suites.extend(_suite(protocol, s) for s in accepted)
    return protocols, tuple(suites)


def _certificate_facts(
    info: Any, settings: ScanSettings
) -> tuple[tuple[Certificate, ...], tuple[Trust, ...], bool | None, bool | None]:
    """The received chain, each trust store's verdict, chain order and OCSP stapling (first deployment)."""
    if info is None or not info.certificate_deployments:
        return (), (), None, None
    deployment = info.certificate_deployments[0]
    chain = tuple(describe_certificate(c) for c in deployment.received_certificate_chain)
    trust: list[Trust] = []
    for validation in deployment.path_validation_results:
        store = validation.trust_store
        configured = bool(settings.ca_file) and Path(str(store.path)) == Path(settings.ca_file)
        verified = validation.verified_certificate_chain
        trust.append(
            Trust(
                store=f"{store.name} {store.version}".strip(),
                trusted=validation.was_validation_successful,
                error=validation.validation_error,
                configured=configured,
                anchor_sha256=_sha256(verified[-1]) if verified else None,
            )
        )
    return chain, tuple(trust), deployment.received_chain_has_valid_order, deployment.ocsp_response is not None


def describe_certificate(cert: Any) -> Certificate:
    """The facts govscan judges a certificate by, read with ``cryptography``."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

    key = cert.public_key()
    key_type, key_size, exponent = type(key).__name__, 0, None
    if isinstance(key, rsa.RSAPublicKey):
        key_type, key_size, exponent = "RSA", key.key_size, key.public_numbers().e
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, key_size = "EC", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, key_size = "DSA", key.key_size
    else:
        key_type = type(key).__name__.replace("PublicKey", "").lstrip("_")
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns, ips = (), ()
    except ValueError:  # a malformed extension is itself a finding-worthy fact, not a crash
        dns, ips = (), ()
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        is_ca = False
    hash_algorithm = cert.signature_hash_algorithm
    country = [a.value for a in cert.issuer.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)]
    return Certificate(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=key_type,
        key_size=key_size,
        signature_hash=hash_algorithm.name if hash_algorithm is not None else None,
        san_dns=dns,
        san_ip=ips,
        self_signed=cert.subject == cert.issuer,
        is_ca=is_ca,
        sha256=_sha256(cert),
        issuer_country=str(country[0]) if country else None,
        rsa_exponent=exponent,
    )


def _sha256(cert: Any) -> str:
    from cryptography.hazmat.primitives import hashes

    return str(cert.fingerprint(hashes.SHA256()).hex())


def _suite(protocol: str, accepted: Any) -> Suite:
    suite = accepted.cipher_suite
    key = accepted.ephemeral_key
    kind = str(key.type_name) if key is not None else None  # "ECDH", "DH" (nassl's names)
    return Suite(
        name=suite.name,
        protocol=protocol,
        key_size=suite.key_size,
        anonymous=suite.is_anonymous,
        ephemeral_type=kind,
        ephemeral_size=key.size if key is not None else None,
    )


def _mozilla_issues(result: Any) -> dict[str, str]:
    from sslyze.mozilla_tls_profile.tls_config_checker import (
        MozillaTlsConfiguration,
        ServerNotCompliantWithTlsConfiguration,
        ServerScanResultIncomplete,
        TlsConfigurationEnum,
        check_server_against_tls_configuration,
    )

    try:
        check_server_against_tls_configuration(
            result, MozillaTlsConfiguration.get(TlsConfigurationEnum.MOZILLA_INTERMEDIATE)
        )
    except ServerNotCompliantWithTlsConfiguration as exc:
        return dict(exc.issues)
    except ServerScanResultIncomplete:
        return {}
    return {}


def _raw_json(result: Any) -> dict[str, Any]:
    """sslyze's own JSON for the endpoint: the evidence behind every verdict."""
    try:
        from sslyze.json.json_output import ServerScanResultAsJson

        data = ServerScanResultAsJson.model_validate(result).model_dump(mode="json")
        return json.loads(json.dumps(data, default=str))  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - evidence is best effort, verdicts do not depend on it
        return {}


def _error_facts(endpoint: Endpoint, error: str, ip: str | None = None) -> TlsFacts:
    return TlsFacts(endpoint=endpoint, scanned_at=dt.datetime.now(dt.UTC), ip=ip, error=error)


def _connectivity_error(trace: Any) -> str:
    line = _trace_line(trace)
    lowered = line.lower()
    if "refused" in lowered or "rejected the connection" in lowered:
        return "connection refused"
    if "timed out" in lowered or "timeout" in lowered:
        return "timed out while connecting or during the TLS handshake"
    if "could not resolve" in lowered or "dns" in lowered or "name or service" in lowered:
        return "host name could not be resolved"
    return line or "could not connect"


def _trace_line(trace: Any) -> str:
    if trace is None:
        return ""
    text = "".join(trace.format_exception_only()).strip() if hasattr(trace, "format_exception_only") else str(trace)
    return one_line(text, 300)


def _attr(result: Any, name: str) -> bool | None:
    return None if result is None else bool(getattr(result, name))
