"""Inbox: ingest N inbound messages from the Sandbox through the real path (poll over
HTTP, dedupe, threading, rules), then time the inbox list page (default filter) with a
real HTTP client against a running server over a store of 1,000,000 messages.

    python bench/inbox.py --n 20000 --db sqlite
    python bench/inbox.py --n 20000 --db postgres --store 1000000

The last line printed is one JSON object:
{"n", "db", "ingest_per_s", "duplicates", "missing", "list_p50_ms", "list_p95_ms", ...}.
A baseline runs in the same process: the same pages fetched from the Sandbox without
storing them, so `ingest_vs_fetch` shows what storing costs. `stages_s` says where the
ingest's time went (seconds per stage: the HTTP calls, the Sandbox's own time to answer
them — part of the HTTP time —, parsing into items, then each stage of storing), `cpu_s`
the CPU seconds the bench process, the Sandbox process and (PostgreSQL on this machine)
the database's server process used while ingesting; null where it cannot be read.
With `--runs K` (default 3) each run is a fresh process; see bench/harness.py.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench import harness  # noqa: E402
from bench.harness import cpu_seconds, machine  # noqa: E402
from roost.publishing.testing import (  # noqa: E402
    child_env,
    free_port,
    migrate,
    percentile,
    sandbox_process,
)

PASSWORD = "bench-password-123"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def database_url(kind: str, tmp: Path) -> str:
    """A fresh database: a file in `tmp`, or a PostgreSQL database of this bench's own (not
    bench/publish.py's, so the two benches can run side by side)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS roost_bench_inbox WITH (FORCE)")
        conn.execute("CREATE DATABASE roost_bench_inbox")
    return "postgres://postgres@127.0.0.1:5432/roost_bench_inbox"


def seed_store(workspace_id: int, channel_id: int, total: int) -> None:
    """Bulk-load `total` old messages (in conversations of 5) so the list runs over a big table."""
    from roost.inbox.models import Conversation, Message
    from roost.inbox.services.bulk import insert_ignoring_conflicts

    now = datetime.now(UTC)
    batch = 20_000
    made = 0
    while made < total:
        size = min(batch, total - made)
        keys = [f"old-{made + i}" for i in range(0, size, 5)]
        insert_ignoring_conflicts(
            Conversation,
            ("workspace_id", "channel_id", "key", "last_message_at"),
            [(workspace_id, channel_id, key, now) for key in keys],
        )
        ids = dict(
            Conversation.objects.filter(channel_id=channel_id, key__in=keys).values_list(
                "key", "pk"
            )
        )
        rows = []
        for i in range(size):
            n = made + i
            at = now - timedelta(seconds=total - n + 3600)
            rows.append(
                (
                    workspace_id,
                    channel_id,
                    ids[keys[i // 5]],
                    f"old-{n}",
                    "mention",
                    f"a{n % 5000}",
                    f"person{n % 5000}.sandbox",
                    f"Old message {n} about coffee",
                    at,
                    at,
                    "complete" if n % 3 else "open",
                )
            )
        insert_ignoring_conflicts(
            Message,
            (
                "workspace_id",
                "channel_id",
                "conversation_id",
                "remote_id",
                "kind",
                "author_id",
                "author_handle",
                "text",
                "sent_at",
                "received_at",
                "status",
            ),
            rows,
        )
        made += size


# The order stages are shown in; "other" is what no stage accounts for.
STAGES = (
    "fetch_http",
    "sandbox_answer",
    "parse",
    "prepare",
    "dedupe",
    "thread",
    "insert",
    "rules",
    "count",
    "cursor",
    "commit",
    "other",
)


def timed_http(totals: dict[str, float]) -> None:
    """Sum the time the Sandbox client spends on inbox pages (the request and decoding its
    JSON) into totals["fetch_http"]."""
    from roost.networks.sandbox.client import SandboxClient

    plain = SandboxClient.inbox

    def inbox(self: SandboxClient, *, after: int | None, limit: int) -> object:
        started = time.perf_counter()
        try:
            return plain(self, after=after, limit=limit)
        finally:
            totals["fetch_http"] = totals.get("fetch_http", 0.0) + time.perf_counter() - started

    SandboxClient.inbox = inbox  # type: ignore[assignment,method-assign]


def once(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="roost-bench-") as tmpdir:
        tmp = Path(tmpdir)
        url = database_url(args.db, tmp)
        env = child_env(url)
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="roost.settings")
        migrate(env)
        import django

        django.setup()
        from django.db import connection

        from roost.accounts.models import User
        from roost.channels.models import Channel
        from roost.inbox.models import Message
        from roost.inbox.services.ingest import ingest, stage_times
        from roost.networks.sandbox.client import SandboxClient
        from roost.networks.sandbox.connector import SandboxConnector
        from roost.workspaces.services import workspace_create

        with sandbox_process(env) as sandbox_url:
            from django.conf import settings

            settings.ROOST_SANDBOX_URL = sandbox_url  # on the outbound allow-list
            user = User.objects.create_user(f"bench-{uuid.uuid4().hex[:6]}@bench.test", PASSWORD)
            workspace = workspace_create(actor=user, name="Inbox bench")
            account = SandboxClient(sandbox_url).create_account("Inbox bench")
            channel = Channel(
                workspace=workspace,
                network="sandbox",
                name="Bench",
                handle=account.handle,
                remote_id=str(account.id),
                config={"base_url": sandbox_url},
            )
            channel.set_credentials({"token": account.token})
            channel.save()
            connector = SandboxConnector(channel.config, channel.credentials)
            httpx.post(
                f"{sandbox_url}/api/inbound",
                json={"handle": account.handle, "count": args.n, "seed": 1},
                timeout=120,
            ).raise_for_status()

            # Baseline: fetch every page without storing.
            started = time.monotonic()
            cursor, fetched = "0", 0
            while True:
                result, page = connector.fetch_inbox(cursor)
                assert result.ok, result.reason
                fetched += len(page.items)
                if not page.items or page.cursor in (None, cursor):
                    break
                cursor = page.cursor
            fetch_per_s = fetched / (time.monotonic() - started)

            # The real path: poll, dedupe, thread, rules, cursor — page by page.
            sandbox_stats = httpx.get(f"{sandbox_url}/api/stats", timeout=30).json()
            sandbox_pid = int(sandbox_stats["pid"])
            # PostgreSQL's server process for this connection, when it runs on this machine.
            database_pid = None
            if connection.vendor == "postgresql":
                with connection.cursor() as c:
                    c.execute("SELECT pg_backend_pid()")
                    database_pid = int(c.fetchone()[0])
            cpu_before = (cpu_seconds(), cpu_seconds(sandbox_pid), _cpu(database_pid))
            profile = cProfile.Profile() if args.profile else None
            fetching = 0.0
            with stage_times() as stages:
                timed_http(stages)
                if profile is not None:
                    profile.enable()
                started = time.monotonic()
                cursor, created, duplicates = "0", 0, 0
                while True:
                    t = time.perf_counter()
                    _result, page = connector.fetch_inbox(cursor)
                    fetching += time.perf_counter() - t
                    if not page.items:
                        break
                    done = ingest(channel, page)
                    created += done.created
                    duplicates += done.duplicates
                    if page.cursor in (None, cursor):
                        break
                    cursor = page.cursor
                ingest_seconds = time.monotonic() - started
                if profile is not None:
                    profile.disable()
                    profile.dump_stats(args.profile)
            cpu_after = (cpu_seconds(), cpu_seconds(sandbox_pid), _cpu(database_pid))
            sandbox_after = httpx.get(f"{sandbox_url}/api/stats", timeout=30).json()
            stages["sandbox_answer"] = (
                sandbox_after["inbox_seconds"] - sandbox_stats["inbox_seconds"]
            )
            stages["parse"] = fetching - stages.get("fetch_http", 0.0)
            accounted = sum(v for k, v in stages.items() if k != "sandbox_answer")
            stages["other"] = max(ingest_seconds - accounted, 0.0)
            # A second full poll must add nothing.
            again = ingest(channel, connector.fetch_inbox("0")[1])
            duplicates_stored = Message.objects.filter(channel=channel).count() - args.n
            missing = args.n - Message.objects.filter(channel=channel).count()

        seed_store(workspace.pk, channel.pk, max(0, args.store - args.n))
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE")
        connection.close()

        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [
                sys.executable,
                "-m",
                "gunicorn",
                "roost.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            client = httpx.Client(base_url=base, timeout=30, trust_env=False)
            for _ in range(100):
                try:
                    login = client.get("/login/")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
            assert token, "no CSRF token on the login page"
            client.post(
                "/login/",
                data={
                    "username": user.email,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": token.group(1),
                },
                headers={"Referer": base + "/login/"},
            )
            path = f"/w/{workspace.slug}/inbox/"
            for _ in range(10):  # warm up
                assert client.get(path).status_code == 200
            timings = []
            for _ in range(args.requests):
                t = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200
            list_kb = len(response.content) / 1024
        finally:
            server.terminate()
            server.wait(timeout=20)

    summary = {
        "n": args.n,
        "db": args.db,
        "ingest_per_s": round(created / ingest_seconds, 1),
        "duplicates": max(duplicates_stored, 0) + again.created,
        "missing": max(missing, 0),
        "list_p50_ms": round(percentile(timings, 0.50), 1),
        "list_p95_ms": round(percentile(timings, 0.95), 1),
        "store": args.store,
        "fetch_only_per_s": round(fetch_per_s, 1),
        "ingest_vs_fetch": round((created / ingest_seconds) / fetch_per_s, 2),
        "ingest_s": round(ingest_seconds, 3),
        "stages_s": {k: round(stages[k], 3) for k in STAGES if k in stages},
        "cpu_s": {
            "bench": _spent(cpu_before[0], cpu_after[0]),
            "sandbox": _spent(cpu_before[1], cpu_after[1]),
            "database": _spent(cpu_before[2], cpu_after[2]),
        },
        "list_kb": round(list_kb, 1),
        "machine": machine(),
    }
    return summary


def _cpu(pid: int | None) -> float | None:
    return None if pid is None else cpu_seconds(pid)


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 3)


def headline(s: dict[str, object]) -> str:
    stages = s.get("stages_s")
    top = ""
    if isinstance(stages, dict):
        biggest = sorted(stages.items(), key=lambda kv: -float(kv[1]))[:5]
        top = "; stages " + ", ".join(f"{k} {v}s" for k, v in biggest)
    return (
        f"n {s['n']} {s['db']}: ingest {s['ingest_per_s']}/s (fetch only "
        f"{s['fetch_only_per_s']}/s), {s['duplicates']} duplicates, {s['missing']} missing; "
        f"list p50 {s['list_p50_ms']} ms p95 {s['list_p95_ms']} ms over {s['store']} messages"
        f"{top}; cpu {s.get('cpu_s')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--store", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the ingest here")
    harness.run(parser, once, headline)


if __name__ == "__main__":
    main()
