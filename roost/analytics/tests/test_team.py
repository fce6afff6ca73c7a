"""The team report: business-hour durations, percentiles, what counts as handled (and what
rules did, which does not), the page, its CSV and the API."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from roost.analytics.exports import csv_text, safe_cell
from roost.analytics.selectors import Period
from roost.analytics.team import BusinessClock, Durations, team_report
from roost.conftest import make_channel, token_for
from roost.core import clock
from roost.inbox.models import InboxRule, InboxSettings, Message, MessageStatus
from roost.inbox.services.ingest import ingest
from roost.inbox.services.sla import business_seconds
from roost.inbox.services.triage import message_set_status
from roost.networks.base import Inbound, InboundKind, InboxPage

NINE_TO_FIVE = {str(d): ["09:00", "17:00"] for d in range(5)}
WARSAW = "Europe/Warsaw"  # UTC+1 in winter; workspace A's zone
PERIOD = Period(date(2026, 11, 27), date(2026, 12, 1))  # Fri 27 Nov … Tue 1 Dec


def w(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock moment in Warsaw in late 2026, as UTC (winter: UTC+1)."""
    month, d = (11, day) if day > 1 else (12, day)
    return datetime(2026, month, d, hour - 1, minute, tzinfo=UTC)


# --- business hours ---------------------------------------------------------------------


def _clock(start: datetime, end: datetime, tz: str = WARSAW) -> BusinessClock:
    return BusinessClock(NINE_TO_FIVE, tz, start, end)


def test_a_weekend_is_not_counted() -> None:
    # Friday 16:00 → Monday 10:00: one hour on Friday, one on Monday.
    got, answered = w(27, 16), w(30, 10)
    assert _clock(got, answered).seconds(got, answered) == 2 * 3600


def test_the_night_is_not_counted() -> None:
    # Monday 16:30 → Tuesday 09:30: half an hour each side of the night.
    got, done = w(30, 16, 30), w(1, 9, 30)
    assert _clock(got, done).seconds(got, done) == 3600


def test_outside_hours_start_and_end_count_from_opening_to_closing() -> None:
    # Saturday 12:00 → Monday 20:00: all of Monday's eight hours.
    got, done = w(28, 12), w(30, 20)
    assert _clock(got, done).seconds(got, done) == 8 * 3600


def test_hours_are_in_the_workspaces_zone() -> None:
    # 07:30–08:30 UTC on a Tuesday: 08:30–09:30 in Warsaw (half an hour after opening),
    # before opening in UTC.
    start = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
    end = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert _clock(start, end, WARSAW).seconds(start, end) == 1800
    assert _clock(start, end, "UTC").seconds(start, end) == 0


def test_without_business_hours_every_hour_counts() -> None:
    got, done = w(27, 16), w(30, 10)
    assert BusinessClock({}, WARSAW, got, done).seconds(got, done) == 66 * 3600


def test_an_end_before_the_start_is_zero() -> None:
    got = w(30, 10)
    assert _clock(got, got).seconds(got, got - timedelta(hours=1)) == 0


def test_the_clock_agrees_with_the_inbox_sla_across_a_summer_time_change() -> None:
    # Warsaw moved its clocks on 29 March 2026; random pairs around it and elsewhere.
    rng = random.Random(12)
    base = datetime(2026, 3, 20, tzinfo=UTC)
    pairs = []
    for _i in range(300):
        a = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        pairs.append((a, a + timedelta(minutes=rng.randrange(0, 60 * 24 * 6))))
    hours = {**NINE_TO_FIVE, "5": ["10:00", "14:30"]}
    c = BusinessClock(hours, WARSAW, base, base + timedelta(days=30))
    for a, b in pairs:
        assert c.seconds(a, b) == pytest.approx(business_seconds(a, b, hours, WARSAW)), (a, b)


def test_median_and_p90_are_nearest_rank() -> None:
    assert Durations.of([240.0, 60.0, 180.0, 120.0]) == Durations(4, 120.0, 240.0)
    ten = [float(i) for i in range(1, 11)]
    assert Durations.of(ten) == Durations(10, 5.0, 9.0)
    assert Durations.of([]) == Durations(0, None, None)


# --- the report -------------------------------------------------------------------------


def _received(
    channel: Any, rid: str, at: datetime, text: str = "Hello", monkeypatch: Any = None
) -> Message:
    """An incoming item stored by ingestion (so the workspace's rules run) at `at`."""
    monkeypatch.setattr(clock, "now", lambda: at)
    ingest(
        channel,
        InboxPage(
            items=(
                Inbound(
                    remote_id=rid,
                    kind=InboundKind.MENTION,
                    text=text,
                    created_at=at,
                    author_id="u-1",
                    author_handle="kasia.sandbox",
                    author_name="Kasia",
                ),
            )
        ),
    )
    return Message.objects.get(channel=channel, remote_id=rid)


def _replied(message: Message, by: Any, at: datetime) -> Message:
    """Our reply, stored as the reply service stores it after the network accepted it
    (sending needs a network; the measurement starts from what is stored)."""
    sent = Message.objects.create(
        workspace=message.workspace,
        channel=message.channel,
        conversation=message.conversation,
        remote_id=f"out-{uuid.uuid4().hex[:10]}",
        kind=message.kind,
        outgoing=True,
        author_id=message.channel.remote_id,
        sent_by=by,
        text="Thanks!",
        parent_remote_id=message.remote_id,
        sent_at=at,
        received_at=at,
        status=MessageStatus.COMPLETE,
    )
    Message.objects.filter(
        conversation=message.conversation,
        outgoing=False,
        first_response_at__isnull=True,
        received_at__lte=at,
    ).update(first_response_at=at)
    return sent


def _complete(message: Message, by: Any, at: datetime, monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: at)
    message_set_status(actor=by, message=message, complete=True)


@pytest.fixture
def desk(world: Any, monkeypatch: Any) -> dict[str, Any]:
    """Workspace A with nine-to-five hours, four items and two people answering."""
    InboxSettings.objects.update_or_create(
        workspace=world.a, defaults={"business_hours": NINE_TO_FIVE}
    )
    InboxRule.objects.create(
        workspace=world.a, name="Spam", when={"keywords": ["casino"]}, then={"complete": True}
    )
    owner, care = world.members["owner"], world.members["customer_care"]
    ch = world.a_channel
    m1 = _received(ch, "t-1", w(27, 16), monkeypatch=monkeypatch)  # Friday afternoon
    m2 = _received(ch, "t-2", w(30, 9), monkeypatch=monkeypatch)
    m3 = _received(ch, "t-3", w(30, 11), "Win at the casino", monkeypatch=monkeypatch)
    m4 = _received(ch, "t-4", w(30, 10), monkeypatch=monkeypatch)  # nobody acts on it
    _replied(m1, owner, w(30, 10))
    _complete(m1, owner, w(30, 10), monkeypatch)
    _replied(m2, care, w(30, 9, 30))
    _complete(m2, care, w(1, 9, 30), monkeypatch)
    monkeypatch.undo()
    return {"m": [m1, m2, m3, m4], "owner": owner, "care": care}


def _person(report: Any, email: str) -> Any:
    return next(p for p in report.people if p.email == email)


def test_the_report_measures_people_and_channels_in_business_hours(
    world: Any, desk: dict[str, Any]
) -> None:
    assert Message.objects.get(pk=desk["m"][2].pk).status == MessageStatus.COMPLETE  # the rule
    report = team_report(world.a, PERIOD)

    assert report.received == 4
    owner = _person(report, "owner@alpha.test")
    assert owner.first_response == Durations(1, 7200.0, 7200.0)  # Fri 16:00 → Mon 10:00
    assert owner.completion == Durations(1, 7200.0, 7200.0)
    care = _person(report, "customer_care@alpha.test")
    assert care.first_response == Durations(1, 1800.0, 1800.0)
    assert care.completion == Durations(1, 30600.0, 30600.0)  # Mon 09:00 → Tue 09:30
    # The rule's completion is nobody's: two completions in all, not three.
    assert report.completion == Durations(2, 7200.0, 30600.0)
    assert report.first_response == Durations(2, 1800.0, 7200.0)
    [channel] = report.channels
    assert (channel.name, channel.received) == ("Alpha Sandbox", 4)
    assert channel.first_response == Durations(2, 1800.0, 7200.0)
    assert channel.completion == Durations(2, 7200.0, 30600.0)
    assert report.business_hours == NINE_TO_FIVE


def test_items_handled_per_person_per_day(world: Any, desk: dict[str, Any]) -> None:
    report = team_report(world.a, PERIOD)
    owner, care = desk["owner"].user_id, desk["care"].user_id
    # The owner answered and completed m1 on Monday: one item, not two. Customer care
    # answered m2 on Monday and completed it on Tuesday: one item each day.
    assert report.days == [
        (date(2026, 11, 30), {owner: 1, care: 1}),
        (date(2026, 12, 1), {care: 1}),
    ]
    assert _person(report, "owner@alpha.test").handled == 1
    assert _person(report, "customer_care@alpha.test").handled == 2
    assert _person(report, "customer_care@alpha.test").per_day(PERIOD.days) == 0.4
    # Members who answer the inbox are listed even with nothing handled.
    assert _person(report, "sales@alpha.test").handled == 0


def test_rule_only_actions_are_left_out(world: Any, monkeypatch: Any) -> None:
    InboxRule.objects.create(
        workspace=world.a,
        name="Route and finish",
        when={"keywords": ["casino"]},
        then={"complete": True, "member": world.members["customer_care"].pk},
    )
    _received(world.a_channel, "r-1", w(30, 11), "casino", monkeypatch=monkeypatch)
    monkeypatch.undo()
    report = team_report(world.a, PERIOD)
    assert report.received == 1
    assert report.completion == Durations(0, None, None)
    assert report.days == []
    assert all(p.handled == 0 for p in report.people)


def test_another_workspace_is_never_counted(world: Any, desk: dict[str, Any]) -> None:
    report = team_report(world.b, PERIOD)
    assert report.received == 0 and report.days == [] and report.channels == []


def test_the_report_takes_a_fixed_number_of_queries(
    world: Any, desk: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    other = make_channel(world.a, "Second")
    InboxSettings.objects.filter(workspace=world.a).update(business_hours={})
    with django_assert_max_num_queries(6):
        team_report(world.a, PERIOD)
    assert other.pk


# --- CSV --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Anna", "Anna"),
        ("a=b", "a=b"),
        (-2.5, -2.5),
        (None, ""),
    ],
)
def test_spreadsheet_formulas_are_escaped(value: Any, cell: Any) -> None:
    assert safe_cell(value) == cell


def test_csv_text_escapes_every_cell() -> None:
    assert csv_text([["=1+1", 3, "ok"]]) == "'=1+1,3,ok\r\n"


# --- the page and its export --------------------------------------------------------------

URL = "/w/alpha/analytics/team/?range=custom&start=2026-11-27&end=2026-12-01"
CSV_URL = "/w/alpha/analytics/team.csv?range=custom&start=2026-11-27&end=2026-12-01"


def test_the_page_shows_the_report(world: Any, desk: dict[str, Any]) -> None:
    response = world.client_for("analyst").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="team-fr-median">30 min<' in html
    assert 'data-testid="team-tc-median">2 h 0 min<' in html
    assert "Mon 09:00–17:00" in html
    assert 'data-testid="team-csv"' in html


def test_who_may_see_and_export(world: Any, desk: dict[str, Any]) -> None:
    assert world.client_for("content_creator").get(URL).status_code == 403
    assert world.client_for("customer_care").get(URL).status_code == 403
    assert world.client_for("content_creator").get(CSV_URL).status_code == 403
    assert world.client_for("paid_media").get(URL).status_code == 200


def test_a_bad_period_is_explained(world: Any) -> None:
    r = world.client_for("analyst").get(
        "/w/alpha/analytics/team/?range=custom&start=2026-05-01&end=2026-04-01"
    )
    assert r.status_code == 200
    assert "The period ends before it starts." in r.content.decode()


def test_the_csv_escapes_names(world: Any, desk: dict[str, Any]) -> None:
    user = desk["care"].user
    user.name = '=HYPERLINK("http://evil.example")'
    user.save()
    response = world.client_for("analyst").get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("scope,name,day,first_responses")
    assert 'person,"\'=HYPERLINK(""http://evil.example"")",,1,0.5,0.5,1,8.5,8.5,2,0.4' in lines
    assert "person,Alpha Owner,,1,2.0,2.0,1,2.0,2.0,1,0.2" in lines
    assert "day,Alpha Owner,2026-11-30,,,,,,,1," in lines
    assert "channel,Alpha Sandbox,,2,0.5,2.0,2,2.0,8.5,," in lines


# --- API --------------------------------------------------------------------------------


def _api(world: Any, path: str, role: str = "analyst") -> Any:
    from django.test import Client

    secret = token_for(world.members[role], ["read"])
    return Client().get(f"/api/v1/workspaces/alpha/{path}", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_team_report(world: Any, desk: dict[str, Any]) -> None:
    r = _api(world, "analytics/team?start=2026-11-27&end=2026-12-01")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["period"] == {"start": "2026-11-27", "end": "2026-12-01", "days": 5}
    assert body["timezone"] == WARSAW
    assert body["received"] == 4
    assert body["first_response"] == {"count": 2, "median_seconds": 1800.0, "p90_seconds": 7200.0}
    care = next(p for p in body["people"] if p["email"] == "customer_care@alpha.test")
    assert care["handled"] == 2 and care["handled_per_day"] == 0.4
    assert care["completion"]["median_seconds"] == 30600.0
    assert {"day": "2026-12-01", "email": "customer_care@alpha.test", "handled": 1} in body["days"]
    assert body["channels"][0]["channel"]["name"] == "Alpha Sandbox"


def test_the_api_refuses_roles_and_bad_periods(world: Any) -> None:
    assert _api(world, "analytics/team", role="customer_care").status_code == 403
    assert _api(world, "analytics/team?start=2026-11-27").status_code == 422
    assert _api(world, "analytics/team?start=2026-11-27&end=2026-11-01").status_code == 422
    assert _api(world, "analytics/team?start=0001-01-01&end=2026-11-01").status_code == 422
    assert _api(world, "analytics/metrics?days=0").status_code == 422
    assert _api(world, "analytics/metrics?days=100000").status_code == 422


def test_the_overview_links_to_the_team_report(world: Any) -> None:
    html = world.client_for("analyst").get("/w/alpha/analytics/").content.decode()
    assert 'href="/w/alpha/analytics/team/" data-testid="to-team"' in html
