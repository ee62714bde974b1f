"""Message catalogues for the HTML and Markdown reports (``i18n/{en,ru,kk}.json``).

Every interface string of a report comes from here, so a Kazakh or Russian reader never meets an
English label. Catalogues are flat ``{"key": "text with {placeholders}"}`` maps; a test keeps their
key sets identical. A counted message may add its plural forms as ``key#one``, ``key#few``,
``key#many`` (only the forms its language has; the key itself holds the general text), chosen by
the ``count`` parameter through CLDR's rules (:func:`plural_form`). A missing key raises :class:`MissingMessage` in strict mode (the default under
pytest and with ``GOVSCAN_I18N_STRICT=1``) so a template typo fails a test instead of shipping; in
production a missing key falls back to English, then to the key itself, rather than losing the
whole report.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale

CATALOG_DIR = Path(__file__).with_name("i18n")
LANGUAGES: tuple[str, ...] = ("ru", "kk", "en")
FALLBACK = "en"


class MissingMessage(KeyError):
    """A template asked for a key that the catalogue of its language does not have."""


@cache
def load_catalog(lang: str) -> dict[str, str]:
    """The catalogue of ``lang`` (read once per process)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r} (expected one of: {', '.join(LANGUAGES)})")
    data: Any = json.loads((CATALOG_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"catalogue {lang}.json must map keys to strings")
    return data


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_form(lang: str, count: int) -> str:
    """CLDR's plural category of ``count`` in ``lang`` (Babel): ``one``, ``few``, ``many`` or ``other``."""
    return str(_locale(lang).plural_form(count))


def strict_default() -> bool:
    """Strict under pytest (so tests catch missing keys) or when ``GOVSCAN_I18N_STRICT=1``."""
    flag = os.environ.get("GOVSCAN_I18N_STRICT")
    if flag is not None:
        return flag == "1"
    return "PYTEST_CURRENT_TEST" in os.environ


class Translator:
    """``t(key, **params)`` for one language; callable from templates as ``t("section.summary")``."""

    def __init__(self, lang: str, strict: bool | None = None) -> None:
        self.lang = lang
        self.catalog = load_catalog(lang)
        self.strict = strict_default() if strict is None else strict

    def __call__(self, key: str, **params: object) -> str:
        text = self.text(key, params.get("count"))
        return text.format(**params) if params else text

    def text(self, key: str, count: object = None) -> str:
        """The message of ``key`` unformatted; for an integer ``count``, its plural form when the
        catalogue has one (``key#one``, ``key#few``, ``key#many``: CLDR's rules of the language)."""
        text = self.catalog.get(key)
        if text is None:
            if self.strict:
                raise MissingMessage(f"no message {key!r} in the {self.lang} catalogue")
            return load_catalog(FALLBACK).get(key, key)
        if isinstance(count, int) and not isinstance(count, bool):
            text = self.catalog.get(f"{key}#{plural_form(self.lang, count)}", text)
        return text

    def has(self, key: str) -> bool:
        return key in self.catalog


def t(key: str, lang: str = FALLBACK, **params: object) -> str:
    """One message without keeping a :class:`Translator` around."""
    return Translator(lang)(key, **params)
