"""Helpers for tests that scan realistic government publications written to a temporary folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from govscan.engine.documents import CheckOptions, run_check
from govscan.identity import load_secret
from govscan.model import Finding
from govscan.rules import load_rules


def scan(*paths: Path) -> list[Finding]:
    result = run_check(CheckOptions([str(p) for p in paths]), load_rules(plugins=False), load_secret())
    assert result.errors == []
    return result.findings


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_json(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps({"data": records}, ensure_ascii=False), encoding="utf-8")
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def places(findings: list[Finding], entity: str) -> dict[str, int]:
    """Where (column, JSON key or "text") an entity was found, with its count."""
    out: dict[str, int] = {}
    for f in findings:
        if f.entity == entity:
            loc = f.location
            out[loc.column or loc.json_path or "text"] = out.get(loc.column or loc.json_path or "text", 0) + f.count
    return out
