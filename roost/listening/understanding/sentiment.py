"""Sentiment: TF-IDF over cheap word features + logistic regression, one model per language."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from roost.listening.understanding.text import for_models

# Words (letters, digits, apostrophes inside), emoji and other symbols, and runs of ! or ?.
_TOKEN = re.compile(r"[^\W_](?:[\w']*\w)?|[!?]+|[^\w\s.,;:\"()\[\]{}<>/\\|*&^%$#@~`+=\-]")
PREFIX = 5


def features(text: str) -> list[str]:
    """The features of a text already passed through for_models: each token, each word's
    first five letters (a poor man's stem: Polish inflects), and each pair of neighbours.

    Char n-grams were tried first: ten times slower to compute for a point of accuracy.
    """
    tokens = _TOKEN.findall(text)
    out = list(tokens)
    out.extend(["~" + t[:PREFIX] for t in tokens if len(t) > PREFIX + 1])
    out.extend([a + " " + b for a, b in pairwise(tokens)])
    return out


def new_model(c: float, min_df: int = 2) -> Pipeline:
    """An untrained pipeline: TF-IDF (sublinear) over features(), multinomial regression."""
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer=features, min_df=min_df, sublinear_tf=True, dtype=np.float32
                ),
            ),
            ("clf", LogisticRegression(C=c, max_iter=2000)),
        ]
    )


def train(texts: Sequence[str], labels: Sequence[int], *, c: float, min_df: int) -> Pipeline:
    """A model trained on texts (raw) and their labels (-1, 0, 1)."""
    model = new_model(c, min_df)
    model.fit([for_models(t) for t in texts], list(labels))
    return model


def predict(model: Any, texts: Sequence[str]) -> tuple[list[int], list[float]]:
    """Labels (-1, 0, 1) and scores (P(positive) − P(negative), −1 … 1) for texts that are
    already passed through for_models."""
    if not texts:
        return [], []
    matrix = model[0].transform(texts)
    proba = model[1].predict_proba(matrix)
    classes = list(model.classes_)
    score = proba[:, classes.index(1)] - proba[:, classes.index(-1)]
    labels = np.asarray(classes)[proba.argmax(axis=1)]
    # A text with no feature the model knows (an unknown emoji, a link alone) says nothing:
    # neutral, rather than the classes' prior.
    empty = np.diff(matrix.indptr) == 0
    labels[empty] = 0
    score[empty] = 0.0
    return [int(x) for x in labels], [round(float(x), 4) for x in score]
