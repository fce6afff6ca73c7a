"""Fault injection: SIGKILL the publishing worker at random moments while a batch publishes
to the Sandbox, restart it, and prove every delivery was published exactly once."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.testing import (
    child_env,
    fresh_postgres_database,
    in_django,
    migrate,
    sandbox_process,
    start_worker,
)
from roost.testing import wait_until

ROUNDS = 24
POSTS = 160


def _database_url(tmp_path: Path) -> str:
    """A database of the test's own: a SQLite file, or a fresh PostgreSQL database when the
    suite runs on PostgreSQL."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        return f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    return fresh_postgres_database("roost_killtest")


def test_sigkill_never_loses_or_duplicates_a_delivery(tmp_path: Path) -> None:
    env = child_env(
        _database_url(tmp_path),
        ROOST_WORKER_HEARTBEAT_SECONDS="0.25",
        ROOST_WORKER_STALE_SECONDS="1.0",
        ROOST_PUBLISH_BACKOFF_BASE="0.2",
        ROOST_PUBLISH_POLL_SECONDS="0.05",
        ROOST_PUBLISH_PER_CHANNEL="1",
        ROOST_PUBLISH_CONCURRENCY="16",
    )
    migrate(env)
    rng = random.Random(20261127)
    with sandbox_process(env) as url:
        sandbox = SandboxHandle(url)
        # Slow enough that kills land mid-call; some answers get lost after the post landed.
        # ~24 publishes/s in all: the batch spans many kills.
        sandbox.control(latency_ms=250, fail_after_commit_rate=0.05, seed=7)
        seeded = in_django(
            env,
            "from roost.core import clock\n"
            "from roost.publishing.testing import seed\n"
            f"result = seed(sandbox_url={url!r}, channels=6, posts={POSTS}, due_at=clock.now())",
        )
        kills = 0
        for _ in range(ROUNDS):
            before = sandbox.stats()["publishes"]
            if before >= POSTS:
                break
            worker = start_worker(env, tmp_path / "worker.log")
            # Kill only once this worker is publishing (however long a busy machine takes
            # to start it), at a random moment of its work.
            wait_until(
                lambda b=before, w=worker: sandbox.stats()["publishes"] > b or w.poll() is not None,
                every=0.05,
                what="the worker to publish",
            )
            time.sleep(rng.uniform(0.0, 0.4))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            kills += 1
        worker = start_worker(env, tmp_path / "worker.log")
        state: dict[str, Any] = {}

        def all_published() -> bool:
            state.update(
                in_django(
                    env,
                    "from roost.publishing.models import Delivery\n"
                    "from django.db.models import Count\n"
                    f"qs = Delivery.objects.filter(channel__workspace_id={seeded['workspace']})\n"
                    "rows = qs.values('status').annotate(n=Count('id'))\n"
                    "result = {r['status']: r['n'] for r in rows}\n"
                    "result['keys'] = list(qs.values_list('idempotency_key', flat=True))\n"
                    "result['retried'] = qs.filter(attempts__gt=1).count()",
                )
            )
            return state.get("published") == POSTS

        try:
            wait_until(all_published, timeout=600, every=1.0, what="every delivery published")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        stats = sandbox.stats()

    # Each kill landed while its worker was publishing; most rounds end mid-batch.
    assert kills >= 10, kills
    # The kills really landed mid-batch: some deliveries needed more than one try.
    assert state["retried"] > 0, state
    assert state.get("published") == POSTS, state
    by_key = stats["by_key"]
    # Exactly once toward the network: every delivery's key was published once, no more.
    assert sorted(by_key) == sorted(f"{k}:0" for k in state["keys"])
    assert set(by_key.values()) == {1}
    assert stats["duplicates"] == 0
    assert stats["publishes"] == POSTS
