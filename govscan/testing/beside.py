"""Load a helper module that sits next to a test file.

The test suite runs with ``--import-mode=importlib`` (tests are not a package), so a shared
fixture file such as ``tests/report/report_db.py`` is loaded by path, once per session.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_beside(test_file: str, filename: str) -> ModuleType:
    path = Path(test_file).with_name(filename)
    name = "govscan_tests_" + "_".join(path.with_suffix("").parts[-2:])
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
