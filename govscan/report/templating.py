"""The Jinja2 environment the HTML and Markdown reports share: loader, filters, the ``t`` global.

Filters that turn stored values into interface text (``label``, ``kinds``, ``robots``) translate
known values and pass unknown ones through as data, so an unexpected status in the database shows
as itself instead of breaking the report; a *template* asking for a missing key still fails in
strict mode (see :mod:`govscan.report.i18n`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from govscan import __version__
from govscan.report.data import FindingItem
from govscan.report.i18n import Translator
from govscan.report.reasons import reason_messages

TEMPLATE_DIR = Path(__file__).with_name("templates")
_CSS_TOKEN = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class RuleFix:
    """A rule's remediation, shown once per target rather than once per finding."""

    id: str
    title: str
    remediation: str
    references: list[str]


def day(value: dt.date | dt.datetime | None, lang: str = "en") -> str:
    """A date as the language writes it (Babel/CLDR): ``3 дек. 2026 г.``, ``2026 ж. 03 жел.``, ``Dec 3, 2026``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
    return _plain_spaces(format_date(value, "medium", locale=lang))


def moment(value: dt.datetime | None, lang: str = "en") -> str:
    """A moment in UTC, the date as the language writes it and a 24-hour time (``3 дек. 2026 г., 12:22 UTC``)."""
    if value is None:
        return ""
    utc = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    when = f"{format_date(utc.date(), 'medium', locale=lang)}, {format_time(utc, 'HH:mm', tzinfo=dt.UTC, locale=lang)}"
    return f"{_plain_spaces(when)} UTC"


def _plain_spaces(text: str) -> str:
    """CLDR's narrow no-break space (U+202F, ``2026 г.``) as the no-break space every font has."""
    return text.replace("\u202f", "\u00a0")


def _number(value: float, lang: str) -> str:
    return _plain_spaces(format_decimal(value, locale=lang))


def css_token(value: object) -> str:
    """A class-name suffix from data: itself when it is a plain token, else ``unknown``."""
    text = str(value)
    return text if _CSS_TOKEN.match(text) else "unknown"


def rules_of(findings: Iterable[FindingItem], lang: str = "en") -> list[RuleFix]:
    """The rules behind ``findings``, each once, in first-seen (most severe first) order, in ``lang``."""
    fixes: dict[str, RuleFix] = {}
    for f in findings:
        if f.rule_id not in fixes:
            fixes[f.rule_id] = RuleFix(f.rule_id, f.title_in(lang), f.remediation_in(lang), list(f.references))
    return list(fixes.values())


def evidence_text(t: Translator, finding: FindingItem) -> Markup:
    """The evidence in the report's language from its message templates; the stored English otherwise.

    Parameters (names, URLs, headers, ciphers: identifiers and quoted data) are set in ``<code>``;
    a list is joined (``TLSv1, TLSv1.1``), never shown as a Python repr; a ``date`` as the language
    writes it. If a message is unknown to the catalogue (a plugin's check), the stored English
    evidence is shown, as a quote.
    """
    stored = Markup("<code>%s</code>") % finding.evidence
    if not finding.messages or not all(t.has(f"evidence.{m.id}") for m in finding.messages):
        return stored
    parts = []
    for m in finding.messages:
        params = {k: Markup("<code>%s</code>") % _param_text(k, v, t.lang) for k, v in m.params.items()}
        try:
            parts.append(escape(t.text(f"evidence.{m.id}", m.params.get("count"))).format(**params))
        except (KeyError, IndexError, ValueError):  # the catalogue wants a parameter the check did not give
            return stored
    return Markup("; ").join(parts)


def evidence_plain(t: Translator, finding: FindingItem) -> str:
    """:func:`evidence_text` as plain text, for the Markdown report (which escapes it itself)."""
    if not finding.messages or not all(t.has(f"evidence.{m.id}") for m in finding.messages):
        return finding.evidence
    try:
        return "; ".join(
            t.text(f"evidence.{m.id}", m.params.get("count")).format(
                **{k: _param_text(k, v, t.lang) for k, v in m.params.items()}
            )
            for m in finding.messages
        )
    except (KeyError, IndexError, ValueError):
        return finding.evidence


def reason_text(t: Translator, reason: str) -> Markup:
    """Why an asset was not read, in the report's language when its form is known (``reasons.yaml``).

    Parameters (a library's own message, a worker's name) are quoted data in ``<code>``; a reason of
    no known form, or whose message the catalogue lacks, is shown as stored, quoted.
    """
    said = reason_messages(reason)
    if said is None or not all(t.has(f"reason.{m.id}") for m in said):
        return Markup("<code>%s</code>") % reason
    return Markup("; ").join(
        escape(t(f"reason.{m.id}")).format(**{k: Markup("<code>%s</code>") % v for k, v in m.params.items()})
        for m in said
    )


def reason_plain(t: Translator, reason: str) -> str:
    """:func:`reason_text` as plain text, for the Markdown report (which escapes it itself)."""
    said = reason_messages(reason)
    if said is None or not all(t.has(f"reason.{m.id}") for m in said):
        return reason
    return "; ".join(t(f"reason.{m.id}", **m.params) for m in said)


def _param_text(name: str, value: str | int | list[str], lang: str) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    if name == "date" and isinstance(value, str):
        try:
            return day(dt.date.fromisoformat(value), lang)
        except ValueError:
            return value
    return str(value)


def code_spans(text: str) -> Markup:
    """Rule text with its `backticked` configuration snippets as ``<code>``; everything escaped."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as it is
        return Markup(escape(text))  # noqa: S704 - escaped
    return Markup("").join(escape(p) if i % 2 == 0 else Markup("<code>%s</code>") % p for i, p in enumerate(parts))


def group_anchor(target_index: int, rule_id: str) -> str:
    """The id of one rule's findings on one target (1-based): ``g2-http.cookie.httponly-missing``."""
    return f"g{target_index}-{css_token(rule_id.replace('.', '-'))}"


def _size(t: Translator, value: int) -> str:
    mib = value / (1024 * 1024)
    if mib >= 1:
        return t("unit.mib", value=_number(round(mib, 1), t.lang))
    return t("unit.kib", value=_number(round(value / 1024, 1), t.lang))


def _duration(t: Translator, seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return t("unit.minutes", value=_number(seconds // 60, t.lang))
    return t("unit.seconds", value=_number(seconds, t.lang))


def setting_words(t: Translator, key: str, value: Any) -> str:
    """One recorded crawl setting as a phrase in the report's language; "" when it says nothing."""
    if value is None or value == [] or value == "":
        return t("setting.none." + key) if t.has("setting.none." + key) else ""
    if isinstance(value, bool):
        return t(f"setting.{key}.{'on' if value else 'off'}") if t.has(f"setting.{key}.on") else setting_text(value)
    if key in ("max_bytes_per_response", "max_total_bytes") and isinstance(value, int):
        return t(f"setting.{key}", value=_size(t, value))
    if key == "deadline" and isinstance(value, int | float):
        return t("setting.deadline", value=_duration(t, float(value)))
    if key == "rate" and isinstance(value, int | float):
        return t("setting.rate", value=_number(value, t.lang)) if value else t("setting.rate.none")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, int | float):
        value = _number(value, t.lang)
    if t.has(f"setting.{key}"):
        return t(f"setting.{key}", value=value)
    return f"{key} = {setting_text(value)}"


def settings_words(t: Translator, values: dict[str, Any] | None) -> list[str]:
    """Crawl limits and options as phrases (``at most 60 pages``), not raw keys; unknown keys as ``key = value``."""
    return [phrase for key, value in (values or {}).items() if (phrase := setting_words(t, key, value))]


def setting_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def robots_text(t: Translator, value: Any) -> str:
    """How robots.txt was treated, in the report's language (settings stored by any version)."""
    if value is None:
        return t("methodology.robots_na")
    if isinstance(value, bool):
        return t("methodology.robots_respected" if value else "methodology.robots_ignored")
    if isinstance(value, str) and value.lower() in ("respect", "respected", "obey"):
        return t("methodology.robots_respected")
    if isinstance(value, str) and value.lower() in ("ignore", "ignored"):
        return t("methodology.robots_ignored")
    if isinstance(value, str) and value.lower() == "audit":
        return t("methodology.robots_audit")
    return setting_text(value)


def environment(t: Translator, *, autoescape: bool, finalize: Callable[[Any], Any] | None = None) -> Environment:
    """An environment for one language; the HTML one escapes everything, the Markdown one finalizes."""
    # Autoescape is on for HTML; the Markdown environment escapes every output through ``finalize``.
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=autoescape,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )

    def label(value: object, prefix: str) -> str:
        key = f"{prefix}.{value}"
        return t(key) if t.has(key) else str(value)

    def kinds(value: str) -> str:
        return ", ".join(label(part, "kind") for part in str(value).split("+") if part)

    def cut_list(not_done: list[str], unread: int = 0) -> str:
        """What a deadline left undone, in words ("exposure probes, portal APIs, 3 data files")."""
        return ", ".join(t(f"methodology.cut.{part}", count=unread) for part in not_done)

    def line_word(finding: FindingItem) -> str:
        """A sheet's numbered line is a row; anything else's is a line (both reports say it alike)."""
        return t("finding.row" if finding.sheet else "finding.line")

    env.filters.update(
        cut_list=cut_list,
        line_word=line_word,
        day=lambda value: day(value, t.lang),
        group_anchor=group_anchor,
        code_spans=code_spans,
        part=lambda value: label(value, "part"),  # a reader's part name ("under a redaction box")
        evidence=lambda finding: evidence_text(t, finding) if autoescape else evidence_plain(t, finding),
        reason=lambda reason: reason_text(t, reason) if autoescape else reason_plain(t, reason),
        settings_words=lambda values: settings_words(t, values),
        moment=lambda value: moment(value, t.lang),
        cls=css_token,
        label=label,
        kinds=kinds,
        robots=lambda value: robots_text(t, value),
        rules_of=rules_of,
        setting=setting_text,
    )
    env.globals.update(t=t, lang=t.lang, version=__version__)
    return env
