"""STAND-IN for the understanding package (another helper writes the real one; the lead
replaces this file at merge). Same interface; it understands nothing: the declared
language, neutral sentiment, no intent, and the text's hashtags and mentions as terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_TAG = re.compile(r"(?<![\w@])[#@]\w[\w.]*")


@dataclass(frozen=True, slots=True)
class Understanding:
    language: str
    sentiment: int  # -1, 0, 1
    sentiment_score: float  # -1 … 1
    intent: bool  # purchase intent
    intent_score: float  # 0 … 1
    terms: tuple[str, ...]  # key terms, hashtags ("#x") and mentions ("@x")


def understand_many(
    texts: Sequence[str], languages: Sequence[str] | None = None
) -> list[Understanding]:
    """What each text says (STAND-IN: see the module's docstring)."""
    declared = list(languages) if languages is not None else [""] * len(texts)
    return [
        Understanding(
            language=(language or "")[:8],
            sentiment=0,
            sentiment_score=0.0,
            intent=False,
            intent_score=0.0,
            terms=tuple(dict.fromkeys(t.rstrip(".").casefold() for t in _TAG.findall(text))),
        )
        for text, language in zip(texts, declared, strict=True)
    ]
