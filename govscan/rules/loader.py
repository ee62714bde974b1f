"""Find, parse and validate rule files; reject duplicates so suppressions stay unambiguous."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from govscan.compliance.loader import frameworks_in_dirs, merge_ids, rule_links
from govscan.rulefiles import RuleLoadError, read_mapping, rule_dirs
from govscan.rules.spec import RuleSpec
from govscan.strict import first_error


@dataclass(frozen=True)
class RuleSet:
    """All loaded rules, keyed by id, with where each came from."""

    rules: dict[str, RuleSpec]
    sources: dict[str, Path]

    def __getitem__(self, rule_id: str) -> RuleSpec:
        return self.rules[rule_id]

    def __iter__(self) -> Iterator[RuleSpec]:
        return iter(sorted(self.rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> RuleSpec | None:
        return self.rules.get(rule_id)

    def pii_rules(self) -> list[RuleSpec]:
        return [r for r in self if r.pii is not None]

    def of_kind(self, kind: str) -> list[RuleSpec]:
        return [r for r in self if r.kind == kind]

    def for_entity(self, entity: str) -> RuleSpec | None:
        for rule in self.pii_rules():
            assert rule.pii is not None
            if rule.pii.entity == entity:
                return rule
        return None

    @property
    def digest(self) -> str:
        """Identifies the rule set a result came from (recorded in baselines)."""
        h = hashlib.sha256()
        for rule in self:
            h.update(rule.model_dump_json().encode())
        return h.hexdigest()[:16]


def parse_rule_file(path: Path) -> RuleSpec:
    data = read_mapping(path, "rule")
    try:
        return RuleSpec.model_validate(data)
    except ValidationError as exc:
        raise RuleLoadError(f"{path}: {first_error(exc)}") from exc


# Folders of a rules directory that hold other YAML than rules.
_NOT_RULES = frozenset({"schema", "compliance"})


def load_rules(extra_dirs: Iterable[Path] = (), *, plugins: bool = True) -> RuleSet:
    """All rules of the bundled pack, ``extra_dirs`` and plugin packs, with compliance ids filled.

    A rule's ``compliance`` ids come from the framework files under ``compliance/`` (the one
    place the mapping is kept); ids a rule file still lists itself are kept after them.
    """
    bundled, *packs = rule_dirs(plugins)
    dirs = [bundled, *extra_dirs, *packs]
    rules: dict[str, RuleSpec] = {}
    sources: dict[str, Path] = {}
    for directory in dirs:
        for path in sorted(directory.rglob("*.yaml")):
            if _NOT_RULES.intersection(path.relative_to(directory).parts[:-1]):
                continue
            rule = parse_rule_file(path)
            if rule.id in rules:
                raise RuleLoadError(f"{path}: duplicate rule id {rule.id!r} (also in {sources[rule.id]})")
            rules[rule.id] = rule
            sources[rule.id] = path
    return RuleSet(_with_compliance(rules, dirs), sources)


def _with_compliance(rules: dict[str, RuleSpec], dirs: list[Path]) -> dict[str, RuleSpec]:
    links = rule_links(frameworks_in_dirs(dirs), rules)
    return {
        rule_id: rule.model_copy(update={"compliance": merge_ids(links[rule_id], rule.compliance)})
        for rule_id, rule in rules.items()
    }
