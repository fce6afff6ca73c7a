"""`roost demo` tells Demo Coffee Co.'s story once: posts in every state (published ones
with images, alt text and engagement), reviews at each step, inbox items in every state
with tasks and replies, a channel-scoped workflow — and running it again changes nothing."""

from __future__ import annotations

import zoneinfo
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from roost.analytics.models import ChannelDay, MetricSnapshot, PostMetrics
from roost.approvals.models import ApprovalRequest, RequestStatus, Workflow
from roost.approvals.services import workflow_for
from roost.core import clock
from roost.inbox.models import Message, MessageStatus, Task
from roost.inbox.services.sla import first_response
from roost.inbox.services.triage import inbox_settings
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import Campaign, Delivery, DeliveryStatus, Post, PostStatus, Tag
from roost.publishing.publisher import Publisher
from roost.publishing.tests.conftest import sandbox  # noqa: F401 - fixture
from roost.web.management.commands.demo import DEMO_SLUG
from roost.workspaces.models import AuditEntry, Workspace

pytestmark = pytest.mark.django_db


def demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    coffee = Workspace.objects.get(slug=DEMO_SLUG)
    return {
        "posts": Post.objects.filter(workspace=coffee).count(),
        "deliveries": Delivery.objects.filter(post__workspace=coffee).count(),
        "messages": Message.objects.filter(workspace=coffee).count(),
        "tasks": Task.objects.filter(workspace=coffee).count(),
        "workflows": Workflow.objects.filter(workspace=coffee).count(),
        "reviews": ApprovalRequest.objects.filter(workspace=coffee).count(),
        "audit": AuditEntry.objects.filter(workspace=coffee).count(),
        "readings": MetricSnapshot.objects.filter(delivery__post__workspace=coffee).count(),
        "channel_days": ChannelDay.objects.filter(workspace=coffee).count(),
    }


@pytest.fixture
def told(sandbox: SandboxHandle) -> Workspace:  # noqa: F811
    demo()
    return Workspace.objects.get(slug=DEMO_SLUG)


def test_running_the_demo_again_adds_nothing(told: Workspace) -> None:
    first = counts()
    assert first["posts"] > 10 and first["messages"] > 9
    demo()
    assert counts() == first


def test_posts_in_every_state(told: Workspace) -> None:
    statuses = set(Post.objects.filter(workspace=told).values_list("status", flat=True))
    assert statuses == {
        PostStatus.PUBLISHED,
        PostStatus.PARTIAL,
        PostStatus.IN_REVIEW,
        PostStatus.SCHEDULED,
        PostStatus.DRAFT,
    }
    now = clock.now()
    published = Delivery.objects.filter(post__workspace=told, status=DeliveryStatus.PUBLISHED)
    assert published.count() >= 10
    oldest = min(d.published_at for d in published)
    assert (now - oldest).days >= 19  # three weeks of history
    counts = dict(
        PostMetrics.objects.filter(delivery__in=published).values_list("delivery_id", "likes")
    )
    for d in published:
        assert d.published_at < now and counts[d.pk] > 0
    with_images = Post.objects.filter(
        workspace=told, status=PostStatus.PUBLISHED, media__isnull=False
    )
    assert with_images.distinct().count() >= 4
    for post in with_images:
        for asset in post.media.all():
            assert asset.alt_text and asset.mime_type == "image/png" and asset.width == 1200
    failed = Delivery.objects.get(post__workspace=told, status=DeliveryStatus.FAILED)
    assert "organiser" in failed.error
    scheduled = Delivery.objects.filter(post__workspace=told, status=DeliveryStatus.SCHEDULED)
    assert scheduled.count() >= 5 and all(d.due_at > now for d in scheduled)
    assert Campaign.objects.get(workspace=told).utm()["utm_campaign"] == "winter-blend-2026"
    assert Tag.objects.filter(workspace=told).count() >= 4


def test_reviews_at_each_step_and_a_channel_scoped_workflow(told: Workspace) -> None:
    pending = ApprovalRequest.objects.filter(workspace=told, status=RequestStatus.PENDING)
    steps = sorted((r.workflow.name, r.current_position) for r in pending)
    assert steps == [
        ("Brand review", 1),
        ("Brand review", 2),
        ("Polish channel review", 1),
    ]
    assert ApprovalRequest.objects.filter(
        workspace=told, status=RequestStatus.CHANGES_REQUESTED
    ).exists()
    scoped = Workflow.objects.get(workspace=told, name="Polish channel review")
    polish = Post.objects.get(workspace=told, text__startswith="Zimowa mieszanka wraca")
    assert scoped.channel_ids == [polish.deliveries.get().channel_id]
    assert workflow_for(told.pk, "post", polish) == scoped


def test_inbox_items_in_every_state(told: Workspace) -> None:
    story = Message.objects.filter(
        workspace=told,
        outgoing=False,
        author_name__in=[
            "Nina Fischer",
            "Tom Baker",
            "Olivia Park",
            "Ben Carter",
            "Rachel Adams",
            "Leo Grant",
            "Lea Novak",
            "Marta Wójcik",
            "Jan Kowalski",
        ],
    )
    by = {m.author_name: m for m in story}
    assert len(by) == 9
    assert by["Nina Fischer"].assignee is None and by["Nina Fischer"].group is None
    assert by["Olivia Park"].assignee.user.email == "community@demo-coffee.example"
    assert by["Marta Wójcik"].group.name == "Customer Care"
    assert by["Marta Wójcik"].assignee is not None
    waiting = by["Leo Grant"]
    assert waiting.status == MessageStatus.OPEN and waiting.first_response_at is not None
    assert by["Lea Novak"].status == MessageStatus.COMPLETE
    assert by["Jan Kowalski"].status == MessageStatus.COMPLETE
    replies = Message.objects.filter(workspace=told, outgoing=True)
    assert replies.count() == 3 and all(r.remote_id.isdigit() for r in replies)
    lead = Task.objects.get(workspace=told, kind="lead")
    assert lead.group.name == "Sales" and lead.message == by["Rachel Adams"]
    assert lead.message.assignee.user.email == "sales@demo-coffee.example"
    support = Task.objects.get(workspace=told, kind="support")
    assert support.group.name == "Customer Care" and support.message == by["Ben Carter"]
    assert support.assignee.user.email == "care@demo-coffee.example"
    assert by["Ben Carter"].assignee == support.assignee
    settings = inbox_settings(told.pk)
    sla = {name: first_response(m, settings, told.timezone).state for name, m in by.items()}
    assert sla["Nina Fischer"] == "ok"
    assert sla["Tom Baker"] == "at_risk"
    assert sla["Olivia Park"] == "breached"
    assert sla["Leo Grant"] == "met"


def test_a_change_someone_made_survives_a_rerun(told: Workspace) -> None:
    post = Post.objects.get(workspace=told, text__startswith="Idea: a poll")
    Post.objects.filter(pk=post.pk).update(text="Poll: which brew method is yours?")
    Post.objects.filter(workspace=told, text__startswith="Spring menu teaser").delete()
    message = Message.objects.get(workspace=told, author_name="Nina Fischer")
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.COMPLETE)
    before = counts()
    demo()
    post.refresh_from_db()
    message.refresh_from_db()
    assert post.text == "Poll: which brew method is yours?"
    assert not Post.objects.filter(workspace=told, text__startswith="Spring menu teaser").exists()
    assert message.status == MessageStatus.COMPLETE
    assert counts() == before


def test_the_publisher_leaves_the_history_alone(told: Workspace, sandbox: SandboxHandle) -> None:  # noqa: F811
    history = dict(
        Delivery.objects.filter(post__workspace=told, status=DeliveryStatus.PUBLISHED).values_list(
            "pk", "published_at"
        )
    )
    sent = sandbox.stats()["publishes"]  # the customers' posts and our three replies
    publisher = Publisher("test-worker")
    try:
        publisher.step()
    finally:
        publisher.drain()
    assert sandbox.stats()["publishes"] == sent
    after = dict(Delivery.objects.filter(pk__in=history).values_list("pk", "published_at"))
    assert after == history
    assert not Delivery.objects.filter(post__workspace=told, status=DeliveryStatus.SENDING).exists()


def test_demo_people_land_in_the_coffee_workspace(told: Workspace) -> None:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(email__endswith="@demo-coffee.example")
    assert users.count() == 9
    assert {u.last_workspace_id for u in users} == {told.pk}
    bakery = Workspace.objects.get(slug="demo-bakery")
    users.filter(email="manager@demo-coffee.example").update(last_workspace=bakery)
    demo()
    assert users.get(email="manager@demo-coffee.example").last_workspace_id == bakery.pk


def test_without_the_sandbox_the_demo_waits_for_its_story(settings: Any) -> None:
    settings.ROOST_SANDBOX_URL = "http://127.0.0.1:9"
    out = demo()
    assert "waits for its two Sandbox channels" in out
    assert not Post.objects.exists()


def test_the_collection_leaves_the_storys_counts_alone(told: Workspace) -> None:
    """The history's counts are one reading with no more due (its remote ids are not
    Sandbox posts): the worker's collection reads nothing there and records no failure."""
    from roost.analytics.services.collection import metrics_collect
    from roost.channels.models import Channel

    tracked = PostMetrics.objects.filter(workspace=told)
    before = dict(tracked.values_list("delivery_id", "likes"))
    assert before and set(tracked.values_list("next_collect_at", flat=True)) == {None}
    assert metrics_collect().readings == 0
    assert dict(tracked.values_list("delivery_id", "likes")) == before
    assert list(
        Channel.objects.filter(workspace=told).values_list("metrics_failures", flat=True)
    ) == [0, 0]


@pytest.mark.usefixtures("sandbox")
def test_an_inbox_story_cut_short_is_not_told_twice(monkeypatch: Any) -> None:
    """The Sandbox stops answering half-way through the inbox story: the posts are there,
    the inbox keeps what came, and the next run does not post the customers' words again."""
    import httpx

    from roost.web.demo import inbox

    def refuse(*args: Any, **kwargs: Any) -> str:
        raise httpx.ConnectError("the Sandbox went away")

    monkeypatch.setattr(inbox, "_say", refuse)
    out = demo()
    assert "inbox story stopped half-way" in out
    first = counts()
    assert first["posts"] > 10 and first["tasks"] == 0
    monkeypatch.undo()
    demo()
    assert counts() == first


@pytest.mark.usefixtures("sandbox")
def test_a_demo_made_before_the_story_keeps_what_people_set_up(monkeypatch: Any) -> None:
    """An older demo (no story yet) whose team set its own queue and a campaign of the
    same name: the story uses them, and replaces nothing."""
    from datetime import time

    from roost.channels.models import Channel
    from roost.publishing.models import QueueSlot
    from roost.web.management.commands import demo as command

    monkeypatch.setattr(command, "seed_story", lambda workspace, say: None)
    demo()
    monkeypatch.undo()
    coffee = Workspace.objects.get(slug=DEMO_SLUG)
    en = Channel.objects.get(workspace=coffee, name="Coffee Co. Sandbox")
    QueueSlot.objects.create(channel=en, weekday=5, time=time(11, 15))
    ours = Campaign.objects.create(workspace=coffee, name="Winter Blend 2026", utm_source="ours")
    demo()
    assert list(QueueSlot.objects.filter(channel=en).values_list("weekday", "time")) == [
        (5, time(11, 15))
    ]
    assert list(Campaign.objects.filter(workspace=coffee)) == [ours]
    assert Campaign.objects.get().utm() == {"utm_source": "ours"}
    queued = Post.objects.get(workspace=coffee, text__startswith="Brew guide")
    assert queued.scheduled_at is not None
    local = queued.scheduled_at.astimezone(zoneinfo.ZoneInfo(en.tz_name))
    assert (local.weekday(), local.time()) == (5, time(11, 15))  # the team's own slot
    assert Post.objects.filter(workspace=coffee, campaign=ours).count() >= 3


def test_the_demo_has_figures_for_the_analytics_pages(told: Workspace) -> None:
    """Readings of every published post end at the story's counts; the channels have
    ninety days of audience, the main one passing 10,000 on its thank-you post's day."""
    from datetime import timedelta

    from django.test import Client

    from roost.accounts.models import User

    published = Delivery.objects.filter(post__workspace=told, status=DeliveryStatus.PUBLISHED)
    rows = PostMetrics.objects.filter(workspace=told).select_related("delivery")
    assert rows.count() == published.count() >= 10
    for pm in rows:
        assert pm.likes and pm.reposts is not None and pm.replies is not None
        # Tracked at the story's time, not when the story was told.
        assert pm.published_at == pm.delivery.published_at
        assert pm.impressions > pm.reach > 0 and pm.snapshots >= 2
    en = ChannelDay.objects.filter(
        workspace=told, channel__name="Coffee Co. Sandbox", followers__isnull=False
    )
    assert en.count() == 90
    today = clock.now().astimezone(zoneinfo.ZoneInfo(told.timezone)).date()
    by_day = dict(en.values_list("day", "followers"))
    thanks = today - timedelta(days=2)
    assert by_day[thanks] >= 10_000 > by_day[thanks - timedelta(days=1)]
    assert by_day[today - timedelta(days=89)] < by_day[today]

    client = Client()
    client.force_login(User.objects.get(email="analyst@demo-coffee.example"))
    html = client.get(f"/w/{told.slug}/analytics/?range=28").content.decode()
    assert 'data-testid="no-data"' not in html
    assert '<svg class="chart-svg"' in html and 'data-testid="top-posts"' in html
    assert 'data-testid="chart-engagements-empty"' not in html
    assert 'data-testid="chart-audience-empty"' not in html
