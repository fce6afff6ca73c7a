"""The candidate's way in and its limits: the link works once, the login ends at its expiry
on every request, works only in the assessment workspace, never with a password or the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from roost.accounts.models import User
from roost.conftest import World
from roost.core import clock
from roost.core.exceptions import PermissionDenied
from roost.routes import fill
from roost.team.tests.assessment_fixtures import make_exercise, started_client
from roost.web.tests.test_isolation import WORKSPACE_ROUTES, samples
from roost.workspaces import services
from roost.workspaces.access import may_create_workspace
from roost.workspaces.models import Membership


def test_the_link_shows_the_brief_and_start_logs_in_once(world: World) -> None:
    assessment, secret = make_exercise(world)
    client = Client()
    page = client.get(f"/assess/{secret}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Practical exercise: Community Manager" in body
    assert "Start" in body
    assert client.session.get("_auth_user_id") is None  # the page alone logs nobody in

    response = client.post(f"/assess/{secret}/")
    assert response.status_code == 302
    assert response["Location"] == f"/w/{assessment.workspace.slug}/inbox/"
    assert int(client.session["_auth_user_id"]) == assessment.login_id
    assessment.refresh_from_db()
    assert assessment.started_at is not None
    assert client.get(response["Location"]).status_code == 200

    # Used up: a second browser gets a clear refusal, and is not logged in.
    other = Client()
    for method in (other.get, other.post):
        again = method(f"/assess/{secret}/")
        assert again.status_code == 410
        assert "works once" in again.content.decode()
    assert other.session.get("_auth_user_id") is None


def test_the_campaign_link_lands_on_compose(world: World) -> None:
    assessment, secret = make_exercise(world, "campaign")
    response = Client().post(f"/assess/{secret}/")
    assert response["Location"] == f"/w/{assessment.workspace.slug}/compose/"


@pytest.mark.parametrize("token", ["asm_unknown", "nonsense", "x" * 300])
def test_an_unknown_link_is_a_404(world: World, token: str) -> None:
    make_exercise(world)
    response = Client().post(f"/assess/{token}/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_an_expired_link_is_refused(world: World, monkeypatch: Any) -> None:
    assessment, secret = make_exercise(world)
    later = assessment.expires_at + timedelta(seconds=1)
    monkeypatch.setattr("roost.core.clock.now", lambda: later)
    response = Client().post(f"/assess/{secret}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.started_at is None


def test_expiry_ends_the_session_on_the_next_request(world: World, monkeypatch: Any) -> None:
    assessment, secret = make_exercise(world)
    client = started_client(secret)
    inbox = f"/w/{assessment.workspace.slug}/inbox/"
    assert client.get(inbox).status_code == 200
    later = assessment.expires_at + timedelta(minutes=1)
    monkeypatch.setattr("roost.core.clock.now", lambda: later)
    response = client.get(inbox)
    assert response.status_code == 401
    assert "This assessment login expired at" in response.content.decode()
    assert client.session.get("_auth_user_id") is None
    api = client.get(f"/api/v1/workspaces/{assessment.workspace.slug}/inbox")
    assert api.status_code == 401


def test_the_expiry_answers_json_under_the_api(world: World, monkeypatch: Any) -> None:
    assessment, secret = make_exercise(world)
    client = started_client(secret)
    later = assessment.expires_at + timedelta(minutes=1)
    monkeypatch.setattr("roost.core.clock.now", lambda: later)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This assessment login expired at")


def test_no_password_login_and_no_api_token(world: World) -> None:
    assessment, _secret = make_exercise(world)
    login = assessment.login
    login.set_password("a-password-someone-set-123")
    login.save()
    response = Client().post(
        "/login/", {"username": login.email, "password": "a-password-someone-set-123"}
    )
    assert response.status_code == 200
    assert "This login is temporary" in response.content.decode()
    member = Membership.objects.get(user=login)
    with pytest.raises(PermissionDenied):
        services.token_create(actor=member, name="x", scopes=["read"])
    # A token that exists anyway (made before the login became temporary) is refused.
    User.objects.filter(pk=login.pk).update(access_expires_at=None)
    member.user.access_expires_at = None
    _token, secret = services.token_create(actor=member, name="x", scopes=["read"])
    User.objects.filter(pk=login.pk).update(access_expires_at=clock.now() + timedelta(days=1))
    assert services.token_authenticate(secret) is None
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_the_candidate_creates_no_workspace(world: World, settings: Any) -> None:
    assessment, secret = make_exercise(world)
    client = started_client(secret)
    settings.ROOST_WORKSPACE_CREATION = "anyone"
    assert not may_create_workspace(assessment.login)
    response = client.post(
        "/workspaces/new/", {"name": "Mine", "timezone": "UTC", "language": "en"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert Membership.objects.filter(user=assessment.login).count() == 1
    home = client.get(f"/w/{assessment.workspace.slug}/").content.decode()
    assert f'href="/w/{world.a.slug}/"' not in home  # the switcher lists this one only
    assert "New workspace" not in home


def test_the_candidate_walks_alpha_and_never_gets_in(world: World) -> None:
    """Every workspace route of workspace "alpha", GET and POST, as the candidate: 404."""
    _assessment, secret = make_exercise(world)
    client = started_client(secret)
    values = samples(world, world.members["owner"])
    for route, _cb in WORKSPACE_ROUTES:
        url = fill(route, values)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, (route, response.status_code)


def test_the_banner_and_the_exercise_page(world: World) -> None:
    assessment, secret = make_exercise(world)
    client = started_client(secret)
    slug = assessment.workspace.slug
    inbox = client.get(f"/w/{slug}/inbox/").content.decode()
    assert 'data-testid="assessment-banner"' in inbox
    page = client.get(f"/w/{slug}/assessment/").content.decode()
    assert "Submit my exercise" in page
    assert "ten messages" in page
    # The manager's own pages carry no banner; in the hiring workspace there is no exercise.
    manager = Client()
    manager.force_login(world.members["social_media_manager"].user)
    assert (
        'data-testid="assessment-banner"' not in manager.get(f"/w/{slug}/inbox/").content.decode()
    )
    alpha = manager.get(f"/w/{world.a.slug}/assessment/").content.decode()
    assert "not an assessment workspace" in alpha
