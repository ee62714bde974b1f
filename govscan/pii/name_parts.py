"""A name split over columns (Фамилия | Имя | Отчество) is one person per row, not three columns.

Each column alone holds single words, which no name rule accepts, so the table would pass as
name-free; and reporting each column would count every person three times. The columns are
found by their headers (the PERSON rule's ``name_parts``, with the Latin spellings of the
Cyrillic ones), the cells of each sampled row are joined and judged by the same morphology as a
full-name cell, and one PERSON finding is put on the surname column, counting its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import zip_longest
from typing import TYPE_CHECKING

from govscan.identity import header_words
from govscan.pii.headers import HeaderVerdict, hint_strength
from govscan.pii.recognizers.person import is_full_name
from govscan.pii.translit import with_latin_spellings

if TYPE_CHECKING:
    from govscan.model import Field
    from govscan.pii.columns import EntityPlan, FieldScanner, Tally

ROLES = ("surname", "given", "patronymic")


def _person_plan(plans: Sequence[EntityPlan]) -> EntityPlan | None:
    return next((p for p in plans if p.spec.name_parts is not None), None)


def name_role(header: str | None, plans: Sequence[EntityPlan]) -> str | None:
    """Which part of a name the header announces, when exactly one part is its best match.

    ``Әкесінің аты`` is a patronymic (two words) though it contains ``аты`` (given name);
    ``Фамилия, имя, отчество`` names all three parts and is a full-name column, not a part.
    """
    plan = _person_plan(plans)
    if not header or plan is None:
        return None
    parts = plan.spec.name_parts
    assert parts is not None
    words = header_words(header)
    strength = {
        role: max((hint_strength(words, h) for h in with_latin_spellings(tuple(getattr(parts, role).all()))), default=0)
        for role in ROLES
    }
    best = max(strength.values())
    winners = [role for role, n in strength.items() if n == best]
    if not best or len(winners) != 1:
        return None
    # "Аты-жөні" (full name) holds "аты" (given name): a longer full-name hint outranks the part.
    parts_hints = {h for role in ROLES for h in getattr(parts, role).all()}
    whole = [h for h in plan.spec.header_hints.all() if h not in parts_hints]
    if max((hint_strength(words, h) for h in with_latin_spellings(tuple(whole))), default=0) > best:
        return None
    return winners[0]


def table_of(uri: str, place: Field) -> tuple[str, str | None, str | None, str | None]:
    """The table a field belongs to: its asset, sheet, part and (for JSON) parent path."""
    parent = place.json_path.rsplit(".", 1)[0] if place.json_path else None
    return uri, place.sheet, place.part, parent


def finish_fields(fields: dict[tuple[str, Field], FieldScanner]) -> dict[tuple[str, Field], list[Tally]]:
    """Every field's tallies, with a split name turned into one PERSON tally on its surname column."""
    out = {key: scanner.finish() for key, scanner in fields.items()}
    tables: dict[tuple[str, str | None, str | None, str | None], dict[str, list[tuple[str, Field]]]] = {}
    for key, scanner in fields.items():
        if scanner.role:
            tables.setdefault(table_of(*key), {}).setdefault(scanner.role, []).append(key)
    for roles in tables.values():
        if "surname" in roles and "given" in roles:
            _merge(fields, out, roles)
    return out


def _merge(
    fields: dict[tuple[str, Field], FieldScanner],
    out: dict[tuple[str, Field], list[Tally]],
    roles: dict[str, list[tuple[str, Field]]],
) -> None:
    from govscan.pii.columns import Tally

    surname_key, given_key = roles["surname"][0], roles["given"][0]
    surname = fields[surname_key]
    plan = _person_plan(surname.plans)
    assert plan is not None
    patronymic = fields[roles["patronymic"][0]].head if "patronymic" in roles else []
    rows = [
        " ".join(part for part in row if part)
        for row in zip_longest(surname.head, fields[given_key].head, patronymic, fillvalue="")
        if row[0] and row[1]
    ]
    names = [row for row in rows if is_full_name(row.split())]
    share = len(names) / len(rows) if rows else 0.0
    if not names or share < plan.spec.min_share_with_hint:
        return
    person = plan.recognizer.entity
    for role in ROLES:
        for key in roles.get(role, []):
            out[key] = [t for t in out[key] if t.plan.recognizer.entity != person]
    out[surname_key].append(
        Tally(
            plan,
            "column",
            share,
            HeaderVerdict.POSITIVE,
            count=surname.name_cells,
            example=names[0],
            first_line=surname.first_line,
            first_page=surname.first_page,
        )
    )
