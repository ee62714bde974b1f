"""A personal certificate's identifier (NCA: ``serialNumber=IIN…``) never leaves govscan raw.

Kazakh personal certificates carry the holder's IIN in the subject. ``tls --format json`` keeps
sslyze's raw result per endpoint as evidence, the scan stores each endpoint's summary, and the
report prints it: the subject is masked in all of them, and the certificate's PEM (whose base64
would carry the IIN past any mask) is withheld.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from govscan.cli import cli
from govscan.testing.tls_lab import LabServer, Leaf

IIN = "850312300147"


def personal_leaf() -> Leaf:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "ИВАНОВ ИВАН"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{IIN}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Leaf(cert=cert, key=key)


def test_a_personal_certificate_subject_is_masked_in_tls_json_the_database_and_the_report(tmp_path: Path) -> None:
    leaf = personal_leaf()
    der = base64.b64encode(leaf.cert.public_bytes(serialization.Encoding.DER)).decode()
    db_path = tmp_path / "g.db"
    with LabServer(leaf) as server:
        target = f"localhost:{server.port}"
        tls = CliRunner().invoke(cli, ["tls", target, "--format", "json", "--no-progress", "--fail-on", "none"])
        config = tmp_path / "scan.yaml"
        config.write_text(f"name: nightly\ntargets:\n  - name: lab\n    tls: ['{target}']\n", encoding="utf-8")
        scan = CliRunner().invoke(cli, ["scan", str(config), "--db", f"sqlite:///{db_path}", "--fail-on", "none"])
    report = CliRunner().invoke(cli, ["report", "--db", f"sqlite:///{db_path}", "--format", "json"])
    database = b"".join(p.read_bytes() for p in tmp_path.glob("g.db*")).decode("utf-8", "replace")

    [endpoint] = json.loads(tls.stdout)["endpoints"]
    assert "IIN8503******47" in endpoint["certificate"]["subject"]
    assert "IIN8503******47" in json.dumps(endpoint["sslyze"], ensure_ascii=False), "the raw result is kept, masked"
    assert "IIN8503******47" in database, "the endpoint's summary is stored, masked"
    for where, text in {"tls": tls.output, "scan": scan.output, "report": report.stdout, "database": database}.items():
        assert IIN not in text, where
        flat = text.replace("\\n", "").replace("\n", "")
        assert der[100:160] not in flat, f"{where}: the certificate's PEM carries the IIN"
