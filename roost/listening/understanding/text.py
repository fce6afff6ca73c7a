"""Text clean-up shared by every part: what the models and the term extractor read."""

from __future__ import annotations

import re

# Past this many characters a post is cut: public posts are short, and a 1 MB paste must not
# cost more than a post's worth of work.
MAX_CHARS = 5_000

# Control characters (binary garbage, NUL) and lone surrogates (undecodable bytes) become
# spaces, so every later step sees encodable text.
_JUNK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]+")
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w@])@[\w][\w.\-]*(?:@[\w][\w.\-]*\w)?")


def clean(text: object) -> str:
    """The text cut to MAX_CHARS with control characters and lone surrogates removed."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[:MAX_CHARS]
    return _JUNK.sub(" ", text)


def for_models(text: str) -> str:
    """The text as the classifiers read it: URLs and @handles replaced by placeholders.

    Handles are brands in the training tweets (@united is mostly complaints); replacing them
    keeps the model from judging a brand rather than what is said about it.
    """
    if "://" in text or "www." in text or "WWW." in text:
        text = URL.sub(" _url_ ", text)
    if "@" in text:
        text = HANDLE.sub(" _user_ ", text)
    return text.lower()
