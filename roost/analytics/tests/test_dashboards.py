"""Dashboards of a workspace, channel, campaign, tag and post: figures against hand-computed
ones, who may see them, other workspaces' ids, bad input, and honest empty charts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from roost.analytics import charts, dashboards
from roost.analytics.dashboards import CAMPAIGN, CHANNEL, TAG, WORKSPACE, Scope
from roost.analytics.selectors import Period
from roost.analytics.services.recording import channel_day_record
from roost.analytics.testing import published, read
from roost.conftest import make_channel
from roost.publishing.models import Campaign, Tag

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
P = Period(date(2026, 11, 2), date(2026, 11, 3))
QUERY = "?range=custom&start=2026-11-02&end=2026-11-03"


@pytest.fixture
def data(world: Any) -> Any:
    """Workspace A (in UTC): one post on two channels in a campaign and a tag, a second
    post with the tag, one in the period before, and the audience of two days.

    | delivery | channel | day   | likes | reposts | replies | impressions | engagements |
    | d1       | one     | 11-02 | 10    | 2       | –       | 400         | 12          |
    | d2 (=p1) | two     | 11-02 | 4     | –       | 1       | –           | 5           |
    | d3       | one     | 11-03 | 1     | –       | –       | –           | 1           |
    | d4       | one     | 10-31 | 5     | –       | –       | –           | 5 (before)  |
    """
    world.a.timezone = "UTC"
    world.a.save()
    one, two = world.a_channel, make_channel(world.a, "Alpha Two")
    spring = Campaign.objects.create(workspace=world.a, name="Spring")
    product = Tag.objects.create(workspace=world.a, name="product")
    d1 = published(one, T0, "Short")
    d1.post.campaign = spring
    d1.post.save()
    d1.post.tags.add(product)
    d2 = published(two, T0, post=d1.post)
    d3 = published(one, T0 + timedelta(days=1), "Another one, longer")
    d3.post.tags.add(product)
    d4 = published(one, T0 - timedelta(days=2), "Before")
    read(d1, T0 + timedelta(hours=1), likes=3)
    read(d2, T0 + timedelta(hours=2), likes=4, replies=1)
    read(d1, T0 + timedelta(hours=6), likes=10, reposts=2, impressions=400)
    read(d3, T0 + timedelta(days=1, hours=1), likes=1)
    read(d4, T0 - timedelta(days=1), likes=5)
    for channel, day, followers in (
        (one, date(2026, 11, 2), 100),
        (one, date(2026, 11, 3), 110),
        (two, date(2026, 11, 2), 50),
    ):
        channel_day_record(
            channel_id=channel.pk, workspace_id=world.a.pk, day=day, followers=followers
        )
    world.data = {
        "one": one,
        "two": two,
        "spring": spring,
        "product": product,
        "d": (d1, d2, d3, d4),
    }
    return world


def test_totals_per_scope(data: Any) -> None:
    a, one, spring, product = data.a, data.data["one"], data.data["spring"], data.data["product"]
    t = dashboards.scope_totals(a, P, Scope(WORKSPACE))
    assert (t.posts, t.engagements, t.values["likes"], t.values["impressions"]) == (3, 18, 15, 400)
    assert (t.followers_start, t.followers_end) == (150, 110)
    t = dashboards.scope_totals(a, P, Scope(CHANNEL, channel_id=one.pk))
    assert (t.posts, t.engagements, t.values["likes"], t.values["replies"]) == (2, 13, 11, None)
    assert (t.followers_start, t.followers_end) == (100, 110)
    t = dashboards.scope_totals(a, P, Scope(CAMPAIGN, campaign_id=spring.pk))
    assert (t.posts, t.engagements, t.values["likes"], t.values["replies"]) == (2, 17, 14, 1)
    assert t.values["impressions"] == 400 and t.values["reach"] is None
    assert t.followers_end is None  # an audience is a channel's, not a campaign's
    t = dashboards.scope_totals(a, P, Scope(TAG, tag_id=product.pk))
    assert (t.posts, t.engagements) == (3, 18)
    before = dashboards.scope_totals(a, P.previous(), Scope(CHANNEL, channel_id=one.pk))
    assert (before.posts, before.engagements) == (1, 5)
    # Workspace B's scopes see nothing of A.
    assert dashboards.scope_totals(data.b, P, Scope(TAG, tag_id=product.pk)).posts == 0


def test_daily_series_per_scope(data: Any) -> None:
    a = data.a
    tag = Scope(TAG, tag_id=data.data["product"].pk)
    assert [(d, t.engagements) for d, t in dashboards.scope_daily(a, P, tag)] == [
        (date(2026, 11, 2), 17),
        (date(2026, 11, 3), 1),
    ]
    campaign = Scope(CAMPAIGN, campaign_id=data.data["spring"].pk)
    assert [t.posts for _d, t in dashboards.scope_daily(a, P, campaign)] == [2, 0]
    channel = Scope(CHANNEL, channel_id=data.data["two"].pk)
    assert [t.engagements for _d, t in dashboards.scope_daily(a, P, channel)] == [5, 0]


def test_audience_per_scope(data: Any) -> None:
    a = data.a
    assert dashboards.scope_audience(a, P, Scope(CHANNEL, channel_id=data.data["two"].pk)) == [
        (date(2026, 11, 2), 50),
        (date(2026, 11, 3), None),
    ]
    # A campaign's audience: the channels its posts went to (both).
    assert dashboards.scope_audience(a, P, Scope(CAMPAIGN, campaign_id=data.data["spring"].pk)) == [
        (date(2026, 11, 2), 150),
        (date(2026, 11, 3), 110),
    ]
    empty = Campaign.objects.create(workspace=a, name="Nothing yet")
    assert dashboards.scope_audience(a, P, Scope(CAMPAIGN, campaign_id=empty.pk)) == [
        (date(2026, 11, 2), None),
        (date(2026, 11, 3), None),
    ]


def test_top_and_bottom_posts_say_why(data: Any) -> None:
    d1, d2, d3, _d4 = data.data["d"]
    ranking = dashboards.ranked_posts(
        data.a, P, Scope(WORKSPACE), now=T0 + timedelta(days=10), limit=2
    )
    assert ranking.posts == 3 and ranking.average == 6.0
    assert [r.metrics.pk for r in ranking.top] == [d1.pk, d2.pk]
    assert [r.metrics.pk for r in ranking.bottom] == [d3.pk]
    why = ranking.top[0].why
    assert (why.weekday, why.hour, why.network, why.content_type) == (0, 10, "Sandbox", "text")
    assert (why.media, why.length, why.campaign, why.vs_average) == (0, 5, "Spring", 2.0)
    # A post younger than a day is never among the weakest: it is still gathering.
    young = dashboards.ranked_posts(
        data.a, P, Scope(WORKSPACE), now=T0 + timedelta(days=1, hours=2), limit=2
    )
    assert young.bottom == []


def test_post_history_adds_its_channels_reading_by_reading(data: Any) -> None:
    d1, _d2, _d3, _d4 = data.data["d"]
    history = dashboards.post_history(data.a, d1.post_id)
    assert [(r.at - T0, r.engagements, r.values["impressions"]) for r in history] == [
        (timedelta(hours=1), 3, None),
        (timedelta(hours=2), 8, None),
        (timedelta(hours=6), 17, 400),
    ]
    assert dashboards.post_history(data.b, d1.post_id) == []
    rows = dashboards.post_deliveries(data.a, d1.post_id)
    assert [(r.channel.name, r.engagements) for r in rows] == [
        ("Alpha Sandbox", 12),
        ("Alpha Two", 5),
    ]


# == pages ==


def _urls(data: Any) -> dict[str, str]:
    w = f"/w/{data.a.slug}/analytics"
    d1 = data.data["d"][0]
    return {
        "channel": f"{w}/channels/{data.data['one'].pk}/{QUERY}",
        "campaign": f"{w}/campaigns/{data.data['spring'].pk}/{QUERY}",
        "tag": f"{w}/tags/{data.data['product'].pk}/{QUERY}",
        "post": f"{w}/posts/{d1.post_id}/",
    }


def test_each_dashboard_shows_its_figures_with_formula_and_version(data: Any) -> None:
    client = data.client_for("analyst")
    urls = _urls(data)
    expected = {"channel": "13", "campaign": "17", "tag": "18", "post": "17"}
    for name, url in urls.items():
        html = client.get(url).content.decode()
        assert f'data-testid="kpi-engagements">{expected[name]}<' in html, name
        assert "engagements ÷ impressions × 100 · engagement_rate_impressions@v1" in html
    campaign = client.get(urls["campaign"]).content.decode()
    assert 'data-testid="kpi-followers"' not in campaign  # not a campaign's figure
    channel = client.get(urls["channel"]).content.decode()
    assert 'data-testid="kpi-followers">110<' in channel
    assert 'data-testid="growth"' in channel and "<strong>+10</strong>" in channel


def test_the_overview_links_to_every_dashboard_and_ranks_posts(data: Any) -> None:
    html = data.client_for("owner").get(f"/w/{data.a.slug}/analytics/{QUERY}").content.decode()
    urls = _urls(data)
    for name in ("channel", "campaign", "tag"):
        assert urls[name].split("?")[0] in html, name
    assert 'data-testid="top-posts"' in html
    assert f"/analytics/posts/{data.data['d'][0].post_id}/" in html
    assert "2.0× the average post" in html


def test_charts_carry_values_on_hover_focus_and_as_a_table(data: Any) -> None:
    html = data.client_for("analyst").get(_urls(data)["tag"]).content.decode()
    assert '<svg class="chart-svg"' in html and "<script" not in html.split("<main")[1]
    assert ' style="' not in html.split("<main")[1]  # the CSP allows no style attributes
    # 2 Nov: 17 engagements in the tag's posts; as a focusable point and in the table.
    label = "Mon 2 Nov 2026 · This period: 17"
    assert f'tabindex="0" role="img" aria-label="{label}"' in html
    assert f"<title>{label}</title>" in html
    assert 'data-testid="chart-engagements-table"' in html
    assert '<th scope="row">Mon 2 Nov 2026</th><td>17</td>' in html
    post = data.client_for("analyst").get(_urls(data)["post"]).content.decode()
    assert 'data-testid="chart-post-history"' in post and "· Engagements: 17" in post
    assert 'data-testid="post-channels"' in post


def test_empty_dashboards_say_no_data_yet(world: Any) -> None:
    client = world.client_for("analyst")
    w = f"/w/{world.a.slug}/analytics"
    html = client.get(f"{w}/channels/{world.a_channel.pk}/").content.decode()
    assert 'data-testid="no-data"' in html
    assert 'data-testid="chart-engagements-empty"' in html
    assert 'data-testid="chart-audience-empty"' in html
    assert 'data-testid="no-posts"' in html
    post = client.get(f"{w}/posts/{world.a_post.pk}/")  # a draft: nothing to show yet
    assert post.status_code == 200 and 'data-testid="no-data"' in post.content.decode()


def test_roles_without_analytics_are_refused(data: Any) -> None:
    for url in _urls(data).values():
        assert data.client_for("content_creator").get(url).status_code == 403
        assert data.client_for("customer_care").get(url).status_code == 403
        assert data.client_for("analyst").get(url).status_code == 200
        assert data.client_for("owner").get(url).status_code == 200


def test_other_workspaces_ids_and_bad_input_are_4xx(data: Any) -> None:
    client = data.client_for("owner")
    w = f"/w/{data.a.slug}/analytics"
    b_campaign = Campaign.objects.create(workspace=data.b, name="B's")
    b_tag = Tag.objects.create(workspace=data.b, name="b-tag")
    for url in (
        f"{w}/channels/{data.b_channel.pk}/",
        f"{w}/campaigns/{b_campaign.pk}/",
        f"{w}/tags/{b_tag.pk}/",
        f"{w}/posts/{data.b_post.pk}/",
        f"{w}/posts/{2**63}/",
        f"{w}/channels/0/",
        f"{w}/tags/abc/",
    ):
        assert client.get(url).status_code == 404, url
    bad = client.get(
        f"{w}/tags/{data.data['product'].pk}/?range=custom&start=2026-11-05&end=2026-11-01"
    )
    assert bad.status_code == 400
    assert "The period ends before it starts." in bad.content.decode()
    assert client.get(f"{w}/channels/{data.data['one'].pk}/?range=nonsense").status_code == 400
    assert client.post(_urls(data)["channel"]).status_code == 405


def test_nice_ticks_and_empty_charts() -> None:
    assert charts.nice_ticks(0, 537) == [0, 200, 400, 600]
    assert charts.nice_ticks(9898, 10120) == [9800, 9900, 10000, 10100, 10200]
    assert charts.nice_ticks(0, 1, integer=True) == [0, 1]
    chart = charts.line_chart(
        chart_id="c",
        title="T",
        x_label="Day",
        xs=[date(2026, 11, 2)],
        series=[charts.Series("S", [None])],
        fmt=str,
    )
    assert chart.empty and chart.rows == [("Mon 2 Nov 2026", ["None"])]
    bars = charts.bar_chart(
        chart_id="b",
        title="B",
        x_label="X",
        labels=["a", "b"],
        series=charts.Series("S", [3, 0]),
        fmt=str,
    )
    assert not bars.empty and bars.svg.count('class="chart-bar s0"') == 2


def test_a_published_posts_page_links_to_its_analytics(data: Any) -> None:
    d1 = data.data["d"][0]
    w = f"/w/{data.a.slug}"
    link = f'href="{w}/analytics/posts/{d1.post_id}/"'
    assert link in data.client_for("owner").get(f"{w}/posts/{d1.post_id}/").content.decode()
    creator = data.client_for("content_creator").get(f"{w}/posts/{d1.post_id}/")
    assert creator.status_code == 200 and link not in creator.content.decode()
    draft = data.client_for("owner").get(f"{w}/posts/{data.a_post.pk}/").content.decode()
    assert 'data-testid="post-analytics"' not in draft


def test_a_count_that_stays_zero_is_zero_not_missing(world: Any) -> None:
    """A network that reports replies as 0 all period: the total is 0, not "not available",
    and the page renders (the period's sums are added up from the days')."""
    from roost.analytics.selectors import last_days
    from roost.core import clock

    channel = world.a_channel
    now = clock.now()
    d = published(channel, now - timedelta(days=2))
    read(d, now - timedelta(days=1), likes=4, replies=0)
    today = now.astimezone(world.a.tzinfo).date()
    figures = dashboards.scope_figures(world.a, last_days(today, 28), Scope())
    assert figures.now.values["replies"] == 0 and figures.now.values["likes"] == 4
    assert figures.now.values["impressions"] is None
    response = world.client_for("analyst").get(f"/w/{world.a.slug}/analytics/")
    assert response.status_code == 200
