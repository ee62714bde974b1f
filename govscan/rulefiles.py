"""Where rule files live and how one YAML file is read: shared by the rule and framework loaders.

Kept outside both packages so that the compliance loader (frameworks sit in ``compliance/``
beside the rule folders) builds on this module while the rule loader builds on both: one
direction, no loop between ``rules/`` and ``compliance/``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from govscan.errors import one_line
from govscan.safeyaml import load_yaml

# libyaml's safe loader when PyYAML was built with it (5x faster start-up), else the pure one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleLoadError(Exception):
    """A rule file that cannot be used; the message names the file and the problem."""


def builtin_rules_dir() -> Path:
    """The bundled ``rules/``: force-included into wheels as ``govscan/_rules``, else the source tree."""
    packaged = resources.files("govscan") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "rules"


def rule_dirs(plugins: bool = True) -> list[Path]:
    """The bundled rules directory, then (with ``plugins``) those of installed rule packs."""
    from govscan import plugins as registry

    try:
        return registry.rule_dirs(third_party=False if not plugins else None)
    except registry.PluginLoadError as exc:
        raise RuleLoadError(str(exc)) from exc


def read_mapping(path: Path, what: str, error: type[Exception] = RuleLoadError) -> dict[str, Any]:
    """A YAML file that must hold one mapping (a rule, a framework); ``error`` names the file."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), _SAFE_LOADER)  # bounded: depth, number length
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path}: cannot read {what} ({one_line(exc)})") from exc
    if not isinstance(data, dict):
        raise error(f"{path}: a {what} file must hold one mapping")
    return data
