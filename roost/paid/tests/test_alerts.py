"""Pacing alerts: the budget managers are told once a day at most, again only when the
state changes, two workers send one, and one workspace's failure stops no other."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from roost.conftest import World
from roost.core import jobs
from roost.notifications.models import Notification
from roost.paid.models import AdDay, PaidCampaign
from roost.paid.services import alerts
from roost.paid.services.alerts import pacing_alerts_check
from roost.paid.tasks import check_pacing
from roost.paid.testing import ad_account, ad_days, paid_campaign

DAY11 = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)  # 11 Nov in Warsaw: 10 days done
# Everyone in A with MANAGE_BUDGETS (world fixture: one member per role).
MANAGERS = ["admin@alpha.test", "owner@alpha.test", "paid_media@alpha.test"]


def told() -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind__startswith="paid.").values_list(
            "recipient__email", "kind"
        )
    )


def under_campaign(world: World) -> PaidCampaign:
    c = paid_campaign(ad_account(world.a), "Slow")
    ad_days(c, date(2026, 11, 1), ["50"] * 10)  # 500 of 1000 expected
    return c


def test_an_under_pace_campaign_tells_the_budget_managers_once_a_day(world: World) -> None:
    c = under_campaign(world)
    later = paid_campaign(ad_account(world.a), "Later")  # not started: nothing to say
    PaidCampaign.objects.filter(pk=later.pk).update(
        starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31)
    )

    assert pacing_alerts_check(now=DAY11) == [c.pk]

    assert told() == [(email, "paid.pacing_under") for email in MANAGERS]
    note = Notification.objects.filter(recipient__email="owner@alpha.test").get()
    assert note.text == (
        "Slow is spending under pace: 500.00 EUR spent where 1000.00 EUR was planned by now; "
        "at this rate it ends at 1500.00 EUR of 3000.00 EUR."
    )
    assert note.url == f"/w/{world.a.slug}/paid/campaigns/{c.pk}/"
    c.refresh_from_db()
    assert (c.pacing_alerted_on, c.pacing_alerted_state) == (date(2026, 11, 11), "under")
    # The same day, and the next while still under: nothing more.
    assert pacing_alerts_check(now=DAY11 + timedelta(hours=3)) == []
    assert pacing_alerts_check(now=DAY11 + timedelta(days=1)) == []
    assert len(told()) == 3


def test_a_change_of_state_is_told_again_but_not_twice_in_a_day(world: World) -> None:
    c = under_campaign(world)
    pacing_alerts_check(now=DAY11)
    # By the 12th it spent 1,500 in one day: 2,000 of 1,100 expected, over pace.
    AdDay.objects.create(
        workspace=world.a, campaign=c, day=date(2026, 11, 11), spend=1500, origin="api"
    )

    assert pacing_alerts_check(now=DAY11 + timedelta(days=1)) == [c.pk]
    assert [k for e, k in told() if e == "owner@alpha.test"] == [
        "paid.pacing_over",
        "paid.pacing_under",
    ]
    c.refresh_from_db()
    assert c.pacing_alerted_state == "over"


def test_back_on_pace_then_off_again_is_a_new_alert(world: World) -> None:
    c = under_campaign(world)
    pacing_alerts_check(now=DAY11)
    AdDay.objects.create(
        workspace=world.a, campaign=c, day=date(2026, 11, 11), spend=600, origin="api"
    )  # 1,100 of 1,100 expected on the 12th
    assert pacing_alerts_check(now=DAY11 + timedelta(days=1)) == []
    c.refresh_from_db()
    assert c.pacing_alerted_state == "on_pace"
    # Nothing on the 12th; by the 14th 1,100 of 1,300 expected: under again.
    assert pacing_alerts_check(now=DAY11 + timedelta(days=3)) == [c.pk]
    assert len([1 for e, _k in told() if e == "owner@alpha.test"]) == 2


def test_two_workers_checking_at_once_send_one_alert(world: World) -> None:
    c = under_campaign(world)
    # The second worker read the campaign before the first one claimed it.
    stale = PaidCampaign.objects.select_related("ad_account").get(pk=c.pk)
    assert pacing_alerts_check(now=DAY11) == [c.pk]
    pace = alerts.pacing_many([stale], date(2026, 11, 11))[c.pk]

    again = alerts._claim_and_tell(world.a, stale, pace, date(2026, 11, 11), [])

    assert again is False
    assert len(told()) == 3


def test_one_failing_workspace_does_not_stop_another(
    world: World, monkeypatch: Any, caplog: pytest.LogCaptureFixture
) -> None:
    c = under_campaign(world)
    theirs = paid_campaign(ad_account(world.b), "Theirs")
    ad_days(theirs, date(2026, 11, 1), ["1"] * 10)
    real = alerts._check_workspace

    def broken(workspace_id: int, now: datetime) -> list[int]:
        if workspace_id == world.a.pk:
            raise RuntimeError("boom")
        return real(workspace_id, now)

    monkeypatch.setattr(alerts, "_check_workspace", broken)
    with caplog.at_level(logging.ERROR, logger="roost.paid.pacing"):
        assert pacing_alerts_check(now=DAY11) == [theirs.pk]
    assert f"workspace {world.a.pk} failed" in caplog.text
    assert c.pk not in [theirs.pk]


def test_the_job_is_registered() -> None:
    job = {j.name: j for j in jobs.registered()}["paid.pacing"]
    assert job.run is check_pacing
    assert job.period() == timedelta(hours=1)
