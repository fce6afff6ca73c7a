"""The A/B test API: plan, list, read with the decision, start, stop; scopes and bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client

from roost.conftest import World, token_for
from roost.paid import stats
from roost.paid.models import Experiment, ExperimentStatus, Variant, VariantDay
from roost.workspaces.models import AuditEntry

NOW = datetime(2031, 3, 10, 8, 0, tzinfo=UTC)
BODY = {
    "name": "Headline",
    "kind": "organic",
    "metric": "ctr",
    "variants": ["Our winter latte is back.", "Guess what is back?"],
    "baseline_rate": 0.02,
    "min_effect": 0.5,
}


@pytest.fixture(autouse=True)
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)


def _call(method: str, url: str, token: str, body: Any = None, key: str = "") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    data = json.dumps(body) if body is not None else ""
    return Client().generic(method, url, data=data, content_type="application/json", **headers)


BASE = "/api/v1/workspaces/alpha/paid/experiments"


def test_plan_read_start_and_stop(world: World) -> None:
    token = token_for(world.members["paid_media"], ["read", "paid:write"])
    made = _call("POST", BASE, token, BODY, key="plan-1")
    assert made.status_code == 201, made.content
    body = made.json()
    expected = stats.sample_size(baseline=0.02, min_effect=0.5, variants=2)
    assert body["planned_per_variant"] == expected
    assert body["status"] == "draft"
    assert [v["label"] for v in body["variants"]] == ["A", "B"]
    assert body["decision"]["status"] == "too_little_data"
    # The same key again: the same test, not a second one.
    assert _call("POST", BASE, token, BODY, key="plan-1").json()["id"] == body["id"]
    assert Experiment.objects.count() == 1

    listed = _call("GET", BASE, token).json()
    assert [e["id"] for e in listed] == [body["id"]]

    started = _call(
        "POST",
        f"{BASE}/{body['id']}/start",
        token,
        {"channel": world.a_channel.pk, "first_at": "2031-03-12T09:30:00"},
        key="start-1",
    )
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "running"
    assert all(v["post"] for v in started.json()["variants"])

    stopped = _call("POST", f"{BASE}/{body['id']}/stop", token, key="stop-1")
    assert stopped.status_code == 200
    assert stopped.json()["status"] == "stopped"
    assert _call("POST", f"{BASE}/{body['id']}/stop", token, key="stop-2").status_code == 409


def test_get_shows_counts_comparisons_and_the_decision(world: World) -> None:
    token = token_for(world.members["analyst"], ["read"])
    owner = token_for(world.members["owner"], ["read", "paid:write"])
    made = _call("POST", BASE, owner, BODY, key="k").json()
    for label, successes in (("A", 200), ("B", 400)):
        VariantDay.objects.create(
            variant=Variant.objects.get(experiment_id=made["id"], label=label),
            day=date(2031, 3, 9),
            trials=10000,
            successes=successes,
        )
    got = _call("GET", f"{BASE}/{made['id']}", token).json()
    assert [(v["label"], v["trials"], v["successes"], v["rate"]) for v in got["variants"]] == [
        ("A", 10000, 200, 0.02),
        ("B", 10000, 400, 0.04),
    ]
    assert got["decision"]["status"] == "winner"
    assert got["decision"]["winner"] == "B"
    [comparison] = got["decision"]["comparisons"]
    assert comparison["label"] == "B" and comparison["significant"] is True
    assert comparison["effect"] == pytest.approx(0.02)
    assert comparison["interval"][0] < 0.02 < comparison["interval"][1]
    assert got["recorded_decision"] == {}  # the job records it


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"variants": ["Only one"]}, "variants"),
        ({"baseline_rate": 0}, "baseline_rate"),
        ({"kind": "paid"}, "ad_account_id"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_plan_is_422_naming_the_field(
    world: World, change: dict[str, Any], field: str
) -> None:
    token = token_for(world.members["paid_media"], ["read", "paid:write"])
    response = _call("POST", BASE, token, {**BODY, **change}, key=f"bad-{field}")
    assert response.status_code == 422
    assert field in json.dumps(response.json())
    assert not Experiment.objects.exists()


def test_reading_needs_view_paid_and_writing_manage_budgets(world: World) -> None:
    creator = token_for(world.members["content_creator"], ["read", "paid:write"])
    assert _call("GET", BASE, creator).status_code == 403
    manager = token_for(world.members["social_media_manager"], ["read", "paid:write"])
    assert _call("GET", BASE, manager).status_code == 200
    assert _call("POST", BASE, manager, BODY, key="m").status_code == 403
    assert not Experiment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="experiment.").exists()


def test_starting_a_paid_test_needs_the_spend_scope(world: World) -> None:
    from roost.paid.models import AdAccount

    account = AdAccount.objects.create(
        workspace=world.a,
        name="Sandbox",
        source="sandbox",
        external_id="act_1",
        currency="EUR",
        channel=world.a_channel,
    )
    token = token_for(world.members["paid_media"], ["read", "paid:write"])
    made = _call(
        "POST", BASE, token, {**BODY, "kind": "paid", "ad_account": account.pk}, key="p"
    ).json()
    response = _call(
        "POST", f"{BASE}/{made['id']}/start", token, {"budget": "100", "days": 5}, key="s"
    )
    assert response.status_code == 403
    assert "paid:spend" in response.json()["detail"]
    experiment = Experiment.objects.get(pk=made["id"])
    assert experiment.status == ExperimentStatus.DRAFT
    assert experiment.paid_campaign is None
