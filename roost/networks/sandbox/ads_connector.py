"""The ads capability of the Sandbox connector (`AdsConnector`), over the Sandbox Ads API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from roost.networks.base import (
    AdAccountInfo,
    AdCreated,
    AdInsight,
    BoostRequest,
    Outcome,
    Result,
    SplitTestRequest,
)
from roost.networks.sandbox.ads_client import SandboxAdsClient
from roost.networks.sandbox.client import SandboxError


def _failure(exc: SandboxError, rejected: str) -> Result:
    """The connector's own mapping of errors to outcomes (retryable vs terminal)."""
    from roost.networks.sandbox.connector import _, _failure

    return _failure(exc, _(rejected))


def _created(item: Mapping[str, Any]) -> AdCreated:
    """What the Sandbox made: the object's id, its campaign's, and its ads by label."""
    return AdCreated(
        remote_id=str(item["id"]),
        campaign_id=str(item["campaign_id"]),
        ad_ids={str(ad["label"]): str(ad["id"]) for ad in item["ads"] if ad.get("label")},
    )


def _insight(row: Any) -> AdInsight | None:
    """One row as an AdInsight, or None when it is malformed (skipped, never guessed)."""
    try:
        spend, conversions, value = (
            Decimal(str(row["spend"])),
            Decimal(str(row["conversions"])),
            Decimal(str(row["conversion_value"])),
        )
        counts = [row["impressions"], row["clicks"], row.get("reach")]
        if not all(c is None or (isinstance(c, int) and c >= 0) for c in counts):
            return None
        if min(spend, conversions, value) < 0 or not spend.is_finite():
            return None
        return AdInsight(
            campaign_id=str(row["campaign_id"]),
            day=date.fromisoformat(str(row["day"])),
            spend=str(spend),
            impressions=int(row["impressions"]),
            clicks=int(row["clicks"]),
            conversions=str(conversions),
            conversion_value=str(value),
            reach=row.get("reach"),
            ad_id=str(row.get("ad_id") or ""),
            campaign_name=str(row.get("campaign_name") or ""),
        )
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None


class SandboxAdsMixin:
    """Ad accounts, boosts, split tests and daily insights on the Sandbox Ads."""

    _client: SandboxAdsClient

    def ad_accounts(self) -> tuple[Result, list[AdAccountInfo]]:
        """The token's ad account (one per Sandbox account)."""
        try:
            found = self._client.ad_accounts()
        except SandboxError as exc:
            return _failure(exc, "Sandbox Ads refused to list ad accounts: %(message)s."), []
        return Result(Outcome.OK), [
            AdAccountInfo(remote_id=a["id"], name=a["name"], currency=a["currency"].upper())
            for a in found
        ]

    def create_boost(self, request: BoostRequest) -> tuple[Result, AdCreated | None]:
        """Boost a post once per idempotency key (a repeat returns the first boost)."""
        body = {
            "account_id": request.account_id,
            "post_id": request.post_remote_id,
            "budget": request.budget,
            "days": request.days,
            "audience": dict(request.audience),
            "name": request.name or None,
        }
        return self._create("boost", request.idempotency_key, body, "boost")

    def find_boost(self, idempotency_key: str) -> tuple[Result, AdCreated | None]:
        """The boost made with this key, or (OK, None) when there is none."""
        try:
            found = self._client.find_ads("boost", idempotency_key)
        except SandboxError as exc:
            return _failure(exc, "Sandbox Ads refused to look up a boost: %(message)s."), None
        return Result(Outcome.OK), (_created(found[0]) if found else None)

    def create_split_test(self, request: SplitTestRequest) -> tuple[Result, AdCreated | None]:
        """A split test once per idempotency key: one campaign, one ad per variant."""
        body = {
            "account_id": request.account_id,
            "name": request.name,
            "variants": dict(request.variants),
            "budget": request.budget,
            "days": request.days,
            "audience": dict(request.audience),
        }
        return self._create("split_test", request.idempotency_key, body, "split test")

    def find_split_test(self, idempotency_key: str) -> tuple[Result, AdCreated | None]:
        """The split test made with this key, or (OK, None)."""
        try:
            found = self._client.find_ads("split_test", idempotency_key)
        except SandboxError as exc:
            return _failure(exc, "Sandbox Ads refused to look up a split test: %(message)s."), None
        return Result(Outcome.OK), (_created(found[0]) if found else None)

    def _create(
        self, kind: str, key: str, body: Mapping[str, Any], what: str
    ) -> tuple[Result, AdCreated | None]:
        if not key:
            return Result(Outcome.REJECTED, reason="An idempotency key is required."), None
        try:
            item = self._client.create_ads(kind, key, body)
        except SandboxError as exc:
            message = f"Sandbox Ads refused the {what}: %(message)s."
            return _failure(exc, message), None
        return Result(Outcome.OK), _created(item)

    def fetch_insights(
        self, account_id: str, since: date, until: date
    ) -> tuple[Result, list[AdInsight]]:
        """Daily figures per campaign and per ad (ad_id set), since..until inclusive."""
        try:
            rows = self._client.insights(account_id, since.isoformat(), until.isoformat())
        except SandboxError as exc:
            return _failure(exc, "Sandbox Ads refused to show insights: %(message)s."), []
        found = [_insight(row) for row in rows]
        return Result(Outcome.OK), [row for row in found if row is not None]
