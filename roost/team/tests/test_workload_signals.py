"""Signals on crafted roll-ups: the team-median ratio, the longest run without a break,
weekend days, after-hours share, open items and the approval bottleneck."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from roost.conftest import World, make_user
from roost.inbox.models import Message, Task
from roost.team import workload
from roost.team.models import WorkloadDay
from roost.workspaces.models import Membership
from roost.workspaces.seeding import seed_member

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # Thursday 3 December, Warsaw 13:00
TODAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)


def put(member: Membership, day: date, handled: int = 0, actions: int = 1, after: int = 0) -> None:
    WorkloadDay.objects.create(
        workspace_id=member.workspace_id,
        member=member,
        day=day,
        handled=handled,
        actions=actions,
        after_hours=after,
        weekend=day.weekday() >= 5,
        working_day=day.weekday() < 5,
    )


def window() -> list[date]:
    return [TODAY - timedelta(days=n) for n in range(28, 0, -1)]


def by_member(world: World, members: list[Membership]) -> dict[int, workload.MemberSignals]:
    return {s.member.pk: s for s in workload.member_signals(world.a, members, TODAY)}


def test_median_ratio_run_weekend_and_after_hours(world: World) -> None:
    busy = seed_member(world.a, make_user("busy@alpha.test", "Busy"), ["community_manager"])
    calm = seed_member(world.a, make_user("calm@alpha.test", "Calm"), ["community_manager"])
    days = window()  # 5 Nov … 2 Dec: 20 weekdays
    for d in days:  # busy works every day, 6 items, a third after hours
        put(busy, d, handled=6, actions=30, after=10)
    for d in days[:10]:  # calm: 10 days, 2 items each
        if d.weekday() < 5:
            put(calm, d, handled=2, actions=4)
    signals = by_member(world, [busy, calm])
    # Rates per working day: busy 6*28/20 = 8.4; calm 2*7/20 = 0.7; the other world
    # members have handled nothing (rate 0: not in the median). Median of (8.4, 0.7) = 4.55.
    assert signals[busy.pk].handled_per_day == 8.4
    assert signals[calm.pk].handled_per_day == 0.7
    assert signals[busy.pk].handled_ratio.value == round(8.4 / 4.55, 2)
    assert signals[busy.pk].handled_ratio.flag == "watch"  # 1.85: from 1.5, under 2
    assert signals[calm.pk].handled_ratio.value == round(0.7 / 4.55, 2)
    assert signals[calm.pk].handled_ratio.flag == "ok"
    assert signals[busy.pk].longest_run.value == 28
    assert signals[busy.pk].longest_run.flag == "high"
    assert signals[busy.pk].weekend_days.value == 8
    assert signals[busy.pk].weekend_days.flag == "high"
    assert signals[busy.pk].after_hours.value == round(280 / 840, 3)
    assert signals[busy.pk].after_hours.flag == "high"
    assert signals[calm.pk].after_hours.value == 0.0
    assert signals[calm.pk].after_hours.flag == "ok"
    assert signals[calm.pk].weekend_days.value == 0
    assert signals[calm.pk].flag == "ok"
    assert signals[busy.pk].flag == "high"


def test_break_run_counts_consecutive_days_only(world: World) -> None:
    m = seed_member(world.a, make_user("runner@alpha.test", "Runner"), ["analyst"])
    days = window()
    for d in days[:8] + days[9:14]:  # 8 in a row, a day off, 5 in a row
        put(m, d)
    put(m, days[20], actions=0)  # a row without actions is no day worked
    s = by_member(world, [m])[m.pk]
    assert s.longest_run.value == 8
    assert s.longest_run.flag == "watch"


def test_open_items_and_approval_bottleneck(world: World) -> None:
    admin = world.members["admin"]  # in the world's "Legal review" group: the review waits
    Message.objects.filter(pk=world.a_inbox.message.pk).update(assignee=admin, status="open")
    Task.objects.create(
        workspace=world.a, message=world.a_inbox.message, kind="lead", assignee=admin
    )
    Task.objects.create(
        workspace=world.a, message=world.a_inbox.message, kind="lead", assignee=admin, done=True
    )
    from roost.approvals.models import StepState

    StepState.objects.filter(request=world.a_request).update(
        started_at=NOW - timedelta(hours=50, minutes=10)
    )
    s = by_member(world, [admin])[admin.pk]
    assert s.reviews_waiting == 1
    assert s.oldest_review_hours == 50
    assert s.bottleneck.flag == "watch"  # 50 h: from 48 h
    assert s.open_items.value == 3  # one message, one open task, one review
    creator = world.members["content_creator"]
    assert by_member(world, [creator])[creator.pk].reviews_waiting == 0
    admin.assignment_cap = 3
    admin.save()
    s = by_member(world, [admin])[admin.pk]
    assert (s.cap, s.open_items.flag) == (3, "high")


def test_trends_hide_check_in_average_under_three(world: World) -> None:
    from roost.team.models import WeeklyCheckIn

    ids = [world.members[r].pk for r in ("admin", "analyst", "sales")]
    week = date(2026, 11, 30)
    for pk, score in zip(ids[:2], (4, 2), strict=True):
        WeeklyCheckIn.objects.create(workspace=world.a, member_id=pk, week=week, score=score)
    put(world.members["admin"], date(2026, 11, 30), handled=6, actions=10, after=5)
    trends = {t.week: t for t in workload.team_trends(world.a, ids, TODAY)}
    assert trends[week].check_in_average is None and trends[week].answers == 2
    assert trends[week].handled_per_day == 2.0  # 6 items over the 3 days of the week so far
    assert trends[week].after_hours == 0.5
    WeeklyCheckIn.objects.create(workspace=world.a, member_id=ids[2], week=week, score=3)
    trends = {t.week: t for t in workload.team_trends(world.a, ids, TODAY)}
    assert trends[week].check_in_average == 3.0
