"""Sandbox Ads: ad accounts, campaigns, ad sets, ads, boosts and split tests, in memory.

One ad account per Sandbox account ("act_<id>", EUR unless the ads control says otherwise).
Days are simulated: the ads clock starts at today's date (UTC) and moves only when
`POST /api/ads/simulate` says so; a day's figures exist once the clock has passed it.
Figures come from `insights.py`, seeded by the objects' ids, so they are the same on every
run. Plain synchronous code, driven by the server on its event loop (no locks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from roost.networks.sandbox import insights
from roost.networks.sandbox.state import Account, ApiError, Post, _is_int

MAX_BUDGET = Decimal("1000000")
MAX_DAYS = 90
MAX_VARIANTS = 5
MAX_TEXT = 500
MAX_NAME = 200
MAX_KEY = 200
MAX_RANGE_DAYS = 400
AUDIENCE_KEYS = frozenset({"age_min", "age_max", "locations", "interests"})
CENT = Decimal("0.01")


@dataclass(slots=True)
class Ad:
    """One ad: its text (or the boosted post's), its share of the budget, its true rates."""

    id: str
    campaign_id: str
    adset_id: str
    text: str
    budget: Decimal
    label: str = ""
    post_id: int | None = None


@dataclass(slots=True)
class Campaign:
    """A campaign with one ad set (its audience) and its ads; runs `days` days from `start`."""

    id: str
    account_id: int
    name: str
    kind: str  # "campaign", "boost" or "split_test"
    budget: Decimal
    days: int
    start: date
    audience: dict[str, Any]
    adset_id: str
    ads: list[Ad] = field(default_factory=list)
    idempotency_key: str = ""
    object_id: str = ""  # the boost's or split test's id

    @property
    def end(self) -> date:
        """The last day it runs."""
        return self.start + timedelta(days=self.days - 1)


def account_id_of(account: Account) -> str:
    """The ad account id of a Sandbox account."""
    return f"act_{account.id}"


class AdsState:
    """Every ads object of one running Sandbox, and the ads clock."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget every ads object; the clock goes back to today."""
        self.today = datetime.now(UTC).date()
        self.currencies: dict[int, str] = {}
        self.campaigns: dict[str, Campaign] = {}
        self.by_key: dict[tuple[int, str, str], str] = {}  # (account, kind, key) → campaign
        self.created: dict[str, dict[str, int]] = {"boost": {}, "split_test": {}, "campaign": {}}
        self.requests: dict[str, dict[str, int]] = {"boost": {}, "split_test": {}, "campaign": {}}
        self.overrides: dict[str, dict[str, float]] = {}  # ad id → {"ctr", "cvr"}
        self._next = 1

    def _id(self, prefix: str) -> str:
        value = f"{prefix}_{self._next}"
        self._next += 1
        return value

    # Accounts

    def account_json(self, account: Account) -> dict[str, Any]:
        """The account's one ad account."""
        return {
            "id": account_id_of(account),
            "name": f"{account.handle} Sandbox Ads",
            "currency": self.currencies.get(account.id, "EUR"),
        }

    def check_account(self, account: Account, raw: object, status: int = 404) -> None:
        """404 (or `status`) unless `raw` is the caller's ad account id."""
        if raw != account_id_of(account):
            raise ApiError(status, f"ad account {str(raw)[:40]!r} not found for this token")

    # Creating

    def existing(self, account: Account, kind: str, key: str) -> Campaign | None:
        """The object made with this key before, counting the request."""
        counts = self.requests[kind]
        counts[key] = counts.get(key, 0) + 1
        found = self.by_key.get((account.id, kind, key))
        return self.campaigns[found] if found else None

    def create(
        self,
        account: Account,
        kind: str,
        key: str,
        body: object,
        post: Post | None = None,
    ) -> Campaign:
        """Validate and record a campaign, boost or split test (one ad set, ads per variant)."""
        body = _object(body)
        self.check_account(account, body.get("account_id"), 400)
        budget, days = parse_budget(body.get("budget")), parse_days(body.get("days"))
        audience = parse_audience(body.get("audience", {}))
        name = _text(body.get("name", ""), "name", MAX_NAME, required=False)
        if kind == "split_test":
            texts = parse_variants(body.get("variants"))
            if not name:
                raise ApiError(400, "name is required")
        elif kind == "boost":
            assert post is not None
            texts = {"": post.text}
            name = name or f"Boost of post {post.id}"
        else:
            texts = {"": _text(body.get("text"), "text", MAX_TEXT, required=True)}
            if not name:
                raise ApiError(400, "name is required")
        share = (budget / len(texts)).quantize(CENT, rounding=ROUND_DOWN)
        if share <= 0:
            raise ApiError(400, "budget is too small to split between the variants")
        campaign = Campaign(
            id=self._id("cmp"),
            account_id=account.id,
            name=name,
            kind=kind,
            budget=share * len(texts),
            days=days,
            start=self.today,
            audience=audience,
            adset_id=self._id("adset"),
            idempotency_key=key,
        )
        campaign.object_id = self._id({"boost": "bst", "split_test": "spt"}.get(kind, "obj"))
        for label, text in texts.items():
            campaign.ads.append(
                Ad(
                    id=self._id("ad"),
                    campaign_id=campaign.id,
                    adset_id=campaign.adset_id,
                    text=text,
                    budget=share,
                    label=label,
                    post_id=post.id if post else None,
                )
            )
        self.campaigns[campaign.id] = campaign
        if key:
            self.by_key[(account.id, kind, key)] = campaign.id
            self.created[kind][key] = self.created[kind].get(key, 0) + 1
        return campaign

    def find(self, account: Account, kind: str, key: str) -> list[Campaign]:
        """The caller's objects of this kind made with this key (at most one)."""
        found = self.by_key.get((account.id, kind, key))
        return [self.campaigns[found]] if found else []

    def of_account(self, account: Account) -> list[Campaign]:
        """The caller's campaigns, oldest first."""
        return [c for c in self.campaigns.values() if c.account_id == account.id]

    # Figures

    def insights(self, account: Account, since: date, until: date) -> list[dict[str, Any]]:
        """Per campaign and per ad, each day since..until the clock has passed."""
        last = min(until, self.today - timedelta(days=1))
        rows: list[dict[str, Any]] = []
        for campaign in self.of_account(account):
            first, end = max(since, campaign.start), min(last, campaign.end)
            day = first
            while day <= end:
                ad_rows = [
                    insights.ad_day(
                        ad.id,
                        ad.text,
                        ad.budget,
                        campaign.days,
                        (day - campaign.start).days,
                        campaign.audience,
                        self.overrides.get(ad.id, {}),
                    )
                    for ad in campaign.ads
                ]
                rows.append(_row(campaign, "", day, insights.total(ad_rows)))
                rows.extend(
                    _row(campaign, ad.id, day, figures)
                    for ad, figures in zip(campaign.ads, ad_rows, strict=True)
                )
                day += timedelta(days=1)
        return rows

    # Control

    def simulate(self, body: object) -> dict[str, Any]:
        """Move the ads clock `days` days on."""
        days = _object(body).get("days")
        if not (isinstance(days, int) and _is_int(days) and 1 <= days <= 366):
            raise ApiError(400, "days must be a whole number from 1 to 366")
        self.today += timedelta(days=days)
        return {"today": self.today.isoformat()}

    def control(self, body: object, handles: dict[str, Account]) -> dict[str, Any]:
        """Set currencies per handle ({"currency": {handle: "USD"}}) and true rates per ad
        ({"ads": {ad_id: {"ctr": 0.02, "cvr": 0.05}}}); all or nothing."""
        body = _object(body)
        unknown = sorted(set(body) - {"currency", "ads"})
        if unknown:
            raise ApiError(400, f"unknown ads control knobs: {', '.join(unknown)}")
        currencies = body.get("currency", {})
        if not isinstance(currencies, dict):
            raise ApiError(400, "currency must map handles to currency codes")
        changes: dict[int, str] = {}
        for handle, code in currencies.items():
            account = handles.get(handle)
            if account is None:
                raise ApiError(400, f"currency: no Sandbox account {str(handle)[:60]!r}")
            if not (isinstance(code, str) and len(code) == 3 and code.isascii() and code.isalpha()):
                raise ApiError(400, f"currency: {str(code)[:10]!r} is not a code like 'USD'")
            changes[account.id] = code.upper()
        ads = body.get("ads", {})
        if not isinstance(ads, dict):
            raise ApiError(400, "ads must map ad ids to their true rates")
        rates: dict[str, dict[str, float]] = {}
        known = {ad.id for c in self.campaigns.values() for ad in c.ads}
        for ad_id, values in ads.items():
            if ad_id not in known or not isinstance(values, dict):
                raise ApiError(400, f"ads: {str(ad_id)[:40]!r} is not an ad of this Sandbox")
            for name, value in values.items():
                number = isinstance(value, int | float) and not isinstance(value, bool)
                if name not in ("ctr", "cvr") or not (number and 0 <= value < 1):
                    raise ApiError(400, f"ads: {name!r} must be 'ctr' or 'cvr', from 0 to 1")
            rates[ad_id] = {name: float(value) for name, value in values.items()}
        self.currencies.update(changes)
        for ad_id, values in rates.items():
            self.overrides.setdefault(ad_id, {}).update(values)
        return self.stats()

    def stats(self) -> dict[str, Any]:
        """Objects made per idempotency key (the proof of exactly once) and requests per key."""
        return {
            "today": self.today.isoformat(),
            "campaigns": len(self.campaigns),
            "boosts": sum(self.created["boost"].values()),
            "split_tests": sum(self.created["split_test"].values()),
            "created_by_key": {kind: dict(keys) for kind, keys in self.created.items()},
            "requests_by_key": {kind: dict(keys) for kind, keys in self.requests.items()},
            "duplicates": sum(
                1 for keys in self.created.values() for count in keys.values() if count > 1
            ),
        }


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A campaign (with its ad set and ads) as the API shows it."""
    return {
        "id": campaign.object_id if campaign.kind != "campaign" else campaign.id,
        "campaign_id": campaign.id,
        "kind": campaign.kind,
        "name": campaign.name,
        "budget": str(campaign.budget),
        "days": campaign.days,
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "idempotency_key": campaign.idempotency_key,
        "ad_set": {"id": campaign.adset_id, "audience": campaign.audience},
        "ads": [
            {
                "id": ad.id,
                "label": ad.label,
                "text": ad.text,
                "budget": str(ad.budget),
                "post_id": str(ad.post_id) if ad.post_id else None,
            }
            for ad in campaign.ads
        ],
    }


def _row(campaign: Campaign, ad_id: str, day: date, figures: insights.Figures) -> dict[str, Any]:
    return {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "ad_id": ad_id,
        "day": day.isoformat(),
        **figures.as_json(),
    }


def _object(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def _text(value: object, name: str, top: int, *, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > top:
        raise ApiError(400, f"{name} must be text of {1 if required else 0} to {top} characters")
    return value.strip()


def parse_budget(value: object) -> Decimal:
    """A budget: a decimal string (or number) above 0, at most 1,000,000, in cents."""
    message = f'budget must be an amount such as "150.00", above 0 and at most {MAX_BUDGET}'
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ApiError(400, message)
    try:
        amount = Decimal(str(value).strip()[:20])
    except InvalidOperation:
        raise ApiError(400, message) from None
    if not amount.is_finite() or not 0 < amount <= MAX_BUDGET or amount != amount.quantize(CENT):
        raise ApiError(400, message)
    return amount.quantize(CENT)


def parse_days(value: object) -> int:
    """A duration in days, 1 to MAX_DAYS."""
    if not (isinstance(value, int) and _is_int(value) and 1 <= value <= MAX_DAYS):
        raise ApiError(400, f"days must be a whole number from 1 to {MAX_DAYS}")
    return int(value)


def parse_audience(value: object) -> dict[str, Any]:
    """An audience: optional age_min/age_max (13–65), locations and interests (lists of text)."""
    if not isinstance(value, dict):
        raise ApiError(400, "audience must be an object")
    unknown = sorted(set(value) - AUDIENCE_KEYS)
    if unknown:
        raise ApiError(400, f"audience: unknown fields: {', '.join(map(str, unknown))[:200]}")
    for name in ("age_min", "age_max"):
        if name in value and not (_is_int(value[name]) and 13 <= value[name] <= 65):
            raise ApiError(400, f"audience: {name} must be a whole number from 13 to 65")
    if value.get("age_min", 13) > value.get("age_max", 65):
        raise ApiError(400, "audience: age_min must not be above age_max")
    for name in ("locations", "interests"):
        items = value.get(name, [])
        if not (
            isinstance(items, list)
            and len(items) <= 20
            and all(isinstance(i, str) and 0 < len(i) <= 60 for i in items)
        ):
            raise ApiError(400, f"audience: {name} must be a list of up to 20 short texts")
    return dict(value)


def parse_variants(value: object) -> dict[str, str]:
    """A split test's variants: 2 to MAX_VARIANTS labels, each with its ad's text."""
    if not isinstance(value, dict) or not 2 <= len(value) <= MAX_VARIANTS:
        raise ApiError(400, f"variants must map 2 to {MAX_VARIANTS} labels to the ads' texts")
    variants: dict[str, str] = {}
    for label, text in value.items():
        if not (isinstance(label, str) and 0 < len(label) <= 20):
            raise ApiError(400, "variants: each label must be text of 1 to 20 characters")
        variants[label] = _text(text, f"variants: {label}", MAX_TEXT, required=True)
    return variants


def parse_day(raw: str | None, name: str) -> date:
    """A YYYY-MM-DD date from the query, or a 400."""
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise ApiError(400, f"{name} must be a date such as 2026-12-03") from None
