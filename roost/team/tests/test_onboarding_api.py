"""The onboarding API: plans the token's member may see, starting one once per
Idempotency-Key (MANAGE_TEAM + team:write), ticking a step, the templates."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from roost.conftest import World, token_for
from roost.team.models import OnboardingPlan
from roost.team.services.onboarding import plan_start, template_for_role
from roost.workspaces.models import AuditEntry

BASE = "/api/v1/workspaces/alpha/team/onboarding"


def _call(method: str, url: str, token: str, body: Any = None, key: str = "") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().generic(
        method, url, data=json.dumps(body or {}), content_type="application/json", **headers
    )


def test_start_a_plan_once_per_key_then_read_and_tick(world: World) -> None:
    token = token_for(world.members["social_media_manager"], ["read", "team:write"])
    template = template_for_role(world.a, "community_manager")
    assert template is not None
    body = {
        "member": world.members["community_manager"].pk,
        "template": template.pk,
        "mentor": world.members["admin"].pk,
    }
    first = _call("POST", f"{BASE}/plans", token, body, key="k-1")
    again = _call("POST", f"{BASE}/plans", token, body, key="k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert OnboardingPlan.objects.count() == 1
    plan = first.json()
    assert plan["steps_total"] == 12 and plan["steps"][0]["title"] == "Handle your first inbox item"
    assert plan["steps"][0]["auto_check"] == "inbox_handled"
    step = plan["steps"][1]["id"]
    ticked = _call("POST", f"{BASE}/plans/{plan['id']}/tick", token, {"step": step}, key="t-1")
    assert ticked.status_code == 200 and ticked.json()["steps_done"] == 1
    got = _call("GET", f"{BASE}/plans/{plan['id']}", token)
    assert got.json()["steps"][1]["done_by"] == "Alpha Social Media Manager"
    conflict = _call("POST", f"{BASE}/plans", token, body, key="k-2")
    assert conflict.status_code == 409


def test_each_member_lists_only_the_plans_they_may_see(world: World) -> None:
    manager = world.members["social_media_manager"]
    for role, mentor in (("analyst", "content_creator"), ("sales", None)):
        plan_start(
            actor=manager,
            member=world.members[role],
            template=template_for_role(world.a, role),  # type: ignore[arg-type]
            mentor=world.members[mentor] if mentor else None,
        )
    seen = {
        role: sorted(
            p["member_name"]
            for p in _call("GET", f"{BASE}/plans", token_for(world.members[role], ["read"])).json()
        )
        for role in ("social_media_manager", "content_creator", "analyst", "paid_media")
    }
    assert seen == {
        "social_media_manager": ["Alpha Sales", "Alpha Social Data Analyst"],
        "content_creator": ["Alpha Social Data Analyst"],  # their mentee
        "analyst": ["Alpha Social Data Analyst"],
        "paid_media": [],
    }


def test_a_content_creator_cannot_start_plans_through_the_api(world: World) -> None:
    token = token_for(world.members["content_creator"])
    template = template_for_role(world.a, "analyst")
    assert template is not None
    before = AuditEntry.objects.count()
    response = _call(
        "POST",
        f"{BASE}/plans",
        token,
        {"member": world.members["analyst"].pk, "template": template.pk},
        key="x",
    )
    assert response.status_code == 403
    assert not OnboardingPlan.objects.exists() and AuditEntry.objects.count() == before


def test_bad_input_is_named(world: World) -> None:
    token = token_for(world.members["owner"], ["read", "team:write"])
    template = template_for_role(world.a, "analyst")
    assert template is not None
    response = _call(
        "POST",
        f"{BASE}/plans",
        token,
        {"member": world.b_member.pk, "template": template.pk},
        key="bad",
    )
    assert response.status_code == 422
    assert "Not found in this workspace." in response.content.decode()
    response = _call(
        "POST",
        f"{BASE}/plans",
        token,
        {
            "member": world.members["analyst"].pk,
            "template": template.pk,
            "mentor": world.members["analyst"].pk,
        },
        key="self",
    )
    assert response.status_code == 422
    assert "Nobody can mentor themselves." in response.content.decode()


def test_templates_list_and_get(world: World) -> None:
    token = token_for(world.members["content_creator"], ["read"])
    template_for_role(world.a, "analyst")
    rows = _call("GET", f"{BASE}/templates", token).json()
    assert len(rows) == 7
    cm = next(r for r in rows if r["role"] == "community_manager")
    detail = _call("GET", f"{BASE}/templates/{cm['id']}", token).json()
    assert detail["steps"][0] == {
        "id": detail["steps"][0]["id"],
        "kind": "activity",
        "title": "Handle your first inbox item",
        "details": "Reply to or complete one item in the shared inbox.",
        "due_day": 3,
        "auto_check": "inbox_handled",
        "target": 1,
    }
