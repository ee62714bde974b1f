"""No function in govscan/ runs over 60 lines: long ones hide several jobs behind one name.

There is no allow-list (the last entries left with the engine rework, issue 12 §1); schema
migrations are the one exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "govscan"
MAX_LINES = 60


def long_functions() -> dict[tuple[str, str], int]:
    """(module path under govscan/, function name) → lines, for every function over the limit."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if "migrations" in relative.parts:
            continue  # generated-style schema steps, read once and never changed
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_LINES:
                    found[(relative.as_posix(), node.name)] = lines
    return found


def test_no_function_is_longer_than_sixty_lines() -> None:
    assert long_functions() == {}, "split these functions (module, name → lines)"
