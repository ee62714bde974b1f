"""The recognizer type every entity is defined with, presidio-free on purpose.

A recognizer owns an entity's patterns, its context words and its validation. The same object
serves two paths: the bulk path for table columns (one regex pass over a newline-joined chunk of
a column, validation of all candidates at once) and presidio, which wraps it in a
``PatternRecognizer`` for free text (see ``govscan.pii.engine``). It does not subclass presidio
itself because importing presidio costs ~2 s, which alone would break the CI gate's time budget
on a plain CSV; presidio is imported only when free text has to be analysed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class PatternDef:
    """One regex of a recognizer; ``score`` is presidio's base score before context."""

    name: str
    regex: str
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    text: str
    score: float


# presidio's LemmaContextAwareEnhancer defaults, mirrored by the bulk path's context check.
CONTEXT_BOOST = 0.35
MIN_SCORE_WITH_CONTEXT = 0.4
REPORT_THRESHOLD = 0.4
CONTEXT_WINDOW = 48  # characters before a match searched for context words
CONTEXT_AFTER = 16  # characters after a match searched too (Kazakh puts "туған" after the date)
OWN_WINDOW = 64  # characters around a match searched for an organisation's own-contact words
LETTERHEAD_BLOCK = 200  # characters either side of a labelled match that make up its block
# A sentence ends after a word or a number, not after an abbreviation ("г. Астана", "ул. Абая").
_SENTENCE_END = re.compile(r"(?:(?<=[^\W\d_]{3})|(?<=[0-9]))[.!?;]\s+(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")


_WORD = re.compile(r"[^\W\d_]{3,}")
_PUNCT = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


class Recognizer:
    """Base for entity recognizers; subclasses set the class attributes and override hooks."""

    entity: ClassVar[str]
    name: ClassVar[str]
    patterns: ClassVar[tuple[PatternDef, ...]]
    flags: ClassVar[int] = 0
    # Whole-cell values in a table may be mangled by spreadsheets (IIN as 7.1E+11, lost zeros).
    repairs_cells: ClassVar[bool] = False
    # A regex every match contains (a digit, an "@"): free text is first cut down to the lines
    # that contain it, so prose without digits costs one fast scan instead of one per pattern.
    trigger: ClassVar[str | None] = "[0-9]"
    # True when ``validate_many`` fully decides a cell that holds just one value (check digits,
    # numbering plans): a column of such cells is then counted without a regex pass.
    validates_cells: ClassVar[bool] = False
    # Own-contact words must stand in the match's clause (phones, mailboxes), not only in its
    # sentence (addresses, whose own commas separate city, street and house).
    own_in_clause: ClassVar[bool] = False

    def __init__(self, context: Sequence[str] = ()) -> None:
        self.context = tuple(sorted({c.lower() for c in context if c.strip()}))
        self._compiled = tuple(re.compile(p.regex, self.flags) for p in self.patterns)
        self.own_words: tuple[str, ...] = ()
        self.own_labels: tuple[str, ...] = ()

    def with_own_contact(self, words: Sequence[str], labels: Sequence[str] = ()) -> Recognizer:
        """Set the rule's words that make a match in prose an organisation's own contact."""
        self.own_words = tuple(sorted({_fold(w) for w in words if w.strip()}))
        self.own_labels = tuple(sorted({_fold(w) for w in labels if w.strip()}))
        return self

    def is_own_contact(self, text: str, start: int, end: int) -> bool:
        """Whether running text presents the match as an organisation's own line, mailbox or office.

        The words count in the same sentence just before the match ("Приемная: 8 (7172) 74-10-10",
        "тел./факс …") or as a label right after it ("74-10-11 (факс)"); a label such as
        "Адрес:" counts only in a block that also holds such words (a letterhead, a footer).
        """
        if not self.own_words or not self.may_be_own(text[start:end]):
            return False
        line_start = text.rfind("\n", max(0, start - OWN_WINDOW), start) + 1
        before = text[max(line_start, start - OWN_WINDOW) : start]
        ends = list(_SENTENCE_END.finditer(before))
        before = _fold(before[ends[-1].end() :] if ends else before)
        if self.own_in_clause:
            # "поступившее в канцелярию от Петрова, тел. 8 701…": the words must name this very
            # value, in its own clause; bare list items ("Приемная: 74-10-10, 74-10-11") share it.
            clauses = before.split(",")
            at = len(clauses) - 1
            while at > 0 and not _WORD.search(clauses[at]):
                at -= 1
            before = clauses[at]
        if any(word in before for word in self.own_words):
            return True
        after = _fold(text[end : end + OWN_WINDOW]).lstrip(" \t(-–—:")  # "74-10-12 (приемная)"
        if after.startswith(self.own_words):
            return True
        if self.labelled(text, start):
            block = _fold(text[max(0, start - LETTERHEAD_BLOCK) : end + LETTERHEAD_BLOCK])
            return any(word in block for word in self.own_words)
        return False

    def may_be_own(self, value: str) -> bool:
        """Whether this value could be an organisation's own at all (a flat number never is)."""
        return True

    def labelled(self, text: str, start: int) -> bool:
        """Whether the match's line or sentence opens with one of the rule's own-contact labels
        ("Адрес:"): acts often end with one contacts line ("Контакт-центр: 1414. Адрес: …")."""
        if not self.own_labels:
            return False
        lo = max(0, start - OWN_WINDOW)  # a label further away is not this value's
        newline = text.rfind("\n", lo, start)
        opens_line = newline >= 0 or lo == 0
        segment = text[newline + 1 if newline >= 0 else lo : start]
        ends = list(_SENTENCE_END.finditer(segment))
        if ends:
            segment = segment[ends[-1].end() :]
        elif not opens_line:
            return False
        return _fold(segment).lstrip().startswith(self.own_labels)

    # --- validation hooks -------------------------------------------------------------------
    def validate(self, text: str) -> bool | None:
        """True: certainly the entity; False: certainly not; None: keep the base score."""
        return None

    def validate_many(self, texts: Sequence[str]) -> list[bool]:
        """Validate many candidates at once; override with a vectorised check where it pays."""
        return [self.validate(t) is not False for t in texts]

    def normalize(self, text: str) -> str:
        """Canonical form of a found value: what is masked, compared and hashed."""
        return text.strip()

    def mask(self, text: str) -> str:
        """Masked evidence: keep a little of each end, hide the middle (``9001******17``)."""
        return mask_middle(self.normalize(text))

    def share_despite_header(self, sample: Sequence[str]) -> float:
        """Share of sampled cells that hold the entity whatever their header says: a cell's own
        words can outweigh the header ("ИП Иванов Иван Иванович" under "Поставщик")."""
        return 0.0

    def repair_column(self, joined: str) -> str:
        """Undo spreadsheet damage in a newline-joined column chunk (whole cells only)."""
        return joined

    # --- finding ----------------------------------------------------------------------------
    def find(self, text: str) -> Iterator[Match]:
        """Validated matches in free text, scored as presidio would, context included.

        A match whose pattern scores below the report threshold (a bare nine-digit number, a
        date) is kept only when a context word stands just before it.
        """
        for match in self.validated(text):
            if self.own_words and self.is_own_contact(text, match.start, match.end):
                continue
            if match.score >= REPORT_THRESHOLD:
                yield match
            elif self.context_near(text, match.start, match.end):
                yield Match(
                    match.start, match.end, match.text, max(MIN_SCORE_WITH_CONTEXT, match.score + CONTEXT_BOOST)
                )

    def validated(self, text: str) -> Iterator[Match]:
        """Every validated match with its base score, context or not (a header can be the context)."""
        spans: list[tuple[int, int, str, float]] = []
        for pattern, compiled in zip(self.patterns, self._compiled):
            spans.extend((m.start(), m.end(), m.group(), pattern.score) for m in compiled.finditer(text))
        if not spans:
            return
        for (start, end, value, score), good in zip(spans, self.validate_many([s[2] for s in spans])):
            if good:
                yield Match(start, end, value, score)

    def count_in_column(self, joined: str) -> tuple[int, str | None]:
        """Count the entity in a column already judged to hold it (newline-joined cells).

        Where the validator decides whole cells, each cell is first validated as one value;
        only the cells that fail (empty, or holding text around the value) get a regex pass.
        """
        if not self.validates_cells:
            return self.count_valid(joined)
        cells = joined.split("\n")
        verdicts = self.validate_many(cells)
        count = sum(verdicts)
        first = cells[verdicts.index(True)] if count else None
        if count == len(cells) - cells.count(""):
            return count, first  # every non-empty cell was one value: nothing left to search
        rest = "\n".join(c for c, ok in zip(cells, verdicts) if not ok and c)
        more, first_more = self.count_valid(rest) if rest else (0, None)
        return count + more, first or first_more

    def candidates(self, joined: str) -> list[str]:
        """All pattern matches in a chunk, unvalidated: the bulk path's first step."""
        found: list[str] = []
        for compiled in self._compiled:
            found.extend(compiled.findall(joined))
        return found

    def count_valid(self, joined: str) -> tuple[int, str | None]:
        """Number of validated matches in a newline-joined chunk, and the first one."""
        found = self.candidates(joined)
        if not found:
            return 0, None
        ok = self.validate_many(found)
        first = next((f for f, good in zip(found, ok) if good), None)
        return sum(ok), first

    def context_near(self, text: str, start: int, end: int | None = None) -> bool:
        """Whether a context word stands shortly before ``start`` or right after ``end``.

        Kazakh puts the word after the value: "1985 жылғы 3 қаңтарда туған" (born on …).
        """
        if not self.context:
            return False
        lo = max(0, start - CONTEXT_WINDOW)
        while lo > 0 and text[lo - 1].isalnum() and start - lo < CONTEXT_WINDOW + 32:
            lo -= 1  # a word cut by the window is not a different word
        return self._context_in(text[lo:start]) or (end is not None and self.context_after(text, end))

    def context_after(self, text: str, end: int) -> bool:
        """Whether a context word follows the match closely ("1985 жылғы 3 қаңтарда туған")."""
        hi = min(len(text), end + CONTEXT_AFTER)
        while hi < len(text) and text[hi].isalnum() and hi - end < CONTEXT_AFTER + 32:
            hi += 1
        return self._context_in(text[end:hi])

    def context_presidio_misses(self, text: str, start: int, end: int) -> bool:
        """What presidio's context enhancer cannot see: a context word right after the match, an
        abbreviation before it on its line ("д.р. 12.03.1985"), or a recognizer's own evidence."""
        if self.context_after(text, end):
            return True
        lo = max(text.rfind("\n", max(0, start - CONTEXT_WINDOW), start) + 1, start - CONTEXT_WINDOW, 0)
        return self._abbreviation_in(text[lo:start].lower())

    def _context_in(self, window: str) -> bool:
        """A context word in ``window``: as written, or as a whole abbreviation whose dots the
        rule's normalised hints dropped ("г.р." for the hint "г р", "д.р." for "д р")."""
        window = window.lower()
        return any(word in window for word in self.context) or self._abbreviation_in(window)

    def _abbreviation_in(self, window: str) -> bool:
        spaced = [word for word in self.context if " " in word]
        if not spaced:
            return False
        words = " " + " ".join(_PUNCT.sub(" ", window).split()) + " "
        return any(f" {word} " in words for word in spaced)

    @property
    def base_score(self) -> float:
        return max(p.score for p in self.patterns)


def mask_middle(value: str, keep: int = 2) -> str:
    """``900101300017`` → ``9001******17``: enough to recognise, not enough to use."""
    chars = [c for c in value if not c.isspace()]
    n = len(chars)
    if n <= 4:
        return "*" * n
    head = 4 if n >= 10 else 1
    tail = keep if n >= 6 else 1
    return "".join(chars[:head]) + "*" * (n - head - tail) + "".join(chars[-tail:])


DIGITS = re.compile(r"\D+")


def only_digits(text: str) -> str:
    return DIGITS.sub("", text)
