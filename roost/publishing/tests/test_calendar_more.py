"""The calendar as the work grows: a few light cards per day (month) or hour (week) and
"+N more", the rest of a day on demand (a page of its own, or cards for htmx), the list in
pages, hours cut right across clock changes, and a query count that does not follow the
number of posts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roost.channels.models import Channel
from roost.conftest import World, make_channel
from roost.core import clock
from roost.publishing import calendar_views
from roost.publishing.models import Post
from roost.publishing.tests.test_calendar import NOW, WARSAW, cells, compose, member, wall
from roost.web.tests.browser import page  # noqa: F401  (fixture)

DAY = "/w/alpha/calendar/day/2031-03-20/"


@pytest.fixture
def chans(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, Channel]:
    """Two channels of workspace A, with Roost's clock at test_calendar's NOW."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return {"main": make_channel(world.a, "Main"), "other": make_channel(world.a, "Other")}


def cards_in(html: str) -> list[str]:
    """The text of each card, in order."""
    return re.findall(r'<a class="cal-text" href="[^"]+">([^<]*)</a>', html)


def busy_day(world: World, main: Channel, count: int = 5) -> list[Post]:
    """`count` posts on 20 March 2031, an hour apart from 09:00 (created out of order)."""
    made = [compose(world, f"Busy {i}", [main], wall(2031, 3, 20, 9 + i, 0)) for i in range(count)]
    return made


# --- the month and week grids --------------------------------------------------------------


def test_month_shows_a_few_posts_a_day_and_counts_the_rest(
    world: World, chans: dict[str, Channel]
) -> None:
    main = chans["main"]
    # Created last, planned first: the cards are the day's first by time, not by creation.
    busy_day(world, main)
    compose(world, "Early bird", [main], wall(2031, 3, 20, 7, 0))
    compose(world, "Quiet day", [main], wall(2031, 3, 21, 9, 0))

    html = world.client_for("owner").get("/w/alpha/calendar/?month=2031-03").content.decode()
    days = cells(html)
    busy = days["2031-03-20"]
    assert calendar_views.MONTH_CARDS == 3
    assert cards_in(busy) == ["Early bird", "Busy 0", "Busy 1"]
    assert busy.count('class="cal-card ') == 3
    assert "Busy 2" not in html and "Busy 4" not in html
    assert '<li class="cal-more">' in busy and ">+3 more<" in busy
    # Without JavaScript the day's page; with htmx the three cards not shown, in place.
    assert 'href="/w/alpha/calendar/day/2031-03-20/"' in busy
    assert 'hx-get="/w/alpha/calendar/day/2031-03-20/?skip=3&amp;grid=1"' in busy
    assert cards_in(days["2031-03-21"]) == ["Quiet day"]
    assert "cal-more" not in days["2031-03-21"]


def test_the_count_of_more_follows_the_filters(world: World, chans: dict[str, Channel]) -> None:
    main, other = chans["main"], chans["other"]
    busy_day(world, main)
    compose(world, "Other one", [other], wall(2031, 3, 20, 8, 0))
    client = world.client_for("owner")
    everything = cells(client.get("/w/alpha/calendar/?month=2031-03").content.decode())
    assert ">+3 more<" in everything["2031-03-20"]
    html = client.get(f"/w/alpha/calendar/?month=2031-03&channel={main.pk}").content.decode()
    day = cells(html)["2031-03-20"]
    assert cards_in(day) == ["Busy 0", "Busy 1", "Busy 2"]
    assert ">+2 more<" in day
    assert f"?skip=3&amp;grid=1&amp;channel={main.pk}" in day
    html = client.get(f"/w/alpha/calendar/?month=2031-03&channel={other.pk}").content.decode()
    assert cards_in(cells(html)["2031-03-20"]) == ["Other one"]
    assert "cal-more" not in cells(html)["2031-03-20"]


def test_week_shows_a_few_posts_an_hour_and_counts_the_rest(
    world: World, chans: dict[str, Channel]
) -> None:
    main = chans["main"]
    for minute in (45, 0, 30, 15):
        compose(world, f"At 9:{minute:02d}", [main], wall(2031, 3, 18, 9, minute))
    compose(world, "At ten", [main], wall(2031, 3, 18, 10, 0))
    html = world.client_for("owner").get("/w/alpha/calendar/week/?week=2031-03-17")
    slots = cells(html.content.decode())
    nine = slots["2031-03-18@9"]
    assert calendar_views.WEEK_CARDS == 2
    assert cards_in(nine) == ["At 9:00", "At 9:15"]
    assert ">+2 more<" in nine
    assert 'hx-get="/w/alpha/calendar/day/2031-03-18/?skip=2&amp;hour=9&amp;grid=1"' in nine
    assert cards_in(slots["2031-03-18@10"]) == ["At ten"]
    assert "cal-more" not in slots["2031-03-18@10"]


def test_cards_are_light(world: World, chans: dict[str, Channel]) -> None:
    """Time, status, a short excerpt cut on the server, the channels, a Move link: no full
    text, no per-card lookups."""
    long_text = "word " * 50
    compose(world, long_text.strip(), [chans["main"], chans["other"]], wall(2031, 3, 20, 9))
    html = world.client_for("owner").get("/w/alpha/calendar/?month=2031-03").content.decode()
    day = cells(html)["2031-03-20"]
    (excerpt,) = cards_in(day)
    assert len(excerpt) <= calendar_views.EXCERPT and excerpt.endswith("…")
    assert "word " * 20 not in day
    assert "Main (Sandbox), Other (Sandbox)" in day
    assert '<time datetime="2031-03-20T09:00:00+01:00">09:00</time>' in day
    assert 'draggable="true"' in day and 'class="cal-move"' in day


# --- one day, on demand --------------------------------------------------------------------


def test_the_rest_of_a_day_comes_as_cards_for_htmx(world: World, chans: dict[str, Channel]) -> None:
    busy_day(world, chans["main"])
    client = world.client_for("owner")
    response = client.get(f"{DAY}?skip=3&grid=1", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<li>")
    assert "<html" not in html and "cal-nav" not in html
    assert cards_in(html) == ["Busy 3", "Busy 4"]
    assert html.count('draggable="true"') == 2  # they land in the grid
    assert "cal-more" not in html
    assert "HX-Request" in response["Vary"]

    # One hour of the day (the week's cell).
    html = client.get(f"{DAY}?hour=10&grid=1", HTTP_HX_REQUEST="true").content.decode()
    assert cards_in(html) == ["Busy 1"]


def test_a_day_page_works_without_javascript(
    world: World, chans: dict[str, Channel], monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_day(world, chans["main"])
    compose(world, "The next day", [chans["main"]], wall(2031, 3, 21, 9))
    client = world.client_for("owner")
    html = client.get(DAY).content.decode()
    assert "<html" in html
    assert cards_in(html) == [f"Busy {i}" for i in range(5)]
    assert "The next day" not in html
    assert 'draggable="true"' not in html  # nothing to drop on here: the Move links do it
    assert html.count('class="cal-move"') == 5
    assert "?next=/w/alpha/calendar/day/2031-03-20/" in html
    assert 'href="/w/alpha/calendar/day/2031-03-21/"' in html
    assert 'href="/w/alpha/calendar/?month=2031-03"' in html
    assert "1\N{EN DASH}5 of 5 posts" in html

    # A busy day comes in pages: a link (and htmx) to what follows, and back.
    monkeypatch.setattr(calendar_views, "DAY_PAGE", 2)
    html = client.get(DAY).content.decode()
    assert cards_in(html) == ["Busy 0", "Busy 1"]
    assert ">+3 more<" in html
    assert 'href="/w/alpha/calendar/day/2031-03-20/?skip=2"' in html
    assert 'hx-get="/w/alpha/calendar/day/2031-03-20/?skip=2"' in html
    html = client.get(f"{DAY}?skip=2").content.decode()
    assert cards_in(html) == ["Busy 2", "Busy 3"]
    assert "3\N{EN DASH}4 of 5 posts" in html
    assert 'href="/w/alpha/calendar/day/2031-03-20/?skip=0"' in html  # earlier
    html = client.get(f"{DAY}?skip=2", HTTP_HX_REQUEST="true").content.decode()
    assert cards_in(html) == ["Busy 2", "Busy 3"]
    assert 'hx-get="/w/alpha/calendar/day/2031-03-20/?skip=4"' in html


def test_a_day_keeps_the_filters_and_the_members_channels(
    world: World, chans: dict[str, Channel]
) -> None:
    main, other = chans["main"], chans["other"]
    compose(world, "On main", [main], wall(2031, 3, 20, 9))
    compose(world, "On other", [other], wall(2031, 3, 20, 10))
    client = world.client_for("owner")
    html = client.get(f"{DAY}?channel={other.pk}").content.decode()
    assert cards_in(html) == ["On other"]
    assert f'href="/w/alpha/calendar/day/2031-03-21/?channel={other.pk}"' in html
    assert "Clear filters" in html

    analyst = member(world, "analyst")
    analyst.all_channels = False
    analyst.save()
    analyst.granted_channels.add(main)
    html = world.client_for("analyst").get(DAY).content.decode()
    assert cards_in(html) == ["On main"]
    assert "cal-move" not in html  # an analyst may look, not move


def test_a_day_is_for_members_who_see_content(world: World, chans: dict[str, Channel]) -> None:
    compose(world, "Alpha's day", [chans["main"]], wall(2031, 3, 20, 9))
    outsider = Client()
    outsider.force_login(world.b_owner.user)
    for path in (DAY, f"{DAY}?skip=0&grid=1"):
        response = outsider.get(path, HTTP_HX_REQUEST="true")
        assert response.status_code == 404
        assert "Alpha's day" not in response.content.decode()
    # Another workspace's address shows that workspace's posts only, and never A's.
    response = outsider.get(f"/w/{world.b.slug}/calendar/day/2031-03-20/")
    assert response.status_code == 200
    assert "Alpha's day" not in response.content.decode()

    response = world.client_for("customer_care").get(DAY)
    assert response.status_code == 403
    assert "Alpha's day" not in response.content.decode()
    assert Client().get(DAY).status_code == 302  # to the login page


@pytest.mark.parametrize(
    "path",
    [
        "/w/alpha/calendar/day/2031-02-30/",
        "/w/alpha/calendar/day/20310320/",
        "/w/alpha/calendar/day/1999-12-31/",
        "/w/alpha/calendar/day/today/",
    ],
)
def test_a_day_that_is_not_a_day_is_not_found(world: World, path: str) -> None:
    response = world.client_for("owner").get(path)
    assert response.status_code == 404
    assert "use a date like 2031-03-20" in response.content.decode()


def test_unreadable_hour_and_skip_are_ignored(world: World, chans: dict[str, Channel]) -> None:
    busy_day(world, chans["main"], count=2)
    client = world.client_for("owner")
    for query in ("hour=24", "hour=-1", "hour=٣", "skip=x", "skip=-2", "skip=" + "9" * 30):
        response = client.get(f"{DAY}?{query}")
        assert response.status_code == 200, query
        assert cards_in(response.content.decode()) == ["Busy 0", "Busy 1"], query


# --- the list in pages ---------------------------------------------------------------------


def test_the_list_comes_in_pages(
    world: World, chans: dict[str, Channel], monkeypatch: pytest.MonkeyPatch
) -> None:
    main = chans["main"]
    busy_day(world, main)
    compose(world, "A draft", [main], None)
    monkeypatch.setattr(calendar_views, "LIST_PAGE", 4)
    client = world.client_for("owner")
    base = "/w/alpha/calendar/list/?start=2031-03-15"
    html = client.get(base).content.decode()
    assert cards_in(html) == ["Busy 0", "Busy 1", "Busy 2", "Busy 3"]
    assert "Posts 1\N{EN DASH}4 of 7" in html
    assert 'href="/w/alpha/calendar/list/?start=2031-03-15&amp;skip=4"' in html
    html = client.get(f"{base}&skip=4").content.decode()
    # Posts without a time come last (the world's own draft, then this one).
    assert cards_in(html) == ["Busy 4", "Alpha news", "A draft"]
    assert "Posts 5\N{EN DASH}7 of 7" in html
    assert 'href="/w/alpha/calendar/list/?start=2031-03-15&amp;skip=0"' in html


# --- clock changes -------------------------------------------------------------------------


def test_hours_and_days_are_cut_in_the_workspace_zone_across_clock_changes(
    world: World, chans: dict[str, Channel]
) -> None:
    main = chans["main"]
    # 30 March 2031: Warsaw skips from 02:00 to 03:00.
    compose(world, "Spring 01:30", [main], wall(2031, 3, 30, 1, 30))
    compose(world, "Spring 03:30", [main], wall(2031, 3, 30, 3, 30))
    # 26 October 2031: 02:00 to 03:00 happens twice; one post in each.
    summer = compose(world, "Autumn first 02:30", [main], wall(2031, 10, 26, 1, 0))
    winter = compose(world, "Autumn second 02:30", [main], wall(2031, 10, 26, 1, 0))
    Post.objects.filter(pk=summer.pk).update(
        scheduled_at=datetime(2031, 10, 26, 2, 30, tzinfo=WARSAW)
    )
    Post.objects.filter(pk=winter.pk).update(
        scheduled_at=datetime(2031, 10, 26, 2, 30, fold=1, tzinfo=WARSAW)
    )
    assert Post.objects.get(pk=winter.pk).scheduled_at == datetime(2031, 10, 26, 1, 30, tzinfo=UTC)
    compose(world, "Autumn 03:10", [main], wall(2031, 10, 26, 3, 10))
    client = world.client_for("owner")

    spring = cells(client.get("/w/alpha/calendar/week/?week=2031-03-30").content.decode())
    assert cards_in(spring["2031-03-30@1"]) == ["Spring 01:30"]
    assert cards_in(spring["2031-03-30@2"]) == []
    assert cards_in(spring["2031-03-30@3"]) == ["Spring 03:30"]

    autumn = cells(client.get("/w/alpha/calendar/week/?week=2031-10-26").content.decode())
    assert cards_in(autumn["2031-10-26@2"]) == ["Autumn first 02:30", "Autumn second 02:30"]
    assert cards_in(autumn["2031-10-26@3"]) == ["Autumn 03:10"]
    html = client.get(
        "/w/alpha/calendar/day/2031-10-26/?hour=2", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert cards_in(html) == ["Autumn first 02:30", "Autumn second 02:30"]

    month = cells(client.get("/w/alpha/calendar/?month=2031-10").content.decode())
    assert cards_in(month["2031-10-26"]) == [
        "Autumn first 02:30",
        "Autumn second 02:30",
        "Autumn 03:10",
    ]


# --- queries -------------------------------------------------------------------------------


def _queries(client: Client, path: str, **headers: Any) -> int:
    client.get(path, **headers)  # settle one-off writes (last workspace used)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/w/alpha/calendar/?month=2031-03", {}),
        ("/w/alpha/calendar/week/?week=2031-03-17", {}),
        (DAY, {}),
        (f"{DAY}?skip=3&grid=1", {"HTTP_HX_REQUEST": "true"}),
    ],
)
def test_queries_do_not_follow_the_number_of_posts(
    world: World, chans: dict[str, Channel], path: str, headers: dict[str, str]
) -> None:
    """A busier day (and month) costs no query more: counted, ranked and cut in SQL."""
    client = world.client_for("owner")
    main, other = chans["main"], chans["other"]
    busy_day(world, main, count=4)
    few = _queries(client, path, **headers)
    for i in range(30):
        compose(world, f"More {i}", [main, other], wall(2031, 3, 16 + i % 7, 8 + i % 12, 30))
    html = client.get(path, **headers).content.decode()
    assert "More " in html
    assert _queries(client, path, **headers) == few


# --- in a real browser --------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_more_loads_the_rest_of_the_day_in_place(
    live_server: Any,
    page: Any,  # noqa: F811
    world: World,
    chans: dict[str, Channel],
) -> None:
    from playwright.sync_api import expect

    from roost.conftest import PASSWORD

    posts = busy_day(world, chans["main"])
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.goto(f"{live_server.url}/login/?next=/w/alpha/calendar/%3Fmonth%3D2031-03")
    page.get_by_label("E-mail address").fill(member(world).user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    day = page.locator('#calendar td[data-day="2031-03-20"]')
    expect(day.locator(".cal-card")).to_have_count(3)
    day.get_by_role("link", name="+2 more").click()
    expect(day.locator(".cal-card")).to_have_count(5)
    expect(day).to_contain_text("Busy 4")
    expect(day.locator(".cal-more")).to_have_count(0)
    assert "/calendar/day/" not in page.url  # loaded in place, not a new page

    # A card that came on demand can be dragged like the others.
    day.locator(f'[data-post="{posts[4].pk}"]').drag_to(
        page.locator('#calendar td[data-day="2031-03-25"]')
    )
    expect(page.locator('#calendar td[data-day="2031-03-25"]')).to_contain_text("Busy 4")
    posts[4].refresh_from_db()
    assert posts[4].scheduled_at == datetime(2031, 3, 25, 13, 0, tzinfo=WARSAW)
