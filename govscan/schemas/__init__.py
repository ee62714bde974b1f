"""JSON Schemas of govscan's public formats, generated from the pydantic models that check them.

``rule.schema.json`` describes a rule file (``rules/<kind>/*.yaml``, and a plugin's rule packs);
``report.schema.json`` every ``--format json`` document (``check``, ``tls``, ``crawl``, ``report``,
``findings list``/``show``, ``diff``, ``scans list``, ``rules list``: one envelope, told apart by
``kind``, and one shape of a finding); ``config.schema.json`` the gate's ``.govscan.yaml``. The models stay the one
definition: ``python -m govscan.schemas`` rewrites the files from them, and a test fails when
the committed files and the models disagree. Editors and CI jobs of third parties validate
against the shipped files (``importlib.resources.files("govscan.schemas")``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _rule() -> dict[str, Any]:
    from govscan.rules.spec import RuleSpec

    return RuleSpec.model_json_schema()


def _report() -> dict[str, Any]:
    from govscan.report.shape import json_schema

    return json_schema()


def _config() -> dict[str, Any]:
    from govscan.gateconfig import GateConfig

    return GateConfig.model_json_schema(by_alias=True)


SCHEMAS: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "rule.schema.json": ("A govscan rule file (rules/<kind>/*.yaml)", _rule),
    "report.schema.json": ("Every govscan --format json document and its findings", _report),
    "config.schema.json": ("The govscan gate config (.govscan.yaml, or [tool.govscan] in pyproject.toml)", _config),
}


def generate() -> dict[str, str]:
    """File name → the schema's text, exactly as committed (sorted keys, two-space indent)."""
    out = {}
    for name, (title, build) in SCHEMAS.items():
        schema = {"$schema": DIALECT, **build(), "title": title}
        out[name] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def stale(directory: Path = HERE) -> list[str]:
    """Names of the schema files in ``directory`` that differ from what the models generate now."""
    return [name for name, text in generate().items() if _read(directory / name) != text]


def write(directory: Path = HERE) -> list[str]:
    """Rewrite the schema files that changed; their names."""
    changed = stale(directory)
    texts = generate()
    for name in changed:
        (directory / name).write_text(texts[name], encoding="utf-8")
    return changed


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
