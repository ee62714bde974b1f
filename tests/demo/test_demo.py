"""``govscan demo`` end to end: a local portal, a full scan into a database, the HTML report."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from govscan.cli import cli
from govscan.demo.portal import DemoData


def test_the_demo_scans_a_local_portal_and_writes_a_report_with_nothing_raw(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    assert "127.0.0.1" in result.stderr
    report = out / "report.en.html"
    assert f"report:   {report.resolve()}" in result.stdout
    found = int(re.search(r"scan 1: (\d+) findings", result.stdout).group(1))  # type: ignore[union-attr]
    assert found >= 40

    html = report.read_text(encoding="utf-8")
    for rule in ("pii.kz-iin", "exposure.git", "tls.protocol.tls10", "http.form.personal-data-over-http"):
        assert rule in html
    for published in ("recipients-2024.pdf", "decision-12.docx", "pii.failed-redaction"):
        assert published in html  # a PDF list (with a failed redaction) and a Word decision are read
    if shutil.which("tesseract"):
        assert "order-47-scan.pdf" in html  # the scanned order: found only through OCR
    raw = html.encode() + (out / "govscan.db").read_bytes() + result.stdout.encode() + result.stderr.encode()
    exported = (out / "exports" / "kindergarten-queue.csv").read_text(encoding="utf-8")
    iins = DemoData.generate().iins + re.findall(r"\b\d{12}\b", exported)
    assert len(iins) > 50 and not [i for i in iins if i.encode() in raw]


def test_the_demo_documents_are_made_from_its_own_synthetic_people(tmp_path: Path) -> None:
    """The PDF, the scan and the Word file plant people the demo's leak check knows about."""
    from govscan.model import Asset
    from govscan.readers import read_asset

    data = DemoData.generate()
    seen: dict[str, str] = {}
    for name, suffix in (("recipients", ".pdf"), ("order-scan", ".pdf"), ("decision", ".docx")):
        path = tmp_path / f"{name}{suffix}"
        path.write_bytes(data.document(name))
        pieces = list(read_asset(Asset(path.name, str(path))))
        text = " ".join(getattr(p, "text", "") or " ".join(getattr(p, "values", [])) for p in pieces)
        seen[name] = text
    assert data.recipients[0]["iin"] in seen["recipients"] and data.recipients[15]["iin"] in seen["recipients"]
    assert data.recipients[17]["iin"] in seen["decision"]
    assert not [f for f in re.findall(r"\b\d{12}\b", " ".join(seen.values())) if f not in data.iins]
