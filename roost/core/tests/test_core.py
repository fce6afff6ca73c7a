"""Health, the worker's heartbeat, settings profiles, and the interpreter finder."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from roost.core import clock, health
from roost.core.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[3]


def test_health_reports_a_missing_worker(db: Any) -> None:
    response = Client().get("/health/?format=json")
    assert response.status_code == 503
    assert response.json()["workers_alive"] == 0 and response.json()["database"] == "ok"
    assert "not running" in Client().get("/health/").content.decode()


def test_health_sees_a_live_heartbeat_and_forgets_a_stale_one(db: Any) -> None:
    started = clock.now()
    health.beat("w1", "*", started)
    response = Client().get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["workers_alive"] == 1
    WorkerHeartbeat.objects.update(last_seen=clock.now() - timedelta(minutes=5))
    assert Client().get("/health/?format=json").json()["workers_alive"] == 0


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_and_beats(tmp_path: Path) -> None:
    """A real `roost worker` process on a real SQLite file runs an enqueued task."""
    db_url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    env = {"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "roost.settings"}
    assert _run([sys.executable, "-m", "roost.cli", "migrate", "-v0"], env).returncode == 0
    enqueue = (
        "import django; django.setup();"
        "from roost.core.tasks import ping; r = ping.enqueue(); print(r.id)"
    )
    out = _run([sys.executable, "-c", enqueue], env)
    assert out.returncode == 0, out.stderr
    result = _run([sys.executable, "-m", "roost.cli", "worker", "--batch"], env)
    assert result.returncode == 0, result.stderr
    check = (
        "import django; django.setup();"
        "from django_tasks_db.models import DBTaskResult;"
        "print([t.status for t in DBTaskResult.objects.all()])"
    )
    assert _run([sys.executable, "-c", check], env).stdout.strip() == "['SUCCESSFUL']"


def test_production_settings_refuse_the_default_secret_and_debug() -> None:
    code = "import django; django.setup()"
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ROOST_DEBUG", "ROOST_EMAIL_BACKEND"}
    }
    smtp = {"ROOST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **smtp, "DJANGO_SETTINGS_MODULE": "roost.settings.production"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    good = {
        **clean,
        **smtp,
        "DJANGO_SETTINGS_MODULE": "roost.settings.production",
        "SECRET_KEY": "x" * 50,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**good, "ROOST_DEBUG": "1"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "DEBUG" in result.stderr
    for backend in ("console", "locmem", "filebased"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={
                **good,
                "ROOST_EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend",
            },
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0, backend
        assert "ImproperlyConfigured: Production settings refuse the e-mail backend" in (
            result.stderr
        )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=good, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_find_python_picks_312_or_newer_and_explains_failure(tmp_path: Path) -> None:
    script = str(ROOT / "scripts" / "find-python")
    found = _run([script])
    assert found.returncode == 0
    version = _run([found.stdout.strip(), "-c", "import sys; print(sys.version_info[:2])"])
    assert version.stdout.strip() >= "(3, 12)"
    # Nothing suitable anywhere: a clear message naming what was tried.
    empty = tmp_path / "bin"
    empty.mkdir()
    (empty / "python3").write_text("#!/bin/sh\necho 'Python 3.8.0'\nexit 1\n")
    (empty / "python3").chmod(0o755)
    result = subprocess.run(
        ["/bin/bash", script],
        env={"PATH": f"{empty}:/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    if result.returncode == 0:  # the machine's own /usr/bin python3 is new enough
        assert _run([result.stdout.strip(), "--version"]).returncode == 0
    else:
        assert "needs Python 3.12 or newer" in result.stderr
        assert "ROOST_PYTHON" in result.stderr


def test_cli_help_is_readable() -> None:
    result = _run([sys.executable, "-m", "roost.cli", "--help"])
    assert result.returncode == 0
    for command in ("run", "worker", "demo", "migrate"):
        assert f"  {command}" in result.stdout
