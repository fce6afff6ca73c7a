"""The offline understanding of a post: interface, languages, accuracy floors, terms, robustness."""

from __future__ import annotations

import dataclasses
import socket
import threading
from pathlib import Path

import pytest

from roost.listening.understanding import (
    Understanding,
    language,
    models,
    store,
    training,
    understand,
    understand_many,
)
from roost.listening.understanding.terms import MAX_TERMS, STOPWORDS, key_terms

# A little under what `roost listening_train --evaluate` measures (docs/listening-understanding.md).
EN_FLOOR = 0.75
PL_FLOOR = 0.74
INTENT_PRECISION_FLOOR = 0.9
INTENT_RECALL_FLOOR = 0.85


def test_the_interface_has_the_documented_shape():
    got = understand("Where can I buy the new Aero headphones? #Aero @shop.example.com", "en")
    assert isinstance(got, Understanding)
    assert [f.name for f in dataclasses.fields(Understanding)] == [
        "language",
        "sentiment",
        "sentiment_score",
        "intent",
        "intent_score",
        "terms",
    ]
    assert got.language == "en"
    assert got.sentiment in (-1, 0, 1)
    assert -1.0 <= got.sentiment_score <= 1.0
    assert got.intent is True
    assert 0.5 <= got.intent_score <= 1.0
    assert got.terms == (
        "buy",
        "new",
        "aero",
        "new aero",
        "headphones",
        "aero headphones",
        "#aero",
        "@shop.example.com",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.sentiment = 1  # type: ignore[misc]


def test_results_are_deterministic_and_one_equals_many():
    texts = ["Terrible service, still no refund", "Świetna obsługa, polecam!", "ok", ""]
    first = understand_many(texts)
    assert understand_many(texts) == first
    assert [understand(t) for t in texts] == first
    assert understand_many([]) == []


def test_languages_must_match_texts():
    with pytest.raises(ValueError, match="as long as texts"):
        understand_many(["a", "b"], ["en"])


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        ("Zamówiłem telefon tydzień temu i dalej nic nie przyszło", "", "pl"),
        ("zamowilem telefon i nie doszedl jeszcze", "", "pl"),
        ("My order arrived broken and support never answered", "", "en"),
        ("Das Paket ist leider beschädigt angekommen", "", "de"),
        ("Le colis est arrivé en retard, service client absent", "", "fr"),
        ("El pedido llegó tarde y nadie responde", "", "es"),
        # The network's declared language is trusted when it is a known code…
        ("ok", "pl-PL", "pl"),
        ("whatever this says", "PL", "pl"),
        # …and detected when it is not.
        ("My order arrived broken and support never answered", "xx", "en"),
        ("My order arrived broken and support never answered", "und", "en"),
        # Too little to tell: unsure.
        ("😀😀😀", "", ""),
        ("ok", "", ""),
        ("https://example.com/a", "", ""),
    ],
)
def test_language(text, declared, expected):
    assert understand(text, declared).language == expected


def test_language_detection_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    language._model.cache_clear()
    assert language.detect("To jest bardzo dobry telefon, polecam każdemu") == "pl"


def _accuracy(texts, labels, lang):
    got = understand_many(texts, [lang] * len(texts))
    return sum(u.sentiment == y for u, y in zip(got, labels, strict=True)) / len(labels)


def test_english_sentiment_accuracy_on_the_held_out_tweets():
    from roost.listening.understanding import data

    _, test = data.english()
    assert len(test.texts) > 5_000
    assert _accuracy(test.texts, test.labels, "en") >= EN_FLOOR


def test_polish_sentiment_accuracy_on_the_separate_test_set():
    from roost.listening.understanding import data

    test = data.polish(data.PL_TEST)
    assert len(test.texts) >= 200
    assert _accuracy(test.texts, test.labels, "pl") >= PL_FLOOR


def test_sentiment_examples():
    got = understand_many(
        [
            "Worst customer service ever, still waiting for my refund",
            "Thank you so much, the team fixed it in minutes! Love it",
            "Najgorszy sklep, paczka zginęła i nikt nie odpisuje",
            "Dziękuję, super szybka dostawa, polecam!",
        ],
        ["en", "en", "pl", "pl"],
    )
    assert [u.sentiment for u in got] == [-1, 1, -1, 1]
    assert got[0].sentiment_score < 0 < got[1].sentiment_score


def test_text_the_model_knows_nothing_of_is_neutral():
    for text in ("", "   ", "🫠", "\x00\x01"):
        got = understand(text)
        assert (got.sentiment, got.sentiment_score) == (0, 0.0)


def test_intent_precision_and_recall_on_the_test_set():
    from roost.listening.understanding import data

    test, langs = data.intent_test()
    assert len(test.texts) >= 200
    got = understand_many(test.texts, langs)
    tp = sum(u.intent and y == 1 for u, y in zip(got, test.labels, strict=True))
    fp = sum(u.intent and y == 0 for u, y in zip(got, test.labels, strict=True))
    fn = sum(not u.intent and y == 1 for u, y in zip(got, test.labels, strict=True))
    assert tp / (tp + fp) >= INTENT_PRECISION_FLOOR
    assert tp / (tp + fn) >= INTENT_RECALL_FLOOR


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("Where can I buy a replacement charger for the X2?", "en", True),
        ("Thinking about getting the family plan, how much is it?", "en", True),
        ("Bought it last month and it already broke, I want a refund", "en", False),
        ("Never buying from them again", "en", False),
        ("Gdzie mogę kupić ten ekspres w Gdańsku?", "pl", True),
        ("Ile kosztuje wersja z większą baterią?", "pl", True),
        ("Kupiłam to miesiąc temu i już się zepsuło, reklamacja", "pl", False),
        ("Nigdy więcej nie kupię u nich", "pl", False),
    ],
)
def test_intent_examples(text, lang, intent):
    got = understand(text, lang)
    assert got.intent is intent
    assert (got.intent_score >= 0.5) is intent


def test_terms_drop_stopwords_and_keep_hashtags_handles_and_polish_letters():
    terms = key_terms("Żółta kurtka w końcu przyszła! Dzięki @sklep.bsky.social #Zakupy2026 😍")
    assert terms == (
        "żółta",
        "kurtka",
        "żółta kurtka",
        "końcu",
        "przyszła",
        "końcu przyszła",
        "@sklep.bsky.social",
        "#zakupy2026",
    )
    assert key_terms("The best of the best, and it is ours") == ("best",)
    assert key_terms("Hi @alice@mastodon.social: GREAT coffee https://x.example/a?b=1") == (
        "@alice@mastodon.social",
        "great",
        "coffee",
        "great coffee",
    )
    assert not set(key_terms(" ".join(sorted(STOPWORDS)))) & STOPWORDS


def test_terms_are_at_most_twenty_distinct_in_text_order():
    words = [f"word{i}x" for i in range(60)]
    terms = key_terms(", ".join(words + words))
    assert terms == tuple(words[:MAX_TERMS])
    assert len(understand(" ".join(words)).terms) == MAX_TERMS


@pytest.mark.parametrize(
    "text",
    [
        "",
        "😀🎉🔥",
        "a" * 200_000,
        "great product " * 50_000,
        bytes(range(256)).decode("latin-1") * 40,
        "\x00\x01\x02 \ud800\udfff half a surrogate \udc80",
        "\u202e\u200b\ufeff zero-width and bidi",
        "#" * 1000 + "@" * 1000,
    ],
)
def test_odd_text_never_raises(text):
    got = understand(text)
    assert got.sentiment in (-1, 0, 1)
    assert len(got.terms) <= MAX_TERMS
    assert len(set(got.terms)) == len(got.terms)


def test_models_train_once_when_processes_race(settings, tmp_path: Path):
    settings.ROOST_LISTENING_MODEL_DIR = tmp_path
    calls: list[int] = []
    entered = threading.Event()

    def train():
        calls.append(1)
        entered.set()
        return {"model": "trained"}

    results: list[dict] = []

    def load():
        results.append(store.load_or_train("abc123", train)[0])

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]
    assert results == [{"model": "trained", "data_hash": "abc123"}] * 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "understanding-abc123.pickle",
        "understanding.lock",
    ]


def test_a_new_data_hash_retrains_and_removes_the_old_model(settings, tmp_path: Path):
    settings.ROOST_LISTENING_MODEL_DIR = tmp_path
    store.load_or_train("old", lambda: {"v": 1})
    bundle, trained = store.load_or_train("new", lambda: {"v": 2})
    assert (bundle["v"], trained) == (2, True)
    assert store.load_or_train("new", lambda: {"v": 3}) == ({"v": 2, "data_hash": "new"}, False)
    assert sorted(p.name for p in tmp_path.glob("*.pickle")) == ["understanding-new.pickle"]


def test_a_corrupt_model_file_is_trained_again(settings, tmp_path: Path):
    settings.ROOST_LISTENING_MODEL_DIR = tmp_path
    (tmp_path / "understanding-broken.pickle").write_bytes(b"not a pickle")
    assert store.load_or_train("broken", lambda: {"v": 1}) == (
        {"v": 1, "data_hash": "broken"},
        True,
    )


def test_the_stored_model_is_the_one_for_todays_data():
    bundle = models()
    assert bundle["data_hash"] == training.data_hash()
    assert training.up_to_date() is True


def test_the_train_command_skips_an_up_to_date_model():
    from io import StringIO

    from django.core.management import call_command

    models()
    out = StringIO()
    call_command("listening_train", stdout=out)
    path = store.model_path(training.data_hash())
    assert out.getvalue() == f"listening: models up to date ({path})\n"
