"""Test data for listening: a topic and a mention per workspace, stored directly (found
mentions need a network; these are for the route-walking suites and API tests)."""

from __future__ import annotations

from datetime import UTC, datetime

from roost.channels.models import Channel
from roost.listening.models import Mention, Topic, TopicMention
from roost.workspaces.models import Workspace


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
