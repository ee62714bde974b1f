"""The committed JSON Schemas are what the models generate, and they accept what govscan accepts."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from govscan.cli import cli
from govscan.schemas import generate, stale, write

ROOT = Path(__file__).resolve().parents[2]


def shipped(name: str) -> dict:
    return json.loads((resources.files("govscan.schemas") / name).read_text(encoding="utf-8"))


def test_regenerating_the_schemas_changes_nothing() -> None:
    assert stale() == [], "run: python -m govscan.schemas"


def test_a_stale_schema_file_is_named_and_rewritten(tmp_path: Path) -> None:
    (tmp_path / "rule.schema.json").write_text("{}\n", encoding="utf-8")
    assert set(stale(tmp_path)) == set(generate())
    assert set(write(tmp_path)) == set(generate())
    assert stale(tmp_path) == []


@pytest.mark.parametrize(
    "path", sorted((ROOT / "rules").glob("[!c]*/*.yaml")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_shipped_rule_file_is_valid_under_the_rule_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), shipped("rule.schema.json"))


def test_the_rule_schema_refuses_an_unknown_key() -> None:
    rule = yaml.safe_load((ROOT / "rules" / "pii" / "kz-iin.yaml").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**rule, "severty": "high"}, shipped("rule.schema.json"))


def test_a_json_report_with_page_and_part_is_valid_under_the_report_schema(tmp_path: Path) -> None:
    from govscan.testing import pdfs, synth

    if pdfs.cyrillic_font() is None:
        pytest.skip(f"no Cyrillic font (Debian {pdfs.FONT_PACKAGE})")
    import random

    pdf = pdfs.new_pdf()
    pdf.add_page()
    pdfs.add_redacted(pdf, "Заявитель, ИИН", synth.iin(random.Random(5)), "поставлен в очередь.")
    path = tmp_path / "decision.pdf"
    pdf.output(str(path))
    result = CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", "--format", "json", str(path)])
    report = json.loads(result.stdout)
    (finding,) = report["findings"]
    assert finding["location"]["page"] == 1 and finding["location"]["part"] == "under a redaction box"
    jsonschema.validate(report, shipped("report.schema.json"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**report, "findings": [{**finding, "extra": 1}]}, shipped("report.schema.json"))
