"""Goals: progress and forecasts from stored figures, status, recommendations, the pages,
validation, permissions and isolation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from roost.analytics import forecast, kpis
from roost.analytics.goals import progress, recommendations
from roost.analytics.kpis import Kpi, Unit
from roost.analytics.models import Goal
from roost.analytics.services.goals import goal_save
from roost.analytics.testing import published, read
from roost.conftest import make_channel
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.publishing.models import Campaign, Post, PostStatus
from roost.workspaces.models import AuditEntry

WARSAW = ZoneInfo("Europe/Warsaw")
START = date(2026, 3, 1)
END = date(2026, 3, 30)
TODAY = date(2026, 3, 10)  # day 10 of 30


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=WARSAW)


def two_posts_a_day(channel: Any, *, likes: int = 5, impressions: int | None = 250) -> None:
    """Days 1–10 of March: two posts a day, each with `likes` likes."""
    for offset in range(10):
        day = START + timedelta(days=offset)
        for _ in range(2):
            d = published(channel, noon(day))
            read(d, noon(day) + timedelta(hours=6), likes=likes, impressions=impressions)


def goal(world: Any, kpi: str, target: float, **scope: Any) -> Goal:
    return goal_save(
        actor=world.members["analyst"], kpi_key=kpi, target=target, start=START, end=END, **scope
    )


def test_a_linear_count_forecasts_exactly_and_is_on_track(world: Any) -> None:
    two_posts_a_day(world.a_channel)
    p = progress(goal(world, "posts", 60), today=TODAY)
    assert (p.days_elapsed, p.days_total, p.value) == (10, 30, 20.0)
    assert p.forecast is not None
    assert p.forecast.value == pytest.approx(60.0)
    assert (p.forecast.low, p.forecast.high) == (pytest.approx(60.0), pytest.approx(60.0))
    assert p.status == forecast.ON_TRACK
    engagements = progress(goal(world, "engagements", 300), today=TODAY)
    assert engagements.forecast is not None and engagements.forecast.value == pytest.approx(300)
    assert engagements.status == forecast.ON_TRACK


def test_status_follows_the_target(world: Any) -> None:
    two_posts_a_day(world.a_channel)
    assert progress(goal(world, "posts", 65), today=TODAY).status == forecast.AT_RISK  # 60 ≥ 90 %
    assert progress(goal(world, "posts", 100), today=TODAY).status == forecast.OFF_TRACK
    assert progress(goal(world, "posts", 60), today=END).status == forecast.MISSED  # 20 in all
    assert progress(goal(world, "posts", 20), today=END).status == forecast.MET
    assert progress(goal(world, "posts", 1), today=START - timedelta(days=1)).status == (
        forecast.NOT_STARTED
    )


def test_a_rate_goal_forecasts_the_rate(world: Any) -> None:
    two_posts_a_day(world.a_channel)  # 5 of 250: 2 %
    p = progress(goal(world, "engagement_rate_impressions", 2.5), today=TODAY)
    assert p.value == pytest.approx(2.0)
    assert p.forecast is not None and p.forecast.value == pytest.approx(2.0)
    assert p.status == forecast.OFF_TRACK
    (pace,) = [r for r in recommendations(p, now=noon(TODAY)) if r.kind == "pace"]
    # (2.5 × 30 − 2 × 10) ÷ 20 = 2.75
    assert pace.text == "To reach 2.50, the remaining 20 days need to average 2.75."


def test_off_track_says_what_it_would_take(world: Any) -> None:
    two_posts_a_day(world.a_channel)  # 100 engagements in 10 days, 5 a post
    p = progress(goal(world, "engagements", 400), today=TODAY)
    assert p.status == forecast.OFF_TRACK
    (pace,) = [r for r in recommendations(p, now=noon(TODAY)) if r.kind == "pace"]
    assert pace.text == (
        "At the current 5.0 per post, it takes 3.0 posts a day for the remaining 20 days "
        "(now 2.0 a day)."
    )
    assert "So far: 100 in 10 days (10.0 a day); forecast 300." in pace.evidence


def test_channel_and_campaign_scopes(world: Any) -> None:
    other = make_channel(world.a, "Second")
    two_posts_a_day(world.a_channel)
    campaign = Campaign.objects.create(workspace=world.a, name="Spring")
    for offset in range(10):
        post = Post.objects.create(
            workspace=world.a, text="Spring", status=PostStatus.PUBLISHED, campaign=campaign
        )
        d = published(other, noon(START + timedelta(days=offset)), post=post)
        read(d, noon(START + timedelta(days=offset)) + timedelta(hours=1), likes=3)
    by_channel = progress(goal(world, "posts", 30, channel_id=other.pk), today=TODAY)
    assert by_channel.value == 10.0
    assert by_channel.forecast is not None and by_channel.forecast.value == pytest.approx(30)
    by_campaign = progress(goal(world, "engagements", 90, campaign_id=campaign.pk), today=TODAY)
    assert by_campaign.value == 30.0
    assert by_campaign.forecast is not None
    assert by_campaign.forecast.value == pytest.approx(90)
    assert progress(goal(world, "posts", 90), today=TODAY).value == 30.0  # the workspace


def test_campaigns_behind_their_goals_are_named(world: Any) -> None:
    campaign = Campaign.objects.create(workspace=world.a, name="Spring")
    for offset in range(10):
        post = Post.objects.create(
            workspace=world.a, text="S", status=PostStatus.PUBLISHED, campaign=campaign
        )
        d = published(world.a_channel, noon(START + timedelta(days=offset)), post=post)
        read(d, noon(START + timedelta(days=offset)), likes=1)
    goal(world, "engagements", 1000, campaign_id=campaign.pk)
    p = progress(goal(world, "posts", 30), today=TODAY)
    (behind,) = [r for r in recommendations(p, now=noon(TODAY)) if r.kind == "campaign"]
    assert behind.text == "Campaign Spring is behind its goal for Engagements."
    assert behind.evidence == ["Forecast 30.00 against a target of 1,000.00 by 2026-03-30."]


def test_formats_that_outperform_come_with_their_numbers(world: Any) -> None:
    for offset in range(6):
        day = noon(START + timedelta(days=offset))
        read(published(world.a_channel, day), day, likes=2)
        thread = Post.objects.create(
            workspace=world.a, text="1/2", thread=["2/2"], status=PostStatus.PUBLISHED
        )
        read(published(world.a_channel, day, post=thread), day, likes=10)
    p = progress(goal(world, "engagements", 1), today=TODAY)
    formats = [r for r in recommendations(p, now=noon(TODAY)) if r.kind == "format"]
    assert [r.text for r in formats] == [
        "Format: Threads outperform: 1.7× the average engagements per post."
    ]
    assert formats[0].evidence == [
        "Threads: 6 posts, 10.0 engagements per post",
        "Average: 12 posts, 6.0 engagements per post",
    ]


def test_validation_names_each_problem_and_saves_nothing(world: Any) -> None:
    analyst = world.members["analyst"]
    with pytest.raises(ValidationFailed) as caught:
        goal_save(
            actor=analyst,
            kpi_key="nope",
            target=float("nan"),
            start=END,
            end=START,
            channel_id=world.b_channel.pk,
        )
    assert caught.value.errors == {
        "kpi": ["Choose a KPI from the list."],
        "target": ["Enter the target as a number."],
        "end": ["The period ends before it starts."],
        "channel": ["Choose a channel of this workspace."],
    }
    with pytest.raises(ValidationFailed) as caught:
        goal_save(
            actor=analyst,
            kpi_key="followers",
            target=-1,
            start=START,
            end=START + timedelta(days=731),
            campaign_id=Campaign.objects.create(workspace=world.a, name="C").pk,
        )
    assert caught.value.errors == {
        "target": ["A target cannot be negative."],
        "end": ["A goal's period can cover at most 731 days."],
        "kpi": ["Follower figures belong to channels, not campaigns: choose another KPI."],
    }
    with pytest.raises(PermissionDenied):
        goal_save(
            actor=world.members["paid_media"], kpi_key="posts", target=1, start=START, end=END
        )
    assert not Goal.objects.exists()


def test_a_goal_keeps_its_kpi_version(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    g = goal(world, "engagements", 300)
    assert (g.kpi_key, g.kpi_version) == ("engagements", 1)
    v2 = Kpi("engagements", 2, "Engagements", "likes only", Unit.COUNT, lambda t: 0.0)
    monkeypatch.setattr(kpis, "_KPIS", [*kpis._KPIS, v2])
    monkeypatch.setattr(kpis, "_BY_REF", {**kpis._BY_REF, ("engagements", 2): v2})
    two_posts_a_day(world.a_channel)
    p = progress(g, today=TODAY)
    assert p.kpi.version == 1 and p.newer is v2 and p.value == 100.0
    html = world.client_for("analyst").get("/w/alpha/analytics/goals/").content.decode()
    assert "the registry now has engagements@v2; this goal is still measured with its own" in html
    g = goal_save(
        actor=world.members["analyst"],
        goal=g,
        kpi_key="engagements",
        target=5,
        start=START,
        end=END,
    )
    assert g.kpi_version == 1  # changing the target keeps the version


def test_the_goals_page_shows_status_forecast_and_advice(world: Any) -> None:
    today = datetime.now(WARSAW).date()
    for offset in range(10, 0, -1):
        day = today - timedelta(days=offset)
        for _ in range(2):
            read(published(world.a_channel, noon(day)), noon(day), likes=5)
    g = goal_save(
        actor=world.members["analyst"],
        kpi_key="posts",
        target=100,
        start=today - timedelta(days=10),
        end=today + timedelta(days=19),
    )
    r = world.client_for("paid_media").get("/w/alpha/analytics/goals/")
    html = r.content.decode()
    assert r.status_code == 200
    assert f'data-testid="goal-{g.pk}"' in html
    assert 'data-testid="goal-status">Off track<' in html
    assert "Publish 4.2 posts a day for the remaining 19 days." in html
    assert "New goal" not in html  # paid media sees, does not manage
    assert world.client_for("content_creator").get("/w/alpha/analytics/goals/").status_code == 403


def test_creating_a_goal_through_the_page(world: Any) -> None:
    client = world.client_for("analyst")
    data = {"kpi": "engagements", "target": "5000", "start": "2026-04-01", "end": "2026-04-30"}
    r = client.post("/w/alpha/analytics/goals/new/", {**data, "channel": world.a_channel.pk})
    assert r.status_code == 302 and r["Location"] == "/w/alpha/analytics/goals/"
    g = Goal.objects.get()
    assert (g.kpi_key, g.kpi_version, g.target, g.channel_id) == (
        "engagements",
        1,
        5000.0,
        world.a_channel.pk,
    )
    entry = AuditEntry.objects.filter(action="goal.saved").get()
    assert entry.data["kpi"] == "engagements@v1"
    r = client.post(f"/w/alpha/analytics/goals/{g.pk}/delete/")
    assert r.status_code == 302 and not Goal.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end": "2026-03-01"}, "The period ends before it starts."),
        ({"end": "2028-05-01"}, "A goal&#x27;s period can cover at most 731 days."),
        ({"target": "-5"}, "A target cannot be negative."),
        ({"target": "nan"}, "Enter the target as a number, like 5000 or 2.5."),
        ({"target": "1e400"}, "Enter the target as a number, like 5000 or 2.5."),
        ({"target": "1e13"}, "A target can be at most 1,000,000,000,000."),
        ({"kpi": "made_up"}, "Choose a KPI from the list."),
        ({"channel": "999999"}, "Choose a channel of this workspace."),
        ({"campaign": "999999"}, "Choose a campaign of this workspace."),
    ],
)
def test_a_bad_goal_is_explained(world: Any, change: dict[str, str], message: str) -> None:
    data = {"kpi": "posts", "target": "10", "start": "2026-04-01", "end": "2026-04-30"}
    r = world.client_for("analyst").post("/w/alpha/analytics/goals/new/", {**data, **change})
    assert r.status_code == 422
    assert message in r.content.decode()
    assert not Goal.objects.exists()


def test_another_workspaces_channel_or_goal_is_not_reachable(world: Any) -> None:
    client = world.client_for("owner")
    data = {"kpi": "posts", "target": "10", "start": "2026-04-01", "end": "2026-04-30"}
    r = client.post("/w/alpha/analytics/goals/new/", {**data, "channel": world.b_channel.pk})
    assert r.status_code == 422 and "Choose a channel of this workspace." in r.content.decode()
    theirs = goal_save(actor=world.b_owner, kpi_key="posts", target=1, start=START, end=END)
    assert client.get(f"/w/alpha/analytics/goals/{theirs.pk}/").status_code == 404
    assert client.post(f"/w/alpha/analytics/goals/{theirs.pk}/delete/").status_code == 404
    assert Goal.objects.filter(pk=theirs.pk).exists()
    r = world.client_for("paid_media").post("/w/alpha/analytics/goals/new/", data)
    assert r.status_code == 403 and not Goal.objects.filter(workspace=world.a).exists()
