"""The team builder's API: the shape, the company size, members' team profiles, with the
same rules as the pages."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from roost.conftest import World, token_for
from roost.team.models import MemberProfile, TeamSettings
from roost.workspaces.models import AuditEntry

BASE = "/api/v1/workspaces/alpha/team"


def _call(method: str, url: str, token: str, body: Any = None) -> Any:
    return Client().generic(
        method,
        url,
        data=json.dumps(body if body is not None else {}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_the_shape_before_and_after_a_size(world: World) -> None:
    reader = token_for(world.members["content_creator"], ["read"])
    body = _call("GET", f"{BASE}/shape", reader).json()
    assert body["company_size"] == "" and body["seats"] == [] and body["max_areas"] is None
    assert body["gaps"] == [] and body["headcount"] == 5
    assert body["coverage"]["paid"] == [world.members["paid_media"].pk]
    assert body["coverage"]["strategy"] == [world.members["social_media_manager"].pk]

    manager = token_for(world.members["social_media_manager"], ["team:write", "read"])
    response = _call("PUT", f"{BASE}/size", manager, {"company_size": "large"})
    assert response.status_code == 200
    body = response.json()
    assert body["company_size"] == "large"
    assert (body["headcount_min"], body["headcount_max"], body["max_areas"]) == (6, 10, 2)
    assert body["headcount_state"] == "below"
    assert [(s["key"], s["count"], len(s["members"])) for s in body["seats"]] == [
        ("manager", 1, 1),
        ("creator", 2, 2),
        ("community", 2, 2),
        ("analyst", 1, 1),
        ("paid", 1, 1),
    ]
    assert body["seats"][0]["members"] == [world.members["social_media_manager"].pk]
    assert body["seats"][1]["members"] == [world.members["content_creator"].pk, None]
    assert body["departments"] == [] and body["overloaded"] == []
    assert TeamSettings.objects.get(workspace=world.a).company_size == "large"


def test_a_size_is_refused_without_the_right_or_with_a_bad_value(world: World) -> None:
    creator = token_for(world.members["content_creator"], ["team:write", "read"])
    manager = token_for(world.members["social_media_manager"], ["team:write"])
    before = AuditEntry.objects.count()
    response = _call("PUT", f"{BASE}/size", creator, {"company_size": "mid"})
    assert response.status_code == 403
    response = _call("PUT", f"{BASE}/size", manager, {"company_size": "huge"})
    assert response.status_code == 422
    assert not TeamSettings.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_manager_patches_a_profile_and_the_rest_stays(world: World) -> None:
    creator, manager = world.members["content_creator"], world.members["social_media_manager"]
    token = token_for(world.members["admin"], ["team:write", "read"])
    url = f"{BASE}/people/{creator.pk}/profile"
    body = _call("GET", url, token).json()
    assert body == {
        "member": creator.pk,
        "reports_to": None,
        "working_hours": {str(d): ["09:00", "17:00"] for d in range(5)},
        "responsibilities": [],
    }
    response = _call("PATCH", url, token, {"reports_to": manager.pk, "responsibilities": ["paid"]})
    assert response.status_code == 200
    assert response.json()["reports_to"] == manager.pk
    response = _call("PATCH", url, token, {"working_hours": {"6": ["10:00", "12:00"]}})
    assert response.json() == {
        "member": creator.pk,
        "reports_to": manager.pk,
        "working_hours": {"6": ["10:00", "12:00"]},
        "responsibilities": ["paid"],
    }
    response = _call("PATCH", url, token, {"reports_to": None})
    assert response.json()["reports_to"] is None
    # A circle, another workspace's member, bad hours: 422 in words, nothing saved.
    _call("PATCH", url, token, {"reports_to": manager.pk})
    response = _call(
        "PATCH", f"{BASE}/people/{manager.pk}/profile", token, {"reports_to": creator.pk}
    )
    assert response.status_code == 422
    assert "circle of managers" in response.json()["detail"][0]["msg"]
    response = _call("PATCH", url, token, {"reports_to": world.b_member.pk})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Choose a member of this workspace."
    response = _call("PATCH", url, token, {"working_hours": {"0": ["18:00", "09:00"]}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "A working day must end after it starts."
    response = _call("PATCH", url, token, {"responsibilities": ["juggling"]})
    assert response.status_code == 422
    profile = MemberProfile.objects.get(membership=creator)
    assert (profile.reports_to_id, profile.working_hours, profile.responsibilities) == (
        manager.pk,
        {"6": ["10:00", "12:00"]},
        ["paid"],
    )
    assert not MemberProfile.objects.filter(membership=manager).exists()


def test_a_member_patches_only_their_own_hours(world: World) -> None:
    creator, analyst = world.members["content_creator"], world.members["analyst"]
    token = token_for(creator, ["team:write", "read"])
    response = _call(
        "PATCH", f"{BASE}/me/profile", token, {"working_hours": {"1": ["07:30", "15:30"]}}
    )
    assert response.status_code == 200
    assert response.json()["working_hours"] == {"1": ["07:30", "15:30"]}
    before = AuditEntry.objects.count()
    response = _call(
        "PATCH",
        f"{BASE}/people/{analyst.pk}/profile",
        token,
        {"working_hours": {"1": ["07:30", "15:30"]}},
    )
    assert response.status_code == 403
    response = _call("PATCH", f"{BASE}/people/{creator.pk}/profile", token, {"reports_to": None})
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before
    assert not MemberProfile.objects.filter(membership=analyst).exists()
    assert _call("GET", f"{BASE}/people/{world.b_member.pk}/profile", token).status_code == 404
