"""What a public post says, offline: language, sentiment (English, Polish), purchase intent and
key terms. Django-free; docs/listening-understanding.md describes the parts and their accuracy.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from roost.listening.understanding import intent as _intent
from roost.listening.understanding import language as _language
from roost.listening.understanding.terms import key_terms
from roost.listening.understanding.text import clean, for_models

__all__ = ["Understanding", "understand", "understand_many"]

# Languages with a sentiment model of their own. A post whose language is unsure ("") is read
# by the English model (emoji and short English replies are the usual cause); other languages
# are left neutral rather than guessed.
SENTIMENT_MODELS = ("en", "pl")


@dataclass(frozen=True, slots=True)
class Understanding:
    """What one post says."""

    language: str  # ISO 639-1 ("en", "pl", …) or "" when unsure
    sentiment: int  # -1 negative, 0 neutral, 1 positive (= roost.listening.models.Sentiment)
    sentiment_score: float  # -1 … 1
    intent: bool  # purchase intent
    intent_score: float  # 0 … 1
    terms: tuple[str, ...]  # key terms, at most 20, no duplicates, in text order


_bundle: dict[str, Any] | None = None
_bundle_lock = threading.Lock()


def models() -> dict[str, Any]:
    """The trained sentiment models, loaded once per process (trained first if missing)."""
    global _bundle
    if _bundle is None:
        with _bundle_lock:
            if _bundle is None:
                from roost.listening.understanding.training import ensure

                _bundle = ensure()[0]
    return _bundle


def understand(text: str, language: str = "") -> Understanding:
    """Understand one post; `language` is the network's declared language, if any."""
    return understand_many([text], [language])[0]


def understand_many(
    texts: Sequence[str], languages: Sequence[str] | None = None
) -> list[Understanding]:
    """Understand a batch of posts (the sentiment models run once per language per batch)."""
    cleaned = [clean(t) for t in texts]
    declared = list(languages) if languages is not None else []
    if declared and len(declared) != len(cleaned):
        raise ValueError("languages must be as long as texts")
    langs = [_language.declared(declared[i]) if declared else "" for i in range(len(cleaned))]
    langs = [lang or _language.detect(text) for lang, text in zip(langs, cleaned, strict=True)]
    lowered = [for_models(text) for text in cleaned]

    polarity = [0] * len(cleaned)
    scores = [0.0] * len(cleaned)
    bundle = models() if cleaned else {}
    from roost.listening.understanding import sentiment as _sentiment  # scikit-learn, once used

    for model_lang in SENTIMENT_MODELS:
        picks = [
            i
            for i, lang in enumerate(langs)
            if lang == model_lang or (model_lang == "en" and lang == "")
        ]
        if not picks:
            continue
        labels, values = _sentiment.predict(bundle[model_lang], [lowered[i] for i in picks])
        for i, label, value in zip(picks, labels, values, strict=True):
            polarity[i], scores[i] = label, value

    out = []
    for i, text in enumerate(cleaned):
        score = _intent.intent_score(lowered[i], langs[i])
        out.append(
            Understanding(
                language=langs[i],
                sentiment=polarity[i],
                sentiment_score=scores[i],
                intent=score >= _intent.THRESHOLD,
                intent_score=score,
                terms=key_terms(text),
            )
        )
    return out
