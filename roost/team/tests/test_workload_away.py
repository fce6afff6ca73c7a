"""Away hands a person's open items back (group round-robin skipping away members,
personal caps respected); direct assignment to an away or capped member is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from roost.conftest import World
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.inbox.models import Message, Task
from roost.inbox.services.triage import message_assign, task_create
from roost.team.models import WorkloadDay
from roost.team.services.workload import (
    hand_back_due,
    member_clear_away,
    member_set_away,
    member_set_cap,
)
from roost.workspaces.models import AuditEntry

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
TODAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)


SERIAL = iter(range(10_000))


def copies(world: World, n: int, **fields: Any) -> list[Message]:
    base = world.a_inbox.message
    made = []
    for _ in range(n):
        m = Message.objects.get(pk=base.pk)
        m.pk = None
        m.remote_id = f"copy-{next(SERIAL)}"
        for k, v in fields.items():
            setattr(m, k, v)
        m.save()
        made.append(m)
    return made


def test_away_today_hands_items_back(world: World) -> None:
    duty = world.a_inbox.group  # the inbox duty group
    cm, care, sales = (world.members[r] for r in ("community_manager", "customer_care", "sales"))
    duty.members.set([cm, care, sales])
    sales.away_from, sales.away_until = date(2026, 12, 1), date(2026, 12, 10)
    sales.save()
    grouped = copies(world, 3, assignee_id=cm.pk, group_id=duty.pk, status="open")
    loose = copies(world, 2, assignee_id=cm.pk, group_id=None, status="open")
    closed = copies(world, 1, assignee_id=cm.pk, group_id=None, status="complete")
    task = Task.objects.create(workspace=world.a, message=loose[0], kind="lead", assignee=cm)
    done = member_set_away(
        actor=cm, member=cm, away_from=date(2026, 12, 3), away_until=date(2026, 12, 11)
    )
    owners = [Message.objects.get(pk=m.pk).assignee_id for m in grouped]
    assert set(owners) == {care.pk}  # sales is away, cm is away: care takes all three
    assert [Message.objects.get(pk=m.pk).assignee_id for m in loose] == [None, None]
    assert Message.objects.get(pk=closed[0].pk).assignee_id == cm.pk  # finished: left alone
    assert Task.objects.get(pk=task.pk).assignee_id is None
    assert (done.to_people, done.to_groups, done.unassigned) == (3, 0, 3)
    entry = AuditEntry.objects.get(action="team.away_set")
    assert entry.data["handed_to_people"] == 3 and entry.data["unassigned"] == 3


def test_personal_cap_keeps_items_with_the_group(world: World) -> None:
    duty = world.a_inbox.group
    cm, care = world.members["community_manager"], world.members["customer_care"]
    duty.members.set([cm, care])
    member_set_cap(actor=world.members["owner"], member=care, cap=1)
    grouped = copies(world, 3, assignee_id=cm.pk, group_id=duty.pk, status="open")
    done = member_set_away(
        actor=world.members["owner"], member=cm, away_from=TODAY, away_until=date(2026, 12, 4)
    )
    owners = sorted(
        (Message.objects.get(pk=m.pk).assignee_id or 0, Message.objects.get(pk=m.pk).group_id)
        for m in grouped
    )
    assert owners == [(0, duty.pk), (0, duty.pk), (care.pk, duty.pk)]
    assert (done.to_people, done.to_groups, done.unassigned) == (1, 2, 0)


def test_direct_assignment_refused_when_away_or_at_cap(world: World) -> None:
    manager, care = world.members["social_media_manager"], world.members["customer_care"]
    message = world.a_inbox.message
    care.away_from, care.away_until = date(2026, 12, 2), date(2026, 12, 9)
    care.save()
    with pytest.raises(ValidationFailed) as refused:
        message_assign(actor=manager, message=message, member_id=care.pk)
    assert refused.value.errors["assignee"] == [
        "Alpha Customer Care is away until 2026-12-09; choose someone else."
    ]
    with pytest.raises(ValidationFailed):
        task_create(actor=manager, message=message, kind="other", member_id=care.pk)
    assert Message.objects.get(pk=message.pk).assignee_id is None
    assert not Task.objects.filter(assignee=care).exists()
    member_clear_away(actor=manager, member=care)
    member_set_cap(actor=manager, member=care, cap=0)
    with pytest.raises(ValidationFailed) as refused:
        message_assign(actor=manager, message=message, member_id=care.pk)
    assert refused.value.errors["assignee"] == [
        "Alpha Customer Care already has 0 open items, their cap of 0; choose someone else."
    ]
    member_set_cap(actor=manager, member=care, cap=None)
    message_assign(actor=manager, message=message, member_id=care.pk)
    assert Message.objects.get(pk=message.pk).assignee_id == care.pk


def test_future_away_waits_for_the_job_and_rules(world: World, monkeypatch: Any) -> None:
    cm = world.members["community_manager"]
    [m] = copies(world, 1, assignee_id=cm.pk, group_id=None, status="open")
    done = member_set_away(
        actor=cm, member=cm, away_from=date(2026, 12, 5), away_until=date(2026, 12, 8)
    )
    assert done.total == 0 and Message.objects.get(pk=m.pk).assignee_id == cm.pk
    assert hand_back_due(world.a) == 0
    monkeypatch.setattr("roost.core.clock.now", lambda: datetime(2026, 12, 5, 9, tzinfo=UTC))
    assert hand_back_due(world.a) == 1
    assert Message.objects.get(pk=m.pk).assignee_id is None
    assert hand_back_due(world.a) == 0  # safe twice


def test_only_self_or_managers_set_away_and_caps(world: World) -> None:
    creator, analyst = world.members["content_creator"], world.members["analyst"]
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        member_set_away(actor=creator, member=analyst, away_from=TODAY, away_until=TODAY)
    with pytest.raises(PermissionDenied):
        member_set_cap(actor=creator, member=creator, cap=3)
    with pytest.raises(ValidationFailed) as bad:
        member_set_away(
            actor=creator, member=creator, away_from=date(2026, 12, 9), away_until=TODAY
        )
    assert bad.value.errors == {"away_until": ["The last day away must not be before the first."]}
    with pytest.raises(ValidationFailed):
        member_set_cap(actor=world.members["owner"], member=creator, cap=5000)
    creator.refresh_from_db()
    assert (creator.away_from, creator.assignment_cap) == (None, None)
    assert AuditEntry.objects.count() == before
    assert not WorkloadDay.objects.exists()
