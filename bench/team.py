"""Team health: 200 members and 90 days of activity (5,000,000 events: audit entries, inbox
completions and replies, approval decisions, posts) in a fresh database; then time the
nightly workload roll-up over the 90 days (`roost.team.workload.rollup_due`, the job
`team.signals` runs) and the team health page (Django's test client as a manager).

    python bench/team.py --db sqlite
    python bench/team.py --db postgres --members 200 --days 90 --events 5000000
    python bench/team.py --events 200000 --members 50 --requests 20 --runs 1 --busy-ok

Targets (docs/performance.md, "Team health"): compute ≤ 30 s and page p95 ≤ 300 ms on a
2-core machine, both databases. The last line printed is one JSON object:
{"members", "events", "db", "load_s", "compute_s", "rows", "page_p50_ms", "page_p95_ms",
"page_queries", …}; with `--runs K` (default 3) the medians of
K fresh runs (bench/harness.py).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import machine  # noqa: E402
from roost.publishing.testing import child_env, migrate, percentile  # noqa: E402

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "roost_bench_workload"
ZONE = "Europe/Warsaw"
# The share of each kind of event (the rest are audit entries).
COMPLETIONS, REPLIES, DECISIONS, POSTS = 0.07, 0.05, 0.01, 0.02
HOURS = [  # a few shapes of working week: (weekdays, start hour, end hour)
    (range(5), 9, 17),
    (range(5), 8, 16),
    (range(5), 10, 18),
    (range(4), 7, 17),
]


def database_url(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


def people(n: int) -> tuple[Any, Any, list[Any]]:
    """A workspace, its manager and `n` members with working hours (no password hashing:
    the users are made in bulk)."""
    from roost.accounts.models import User
    from roost.team.models import MemberProfile
    from roost.workspaces.models import Membership, MembershipRole
    from roost.workspaces.services import workspace_create

    tag = uuid.uuid4().hex[:6]
    owner = User.objects.create_user(f"owner-{tag}@bench.test", "x", name="Bench Owner")
    ws = workspace_create(actor=owner, name="Bench team", timezone=ZONE)
    manager = Membership.objects.get(workspace=ws, user=owner)
    users = User.objects.bulk_create(
        [
            User(email=f"m{i}-{tag}@bench.test", name=f"Member {i}", password="!")
            for i in range(n - 1)
        ]
    )
    members = [
        manager,
        *Membership.objects.bulk_create([Membership(workspace=ws, user=u) for u in users]),
    ]
    MembershipRole.objects.bulk_create(
        [MembershipRole(membership=m, role="community_manager") for m in members[1:]]
    )
    MemberProfile.objects.bulk_create(
        [
            MemberProfile(
                workspace=ws,
                membership=m,
                reports_to=manager if m is not manager else None,
                working_hours={
                    str(d): [f"{start:02d}:00", f"{end:02d}:00"]
                    for d in HOURS[i % len(HOURS)][0]
                    for start, end in [HOURS[i % len(HOURS)][1:]]
                },
            )
            for i, m in enumerate(members)
        ]
    )
    return ws, manager, members


def moments(
    rng: random.Random, members: list[Any], days: int, events: int, end: date
) -> Iterator[tuple[int, datetime]]:
    """(member index, UTC time) for every event: most in the member's working hours, some
    after, fewer on weekends; a few members much busier than the rest."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(ZONE)
    weights = [rng.choice([0.5, 1, 1, 1, 1.5, 3]) for _ in members]
    first = end - timedelta(days=days - 1)
    plan = []
    for d in range(days):
        day = first + timedelta(days=d)
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
        for i, w in enumerate(weights):
            plan.append((i, midnight, day.weekday(), w * (0.15 if day.weekday() >= 5 else 1)))
    total = sum(p[3] for p in plan)
    made = 0
    for i, midnight, weekday, w in plan:
        n = round(events * w / total)
        weekdays, start, end_hour = HOURS[i % len(HOURS)]
        inside = weekday in weekdays
        for _ in range(n):
            if made >= events:
                return
            if inside and rng.random() < 0.85:
                second = rng.randrange(start * 3600, end_hour * 3600)
            else:
                second = rng.randrange(0, 86400)
            made += 1
            yield i, midnight + timedelta(seconds=second)


def write_audit(ws: Any, members: list[Any], audit: list[tuple[int, datetime]]) -> None:
    """Audit entries in bulk: executemany on SQLite, COPY on PostgreSQL."""
    from django.db import connection

    from roost.workspaces.models import AuditEntry

    table = AuditEntry._meta.db_table
    columns = "workspace_id, actor_id, action, target_type, target_id, data, created_at"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        rows = (
            (ws.pk, members[i].user_id, "bench.action", "", "", "{}", str(at.replace(tzinfo=None)))
            for i, at in audit
        )
        with raw:
            raw.executemany(f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)  # noqa: S608 - our own table name
    else:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            buffer = io.StringIO()
            for n, (i, at) in enumerate(audit):
                buffer.write(
                    f"{ws.pk}\t{members[i].user_id}\tbench.action\t\t\t{{}}\t{at.isoformat()}\n"
                )
                if n % 100_000 == 99_999:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())


def load(ws: Any, members: list[Any], stamps: Iterator[tuple[int, datetime]]) -> dict[str, int]:
    """Write the events: audit entries in bulk (executemany on SQLite, COPY on PostgreSQL),
    the rest through bulk_create."""

    from roost.approvals.models import ApprovalRequest, Decision, StepState
    from roost.channels.models import Channel
    from roost.inbox.models import Conversation, Message
    from roost.publishing.models import Post

    rng = random.Random(7)  # noqa: S311 - reproducible test data
    channel = Channel.objects.create(
        workspace=ws,
        network="sandbox",
        name="Bench",
        handle="bench.sandbox",
        remote_id="bench",
        config={},
        credentials_encrypted="",
    )
    conversations = Conversation.objects.bulk_create(
        [Conversation(workspace=ws, channel=channel, key=f"c{i}") for i in range(500)]
    )
    completions: list[tuple[int, datetime]] = []
    replies: list[tuple[int, datetime]] = []
    decisions: list[tuple[int, datetime]] = []
    posts: list[tuple[int, datetime]] = []
    audit: list[tuple[int, datetime]] = []
    written = 0
    first: datetime | None = None
    for i, at in stamps:
        first = first or at
        if len(audit) >= 200_000:
            write_audit(ws, members, audit)
            written += len(audit)
            audit = []
        roll = rng.random()
        if roll < COMPLETIONS:
            completions.append((i, at))
        elif roll < COMPLETIONS + REPLIES:
            replies.append((i, at))
        elif roll < COMPLETIONS + REPLIES + DECISIONS:
            decisions.append((i, at))
        elif roll < COMPLETIONS + REPLIES + DECISIONS + POSTS:
            posts.append((i, at))
        else:
            audit.append((i, at))
    write_audit(ws, members, audit)
    written += len(audit)
    assert first is not None
    batch = 5000

    def message(n: int, i: int, at: datetime, outgoing: bool) -> Message:
        m = Message(
            workspace=ws,
            channel=channel,
            conversation=conversations[n % 500],
            remote_id=f"{'out' if outgoing else 'in'}-{n}",
            kind="mention",
            outgoing=outgoing,
            sent_at=at,
            received_at=at,
            status="complete",
        )
        if outgoing:
            m.sent_by_id = members[i].pk
        else:
            m.completed_at, m.completed_by_id = at, members[i].user_id
        return m

    Message.objects.bulk_create(
        (message(n, i, at, False) for n, (i, at) in enumerate(completions)), batch_size=batch
    )
    Message.objects.bulk_create(
        (message(n, i, at, True) for n, (i, at) in enumerate(replies)), batch_size=batch
    )
    Post.objects.bulk_create(
        (
            Post(workspace=ws, author_id=members[i].user_id, text="Bench", created_at=at)
            for i, at in posts
        ),
        batch_size=batch,
    )
    # Each decision on a step of its own: 100 steps per request.
    requests = ApprovalRequest.objects.bulk_create(
        [
            ApprovalRequest(workspace=ws, kind="post", object_id=10_000_000 + r, status="approved")
            for r in range(len(decisions) // 100 + 1)
        ],
        batch_size=batch,
    )
    states = StepState.objects.bulk_create(
        [
            StepState(
                request=requests[n // 100], position=n % 100 + 1, name="Review", status="approved"
            )
            for n in range(len(decisions))
        ],
        batch_size=batch,
    )
    Decision.objects.bulk_create(
        [
            Decision(state=s, user_id=members[i].user_id, kind="approve", created_at=at)
            for s, (i, at) in zip(states, decisions, strict=True)
        ],
        batch_size=batch,
    )
    # Some open work now, so the page has open items and reviews to count.
    Message.objects.bulk_create(
        [
            Message(
                workspace=ws,
                channel=channel,
                conversation=conversations[n % 500],
                remote_id=f"open-{n}",
                kind="mention",
                sent_at=first,
                received_at=first,
                status="open",
                assignee_id=members[n % len(members)].pk,
            )
            for n in range(len(members) * 5)
        ],
        batch_size=batch,
    )
    return {
        "audit": written,
        "completions": len(completions),
        "replies": len(replies),
        "decisions": len(decisions),
        "posts": len(posts),
    }


def once(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url(args.db, Path(tmp))
        migrate(child_env(url))
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="roost.settings")
        import django

        django.setup()
        from django.db import connection
        from django.test import Client

        from roost.team import workload
        from roost.team.models import WorkloadDay

        began = time.perf_counter()
        ws, manager, members = people(args.members)
        today = workload.local_today(ws)
        rng = random.Random(12)  # noqa: S311 - reproducible test data
        kinds = load(
            ws, members, moments(rng, members, args.days, args.events, today - timedelta(days=1))
        )
        events = sum(kinds.values())
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        load_s = time.perf_counter() - began
        print(
            f"loaded {events} events for {len(members)} members in {load_s:.1f} s: {kinds}",
            flush=True,
        )
        began = time.perf_counter()
        # The first run of the job reaches back `days` days: all of the history.
        workload.HISTORY_DAYS = args.days
        rows = workload.rollup_due(ws, today)
        compute_s = time.perf_counter() - began
        assert rows == WorkloadDay.objects.filter(workspace=ws).count()
        print(f"rolled up {args.days} days: {rows} member-days in {compute_s:.2f} s", flush=True)
        client = Client(HTTP_HOST="localhost")
        client.force_login(manager.user)
        path = f"/w/{ws.slug}/team/workload/"
        for _ in range(3):
            assert client.get(path).status_code == 200
        queries: list[str] = []

        def count(run: Any, sql: str, *rest: Any) -> Any:
            queries.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count):
            response = client.get(path)
        assert response.content.decode().count('data-testid="signal-row"') == len(members)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(
            f"page: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms "
            f"over {args.requests} requests, {len(queries)} queries",
            flush=True,
        )
    if args.db == "postgres":
        subprocess.run(  # noqa: S603
            ["psql", PG_ADMIN, "-c", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"],  # noqa: S607
            check=False,
            capture_output=True,
        )
    return {
        "members": len(members),
        "events": events,
        "days": args.days,
        "db": args.db,
        "load_s": round(load_s, 1),
        "compute_s": round(compute_s, 2),
        "rows": rows,
        "page_p50_ms": round(percentile(timings, 0.5), 1),
        "page_p95_ms": round(percentile(timings, 0.95), 1),
        "page_queries": len(queries),
        "requests": args.requests,
        "machine": machine(),
    }


def headline(s: dict[str, Any]) -> str:
    return (
        f"{s['db']}: {s['events']} events, {s['members']} members: compute {s['compute_s']} s, "
        f"page p95 {s['page_p95_ms']} ms (p50 {s['page_p50_ms']} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=50)
    harness.run(parser, once, headline)


if __name__ == "__main__":
    main()
