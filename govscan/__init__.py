"""govscan: audit scanner for government portals and the open datasets they publish."""

from __future__ import annotations

__version__ = "0.1.0"
