"""Login with lockout, password reset, signing up through an invite, and language."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client

from roost.accounts.models import User
from roost.conftest import PASSWORD, World
from roost.workspaces import services
from roost.workspaces.models import Membership


def login(client: Client, email: str, password: str) -> Any:
    return client.post("/login/", {"username": email, "password": password})


def test_login_and_logout(world: World) -> None:
    client = Client()
    response = login(client, "owner@alpha.test", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/w/alpha/team/").status_code == 200
    client.post("/logout/")
    assert client.get("/w/alpha/team/").status_code == 302


def test_wrong_password_says_so_and_repeated_failures_lock_out(world: World) -> None:
    client = Client()
    response = login(client, "owner@alpha.test", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password" in response.content.decode()
    login(client, "owner@alpha.test", "wrong")
    response = login(client, "owner@alpha.test", "wrong")  # third failure: the test limit
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    # Even the right password is refused while locked.
    response = login(client, "owner@alpha.test", PASSWORD)
    assert response.status_code == 429


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from roost.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_password_reset_by_email(world: World) -> None:
    client = Client()
    mail.outbox.clear()
    response = client.post("/password-reset/", {"email": "analyst@alpha.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/password-reset/\S+/\S+/", mail.outbox[0].body)
    assert link is not None
    path = link.group(0).split("testserver", 1)[-1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase-42"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert User.objects.get(email="analyst@alpha.test").check_password(new_password)


def test_signup_through_an_invite(world: World) -> None:
    _invite, token = services.invite_create(
        actor=world.members["owner"], email="fresh@person.test", roles=["community_manager"]
    )
    client = Client()
    page = client.get(f"/invite/{token}/")
    assert page.status_code == 200 and "Create your account" in page.content.decode()
    weak = client.post(f"/invite/{token}/", {"name": "Fresh", "password": "123"})
    assert weak.status_code == 422
    assert "too short" in weak.content.decode()
    assert not User.objects.filter(email="fresh@person.test").exists()
    response = client.post(
        f"/invite/{token}/", {"name": "Fresh Person", "password": PASSWORD + "!"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/w/alpha/team/"
    member = Membership.objects.get(user__email="fresh@person.test", workspace=world.a)
    assert member.role_codes == ["community_manager"]
    assert client.get(f"/invite/{token}/").status_code == 404


def test_existing_user_accepts_while_logged_in(world: World) -> None:
    _invite, token = services.invite_create(
        actor=world.b_owner, email="analyst@alpha.test", roles=["analyst"]
    )
    anonymous = Client().get(f"/invite/{token}/").content.decode()
    assert "Log in to accept" in anonymous
    client = world.client_for("analyst")
    response = client.post(f"/invite/{token}/")
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="analyst@alpha.test", workspace=world.b).exists()


def test_language_switch_turns_the_ui_polish(world: World) -> None:
    client = world.client_for("social_media_manager")
    response = client.post("/account/language/", {"language": "pl", "next": "/w/alpha/team/"})
    assert response.headers["Location"] == "/w/alpha/team/"
    html = client.get("/w/alpha/team/").content.decode()
    assert '<html lang="pl">' in html
    assert "Zespół" in html
    # Unsafe redirect targets are ignored.
    response = client.post("/account/language/", {"language": "en", "next": "https://evil.test/"})
    assert response.headers["Location"] == "/"


def test_workspace_language_applies_when_the_user_has_none(world: World) -> None:
    services.workspace_update(
        actor=world.members["owner"], name="Alpha", timezone="Europe/Warsaw", language="pl"
    )
    html = world.client_for("analyst").get("/w/alpha/team/").content.decode()
    assert '<html lang="pl">' in html


def test_profile_rejects_unknown_language(world: World) -> None:
    client = world.client_for("analyst")
    response = client.post("/account/", {"name": "Ania", "language": "tlh"})
    assert response.status_code == 422
    assert User.objects.get(email="analyst@alpha.test").language == ""
