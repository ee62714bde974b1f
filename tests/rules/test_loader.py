"""Rule packs: the bundled ones validate, broken ones fail with the file named, plugins add more."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from govscan import plugins
from govscan.plugins import RULES_GROUP
from govscan.rules import RuleLoadError, builtin_rules_dir, load_rules

ENTITIES = {
    "KZ_IIN", "KZ_BIN", "KZ_PASSPORT", "KZ_ID_CARD", "PHONE_NUMBER", "EMAIL_ADDRESS",
    "IBAN_CODE", "CREDIT_CARD", "DATE_OF_BIRTH", "ADDRESS", "PERSON",
}  # fmt: skip

EXTRA_RULE = """\
id: pii.kz-rnn
title: Legacy taxpayer numbers (RNN) are published
kind: pii
severity: medium
description: Old RNN numbers.
remediation: Remove them.
pii:
  entity: KZ_IIN
  recognizer: kz_iin
"""


def test_every_tls_rule_names_a_registered_check_and_has_compliance_links() -> None:
    checks = plugins.tls_checks()
    tls_rules = load_rules(plugins=False).of_kind("tls")
    assert len(tls_rules) >= 25
    for rule in tls_rules:
        assert rule.tls is not None and rule.tls.check in checks, rule.id
        assert rule.compliance and rule.remediation, rule.id


def test_every_entity_has_exactly_one_bundled_rule_with_docs() -> None:
    rules = load_rules(plugins=False)
    entities = [r.pii.entity for r in rules.pii_rules()]
    assert sorted(entities) == sorted(ENTITIES)
    for rule in rules:
        assert rule.description and rule.remediation and rule.references, rule.id
    assert rules["pii.kz-bin"].severity == "info"


def test_every_pii_rule_except_bin_links_the_personal_data_law() -> None:
    for rule in load_rules(plugins=False).pii_rules():
        if rule.id != "pii.kz-bin":
            assert any(c.startswith("kz-pdl:") for c in rule.compliance), rule.id


def test_a_broken_rule_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: Not-Dotted\ntitle: x\n", encoding="utf-8")
    with pytest.raises(RuleLoadError, match=r"bad\.yaml: id"):
        load_rules([tmp_path], plugins=False)


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    (tmp_path / "typo.yaml").write_text(EXTRA_RULE + "severty: high\n", encoding="utf-8")
    with pytest.raises(RuleLoadError, match="typo.yaml"):
        load_rules([tmp_path], plugins=False)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    source = (builtin_rules_dir() / "pii" / "kz-iin.yaml").read_text(encoding="utf-8")
    (tmp_path / "copy.yaml").write_text(source, encoding="utf-8")
    with pytest.raises(RuleLoadError, match="duplicate rule id 'pii.kz-iin'"):
        load_rules([tmp_path], plugins=False)


def test_rule_packs_from_installed_packages_are_loaded_through_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_plugins: object
) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "rnn.yaml").write_text(EXTRA_RULE, encoding="utf-8")
    module = tmp_path / "govscan_test_pack.py"
    module.write_text(f"from pathlib import Path\nRULES_DIR = Path({str(pack)!r})\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("GOVSCAN_LOAD_PLUGINS", "1")
    entry = metadata.EntryPoint("test-pack", "govscan_test_pack", RULES_GROUP)
    monkeypatch.setattr(metadata, "entry_points", lambda: metadata.EntryPoints([entry]))
    assert "pii.kz-rnn" in load_rules().rules


def test_plugins_can_be_switched_off_for_reproducible_gates(
    monkeypatch: pytest.MonkeyPatch, fresh_plugins: object
) -> None:
    monkeypatch.setenv("GOVSCAN_LOAD_PLUGINS", "")
    called = []
    monkeypatch.setattr(metadata, "entry_points", lambda group=None: called.append(group) or [])
    load_rules()
    assert called == []


@pytest.mark.parametrize(
    "text",
    ["id: " + "[" * 100_000 + "]" * 100_000 + "\n", "id: x\nseverity: " + "9" * 100_000 + "\n"],
    ids=["100000-deep", "100000-digit-number"],
)
def test_a_hostile_rule_file_is_named_in_one_line_not_a_crash(tmp_path: Path, text: str) -> None:
    """Run apart: libyaml's loader overflowed the C stack on deep nesting (a segfault, not an error)."""
    import subprocess
    import sys

    (tmp_path / "hostile.yaml").write_text(text, encoding="utf-8")
    probe = (
        "import sys\nfrom pathlib import Path\nfrom govscan.rules import RuleLoadError, load_rules\n"
        "try:\n    load_rules([Path(sys.argv[1])], plugins=False)\n"
        "except RuleLoadError as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    (line,) = done.stdout.splitlines()
    assert "hostile.yaml" in line and len(line) < 400
