"""The hiring API: openings (create once per Idempotency-Key, read with criteria and
drafts), candidates (add, list, read, move, hire, delete), one's own scorecard, and who may
do what (HIRE + hiring:write for writes; interviewers per the page rules)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from roost.api.models import IdempotentRequest
from roost.conftest import World, token_for
from roost.team.models import Candidate, JobOpening, OnboardingTemplate, PendingPlan
from roost.team.services import hiring as svc
from roost.workspaces.models import AuditEntry, Invite

BASE = "/api/v1/workspaces/alpha/team/hiring"


def call(method: str, url: str, token: str, body: Any = None, key: str | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().generic(
        method, url, data=json.dumps(body or {}), content_type="application/json", **headers
    )


def test_open_a_position_once_per_key_and_read_it(world: World) -> None:
    token = token_for(world.members["social_media_manager"])
    payload = {"role": "community_manager", "title": "Community Manager"}
    first = call("POST", f"{BASE}/openings", token, payload, key="k-1")
    again = call("POST", f"{BASE}/openings", token, payload, key="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert JobOpening.objects.count() == 1
    got = first.json()
    assert [c["weight"] for c in got["criteria"]] == [3, 3, 2, 1, 1]
    assert [c["share_percent"] for c in got["criteria"]] == [30.0, 30.0, 20.0, 10.0, 10.0]
    assert got["description_en"] != got["description_pl"]
    one = call("GET", f"{BASE}/openings/{got['id']}", token)
    assert one.status_code == 200 and one.json()["criteria"] == got["criteria"]
    listed = call("GET", f"{BASE}/openings", token).json()
    assert [(o["id"], o["candidates"]) for o in listed] == [(got["id"], 0)]
    bad = call("POST", f"{BASE}/openings", token, {"role": "owner"}, key="k-2")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["msg"] == "Choose one of the roles."


def test_candidates_through_the_api(world: World) -> None:
    OnboardingTemplate.objects.create(workspace=world.a, name="CM plan", role="community_manager")
    smm = world.members["social_media_manager"]
    token = token_for(smm)
    opening = svc.opening_create(actor=smm, role="community_manager", title="CM")
    url = f"{BASE}/openings/{opening.pk}/candidates"
    person = {"name": "Ola Nowak", "email": "ola@example.com", "source": "referral"}
    made = call("POST", url, token, person, key="c-1")
    assert made.status_code == 201
    cid = made.json()["id"]
    assert made.json() == {"id": cid, "opening": opening.pk, "stage": "sourced"}
    stored = IdempotentRequest.objects.get(key="c-1").response_body
    assert "ola" not in json.dumps(stored).lower()  # nothing personal kept for retries
    twice = call("POST", url, token, person, key="c-2")
    assert twice.status_code == 422
    assert "already in this opening" in twice.json()["detail"][0]["msg"]
    assert [c["email"] for c in call("GET", url, token).json()] == ["ola@example.com"]
    for stage in ("screening", "offer"):
        moved = call("POST", f"{BASE}/candidates/{cid}/stage", token, {"stage": stage})
        assert moved.status_code == 200 and moved.json()["stage"] == stage
    back = call("POST", f"{BASE}/candidates/{cid}/stage", token, {"stage": "sourced"})
    assert back.status_code == 422
    hired = call("POST", f"{BASE}/candidates/{cid}/stage", token, {"stage": "hired"})
    assert hired.status_code == 200
    invite = Invite.objects.get(email="ola@example.com")
    assert hired.json() == {
        "id": cid,
        "stage": "hired",
        "invite": invite.pk,
        "onboarding_template": "CM plan",
    }
    assert PendingPlan.objects.filter(invite=invite).count() == 1
    gone = call("DELETE", f"{BASE}/candidates/{cid}", token)
    assert gone.status_code == 204
    assert not Candidate.objects.exists()
    assert call("GET", f"{BASE}/candidates/{cid}", token).status_code == 404


def test_interviewers_score_and_read_per_the_page_rules(world: World) -> None:
    smm, creator = world.members["social_media_manager"], world.members["content_creator"]
    opening = svc.opening_create(actor=smm, role="community_manager", title="CM")
    mine = svc.candidate_create(actor=smm, opening=opening, name="A", email="a@example.com")
    other = svc.candidate_create(actor=smm, opening=opening, name="B", email="b@example.com")
    svc.interviewers_set(actor=smm, candidate=mine, member_ids=[creator.pk, smm.pk])
    scores = {str(c.pk): 4 for c in opening.criteria.all()}
    manager = token_for(smm)
    r = call(
        "POST",
        f"{BASE}/candidates/{mine.pk}/evaluation",
        manager,
        {"scores": scores, "notes": "secret", "recommendation": "hire"},
        key="e-1",
    )
    assert r.status_code == 200 and r.json()["weighted_score"] == 4.0
    token = token_for(creator)
    assert call("GET", f"{BASE}/candidates/{other.pk}", token).status_code == 404
    assert call("GET", f"{BASE}/openings", token).status_code == 403
    seen = call("GET", f"{BASE}/candidates/{mine.pk}", token).json()
    assert (seen["evaluations"], seen["hidden_evaluations"]) == ([], 1)
    audit = AuditEntry.objects.count()
    denied = call("POST", f"{BASE}/candidates/{mine.pk}/stage", token, {"stage": "screening"})
    assert denied.status_code == 403 and AuditEntry.objects.count() == audit
    assert call("DELETE", f"{BASE}/candidates/{mine.pk}", token).status_code == 403
    bad = call(
        "POST",
        f"{BASE}/candidates/{mine.pk}/evaluation",
        token,
        {"scores": {k: 9 for k in scores}, "recommendation": "hire"},
    )
    assert bad.status_code == 422
    ok = call(
        "POST",
        f"{BASE}/candidates/{mine.pk}/evaluation",
        token,
        {"scores": {k: 2 for k in scores}, "recommendation": "no_hire"},
    )
    assert ok.status_code == 200 and ok.json()["weighted_score"] == 2.0
    seen = call("GET", f"{BASE}/candidates/{mine.pk}", token).json()
    assert sorted(e["weighted_score"] for e in seen["evaluations"]) == [2.0, 4.0]
    assert seen["average_score"] == 3.0
    narrow = token_for(smm, ["read"])
    refused = call("POST", f"{BASE}/openings", narrow, {"role": "analyst"})
    assert refused.status_code == 403 and "hiring:write" in refused.json()["detail"]
