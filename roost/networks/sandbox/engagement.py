"""The Sandbox's engagement model: how many people see, like, share and click a post.

Made up, but shaped like a real account's numbers, so that every KPI has figures and the
analytics can be tested against answers known in advance:

- **Hour of week**: posts published in PLANTED_BEST_HOURS (Monday to Friday, 09:00–10:59
  and 19:00–20:59 in Europe/Warsaw) are seen by more people and engage a larger share of
  them; nights (00:00–06:59) do worse, everything else is ordinary.
- **Decay**: a post gathers most of its counts in its first day (about 89 % by 24 hours,
  95 % by 3 days, 99 % by a week, all of it by 30 days); the counts never go down by themselves.
- **Content**: images lift impressions and the engagement rate; short posts engage a little
  better, long ones a little worse; a link draws clicks; a GIF's views are video views.
- **Per post**: a steady factor drawn from the post's id, so the same post has the same
  counts at the same age in every run, on every machine.

Pure functions: the Sandbox's state calls `post_counts` and `account_audience`; tests
(and the best-time model's tests) call them with made-up posts.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Warsaw")
# (weekday, hour) in ZONE, Monday = 0: the hours whose posts do best.
PLANTED_BEST_HOURS: frozenset[tuple[int, int]] = frozenset(
    (day, hour) for day in range(5) for hour in (9, 10, 19, 20)
)
NIGHT_HOURS = range(7)
BEST_REACH, NIGHT_REACH = 1.4, 0.6  # impressions, against an ordinary hour
BEST_RATE, NIGHT_RATE = 1.8, 0.7  # the share of viewers who engage
BASE_RATE = 0.035  # engagements ÷ impressions of an ordinary post at an ordinary hour
MEDIA_REACH, MEDIA_RATE = 1.3, 1.25
SHORT, LONG = 80, 250  # characters
SHORT_RATE, LONG_RATE = 1.1, 0.85
# How the engagements split (replies are the post's real replies on the Sandbox).
SHARES = {"likes": 0.68, "reposts": 0.16, "quotes": 0.04, "bookmarks": 0.12}
REACH_SHARE = 0.72  # unique viewers ÷ impressions
CLICK_RATE, LINK_CLICK_RATE = 0.004, 0.03
VIDEO_VIEW_RATE = 0.45
# Two phases of attention: a fast one (hours) and a slow tail (days).
FAST_SHARE, FAST_HOURS, SLOW_HOURS = 0.85, 4.0, 72.0
MAX_AGE_HOURS = 30 * 24  # after 30 days nothing more arrives
MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class PostFacts:
    """What the model needs to know about a post."""

    post_id: int
    account_id: int
    created_at: float  # epoch seconds
    text: str = ""
    media: int = 0  # how many images
    gif: bool = False
    replies: int = 0  # real replies, counted by the Sandbox


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by `parts` (the same on every machine and run)."""
    return zlib.crc32(":".join(map(str, parts)).encode()) / 2**32


def hour_of_week(created_at: float) -> tuple[int, int]:
    """(weekday, hour) of an epoch moment in the Sandbox audience's zone."""
    local = datetime.fromtimestamp(created_at, UTC).astimezone(ZONE)
    return local.weekday(), local.hour


def hour_factors(created_at: float) -> tuple[float, float]:
    """(impressions factor, engagement-rate factor) of the hour a post went out."""
    day, hour = hour_of_week(created_at)
    if (day, hour) in PLANTED_BEST_HOURS:
        return BEST_REACH, BEST_RATE
    if hour in NIGHT_HOURS:
        return NIGHT_REACH, NIGHT_RATE
    return 1.0, 1.0


def settled(age_seconds: float) -> float:
    """The share of a post's eventual counts it has gathered at this age (0 … 1)."""
    hours = min(max(age_seconds, 0.0) / 3600, MAX_AGE_HOURS)
    if hours >= MAX_AGE_HOURS:
        return 1.0
    fast = 1 - math.exp(-hours / FAST_HOURS)
    slow = 1 - math.exp(-hours / SLOW_HOURS)
    return FAST_SHARE * fast + (1 - FAST_SHARE) * slow


def followers(account_id: int, created_at: float, now: float) -> int:
    """An account's followers: a steady base that grows a little every day."""
    base = 400 + int(_unit("followers", account_id) * 2600)
    days = max(0.0, now - created_at) / 86_400
    growth = 2 + _unit("growth", account_id) * 6  # followers a day
    return base + int(days * growth)


def account_audience(account_id: int, created_at: float, now: float, posts: int) -> dict[str, int]:
    """Followers, following and posts of a Sandbox account at `now`."""
    return {
        "followers": followers(account_id, created_at, now),
        "following": 40 + int(_unit("following", account_id) * 460),
        "posts": posts,
    }


def eventual(post: PostFacts, audience: int) -> dict[str, float]:
    """A post's counts once it has settled (30 days on), before rounding."""
    reach_hour, rate_hour = hour_factors(post.created_at)
    luck = 0.75 + 0.5 * _unit("post", post.post_id)  # 0.75 … 1.25
    reach_content = MEDIA_REACH if post.media else 1.0
    rate_content = MEDIA_RATE if post.media else 1.0
    length = len(post.text)
    if length <= SHORT:
        rate_content *= SHORT_RATE
    elif length > LONG:
        rate_content *= LONG_RATE
    impressions = audience * 0.9 * reach_hour * reach_content * luck
    rate = BASE_RATE * rate_hour * rate_content * (0.85 + 0.3 * _unit("rate", post.post_id))
    engagements = impressions * rate
    has_link = "http://" in post.text or "https://" in post.text
    counts = {name: engagements * share for name, share in SHARES.items()}
    counts["impressions"] = impressions
    counts["reach"] = impressions * REACH_SHARE
    counts["clicks"] = impressions * (LINK_CLICK_RATE if has_link else CLICK_RATE)
    counts["video_views"] = impressions * VIDEO_VIEW_RATE if post.gif else 0.0
    return counts


def post_counts(post: PostFacts, now: float, audience: int | None = None) -> dict[str, int]:
    """Every count of `post` at `now`: its eventual counts times the share gathered by its
    age. `audience`: the author's followers (by default the model's own)."""
    if audience is None:
        audience = followers(post.account_id, post.created_at, post.created_at)
    share = settled(now - post.created_at)
    counts = {
        name: min(int(value * share), MAX_COUNT) for name, value in eventual(post, audience).items()
    }
    counts["replies"] = post.replies
    return counts


def with_overrides(counts: Mapping[str, int], pinned: Mapping[str, int]) -> dict[str, int]:
    """Counts with the ones pinned through the control API in place of the model's."""
    return {**counts, **pinned}
