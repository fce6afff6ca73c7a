"""Listening's reads: figures from the roll-ups, share of voice, series, top terms and
authors, the filtered mention list (a fixed number of queries), always one workspace's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from roost.listening import selectors
from roost.listening.models import Sentiment, Topic
from roost.listening.selectors import Figures, MentionFilter, Window, days_window, last_hours
from roost.listening.testing import mention, topic

NOW = datetime(2031, 3, 20, 12, 30, tzinfo=UTC)
DAY = last_hours(NOW, 24)  # 19 March 13:00 – 20 March 13:00 UTC
POS, NEU, NEG = Sentiment.POSITIVE, Sentiment.NEUTRAL, Sentiment.NEGATIVE


def test_net_sentiment_is_positive_minus_negative_over_all() -> None:
    assert Figures(8, 5, 1, 2, 0).net == pytest.approx(3 / 8)
    assert Figures().net is None
    assert Figures(4, 1, 2, 1, 1).percent(1) == 25.0
    assert Figures(1, 1, 0, 0, 1) + Figures(2, 0, 1, 1, 0) == Figures(3, 1, 1, 1, 1)


def test_windows() -> None:
    w = last_hours(NOW, 24)
    assert (w.start, w.end) == (
        datetime(2031, 3, 19, 13, tzinfo=UTC),
        datetime(2031, 3, 20, 13, tzinfo=UTC),
    )
    assert w.hourly and w.previous() == Window(datetime(2031, 3, 18, 13, tzinfo=UTC), w.start)
    warsaw = ZoneInfo("Europe/Warsaw")
    d = days_window(date(2031, 3, 1), date(2031, 3, 3), warsaw)
    assert d.start == datetime(2031, 3, 1, tzinfo=warsaw)
    assert d.end == datetime(2031, 3, 4, tzinfo=warsaw)
    assert not d.hourly


def test_topic_rows_compare_with_the_window_before(world: Any) -> None:
    brand = topic(world.a, "Brand", Topic.Kind.BRAND)
    rival = topic(world.a, "Rival", Topic.Kind.COMPETITOR)
    topic(world.a, "Quiet", Topic.Kind.CAMPAIGN)
    for s in (POS, POS, NEG, NEU):
        mention([brand], at=NOW - timedelta(hours=2), sentiment=s)
    mention([brand], at=NOW - timedelta(hours=30), sentiment=NEG)
    mention([brand, rival], at=NOW - timedelta(hours=5), sentiment=NEU, intent=True)
    # Another workspace's topic of the same name counts for nothing here.
    mention([topic(world.b, "Brand")], at=NOW - timedelta(hours=1))

    rows = {r.topic.name: r for r in selectors.topic_rows(world.a, DAY)}
    assert list(rows) == ["Brand", "Rival", "Quiet"]
    assert rows["Brand"].now == Figures(5, 2, 2, 1, 1)
    assert rows["Brand"].before == Figures(1, 0, 0, 1, 0)
    assert rows["Brand"].change == 400.0
    assert rows["Brand"].net_change == pytest.approx(0.2 - -1.0)
    assert rows["Quiet"].now == Figures() and rows["Quiet"].change is None

    voices = selectors.share_of_voice(world.a, DAY)
    assert [(v.topic.name, v.mentions, v.percent) for v in voices] == [
        ("Brand", 5, pytest.approx(500 / 6)),
        ("Rival", 1, pytest.approx(100 / 6)),
    ]
    mine = selectors.topic_share_of_voice(rival, DAY)
    assert [(v.topic.name, v.mentions) for v in mine] == [("Rival", 1)]


def test_series_by_hour_and_by_day(world: Any) -> None:
    brand = topic(world.a)
    mention([brand], at=datetime(2031, 3, 20, 10, 15, tzinfo=UTC), sentiment=NEG)
    mention([brand], at=datetime(2031, 3, 20, 10, 45, tzinfo=UTC))
    mention([brand], at=datetime(2031, 3, 18, 23, 30, tzinfo=UTC))  # 19 March in Warsaw
    warsaw = ZoneInfo("Europe/Warsaw")

    hourly = selectors.series(brand, DAY, warsaw)
    assert len(hourly) == 24
    assert hourly[0][0] == datetime(2031, 3, 19, 13, tzinfo=UTC)
    assert hourly[0][0].tzinfo == warsaw
    counted = {at.astimezone(UTC).hour: f for at, f in hourly if f.mentions}
    assert counted == {10: Figures(2, 0, 1, 1, 0)}

    week = days_window(date(2031, 3, 14), date(2031, 3, 20), warsaw)
    daily = selectors.series(brand, week, warsaw)
    assert daily[0][0] == date(2031, 3, 14) and len(daily) == 7
    assert {d: f.mentions for d, f in daily if f.mentions} == {
        date(2031, 3, 19): 1,
        date(2031, 3, 20): 2,
    }


def test_top_terms_hashtags_and_authors(world: Any) -> None:
    brand = topic(world.a)
    other = topic(world.a, "Other", Topic.Kind.OTHER)
    at = NOW - timedelta(hours=3)
    mention([brand], at=at, terms=["latte", "#coffee", "@shop"], author="@ann", author_name="Ann")
    mention([brand], at=at, terms=["latte", "#coffee"], author="@ann")
    mention([brand], at=at, terms=["beans", "#morning"], author="@bob")
    mention([other], at=at, terms=["latte"], author="@bob")
    mention([brand], at=NOW - timedelta(days=3), terms=["old"], author="@old")

    assert selectors.top_terms(brand, DAY, hashtags=False) == [("latte", 2), ("beans", 1)]
    assert selectors.top_terms(brand, DAY, hashtags=True) == [("#coffee", 2), ("#morning", 1)]
    authors = selectors.top_authors(brand, DAY)
    assert [(a.handle, a.name, a.mentions) for a in authors] == [
        ("@ann", "Ann", 2),
        ("@bob", "", 1),
    ]


def test_the_mention_list_filters(world: Any) -> None:
    brand = topic(world.a)
    rival = topic(world.a, "Rival", Topic.Kind.COMPETITOR)
    at = NOW - timedelta(hours=2)
    a = mention([brand], at=at, sentiment=NEG, language="pl", terms=["kawę", "#kawa"])
    b = mention([brand, rival], at=at - timedelta(minutes=5), intent=True, terms=["kawasaki"])
    c = mention([rival], at=at - timedelta(minutes=9), author="@carol")
    mention([brand], at=NOW - timedelta(days=2))  # outside the window
    mention([topic(world.b)], at=at)  # another workspace

    def ids(**kw: Any) -> list[int]:
        return [m.pk for m in selectors.mentions(world.a, MentionFilter(window=DAY, **kw))]

    assert ids() == [a.pk, b.pk, c.pk]
    assert ids(topic=brand) == [a.pk, b.pk]
    assert ids(sentiment=NEG) == [a.pk]
    assert ids(language="pl") == [a.pk]
    assert ids(intent=True) == [b.pk]
    assert ids(intent=False) == [a.pk, c.pk]
    assert ids(term="kawę") == [a.pk]
    assert ids(term="#KAWA") == [a.pk]
    assert ids(term="kawa") == []  # a whole term, not a part of "kawasaki"
    assert ids(author="@carol") == [c.pk]
    assert selectors.languages(world.a) == ["en", "pl"]


def test_a_page_of_mentions_takes_a_fixed_number_of_queries(
    world: Any, django_assert_num_queries: Any
) -> None:
    brand = topic(world.a)
    rival = topic(world.a, "Rival", Topic.Kind.COMPETITOR)
    for i in range(30):
        mention([brand, rival] if i % 2 else [brand], at=NOW - timedelta(minutes=10 + i))
    f = MentionFilter(window=DAY)
    with django_assert_num_queries(3):  # count, page, the page's topics
        listed = selectors.mention_page(world.a, f, 1)
        names = [[t.name for t in listed.topics_of[m.pk]] for m in listed.page.object_list]
    assert len(names) == selectors.PER_PAGE
    assert names[:2] == [["Brand"], ["Brand", "Rival"]]
    with django_assert_num_queries(3):
        second = selectors.mention_page(world.a, f, 2)
        assert len([m.channel for m in second.page.object_list]) == 5
