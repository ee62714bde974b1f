"""Scores detection on the labelled corpus: recall and precision by (file, place, entity).

The corpus is committed under ``tests/fixtures/corpus`` (a copy of the shared sample beside the
repository; everything personal in it is synthetic), so a fresh clone runs this gate; where the
shared sample exists and differs from the copy, it is scored as well. A corpus is a sample of what
portals publish, not the target; the test fails below 0.95 on either measure. Labels name the places that hold an entity (``entities``) and places that must
not be reported as some entity (``negatives``); a place ``*`` means anywhere in the file. Every
finding not labelled counts against precision, not only the listed negatives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from govscan.engine.documents import CheckOptions, run_check
from govscan.identity import load_secret
from govscan.model import Finding
from govscan.rules import load_rules

from .conftest import CORPUS

OWN_CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names
    )


def corpora() -> dict[str, Path]:
    """The committed corpus always; the shared sample too when it exists and has moved on from the copy."""
    found = {"own": OWN_CORPUS}
    if (CORPUS / "labels.json").exists() and not same_files(CORPUS, OWN_CORPUS):
        found["shared"] = CORPUS
    return found


def place_of(finding: Finding, file_name: str) -> str:
    loc = finding.location
    if loc.json_path:
        return loc.json_path
    column = loc.column or (f"#{loc.column_index}" if loc.column_index else "*")
    return f"{loc.sheet}!{column}" if loc.sheet and file_name.endswith(".xlsx") else column


def predicted(findings: Iterable[Finding]) -> set[tuple[str, str, str]]:
    out = set()
    for f in findings:
        uri = f.location.uri.replace("\\", "/")
        file_name = uri.split("/")[-1] if "!/" not in uri else uri.split("!/")[0].split("/")[-1]
        out.add((file_name, place_of(f, file_name), f.entity or ""))
    return out


def test_the_committed_corpus_is_in_the_repository_and_every_file_is_labelled() -> None:
    labels = json.loads((OWN_CORPUS / "labels.json").read_text(encoding="utf-8"))
    files = {p.name for p in OWN_CORPUS.iterdir()} - {"labels.json"}
    assert OWN_CORPUS.is_relative_to(Path(__file__).resolve().parents[1])
    assert files == set(labels) and len(files) >= 8  # an unlabelled file would count only against precision
    assert {Path(name).suffix for name in files} >= {".csv", ".json", ".xlsx", ".html", ".zip"}


@pytest.fixture(scope="module", params=sorted(corpora()))
def scored(request: pytest.FixtureRequest) -> dict[str, object]:
    corpus = corpora()[request.param]
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    result = run_check(CheckOptions([str(corpus)]), load_rules(plugins=False), load_secret())
    assert not result.errors, result.errors
    found = predicted(result.findings)
    expected = {(f, place, e) for f, spec in labels.items() for place, ents in spec["entities"].items() for e in ents}
    wildcard = {(f, e) for f, p, e in expected if p == "*"}

    def labelled(item: tuple[str, str, str]) -> bool:
        return item in expected or (item[0], item[2]) in wildcard

    true_positive = {p for p in found if labelled(p)}
    recalled = {
        e for e in expected if e in found or (e[1] == "*" and any((f, en) == (e[0], e[2]) for f, _, en in found))
    }
    negatives = {(f, place, e) for f, spec in labels.items() for place, ents in spec["negatives"].items() for e in ents}
    return {
        "precision": len(true_positive) / len(found) if found else 0.0,
        "recall": len(recalled) / len(expected),
        "false_positives": sorted(found - true_positive),
        "missed": sorted(expected - recalled),
        "negatives_hit": sorted(found & negatives),
        "iin_counts": {
            f: sum(x.count for x in result.findings if x.entity == "KZ_IIN" and f in x.location.uri) for f in labels
        },
        "labels": labels,
    }


def test_recall_on_the_corpus_is_at_least_95_percent(scored: dict) -> None:
    assert scored["recall"] >= 0.95, f"missed: {scored['missed']}"


def test_precision_on_the_corpus_is_at_least_95_percent(scored: dict) -> None:
    assert scored["precision"] >= 0.95, f"false positives: {scored['false_positives']}"


def test_no_labelled_negative_is_reported(scored: dict) -> None:
    assert scored["negatives_hit"] == []


def test_iin_counts_match_the_labels(scored: dict) -> None:
    for file_name, spec in scored["labels"].items():
        assert scored["iin_counts"][file_name] == spec["iin_count"], file_name
