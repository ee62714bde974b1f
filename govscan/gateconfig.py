"""The gate's config file: ``.govscan.yaml`` (or ``[tool.govscan]`` in ``pyproject.toml``).

A repository says once how its CI gate judges it, as gitleaks' ``.gitleaks.toml``, trivy's
``.trivyignore`` or ZAP's rules file do::

    fail-on: medium
    exclude: ["vendor/**"]
    baseline: .govscan-baseline.json
    ignore:
      - rule: pii.email
        paths: ["contacts/**"]
        reason: the press office's published contacts

The file is found from the working directory upward; the search stops at the filesystem root or
at the first directory holding ``.git`` (a repository's root: a config above it belongs to
something else). In each directory ``.govscan.yaml``, then ``.govscan.yml``, then a
``pyproject.toml`` with a ``[tool.govscan]`` table count.

``fail-on``, ``exclude`` and ``baseline`` are defaults of the command's own flags (a flag, then its
``GOVSCAN_…`` variable, win over the file). An ``ignore`` entry suppresses the findings of one rule
(an ``fnmatch`` pattern: ``pii.*``) under the given paths, with its reason, as a baseline does:
they are still reported, marked suppressed, and never fail the gate. Paths are matched like
``--exclude`` (a path, one of its parent directories or its name), relative to the config file's
directory; a URL or ``tls://`` uri is matched whole.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError

from govscan.errors import InputError, one_line, shown
from govscan.model import Finding
from govscan.safeyaml import MAX_BYTES, load_yaml
from govscan.sources.files import is_excluded
from govscan.strict import StrictModel, first_error

CONFIG_NAMES = (".govscan.yaml", ".govscan.yml")
PYPROJECT = "pyproject.toml"


class GateConfigError(InputError):
    """A gate config that cannot be used; the one-line message names the file."""


class IgnoreEntry(StrictModel):
    """Findings of ``rule`` under ``paths`` are accepted, for ``reason``."""

    rule: str = Field(min_length=1, description="A rule id, or an fnmatch pattern of rule ids (pii.*).")
    paths: list[str] = Field(
        default=["**"],
        min_length=1,
        description="Globs, like --exclude, relative to the config file's directory; URLs are matched whole.",
    )
    reason: str = Field(min_length=1, description="Why these findings are accepted: shown with each one.")


class GateConfig(StrictModel):
    """What ``.govscan.yaml`` may say; every key is optional."""

    fail_on: Literal["info", "low", "medium", "high", "critical", "none"] | None = Field(
        default=None, alias="fail-on", description="Default of --fail-on."
    )
    exclude: list[str] = Field(default=[], description="Default of --exclude (check).")
    baseline: str | None = Field(default=None, description="Default of --baseline, relative to this file.")
    ignore: list[IgnoreEntry] = Field(default=[], description="Per-rule ignores scoped by path.")


@dataclass(frozen=True)
class LoadedConfig:
    """A config file read: where it is (paths in it are relative to its directory) and what it says."""

    path: Path
    config: GateConfig

    @property
    def root(self) -> Path:
        return self.path.parent

    def defaults(self, command: str | None) -> dict[str, Any]:
        """The defaults the file sets for ``command``'s flags (click ``default_map`` keys).

        ``exclude`` is ``check``'s file globs only: ``crawl --exclude`` takes URL patterns.
        """
        out: dict[str, Any] = {}
        if self.config.fail_on is not None:
            out["fail_on"] = self.config.fail_on
        if self.config.exclude and command == "check":
            out["exclude"] = list(self.config.exclude)
        if self.config.baseline:
            out["baseline"] = str(self.root / self.config.baseline)
        return out


def discover(start: Path | None = None) -> Path | None:
    """The config file that governs ``start`` (default: the working directory), or None."""
    directory = (start or Path.cwd()).resolve()
    while True:
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_govscan_table(pyproject):
            return pyproject
        if (directory / ".git").exists() or directory.parent == directory:
            return None
        directory = directory.parent


def load(path: Path) -> LoadedConfig:
    """Read and check a config file; a bad one is a :class:`GateConfigError` (one line, exit 2)."""
    name = shown(os.fspath(path))
    text = _read(path, name)
    if path.name == PYPROJECT:
        data = _toml_table(text, name)
    else:
        try:
            data = load_yaml(text)
        except yaml.YAMLError as exc:
            raise GateConfigError(f"config {name}: invalid YAML ({one_line(exc, 200)})") from None
        data = {} if data is None else data
    if not isinstance(data, dict):
        raise GateConfigError(f"config {name}: expected a mapping of settings (fail-on, exclude, ignore)")
    try:
        config = GateConfig.model_validate(data)
    except ValidationError as exc:
        raise GateConfigError(f"config {name}: {first_error(exc)}") from None
    return LoadedConfig(path.resolve(), config)


def apply_ignores(findings: Iterable[Finding], loaded: LoadedConfig) -> int:
    """Mark the findings an ``ignore`` entry accepts as suppressed with its reason; how many.

    A finding a baseline already accepted keeps the baseline's reason.
    """
    count = 0
    for finding in findings:
        if finding.suppressed:
            continue
        entry = _matching(finding, loaded)
        if entry is not None:
            finding.suppressed = f"ignored by {loaded.path.name}: {entry.reason}"
            count += 1
    return count


def _matching(finding: Finding, loaded: LoadedConfig) -> IgnoreEntry | None:
    where = _relative(finding.location.uri, loaded.root)
    for entry in loaded.config.ignore:
        if not fnmatchcase(finding.rule_id, entry.rule):
            continue
        if any(p in ("**", "*") for p in entry.paths) or is_excluded(where, entry.paths):
            return entry
        if "://" in where and any(fnmatchcase(where, p) for p in entry.paths):
            return entry
    return None


def _relative(uri: str, root: Path) -> str:
    """A local uri relative to the config's directory (archive members keep their ``!/`` tail)."""
    if "://" in uri:
        return uri
    outer, sep, member = uri.partition("!/")
    try:
        relative = os.path.relpath(os.path.abspath(outer), root).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        return uri
    return relative + sep + member


def _read(path: Path, name: str) -> str:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise GateConfigError(f"config {name}: file not found") from None
    except OSError as exc:
        raise GateConfigError(f"config {name}: cannot read ({one_line(exc)})") from None
    if len(raw) > MAX_BYTES:
        raise GateConfigError(f"config {name}: larger than {MAX_BYTES // (1024 * 1024)} MiB, not a govscan config")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GateConfigError(f"config {name}: not UTF-8 text (byte {exc.start})") from None


def _toml_table(text: str, name: str) -> Any:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GateConfigError(f"config {name}: invalid TOML ({one_line(exc, 200)})") from None
    tool = document.get("tool")
    return tool.get("govscan", {}) if isinstance(tool, dict) else {}


def _has_govscan_table(path: Path) -> bool:
    """Whether a pyproject.toml has ``[tool.govscan]``; an unreadable one is reported when loaded.

    Read up to the bound :func:`load` keeps: one past it that mentions govscan is load()'s to refuse.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return b"tool.govscan" in raw
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return "tool.govscan" in text  # broken, but meant for govscan: load() names the problem
    return isinstance(tool, dict) and "govscan" in tool
