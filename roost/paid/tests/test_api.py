"""The paid accounts API: accounts (roles and the paid:write scope), pushed rows (all or
none, row-numbered errors, idempotent), CSV imports with and without dry_run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from roost.conftest import World, token_for
from roost.paid.models import AdAccount, AdDay, ImportRun
from roost.paid.tests.factories import DATA, account

BASE = "/api/v1/workspaces/alpha/paid"


@pytest.fixture(autouse=True)
def _media(tmp_path: Path) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield


def call(method: str, url: str, token: str, body: Any = None, key: str = "") -> Any:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **extra,
    )


def upload(url: str, token: str, name: str, **fields: Any) -> Any:
    with (DATA / name).open("rb") as export:
        return Client().post(url, {"file": export, **fields}, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db
def test_accounts_roles_and_scopes(world: World) -> None:
    body = {"name": "Meta EU", "source": "meta", "currency": "eur", "external_id": "act_9"}
    analyst = token_for(world.members["analyst"])
    assert call("POST", f"{BASE}/accounts", analyst, body).status_code == 403
    narrow = token_for(world.members["paid_media"], ["read"])
    refused = call("POST", f"{BASE}/accounts", narrow, body)
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "This token lacks the “paid:write” scope."},
    )
    assert not AdAccount.objects.exists()

    token = token_for(world.members["paid_media"])
    made = call("POST", f"{BASE}/accounts", token, body, key="acct-1")
    again = call("POST", f"{BASE}/accounts", token, body, key="acct-1")
    assert made.status_code == again.status_code == 201
    assert made.json()["id"] == again.json()["id"]
    assert (made.json()["currency"], made.json()["last_import"]) == ("EUR", None)
    assert AdAccount.objects.count() == 1
    bad = call(
        "POST",
        f"{BASE}/accounts",
        token,
        {**body, "name": "Other", "external_id": "", "currency": "ZZZ"},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["msg"] == (
        "“ZZZ” is not an ISO 4217 currency code (like EUR, USD, PLN)."
    )
    listed = call("GET", f"{BASE}/accounts", analyst)
    assert [a["name"] for a in listed.json()] == ["Meta EU"]


@pytest.mark.django_db
def test_pushed_days(world: World) -> None:
    acct = account(world, source="api")
    token = token_for(world.members["paid_media"])
    url = f"{BASE}/accounts/{acct.pk}/days"
    rows = [
        {
            "campaign_id": "c1",
            "campaign": "One",
            "day": "2026-11-01",
            "spend": 12.5,
            "impressions": 1000,
            "clicks": 20,
            "conversions": 2,
            "conversion_value": "80.00",
        },
        {
            "campaign": "Two",
            "day": "2026-11-01",
            "spend": "1,234.50",
            "impressions": "12 000",
            "clicks": 0,
            "currency": "EUR",
        },
    ]
    bad = call("POST", url, token, {"rows": [*rows, {**rows[1], "day": "soon", "currency": "USD"}]})
    assert bad.status_code == 422
    assert [d["msg"] for d in bad.json()["detail"]] == [
        "Row 3, column day: “soon” is not a date.",
    ]
    bad = call("POST", url, token, {"rows": [{**rows[1], "currency": "USD"}]})
    assert [d["msg"] for d in bad.json()["detail"]] == [
        "Row 1, column currency: USD, but this account is in EUR.",
    ]
    assert AdDay.objects.count() == 0
    checked = call("POST", url, token, {"rows": rows, "dry_run": True})
    assert checked.json() == {
        "rows": 2,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "dry_run": True,
    }
    assert AdDay.objects.count() == 0
    first = call("POST", url, token, {"rows": rows}, key="push-1")
    assert first.json() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "dry_run": False}
    rows[0]["spend"] = 13
    second = call("POST", url, token, {"rows": rows}, key="push-2")
    assert second.json() == {
        "rows": 2,
        "created": 0,
        "updated": 1,
        "unchanged": 1,
        "dry_run": False,
    }
    assert sorted(AdDay.objects.values_list("campaign__name", "spend", "impressions")) == [
        ("One", 13, 1000),
        ("Two", 1234.5, 12000),
    ]
    viewer = token_for(world.members["analyst"])
    assert call("POST", url, viewer, {"rows": rows}).status_code == 403


@pytest.mark.django_db
def test_csv_import_with_dry_run(world: World) -> None:
    acct = account(world, source="google")
    token = token_for(world.members["paid_media"])
    url = f"{BASE}/accounts/{acct.pk}/imports"
    dry = upload(url, token, "google.csv", dry_run="true")
    print(dry.json())
    assert dry.status_code == 200
    assert dry.json() == {
        "id": None,
        "status": "dry_run",
        "source": "google",
        "rows": 2,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "first_day": "2026-11-01",
        "last_day": "2026-11-02",
        "new_campaigns": ["Search – brand"],
        "existing_campaigns": [],
    }
    assert (AdDay.objects.count(), ImportRun.objects.count()) == (0, 0)
    done = upload(url, token, "google.csv")
    assert done.status_code == 201
    assert (done.json()["status"], done.json()["created"]) == ("imported", 2)
    again = upload(url, token, "google.csv")
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 2)
    wrong = upload(url, token, "meta.csv")
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["msg"].startswith("Line 1 looks like a Google Ads header")
    assert AdDay.objects.count() == 2
