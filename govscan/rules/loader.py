"""Find, parse and validate rule files; reject duplicates so suppressions stay unambiguous."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from govscan.rules.spec import RuleSpec
from govscan.safeyaml import load_yaml

ENTRY_POINT_GROUP = "govscan.rules"
# libyaml's safe loader when PyYAML was built with it (5x faster start-up), else the pure one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleLoadError(Exception):
    """A rule file that cannot be used; the message names the file and the problem."""


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


def builtin_rules_dir() -> Path:
    """The bundled ``rules/``: force-included into wheels as ``govscan/_rules``, else the source tree."""
    packaged = resources.files("govscan") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rules"


def _entry_point_dirs() -> Iterator[Path]:
    if os.environ.get("GOVSCAN_LOAD_PLUGINS", None) == "":
        return
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            target = ep.load()
        except Exception as exc:  # a broken plugin must not stop the scan
            raise RuleLoadError(f"rule pack entry point {ep.name!r}: cannot load ({exc})") from exc
        value = target() if callable(target) else getattr(target, "RULES_DIR", target)
        paths = value if isinstance(value, (list, tuple)) else [value]
        for path in paths:
            yield Path(str(path))


def read_mapping(path: Path, what: str, error: type[Exception] = RuleLoadError) -> dict[str, Any]:
    """A YAML file that must hold one mapping (a rule, a framework); ``error`` names the file."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), _SAFE_LOADER)  # bounded: depth, number length
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path}: cannot read {what} ({_one_line(exc)})") from exc
    if not isinstance(data, dict):
        raise error(f"{path}: a {what} file must hold one mapping")
    return data


def parse_rule_file(path: Path) -> RuleSpec:
    data = read_mapping(path, "rule")
    try:
        return RuleSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise RuleLoadError(f"{path}: {where}: {first['msg']}") from exc


# Folders of a rules directory that hold other YAML than rules.
_NOT_RULES = frozenset({"schema", "compliance"})


def load_rules(extra_dirs: Iterable[Path] = (), *, plugins: bool = True) -> RuleSet:
    """All rules of the bundled pack, ``extra_dirs`` and plugin packs, with compliance ids filled.

    A rule's ``compliance`` ids come from the framework files under ``compliance/`` (the one
    place the mapping is kept); ids a rule file still lists itself are kept after them.
    """
    dirs = [builtin_rules_dir(), *extra_dirs]
    if plugins:
        dirs.extend(_entry_point_dirs())
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
    # Imported here: govscan.compliance builds on this module (RuleLoadError, the rule dirs).
    from govscan.compliance.loader import frameworks_in_dirs, merge_ids, rule_links

    links = rule_links(frameworks_in_dirs(dirs), rules)
    return {
        rule_id: rule.model_copy(update={"compliance": merge_ids(links[rule_id], rule.compliance)})
        for rule_id, rule in rules.items()
    }


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
