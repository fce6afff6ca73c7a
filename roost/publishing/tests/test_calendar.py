"""The content calendar: month, week and list views in the workspace's zone, filters, moving
posts (drag and drop and the keyboard form), the query budget, and the ICS feed."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roost.channels.models import Channel
from roost.conftest import World, make_channel
from roost.core import clock
from roost.core.tokens import hash_secret
from roost.publishing.models import (
    CalendarFeed,
    Delivery,
    DeliveryStatus,
    Post,
    PostStatus,
)
from roost.publishing.services import calendar as calendar_services
from roost.publishing.services import campaigns as campaign_services
from roost.publishing.services import scheduling
from roost.publishing.services.compose import PostInput, post_compose
from roost.web.tests.browser import page  # noqa: F401  (fixture)
from roost.workspaces.models import AuditEntry, Membership

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
# A fixed "now": Monday 10 March 2031, 10:00 in Warsaw. April 2031 starts on a Tuesday, and
# Warsaw's clocks jump from 02:00 to 03:00 on 30 March 2031.
NOW = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime]:
    """Freeze Roost's clock; tests move it by assigning `now["at"]`."""
    state = {"at": NOW}
    monkeypatch.setattr(clock, "now", lambda: state["at"])
    return state


@pytest.fixture
def channels(world: World, now: Any) -> dict[str, Channel]:
    return {"main": make_channel(world.a, "Main"), "other": make_channel(world.a, "Other")}


def member(world: World, role: str = "owner") -> Membership:
    return world.members[role]


def compose(
    world: World,
    text: str,
    channels: list[Channel],
    at: datetime | None,
    role: str = "owner",
    **data: Any,
) -> Post:
    """A post through the real compose service; `at` is a wall time in Warsaw (None: draft)."""
    return post_compose(
        actor=member(world, role),
        data=PostInput(text=text, channel_ids=[c.pk for c in channels], **data),
        mode="at" if at else "draft",
        at=at,
    )


def cells(html: str) -> dict[str, str]:
    """The HTML following each `data-day` (and `data-hour`) marker, keyed "YYYY-MM-DD" or
    "YYYY-MM-DD@H", up to the next marker."""
    found: dict[str, str] = {}
    parts = re.split(r'data-day="([^"]*)"(?: data-hour="(\d+)")?', html)
    # re.split with two groups yields: text, day, hour, text, day, hour, text …
    for i in range(1, len(parts) - 2, 3):
        day, hour, text = parts[i], parts[i + 1], parts[i + 2]
        key = f"{day}@{hour}" if hour is not None else day
        found[key] = found.get(key, "") + text
    return found


def wall(*args: int) -> datetime:
    return datetime(*args)  # a wall-clock time, read in the workspace's zone


def aware(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


# --- the views ----------------------------------------------------------------------------


def test_month_places_posts_on_their_day_in_the_workspace_zone(
    world: World, channels: dict[str, Channel]
) -> None:
    main = channels["main"]
    late = compose(world, "Late on the first", [main], wall(2031, 4, 1, 23, 30))
    early = compose(world, "Just after midnight", [main], wall(2031, 4, 2, 0, 30))
    # 00:30 on Monday 31 March in Warsaw is still Sunday 30 March in UTC: the grid's first day.
    first = compose(world, "Grid first day", [main], wall(2031, 3, 31, 0, 30))
    assert late.scheduled_at == aware(2031, 4, 1, 23, 30)
    assert early.scheduled_at is not None and early.scheduled_at.astimezone(UTC).day == 1

    response = world.client_for("owner").get("/w/alpha/calendar/?month=2031-04")
    assert response.status_code == 200
    days = cells(response.content.decode())
    assert "Late on the first" in days["2031-04-01"]
    assert "23:30" in days["2031-04-01"]
    assert "Just after midnight" in days["2031-04-02"]
    assert "Just after midnight" not in days["2031-04-01"]
    assert "Grid first day" in days["2031-03-31"]
    assert "Grid first day" not in days.get("2031-03-30", "")
    assert f'href="/w/alpha/posts/{late.pk}/"' in days["2031-04-01"]
    assert "Sandbox" in days["2031-04-01"]
    assert "Scheduled" in days["2031-04-01"]
    assert first.pk != late.pk


def test_month_defaults_to_this_month_and_shows_the_workspace_zone(
    world: World, channels: dict[str, Channel]
) -> None:
    compose(world, "This month", [channels["main"]], wall(2031, 3, 20, 9, 0))
    response = world.client_for("owner").get("/w/alpha/calendar/")
    html = response.content.decode()
    assert "This month" in cells(html)["2031-03-20"]
    assert "Europe/Warsaw" in html
    assert 'aria-current="page">Month<' in html


def test_week_places_posts_in_their_day_and_hour(
    world: World, channels: dict[str, Channel]
) -> None:
    compose(world, "Tuesday late", [channels["main"]], wall(2031, 4, 1, 23, 30))
    compose(world, "Wednesday early", [channels["main"]], wall(2031, 4, 2, 0, 30))
    compose(world, "The week after", [channels["main"]], wall(2031, 4, 7, 9, 0))
    # Any day of the week finds its Monday.
    response = world.client_for("owner").get("/w/alpha/calendar/week/?week=2031-04-02")
    assert response.status_code == 200
    slots = cells(response.content.decode())
    assert "Tuesday late" in slots["2031-04-01@23"]
    assert "Wednesday early" in slots["2031-04-02@0"]
    assert "2031-03-31@0" in slots and "2031-04-06@23" in slots
    assert "The week after" not in response.content.decode()


def test_list_groups_by_day_with_recent_and_unscheduled(
    world: World, channels: dict[str, Channel], now: dict[str, datetime]
) -> None:
    main = channels["main"]
    compose(world, "Went out yesterday", [main], wall(2031, 3, 11, 8, 0))
    compose(world, "Coming up", [main], wall(2031, 3, 14, 12, 15))
    compose(world, "Only a draft", [main], None)
    now["at"] = NOW + timedelta(days=2)  # 12 March: the first post is now in the past
    response = world.client_for("owner").get("/w/alpha/calendar/list/")
    assert response.status_code == 200
    groups = cells(response.content.decode())
    assert "Went out yesterday" in groups["2031-03-11"]
    assert "Coming up" in groups["2031-03-14"]
    assert "12:15" in groups["2031-03-14"]
    assert "Only a draft" in groups["none"]
    assert "Not scheduled" in groups["none"]
    assert "Draft" in groups["none"]


def test_statuses_are_shown_as_badges(world: World, channels: dict[str, Channel]) -> None:
    main = channels["main"]
    cancelled = compose(world, "Called off", [main], wall(2031, 3, 12, 9, 0))
    scheduling.post_cancel(actor=member(world), post=cancelled)
    published = compose(world, "Out already", [main, channels["other"]], wall(2031, 3, 13, 9, 0))
    Delivery.objects.filter(post=published, channel=main).update(status=DeliveryStatus.PUBLISHED)
    Delivery.objects.filter(post=published).exclude(channel=main).update(
        status=DeliveryStatus.FAILED
    )
    scheduling.post_refresh_status([published.pk])
    html = world.client_for("owner").get("/w/alpha/calendar/?month=2031-03").content.decode()
    days = cells(html)
    assert 'class="badge badge-cancelled">Cancelled<' in days["2031-03-12"]
    assert 'class="badge badge-partial">Partly published<' in days["2031-03-13"]


def test_filters_combine_and_stay_on_links(world: World, channels: dict[str, Channel]) -> None:
    main, other = channels["main"], channels["other"]
    spring = campaign_services.campaign_save(actor=member(world), name="Spring", utm={})
    compose(world, "Main spring", [main], wall(2031, 3, 20, 9, 0), campaign_id=spring.pk)
    compose(world, "Other tagged", [other], wall(2031, 3, 20, 10, 0), tags=["launch"])
    compose(
        world,
        "Creator main",
        [main],
        wall(2031, 3, 21, 9, 0),
        role="content_creator",
        tags=["launch"],
    )
    compose(world, "Draft main", [main], None)
    client = world.client_for("owner")
    base = "/w/alpha/calendar/?month=2031-03"

    def shown(query: str) -> set[str]:
        html = client.get(f"{base}&{query}").content.decode()
        names = {"Main spring", "Other tagged", "Creator main"}
        return {n for n in names if n in html}

    assert shown(f"channel={main.pk}") == {"Main spring", "Creator main"}
    assert shown(f"campaign={spring.pk}") == {"Main spring"}
    assert shown("tag=launch") == {"Other tagged", "Creator main"}
    creator = member(world, "content_creator").user.pk
    assert shown(f"author={creator}") == {"Creator main"}
    assert shown(f"tag=launch&channel={main.pk}") == {"Creator main"}
    assert shown("status=draft") == set()
    assert shown("status=scheduled&tag=launch") == {"Other tagged", "Creator main"}
    # Nonsense is ignored, not an error.
    assert shown("channel=abc&status=nope") == {"Main spring", "Other tagged", "Creator main"}

    html = client.get(f"{base}&tag=launch&channel={main.pk}").content.decode()
    for view_link in ("month=2031-02&amp;", "month=2031-04&amp;", "week=2031-03-10&amp;"):
        assert view_link + f"channel={main.pk}&amp;tag=launch" in html
    assert f'<option value="{main.pk}" selected>' in html
    assert '<option value="launch" selected>' in html
    # The list view keeps them too, and the drafts section follows them.
    listed = client.get(f"/w/alpha/calendar/list/?status=draft&channel={main.pk}")
    assert "Draft main" in listed.content.decode()
    assert "Main spring" not in listed.content.decode()


def test_members_limited_to_some_channels_see_only_those_posts(
    world: World, channels: dict[str, Channel]
) -> None:
    compose(world, "On main", [channels["main"]], wall(2031, 3, 20, 9, 0))
    compose(world, "On other", [channels["other"]], wall(2031, 3, 20, 9, 0))
    analyst = member(world, "analyst")
    analyst.all_channels = False
    analyst.save()
    analyst.granted_channels.add(channels["main"])
    html = world.client_for("analyst").get("/w/alpha/calendar/").content.decode()
    assert "On main" in html
    assert "On other" not in html


@pytest.mark.parametrize(
    ("path", "shows_more"),
    [
        ("/w/alpha/calendar/", True),
        ("/w/alpha/calendar/week/?week=2031-03-17", True),
        ("/w/alpha/calendar/list/", False),
    ],
)
def test_a_fixed_number_of_queries(
    world: World, channels: dict[str, Channel], path: str, shows_more: bool
) -> None:
    client = world.client_for("owner")
    spring = campaign_services.campaign_save(actor=member(world), name="Spring", utm={})

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            compose(
                world,
                f"Post {i}",
                [channels["main"], channels["other"]],
                wall(2031, 3, 17 + i % 5, 8 + i % 10, 0),
                tags=[f"t{i % 3}", "all"],
                campaign_id=spring.pk,
            )
        compose(world, f"Draft {start}", [channels["main"]], None)

    def count() -> int:
        client.get(path)  # settle one-off writes (last workspace used)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add(3, 0)
    few = count()
    add(27, 3)
    html = client.get(path).content.decode()
    # The grids show a few posts per day (or hour) and count the rest; the list all 30.
    assert ('class="cal-more"' in html) is shows_more
    assert ("Post 29" in html) is not shows_more
    assert count() == few


# --- moving posts -------------------------------------------------------------------------


def test_drop_moves_the_post_and_answers_with_the_calendar(
    world: World, channels: dict[str, Channel]
) -> None:
    post = compose(world, "Move me", [channels["main"]], wall(2031, 4, 1, 23, 30))
    client = world.client_for("content_creator")
    before = AuditEntry.objects.filter(action="post.scheduled").count()
    response = client.post(
        f"/w/alpha/calendar/posts/{post.pk}/move/?view=month&month=2031-04&tag=",
        {"at": "2031-04-03T23:30"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="calendar"')
    assert "<html" not in html
    assert "Move me" in cells(html)["2031-04-03"]
    assert "Move me" not in cells(html)["2031-04-01"]
    assert 'data-testid="move-done"' in html
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 4, 3, 23, 30)
    assert post.status == PostStatus.SCHEDULED
    delivery = Delivery.objects.get(post=post)
    assert delivery.due_at == aware(2031, 4, 3, 23, 30)
    assert delivery.status == DeliveryStatus.SCHEDULED
    assert AuditEntry.objects.filter(action="post.scheduled").count() == before + 1


def test_drop_in_the_week_view_keeps_the_view_and_filters(
    world: World, channels: dict[str, Channel]
) -> None:
    main = channels["main"]
    post = compose(world, "Weekly", [main], wall(2031, 3, 18, 9, 15), tags=["x"])
    compose(world, "Not in filter", [channels["other"]], wall(2031, 3, 18, 9, 0))
    response = world.client_for("owner").post(
        f"/w/alpha/calendar/posts/{post.pk}/move/?view=week&week=2031-03-17&channel={main.pk}",
        {"at": "2031-03-19T14:15"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="calendar-week"' in html
    assert "Weekly" in cells(html)["2031-03-19@14"]
    assert "Not in filter" not in html
    assert f"channel={main.pk}" in html
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 19, 14, 15)


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("2031-03-09T10:00", "is in the past"),
        ("2031-03-30T02:30", "does not exist"),  # Warsaw's clocks jump from 02:00 to 03:00
        ("not-a-time", "Enter a date and a time"),
    ],
)
def test_a_refused_drop_says_why_and_changes_nothing(
    world: World, channels: dict[str, Channel], at: str, message: str
) -> None:
    post = compose(world, "Stay put", [channels["main"]], wall(2031, 3, 20, 9, 0))
    before = AuditEntry.objects.count()
    response = world.client_for("owner").post(
        f"/w/alpha/calendar/posts/{post.pk}/move/?view=month&month=2031-03",
        {"at": at},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert "Stay put" in cells(html)["2031-03-20"]
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 20, 9, 0)
    assert Delivery.objects.get(post=post).due_at == aware(2031, 3, 20, 9, 0)
    assert AuditEntry.objects.count() == before


def test_a_published_post_cannot_be_moved(world: World, channels: dict[str, Channel]) -> None:
    post = compose(world, "Gone out", [channels["main"]], wall(2031, 3, 20, 9, 0))
    Delivery.objects.filter(post=post).update(status=DeliveryStatus.PUBLISHED)
    scheduling.post_refresh_status([post.pk])
    client = world.client_for("owner")
    html = client.get("/w/alpha/calendar/?month=2031-03").content.decode()
    assert "Gone out" in html
    assert 'draggable="true"' not in html and "/move/" not in html
    response = client.post(
        f"/w/alpha/calendar/posts/{post.pk}/move/?view=month&month=2031-03",
        {"at": "2031-03-25T09:00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "already publishing or published" in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 20, 9, 0)


def test_drafts_are_not_moved_from_the_calendar(world: World, channels: dict[str, Channel]) -> None:
    draft = compose(world, "Still a draft", [channels["main"]], None)
    response = world.client_for("owner").post(
        f"/w/alpha/calendar/posts/{draft.pk}/move/",
        {"date": "2031-03-25", "time": "09:00"},
    )
    assert response.status_code == 422
    assert "Only scheduled posts can be moved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == PostStatus.DRAFT and draft.scheduled_at is None


def test_move_form_works_without_javascript(world: World, channels: dict[str, Channel]) -> None:
    post = compose(world, "Keyboard", [channels["main"]], wall(2031, 3, 20, 9, 45))
    client = world.client_for("owner")
    html = client.get("/w/alpha/calendar/?month=2031-03").content.decode()
    back = "/w/alpha/calendar/?month=2031-03"
    link = f"/w/alpha/calendar/posts/{post.pk}/move/?next=/w/alpha/calendar/%3Fmonth%3D2031-03"
    assert f'href="{link}"' in html

    form = client.get(link).content.decode()
    assert '<label for="move-date">' in form and 'id="move-date"' in form
    assert '<label for="move-time">' in form and 'value="09:45"' in form
    assert 'value="2031-03-20"' in form

    response = client.post(link, {"date": "2031-03-22", "time": "18:05", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 22, 18, 5)

    response = client.post(link, {"date": "2031-03-01", "time": "18:05", "next": back})
    assert response.status_code == 422
    assert "is in the past" in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 22, 18, 5)

    # Elsewhere is never a place to go back to.
    response = client.post(
        f"/w/alpha/calendar/posts/{post.pk}/move/",
        {"date": "2031-03-23", "time": "18:05", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/w/alpha/calendar/"


def test_members_without_compose_see_no_move_controls_and_cannot_move(
    world: World, channels: dict[str, Channel]
) -> None:
    post = compose(world, "Look only", [channels["main"]], wall(2031, 3, 20, 9, 0))
    owner_html = world.client_for("owner").get("/w/alpha/calendar/").content.decode()
    assert 'draggable="true"' in owner_html and "data-drop-date" in owner_html
    assert "/move/" in owner_html and "publishing/calendar_dnd.js" in owner_html

    client = world.client_for("analyst")
    for path in ("/w/alpha/calendar/", "/w/alpha/calendar/week/?week=2031-03-17"):
        html = client.get(path).content.decode()
        assert "Look only" in html
        controls = ("draggable", "data-drop-date", "data-move-url", "/move/", "calendar_dnd.js")
        for control in controls:
            assert control not in html, (path, control)
    before = AuditEntry.objects.count()
    response = client.post(
        f"/w/alpha/calendar/posts/{post.pk}/move/?view=month",
        {"at": "2031-03-25T09:00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 20, 9, 0)
    assert AuditEntry.objects.count() == before


def test_another_workspaces_post_cannot_be_moved(
    world: World, channels: dict[str, Channel]
) -> None:
    post = compose(world, "Alpha's", [channels["main"]], wall(2031, 3, 20, 9, 0))
    outsider = Client()
    outsider.force_login(world.b_owner.user)
    response = outsider.post(
        f"/w/{world.b.slug}/calendar/posts/{post.pk}/move/", {"at": "2031-03-25T09:00"}
    )
    assert response.status_code == 404
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 20, 9, 0)


def test_htmx_navigation_gets_the_partial(world: World, channels: dict[str, Channel]) -> None:
    client = world.client_for("owner")
    response = client.get("/w/alpha/calendar/?month=2031-05", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="calendar"')
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        "/w/alpha/calendar/?month=2031-05",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in restore.content.decode()


# --- the ICS feed -------------------------------------------------------------------------


def feed_address(client: Client) -> str:
    response = client.post("/w/alpha/calendar/feed/rotate/")
    assert response.status_code == 200
    match = re.search(r'value="(https?://[^"]+\.ics)"', response.content.decode())
    assert match, "the new address is shown"
    return match.group(1)


def test_ics_feed_lists_scheduled_and_published_posts(
    world: World, channels: dict[str, Channel], settings: Any
) -> None:
    settings.ROOST_BASE_URL = "https://roost.example"
    main, other = channels["main"], channels["other"]
    one = compose(world, "First post " + "x" * 100, [main, other], wall(2031, 4, 1, 23, 30))
    two = compose(world, "Second", [main], wall(2031, 3, 30, 3, 15))
    Delivery.objects.filter(post=two).update(status=DeliveryStatus.PUBLISHED)
    scheduling.post_refresh_status([two.pk])
    compose(world, "Draft, not in the feed", [main], None)

    url = feed_address(world.client_for("owner"))
    assert url.startswith("https://roost.example/ics/cal_")
    response = Client().get(url.removeprefix("https://roost.example"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {
        f"roost-post-{one.pk}@roost.example",
        f"roost-post-{two.pk}@roost.example",
    }

    first = events[f"roost-post-{one.pk}@roost.example"]
    start = first.decoded("dtstart")
    assert start == datetime(2031, 4, 1, 21, 30, tzinfo=UTC)
    assert start.utcoffset() == timedelta(0)
    assert b"DTSTART:20310401T213000Z" in response.content
    summary = str(first["summary"])
    assert summary.startswith("First post xxx") and len(summary) <= 60
    assert "Main (Sandbox), Other (Sandbox)" in str(first["description"])
    assert "Scheduled" in str(first["description"])
    assert str(first["url"]) == f"https://roost.example/w/alpha/posts/{one.pk}/"

    second = events[f"roost-post-{two.pk}@roost.example"]
    assert second.decoded("dtstart") == datetime(2031, 3, 30, 1, 15, tzinfo=UTC)
    assert "Published" in str(second["description"])
    assert "Draft, not in the feed" not in response.content.decode()

    # A moved post keeps its UID and carries its new time.
    scheduling.post_schedule(actor=member(world), post=one, mode="at", at=wall(2031, 4, 2, 8, 0))
    again = icalendar.Calendar.from_ical(Client().get(url).content)
    moved = {str(e["uid"]): e for e in again.walk("VEVENT")}[f"roost-post-{one.pk}@roost.example"]
    assert moved.decoded("dtstart") == datetime(2031, 4, 2, 6, 0, tzinfo=UTC)


def test_ics_unknown_token_is_not_found(world: World) -> None:
    for token in ("nope", "cal_nope", "inv_not-a-real-token"):
        assert Client().get(f"/ics/{token}.ics").status_code == 404


def test_rotating_invalidates_the_old_address_and_stores_only_a_hash(
    world: World, channels: dict[str, Channel]
) -> None:
    client = world.client_for("owner")
    html = client.get("/w/alpha/calendar/feed/").content.decode()
    assert "no feed address yet" in html
    old = feed_address(client)
    secret = old.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(workspace=world.a)
    assert feed.token_hash == hash_secret(secret)
    assert secret not in feed.token_hash
    html = client.get("/w/alpha/calendar/feed/").content.decode()
    assert secret not in html and "A feed address exists" in html
    assert Client().get(old).status_code == 200

    new = feed_address(world.client_for("admin"))
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.filter(workspace=world.a).count() == 1
    actions = list(
        AuditEntry.objects.filter(action__startswith="calendar_feed.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["calendar_feed.created", "calendar_feed.rotated"]


def test_only_settings_managers_rotate_the_feed(world: World) -> None:
    client = world.client_for("content_creator")
    html = client.get("/w/alpha/calendar/feed/").content.decode()
    assert "/calendar/feed/rotate/" not in html
    assert client.post("/w/alpha/calendar/feed/rotate/").status_code == 403
    assert not CalendarFeed.objects.exists()


def test_feed_of_one_workspace_shows_only_its_posts(
    world: World, channels: dict[str, Channel]
) -> None:
    compose(world, "Alpha post", [channels["main"]], wall(2031, 3, 20, 9, 0))
    secret = calendar_services.calendar_feed_rotate(actor=world.b_owner)
    body = Client().get(f"/ics/{secret}.ics").content.decode()
    assert "BEGIN:VCALENDAR" in body
    assert "Alpha post" not in body


# --- in a real browser --------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_drag_and_drop_and_keyboard_move_in_a_browser(
    live_server: Any,
    page: Any,  # noqa: F811
    world: World,
    channels: dict[str, Channel],
) -> None:
    from playwright.sync_api import expect

    from roost.conftest import PASSWORD

    post = compose(world, "Drag me along", [channels["main"]], wall(2031, 3, 20, 9, 45))
    # Tall enough that a drag never needs the page to scroll.
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.goto(f"{live_server.url}/login/?next=/w/alpha/calendar/%3Fmonth%3D2031-03")
    page.get_by_label("E-mail address").fill(member(world).user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    calendar = page.locator("#calendar")
    expect(calendar.locator('[data-day="2031-03-20"]')).to_contain_text("Drag me along")

    # Drop on another day: same time of day, new date; the calendar comes back re-drawn.
    card = calendar.locator(f'[data-post="{post.pk}"]')
    card.drag_to(calendar.locator('td[data-day="2031-03-26"]'))
    expect(calendar.get_by_test_id("move-done")).to_be_visible()
    expect(page.locator('#calendar td[data-day="2031-03-26"]')).to_contain_text("Drag me along")
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 26, 9, 45)

    # A day in the past: refused in words, and the post stays.
    card = page.locator(f'#calendar [data-post="{post.pk}"]')
    card.drag_to(page.locator('#calendar td[data-day="2031-03-03"]'))
    expect(page.get_by_test_id("move-error")).to_contain_text("is in the past")
    expect(page.locator('#calendar td[data-day="2031-03-26"]')).to_contain_text("Drag me along")

    # The week view: a day and an hour; the minutes stay.
    # Each swap is waited for: a click on the old calendar's link would count twice.
    page.locator("#calendar").get_by_role("link", name="Week", exact=True).click()
    expect(page.locator('#calendar td[data-day="2031-03-10"][data-hour="9"]')).to_be_attached()
    page.locator("#calendar").get_by_role("link", name="Next week →").click()
    expect(page.locator('#calendar td[data-day="2031-03-17"][data-hour="9"]')).to_be_attached()
    page.locator("#calendar").get_by_role("link", name="Next week →").click()
    expect(page.locator('#calendar td[data-day="2031-03-26"][data-hour="9"]')).to_contain_text(
        "Drag me along"
    )
    card = page.locator(f'#calendar [data-post="{post.pk}"]')
    card.drag_to(page.locator('#calendar td[data-day="2031-03-27"][data-hour="15"]'))
    expect(page.locator('#calendar td[data-day="2031-03-27"][data-hour="15"]')).to_contain_text(
        "Drag me along"
    )
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 27, 15, 45)

    # The keyboard way: the Move link, a labelled form, and back to the same view.
    page.locator(f'#calendar [data-post="{post.pk}"]').get_by_role("link", name="Move").focus()
    page.keyboard.press("Enter")
    page.get_by_label("New date").fill("2031-03-28")
    page.get_by_label("New time").fill("07:10")
    page.get_by_label("New time").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Post moved to")
    assert "week=2031-03-24" in page.url
    post.refresh_from_db()
    assert post.scheduled_at == aware(2031, 3, 28, 7, 10)
