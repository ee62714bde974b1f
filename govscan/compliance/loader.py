"""Find and validate framework files; derive each rule's requirement ids from them.

Frameworks live in ``compliance/`` beside the rule folders, both in the bundled rules directory
and in every plugin rule pack, so a third-party pack can ship a framework (a sector regulation,
an internal policy) the same way it ships rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from govscan.compliance.spec import Framework
from govscan.rulefiles import RuleLoadError, read_mapping, rule_dirs
from govscan.strict import first_error

COMPLIANCE_DIR = "compliance"


class ComplianceLoadError(RuleLoadError):
    """A framework file that cannot be used; the message names the file and the problem.

    A subclass of :class:`RuleLoadError` because frameworks load with the rules: callers that
    already turn a broken rule pack into a clean CLI error handle a broken framework too.
    """


def parse_framework_file(path: Path) -> Framework:
    data = read_mapping(path, "framework", ComplianceLoadError)
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise ComplianceLoadError(f"{path}: {first_error(exc, lambda loc: _where(data, loc))}") from exc


def frameworks_in_dirs(dirs: Iterable[Path]) -> list[Framework]:
    """Frameworks under ``<dir>/compliance/`` of each rules directory, in directory then file order."""
    frameworks: list[Framework] = []
    sources: dict[str, Path] = {}
    owners: dict[str, str] = {}
    for directory in dirs:
        folder = Path(directory) / COMPLIANCE_DIR
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.yaml")):
            if "schema" in path.relative_to(folder).parts:
                continue
            framework = parse_framework_file(path)
            if framework.id in sources:
                raise ComplianceLoadError(
                    f"{path}: duplicate framework id {framework.id!r} (also in {sources[framework.id]})"
                )
            for req in framework.requirements:
                if req.id in owners:  # impossible with prefixed ids, kept for a clear message
                    raise ComplianceLoadError(f"{path}: requirement {req.id!r} also defined by {owners[req.id]}")
                owners[req.id] = framework.id
            sources[framework.id] = path
            frameworks.append(framework)
    return frameworks


def load_frameworks(extra_dirs: Iterable[Path] = (), plugins: bool = True) -> list[Framework]:
    """The bundled frameworks plus those of ``extra_dirs`` and (optionally) installed rule packs."""
    bundled, *packs = rule_dirs(plugins)
    return frameworks_in_dirs([bundled, *extra_dirs, *packs])


def rule_links(frameworks: Iterable[Framework], rule_ids: Iterable[str]) -> dict[str, list[str]]:
    """For every rule id, the requirement ids that list it (framework order, then file order).

    Rules no requirement lists map to an empty list, so callers can spot unmapped rules.
    """
    requirements = [req for fw in frameworks for req in fw.requirements]
    return {rule_id: [req.id for req in requirements if req.matches(rule_id)] for rule_id in rule_ids}


def merge_ids(derived: Iterable[str], own: Iterable[str]) -> list[str]:
    """Framework-derived ids first, then ids a rule file still lists itself, without repeats."""
    return list(dict.fromkeys([*derived, *own]))


def _where(data: dict, loc: tuple) -> str:
    """``requirements[3] (kz-pdl:art-11).title.kk`` rather than a bare index, so the entry is findable."""
    parts: list[str] = []
    node: object = data
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and key < len(node) and isinstance(node[key], dict) and "id" in node[key]:
                label += f" ({node[key]['id']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(key))
        node = node[key] if isinstance(node, (list, dict)) and _has(node, key) else None
    return "".join(parts) or "(top level)"


def _has(node: list | dict, key: object) -> bool:
    if isinstance(node, list):
        return isinstance(key, int) and 0 <= key < len(node)
    return key in node
