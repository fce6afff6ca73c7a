"""The nightly roll-up: exact counts by the member's local time and working hours,
incremental and idempotent runs, one broken workspace not stopping the others."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from roost.approvals.models import Decision, StepState
from roost.conftest import World, make_user
from roost.inbox.models import Message
from roost.publishing.models import Post
from roost.team import workload
from roost.team.models import MemberProfile, WorkloadDay, WorkloadProgress
from roost.team.tasks import workload_signals
from roost.workspaces.models import AuditEntry, Membership
from roost.workspaces.seeding import seed_member

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # a Thursday; Warsaw is UTC+1


@pytest.fixture
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def act(member: Membership, at: datetime, n: int = 1) -> None:
    for _ in range(n):
        AuditEntry.objects.create(
            workspace_id=member.workspace_id, actor_id=member.user_id, action="x", created_at=at
        )


@pytest.fixture
def worker(world: World) -> Membership:
    """A member with no activity in the world fixture (default hours, Mon–Fri 9–17)."""
    return seed_member(world.a, make_user("worker@alpha.test", "Worker"), ["community_manager"])


def days_of(member: Membership) -> dict[date, tuple[int, int, int, bool, bool]]:
    return {
        d.day: (d.actions, d.handled, d.after_hours, d.weekend, d.working_day)
        for d in WorkloadDay.objects.filter(member=member)
    }


def test_rollup_counts_by_local_time_and_hours(
    world: World, worker: Membership, frozen: None
) -> None:
    act(worker, utc(2026, 11, 30, 9, 15), 3)  # Mon 10:15 Warsaw: working time
    act(worker, utc(2026, 11, 30, 16, 30))  # Mon 17:30 Warsaw: after hours
    act(worker, utc(2026, 11, 30, 23, 30), 2)  # Tue 00:30 Warsaw: Tuesday, after hours
    act(worker, utc(2026, 11, 28, 10, 0))  # Sat 11:00 Warsaw: weekend, a day off
    message = world.a_inbox.message
    Message.objects.filter(pk=message.pk).update(
        status="complete", completed_by=worker.user, completed_at=utc(2026, 11, 30, 9, 20)
    )
    post = Post.objects.create(workspace=world.a, author=worker.user, text="hi")
    Post.objects.filter(pk=post.pk).update(created_at=utc(2026, 11, 28, 10, 5))
    state = StepState.objects.filter(request=world.a_request).first()
    Decision.objects.create(
        state=state, user=worker.user, kind="approve", created_at=utc(2026, 12, 2, 18, 0)
    )
    # Another person with their own hours: Monday 06:00–09:00 only.
    early = seed_member(world.a, make_user("early@alpha.test", "Early"), ["analyst"])
    MemberProfile.objects.create(
        workspace=world.a, membership=early, working_hours={"0": ["06:00", "09:00"]}
    )
    act(early, utc(2026, 11, 30, 6, 10))  # Mon 07:10 Warsaw: working for them
    act(early, utc(2026, 11, 30, 9, 15))  # Mon 10:15 Warsaw: after hours for them

    assert workload.rollup_due(world.a) > 0
    assert days_of(worker) == {
        date(2026, 11, 28): (2, 1, 2, True, False),
        date(2026, 11, 30): (5, 1, 1, False, True),
        date(2026, 12, 1): (2, 0, 2, False, True),
        date(2026, 12, 2): (1, 1, 1, False, True),
    }
    assert days_of(early) == {date(2026, 11, 30): (2, 0, 1, False, True)}
    progress = WorkloadProgress.objects.get(workspace=world.a)
    assert progress.rolled_through == date(2026, 12, 2)


def test_rollup_is_incremental_and_safe_twice(
    world: World, worker: Membership, monkeypatch: Any
) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)
    act(worker, utc(2026, 12, 1, 10, 0), 2)
    act(worker, utc(2026, 12, 3, 10, 0))  # today: not rolled up yet
    workload.rollup_due(world.a)
    assert days_of(worker) == {date(2026, 12, 1): (2, 0, 0, False, True)}
    assert workload.rollup_due(world.a) == 0  # nothing new: nothing written
    assert days_of(worker) == {date(2026, 12, 1): (2, 0, 0, False, True)}
    # Recomputing the same days replaces them: the same rows, not twice the counts.
    workload.rollup(world.a, date(2026, 12, 1), date(2026, 12, 1))
    workload.rollup(world.a, date(2026, 12, 1), date(2026, 12, 1))
    assert days_of(worker) == {date(2026, 12, 1): (2, 0, 0, False, True)}
    # The next day, only the new day is computed.
    monkeypatch.setattr("roost.core.clock.now", lambda: utc(2026, 12, 4, 12, 0))
    act(worker, utc(2026, 12, 1, 11, 0))  # late arrival for a day already done: not redone
    workload.rollup_due(world.a)
    assert days_of(worker) == {
        date(2026, 12, 1): (2, 0, 0, False, True),
        date(2026, 12, 3): (1, 0, 0, False, True),
    }


def test_one_broken_workspace_does_not_stop_the_others(
    world: World, worker: Membership, frozen: None
) -> None:
    act(worker, utc(2026, 12, 1, 10, 0))
    world.b.__class__.objects.filter(pk=world.b.pk).update(timezone="Not/AZone")
    assert workload_signals.call() == 1
    assert days_of(worker) == {date(2026, 12, 1): (1, 0, 0, False, True)}
    assert not WorkloadProgress.objects.filter(workspace=world.b).exists()
