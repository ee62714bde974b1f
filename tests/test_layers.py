"""The package's import layers, read from the source: arrows only point down, and no loops.

Top to bottom (README, "Development"):

1. entry points — ``cli``, ``demo``, ``schemas``, ``__main__``: parse, plan, run, render.
2. engine — ``engine`` (units, planning, running, sinks), ``distributed`` (the Celery executor and
   its workers run engine steps, so they sit beside the engine, never below it), ``builtins``
   (the built-in plugin, which registers the rooms' parts).
3. rooms — one job each: ``net`` (all HTTP), ``sources``, ``readers``, ``pii``, ``tls``, ``web``,
   ``store``, ``report``, ``executors`` (local pools and the interface; they know no engine),
   ``config``, ``baseline``, ``gateconfig``, ``progress``, ``testing``.
4. base — ``model``, ``errors``, ``strict``, ``redact``, ``identity``, ``rules``, ``compliance``,
   ``rulefiles``, ``plugins``, ``hookspecs``, ``safeyaml``, ``terminal`` and the package itself
   (``__version__``).

Every import counts, also one inside a function; only ``if TYPE_CHECKING:`` blocks are left out
(type names never run: the plugin registry names the types its hooks carry). Rooms may import
each other and base modules may too, as long as no two top-level parts import each other, however
indirectly.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "govscan"
LAYERS: list[frozenset[str]] = [
    frozenset({"__main__", "cli", "demo", "schemas"}),
    frozenset({"engine", "distributed", "builtins"}),
    frozenset(
        {
            "net",
            "sources",
            "readers",
            "pii",
            "tls",
            "web",
            "store",
            "report",
            "executors",
            "config",
            "baseline",
            "gateconfig",
            "progress",
            "testing",
        }
    ),  # fmt: skip
    frozenset(
        {
            "__init__",
            "model",
            "errors",
            "strict",
            "redact",
            "identity",
            "rules",
            "compliance",
            "rulefiles",
            "plugins",
            "hookspecs",
            "safeyaml",
            "terminal",
        }
    ),  # fmt: skip
]


def part_of(path: Path) -> str:
    """The top-level part a file belongs to: its package under govscan/, or its own module."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def parts() -> set[str]:
    return {part_of(p) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def _runtime_imports(node: ast.AST) -> Iterator[tuple[str, int]]:
    """(module, line) of every import that can run: at the top, in functions, anywhere but TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for other in child.orelse:
                yield from _runtime_imports(other)
            continue
        if isinstance(child, ast.Import):
            yield from ((alias.name, child.lineno) for alias in child.names)
        elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
            if child.module == "govscan":  # ``from govscan import x``: a part, or the package's own name
                yield from ((f"govscan.{alias.name}", child.lineno) for alias in child.names)
            else:
                yield child.module, child.lineno
        yield from _runtime_imports(child)


def arrows() -> dict[tuple[str, str], list[str]]:
    """(importing part, imported part) → where (``file:line``), between different top-level parts."""
    known = parts()
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        source = part_of(path)
        for module, line in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = module.split(".")
            if names[0] != "govscan":
                continue
            target = names[1] if len(names) > 1 and names[1] in known else "__init__"
            if target != source:
                found.setdefault((source, target), []).append(f"{path.relative_to(PACKAGE)}:{line}")
    return found


def layer_of(part: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if part in layer)


def test_every_top_level_part_has_exactly_one_layer() -> None:
    placed = [part for layer in LAYERS for part in layer]
    assert len(placed) == len(set(placed)), "a part is listed in two layers"
    assert parts() - set(placed) == set(), "place the new part in a layer here and in README's Development section"
    assert set(placed) - parts() == set(), "this part is gone: take it off the layers"


def test_no_part_imports_one_from_a_layer_above_it() -> None:
    upward = {
        f"{source} → {target}": where
        for (source, target), where in arrows().items()
        if layer_of(target) < layer_of(source)
    }
    assert upward == {}, "a lower layer imports a higher one (hand it what it needs instead)"


def test_no_two_top_level_parts_import_each_other_even_through_others() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in arrows():
        graph.setdefault(source, set()).add(target)
    loops = [loop for loop in map(lambda start: _loop_from(start, graph), sorted(graph)) if loop]
    assert loops == [], "import loops between top-level parts"


def test_the_check_reads_the_imports_it_judges() -> None:
    found = arrows()
    assert ("cli", "engine") in found and ("engine", "store") in found  # top-level imports
    assert ("cli", "engine") in found and any(
        where.startswith("cli/tls.py") for where in found["cli", "engine"]
    )  # inside a function
    assert ("plugins", "pii") not in found  # a TYPE_CHECKING import is a type name, not an arrow


def _loop_from(start: str, graph: dict[str, set[str]]) -> list[str]:
    """A path start → … → start, or [] when none exists."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return []
