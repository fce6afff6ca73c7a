"""The listening pages: who gets in, what they show (exact figures, every figure linking
to its mentions), bad input in words, and lists with a fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roost.core import clock
from roost.listening.models import Alert, Sentiment, Topic
from roost.listening.testing import alert, mention, topic

NOW = datetime(2031, 3, 20, 12, 30, tzinfo=UTC)
POS, NEU, NEG = Sentiment.POSITIVE, Sentiment.NEUTRAL, Sentiment.NEGATIVE


@pytest.fixture(autouse=True)
def _now(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _url(world: Any, tail: str = "") -> str:
    return f"/w/{world.a.slug}/listening/{tail}"


def _hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def test_the_empty_overview_explains_listening(world: Any) -> None:
    manager = world.client_for("social_media_manager").get(_url(world))
    assert manager.status_code == 200
    html = manager.content.decode()
    assert 'data-testid="listening-empty"' in html
    assert "Listening follows public posts" in html
    assert f'href="{_url(world, "topics/new/")}" data-testid="empty-topic-new"' in html
    # Paid media may look but not add topics: the page says who can.
    paid = world.client_for("paid_media").get(_url(world)).content.decode()
    assert 'data-testid="empty-topic-new"' not in paid
    assert "Someone who manages listening" in paid


@pytest.mark.parametrize("role", ["content_creator", "customer_care", "sales"])
def test_roles_without_listening_are_refused(world: Any, role: str) -> None:
    brand = topic(world.a)
    client = world.client_for(role)
    for tail in ("", f"topics/{brand.pk}/", "mentions/", "alerts/"):
        assert client.get(_url(world, tail)).status_code == 403


def test_paid_media_may_look_but_not_edit(world: Any) -> None:
    brand = topic(world.a)
    client = world.client_for("paid_media")
    assert client.get(_url(world, f"topics/{brand.pk}/")).status_code == 200
    assert client.get(_url(world, "topics/new/")).status_code == 403
    assert client.get(_url(world, f"topics/{brand.pk}/edit/")).status_code == 403
    assert client.post(_url(world, f"topics/{brand.pk}/delete/")).status_code == 403
    assert Topic.objects.filter(pk=brand.pk).exists()


def test_overview_figures_and_share_of_voice(world: Any) -> None:
    brand = topic(world.a, "Demo Coffee", Topic.Kind.BRAND)
    rival = topic(world.a, "Rival Beans", Topic.Kind.COMPETITOR)
    for s in (POS, POS, NEG, NEU):
        mention([brand], at=NOW - timedelta(hours=2), sentiment=s)
    mention([brand], at=NOW - timedelta(hours=30), sentiment=NEG)
    mention([rival], at=NOW - timedelta(hours=3))
    spike = alert(brand, Alert.Kind.NEGATIVE, at=NOW - timedelta(hours=4))

    response = world.client_for("owner").get(_url(world), {"range": "24h"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'data-testid="volume-{brand.pk}">4<', html)
    assert re.search(rf'data-testid="change-{brand.pk}">\+300 %<', html)
    assert re.search(rf'data-testid="net-{brand.pk}">\+0.25<', html)
    assert re.search(rf'data-testid="net-{rival.pk}">\+0.00<', html)
    assert f"{_url(world, 'mentions/')}?range=24h&topic={brand.pk}" in _hrefs(html)
    assert f"{_url(world, f'topics/{brand.pk}/')}?range=24h" in _hrefs(html)
    assert re.search(
        rf'data-testid="voice-{brand.pk}"><strong>Demo Coffee</strong> \(brand\): 4 · 80.0 %', html
    )
    assert re.search(
        rf'data-testid="voice-{rival.pk}"><strong>Rival Beans</strong> \(competitor\): 1 · 20.0 %',
        html,
    )
    assert 'data-testid="chart-voice"' in html
    assert (
        f"Negative sentiment spike · {spike.started_at.astimezone(world.a.tzinfo):%-d %b %H:%M}"
        in html
    )


def test_a_bad_period_is_explained(world: Any) -> None:
    topic(world.a)
    client = world.client_for("owner")
    response = client.get(_url(world), {"range": "custom", "start": "2031-03-10"})
    assert response.status_code == 400
    assert "A custom period needs both a start and an end day." in response.content.decode()
    response = client.get(
        _url(world), {"range": "custom", "start": "2031-03-10", "end": "2031-03-01"}
    )
    assert "The period ends before it starts." in response.content.decode()
    response = client.get(_url(world), {"range": "forever"})
    assert response.status_code == 400
    assert "Choose a period from the list." in response.content.decode()


def test_the_topic_page_links_every_figure_to_its_mentions(world: Any) -> None:
    brand = topic(world.a, "Demo Coffee")
    rival = topic(world.a, "Rival Beans", Topic.Kind.COMPETITOR)
    at = NOW - timedelta(hours=2)
    mention(
        [brand], at=at, sentiment=POS, terms=["latte", "#coffee"], author="@ann", author_name="Ann"
    )
    mention([brand], at=at, sentiment=NEG, intent=True, terms=["latte"], author="@ann")
    mention([brand], at=at, sentiment=POS, terms=["#coffee"], author="@bob")
    mention([rival], at=at)
    mention([brand], at=NOW - timedelta(days=9), sentiment=NEG)  # the period before

    response = world.client_for("analyst").get(_url(world, f"topics/{brand.pk}/"), {"range": "7d"})
    assert response.status_code == 200
    html = response.content.decode()
    m = f"{_url(world, 'mentions/')}?range=7d&topic={brand.pk}"
    hrefs = _hrefs(html)
    assert re.search(r'data-testid="fig-mentions">3<', html)
    assert re.search(r'data-testid="fig-net">\+0.33<', html)
    assert "(positive − negative) ÷ all = (2 − 1) ÷ 3" in html
    assert re.search(r'data-testid="fig-intent">1<', html)
    assert "previous period: 1 (+200 %)" in html
    for filtered in (
        m,
        f"{m}&intent=yes",
        f"{m}&sentiment=1",
        f"{m}&sentiment=0",
        f"{m}&sentiment=-1",
        f"{m}&term=latte",
        f"{m}&term=%23coffee",
        f"{m}&author=%40ann",
        f"{_url(world, 'mentions/')}?range=7d&topic={rival.pk}",
    ):
        assert filtered in hrefs, filtered
    assert re.search(r'data-testid="sentiment-1">Positive: 2</a> · 66.7 %', html)
    assert re.search(r">latte</a>: 2<", html)
    assert re.search(r">Ann @ann</a>: 2<", html)
    assert 'data-testid="chart-volume"' in html and "Mentions per day" in html
    # The last 24 hours: hour by hour.
    hourly = world.client_for("analyst").get(_url(world, f"topics/{brand.pk}/"), {"range": "24h"})
    assert "Mentions per hour" in hourly.content.decode()


def test_another_workspaces_topic_is_not_found(world: Any) -> None:
    theirs = topic(world.b, "Theirs")
    client = world.client_for("owner")
    assert client.get(_url(world, f"topics/{theirs.pk}/")).status_code == 404
    assert client.get(_url(world, f"topics/{theirs.pk}/edit/")).status_code == 404


def test_the_mention_list_filters_escapes_and_links_only_http(world: Any) -> None:
    brand = topic(world.a)
    at = NOW - timedelta(hours=1)
    mention([brand], at=at, text="<script>alert(1)</script> great", url="javascript:alert(1)")
    mention(
        [brand],
        at=at - timedelta(minutes=1),
        text="Buying two bags",
        sentiment=POS,
        intent=True,
        url="https://bsky.app/p/1",
        language="pl",
    )
    mention([topic(world.b)], at=at, text="Bravo secret")

    client = world.client_for("community_manager")
    html = client.get(_url(world, "mentions/")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; great" in html and "<script>alert" not in html
    assert "javascript:" not in html
    assert 'href="https://bsky.app/p/1"' in html
    assert "Bravo secret" not in html
    assert "2 mentions" in html

    html = client.get(
        _url(world, "mentions/"), {"intent": "yes", "language": "pl", "sentiment": "1"}
    ).content.decode()
    assert "1 mention<" in html and "Buying two bags" in html and "great" not in html

    bad = client.get(_url(world, "mentions/"), {"topic": "999999", "sentiment": "7"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Choose a topic of this workspace." in text
    assert "Choose a sentiment from the list." in text


def test_the_mention_list_takes_the_same_queries_for_5_or_25_rows(world: Any) -> None:
    brand = topic(world.a)
    rival = topic(world.a, "Rival", Topic.Kind.COMPETITOR)
    client = world.client_for("owner")
    url = _url(world, "mentions/")
    for i in range(5):
        mention([brand, rival], at=NOW - timedelta(minutes=5 + i))
    client.get(url)  # warm the session and the menus
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(40):
        mention([brand] if i % 2 else [rival], at=NOW - timedelta(minutes=20 + i), author=f"@p{i}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "45 mentions" in html and "Page 1 of 2" in html
    assert len(many) == len(few)


def test_alerts_show_their_figures_and_link_to_mentions(world: Any) -> None:
    brand = topic(world.a, "Demo Coffee")
    volume = alert(brand, Alert.Kind.VOLUME, at=datetime(2031, 3, 20, 8, 10, tzinfo=UTC))
    negative = alert(brand, Alert.Kind.NEGATIVE, at=datetime(2031, 3, 19, 22, 0, tzinfo=UTC))
    alert(topic(world.b, "Theirs"))

    html = world.client_for("paid_media").get(_url(world, "alerts/")).content.decode()
    assert re.search(rf'data-testid="observed-{volume.pk}">42<', html)
    assert re.search(rf'data-testid="expected-{volume.pk}">6<', html)
    assert re.search(rf'data-testid="observed-{negative.pk}">60 %<', html)
    assert "Theirs" not in html
    hrefs = _hrefs(html)
    mentions = _url(world, "mentions/")
    assert f"{mentions}?range=custom&start=2031-03-20&end=2031-03-20&topic={brand.pk}" in hrefs
    assert (
        f"{mentions}?range=custom&start=2031-03-19&end=2031-03-20&topic={brand.pk}&sentiment=-1"
        in hrefs
    )
