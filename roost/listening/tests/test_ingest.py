"""Ingestion: matched posts become mentions once, with topic links and hourly roll-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from roost.conftest import World
from roost.listening.models import Mention, TermHour, Topic, TopicHour, TopicMention
from roost.listening.services import ingest as ingest_module
from roost.listening.services.ingest import Ingested, ingest
from roost.listening.understanding import Understanding
from roost.networks.base import ListeningPage, PublicPost

T0 = datetime(2026, 11, 27, 10, 15, tzinfo=UTC)


def post(
    rid: str, text: str, *, at: datetime = T0, handle: str = "anna.bsky.social", **kw: Any
) -> PublicPost:
    return PublicPost(
        remote_id=rid,
        text=text,
        created_at=at,
        author_id=kw.pop("author_id", f"did:{handle}"),
        author_handle=handle,
        url=kw.pop("url", f"https://example.test/{rid}"),
        **kw,
    )


class FakeUnderstanding:
    """Understands by keywords in the text: "bad" negative, "great" positive, "buy" intent,
    language "pl" when the text has a Polish letter; terms are the text's #hashtags."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> list[Understanding]:
        self.calls.append(list(texts))
        out = []
        for text, declared in zip(texts, languages or [""] * len(texts), strict=True):
            sentiment = -1 if "bad" in text else 1 if "great" in text else 0
            out.append(
                Understanding(
                    language=declared or ("pl" if any(c in text for c in "ąęółśżźćń") else "en"),
                    sentiment=sentiment,
                    sentiment_score=float(sentiment) * 0.9,
                    intent="buy" in text,
                    intent_score=0.8 if "buy" in text else 0.1,
                    terms=tuple(w for w in text.split() if w.startswith("#")),
                )
            )
        return out


@pytest.fixture
def understand(monkeypatch: pytest.MonkeyPatch) -> FakeUnderstanding:
    fake = FakeUnderstanding()
    monkeypatch.setattr(ingest_module, "understand_many", fake)
    return fake


def topic(world: World, name: str, query: str, **kw: Any) -> Topic:
    return Topic.objects.create(workspace=world.a, name=name, query=query, **kw)


def hours(t: Topic) -> list[tuple[datetime, int, int, int, int, int]]:
    return list(
        TopicHour.objects.filter(topic=t)
        .order_by("hour")
        .values_list("hour", "mentions", "positive", "neutral", "negative", "intent")
    )


def terms(t: Topic) -> dict[str, int]:
    return dict(TermHour.objects.filter(topic=t).values_list("term", "count"))


@pytest.mark.django_db
def test_matched_posts_are_stored_once_with_links_and_rollups(
    world: World, understand: FakeUnderstanding
) -> None:
    brand = topic(world, "Brand", "roost")
    rival = topic(world, "Rival", "nestly OR #nest")
    page = ListeningPage(
        posts=(
            post("p1", "roost is great #roost #coffee", likes=3),
            post("p2", "roost vs nestly: bad #nest", at=T0 + timedelta(hours=1)),
            post("p3", "nothing to see here"),
            post("p1", "roost is great #roost #coffee"),  # twice in the page
        )
    )
    result = ingest(channel=world.a_channel, page=page)
    assert result == Ingested(new=2, duplicates=1, matched=2, deleted=0, skipped=0)
    # Only matched posts were understood and stored.
    assert understand.calls == [["roost is great #roost #coffee", "roost vs nestly: bad #nest"]]
    m1 = Mention.objects.get(remote_id="p1")
    assert (m1.workspace_id, m1.channel_id, m1.network) == (
        world.a.pk,
        world.a_channel.pk,
        "sandbox",
    )
    assert (m1.sentiment, m1.sentiment_score, m1.intent, m1.language) == (1, 0.9, False, "en")
    assert m1.terms == ["#roost", "#coffee"]
    assert (m1.likes, m1.url, m1.author_handle) == (
        3,
        "https://example.test/p1",
        "anna.bsky.social",
    )
    assert not Mention.objects.filter(remote_id="p3").exists()
    assert set(TopicMention.objects.values_list("topic__name", "mention__remote_id")) == {
        ("Brand", "p1"),
        ("Brand", "p2"),
        ("Rival", "p2"),
    }
    h10 = datetime(2026, 11, 27, 10, tzinfo=UTC)
    h11 = datetime(2026, 11, 27, 11, tzinfo=UTC)
    assert hours(brand) == [(h10, 1, 1, 0, 0, 0), (h11, 1, 0, 0, 1, 0)]
    assert hours(rival) == [(h11, 1, 0, 0, 1, 0)]
    assert terms(brand) == {"#roost": 1, "#coffee": 1, "#nest": 1}

    # Re-ingesting the same page changes nothing.
    again = ingest(channel=world.a_channel, page=page)
    assert again == Ingested(new=0, duplicates=3, matched=0, deleted=0, skipped=0)
    assert Mention.objects.count() == 2
    assert TopicMention.objects.count() == 3
    assert hours(brand) == [(h10, 1, 1, 0, 0, 0), (h11, 1, 0, 0, 1, 0)]
    assert terms(brand) == {"#roost": 1, "#coffee": 1, "#nest": 1}


@pytest.mark.django_db
def test_a_new_post_in_the_same_hour_adds_to_the_rollup(
    world: World, understand: FakeUnderstanding
) -> None:
    brand = topic(world, "Brand", "roost")
    ingest(channel=world.a_channel, page=ListeningPage(posts=(post("p1", "roost #a"),)))
    ingest(
        channel=world.a_channel,
        page=ListeningPage(posts=(post("p1", "roost #a"), post("p2", "roost bad buy #a #b"))),
    )
    h10 = datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert hours(brand) == [(h10, 2, 0, 1, 1, 1)]
    assert terms(brand) == {"#a": 2, "#b": 1}


@pytest.mark.django_db
def test_deleted_posts_are_forgotten_and_uncounted(
    world: World, understand: FakeUnderstanding
) -> None:
    brand = topic(world, "Brand", "roost")
    ingest(
        channel=world.a_channel,
        page=ListeningPage(posts=(post("p1", "roost great #x"), post("p2", "roost bad #x"))),
    )
    result = ingest(channel=world.a_channel, page=ListeningPage(deleted=("p1", "unknown")))
    assert result == Ingested(new=0, duplicates=0, matched=0, deleted=1, skipped=0)
    assert list(Mention.objects.values_list("remote_id", flat=True)) == ["p2"]
    assert TopicMention.objects.count() == 1
    h10 = datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert hours(brand) == [(h10, 1, 0, 0, 1, 0)]
    assert terms(brand) == {"#x": 1}
    # Forgetting again changes nothing.
    assert ingest(channel=world.a_channel, page=ListeningPage(deleted=("p1",))).deleted == 0
    assert hours(brand) == [(h10, 1, 0, 0, 1, 0)]


@pytest.mark.django_db
def test_own_accounts_are_left_out_where_the_topic_asks(
    world: World, understand: FakeUnderstanding
) -> None:
    mine = topic(world, "Brand", "roost")
    everyone = topic(world, "All", "roost", exclude_own=False)
    own = world.a_channel.handle
    ingest(
        channel=world.a_channel,
        page=ListeningPage(
            posts=(
                post("p1", "roost news", handle=own.upper()),
                post("p2", "roost news", handle="x.test", author_id=world.a_channel.remote_id),
                post("p3", "roost news", handle="someone.test"),
            )
        ),
    )
    assert set(
        TopicMention.objects.filter(topic=mine).values_list("mention__remote_id", flat=True)
    ) == {"p3"}
    assert set(
        TopicMention.objects.filter(topic=everyone).values_list("mention__remote_id", flat=True)
    ) == {"p1", "p2", "p3"}


@pytest.mark.django_db
def test_language_filters_use_the_understood_language(
    world: World, understand: FakeUnderstanding
) -> None:
    polish = topic(world, "Polish", "kawa lang:pl")
    result = ingest(
        channel=world.a_channel,
        page=ListeningPage(
            posts=(
                post("p1", "kawa jest dobra"),  # understood as English by the fake
                post("p2", "kawa, proszę"),  # Polish letter: understood as Polish
                post("p3", "kawa", language="pl"),  # declared
            )
        ),
    )
    assert result.matched == 2
    assert set(
        TopicMention.objects.filter(topic=polish).values_list("mention__remote_id", flat=True)
    ) == {"p2", "p3"}


@pytest.mark.django_db
def test_other_workspaces_inactive_and_broken_topics_are_not_used(
    world: World, understand: FakeUnderstanding
) -> None:
    Topic.objects.create(workspace=world.b, name="B", query="roost")
    topic(world, "Paused", "roost", is_active=False)
    topic(world, "Broken", "roost (")  # stored before a rule changed, say
    result = ingest(channel=world.a_channel, page=ListeningPage(posts=(post("p1", "roost"),)))
    assert result == Ingested(new=0, duplicates=0, matched=0, deleted=0, skipped=0)
    assert Mention.objects.count() == 0
    assert understand.calls == []


@pytest.mark.django_db
def test_malformed_posts_are_skipped_and_unsafe_urls_dropped(
    world: World, understand: FakeUnderstanding
) -> None:
    topic(world, "Brand", "roost")
    naive = post("p0", "roost")
    object.__setattr__(naive, "created_at", datetime(2026, 11, 27, 10))
    empty = post("", "roost")
    odd = post("p2", "roost\x00 here", url="javascript:alert(1)")
    result = ingest(
        channel=world.a_channel, page=ListeningPage(posts=(naive, empty, odd), skipped=2)
    )
    assert result == Ingested(new=1, duplicates=0, matched=1, deleted=0, skipped=4)
    stored = Mention.objects.get()
    assert (stored.remote_id, stored.text, stored.url) == ("p2", "roost here", "")


@pytest.mark.django_db
def test_a_concurrent_insert_counts_once(
    world: World, understand: FakeUnderstanding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker stores the same post between our duplicate check and our insert: it
    is counted as a duplicate here and the roll-ups count it once (the other's)."""
    brand = topic(world, "Brand", "roost")
    real = ingest_module.insert_ignoring_conflicts
    raced = {"done": False}

    def racing(model: Any, columns: Any, rows: Any) -> int:
        if model is Mention and not raced["done"]:
            raced["done"] = True
            monkeypatch.setattr(ingest_module, "insert_ignoring_conflicts", real)
            other = ingest(
                channel=world.a_channel, page=ListeningPage(posts=(post("p1", "roost"),))
            )
            assert other.new == 1
            monkeypatch.setattr(ingest_module, "insert_ignoring_conflicts", racing)
        return real(model, columns, rows)

    monkeypatch.setattr(ingest_module, "insert_ignoring_conflicts", racing)
    result = ingest(channel=world.a_channel, page=ListeningPage(posts=(post("p1", "roost"),)))
    assert result == Ingested(new=0, duplicates=1, matched=1, deleted=0, skipped=0)
    assert hours(brand) == [(datetime(2026, 11, 27, 10, tzinfo=UTC), 1, 0, 1, 0, 0)]
    assert TopicMention.objects.count() == 1
