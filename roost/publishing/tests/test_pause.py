"""The crisis switch against the real local Sandbox: a pause holds every due delivery (the
claim itself leaves them out), resume is a review, and each decision does what it says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from roost.channels.models import Channel
from roost.conftest import World
from roost.core import clock, health
from roost.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from roost.networks.sandbox.testing import SandboxHandle
from roost.notifications.models import Notification
from roost.publishing import selectors
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus, PublishingPause
from roost.publishing.publisher import Publisher
from roost.publishing.services import delivery as delivery_services
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.delivery import claim_due
from roost.publishing.services.pause import (
    Decision,
    publishing_pause,
    publishing_resume,
    resume_review,
)
from roost.publishing.tests.conftest import drain
from roost.workspaces.models import AuditEntry


def compose(world: World, channels: list[Channel], text: str, **kwargs: Any) -> Post:
    data = PostInput(text=text, channel_ids=[c.pk for c in channels])
    return post_compose(actor=world.members["social_media_manager"], data=data, **kwargs)


def pause(world: World, channel: Channel | None = None, role: str = "community_manager") -> Any:
    return publishing_pause(
        actor=world.members[role],
        workspace=world.a,
        channel=channel,
        reason="Outage at the roastery",
    )


def sent(sandbox: SandboxHandle) -> dict[str, int]:
    return sandbox.stats()["by_key"]


def statuses(post: Post) -> list[str]:
    return sorted(d.status for d in post.deliveries.all())


def test_a_pause_holds_every_due_post(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    pause(world)
    # Scheduling still works during a pause: forty posts due at once on two channels.
    posts = [compose(world, channels, f"Post {i}", mode="now") for i in range(40)]
    publisher = drain()
    assert publisher.stages.deliveries == 0
    assert sent(sandbox) == {}
    assert {d.status for d in Delivery.objects.filter(post__in=posts)} == {DeliveryStatus.SCHEDULED}
    assert (
        list(Delivery.objects.filter(post__in=posts).values_list("attempts", flat=True)) == [0] * 80
    )
    assert {p.status for p in Post.objects.filter(pk__in=[p.pk for p in posts])} == {
        PostStatus.SCHEDULED
    }
    # Nothing looks due to an idle publisher (no write lock taken every poll).
    assert delivery_services.any_due() is False


def test_a_pause_that_lands_between_due_and_claim_still_holds(
    world: World, channels: list[Channel], monkeypatch: Any
) -> None:
    post = compose(world, channels, "Racing the switch", mode="now")
    read = delivery_services._candidates

    def candidates_then_pause(now: Any, limit: int) -> list[int]:
        found = read(now, limit)
        assert len(found) == 2  # both were due when the claim looked
        pause(world)
        return found

    monkeypatch.setattr(delivery_services, "_candidates", candidates_then_pause)
    assert claim_due(worker_id="w1", limit=10) == []
    assert statuses(post) == [DeliveryStatus.SCHEDULED, DeliveryStatus.SCHEDULED]
    assert list(post.deliveries.values_list("attempts", "claim_token")) == [(0, ""), (0, "")]


def test_a_delivery_in_flight_when_the_pause_starts_finishes(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    post = compose(world, channels[:1], "Already on its way", mode="now")
    health.beat("w-inflight", "*", clock.now())
    publisher = Publisher("w-inflight")
    try:
        publisher.step()  # claimed and launched
        assert statuses(post) == [DeliveryStatus.SENDING]
        pause(world)
        while publisher.inflight:
            publisher.step()
    finally:
        publisher.drain()
    assert statuses(post) == [DeliveryStatus.PUBLISHED]
    assert list(sent(sandbox).values()) == [1]


def test_resume_refuses_while_an_overdue_post_has_no_decision(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    the_pause = pause(world)
    first = compose(world, channels, "First held", mode="now")
    second = compose(world, channels, "Second held", mode="now")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        publishing_resume(
            actor=world.members["community_manager"],
            pause=the_pause,
            decisions=[Decision(post_id=first.pk, action="publish_now")],
        )
    message = refused.value.errors["decisions"][0]
    assert f"“Second held” (#{second.pk})" in message
    assert f"#{first.pk})" not in message
    the_pause.refresh_from_db()
    assert the_pause.ended_at is None and the_pause.ended_by is None
    assert AuditEntry.objects.count() == audit_before
    assert list(first.deliveries.values_list("next_attempt_at", flat=True)) == list(
        Delivery.objects.filter(post=first).values_list("due_at", flat=True)
    )
    drain()
    assert sent(sandbox) == {}


def test_keep_is_refused_for_an_overdue_post(world: World, channels: list[Channel]) -> None:
    the_pause = pause(world)
    post = compose(world, channels[:1], "Held", mode="now")
    with pytest.raises(ValidationFailed) as refused:
        publishing_resume(
            actor=world.members["owner"],
            pause=the_pause,
            decisions=[Decision(post_id=post.pk, action="keep")],
        )
    assert refused.value.errors["decisions"] == [
        f"“Held” (#{post.pk}): its time has passed; it cannot keep it."
    ]
    assert PublishingPause.objects.get(pk=the_pause.pk).ended_at is None


def test_each_decision_does_what_it_says_and_publishes_once(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    the_pause = pause(world)
    now_post = compose(world, channels, "Publish me now", mode="now")
    later_post = compose(world, channels, "Move me", mode="now")
    cancel_post = compose(world, channels, "Drop me", mode="now")
    future_at = (clock.now() + timedelta(hours=2)).replace(microsecond=0)
    keep_post = compose(world, channels, "Keep my time", mode="at", at=future_at)
    far_post = compose(world, channels, "Next week", mode="at", at=future_at + timedelta(days=7))
    review = resume_review(the_pause)
    assert [(i.post.pk, i.overdue) for i in review] == [
        (now_post.pk, True),
        (later_post.pk, True),
        (cancel_post.pk, True),
        (keep_post.pk, False),
    ]
    new_at = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    publishing_resume(
        actor=world.members["community_manager"],
        pause=the_pause,
        decisions=[
            Decision(post_id=now_post.pk, action="publish_now"),
            Decision(post_id=later_post.pk, action="reschedule", at=new_at),
            Decision(post_id=cancel_post.pk, action="cancel"),
            Decision(post_id=keep_post.pk, action="keep"),
        ],
    )
    drain()
    for post in (now_post, later_post, cancel_post, keep_post, far_post):
        post.refresh_from_db()
    assert statuses(now_post) == [DeliveryStatus.PUBLISHED] * 2
    assert now_post.status == PostStatus.PUBLISHED
    assert statuses(later_post) == [DeliveryStatus.SCHEDULED] * 2
    assert set(later_post.deliveries.values_list("next_attempt_at", flat=True)) == {new_at}
    assert later_post.scheduled_at == new_at
    assert statuses(cancel_post) == [DeliveryStatus.PENDING] * 2
    assert cancel_post.status == PostStatus.DRAFT
    assert set(keep_post.deliveries.values_list("due_at", flat=True)) == {future_at}
    assert statuses(far_post) == [DeliveryStatus.SCHEDULED] * 2
    keys = {d.idempotency_key for d in now_post.deliveries.all()}
    assert sent(sandbox) == {f"{k}:0": 1 for k in keys}

    # The rescheduled post goes out when its new time comes, once.
    Delivery.objects.filter(post=later_post).update(next_attempt_at=clock.now())
    drain()
    drain()
    keys |= {d.idempotency_key for d in later_post.deliveries.all()}
    assert sent(sandbox) == {f"{k}:0": 1 for k in keys}
    entry = AuditEntry.objects.get(action="publishing.resumed")
    assert entry.data["decisions"] == {
        str(now_post.pk): "publish_now",
        str(later_post.pk): f"reschedule@{new_at.isoformat()}",
        str(cancel_post.pk): "cancel",
        str(keep_post.pk): "keep",
    }


def test_a_channel_pause_holds_only_that_channel(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    coffee, tea = channels
    the_pause = pause(world, coffee)
    post = compose(world, channels, "Two channels", mode="now")
    drain()
    by_channel = dict(post.deliveries.values_list("channel_id", "status"))
    assert by_channel == {coffee.pk: DeliveryStatus.SCHEDULED, tea.pk: DeliveryStatus.PUBLISHED}
    state = selectors.pause_state(world.a.pk)
    assert (state.paused, state.channel_ids_paused) == (False, frozenset({coffee.pk}))
    # A channel's review lists that channel's deliveries only.
    assert [(i.post.pk, i.channels) for i in resume_review(the_pause)] == [
        (post.pk, ["Coffee Sandbox"])
    ]
    publishing_resume(
        actor=world.members["social_media_manager"],
        pause=the_pause,
        decisions=[Decision(post_id=post.pk, action="publish_now")],
    )
    drain()
    assert statuses(post) == [DeliveryStatus.PUBLISHED] * 2
    assert sorted(sent(sandbox).values()) == [1, 1]


def test_a_workspace_resume_leaves_a_paused_channel_held(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    coffee, tea = channels
    whole = pause(world)
    pause(world, coffee)
    post = compose(world, channels, "Both paused", mode="now")
    assert [i.channels for i in resume_review(whole)] == [["Tea Sandbox"]]
    publishing_resume(
        actor=world.members["owner"],
        pause=whole,
        decisions=[Decision(post_id=post.pk, action="publish_now")],
    )
    drain()
    by_channel = dict(post.deliveries.values_list("channel_id", "status"))
    assert by_channel == {coffee.pk: DeliveryStatus.SCHEDULED, tea.pk: DeliveryStatus.PUBLISHED}


def test_cancel_of_a_channel_only_cancels_that_delivery(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    coffee, tea = channels
    the_pause = pause(world, coffee)
    post = compose(world, channels, "Coffee only held", mode="now")
    drain()
    publishing_resume(
        actor=world.members["owner"],
        pause=the_pause,
        decisions=[Decision(post_id=post.pk, action="cancel")],
    )
    post.refresh_from_db()
    by_channel = dict(post.deliveries.values_list("channel_id", "status"))
    assert by_channel == {coffee.pk: DeliveryStatus.CANCELLED, tea.pk: DeliveryStatus.PUBLISHED}
    assert post.status == PostStatus.PARTIAL


@pytest.mark.parametrize("role", ["content_creator", "analyst", "customer_care"])
def test_members_without_the_permission_change_nothing(
    world: World, channels: list[Channel], role: str
) -> None:
    audit_before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        pause(world, role=role)
    assert PublishingPause.objects.count() == 0
    the_pause = pause(world)
    post = compose(world, channels[:1], "Held", mode="now")
    audit_mid = AuditEntry.objects.count()
    assert audit_mid > audit_before
    with pytest.raises(PermissionDenied):
        publishing_resume(
            actor=world.members[role],
            pause=the_pause,
            decisions=[Decision(post_id=post.pk, action="publish_now")],
        )
    the_pause.refresh_from_db()
    assert the_pause.ended_at is None
    assert AuditEntry.objects.count() == audit_mid
    assert list(post.deliveries.values_list("due_at", flat=True)) == list(
        post.deliveries.values_list("next_attempt_at", flat=True)
    )


def test_another_workspaces_pause_is_not_found(world: World) -> None:
    from roost.core.exceptions import NotFound

    with pytest.raises(NotFound):
        publishing_pause(actor=world.b_owner, workspace=world.a, reason="Not my workspace")
    with pytest.raises(NotFound):
        publishing_pause(
            actor=world.members["owner"], workspace=world.a, channel=world.b_channel, reason="x"
        )
    assert PublishingPause.objects.count() == 0


def test_reason_is_required_and_short(world: World) -> None:
    for reason, message in [
        ("  ", "Say why publishing is paused."),
        ("x" * 501, "Keep the reason under 500 characters."),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            publishing_pause(actor=world.members["owner"], workspace=world.a, reason=reason)
        assert refused.value.errors == {"reason": [message]}
    assert PublishingPause.objects.count() == 0


def test_one_open_pause_at_a_time_and_resume_once(world: World) -> None:
    first = pause(world)
    with pytest.raises(Conflict):
        pause(world, role="owner")
    publishing_resume(actor=world.members["owner"], pause=first, decisions=[])
    with pytest.raises(Conflict):
        publishing_resume(actor=world.members["owner"], pause=first, decisions=[])
    second = pause(world)
    assert second.pk != first.pk
    assert PublishingPause.objects.filter(ended_at__isnull=True).count() == 1


def test_publishers_and_approvers_are_told(world: World) -> None:
    the_pause = pause(world)
    told = set(
        Notification.objects.filter(kind="publishing.paused").values_list(
            "recipient__email", flat=True
        )
    )
    assert told == {
        "owner@alpha.test",
        "admin@alpha.test",
        "social_media_manager@alpha.test",
        "content_creator@alpha.test",
        "paid_media@alpha.test",
    }
    note = Notification.objects.filter(kind="publishing.paused").first()
    assert note is not None
    assert note.text == "Alpha Community Manager paused all publishing: Outage at the roastery"
    assert note.url == f"/w/{world.a.slug}/publishing/pause/"
    publishing_resume(actor=world.members["owner"], pause=the_pause, decisions=[])
    assert Notification.objects.filter(kind="publishing.resumed").count() == 5
    entry = AuditEntry.objects.get(action="publishing.paused")
    assert entry.data == {"channel": None, "reason": "Outage at the roastery", "in_flight": 0}


def test_pause_state_and_posts_due_during(world: World, channels: list[Channel]) -> None:
    assert selectors.pause_state(world.a.pk) == selectors.NOT_PAUSED
    the_pause = pause(world)
    state = selectors.pause_state(world.a.pk)
    assert (state.paused, state.reason, state.since, state.by) == (
        True,
        "Outage at the roastery",
        the_pause.started_at,
        "Alpha Community Manager",
    )
    assert selectors.pause_state(world.b.pk) == selectors.NOT_PAUSED
    at = (clock.now() + timedelta(hours=5)).replace(microsecond=0)
    inside = compose(world, channels, "In the spike", mode="at", at=at)
    compose(world, channels, "After it", mode="at", at=at + timedelta(hours=2))
    compose(world, channels, "A draft")
    found = selectors.posts_due_during(
        world.a.pk, at - timedelta(minutes=30), at + timedelta(minutes=30)
    )
    assert [p.pk for p in found] == [inside.pk]
    assert list(selectors.posts_due_during(world.b.pk, at - timedelta(hours=1), at)) == []
