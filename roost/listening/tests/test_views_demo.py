"""The demo's listening (roost/web/demo/listening.py): four topics with thirty days of
mentions and roll-ups that agree with each other, written once, and pages alive on them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Sum

from roost.core import clock
from roost.listening.models import Alert, Mention, TermHour, Topic, TopicHour, TopicMention
from roost.publishing.models import Campaign
from roost.web.demo.listening import seed_listening

NOW = datetime(2031, 3, 20, 12, 0, tzinfo=UTC)


def test_the_demo_listening_is_written_once_and_adds_up(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    assert seed_listening(world.a, NOW) == 0  # the story's campaign first
    winter = Campaign.objects.create(workspace=world.a, name="Winter Blend 2026")
    made = seed_listening(world.a, NOW)
    assert made == Mention.objects.filter(workspace=world.a).count() > 300
    assert seed_listening(world.a, NOW) == 0
    topics = list(Topic.objects.filter(workspace=world.a).order_by("kind", "name"))
    assert [(t.name, t.kind) for t in topics] == [
        ("Demo Coffee", "brand"),
        ("Winter Blend", "campaign"),
        ("Bean Brothers", "competitor"),
        ("Kawa Corner", "competitor"),
    ]
    assert topics[1].campaign == winter
    for t in topics:
        links = TopicMention.objects.filter(topic=t)
        hours = TopicHour.objects.filter(topic=t).aggregate(
            n=Sum("mentions"), neg=Sum("negative"), i=Sum("intent")
        )
        assert hours["n"] == links.count() > 0
        assert hours["neg"] == links.filter(sentiment=-1).count()
        assert hours["i"] == links.filter(intent=True).count()
        assert TermHour.objects.filter(topic=t).exists()
    assert Alert.objects.filter(workspace=world.a, topic=topics[0]).count() == 2
    assert not Mention.objects.filter(workspace=world.a, posted_at__gte=NOW).exists()
    assert (
        Mention.objects.filter(workspace=world.a, posted_at__lt=NOW - timedelta(days=30)).count()
        == 0
    )

    client = world.client_for("social_media_manager")
    slug = world.a.slug
    for path in (
        f"/w/{slug}/listening/",
        f"/w/{slug}/listening/topics/{topics[0].pk}/?range=30d",
        f"/w/{slug}/listening/mentions/",
        f"/w/{slug}/listening/alerts/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Demo Coffee" in response.content.decode()
