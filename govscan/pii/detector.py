"""Turn the pieces of one asset into findings: one per (asset, field, entity).

Table-like fields (``Values``) go through the per-column verdict and the bulk counters; free
text (``Text``) goes through presidio, built once per process and only when text shows up.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from govscan import plugins
from govscan.model import Field, Finding, Location, Piece, ReadError, Text, Values
from govscan.pii.columns import EntityPlan, FieldScanner, Tally
from govscan.pii.name_parts import finish_fields
from govscan.pii.org_tables import drop_organisation_contacts
from govscan.pii.recognizers import Recognizer
from govscan.pii.recognizers.person import PersonRecognizer
from govscan.rules import RuleSet
from govscan.rules.judge import Hit, finding, lookup

LETTERHEAD_PART = "header/footer"  # the readers' part name for page headers and footers


def build_plans(rules: RuleSet) -> list[EntityPlan]:
    """One recognizer per pii rule (any plugin's); its context words are the rule's header hints."""
    registry = plugins.recognizers()
    plans = []
    for rule in rules.pii_rules():
        assert rule.pii is not None
        cls: type[Recognizer] = lookup(registry, rule, rule.pii.recognizer, "recognizer")
        own = rule.pii.own_contact
        recognizer = cls(context=rule.pii.header_hints.all()).with_own_contact(own.words.all(), own.labels.all())
        plans.append(EntityPlan(rule, recognizer))
    return plans


@dataclass
class _TextTally:
    plan: EntityPlan
    count: int = 0
    example: str | None = None
    line: int | None = None
    page: int | None = None
    scores: list[float] = field(default_factory=list)


class TextAnalyzer:
    """Free text through presidio, with the same recognizers as the bulk path."""

    def __init__(self, plans: list[EntityPlan], ner: bool = True) -> None:
        self._plans = {p.recognizer.entity: p for p in plans if p.spec.in_free_text}
        self._ner = ner
        self._engines: dict[bool, object] = {}

    def _recognizers(self, ner: bool) -> list[Recognizer]:
        """The plans' recognizers; names in prose also get natasha's NER (when ``ner``)."""
        out = []
        for plan in self._plans.values():
            recognizer = plan.recognizer
            if ner and isinstance(recognizer, PersonRecognizer):
                from govscan.pii.recognizers.person_ner import NerPersonRecognizer

                recognizer = NerPersonRecognizer(context=recognizer.context)
            out.append(recognizer)
        return out

    def analyze(self, text: str, *, ner: bool = True) -> list[tuple[EntityPlan, int, int, float]]:
        """Matches in ``text``; ``ner=False`` runs the rules only (no natasha), whatever the analyzer's setting."""
        from govscan.pii.engine import build_analyzer, detect_language

        use_ner = self._ner and ner
        engine = self._engines.get(use_ner)
        if engine is None:
            engine = self._engines[use_ner] = build_analyzer(self._recognizers(use_ner))
        results = engine.analyze(text=text, language=detect_language(text))  # type: ignore[attr-defined]
        return [(self._plans[r.entity_type], r.start, r.end, r.score) for r in results if r.entity_type in self._plans]


class PiiDetector:
    """Holds the plans and the key; ``detect`` handles one asset's stream of pieces."""

    def __init__(self, rules: RuleSet, key: bytes, plans: list[EntityPlan] | None = None, *, ner: bool = True) -> None:
        self.rules = rules
        self.key = key
        self.plans = plans if plans is not None else build_plans(rules)
        self.text = TextAnalyzer(self.plans, ner=ner)
        # Rules that take over what any entity finds in one hidden part ("under a redaction box").
        self.part_rules = {r.hidden_part.part: r for r in rules if r.hidden_part is not None}
        self.ner = True  # this view's switch (``budgeted``); the analyzer's own ``ner`` still applies
        self.ner_max_chars: int | None = None  # characters of one asset's text given to NER; the rest: rules only
        self.ner_cut: dict[str, int] = {}  # asset uri -> characters analysed without NER because of the budget

    def budgeted(self, *, ner: bool = True, ner_max_chars: int | None = None) -> PiiDetector:
        """A view sharing plans and engines, with its own NER switch, per-asset budget and tally.

        Name NER costs ~10 s of CPU per MiB of text, so a large or hostile page could hold a scan
        for minutes; past ``ner_max_chars`` characters of one asset, its text still goes through
        every rule-based recognizer (IINs, phones, names by the morphology rules), only NER is
        skipped, and the skipped characters are tallied in ``ner_cut`` for the report.
        """
        view = copy.copy(self)
        view.ner, view.ner_max_chars, view.ner_cut = ner, ner_max_chars, {}
        return view

    def detect(self, pieces: Iterable[Piece | ReadError]) -> Iterator[Finding | ReadError]:
        """Findings once the stream ends (columns are judged as wholes); errors as they come."""
        fields: dict[tuple[str, Field], FieldScanner] = {}
        texts: dict[tuple[str, Field, str], _TextTally] = {}
        spent: dict[str, int] = {}  # characters given to NER so far, per asset uri
        for piece in pieces:
            if isinstance(piece, ReadError):
                yield piece
            elif isinstance(piece, Values):
                key = (piece.uri, piece.field)
                scanner = fields.get(key)
                if scanner is None:
                    scanner = fields[key] = FieldScanner(piece.uri, piece.field, self.plans)
                scanner.add(piece)
            elif isinstance(piece, Text):
                self._text(piece, texts, spent)
        for (uri, place), tallies in drop_organisation_contacts(fields, finish_fields(fields)).items():
            for tally in tallies:
                yield self._column_finding(uri, place, tally)
        for (uri, place, _), tt in texts.items():
            yield self._finding(uri, place, tt.plan, tt.count, tt.example, tt.line, max(tt.scores), tt.page)

    def _matches(self, piece: Text, spent: dict[str, int]) -> list[tuple[EntityPlan, int, int, float]]:
        """The piece's matches, with NER over the part of it that fits the asset's NER budget."""
        text, budget = piece.text, self.ner_max_chars
        if not self.ner or budget is None:
            return self.text.analyze(text, ner=self.ner)
        left = max(0, budget - spent.get(piece.uri, 0))
        if len(text) <= left:
            spent[piece.uri] = spent.get(piece.uri, 0) + len(text)
            return self.text.analyze(text)
        cut = _cut_point(text, left)
        spent[piece.uri] = budget
        self.ner_cut[piece.uri] = self.ner_cut.get(piece.uri, 0) + len(text) - cut
        head = self.text.analyze(text[:cut]) if cut else []
        tail = self.text.analyze(text[cut:], ner=False)
        return head + [(plan, start + cut, end + cut, score) for plan, start, end, score in tail]

    def _text(self, piece: Text, texts: dict[tuple[str, Field, str], _TextTally], spent: dict[str, int]) -> None:
        letterhead = piece.field.part == LETTERHEAD_PART
        for plan, start, end, score in self._matches(piece, spent):
            if (
                letterhead
                and plan.recognizer.labelled(piece.text, start)
                and plan.recognizer.may_be_own(piece.text[start:end])
            ):
                continue  # "Адрес: …" in a page header or footer: the office's own address
            key = (piece.uri, piece.field, plan.recognizer.entity)
            tt = texts.get(key)
            if tt is None:
                tt = texts[key] = _TextTally(plan)
            tt.count += 1
            tt.scores.append(score)
            if tt.example is None:
                tt.example = piece.text[start:end]
                tt.line = None if piece.line is None else piece.line + piece.text.count("\n", 0, start)
                tt.page = piece.page

    def _column_finding(self, uri: str, place: Field, tally: Tally) -> Finding:
        return self._finding(
            uri, place, tally.plan, tally.count, tally.example, tally.first_line, tally.confidence, tally.first_page
        )

    def _finding(
        self,
        uri: str,
        place: Field,
        plan: EntityPlan,
        count: int,
        example: str | None,
        line: int | None,
        confidence: float,
        page: int | None = None,
    ) -> Finding:
        rule = plan.rule
        hit = Hit(plan.recognizer.mask(example) if example else "", count)
        over = self.part_rules.get(place.part) if place.part else None
        if over is None:
            return finding(
                rule,
                hit,
                Location.of(uri, place, line, page),
                self.key,
                at=uri,
                place=place,
                entity=plan.recognizer.entity,
                confidence=confidence,
            )
        # e.g. a failed redaction: its own rule, never milder than the entity's, keeping the entity
        # rule's requirements too, one finding per entity in the same place
        return finding(
            over,
            Hit(hit.evidence, count, rule.level),
            Location.of(uri, place, line, page),
            self.key,
            at=uri,
            place=place,
            value=plan.recognizer.entity,
            entity=plan.recognizer.entity,
            confidence=confidence,
            compliance=rule.compliance,
        )


def _cut_point(text: str, limit: int) -> int:
    """Where to split ``text`` at or before ``limit``: after the last line break or space, so no word is cut."""
    if limit <= 0:
        return 0
    for mark in ("\n", " "):
        at = text.rfind(mark, 0, limit)
        if at > limit // 2:
            return at + 1
    return limit
