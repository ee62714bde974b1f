"""Column-header hints: does a header point at an entity, away from it, or say nothing?"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from govscan.identity import header_words
from govscan.model import Field
from govscan.pii.translit import with_latin_spellings


class HeaderVerdict(enum.Enum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NONE = "none"


def field_header(place: Field) -> str | None:
    """The text that plays the header's role: a column name, or a JSON path's last key."""
    if place.column:
        return place.column
    if place.json_path:
        last = place.json_path.replace("[*]", "").rstrip(".").split(".")[-1]
        return last.lstrip("@") or None
    return None


_CHANGING_ENDING = frozenset("ьйаяыиеоуэю")  # a Russian or Kazakh ending that inflection replaces
ABBREVIATION_MIN = 4  # letters a header word needs to stand for a longer hint word ("рожд", "rozhd")


def _word_matches(hint: str, word: str) -> bool:
    # Short hints (ИИН, ФИО, тел) must be whole words; longer ones may be inflected (адреса) or
    # abbreviated in the header (``Дата рожд.``, ``mesto_rozhd``, ``pasp_nomer``).
    if len(hint) <= 3:
        return word == hint
    if len(hint) >= 5 and hint[-1] in _CHANGING_ENDING:
        hint = hint[:-1]  # получатель → получателя, фамилия → фамилии, удостоверение → удостоверения
    return word.startswith(hint) or (len(word) >= ABBREVIATION_MIN and hint.startswith(word))


def hint_strength(header_text: tuple[str, ...], hint: str) -> int:
    """Number of words of the hint if it occurs in the header as a contiguous run, else 0."""
    words = header_words(hint)
    n = len(words)
    if not n:
        return 0
    for i in range(len(header_text) - n + 1):
        if all(_word_matches(h, w) for h, w in zip(words, header_text[i : i + n])):
            return n
    if n > 1 and any(_compound_matches(words, w) for w in header_text):
        return n
    return 0


def _compound_matches(words: tuple[str, ...], word: str) -> bool:
    """A key that runs the hint's words together: ``datarozhdeniya``, ``nomerpasporta``, ``datarozhd``.

    Hints of initials (``д р``, ``Ф И О``) never do: "dr" would start "driver" and "другое".
    """
    if min(map(len, words)) < 3:
        return False
    joined = "".join(words)
    if word.startswith(joined[:-1] if joined[-1] in _CHANGING_ENDING else joined):
        return True
    return joined.startswith(word) and len(word) >= len(joined) - len(words[-1]) + ABBREVIATION_MIN


def judge_header(header: str | None, positive: Iterable[str], negative: Iterable[str]) -> HeaderVerdict:
    """The most specific matching hint wins; ties go to the positive hint, so that a column
    named ``ИИН/БИН`` is still examined for IINs and its values decide. Cyrillic hints also
    match their Latin spellings (``familiya``, ``data_rozhdeniya``: see ``translit``)."""
    if not header:
        return HeaderVerdict.NONE
    words = header_words(header)
    positive, negative = with_latin_spellings(tuple(positive)), with_latin_spellings(tuple(negative))
    pos = max((hint_strength(words, h) for h in positive), default=0)
    neg = max((hint_strength(words, h) for h in negative), default=0)
    if neg > pos:
        return HeaderVerdict.NEGATIVE
    if pos:
        return HeaderVerdict.POSITIVE
    return HeaderVerdict.NONE
