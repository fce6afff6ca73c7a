"""When the brief is due (zone, working days, DST) and that it is sent exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import override_settings

from roost.briefing import services
from roost.briefing.models import Brief, BriefSettings
from roost.briefing.tests.conftest import NOW
from roost.conftest import make_user
from roost.workspaces import services as ws_services
from roost.workspaces.models import Membership


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _settings(**kw: Any) -> BriefSettings:
    return BriefSettings(**kw)


WARSAW = ZoneInfo("Europe/Warsaw")
NEW_YORK = ZoneInfo("America/New_York")


def test_due_at_the_morning_time_in_the_workspace_zone_on_working_days() -> None:
    s = _settings()  # 08:45, Monday to Friday
    # Thursday 13 March 2031: 08:45 in Warsaw is 07:45 UTC.
    assert services.due_day(s, _utc(2031, 3, 13, 7, 44), WARSAW) is None
    assert services.due_day(s, _utc(2031, 3, 13, 7, 45), WARSAW) == date(2031, 3, 13)
    assert services.due_day(s, _utc(2031, 3, 13, 22, 59), WARSAW) == date(2031, 3, 13)
    # Saturday and Sunday are not working days, unless chosen.
    assert services.due_day(s, _utc(2031, 3, 15, 9, 0), WARSAW) is None
    assert services.due_day(_settings(working_days=[5]), _utc(2031, 3, 15, 9), WARSAW) == date(
        2031, 3, 15
    )
    assert services.due_day(_settings(enabled=False), _utc(2031, 3, 13, 9), WARSAW) is None


def test_morning_time_follows_dst() -> None:
    s = _settings(morning_time=time(8, 45))
    # New York moved to EDT on Sunday 9 March 2031 and back to EST on 2 November 2031.
    assert services.morning_at(s, date(2031, 3, 7), NEW_YORK) == _utc(2031, 3, 7, 13, 45)
    assert services.morning_at(s, date(2031, 3, 10), NEW_YORK) == _utc(2031, 3, 10, 12, 45)
    assert services.morning_at(s, date(2031, 10, 31), NEW_YORK) == _utc(2031, 10, 31, 12, 45)
    assert services.morning_at(s, date(2031, 11, 3), NEW_YORK) == _utc(2031, 11, 3, 13, 45)
    # A time the spring-forward skips (02:30 on 9 March) comes an hour later.
    early = _settings(morning_time=time(2, 30), working_days=[6])
    assert services.morning_at(early, date(2031, 3, 9), NEW_YORK) == _utc(2031, 3, 9, 7, 30)


def test_overnight_starts_at_the_previous_working_days_brief() -> None:
    s = _settings()
    # Monday's brief covers the weekend, from Friday's stand-up.
    assert services.overnight_since(s, date(2031, 3, 17), WARSAW) == _utc(2031, 3, 14, 7, 45)
    assert services.overnight_since(s, date(2031, 3, 13), WARSAW) == _utc(2031, 3, 12, 7, 45)
    # No working day at all: a day back.
    assert services.overnight_since(_settings(working_days=[]), date(2031, 3, 13), WARSAW) == (
        _utc(2031, 3, 12, 7, 45)
    )


def test_sent_once_even_with_two_workers(
    owner: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    services.subscription_set(actor=owner, on=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.briefs_send_due(now=NOW) == 1
        assert services.briefs_send_due(now=NOW) == 0  # the second worker: already sent
    brief = Brief.objects.get(workspace=owner.workspace)
    assert (brief.date, brief.sent_at, brief.sending) == (date(2031, 3, 13), NOW, "sent")
    assert brief.delivery == {"emails": 1, "webhook": ""}
    assert [m.to for m in mail.outbox] == [["lead@brief.test"]]


def test_a_worker_that_loses_the_claim_sends_nothing(
    owner: Membership, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    services.subscription_set(actor=owner, on=True)
    real = services.brief_content

    def slow(*args: Any, **kw: Any) -> Any:
        # While this worker builds, the other one claims and sends the brief.
        content = real(*args, **kw)
        Brief.objects.update_or_create(
            workspace=owner.workspace,
            date=date(2031, 3, 13),
            defaults={"since": NOW, "sent_at": NOW, "content": {}},
        )
        return content

    monkeypatch.setattr(services, "brief_content", slow)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.briefs_send_due(now=NOW) == 0
    assert mail.outbox == []


def test_before_the_morning_time_nothing_is_built(owner: Membership) -> None:
    assert services.briefs_send_due(now=_utc(2031, 3, 13, 7, 0)) == 0
    assert services.briefs_send_due(now=_utc(2031, 3, 15, 9, 0)) == 0  # Saturday
    assert Brief.objects.count() == 0


def test_one_workspace_failing_does_not_stop_another(
    owner: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_user = make_user("other@brief.test")
    with override_settings(ROOST_WORKSPACE_CREATION="anyone"):
        other = ws_services.workspace_create(actor=other_user, name="Other", timezone="UTC")
    real = services.brief_content
    later = _utc(2031, 3, 13, 9, 0)  # after 08:45 in Warsaw and in UTC

    def fails_for_first(workspace: Any, **kw: Any) -> Any:
        if workspace.pk == owner.workspace.pk:
            raise RuntimeError("broken")
        return real(workspace, **kw)

    monkeypatch.setattr(services, "brief_content", fails_for_first)
    assert services.briefs_send_due(now=later) == 1
    assert list(Brief.objects.values_list("workspace_id", flat=True)) == [other.pk]
    monkeypatch.undo()
    # The next run tries the failed one again.
    assert services.briefs_send_due(now=later) == 1
    assert Brief.objects.filter(workspace=owner.workspace, sent_at=later).count() == 1


def test_the_job_is_registered() -> None:
    from roost.core import jobs

    job = {j.name: j for j in jobs.registered()}["briefing.due"]
    assert job.period().total_seconds() == 300
