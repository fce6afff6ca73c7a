"""Tools for the publisher's benchmark and fault-injection test: real processes (a
Sandbox server, `roost worker`s) against a database of their own, and bulk seeding."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from roost.testing import wait_until

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def roost_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "roost.cli", *args]


def child_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="roost.settings",
        PYTHONPATH=str(ROOT),
        ROOST_LOG_LEVEL=extra.pop("ROOST_LOG_LEVEL", "WARNING"),
        **extra,
    )
    return env


@contextmanager
def sandbox_process(env: dict[str, str]) -> Iterator[str]:
    """A Sandbox server in its own process (kept in memory); yields its URL. It becomes
    ROOST_SANDBOX_URL in `env`, so processes started with it may reach it (the Sandbox's
    own address is on the outbound allow-list)."""
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        roost_cmd("sandbox", "--port", str(port), "--memory"),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"the Sandbox process exited with code {proc.returncode}")
        try:
            return httpx.get(f"{url}/health", timeout=1, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    env["ROOST_SANDBOX_URL"] = url
    try:
        wait_until(up, every=0.05, what="the Sandbox process to answer")
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def fresh_postgres_database(name: str) -> str:
    """Drop and create a PostgreSQL database of a test's own; returns its URL."""
    import psycopg

    admin = "postgres://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def start_worker(env: dict[str, str], log: Path | None = None) -> subprocess.Popen[bytes]:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - lives with the child
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        roost_cmd("worker", "--queues", "default"), env=env, cwd=ROOT, stdout=out, stderr=out
    )


def migrate(env: dict[str, str]) -> None:
    subprocess.run(roost_cmd("migrate", "-v0"), env=env, cwd=ROOT, check=True)  # noqa: S603


def seed(
    *, sandbox_url: str, channels: int, posts: int, due_at: datetime, workspace_name: str = "Bench"
) -> dict[str, Any]:
    """Bulk-create a workspace, `channels` Sandbox channels and `posts` posts spread over them,
    each with one delivery due at `due_at`. Runs in a process with Django set up."""
    from roost.accounts.models import User
    from roost.channels.models import Channel
    from roost.networks.sandbox.client import SandboxClient
    from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
    from roost.workspaces.services import workspace_create

    user = User.objects.create_user(f"bench-{uuid.uuid4().hex[:8]}@bench.test", "x")
    workspace = workspace_create(actor=user, name=workspace_name)
    api = SandboxClient(sandbox_url)
    made = []
    for i in range(channels):
        account = api.create_account(f"Bench {i}")
        channel = Channel(
            workspace=workspace,
            network="sandbox",
            name=f"Bench {i}",
            handle=account.handle,
            remote_id=str(account.id),
            config={"base_url": sandbox_url},
        )
        channel.set_credentials({"token": account.token})
        made.append(channel)
    Channel.objects.bulk_create(made)
    made = list(Channel.objects.filter(workspace=workspace).order_by("id"))
    post_rows = [
        Post(
            workspace=workspace,
            author=user,
            text=f"Bench post {i}",
            status=PostStatus.SCHEDULED,
            scheduled_at=due_at,
        )
        for i in range(posts)
    ]
    Post.objects.bulk_create(post_rows, batch_size=2000)
    ids = list(Post.objects.filter(workspace=workspace).order_by("id").values_list("id", flat=True))
    Delivery.objects.bulk_create(
        [
            Delivery(
                post_id=pid,
                channel=made[i % len(made)],
                status=DeliveryStatus.SCHEDULED,
                idempotency_key=uuid.uuid4().hex,
                due_at=due_at,
                next_attempt_at=due_at,
            )
            for i, pid in enumerate(ids)
        ],
        batch_size=2000,
    )
    return {"workspace": workspace.pk}


def outcome(workspace_id: int, due_at: datetime) -> dict[str, Any]:
    """Lateness of each delivery's network call after `due_at`, and how many ended how."""
    from roost.publishing.models import Delivery, DeliveryStatus

    rows = Delivery.objects.filter(channel__workspace_id=workspace_id)
    total = rows.count()
    published = rows.filter(status=DeliveryStatus.PUBLISHED)
    firsts = sorted(
        (called - due_at).total_seconds()
        for called in published.values_list("called_at", flat=True)
        if called is not None
    )
    return {"total": total, "published": published.count(), "lateness": firsts}


def published_count() -> int:
    """How many deliveries are published: one COUNT on the status index. For a bench's own
    database, which holds only its workspace (a join to channels to pick the workspace
    cost PostgreSQL ~370 ms of CPU a call while its statistics were stale after the bulk
    load: a bench polling it took a third of a core from what it measured)."""
    from roost.publishing.models import Delivery, DeliveryStatus

    return Delivery.objects.filter(status=DeliveryStatus.PUBLISHED).count()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def in_django(env: dict[str, str], code: str) -> Any:
    """Run `code` in a fresh process with Django set up against env's database; the code
    assigns its answer to `result`, which comes back through JSON."""
    import json

    program = (
        "import django, json, sys\n"
        "django.setup()\n"
        f"{code}\n"
        "sys.stdout.write('\\n' + json.dumps(result, default=str))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", program],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])
