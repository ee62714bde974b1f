"""Precision and recall on publications the detectors were not written against.

The corpus is generated into a temporary folder by :mod:`govscan.testing.unseen` (synthetic
people with valid IINs; recipients, housing queues, decisions, staff reserves, tender winners,
school admissions in PDF, Word, legacy Excel, XLSX, ODS, ODT, RTF, cp1251 CSV, HTML and JSON,
plus hard negatives) and scanned with ``govscan check --format json``, as a user would. Scores
are by (file, place, entity); both must stay at or above 0.95. A fresh clone runs this gate
without the shared corpus. The scanned-PDF subset needs Tesseract and is skipped without it.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.testing.unseen import format_table, generate, score

pytest.importorskip("fpdf")
pytest.importorskip("docx")
pytest.importorskip("odf")
pytest.importorskip("xlwt")

SEED = 20241


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("unseen")
    labels = generate(out / "corpus", SEED, scans=shutil.which("tesseract") is not None)
    report = out / "report.json"
    result = CliRunner().invoke(
        cli, ["check", "--format", "json", "--no-progress", "--fail-on", "none", "-o", str(report), str(out / "corpus")]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["errors"] == []
    figures = score(labels, data["findings"])
    print("\n" + format_table(figures))
    return figures


@pytest.mark.timeout(180)
def test_recall_on_unseen_publications_is_at_least_95_percent(scored: dict) -> None:
    assert scored["recall"] >= 0.95, f"missed: {scored['missed']}"


@pytest.mark.timeout(180)
def test_precision_on_unseen_publications_is_at_least_95_percent(scored: dict) -> None:
    assert scored["precision"] >= 0.95, f"false positives: {scored['false_positives']}"


@pytest.mark.timeout(180)
def test_every_format_is_read_and_scored(scored: dict) -> None:
    """No format may fall to a silent all-clear: each keeps recall of at least 0.75."""
    weak = {fmt: s["recall"] for fmt, s in scored["per_format"].items() if s["recall"] < 0.75}
    assert weak == {}
