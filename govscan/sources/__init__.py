"""Sources: turn command-line inputs (paths, directories, globs, URLs) into assets to read."""

from __future__ import annotations

from govscan.sources.files import expand_inputs, is_excluded, is_url

__all__ = ["expand_inputs", "is_excluded", "is_url"]
