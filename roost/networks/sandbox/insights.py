"""The Sandbox Ads' daily figures: made up, plausible, and the same on every run.

For one ad on one day (its dice seeded by the ad's id and the day's number):
- spend: the daily budget (budget / days) less 0–8%, so the total never passes the budget;
- impressions = spend / CPM × 1000; CPM rises as the audience narrows (ages, interests,
  places), with ±10% from day to day;
- clicks ~ Binomial(impressions, CTR); the CTR depends on the ad's text (a quality factor
  from its hash, 0.6–1.4 × 1.2%), or is set through the ads control (a planted winner);
- conversions ~ Binomial(clicks, CVR) (3% by default); worth 20–30 each that day.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

BASE_CTR = 0.012
BASE_CVR = 0.03
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Figures:
    """One day's figures of an ad (or, summed, of a campaign)."""

    spend: Decimal
    impressions: int
    reach: int
    clicks: int
    conversions: int
    conversion_value: Decimal

    def as_json(self) -> dict[str, Any]:
        """Money as decimal strings, counts as numbers."""
        return {
            "spend": str(self.spend),
            "impressions": self.impressions,
            "reach": self.reach,
            "clicks": self.clicks,
            "conversions": str(self.conversions),
            "conversion_value": str(self.conversion_value),
        }


def breadth(audience: Mapping[str, Any]) -> float:
    """How much of everyone the audience is, from 0.05 to 1."""
    share = (audience.get("age_max", 65) - audience.get("age_min", 13) + 1) / 53
    share *= 0.75 ** len(audience.get("interests", ()))
    locations = len(audience.get("locations", ()))
    if locations:
        share *= min(1.0, 0.25 * locations)
    return max(0.05, min(1.0, share))


def cpm(audience: Mapping[str, Any]) -> float:
    """The cost of a thousand impressions: 4 for everyone, up to ~12 for a narrow audience."""
    return 4.0 + 8.0 * (1.0 - breadth(audience))


def quality(text: str) -> float:
    """A creative's quality factor, 0.6–1.4, from its text (the same text, the same factor)."""
    return 0.6 + 0.8 * (zlib.crc32(text.encode()) % 1000) / 999


def ad_day(
    ad_id: str,
    text: str,
    budget: Decimal,
    days: int,
    day_number: int,
    audience: Mapping[str, Any],
    rates: Mapping[str, float],
) -> Figures:
    """The figures of an ad on its `day_number`-th day (0-based)."""
    # Not a secret: reproducible figures (a str seed hashes the same in every process).
    rng = random.Random(f"ads:{ad_id}:{day_number}")  # noqa: S311
    daily = budget / days
    spend = (daily * Decimal(1 - rng.uniform(0, 0.08))).quantize(CENT, rounding=ROUND_DOWN)
    impressions = int(float(spend) / (cpm(audience) * rng.uniform(0.9, 1.1)) * 1000)
    reach = int(impressions / rng.uniform(1.1, 1.4))
    ctr = rates.get("ctr", BASE_CTR * quality(text))
    clicks = rng.binomialvariate(impressions, ctr) if impressions and ctr else 0
    cvr = rates.get("cvr", BASE_CVR)
    conversions = rng.binomialvariate(clicks, cvr) if clicks and cvr else 0
    value = (conversions * Decimal(rng.randint(2000, 3000)) / 100).quantize(CENT)
    return Figures(spend, impressions, reach, clicks, conversions, value)


def total(rows: Sequence[Figures]) -> Figures:
    """A campaign's day: its ads' figures added up (reach too: the ads' audiences overlap
    little in a split test, which divides people between them)."""
    return Figures(
        spend=sum((r.spend for r in rows), Decimal("0.00")),
        impressions=sum(r.impressions for r in rows),
        reach=sum(r.reach for r in rows),
        clicks=sum(r.clicks for r in rows),
        conversions=sum(r.conversions for r in rows),
        conversion_value=sum((r.conversion_value for r in rows), Decimal("0.00")),
    )
