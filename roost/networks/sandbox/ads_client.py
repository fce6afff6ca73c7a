"""Raw HTTP to the Sandbox Ads (/api/ads/…). Every failure becomes a `SandboxError`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roost.networks.sandbox.client import SandboxClient, _shape

KIND_PATHS = {"boost": "boosts", "split_test": "split-tests", "campaign": "campaigns"}


class SandboxAdsClient(SandboxClient):
    """The Sandbox API for one token, with its ads calls."""

    def ad_accounts(self) -> list[dict[str, str]]:
        """The token's ad accounts: id, name, currency."""
        data = self._request("GET", "/api/ads/accounts")
        return _shape(
            lambda: [
                {
                    "id": str(item["id"]),
                    "name": str(item["name"]),
                    "currency": str(item["currency"]),
                }
                for item in data["accounts"]
            ]
        )

    def create_ads(self, kind: str, idempotency_key: str, body: Mapping[str, Any]) -> Any:
        """Make a boost, split test or campaign (once per key); the object as sent."""
        data = self._request(
            "POST",
            f"/api/ads/{KIND_PATHS[kind]}",
            json=dict(body),
            headers={"Idempotency-Key": idempotency_key},
        )
        return _shape(lambda: _checked(data))

    def find_ads(self, kind: str, idempotency_key: str) -> list[Any]:
        """The objects of this kind made with this key ([] or one)."""
        data = self._request(
            "GET",
            f"/api/ads/{KIND_PATHS[kind]}",
            params=[("idempotency_key", idempotency_key)],
        )
        return _shape(lambda: [_checked(item) for item in data["items"]])

    def insights(self, account_id: str, since: str, until: str) -> list[Any]:
        """Daily rows per campaign and per ad, as sent (the connector checks each one)."""
        data = self._request(
            "GET",
            "/api/ads/insights",
            params=[("account_id", account_id), ("since", since), ("until", until)],
        )
        return _shape(lambda: _rows(data))


def _checked(item: Any) -> Any:
    """An object of the ads API with the fields the connector reads."""
    if not isinstance(item, dict):
        raise TypeError("an ads object must be a JSON object")
    str(item["id"]), str(item["campaign_id"])
    if not isinstance(item["ads"], list):
        raise TypeError("ads must be a list")
    return item


def _rows(data: Any) -> list[Any]:
    rows = data["rows"]
    if not isinstance(rows, list):
        raise TypeError("rows must be a list")
    return rows
