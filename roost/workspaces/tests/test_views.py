"""Team pages: what each person sees, htmx partials, and form errors in words."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from roost.conftest import World
from roost.workspaces.models import Invite, Membership
from roost.workspaces.seeding import seed_member


def test_team_page_lists_members_groups_and_invites(world: World) -> None:
    response = world.client_for("owner").get("/w/alpha/team/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha Social Data Analyst" in html and "admin@alpha.test" in html
    assert "Legal review" in html
    assert "newbie@alpha.test" in html  # open invite
    assert "Send invite" in html


def test_team_page_query_count_does_not_grow_with_members(world: World) -> None:
    client = world.client_for("owner")
    client.get("/w/alpha/team/")
    with CaptureQueriesContext(connection) as before:
        client.get("/w/alpha/team/")
    from roost.conftest import make_user

    for i in range(10):
        seed_member(world.a, make_user(f"extra{i}@alpha.test"), ["analyst"])
    with CaptureQueriesContext(connection) as after:
        response = client.get("/w/alpha/team/")
    assert response.status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)


def test_members_without_manage_rights_see_no_management(world: World) -> None:
    html = world.client_for("sales").get("/w/alpha/team/").content.decode()
    assert "admin@alpha.test" in html
    assert "Send invite" not in html and "newbie@alpha.test" not in html


def test_invite_over_htmx_returns_only_the_invites_partial(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client_for("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/w/alpha/team/invites/",
            {"email": "fresh@alpha.test", "roles": ["analyst"]},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="invites"')
    assert "fresh@alpha.test" in html and "<html" not in html
    assert Invite.objects.filter(email="fresh@alpha.test", workspace=world.a).exists()


def test_invalid_invite_shows_field_errors_and_saves_nothing(world: World) -> None:
    count = Invite.objects.count()
    response = world.client_for("owner").post(
        "/w/alpha/team/invites/", {"email": "nobody", "roles": []}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "“nobody” is not an e-mail address." in html
    assert "Choose at least one role." in html
    assert Invite.objects.count() == count


def test_member_roles_edit(world: World) -> None:
    member = world.members["content_creator"]
    client = world.client_for("admin")
    url = f"/w/alpha/team/members/{member.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"roles": ["content_creator", "paid_media"]})
    assert response.status_code == 302
    assert Membership.objects.get(pk=member.pk).role_codes == ["content_creator", "paid_media"]
    # Owner is not among an Admin's choices at all, and a forged post is refused.
    html = client.get(url).content.decode()
    assert 'value="owner"' not in html and 'value="analyst"' in html
    response = client.post(url, {"roles": ["owner"]})
    assert response.status_code == 422
    assert "owner is not one of the available choices" in response.content.decode()
    assert Membership.objects.get(pk=member.pk).role_codes == ["content_creator", "paid_media"]


def test_team_page_offers_only_what_the_actor_may_do(world: World) -> None:
    html = world.client_for("social_media_manager").get("/w/alpha/team/").content.decode()
    admin, creator = world.members["admin"], world.members["content_creator"]
    assert f"/team/members/{creator.pk}/remove/" in html
    assert f"/team/members/{admin.pk}/remove/" not in html
    assert 'value="paid_media"' not in html and 'value="sales"' in html


def test_workspace_switcher_lists_only_my_workspaces(world: World) -> None:
    user = world.members["social_media_manager"].user
    seed_member(world.b, user, ["analyst"])
    client = world.client_for("social_media_manager")
    html = client.get("/w/alpha/team/").content.decode()
    assert world.b.name in html  # now a member of both
    other = world.client_for("analyst").get("/w/alpha/team/").content.decode()
    assert world.b.name not in other


def test_home_goes_to_the_last_workspace(world: World) -> None:
    client = world.client_for("owner")
    assert client.get("/").headers["Location"] == "/w/alpha/"
    # The workspace's address is its home page ("Today"), for every role.
    assert client.get("/w/alpha/").status_code == 200
    care = world.client_for("customer_care")
    assert care.get("/w/alpha/").status_code == 200
    assert care.get("/w/alpha/inbox/").status_code == 200


def test_workspace_settings_and_audit(world: World) -> None:
    client = world.client_for("owner")
    response = client.post(
        "/w/alpha/settings/", {"name": "Alpha Brand", "timezone": "Europe/Warsaw", "language": "pl"}
    )
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert (world.a.name, world.a.language) == ("Alpha Brand", "pl")
    html = client.get("/w/alpha/audit/").content.decode()
    # In Polish now (the workspace's new language): the field names are translated.
    assert (
        "Alpha Owner: zmieniono ustawienia przestrzeni roboczej: nazwa: z Alpha na Alpha Brand"
        in html
    )
    assert "zaproszono" in html and "invite.created" not in html.split("<tbody>")[1].replace(
        'data-action="invite.created"', ""
    )
    assert "„For review in Alpha”" in html  # Polish quotation marks around a post's title


def test_create_workspace_from_the_ui(world: World) -> None:
    client = world.client_for("owner")  # an Owner may, by default (ROOST_WORKSPACE_CREATION)
    response = client.post(
        "/workspaces/new/", {"name": "Side Project", "timezone": "UTC", "language": "en"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/w/side-project/team/"


def test_token_page_shows_the_secret_once(world: World) -> None:
    client = world.client_for("analyst")
    response = client.post("/w/alpha/tokens/", {"name": "reporting", "scopes": ["read"]})
    html = response.content.decode()
    match = re.search(r'data-testid="token-secret">(roost_[^<]+)</code>', html)
    assert match is not None and "will not be shown again" in html
    secret = match.group(1)
    later = client.get("/w/alpha/tokens/").content.decode()
    assert secret not in later and secret[:12] in later
