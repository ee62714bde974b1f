"""Latin spellings of Cyrillic header hints, for the keys of JSON and CSV exports.

Exports from e-government systems name their fields in Latin (``familiya``, ``data_rozhdeniya``,
``tel_mob``, ``akesinin_aty``). Rather than list those keys by hand beside every Cyrillic hint,
each hint is spelled out by a transliteration table that holds the variants people actually
type: GOST 7.79-B and the common Kazakh-Russian web spellings (``х`` as ``kh`` or ``h``, ``я`` as
``ya`` or ``ia``, Kazakh ``қ`` as ``k`` or ``q``). Every combination of variants is produced, up
to a bound, so a new Cyrillic hint in a rule file gets its Latin keys for free.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

# One letter, every spelling of it; the first is GOST 7.79-B's.
TABLE: dict[str, tuple[str, ...]] = {
    "а": ("a",), "б": ("b",), "в": ("v",), "г": ("g",), "д": ("d",), "е": ("e",),
    "ё": ("e", "yo"), "ж": ("zh",), "з": ("z",), "и": ("i",), "й": ("y", "i", "j"),
    "к": ("k",), "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",), "п": ("p",),
    "р": ("r",), "с": ("s",), "т": ("t",), "у": ("u",), "ф": ("f",), "х": ("kh", "h"),
    "ц": ("ts", "c"), "ч": ("ch",), "ш": ("sh",), "щ": ("sch", "shch"), "ъ": ("",),
    "ы": ("y",), "ь": ("",), "э": ("e",), "ю": ("yu", "iu"), "я": ("ya", "ia"),
    "ә": ("a", "ae"), "ғ": ("g", "gh"), "қ": ("k", "q"), "ң": ("n", "ng"), "ө": ("o", "oe"),
    "ұ": ("u", "ue"), "ү": ("u", "ue"), "һ": ("h",), "і": ("i",),
}  # fmt: skip
MAX_VARIANTS = 64  # per hint; a hint needing more is long enough for its first spellings to do


def latin_spellings(hint: str) -> tuple[str, ...]:
    """Every Latin spelling of a Cyrillic hint (none for a hint without Cyrillic letters)."""
    text = hint.lower()
    if not any(c in TABLE for c in text):
        return ()
    options = [TABLE.get(c, (c,)) for c in text]
    spellings = list(itertools.islice(("".join(parts) for parts in itertools.product(*options)), MAX_VARIANTS))
    # "ия" typed as "ia" rather than "iia" (familia, akimshilik): the doubled "i" collapsed too.
    spellings += [s.replace("ii", "i") for s in spellings if "ii" in s]
    return tuple(dict.fromkeys(spellings))


@lru_cache(maxsize=256)
def with_latin_spellings(hints: tuple[str, ...]) -> tuple[str, ...]:
    """The hints followed by the Latin spellings of the Cyrillic ones, without duplicates."""
    out = list(hints)
    for hint in hints:
        out.extend(latin_spellings(hint))
    return tuple(dict.fromkeys(out))
