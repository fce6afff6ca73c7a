"""Webhook signing secrets: encrypted at rest, and rotated with a grace period in which
each delivery carries both signatures."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from roost.conftest import World
from roost.core import crypto
from roost.inbox.models import WebhookDelivery, WebhookEndpoint
from roost.inbox.services import config, triage, webhooks
from roost.inbox.tests.conftest import put
from roost.workspaces.models import AuditEntry
from roost.workspaces.roles import MATRIX, Perm, Role

URL = "/w/alpha/inbox/settings/webhooks/"


def verify(secret: str, headers: dict[str, str], raw_body: bytes) -> bool:
    """The receiver's check, as docs/webhooks.md gives it: any listed signature matches."""
    stamp = headers.get("X-Roost-Timestamp", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
        return False
    expected = (
        "sha256="
        + hmac.new(secret.encode(), stamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    )
    listed = [s.strip() for s in headers.get("X-Roost-Signature", "").split(",")]
    return any(hmac.compare_digest(s, expected) for s in listed)


def signed_with(secret: str, stamp: str, body: bytes) -> str:
    return "sha256=" + triage.signature(secret, stamp, body)


class Captured:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.url = ""


@pytest.fixture
def capture(settings: Any) -> Iterator[Captured]:
    """A local receiver that answers 204 and keeps each request's headers and raw body;
    allow-listed, as an internal CRM would be (ROOST_ALLOW_PRIVATE_HOSTS)."""
    state = Captured()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append((dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    settings.ROOST_ALLOW_PRIVATE_HOSTS = [
        *settings.ROOST_ALLOW_PRIVATE_HOSTS,
        f"127.0.0.1:{server.server_address[1]}",
    ]
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def frozen(monkeypatch: Any) -> dict[str, datetime]:
    """Roost's clock, held at a chosen instant (tests move it forward)."""
    holder = {"now": datetime.now().astimezone()}
    monkeypatch.setattr("roost.core.clock.now", lambda: holder["now"])
    return holder


def make_endpoint(world: World, url: str = "https://crm.example/hook") -> tuple[Any, str]:
    return config.endpoint_create(actor=world.members["owner"], name="CRM", url=url, task_kinds=[])


def deliver(world: World, endpoint: WebhookEndpoint, rid: str) -> None:
    """One task, so one delivery to `endpoint`, sent now."""
    message = put(world.a_channel, rid, "Do you sell wholesale?")
    triage.task_create(actor=world.members["owner"], message=message, kind="lead")
    assert webhooks.send_due() == 1
    assert WebhookDelivery.objects.get(endpoint=endpoint, status="sent")
    WebhookDelivery.objects.filter(endpoint=endpoint).delete()


# --- at rest ---------------------------------------------------------------------------


def test_the_secret_is_stored_encrypted_and_signs_as_shown(world: World, capture: Captured) -> None:
    endpoint, secret = make_endpoint(world, capture.url)
    assert secret.startswith("whsec_") and len(secret) == 6 + 43

    (stored,) = WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list(
        "secret_encrypted", flat=True
    )
    assert "whsec_" not in stored and secret not in stored
    assert crypto.decrypt_json(stored) == {"secret": secret}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {WebhookEndpoint._meta.db_table} WHERE id = %s",
            [endpoint.pk],
        )
        row = cursor.fetchone()
    assert not any("whsec_" in str(value) for value in row)
    assert "secret" not in {f.column for f in WebhookEndpoint._meta.concrete_fields}

    deliver(world, endpoint, "s-1")
    ((headers, body),) = capture.requests
    stamp = headers["X-Roost-Timestamp"]
    assert headers["X-Roost-Signature"] == signed_with(secret, stamp, body)
    assert verify(secret, headers, body)
    assert not verify("whsec_something-else", headers, body)


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_plaintext_secrets_and_reverses() -> None:
    from roost.accounts.models import User
    from roost.workspaces.services import workspace_create

    owner = User.objects.create_user("m@alpha.test", "correct-horse-battery-staple")
    workspace = workspace_create(actor=owner, name="Migrated", timezone="UTC")
    before, after = [("inbox", "0004_replydraft")], [("inbox", "0005_webhook_secret_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("inbox", "WebhookEndpoint")
    old.objects.create(
        workspace_id=workspace.pk, name="Old CRM", url="https://crm.example/", secret="whsec_old"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    # The model as it is now needs every later migration too.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    endpoint = WebhookEndpoint.objects.get(name="Old CRM")
    assert "whsec_" not in endpoint.secret_encrypted
    assert endpoint.secret == "whsec_old"
    assert (endpoint.previous_secret_encrypted, endpoint.previous_secret_expires_at) == ("", None)

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("inbox", "WebhookEndpoint")
    assert old.objects.get(name="Old CRM").secret == "whsec_old"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


# --- rotation --------------------------------------------------------------------------


def test_rotation_signs_with_both_secrets_until_the_grace_ends(
    world: World, capture: Captured, frozen: dict[str, datetime]
) -> None:
    endpoint, old_secret = make_endpoint(world, capture.url)
    client = world.client_for("owner")
    start = frozen["now"]

    response = client.post(f"{URL}{endpoint.pk}/rotate/")  # the default grace: 24 hours
    assert response.status_code == 200
    endpoint.refresh_from_db()
    new_secret = endpoint.secret
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    html = response.content.decode()
    assert f'value="{new_secret}"' in html  # shown once, now
    assert "New signing secret for “CRM”" in html
    assert new_secret not in client.get("/w/alpha/inbox/settings/").content.decode()
    assert endpoint.previous_secret_expires_at == start + timedelta(hours=24)
    assert "whsec_" not in endpoint.previous_secret_encrypted
    entry = AuditEntry.objects.get(action="inbox.webhook_secret_rotated")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        world.members["owner"].user,
        "webhookendpoint",
        str(endpoint.pk),
    )
    assert entry.data == {"previous_valid_until": (start + timedelta(hours=24)).isoformat()}
    assert 'data-testid="grace"' in client.get("/w/alpha/inbox/settings/").content.decode()

    # In the grace period: the new signature first, then the old; each verifies.
    frozen["now"] = start + timedelta(hours=23, minutes=59)
    deliver(world, endpoint, "r-1")
    headers, body = capture.requests[-1]
    stamp = headers["X-Roost-Timestamp"]
    assert headers["X-Roost-Signature"] == (
        f"{signed_with(new_secret, stamp, body)}, {signed_with(old_secret, stamp, body)}"
    )
    assert verify(new_secret, headers, body) and verify(old_secret, headers, body)

    # After it: only the new secret signs.
    frozen["now"] = start + timedelta(hours=24)
    deliver(world, endpoint, "r-2")
    headers, body = capture.requests[-1]
    assert headers["X-Roost-Signature"] == signed_with(
        new_secret, headers["X-Roost-Timestamp"], body
    )
    assert verify(new_secret, headers, body)
    assert not verify(old_secret, headers, body)
    assert 'data-testid="grace"' not in client.get("/w/alpha/inbox/settings/").content.decode()


def test_rotating_again_or_without_grace_drops_the_oldest_secret(
    world: World, frozen: dict[str, datetime]
) -> None:
    owner = world.members["owner"]
    endpoint, first = make_endpoint(world)
    endpoint, second = config.endpoint_rotate_secret(actor=owner, endpoint=endpoint)
    endpoint, third = config.endpoint_rotate_secret(
        actor=owner, endpoint=endpoint, grace=timedelta(hours=1)
    )
    assert endpoint.signing_secrets(frozen["now"]) == [third, second]
    assert endpoint.previous_secret_expires_at == frozen["now"] + timedelta(hours=1)

    client = world.client_for("owner")
    response = client.post(f"{URL}{endpoint.pk}/rotate/", {"grace_hours": "0"})
    assert response.status_code == 200
    assert "The old secret no longer signs deliveries." in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets(frozen["now"]) == [endpoint.secret]
    assert endpoint.secret not in (first, second, third)
    assert (endpoint.previous_secret_encrypted, endpoint.previous_secret_expires_at) == ("", None)

    before = endpoint.secret_encrypted
    response = client.post(f"{URL}{endpoint.pk}/rotate/", {"grace_hours": "9999"})
    assert response.status_code == 422
    assert "Choose how long the old secret keeps signing." in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret_encrypted == before


def test_only_webhook_managers_rotate_and_only_their_own_workspace(world: World) -> None:
    endpoint, secret = make_endpoint(world)
    url = f"{URL}{endpoint.pk}/rotate/"
    audit = AuditEntry.objects.count()
    for role in Role:
        if Perm.MANAGE_SETTINGS in MATRIX[role]:
            continue
        response = world.client_for(role.value).post(url)
        assert response.status_code == 403, role
    outsider = Client()
    outsider.force_login(world.b_owner.user)
    assert outsider.post(url).status_code == 404
    anonymous = Client().post(url)
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/login/?next={url}")
    # A's owner naming B's endpoint through A's address.
    b_endpoint = world.b_inbox.endpoint
    response = world.client_for("owner").post(f"{URL}{b_endpoint.pk}/rotate/")
    assert response.status_code == 404
    assert world.client_for("owner").get(url).status_code == 405

    endpoint.refresh_from_db()
    b_endpoint.refresh_from_db()
    assert endpoint.secret == secret and endpoint.previous_secret_encrypted == ""
    assert b_endpoint.secret == "whsec_fixture" and b_endpoint.previous_secret_encrypted == ""
    assert AuditEntry.objects.count() == audit


def test_rotate_secrets_moves_webhook_secrets_to_the_newest_key(
    world: World, settings: Any, frozen: dict[str, datetime]
) -> None:
    owner = world.members["owner"]
    endpoint, first = make_endpoint(world)
    endpoint, second = config.endpoint_rotate_secret(actor=owner, endpoint=endpoint)
    expired, _secret = make_endpoint(world)
    config.endpoint_rotate_secret(actor=owner, endpoint=expired, grace=timedelta(hours=1))
    frozen["now"] += timedelta(hours=2)
    new_key = Fernet.generate_key()
    settings.ROOST_SECRET_KEYS = [new_key.decode()]
    out = StringIO()
    call_command("rotate_secrets", stdout=out)
    # Ours, the expired one, and each workspace's fixture endpoint.
    assert "re-encrypted 4 webhook endpoint(s); 0 unreadable" in out.getvalue()
    expired.refresh_from_db()
    assert (expired.previous_secret_encrypted, expired.previous_secret_expires_at) == ("", None)

    # They open with the new key alone.
    fernet = Fernet(new_key)
    endpoint.refresh_from_db()
    assert (
        fernet.decrypt(endpoint.secret_encrypted.encode()) == f'{{"secret": "{second}"}}'.encode()
    )
    assert fernet.decrypt(endpoint.previous_secret_encrypted.encode()) == (
        f'{{"secret": "{first}"}}'.encode()
    )
    settings.ROOST_SECRET_KEYS = []
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt_json(endpoint.secret_encrypted)
