"""The network layer's borders, read from the source (every import, also those inside functions).

HTTP lives in ``govscan/net/`` alone: a module elsewhere importing requests or urllib3 would be a
request that skips the SSRF guard, the rate limit or the byte bounds. ``sources/`` (the crawler,
portal APIs, inputs) and ``web/`` (portal hygiene) both build on ``net/`` and never on each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import govscan

PACKAGE = Path(govscan.__file__).parent
HTTP_LIBRARIES = ("requests", "urllib3")


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute names, wherever in the file the import stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules(room: str = "") -> dict[str, set[str]]:
    return {
        path.relative_to(PACKAGE).as_posix(): imports(path)
        for path in sorted((PACKAGE / room).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def offenders(room: str, forbidden: tuple[str, ...], allowed: frozenset[str] = frozenset()) -> list[str]:
    """``module imports name`` for each import in ``room`` of a package in ``forbidden``."""
    return [
        f"{module} imports {name}"
        for module, names in modules(room).items()
        if module not in allowed
        for name in sorted(names)
        if any(name == f or name.startswith(f"{f}.") for f in forbidden)
    ]


def test_only_the_network_layer_imports_an_http_library() -> None:
    network = frozenset(m for m in modules() if m.startswith("net/"))
    assert offenders("", HTTP_LIBRARIES, allowed=network) == [], "HTTP goes through govscan/net/"
    assert offenders("net", HTTP_LIBRARIES) != []  # the check sees the imports it forbids elsewhere


def test_the_network_layer_builds_on_neither_sources_nor_web() -> None:
    assert offenders("net", ("govscan.sources", "govscan.web")) == []


def test_sources_and_web_never_import_each_other() -> None:
    assert offenders("sources", ("govscan.web",)) == []
    assert offenders("web", ("govscan.sources",)) == []  # the portal audit that joins them is the engine's
