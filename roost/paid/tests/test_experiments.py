"""A/B tests: planning, organic versions at matched times through publishing, counts from
analytics, the decision recorded once, stop, and who may do what."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from roost.analytics.services.recording import metrics_track
from roost.analytics.testing import read
from roost.approvals.models import ApprovalRequest, Workflow, WorkflowStep
from roost.conftest import World
from roost.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from roost.notifications.models import Notification
from roost.paid import stats
from roost.paid.models import Experiment, ExperimentStatus, Variant, VariantDay
from roost.paid.services import experiment_data
from roost.paid.services.experiments import (
    ExperimentInput,
    StartInput,
    access_experiment,
    experiment_create,
    experiment_start,
    experiment_stop,
)
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.workspaces.models import AuditEntry

NOW = datetime(2031, 3, 10, 8, 0, tzinfo=UTC)
PLAN = ExperimentInput(
    name="Headline",
    kind="organic",
    metric="ctr",
    variants=["Our winter latte is back.", "Guess what is back? Our winter latte."],
    hypothesis="A question gets more clicks.",
    baseline_rate=0.02,
    min_effect=0.5,
)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)


def _start_organic(world: World, experiment: Experiment, role: str = "owner") -> Experiment:
    return experiment_start(
        actor=world.members[role],
        experiment=experiment,
        data=StartInput(channel_id=world.a_channel.pk, first_at=datetime(2031, 3, 12, 9, 30)),
    )


def test_a_test_is_planned_with_the_sample_each_version_needs(world: World) -> None:
    actor = world.members["paid_media"]
    experiment = experiment_create(actor=actor, data=PLAN)
    expected = stats.sample_size(baseline=0.02, min_effect=0.5, alpha=0.05, power=0.8, variants=2)
    assert experiment.planned_per_variant == expected
    assert experiment.status == ExperimentStatus.DRAFT
    assert [(v.label, v.text) for v in experiment.variants.all()] == [
        ("A", "Our winter latte is back."),
        ("B", "Guess what is back? Our winter latte."),
    ]
    entry = AuditEntry.objects.get(action="experiment.created")
    assert entry.data["planned_per_variant"] == expected
    assert entry.data["variants"] == 2


def test_more_versions_plan_a_larger_sample_each(world: World) -> None:
    actor = world.members["paid_media"]
    two = experiment_create(actor=actor, data=PLAN)
    three = experiment_create(
        actor=actor, data=replace(PLAN, name="Three", variants=[*PLAN.variants, "Third one"])
    )
    assert three.planned_per_variant == stats.sample_size(
        baseline=0.02, min_effect=0.5, alpha=0.05, power=0.8, variants=3
    )
    assert (three.planned_per_variant or 0) > (two.planned_per_variant or 0)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"name": "  "}, "name", "Give the test a name."),
        ({"variants": ["Only one"]}, "variants", "Write between 2 and 5 versions."),
        ({"variants": ["Same", "Same"]}, "variants", "Two versions are the same"),
        ({"variants": ["One", "", "Three"]}, "variants", "Version B is empty."),
        ({"variants": [str(i) for i in range(6)]}, "variants", "Write between 2 and 5 versions."),
        ({"baseline_rate": 0.0}, "baseline_rate", "between 0 and 1"),
        ({"baseline_rate": 1.5}, "baseline_rate", "between 0 and 1"),
        ({"min_effect": 0.001}, "min_effect", "between 0.01 (1%) and 10"),
        ({"baseline_rate": 0.6, "min_effect": 1.0}, "min_effect", "would reach 100%"),
        ({"alpha": 0.5}, "alpha", "between 0.001 and 0.2"),
        ({"power": 0.2}, "power", "between 0.5 and 0.99"),
        ({"metric": "conversion_rate"}, "metric", "click-through or engagement rate"),
        ({"kind": "other"}, "kind", "Choose organic or paid."),
        ({"kind": "paid"}, "ad_account_id", "Choose an ad account of this workspace."),
    ],
)
def test_a_bad_plan_names_the_field_and_saves_nothing(
    world: World, change: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        experiment_create(actor=world.members["paid_media"], data=replace(PLAN, **change))
    assert words in " ".join(caught.value.errors[field])
    assert not Experiment.objects.exists()
    assert not Variant.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="experiment.").exists()


@pytest.mark.parametrize("role", ["analyst", "social_media_manager", "content_creator"])
def test_only_who_manages_budgets_plans_starts_and_stops(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        experiment_create(actor=world.members[role], data=PLAN)
    experiment = experiment_create(actor=world.members["owner"], data=PLAN)
    with pytest.raises(PermissionDenied):
        _start_organic(world, experiment, role)
    with pytest.raises(PermissionDenied):
        experiment_stop(actor=world.members[role], experiment=experiment)
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT
    assert Experiment.objects.count() == 1
    assert not Variant.objects.filter(post__isnull=False).exists()


def test_another_workspace_cannot_reach_a_test(world: World) -> None:
    experiment = experiment_create(actor=world.members["owner"], data=PLAN)
    with pytest.raises(Exception) as caught:
        access_experiment(world.b_owner, experiment.pk)
    assert type(caught.value).__name__ == "NotFound"
    with pytest.raises(Exception) as caught:
        experiment_stop(actor=world.b_owner, experiment=experiment)
    assert type(caught.value).__name__ == "NotFound"
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT


def test_organic_versions_go_out_at_the_same_hour_on_consecutive_days(world: World) -> None:
    experiment = experiment_create(actor=world.members["owner"], data=PLAN)
    started = _start_organic(world, experiment)
    assert started.status == ExperimentStatus.RUNNING
    posts = {v.label: v.post for v in started.variants.all()}
    assert all(p is not None and p.status == PostStatus.SCHEDULED for p in posts.values())
    assert {posts[k].text for k in posts} == set(PLAN.variants)  # type: ignore[union-attr]
    # Warsaw (UTC+1 in March): 09:30 local on the 12th and the 13th, one version each.
    due = sorted(Delivery.objects.filter(post__in=posts.values()).values_list("due_at", flat=True))
    assert due == [
        datetime(2031, 3, 12, 8, 30, tzinfo=UTC),
        datetime(2031, 3, 13, 8, 30, tzinfo=UTC),
    ]
    assert AuditEntry.objects.filter(action="experiment.started").count() == 1


def test_the_order_of_the_days_is_drawn_at_random(world: World) -> None:
    firsts = set()
    for i in range(30):
        experiment = experiment_create(
            actor=world.members["owner"], data=replace(PLAN, name=f"Order {i}")
        )
        _start_organic(world, experiment)
        first = (
            Delivery.objects.filter(post__in=experiment.variants.values("post"))
            .order_by("due_at")
            .first()
        )
        assert first is not None
        firsts.add(Variant.objects.get(post=first.post_id).label)
    assert firsts == {"A", "B"}  # 30 draws giving one order only: 1 in 500 million


def test_organic_posts_go_through_approval_where_a_workflow_applies(world: World) -> None:
    workflow = Workflow.objects.create(
        workspace=world.a, name="Everything on Alpha", channel_ids=[world.a_channel.pk]
    )
    step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Manager")
    step.groups.set([world.a_group])
    experiment = experiment_create(actor=world.members["paid_media"], data=PLAN)
    started = _start_organic(world, experiment, "paid_media")
    posts = [v.post for v in started.variants.all()]
    assert [p.status for p in posts if p] == [PostStatus.IN_REVIEW, PostStatus.IN_REVIEW]
    ids = [p.pk for p in posts if p]
    assert ApprovalRequest.objects.filter(kind="post", object_id__in=ids).count() == 2
    assert not Delivery.objects.filter(post__in=posts, status=DeliveryStatus.SCHEDULED).exists()


@pytest.mark.parametrize(
    ("start", "field", "words"),
    [
        (StartInput(first_at=datetime(2031, 3, 12, 9, 30)), "channel_id", "Choose a channel"),
        (StartInput(channel_id=-1), "first_at", "Choose when the first version goes out."),
        (
            StartInput(channel_id=0, first_at=datetime(2031, 3, 1, 9, 0)),
            "channel_id",
            "Choose a channel",
        ),
    ],
)
def test_a_bad_start_names_the_field_and_changes_nothing(
    world: World, start: StartInput, field: str, words: str
) -> None:
    experiment = experiment_create(actor=world.members["owner"], data=PLAN)
    posts_before = Post.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        experiment_start(actor=world.members["owner"], experiment=experiment, data=start)
    assert words in " ".join(caught.value.errors[field])
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT
    assert Post.objects.count() == posts_before


def test_a_first_time_in_the_past_is_refused(world: World) -> None:
    experiment = experiment_create(actor=world.members["owner"], data=PLAN)
    with pytest.raises(ValidationFailed) as caught:
        experiment_start(
            actor=world.members["owner"],
            experiment=experiment,
            data=StartInput(channel_id=world.a_channel.pk, first_at=datetime(2031, 3, 9, 9, 0)),
        )
    assert caught.value.errors["first_at"] == ["Choose a time in the future."]
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT


def test_a_test_starts_once(world: World) -> None:
    experiment = experiment_create(actor=world.members["owner"], data=PLAN)
    stale = Experiment.objects.get(pk=experiment.pk)
    _start_organic(world, experiment)
    with pytest.raises(Conflict):
        _start_organic(world, stale)
    assert Variant.objects.filter(experiment=experiment, post__isnull=False).count() == 2
    assert Post.objects.filter(text__in=PLAN.variants).count() == 2


def _publish_and_read(variant: Variant, impressions: int, clicks: int) -> None:
    delivery = Delivery.objects.get(post=variant.post)
    delivery.status = DeliveryStatus.PUBLISHED
    delivery.published_at = delivery.due_at
    delivery.save(update_fields=["status", "published_at"])
    metrics_track(deliveries=[delivery])
    read(delivery, NOW, impressions=impressions, clicks=clicks, likes=3)


def _running_with_counts(world: World, a: tuple[int, int], b: tuple[int, int]) -> Experiment:
    experiment = experiment_create(actor=world.members["paid_media"], data=PLAN)
    _start_organic(world, experiment)
    variants = {v.label: v for v in experiment.variants.all()}
    _publish_and_read(variants["A"], *a)
    _publish_and_read(variants["B"], *b)
    return experiment


def test_counts_come_from_analytics_into_variant_days(world: World) -> None:
    experiment = _running_with_counts(world, (5000, 100), (5000, 180))
    assert experiment_data.experiment_refresh_organic(experiment) == 2
    rows = VariantDay.objects.select_related("variant").order_by("variant__label")
    assert [(d.variant.label, d.trials, d.successes) for d in rows] == [
        ("A", 5000, 100),
        ("B", 5000, 180),
    ]
    # Each on its post's day (Warsaw): the 12th and the 13th, in the drawn order.
    assert {d.day for d in rows} == {date(2031, 3, 12), date(2031, 3, 13)}
    arms = experiment_data.experiment_arms(experiment)
    assert [(a.label, a.trials, a.successes) for a in arms] == [
        ("A", 5000, 100),
        ("B", 5000, 180),
    ]
    # A second refresh replaces, never adds.
    experiment_data.experiment_refresh_organic(experiment)
    assert VariantDay.objects.count() == 2


def test_engagement_rate_counts_engagements(world: World) -> None:
    experiment = experiment_create(
        actor=world.members["owner"], data=replace(PLAN, metric="engagement_rate")
    )
    _start_organic(world, experiment)
    for variant in experiment.variants.all():
        _publish_and_read(variant, 1000, 7)
    experiment_data.experiment_refresh_organic(experiment)
    arms = experiment_data.experiment_arms(experiment)
    assert [(a.trials, a.successes) for a in arms] == [(1000, 3), (1000, 3)]  # the likes


def test_a_clear_difference_is_decided_once_and_the_creator_told(world: World) -> None:
    experiment = _running_with_counts(world, (20000, 400), (20000, 700))
    assert experiment_data.experiments_check() == 1
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DECIDED
    assert experiment.decision["winner"] == "B"
    assert experiment.decision["decided_at"] == NOW.isoformat()
    lo, hi = experiment.decision["interval"]
    assert lo < 0.015 < hi
    assert experiment.decision["effect"] == pytest.approx(0.015)
    assert experiment.decision["p"] < 0.05
    assert experiment.decision["rule"]
    note = Notification.objects.get(kind="paid.experiment_decided")
    assert note.recipient == world.members["paid_media"].user
    assert "version B wins" in note.text
    # Looking again decides nothing more.
    assert experiment_data.experiments_check() == 0
    assert Notification.objects.filter(kind="paid.experiment_decided").count() == 1
    assert AuditEntry.objects.filter(action="experiment.decided").count() == 1


def test_two_workers_record_one_decision(world: World) -> None:
    experiment = _running_with_counts(world, (20000, 400), (20000, 700))
    experiment_data.experiment_refresh_organic(experiment)
    first = Experiment.objects.get(pk=experiment.pk)
    second = Experiment.objects.get(pk=experiment.pk)  # both loaded before either records
    _arms, decision = experiment_data.experiment_results(first)
    assert decision.status == "winner"
    assert experiment_data.experiment_record_decision(first, decision) is True
    assert experiment_data.experiment_record_decision(second, decision) is False
    assert AuditEntry.objects.filter(action="experiment.decided").count() == 1
    assert Notification.objects.filter(kind="paid.experiment_decided").count() == 1


def test_too_few_counts_decide_nothing(world: World) -> None:
    experiment = _running_with_counts(world, (300, 6), (300, 7))
    assert experiment_data.experiments_check() == 0
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING
    assert experiment.decision == {}
    assert not Notification.objects.filter(kind="paid.experiment_decided").exists()


def test_stop_by_hand_cancels_the_posts_not_yet_out(world: World) -> None:
    experiment = experiment_create(actor=world.members["owner"], data=PLAN)
    _start_organic(world, experiment)
    stopped = experiment_stop(actor=world.members["paid_media"], experiment=experiment)
    assert stopped.status == ExperimentStatus.STOPPED
    assert stopped.ended_at == NOW
    assert {v.post.status for v in stopped.variants.all() if v.post} == {PostStatus.CANCELLED}
    entry = AuditEntry.objects.get(action="experiment.stopped")
    assert entry.data["cancelled_posts"] == 2
    with pytest.raises(Conflict):
        experiment_stop(actor=world.members["paid_media"], experiment=experiment)
    # A stopped test is never decided afterwards.
    assert experiment_data.experiments_check() == 0
