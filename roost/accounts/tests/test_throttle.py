"""Authentication abuse: spraying and account lockout, the client address behind proxies,
password-reset floods, and e-mailed links that never come from the Host header."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from roost.accounts.client_ip import client_ip
from roost.conftest import PASSWORD, World
from roost.core import clock
from roost.workspaces import services

RESET_SENT = "/password-reset/sent/"


def login(client: Client, email: str, password: str, **extra: str) -> int:
    response = client.post("/login/", {"username": email, "password": password}, **extra)
    return response.status_code


def from_address(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


# --- lockout: pair, address, account -------------------------------------------------------


def test_spraying_many_accounts_from_one_address_locks_the_address(
    world: World, settings: Any
) -> None:
    settings.ROOST_LOGIN_IP_FAILURE_LIMIT = 5  # the per-pair limit is 3 in test settings
    sprayer = from_address("198.51.100.7")
    victims = ["owner", "admin", "analyst", "customer_care", "sales"]
    codes = [login(sprayer, f"{role}@alpha.test", "Winter2026!") for role in victims]
    assert codes == [200, 200, 200, 200, 429]
    # The address is locked for every account, even with the right password…
    assert login(sprayer, "paid_media@alpha.test", PASSWORD) == 429
    # …while the same people log in from elsewhere.
    assert login(from_address("203.0.113.5"), "owner@alpha.test", PASSWORD) == 302


def test_one_account_guessed_from_many_addresses_locks_the_account(
    world: World, settings: Any
) -> None:
    settings.ROOST_LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    codes = [
        login(from_address(f"198.51.100.{n}"), "Owner@Alpha.test", f"guess-{n}")
        for n in range(1, 7)
    ]
    assert codes == [200, 200, 200, 200, 200, 429]
    # Locked for the cool-off, from any address (the spelling of the e-mail does not matter).
    assert login(from_address("203.0.113.9"), "owner@alpha.test", PASSWORD) == 429
    # Other accounts from the same addresses are untouched.
    assert login(from_address("198.51.100.1"), "admin@alpha.test", PASSWORD) == 302


def test_an_address_below_its_ceiling_is_not_locked_and_unlocks_after_the_cool_off(
    world: World, settings: Any, monkeypatch: Any
) -> None:
    settings.ROOST_LOGIN_IP_FAILURE_LIMIT = 5
    sprayer = from_address("198.51.100.8")
    for role in ("owner", "admin", "analyst", "customer_care"):
        assert login(sprayer, f"{role}@alpha.test", "nope") == 200
    # Logging into one's own account does not wipe the address's record of failures.
    assert login(from_address("198.51.100.8"), "sales@alpha.test", PASSWORD) == 302
    assert login(sprayer, "paid_media@alpha.test", "nope") == 429
    later = clock.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: later)
    assert login(sprayer, "paid_media@alpha.test", PASSWORD) == 302


# --- the client's address --------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no trusted proxy: the header is anyone's claim
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the proxy appended the client
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # fewer hops than proxies: not through them all
        (1, "not-an-address", "10.0.0.1"),
        (1, "203.0.113.7:51234", "203.0.113.7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(
    settings: Any, count: int, forwarded: str, expected: str
) -> None:
    settings.ROOST_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_spoofed_forwarded_for_does_not_escape_the_lockout(world: World) -> None:
    client = from_address("198.51.100.20")
    codes = [
        login(client, "owner@alpha.test", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        for n in range(1, 4)
    ]
    assert codes == [200, 200, 429]


def test_behind_one_proxy_each_client_is_counted_on_its_own(world: World, settings: Any) -> None:
    settings.ROOST_TRUSTED_PROXY_COUNT = 1
    proxy = from_address("10.0.0.1")  # every request arrives from the proxy
    for n in range(1, 4):  # three different people mistype once each
        xff = f"evil-claim, 192.0.2.{n}"
        assert login(proxy, "owner@alpha.test", "wrong", HTTP_X_FORWARDED_FOR=xff) == 200
    attacker = {"HTTP_X_FORWARDED_FOR": "192.0.2.66"}
    codes = [login(proxy, "owner@alpha.test", "wrong", **attacker) for _ in range(3)]
    assert codes == [200, 200, 429]
    # The owner, elsewhere behind the same proxy, is not locked out by the attacker.
    owner = {"HTTP_X_FORWARDED_FOR": "192.0.2.10"}
    assert login(proxy, "owner@alpha.test", PASSWORD, **owner) == 302


# --- password reset ----------------------------------------------------------------------


def ask_reset(client: Client, email: str, **extra: Any) -> str:
    response = client.post("/password-reset/", {"email": email}, **extra)
    assert response.status_code == 302
    return str(response["Location"])


def test_reset_requests_are_limited_per_address_asked_for(
    world: World, settings: Any, monkeypatch: Any
) -> None:
    settings.ROOST_PASSWORD_RESET_EMAIL_LIMIT = 3
    mail.outbox.clear()
    # From four different clients: the limit is on the address, wherever asks come from.
    answers = [ask_reset(from_address(f"198.51.100.{n}"), "analyst@alpha.test") for n in range(4)]
    assert answers == [RESET_SENT] * 4  # the same answer each time: no hint
    assert [m.to for m in mail.outbox] == [["analyst@alpha.test"]] * 3
    # Another account is not affected.
    ask_reset(from_address("198.51.100.9"), "admin@alpha.test")
    assert len(mail.outbox) == 4
    # An hour later the address may ask again.
    later = clock.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr("roost.core.clock.now", lambda: later)
    ask_reset(from_address("198.51.100.1"), "analyst@alpha.test")
    assert len(mail.outbox) == 5


def test_reset_requests_are_limited_per_client_address(world: World, settings: Any) -> None:
    settings.ROOST_PASSWORD_RESET_IP_LIMIT = 2
    mail.outbox.clear()
    flooder = from_address("198.51.100.30")
    emails = ["owner@alpha.test", "admin@alpha.test", "analyst@alpha.test", "nobody@alpha.test"]
    assert [ask_reset(flooder, e) for e in emails] == [RESET_SENT] * 4
    assert [m.to for m in mail.outbox] == [["owner@alpha.test"], ["admin@alpha.test"]]
    ask_reset(from_address("198.51.100.31"), "analyst@alpha.test")
    assert [m.to for m in mail.outbox][-1] == ["analyst@alpha.test"]


def test_reset_link_comes_from_the_base_url_never_the_host_header(
    world: World, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    settings.ROOST_BASE_URL = "https://roost.example.org/"
    mail.outbox.clear()
    ask_reset(Client(), "analyst@alpha.test", HTTP_HOST="evil.example")
    (sent,) = mail.outbox
    assert "evil.example" not in sent.body
    links = re.findall(r"\S+/password-reset/\S+/\S+/", sent.body)
    assert len(links) == 1 and links[0].startswith("https://roost.example.org/password-reset/")


def test_invite_link_comes_from_the_base_url_never_the_host_header(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    settings.ROOST_BASE_URL = "https://roost.example.org"
    mail.outbox.clear()
    client = world.client_for("owner")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/w/alpha/team/invites/",
            {"email": "guest@alpha.test", "roles": ["analyst"]},
            HTTP_HOST="evil.example",
        )
    assert response.status_code in (200, 302)
    (sent,) = mail.outbox
    assert "evil.example" not in sent.body
    assert re.search(r"https://roost\.example\.org/invite/inv_[\w-]+/", sent.body)


# --- pages holding a secret are never cached ------------------------------------------------


def test_invite_reset_and_review_pages_are_not_stored_by_caches(world: World) -> None:
    _invite, token = services.invite_create(
        actor=world.members["owner"], email="cache@alpha.test", roles=["analyst"]
    )
    for path in (f"/invite/{token}/", "/password-reset/", "/review/apl_unknown-token/"):
        response = Client().get(path)
        assert "no-store" in response["Cache-Control"], path
