"""The hiring pages: openings, the pipeline by stage (fixed queries), the candidate page
for HIRE and for interviewers (who see only their candidates and, before submitting,
only their own scorecard), hire showing the invite link once, and deletion."""

from __future__ import annotations

from typing import Any

from roost.conftest import World
from roost.notifications.models import Notification
from roost.team.models import Candidate, JobOpening, OnboardingTemplate, Stage
from roost.team.services import hiring as svc
from roost.workspaces.models import AuditEntry, Invite

BASE = "/w/alpha/team/hiring/"


def _setup(world: World, n: int = 1) -> tuple[JobOpening, list[Candidate]]:
    smm = world.members["social_media_manager"]
    opening = svc.opening_create(actor=smm, role="community_manager", title="Community Manager")
    people = [
        svc.candidate_create(
            actor=smm, opening=opening, name=f"Person {i}", email=f"person{i}@example.com"
        )
        for i in range(n)
    ]
    return opening, people


def test_open_a_position_makes_drafts_and_a_scorecard(world: World) -> None:
    client = world.client_for("social_media_manager")
    page = client.get(BASE)
    assert page.status_code == 200
    assert 'data-testid="openings-empty"' in page.content.decode()
    response = client.post(f"{BASE}new/", {"role": "community_manager", "title": ""})
    opening = JobOpening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{opening.pk}/"
    assert opening.title == "Community Manager"
    body = client.get(response["Location"]).content.decode()
    assert "Written replies" in body and "30.0 %" in body
    assert "What you will do" in body
    refused = client.post(f"{BASE}new/", {"role": "owner", "title": "Boss"})
    assert refused.status_code == 422
    assert JobOpening.objects.count() == 1


def test_the_pipeline_page_shows_columns_with_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    opening, _people = _setup(world, 3)
    client = world.client_for("social_media_manager")
    client.get(f"{BASE}{opening.pk}/")  # warm the session
    with django_assert_max_num_queries(18) as few:
        small = client.get(f"{BASE}{opening.pk}/")
    smm = world.members["social_media_manager"]
    more = [
        svc.candidate_create(actor=smm, opening=opening, name=f"More {i}", email=f"m{i}@e.com")
        for i in range(12)
    ]
    for c in more[:4]:
        svc.candidate_move(actor=smm, candidate=c, stage=Stage.SCREENING)
        svc.interviewers_set(actor=smm, candidate=c, member_ids=[smm.pk])
    with django_assert_max_num_queries(len(few.captured_queries)):
        big = client.get(f"{BASE}{opening.pk}/")
    assert small.status_code == big.status_code == 200
    body = big.content.decode()
    assert body.count('data-testid="candidate-card"') == 15
    for stage in Stage.values:
        assert f'data-testid="stage-{stage}"' in body
    with django_assert_max_num_queries(16) as listing:
        client.get(BASE)
    svc.opening_create(actor=smm, role="analyst", title="Analyst")
    with django_assert_max_num_queries(len(listing.captured_queries)):
        assert client.get(BASE).status_code == 200


def test_add_candidate_names_a_repeated_email(world: World) -> None:
    opening, _people = _setup(world)
    client = world.client_for("social_media_manager")
    response = client.post(
        f"{BASE}{opening.pk}/candidates/", {"name": "Again", "email": "person0@example.com"}
    )
    assert response.status_code == 422
    assert "A candidate with this e-mail address is already in this opening." in (
        response.content.decode()
    )
    assert Candidate.objects.count() == 1


def test_an_interviewer_without_hire_sees_only_their_candidate(world: World) -> None:
    opening, (mine, other) = _setup(world, 2)
    smm, creator = world.members["social_media_manager"], world.members["content_creator"]
    manager = world.client_for("social_media_manager")
    response = manager.post(
        f"{BASE}candidates/{mine.pk}/interviewers/",
        {"interviewers": [str(creator.pk), str(smm.pk)]},
    )
    assert response.status_code == 302
    note = Notification.objects.get(recipient=creator.user)
    client = world.client_for("content_creator")
    assert client.get(note.url).status_code == 200
    assert client.get(f"{BASE}candidates/{other.pk}/").status_code == 404
    assert client.get(f"{BASE}{opening.pk}/").status_code == 403
    listing = client.get(BASE).content.decode()
    assert f"Candidate #{mine.pk}" in listing
    assert f"Candidate #{other.pk}" not in listing
    assert 'data-testid="openings"' not in listing

    # The manager's scorecard is in; the creator sees that one exists, not what it says.
    scores = {f"score_{c.pk}": "5" for c in opening.criteria.all()}
    manager.post(
        f"{BASE}candidates/{mine.pk}/scorecard/",
        {**scores, "notes": "Manager's secret notes", "recommendation": "hire"},
    )
    page = client.get(f"{BASE}candidates/{mine.pk}/").content.decode()
    assert "Manager&#x27;s secret notes" not in page and "Manager's secret notes" not in page
    assert 'data-testid="hidden-scorecards"' in page
    assert 'data-testid="stage-form"' not in page and 'data-testid="delete"' not in page
    own = {f"score_{c.pk}": "3" for c in opening.criteria.all()}
    response = client.post(
        f"{BASE}candidates/{mine.pk}/scorecard/", {**own, "notes": "", "recommendation": "unsure"}
    )
    assert response.status_code == 302
    page = client.get(f"{BASE}candidates/{mine.pk}/").content.decode()
    assert "Manager&#x27;s secret notes" in page
    assert "Average weighted score: 4.0 of 5 (2 scorecards)" in page
    # Still no writes beyond their own scorecard.
    for path in ("stage/", "delete/", "interviewers/"):
        assert (
            client.post(f"{BASE}candidates/{mine.pk}/{path}", {"stage": "screening"}).status_code
            == 403
        )
    assert Candidate.objects.get(pk=mine.pk).stage == Stage.SOURCED


def test_stage_errors_are_shown_in_words(world: World) -> None:
    _opening, (c,) = _setup(world)
    client = world.client_for("social_media_manager")
    response = client.post(f"{BASE}candidates/{c.pk}/stage/", {"stage": "hired"})
    assert response.status_code == 422
    assert "Make an offer before hiring" in response.content.decode()
    assert client.post(f"{BASE}candidates/{c.pk}/stage/", {"stage": "offer"}).status_code == 302
    assert Candidate.objects.get(pk=c.pk).stage == Stage.OFFER


def test_hire_shows_the_invite_link_once(world: World) -> None:
    OnboardingTemplate.objects.create(workspace=world.a, name="CM plan", role="community_manager")
    _opening, (c,) = _setup(world)
    client = world.client_for("social_media_manager")
    client.post(f"{BASE}candidates/{c.pk}/stage/", {"stage": "offer"})
    response = client.post(f"{BASE}candidates/{c.pk}/stage/", {"stage": "hired"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="invite-link"' in body and "/invite/" in body
    assert "The onboarding plan “CM plan” starts when they accept." in body
    assert Invite.objects.filter(email="person0@example.com").count() == 1
    again = client.get(f"{BASE}candidates/{c.pk}/").content.decode()
    assert 'data-testid="invite-link"' not in again


def test_delete_on_request(world: World) -> None:
    opening, (c,) = _setup(world)
    client = world.client_for("social_media_manager")
    response = client.post(f"{BASE}candidates/{c.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}{opening.pk}/"
    assert not Candidate.objects.exists()
    assert AuditEntry.objects.filter(action="hiring.candidate_deleted").count() == 1


def test_the_scorecard_form_edits_criteria(world: World) -> None:
    opening, _people = _setup(world)
    client = world.client_for("social_media_manager")
    criteria = list(opening.criteria.all())
    data: dict[str, str] = {"rows": str(len(criteria) + 1)}
    for i, c in enumerate(criteria):
        data |= {f"c{i}-id": str(c.pk), f"c{i}-name": c.name, f"c{i}-weight": str(c.weight)}
    data[f"c{0}-remove"] = "1"
    n = len(criteria)
    data |= {f"c{n}-id": "", f"c{n}-name": "Crisis calm", f"c{n}-weight": "4"}
    assert client.post(f"{BASE}{opening.pk}/scorecard/", data).status_code == 302
    names = list(opening.criteria.values_list("name", "weight"))
    assert names[0] == ("Triage judgement", 3) and names[-1] == ("Crisis calm", 4)
    assert len(names) == 5
    bad = {**data, f"c{n}-weight": "11", f"c{n}-name": "Other"}
    response = client.post(f"{BASE}{opening.pk}/scorecard/", bad)
    assert response.status_code == 422
    assert "must be a whole number from 1 to 10" in response.content.decode()
    assert list(opening.criteria.values_list("name", "weight")) == names
    everything = {"rows": "1", "c0-id": str(opening.criteria.first().pk), "c0-remove": "1"}
    response = client.post(f"{BASE}{opening.pk}/scorecard/", everything)
    assert response.status_code == 422
    assert "A scorecard needs at least one criterion." in response.content.decode()
