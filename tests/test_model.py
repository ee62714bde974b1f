"""The model is where names read from scanned content become output, so it is where they are masked."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from govscan.cli import cli
from govscan.identity import fingerprint
from govscan.model import AssetOutcome, Field, Finding, Location, ReadError, Severity

IIN = "160402513597"


def test_a_location_is_masked_wherever_an_identifier_hides_in_it() -> None:
    location = Location(
        f"https://u:pw@portal.kz/uploads/{IIN}/a.zip!/160402-513597.csv?apiKey=K&iin={IIN}",
        sheet=f"Лист {IIN}",
        column="ИИН 580.412.487.546",
        json_path=f"{IIN}[*].iin",
    )
    assert location.uri == "https://portal.kz/uploads/1604******97/a.zip!/1604**-****97.csv?apiKey=***&iin=1604******97"
    assert (location.sheet, location.column, location.json_path) == (
        "Лист 1604******97",
        "ИИН 580.4**.***.*46",
        "1604******97[*].iin",
    )
    assert Location(location.uri, location.sheet) == Location(location.uri, location.sheet)  # idempotent


def test_errors_outcomes_and_evidence_are_masked_when_built() -> None:
    error = ReadError(f"exports/spravka_{IIN}.xlsx", f"cannot open exports/spravka_{IIN}.xlsx: bad zip")
    assert IIN not in str(error)
    outcome = AssetOutcome(
        f"http://portal.kz/?token=T&id={IIN}",
        True,
        f"listing {IIN}",
        {"server": f"nginx/1.18.0 {IIN}", "titles": [f"Index of /uploads/{IIN}/"]},
    )
    assert IIN not in json.dumps([outcome.uri, outcome.reason, outcome.summary])
    assert "token=***" in outcome.uri
    finding = Finding("http.header.server-version", None, Severity.LOW, "t", Location("http://portal.kz/"), 1,
                      f"Server: nginx/1.18.0 {IIN}", 1.0)  # fmt: skip
    assert finding.evidence == "Server: nginx/1.18.0 1604******97"


def test_fingerprints_still_hash_the_unmasked_names(tmp_path: Path) -> None:
    """Masking happens after identity: a finding keeps the fingerprint it had before masking existed."""
    path = tmp_path / f"spravka_{IIN}.csv"
    path.write_text("ФИО,ИИН\nИванов Иван,520120310335\nПетров Пётр,621119473645\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", "--format", "json", str(path)])
    [iin] = [f for f in json.loads(result.stdout)["findings"] if f["rule_id"] == "pii.kz-iin"]
    assert iin["location"]["uri"].endswith("spravka_1604******97.csv")
    key = os.environ["GOVSCAN_SECRET"].encode()
    expected = fingerprint(key, "pii.kz-iin", str(path), Field(column="ИИН", column_index=2))
    assert iin["fingerprint"] == expected
