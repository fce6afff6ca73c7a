"""Pages as the work grows: the calendar's month and week views, the approvals queue, the
inbox list and the post list, timed with Django's in-process test client (a logged-in
manager) over a seeded workspace: 50 channels, N posts spread over one month (one delivery
each, mixed statuses), 5,000 posts waiting for the manager's approval, and inbox messages.

    python bench/pages.py --posts 3000 --db sqlite
    python bench/pages.py --posts 15000 --db postgres --runs 1 --busy-ok

The last line printed is one JSON object:
{"posts", "db", "month_p95_ms", "week_p95_ms", "month_kb", "week_kb", "approvals_p95_ms",
"inbox_p95_ms", "posts_list_p95_ms", "queries", ...}. Each page is fetched a few times to
warm up, then `--requests` times; p50/p95 are over those requests. The week timed is the
busiest week of the month. `queries` counts the SQL statements of one request per page.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import machine  # noqa: E402
from bench.publish import database_url  # noqa: E402
from roost.publishing.testing import (  # noqa: E402
    child_env,
    fresh_postgres_database,
    migrate,
    percentile,
)

TIMEZONE = "Europe/Warsaw"
WORDS = [
    "launch", "spring", "coffee", "sale", "today", "new", "team", "event", "webinar",
    "thanks", "update", "blog", "read", "more", "join", "us", "tomorrow", "week", "offer",
    "city", "store", "open", "hours", "customers", "community", "story", "behind",
]  # fmt: skip


def bench_database(kind: str, tmp: Path) -> str:
    """SQLite in the temporary folder (as bench/publish.py); PostgreSQL in a database of the
    pages bench's own, so it can run beside the publishing bench without dropping its one."""
    if kind == "sqlite":
        return database_url(kind, tmp)
    return fresh_postgres_database("roost_bench_pages")


def _text(rng: random.Random, i: int) -> str:
    words = rng.randint(6, 45)  # from a short line to a full Bluesky post
    return f"#{i} " + " ".join(rng.choice(WORDS) for _ in range(words))


def _month_moment(rng: random.Random, first: date, days: int, tz: Any) -> datetime:
    """A time in the month: weekdays twice as busy as weekends, mostly 7:00 to 21:59."""
    while True:
        day = first + timedelta(days=rng.randrange(days))
        if day.weekday() < 5 or rng.random() < 0.5:
            break
    hour = rng.randint(7, 21) if rng.random() < 0.9 else rng.randrange(24)
    local = datetime(day.year, day.month, day.day, hour, rng.choice((0, 15, 30, 45)), tzinfo=tz)
    return local.astimezone(UTC)


def seed(args: argparse.Namespace) -> dict[str, Any]:
    """Bulk-create the workspace and its data; returns what the timings need."""
    from roost.accounts.models import User
    from roost.approvals.models import ApprovalRequest, StepState, Workflow, WorkflowStep
    from roost.channels.models import Channel
    from roost.core import clock
    from roost.inbox.models import Conversation, Message
    from roost.publishing.models import Campaign, Delivery, DeliveryStatus, Post, PostStatus
    from roost.workspaces.models import Membership
    from roost.workspaces.services import workspace_create

    rng = random.Random(1)  # noqa: S311 - the same data every run, not a secret
    user = User.objects.create_user(f"manager-{uuid.uuid4().hex[:6]}@bench.test", "x")
    workspace = workspace_create(actor=user, name="Pages bench", timezone=TIMEZONE)
    manager = Membership.objects.get(workspace=workspace, user=user)
    tz = workspace.tzinfo
    channels = []
    for i in range(args.channels):
        channel = Channel(
            workspace=workspace,
            network="sandbox",
            name=f"Channel {i:02d}",
            handle=f"channel-{i}.sandbox",
            remote_id=f"c{i}",
            config={"base_url": "http://127.0.0.1:9"},
        )
        channel.set_credentials({"token": "t"})
        channels.append(channel)
    Channel.objects.bulk_create(channels)
    channels = list(Channel.objects.filter(workspace=workspace).order_by("id"))
    campaigns = Campaign.objects.bulk_create(
        [Campaign(workspace=workspace, name=f"Campaign {i}") for i in range(5)]
    )

    now = clock.now()
    local_now = now.astimezone(tz)
    first = local_now.date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    days = (following - first).days

    # N posts in this month: gone out before now, waiting after it, a few of every other kind.
    posts, delivery_status = [], []
    for i in range(args.posts):
        at = _month_moment(rng, first, days, tz)
        roll = rng.random()
        if at <= now:
            status, dstatus = (
                (PostStatus.PUBLISHED, DeliveryStatus.PUBLISHED)
                if roll < 0.9
                else (PostStatus.FAILED, DeliveryStatus.FAILED)
            )
        elif roll < 0.8:
            status, dstatus = PostStatus.SCHEDULED, DeliveryStatus.SCHEDULED
        elif roll < 0.9:
            status, dstatus = PostStatus.IN_REVIEW, DeliveryStatus.PENDING
        else:
            status, dstatus = PostStatus.CANCELLED, DeliveryStatus.CANCELLED
        posts.append(
            Post(
                workspace=workspace,
                author=user,
                text=_text(rng, i),
                status=status,
                scheduled_at=at,
                campaign=campaigns[i % len(campaigns)] if i % 3 == 0 else None,
            )
        )
        delivery_status.append(dstatus)
    # Posts waiting for the manager's approval, planned next month.
    for i in range(args.approvals):
        posts.append(
            Post(
                workspace=workspace,
                author=user,
                text=_text(rng, args.posts + i),
                status=PostStatus.IN_REVIEW,
                scheduled_at=_month_moment(rng, following, 28, tz),
            )
        )
        delivery_status.append(DeliveryStatus.PENDING)
    Post.objects.bulk_create(posts, batch_size=2000)
    ids = list(Post.objects.filter(workspace=workspace).order_by("id").values_list("id", flat=True))
    Delivery.objects.bulk_create(
        [
            Delivery(
                post_id=pid,
                channel=channels[i % len(channels)],
                status=delivery_status[i],
                idempotency_key=uuid.uuid4().hex,
                due_at=posts[i].scheduled_at,
                next_attempt_at=posts[i].scheduled_at,
            )
            for i, pid in enumerate(ids)
        ],
        batch_size=2000,
    )

    workflow = Workflow.objects.create(workspace=workspace, name="Manager review")
    step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Manager")
    step.members.set([manager])
    review_ids = ids[args.posts :]
    ApprovalRequest.objects.bulk_create(
        [
            ApprovalRequest(
                workspace=workspace,
                kind="post",
                object_id=pid,
                workflow=workflow,
                submitted_by=user,
                submitted_at=now - timedelta(minutes=len(review_ids) - k),
                plan={"mode": "at", "at": posts[args.posts + k].scheduled_at.isoformat()},
                snapshot={"text": posts[args.posts + k].text},
            )
            for k, pid in enumerate(review_ids)
        ],
        batch_size=2000,
    )
    requests = ApprovalRequest.objects.filter(workspace=workspace).values_list("id", flat=True)
    StepState.objects.bulk_create(
        [
            StepState(request_id=rid, step=step, position=1, name=step.name, started_at=now)
            for rid in requests
        ],
        batch_size=2000,
    )

    # Inbox messages in conversations of 5, over the channels, a third still open.
    made = 0
    while made < args.messages:
        size = min(10_000, args.messages - made)
        convs = Conversation.objects.bulk_create(
            [
                Conversation(
                    workspace=workspace,
                    channel=channels[(made + i) % len(channels)],
                    key=f"conv-{made + i}",
                    last_message_at=now - timedelta(seconds=args.messages - made - i),
                )
                for i in range(0, size, 5)
            ]
        )
        rows = []
        for i in range(size):
            n = made + i
            conv = convs[i // 5]
            rows.append(
                Message(
                    workspace=workspace,
                    channel_id=conv.channel_id,
                    conversation=conv,
                    remote_id=f"m-{n}",
                    kind="mention" if n % 4 else "direct",
                    author_id=f"a{n % 3000}",
                    author_handle=f"person{n % 3000}.sandbox",
                    author_name=f"Person {n % 3000}",
                    text=_text(rng, n),
                    sent_at=now - timedelta(seconds=args.messages - n),
                    received_at=now - timedelta(seconds=args.messages - n),
                    status="open" if n % 3 == 0 else "complete",
                )
            )
        Message.objects.bulk_create(rows, batch_size=5000)
        made += size

    # The busiest week (Monday to Sunday, in the workspace's zone) of the month's posts.
    per_week: dict[date, int] = {}
    for post in posts[: args.posts]:
        assert post.scheduled_at is not None
        day = post.scheduled_at.astimezone(tz).date()
        monday = day - timedelta(days=day.weekday())
        per_week[monday] = per_week.get(monday, 0) + 1
    busiest = max(per_week, key=lambda m: per_week[m]) if per_week else first
    return {
        "user": user,
        "slug": workspace.slug,
        "month": first,
        "week": busiest,
        "week_posts": per_week.get(busiest, 0),
    }


def time_page(client: Any, path: str, warmup: int, requests: int) -> dict[str, Any]:
    """p50/p95 of `requests` GETs after `warmup`, the size of the page, its query count."""
    from django.db import connection

    for _ in range(warmup):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    count = 0

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):  # no cap, unlike Django's query log
        response = client.get(path)
    size = len(response.content)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return {
        "p50_ms": round(percentile(timings, 0.50), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "kb": round(size / 1024, 1),
        "queries": count,
    }


def once(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="roost-bench-") as tmpdir:
        url = bench_database(args.db, Path(tmpdir))
        env = child_env(url)
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="roost.settings")
        migrate(env)
        import django

        django.setup()
        from django.db import connection
        from django.test import Client

        started = time.monotonic()
        info = seed(args)
        seed_s = time.monotonic() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE")

        client = Client(HTTP_HOST="localhost")
        client.force_login(info["user"])
        slug = info["slug"]
        pages = {
            "month": f"/w/{slug}/calendar/?month={info['month']:%Y-%m}",
            "week": f"/w/{slug}/calendar/week/?week={info['week'].isoformat()}",
            "approvals": f"/w/{slug}/approvals/",
            "inbox": f"/w/{slug}/inbox/",
            "posts_list": f"/w/{slug}/calendar/list/?start={info['month'].isoformat()}",
        }
        figures = {
            name: time_page(client, path, args.warmup, args.requests)
            for name, path in pages.items()
            if name in args.pages
        }
        connection.close()

    summary: dict[str, Any] = {"posts": args.posts, "db": args.db}
    for name, fig in figures.items():
        summary[f"{name}_p95_ms"] = fig["p95_ms"]
    for name in ("month", "week"):
        if name in figures:
            summary[f"{name}_kb"] = figures[name]["kb"]
    for name, fig in figures.items():
        summary[f"{name}_p50_ms"] = fig["p50_ms"]
    summary.update(
        queries={name: fig["queries"] for name, fig in figures.items()},
        page_kb={name: fig["kb"] for name, fig in figures.items()},
        week_posts=info["week_posts"],
        approvals=args.approvals,
        messages=args.messages,
        channels=args.channels,
        requests=args.requests,
        seed_s=round(seed_s, 1),
        machine=machine(),
    )
    return summary


def headline(s: dict[str, Any]) -> str:
    parts = [f"posts {s['posts']} {s['db']}:"]
    for name in ("month", "week", "approvals", "inbox", "posts_list"):
        if f"{name}_p95_ms" in s:
            kb = s.get("page_kb", {}).get(name, "?")
            parts.append(f"{name} p95 {s[f'{name}_p95_ms']} ms ({kb} KB)")
    return " ".join(parts[:1]) + " " + "; ".join(parts[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=3000, help="posts in the month")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--approvals", type=int, default=5000, help="pending approval requests")
    parser.add_argument("--messages", type=int, default=20_000, help="inbox messages")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--pages",
        nargs="+",
        default=["month", "week", "approvals", "inbox", "posts_list"],
        choices=["month", "week", "approvals", "inbox", "posts_list"],
    )
    harness.run(parser, once, headline)


if __name__ == "__main__":
    main()
