"""A table whose rows are organisations publishes their own contacts, not personal data.

An akimat's most common open dataset is a directory of institutions: one row per school,
kindergarten or clinic, with its address, phone and mailbox, and often its head's name. The
decision is made once per table from the PERSON rule's ``organisation_table`` data: the table
has an organisation-name column (by header, or by most values carrying a legal form such as
КГУ or ТОО), none of its names is a sole trader's (ИП, ЖК: a person), and no column names the
person a row is about (ФИО, ИИН, a name column outside a role such as Директор). Then the
tallies of the contact rules marked ``in_organisation_tables`` are dropped in that table; the
head's name stays reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from govscan.pii.headers import HeaderVerdict, field_header, judge_header
from govscan.pii.name_parts import table_of

if TYPE_CHECKING:
    from govscan.model import Field
    from govscan.pii.columns import FieldScanner, Tally
    from govscan.rules.spec import OrganisationTableSpec

FieldKey = tuple[str, "Field"]


def drop_organisation_contacts(
    fields: dict[FieldKey, FieldScanner], out: dict[FieldKey, list[Tally]]
) -> dict[FieldKey, list[Tally]]:
    """``out`` without the contact tallies of tables that are directories of organisations."""
    spec, person = _spec(fields)
    if spec is None:
        return out
    tables: dict[tuple[str, str | None, str | None, str | None], list[FieldKey]] = {}
    for key in fields:
        tables.setdefault(table_of(*key), []).append(key)
    for keys in tables.values():
        if _is_directory(spec, person, [(fields[k], out[k]) for k in keys]):
            for key in keys:
                out[key] = [t for t in out[key] if not t.plan.spec.own_contact.in_organisation_tables]
    return out


def _spec(fields: dict[FieldKey, FieldScanner]) -> tuple[OrganisationTableSpec | None, str]:
    for scanner in fields.values():
        for plan in scanner.plans:
            if plan.spec.organisation_table is not None:
                return plan.spec.organisation_table, plan.recognizer.entity
        break
    return None, ""


def _is_directory(spec: OrganisationTableSpec, person: str, table: Sequence[tuple[FieldScanner, list[Tally]]]) -> bool:
    names: list[list[str]] = []
    for scanner, tallies in table:
        header = field_header(scanner.place)
        values = [v for v in scanner.head if v]
        if _names(header, spec.role_headers.all()):
            continue  # the head of the organisation, not the row's subject
        if _names(header, spec.subject_headers.all()):
            return False
        if _names(header, spec.name_headers.all()) or _share(values, spec.legal_forms) >= spec.min_share:
            names.append(values)
        elif any(t.mode == "column" and t.plan.recognizer.entity == person for t in tallies):
            return False  # a column of people's names under a header that is no role
    return bool(names) and not any(_share(values, spec.sole_traders) > 0 for values in names)


def _names(header: str | None, hints: list[str]) -> bool:
    """The header carries one of the hints (in any spelling :func:`judge_header` accepts)."""
    return judge_header(header, hints, ()) is HeaderVerdict.POSITIVE


def _share(values: list[str], markers: list[str]) -> float:
    """Share of values that carry one of the markers (a legal form, a sole trader's prefix)."""
    if not values or not markers:
        return 0.0
    search = _marker_pattern(tuple(markers)).search
    return sum(1 for v in values if search(v)) / len(values)


@cache
def _marker_pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    """Abbreviations as case-sensitive whole words ("КГУ «…»"), phrases in any case."""
    words = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True) if " " not in m)
    phrases = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True) if " " in m)
    parts = [f"(?<!\\w)(?:{words})(?!\\w)"] if words else []
    if phrases:
        parts.append(f"(?i:{phrases})")
    return re.compile("|".join(parts) or r"(?!)")
