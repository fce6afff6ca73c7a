"""The public conversation as a pure model: deterministic, shaped by the hour, with planted
bursts, labels, both languages and deletions."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

import pytest

from roost.networks.sandbox import conversation as conv

ANCHOR = 1795780800.0  # 2026-11-27T12:00:00Z
WORLD = conv.World(seed=7, rate=600, anchor=ANCHOR)
HOUR = 3600


def window(world: conv.World, hours: int, *, until: float = ANCHOR) -> list[conv.ConvPost]:
    return list(conv.truth(world, since=until - hours * HOUR, until=until))


def test_the_same_seed_writes_the_same_posts() -> None:
    first = conv.generate_hour(WORLD, int(ANCHOR // HOUR) - 5)
    again = conv.generate_hour(WORLD, int(ANCHOR // HOUR) - 5)
    other = conv.generate_hour(replace(WORLD, seed=8), int(ANCHOR // HOUR) - 5)
    assert first == again
    assert [p.text for p in first] != [p.text for p in other]
    assert first == sorted(first, key=lambda p: (p.created_at, p.id))
    assert len({p.id for p in first}) == len(first)


def test_the_rate_follows_the_hour_of_day() -> None:
    # 2026-11-27 is a Friday; Warsaw is UTC+1 in winter: 03:00 local is 02:00 UTC.
    night = conv.hourly_base(WORLD, int(ANCHOR // HOUR) - 10)  # 02:00 UTC = 03:00 local
    morning = conv.hourly_base(WORLD, int(ANCHOR // HOUR) - 5)  # 07:00 UTC = 08:00 local
    assert night in (61, 62)  # 600 × 0.1 × (24 / 23.25) = 61.9
    assert morning in (1176, 1177)  # 600 × 1.9 × (24 / 23.25) = 1176.8
    day = sum(conv.hourly_base(WORLD, int(ANCHOR // HOUR) - h) for h in range(24))
    assert abs(day - 600 * 24) <= 24


def test_a_day_of_posts_has_both_languages_all_labels_and_a_few_deletions() -> None:
    posts = window(WORLD, 24, until=ANCHOR - 60 * HOUR)  # a day without fixed bursts
    languages = Counter(p.language for p in posts)
    sentiments = Counter(p.sentiment for p in posts)
    subjects = Counter(p.subject for p in posts)
    assert set(languages) == {"en", "pl"}
    assert 0.3 < languages["pl"] / len(posts) < 0.5
    assert set(sentiments) == {"positive", "neutral", "negative"}
    assert set(subjects) == {"democoffee", "winterblend", "beanbarn", "kawanova", "chatter"}
    purchase = [p for p in posts if p.intent == conv.PURCHASE]
    assert purchase and all(p.sentiment == "neutral" for p in purchase)
    assert any("gdzie kupię" in p.lowered or "ile kosztuje" in p.lowered for p in purchase)
    assert any("where can i buy" in p.lowered for p in purchase)
    deleted = [p for p in posts if p.deleted_at is not None]
    assert 0.01 < len(deleted) / len(posts) < 0.03
    assert all(600 <= p.deleted_at - p.created_at <= 6 * HOUR for p in deleted)  # type: ignore[operator]
    # Texts vary: many different sentences, not a handful repeated.
    assert len({p.text for p in posts}) > 0.5 * len(posts)


def test_the_complaint_burst_shifts_the_brand_to_negative() -> None:
    burst = next(b for b in conv.bursts(WORLD, ANCHOR - 7 * HOUR, ANCHOR) if b.kind == "complaint")
    assert (burst.term, burst.start, burst.end) == (
        "Demo Coffee",
        ANCHOR - 6 * HOUR,
        ANCHOR - 3 * HOUR,
    )
    during = [
        p
        for p in conv.truth(WORLD, since=burst.start, until=burst.end)
        if p.subject == "democoffee"
    ]
    before = [
        p
        for p in conv.truth(WORLD, since=burst.start - 3 * HOUR, until=burst.start)
        if p.subject == "democoffee"
    ]
    share = lambda posts: sum(p.sentiment == "negative" for p in posts) / len(posts)  # noqa: E731
    assert len(during) > 4 * len(before)
    assert share(during) > 0.6 > 0.35 > share(before)
    mentions = [p for p in during if p.burst == burst.name]
    assert all("demo coffee" in p.lowered for p in mentions)
    assert any(
        word in p.lowered for p in mentions for word in ("spilled", "cold", "late", "wylane")
    )


def test_fixed_and_daily_bursts_are_listed() -> None:
    found = conv.bursts(WORLD, ANCHOR - 5 * 86400, ANCHOR + 6 * HOUR)
    names = [b.name for b in found]
    assert {
        "winterblend-launch",
        "democoffee-complaints",
        "kawanova-promo",
        "winterblend-evening",
    } <= set(names)
    assert {"daily-3", "daily-4", "daily-5"} <= set(names)
    launch = next(b for b in found if b.name == "winterblend-launch")
    assert (launch.term, launch.start, launch.end, launch.kind) == (
        "#winterblend",
        ANCHOR - 30 * HOUR,
        ANCHOR - 26 * HOUR,
        "launch",
    )


def test_search_finds_the_planted_burst_newest_first_and_pages_on() -> None:
    launch = next(
        b for b in conv.bursts(WORLD, ANCHOR - 31 * HOUR, ANCHOR) if b.name == "winterblend-launch"
    )
    now = launch.end
    expected = [
        p
        for p in conv.truth(WORLD, since=now - 3 * 86400, until=now)
        if "#winterblend" in p.lowered.split() or "#winterblend" in p.lowered
    ]
    expected_live = [p for p in expected if p.deleted_at is None or p.deleted_at > now]
    generator = conv.Generator()
    seen: list[conv.ConvPost] = []
    deleted: list[str] = []
    cursor = None
    for _ in range(100):
        page = conv.search(
            WORLD, "#WinterBlend", now=now, cursor=cursor, limit=37, generator=generator
        )
        seen.extend(page.posts)
        deleted.extend(page.deleted)
        cursor = page.cursor
        if cursor is None:
            break
    assert [p.id for p in seen] == [
        p.id for p in sorted(expected_live, key=lambda p: (p.created_at, p.id), reverse=True)
    ]
    assert sorted(deleted) == sorted(str(p.id) for p in expected if p not in expected_live)
    in_burst = [p for p in seen if p.burst == launch.name]
    assert len(in_burst) > 0.5 * len(seen)


def test_search_since_language_and_word_matching() -> None:
    now = ANCHOR
    since = now - 2 * HOUR
    page = conv.search(WORLD, "coffee", now=now, since=since, language="pl", limit=500)
    assert page.posts and all(p.language == "pl" and p.created_at >= since for p in page.posts)
    assert all("coffee" in p.lowered for p in page.posts)  # "Demo Coffee" in Polish posts
    # A word matches whole words only; a hashtag only the hashtag; a phrase the phrase.
    assert conv.matcher("blend").search("#winterblend is great") is None
    assert conv.matcher("coffee").search("demo coffee rocks")
    assert conv.matcher("coffee").search("#coffee") is None
    assert conv.matcher("#democoffee").search("love #democoffee!")
    assert conv.matcher("#democoffee").search("love democoffee") is None
    assert conv.matcher("@democoffee").search("hey @democoffee")
    assert conv.matcher('"late delivery"').search("a late   delivery again")
    assert conv.matcher('"late delivery"').search("delivery was late") is None


def test_posts_exist_only_once_model_time_passes() -> None:
    now = ANCHOR - 30 * 60
    page = conv.search(WORLD, "Demo Coffee", now=now, limit=500)
    assert page.posts and all(p.created_at <= now for p in page.posts)
    later = conv.search(WORLD, "Demo Coffee", now=ANCHOR, limit=500)
    assert later.posts[0].created_at > now


@pytest.mark.parametrize(
    ("term", "message"),
    [
        ("", "q must not be empty"),
        ('""', "q is an empty phrase"),
        ("#", "# must be followed by letters or digits"),
    ],
)
def test_unreadable_terms(term: str, message: str) -> None:
    with pytest.raises(conv.TermError, match=message):
        conv.matcher(term)


def test_bad_cursor() -> None:
    with pytest.raises(conv.TermError, match="is not one this search gave"):
        conv.search(WORLD, "coffee", now=ANCHOR, cursor="yesterday")


def test_a_long_history_is_cheap_to_page() -> None:
    # A million posts over two days: only the hours read are generated.
    world = replace(WORLD, rate=math.ceil(1_000_000 / 48))
    generator = conv.Generator()
    page = conv.search(world, "#kawanova", now=ANCHOR, limit=500, generator=generator)
    assert len(page.posts) == 500
    assert len(generator._cache) <= 2
