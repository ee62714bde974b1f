"""The one plugin registry: a pluggy ``PluginManager`` for built-ins and third-party packages alike.

Every extension point (readers, recognizers, TLS and HTTP checks, reporters, portal sources,
rule directories) is a hook of :mod:`govscan.hookspecs`. The modules in :data:`DEFAULT_PLUGINS`
implement those hooks for what govscan ships; installed packages add theirs through entry points:

- ``govscan``: a module with ``@hookimpl`` functions (any hook), loaded by pluggy's
  ``load_setuptools_entrypoints``, as in datasette and pytest;
- ``govscan.rules``: a callable returning a rule directory (or a list of them), or a module
  whose ``RULES_DIR`` is one — the rule-pack contract of DESIGN.md;
- ``govscan.sources``: a portal-API source object or class (or a list of them).

``GOVSCAN_LOAD_PLUGINS=`` (set and empty) loads no third-party plugin, for reproducible gates;
the built-ins are always there. The merged tables (``formats()``, ``tls_checks()``…) are built
once per manager and cached: ``read_asset`` asks for its reader once per file.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from govscan import hookspecs
from govscan.errors import described
from govscan.hookspecs import PROJECT, hookimpl

if TYPE_CHECKING:
    from govscan.pii.recognizers.base import Recognizer
    from govscan.readers import Reader
    from govscan.report.base import Reporter
    from govscan.sources.portal_api import ApiSource
    from govscan.tls.checks import TlsCheck
    from govscan.web.checks import HttpCheck

DEFAULT_PLUGINS = ("govscan.builtins",)
"""The built-ins, registered through the same hooks as third-party packages."""

ENTRY_POINT_GROUP = PROJECT
RULES_GROUP = "govscan.rules"
SOURCES_GROUP = "govscan.sources"
LOAD_ENV = "GOVSCAN_LOAD_PLUGINS"
# What ``sources.portal_api.ApiSource`` (a runtime-checkable protocol) asks of a source, checked by
# name: the registry sits below the rooms it serves and imports none of them.
API_SOURCE_MEMBERS = ("name", "applies", "discover")

T = TypeVar("T")


class PluginLoadError(Exception):
    """A third-party plugin that cannot be loaded; the message names its entry point."""


_managers: dict[bool, pluggy.PluginManager] = {}
_tables: dict[tuple[bool, str], Any] = {}
_problems: list[str] = []


def problems() -> list[str]:
    """Third-party plugins skipped because they could not be loaded (a portal source: never fatal)."""
    return list(_problems)


def third_party_enabled() -> bool:
    """False when ``GOVSCAN_LOAD_PLUGINS`` is set and empty."""
    return os.environ.get(LOAD_ENV, None) != ""


def manager(third_party: bool | None = None) -> pluggy.PluginManager:
    """The plugin manager: built-ins, plus installed plugins unless ``third_party`` is false."""
    wanted = third_party_enabled() if third_party is None else third_party
    pm = _managers.get(wanted)
    if pm is None:
        pm = _build(wanted)
        _managers[wanted] = pm  # only once built whole: a failed load is retried, not half-kept
    return pm


def _build(third_party: bool) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name)
    if third_party:
        installed = metadata.entry_points()  # one scan of the installed distributions (~20 ms)
        if _group(installed, ENTRY_POINT_GROUP):  # pluggy scans again: only when there is something to load
            try:
                pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
            except Exception as exc:  # noqa: BLE001 - any error in a plugin's import: one line, not a traceback
                raise PluginLoadError(f"a {ENTRY_POINT_GROUP!r} plugin cannot be loaded ({described(exc)})") from exc
        for ep in _group(installed, RULES_GROUP):
            pm.register(_RulePack(ep), f"{RULES_GROUP}:{ep.name}")
        for ep in _group(installed, SOURCES_GROUP):
            pm.register(_SourcePack(ep), f"{SOURCES_GROUP}:{ep.name}")
    return pm


def _group(installed: Any, group: str) -> list[metadata.EntryPoint]:
    """The entry points of ``group`` (``installed``: ``entry_points()``, whose type varies by Python)."""
    return sorted(installed.select(group=group), key=lambda ep: ep.name)


def register(plugin: object, name: str | None = None) -> None:
    """Register ``plugin`` (a module or object with ``@hookimpl`` functions) in every manager."""
    for pm in _managers.values() or [manager()]:
        pm.register(plugin, name)
    _tables.clear()


def unregister(plugin: object) -> None:
    """Take ``plugin`` out again (tests)."""
    for pm in _managers.values():
        if pm.is_registered(plugin):
            pm.unregister(plugin)
    _tables.clear()


def reset() -> None:
    """Forget the managers: the next call loads plugins afresh (after installing one, in tests)."""
    _managers.clear()
    _tables.clear()
    _problems.clear()


def _table(view: str, hook: str, third_party: bool | None, build: Callable[[list[Any]], T]) -> T:
    """``view`` of the merged answers to ``hook``, built once per manager."""
    wanted = third_party_enabled() if third_party is None else third_party
    key = (wanted, view)
    if key not in _tables:
        pm = manager(wanted)
        # pluggy calls the last-registered plugin first; reversed, a later plugin's entry of the
        # same name replaces a built-in's.
        answers = reversed(getattr(pm.hook, hook)())
        _tables[key] = build([item for batch in answers for item in batch])
    return _tables[key]


def cached(view: str, build: Callable[[], T]) -> T:
    """``build()`` computed once per registry state: a table derived from the plugins' answers."""
    key = (third_party_enabled(), view)
    if key not in _tables:
        _tables[key] = build()
    return _tables[key]


def _by_name(items: list[Any]) -> dict[str, Any]:
    return {item.name: item for item in items}


def _claims(items: list[Any], attribute: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for item in items:
        for claim in getattr(item, attribute):
            table[claim.lower()] = item.name
    return table


def formats(third_party: bool | None = None) -> dict[str, Reader]:
    """Reader functions by format name."""
    return _table(
        "formats", "govscan_readers", third_party, lambda items: {f.name: f.reader for f in items if f.reader}
    )


def extensions(third_party: bool | None = None) -> dict[str, str]:
    """Format names by file extension (with the dot, lower case: ``.ods``)."""
    return _table("extensions", "govscan_readers", third_party, lambda items: _claims(items, "extensions"))


def media_types(third_party: bool | None = None) -> dict[str, str]:
    """Format names by media type (lower case, without parameters)."""
    return _table("media_types", "govscan_readers", third_party, lambda items: _claims(items, "media_types"))


def recognizers(third_party: bool | None = None) -> dict[str, type[Recognizer]]:
    """Recognizer classes by the name ``pii`` rules use."""
    return _table("recognizers", "govscan_recognizers", third_party, _by_name)


def tls_checks(third_party: bool | None = None) -> dict[str, TlsCheck]:
    """TLS checks by the name ``tls`` rules use."""
    return _table("tls_checks", "govscan_tls_checks", third_party, _by_name)


def http_checks(third_party: bool | None = None) -> dict[str, HttpCheck]:
    """HTTP checks by the name ``http`` rules use."""
    return _table("http_checks", "govscan_http_checks", third_party, _by_name)


def reporters(third_party: bool | None = None) -> dict[str, Reporter]:
    """Reporters by ``--format`` name."""
    return _table("reporters", "govscan_reporters", third_party, _by_name)


def portal_sources(third_party: bool | None = None) -> dict[str, ApiSource]:
    """Portal-API sources by name."""
    return _table("portal_sources", "govscan_portal_sources", third_party, _by_name)


def rule_dirs(third_party: bool | None = None) -> list[Path]:
    """Rule directories: the bundled one first, then those of plugins, each once."""
    return _table(
        "rule_dirs", "govscan_rule_dirs", third_party, lambda items: list(dict.fromkeys(Path(str(d)) for d in items))
    )


class _RulePack:
    """A ``govscan.rules`` entry point seen as a plugin: its target names rule directories."""

    def __init__(self, ep: metadata.EntryPoint) -> None:
        self.ep = ep

    @hookimpl
    def govscan_rule_dirs(self) -> list[Path]:
        try:
            target = self.ep.load()
            value = target() if callable(target) else getattr(target, "RULES_DIR", target)
        except Exception as exc:  # noqa: BLE001 - a broken pack: one line naming it
            raise PluginLoadError(f"rule pack entry point {self.ep.name!r}: cannot load ({described(exc)})") from exc
        return [Path(str(path)) for path in _as_list(value)]


class _SourcePack:
    """A ``govscan.sources`` entry point seen as a plugin: a source object, a class, or a list."""

    def __init__(self, ep: metadata.EntryPoint) -> None:
        self.ep = ep

    @hookimpl
    def govscan_portal_sources(self) -> list[ApiSource]:
        try:
            sources = [c() if isinstance(c, type) else c for c in _as_list(self.ep.load())]
            if not all(all(hasattr(s, m) for m in API_SOURCE_MEMBERS) for s in sources):
                raise TypeError("not an API source (needs name, applies, discover)")
        except Exception as exc:  # noqa: BLE001 - a broken source must not stop the crawl: noted, skipped
            problem = f"portal source entry point {self.ep.name!r}: cannot load ({described(exc)})"
            _problems.append(problem)
            logging.getLogger(__name__).warning("%s", problem)
            return []
        return sources


def _as_list(value: Any) -> Iterator[Any]:
    yield from value if isinstance(value, (list, tuple)) else [value]
