"""presidio-analyzer built explicitly and fully offline, for free text.

Never a bare ``AnalyzerEngine()``: that one tries to download a spaCy model. The NLP engine here
is made of blank spaCy pipelines (ru, kk via the multi-language ``xx`` class, en) whose lemmatizer
has an empty lookup table, so a lemma is the token text and presidio's context enhancer can match
context words (substring mode handles Russian inflection: ``телефон`` in ``телефона``). The
registry holds only govscan's recognizers, each wrapping the very recognizer object the bulk
path uses, so patterns, context words and validation are defined once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from govscan.pii.recognizers.base import CONTEXT_BOOST, MIN_SCORE_WITH_CONTEXT, REPORT_THRESHOLD, Recognizer

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

LANGUAGES = ("ru", "kk", "en")
_KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")


def detect_language(text: str) -> str:
    """Kazakh-only letters mean kk; other Cyrillic means ru; anything else en."""
    if _KAZAKH_LETTERS.search(text):
        return "kk"
    if _CYRILLIC.search(text):
        return "ru"
    return "en"


@cache
def _blank_pipeline(lang: str) -> Any:
    import spacy
    from spacy.lookups import Lookups

    nlp = spacy.blank("xx" if lang == "kk" else lang)
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lookups = Lookups()
    lookups.add_table("lemma_lookup", {})
    lemmatizer.initialize(lookups=lookups)
    return nlp


def build_analyzer(recognizers: Sequence[Recognizer]) -> AnalyzerEngine:
    """An AnalyzerEngine that can run with the network unplugged."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    nlp_engine = SpacyNlpEngine(models=[{"lang_code": lang, "model_name": f"blank_{lang}"} for lang in LANGUAGES])
    # An engine whose pipelines are set counts as loaded: presidio never calls load(), which is
    # where a model download would start.
    nlp_engine.nlp = {lang: _blank_pipeline(lang) for lang in LANGUAGES}
    registry = RecognizerRegistry(supported_languages=list(LANGUAGES))
    for recognizer in recognizers:
        for lang in LANGUAGES:
            registry.add_recognizer(as_presidio(recognizer, lang))
    return AnalyzerEngine(
        nlp_engine=nlp_engine,
        registry=registry,
        supported_languages=list(LANGUAGES),
        default_score_threshold=REPORT_THRESHOLD,
    )


def as_presidio(recognizer: Recognizer, language: str) -> Any:
    """Wrap a govscan recognizer for presidio, for one language."""
    from presidio_analyzer import AnalysisExplanation, EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult

    if type(recognizer).find is not Recognizer.find:
        # A recognizer with its own finding logic (names): presidio calls it as a black box.
        class _Custom(EntityRecognizer):  # type: ignore[misc]
            def load(self) -> None:
                return None

            def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
                return [
                    RecognizerResult(
                        recognizer.entity,
                        m.start,
                        m.end,
                        m.score,
                        analysis_explanation=AnalysisExplanation(self.name, m.score, textual_explanation="morphology"),
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                    for m in recognizer.find(text)
                ]

        return _Custom(
            supported_entities=[recognizer.entity],
            name=f"govscan_{recognizer.name}",
            supported_language=language,
            context=list(recognizer.context),
        )

    class _Pattern(PatternRecognizer):  # type: ignore[misc]
        def validate_result(self, pattern_text: str) -> bool | None:
            return recognizer.validate(pattern_text)

        def analyze(self, text: str, entities: list[str], *args: Any, **kwargs: Any) -> list[Any]:
            results = super().analyze(text, entities, *args, **kwargs)
            if recognizer.own_words:
                results = [r for r in results if not recognizer.is_own_contact(text, r.start, r.end)]
            for r in results:
                # presidio's enhancer counts words after the match's first token only and knows
                # no abbreviations ("г.р."), nor a recognizer's own evidence (a date's IIN).
                if r.score < REPORT_THRESHOLD and recognizer.context_presidio_misses(text, r.start, r.end):
                    r.score = max(MIN_SCORE_WITH_CONTEXT, r.score + CONTEXT_BOOST)
                    r.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
            return results

    return _Pattern(
        supported_entity=recognizer.entity,
        name=f"govscan_{recognizer.name}",
        supported_language=language,
        patterns=[Pattern(p.name, p.regex, p.score) for p in recognizer.patterns],
        context=list(recognizer.context),
        global_regex_flags=re.DOTALL | re.MULTILINE | recognizer.flags,
    )
