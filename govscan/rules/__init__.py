"""Rule packs: YAML files under ``rules/`` plus packs that installed plugins register.

Third parties ship rules by exposing a directory through the ``govscan.rules`` entry point
group: the entry point resolves to a callable returning a path (or list of paths), or to a
module whose ``RULES_DIR`` attribute is a path.
"""

from __future__ import annotations

from govscan.rulefiles import RuleLoadError, builtin_rules_dir
from govscan.rules.loader import RuleSet, load_rules
from govscan.rules.spec import HeaderHints, PiiSpec, RuleSpec

__all__ = [
    "HeaderHints",
    "PiiSpec",
    "RuleLoadError",
    "RuleSet",
    "RuleSpec",
    "builtin_rules_dir",
    "load_rules",
]
