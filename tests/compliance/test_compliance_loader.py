"""Loading frameworks from rule packs, naming broken files, and filling rule.compliance."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.compliance import ComplianceLoadError, load_frameworks, rule_links
from govscan.rules import RuleLoadError, load_rules

FRAMEWORK = """\
id: acme
title: {ru: Политика, kk: Саясат, en: Policy}
document: Order No. 1
as_of: 2026-01-09
requirements:
  - id: acme:encrypt
    title: {ru: Шифрование, kk: Шифрлау, en: Encryption}
    summary: {ru: Шифровать., kk: Шифрлау., en: Encrypt.}
    confirmed: true
    rules: [acme.http.plain, tls.protocol.tls10]
"""

RULE = """\
id: acme.http.plain
title: A page is served over plain HTTP
kind: http
severity: medium
description: d
remediation: r
compliance: [kz-pdl:art-22, acme:encrypt, acme-internal:ISP-7]
http: {check: plain_http}
"""


def _pack(tmp_path: Path, framework: str = FRAMEWORK, rule: str = RULE) -> Path:
    (tmp_path / "compliance").mkdir()
    (tmp_path / "compliance" / "acme.yaml").write_text(framework, encoding="utf-8")
    (tmp_path / "http").mkdir()
    (tmp_path / "http" / "plain.yaml").write_text(rule, encoding="utf-8")
    return tmp_path


def test_a_rule_packs_framework_loads_beside_the_bundled_ones(tmp_path: Path) -> None:
    ids = [fw.id for fw in load_frameworks([_pack(tmp_path)], plugins=False)]
    assert ids[-1] == "acme" and "kz-pdl" in ids


def test_framework_files_are_not_loaded_as_rules_and_links_merge(tmp_path: Path) -> None:
    rules = load_rules([_pack(tmp_path)], plugins=False)
    assert "acme" not in rules.rules  # the framework file was not parsed as a rule
    # Framework-derived ids first, then the ids the rule file still lists itself, each once.
    assert rules["acme.http.plain"].compliance == ["acme:encrypt", "kz-pdl:art-22", "acme-internal:ISP-7"]
    assert "acme:encrypt" in rules["tls.protocol.tls10"].compliance


def test_a_broken_framework_file_is_named_in_the_error(tmp_path: Path) -> None:
    broken = FRAMEWORK.replace("{ru: Шифрование, kk: Шифрлау, en: Encryption}", "{ru: Шифрование, en: Encryption}")
    pack = _pack(tmp_path, framework=broken)
    with pytest.raises(ComplianceLoadError, match=r"acme\.yaml: requirements\[0\] \(acme:encrypt\)\.title\.kk"):
        load_frameworks([pack], plugins=False)
    with pytest.raises(RuleLoadError, match=r"compliance/acme\.yaml"):  # load_rules fails the same way
        load_rules([pack], plugins=False)


def test_unreadable_yaml_and_a_duplicate_framework_are_named(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    (pack / "compliance" / "bad.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ComplianceLoadError, match=r"bad\.yaml: cannot read framework"):
        load_frameworks([pack], plugins=False)
    (pack / "compliance" / "bad.yaml").write_text(
        FRAMEWORK.replace("acme", "kz-pdl").replace("kz-pdl.http", "acme.http"), encoding="utf-8"
    )
    with pytest.raises(ComplianceLoadError, match=r"duplicate framework id 'kz-pdl'"):
        load_frameworks([pack], plugins=False)


def test_rule_links_lists_every_rule_even_unmapped_ones() -> None:
    links = rule_links(load_frameworks(plugins=False), ["pii.kz-iin", "nobody.maps.this"])
    assert links["nobody.maps.this"] == []
    assert links["pii.kz-iin"][0].startswith("cyber-shield:")


def test_rules_show_prints_the_compliance_links() -> None:
    from govscan.cli import cli

    result = CliRunner().invoke(cli, ["rules", "show", "pii.kz-iin"])
    assert result.exit_code == 0, result.output
    assert "Compliance:" in result.output and "kz-pdl:art-6" in result.output and "kz-koap:art-79" in result.output
