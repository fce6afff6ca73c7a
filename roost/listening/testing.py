"""Test data for listening, stored directly: a topic and a mention per workspace for the
route-walking suites and API tests (sample_topic, sample_mention), and topics, mentions with
their hourly roll-ups and alerts for the pages (found mentions need a network; ingestion has
tests of its own, these are about what comes after)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db.models import F

from roost.channels.models import Channel
from roost.core import clock
from roost.listening.models import (
    Alert,
    Mention,
    Sentiment,
    TermHour,
    Topic,
    TopicHour,
    TopicMention,
)
from roost.workspaces.models import Workspace

_ids = itertools.count(1)


def topic(
    workspace: Workspace,
    name: str = "Brand",
    kind: str = Topic.Kind.BRAND,
    query: str = "coffee",
    **fields: object,
) -> Topic:
    """A topic of the workspace (the same one when asked for twice by name)."""
    found, _made = Topic.objects.get_or_create(
        workspace=workspace, name=name, defaults={"kind": kind, "query": query, **fields}
    )
    return found


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def roll_up(topic: Topic, at: datetime, sentiment: int, intent: bool, terms: Sequence[str]) -> None:
    """Count one mention in the topic's hourly roll-ups (what ingestion does)."""
    hour = _hour(at)
    columns: dict[int, str] = {Sentiment.POSITIVE: "positive", Sentiment.NEGATIVE: "negative"}
    column = columns.get(int(sentiment), "neutral")
    row, _made = TopicHour.objects.get_or_create(topic=topic, hour=hour)
    TopicHour.objects.filter(pk=row.pk).update(
        mentions=F("mentions") + 1, **{column: F(column) + 1}, intent=F("intent") + int(intent)
    )
    for term in terms:
        term_row, _made = TermHour.objects.get_or_create(topic=topic, hour=hour, term=term)
        TermHour.objects.filter(pk=term_row.pk).update(count=F("count") + 1)


def mention(
    topics: Sequence[Topic],
    *,
    text: str = "I love this coffee",
    at: datetime | None = None,
    sentiment: int = Sentiment.NEUTRAL,
    intent: bool = False,
    language: str = "en",
    author: str = "@someone.example",
    author_name: str = "",
    terms: Sequence[str] = (),
    url: str = "",
    workspace: Workspace | None = None,
    network: str = "sandbox",
) -> Mention:
    """A mention matched by `topics`, stored with its TopicMentions and counted in the
    roll-ups."""
    at = at or clock.now() - timedelta(hours=1)
    ws = workspace if workspace is not None else topics[0].workspace
    n = next(_ids)
    found = Mention.objects.create(
        workspace=ws,
        network=network,
        remote_id=f"test-{n}-{at.timestamp():.0f}",
        url=url or f"https://sandbox.example/p/{n}",
        author_id=author,
        author_handle=author,
        author_name=author_name,
        text=text,
        posted_at=at,
        language=language,
        sentiment=sentiment,
        intent=intent,
        terms=list(terms),
    )
    for t in topics:
        TopicMention.objects.create(
            topic=t, mention=found, posted_at=at, sentiment=sentiment, intent=intent
        )
        roll_up(t, at, sentiment, intent, terms)
    return found


def alert(topic: Topic, kind: str = Alert.Kind.VOLUME, at: datetime | None = None) -> Alert:
    """A spike alert on the topic (the same one when asked for twice)."""
    started = _hour(at or clock.now() - timedelta(hours=3))
    found, _made = Alert.objects.get_or_create(
        topic=topic,
        kind=kind,
        started_at=started,
        defaults={
            "workspace_id": topic.workspace_id,
            "observed": 42.0 if kind == Alert.Kind.VOLUME else 0.6,
            "expected": 6.0 if kind == Alert.Kind.VOLUME else 0.1,
            "quiet_until": started + timedelta(hours=6),
        },
    )
    return found


def samples(workspace: Workspace, marker: str = "") -> dict[str, int]:
    """URL parameter samples for the route-walking suites: a topic and a mention of the
    workspace (made once); `marker` goes into their text, so a leak is visible."""
    found = topic(workspace, name=f"Isolation {marker}".strip(), query="isolation")
    m = Mention.objects.filter(workspace=workspace, remote_id__startswith="iso-").first()
    if m is None:
        m = mention([found], text=f"isolation sample {marker}".strip())
        # Found through the workspace's channel, so "Send to inbox" goes all the way.
        channel = Channel.objects.filter(workspace=workspace).order_by("pk").first()
        Mention.objects.filter(pk=m.pk).update(remote_id=f"iso-{m.pk}", channel=channel)
    alert(found)
    return {"topic_id": found.pk, "mention_id": m.pk}


def sample_topic(workspace: Workspace, name: str = "Brand") -> Topic:
    """The workspace's topic `name` (made once), listening for "roost"."""
    topic, _made = Topic.objects.get_or_create(
        workspace=workspace, name=name, defaults={"query": "roost OR #roost"}
    )
    return topic


def sample_mention(channel: Channel, text: str = "Roost is great #roost") -> Mention:
    """A mention found through `channel` (made once per channel), linked to its workspace's
    sample topic."""
    topic = sample_topic(channel.workspace)
    at = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    mention, made = Mention.objects.get_or_create(
        workspace_id=channel.workspace_id,
        network=channel.network,
        remote_id=f"sample-{channel.pk}",
        defaults={
            "channel": channel,
            "author_id": "did:sample",
            "author_handle": "someone.sandbox",
            "author_name": "Someone",
            "text": text,
            "url": "https://example.test/sample",
            "posted_at": at,
            "language": "en",
            "sentiment": 1,
            "sentiment_score": 0.8,
            "terms": ["#roost"],
        },
    )
    if made:
        TopicMention.objects.create(
            topic=topic, mention=mention, posted_at=at, sentiment=1, intent=False
        )
    return mention
