"""A token's "last used" is bookkeeping: written at most once a minute, and never the reason
an API read fails or stalls."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roost.conftest import World, token_for
from roost.workspaces.models import ApiToken

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2031, 3, 5, 12, 0, tzinfo=UTC)


def me(secret: str) -> Any:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_read_succeeds_when_the_last_used_write_fails(world: World, monkeypatch: Any) -> None:
    secret = token_for(world.members["analyst"], ["read"])
    real_update = QuerySet.update
    attempts: list[str] = []

    def update(self: QuerySet[Any], **kwargs: Any) -> int:
        if self.model is ApiToken:
            attempts.append(",".join(sorted(kwargs)))
            raise OperationalError("database is locked")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update)
    response = me(secret)
    assert response.status_code == 200
    assert response.json()["email"] == "analyst@alpha.test"
    assert attempts == ["last_used_at"]
    assert ApiToken.objects.get().last_used_at is None
    # The failed write left the connection (and the test's transaction) usable.
    assert me(secret).status_code == 200 and attempts == ["last_used_at", "last_used_at"]


def test_last_used_is_written_at_most_once_a_minute(world: World, monkeypatch: Any) -> None:
    secret = token_for(world.members["analyst"], ["read"])
    now = {"at": T0}
    monkeypatch.setattr("roost.core.clock.now", lambda: now["at"])
    assert me(secret).status_code == 200
    assert ApiToken.objects.get().last_used_at == T0

    now["at"] = T0 + timedelta(seconds=59)
    with CaptureQueriesContext(connection) as queries:
        assert me(secret).status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert writes == []  # a read stays a read
    assert ApiToken.objects.get().last_used_at == T0

    now["at"] = T0 + timedelta(seconds=60)
    assert me(secret).status_code == 200
    assert ApiToken.objects.get().last_used_at == T0 + timedelta(seconds=60)


def test_the_write_is_conditional(world: World, monkeypatch: Any) -> None:
    """A request that loaded the token before another one wrote it does not write again."""
    from roost.workspaces.services import _token_touch

    secret = token_for(world.members["analyst"], ["read"])
    stale = ApiToken.objects.get()  # loaded with last_used_at = None
    monkeypatch.setattr("roost.core.clock.now", lambda: T0)
    assert me(secret).status_code == 200
    monkeypatch.setattr("roost.core.clock.now", lambda: T0 + timedelta(seconds=30))
    _token_touch(stale)
    assert ApiToken.objects.get().last_used_at == T0


_SETUP = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from roost.accounts.models import User
from roost.workspaces import services
from roost.workspaces.models import Membership
user = User.objects.create_user("owner@lock.test", "correct-horse-battery-staple", name="Owner")
workspace = services.workspace_create(actor=user, name="Locked", timezone="UTC")
member = Membership.objects.get(workspace=workspace, user=user)
_token, secret = services.token_create(actor=member, name="t", scopes=["read"])
print(secret)
"""

_GET = """
import sys, django; django.setup()
from django.test.utils import setup_test_environment; setup_test_environment()
from django.test import Client
response = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer " + sys.argv[1])
ok = response.status_code == 200
print(response.status_code, response.json()["email"] if ok else response.content[:200])
"""


def _python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"),
    reason="SQLite's file write lock",
)
def test_a_read_succeeds_while_sqlite_is_write_locked(tmp_path: Path) -> None:
    """A real process on a real SQLite file answers a GET while another connection holds
    the write lock (as the worker or an import does), and records the use once it can."""
    path = tmp_path / "locked.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite:///{path}",
        "DJANGO_SETTINGS_MODULE": "roost.settings",
        # Long enough that the old code (waiting out the busy timeout) fails this test.
        "ROOST_SQLITE_TIMEOUT": "60",
    }
    setup = _python(_SETUP, env)
    assert setup.returncode == 0, setup.stderr
    secret = setup.stdout.strip()

    lock = sqlite3.connect(path, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")  # hold SQLite's write lock
        locked = _python(_GET, env, secret)
        assert locked.returncode == 0, locked.stderr
        assert locked.stdout.split() == ["200", "owner@lock.test"]
        assert lock.execute("SELECT last_used_at FROM workspaces_apitoken").fetchall() == [(None,)]
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    after = _python(_GET, env, secret)
    assert after.stdout.split() == ["200", "owner@lock.test"], after.stderr
    check = sqlite3.connect(path)
    try:
        (used,) = check.execute("SELECT last_used_at FROM workspaces_apitoken").fetchone()
    finally:
        check.close()
    assert used is not None
