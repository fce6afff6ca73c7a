"""The exercise's API: create once per Idempotency-Key (HIRE and hiring:write; the link in
that answer only), read status and facts, bad input named, who may."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from roost.conftest import World, token_for
from roost.team.models import Assessment
from roost.team.tests.assessment_fixtures import make_candidate
from roost.workspaces.models import Workspace

BASE = "/api/v1/workspaces/alpha/team/assessments"


def call(method: str, url: str, token: str, body: Any = None, key: str | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().generic(
        method, url, data=json.dumps(body or {}), content_type="application/json", **headers
    )


def test_create_once_per_key_then_read(world: World) -> None:
    candidate = make_candidate(world)
    token = token_for(world.members["social_media_manager"], ["read", "hiring:write"])
    body = {"candidate": candidate.pk, "scenario": "inbox", "days": 5}
    first = call("POST", BASE, token, body, key="a-1")
    again = call("POST", BASE, token, body, key="a-1")
    assert first.status_code == 201, first.content
    assert again.json() == first.json()
    assert Assessment.objects.count() == 1
    made = first.json()
    assert made["link"].startswith("http") and "/assess/asm_" in made["link"]
    assert (made["candidate"], made["scenario"], made["status"]) == (
        candidate.pk,
        "inbox",
        "not_started",
    )
    assert made["facts"]["total"] == 10 and made["facts"]["correct"] == 0

    read = call("GET", f"{BASE}/{made['id']}", token)
    assert read.status_code == 200
    assert "link" not in read.json()
    assert read.json()["workspace"] == made["workspace"]
    assert len(read.json()["facts"]["messages"]) == 10


def test_bad_input_and_who_may(world: World) -> None:
    candidate = make_candidate(world)
    manager = token_for(world.members["social_media_manager"], ["read", "hiring:write"])
    reader = token_for(world.members["social_media_manager"], ["read"])
    creator = token_for(world.members["content_creator"])
    workspaces = Workspace.objects.count()

    scenario = call(
        "POST", BASE, manager, {"candidate": candidate.pk, "scenario": "chess"}, key="b"
    )
    days = call(
        "POST", BASE, manager, {"candidate": candidate.pk, "scenario": "inbox", "days": 30}, key="c"
    )
    missing = call("POST", BASE, manager, {"candidate": 999999, "scenario": "inbox"}, key="d")
    no_scope = call("POST", BASE, reader, {"candidate": candidate.pk, "scenario": "inbox"}, key="e")
    no_perm = call("POST", BASE, creator, {"candidate": candidate.pk, "scenario": "inbox"}, key="f")

    assert scenario.status_code == 422 and "scenario" in scenario.content.decode()
    assert days.status_code == 422 and "days" in days.content.decode()
    assert missing.status_code == 422 and "candidate" in missing.content.decode()
    assert no_scope.status_code == 403
    assert no_perm.status_code == 403
    assert Workspace.objects.count() == workspaces
    assert not Assessment.objects.exists()

    other = token_for(world.b_owner)
    made = call("POST", BASE, manager, {"candidate": candidate.pk, "scenario": "inbox"}, key="g")
    assert made.status_code == 201
    outside = call(
        "GET", f"/api/v1/workspaces/{world.b.slug}/team/assessments/{made.json()['id']}", other
    )
    assert outside.status_code == 404
    twice = call("POST", BASE, manager, {"candidate": candidate.pk, "scenario": "inbox"}, key="h")
    assert twice.status_code == 409
