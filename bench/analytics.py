"""Analytics: load N metric snapshots through the real recording path (metrics_track, then
metrics_record in collector-sized batches), then time the 90-day workspace dashboard and a
channel dashboard with a real HTTP client against a running server, and a 90-day PDF report.

    python bench/analytics.py --rows 1000000 --db sqlite
    python bench/analytics.py --rows 10000000 --db postgres --runs 1 --busy-ok

The data: `--channels` channels (500) and `--posts` posts (20,000) spread over two years up
to now, each post going out on enough channels for rows / 6 deliveries; every delivery is
read six times (1 h, 6 h, 24 h, 3 d, 7 d, 30 d after publishing) with the full set of
counts. Readings are recorded age by age, deliveries in publishing order, `--batch`
readings a call (a collector's run). Posts and deliveries are inserted directly (not
timed); `load_per_s` is snapshots stored per second of metrics_track + metrics_record.

The last line printed is one JSON object:
{"rows", "db", "load_per_s", "dashboard_p50_ms", "dashboard_p95_ms", "channel_p95_ms",
"pdf_s", ...}. Baselines run in the same process: Django's bulk_create of the same snapshot
rows alone (a sample), so `load_vs_bulk_create` shows what the whole recording path
(history, latest counts and roll-ups) costs against writing history alone; and the same
dashboard of a workspace without data, so `dashboard_vs_empty` shows what the data costs.
`pdf_s` is a 90-day PDF report with every section (`roost.analytics.exports.render_pdf`).
With `--runs K` (default 3) each run is a fresh
process; see bench/harness.py.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench import harness  # noqa: E402
from bench.harness import cpu_seconds, machine, named_cpu_seconds  # noqa: E402
from roost.publishing.testing import (  # noqa: E402
    child_env,
    free_port,
    fresh_postgres_database,
    migrate,
    percentile,
)

logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request

PASSWORD = "bench-password-123"
TIMEZONE = "Europe/Warsaw"
AGES = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(days=3),
    timedelta(days=7),
    timedelta(days=30),
)
# How each count grows with the reading's age (the share of its final value).
GROWTH = (0.2, 0.45, 0.7, 0.85, 0.95, 1.0)


def bench_database(kind: str, tmp: Path) -> str:
    """SQLite in the temporary folder; PostgreSQL in a database of this bench's own."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    return fresh_postgres_database("roost_bench_analytics")


def insert_rows(model: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows straight into `model`'s table (COPY on PostgreSQL, one prepared INSERT on
    SQLite); columns not named take their field's default. Setup only: not timed."""
    from django.db import connection, transaction

    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    rest = [name for name in fields if name not in columns]
    defaults = []
    for name in rest:
        value = fields[name].get_default()
        if fields[name].get_internal_type() == "JSONField":
            value = json.dumps(value)
        defaults.append(value)
    every = [*columns, *rest]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in every)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *defaults))
            return
        ops = connection.ops
        when = [i for i, n in enumerate(every) if fields[n].get_internal_type() == "DateTimeField"]
        prepared = []
        for row in rows:
            values = [*row, *defaults]
            for i in when:
                if values[i] is not None:
                    values[i] = ops.adapt_datetimefield_value(values[i])
            prepared.append(values)
        marks = ", ".join(["%s"] * len(every))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared)  # noqa: S608


def seed(args: argparse.Namespace) -> dict[str, Any]:
    """The workspace, its channels, posts and published deliveries (not timed)."""
    from roost.accounts.models import User
    from roost.channels.models import Channel
    from roost.core import clock
    from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
    from roost.workspaces.services import workspace_create

    user = User.objects.create_user(f"analyst-{uuid.uuid4().hex[:6]}@bench.test", PASSWORD)
    workspace = workspace_create(actor=user, name="Analytics bench", timezone=TIMEZONE)
    empty = workspace_create(actor=user, name="Analytics bench, no data", timezone=TIMEZONE)
    deliveries = math.ceil(args.rows / len(AGES))
    channels_n = max(1, min(args.channels, deliveries))
    posts_n = max(min(args.posts, deliveries), math.ceil(deliveries / channels_n))
    per_post = math.ceil(deliveries / posts_n)
    posts_n = math.ceil(deliveries / per_post)

    channels = []
    for i in range(channels_n):
        channel = Channel(
            workspace=workspace,
            network="sandbox",
            name=f"Channel {i:03d}",
            handle=f"channel-{i}.sandbox",
            remote_id=f"c{i}",
            config={"base_url": "http://127.0.0.1:9"},
        )
        channel.set_credentials({"token": "t"})
        channels.append(channel)
    Channel.objects.bulk_create(channels, batch_size=500)
    channel_ids = list(
        Channel.objects.filter(workspace=workspace).order_by("id").values_list("id", flat=True)
    )

    now = clock.now()
    span = timedelta(days=730)
    post_times = [now - span + span * (i + 0.5) / posts_n for i in range(posts_n)]
    Post.objects.bulk_create(
        [
            Post(
                workspace=workspace,
                author=user,
                text=f"Post {i} about coffee",
                status=PostStatus.PUBLISHED,
                scheduled_at=at,
            )
            for i, at in enumerate(post_times)
        ],
        batch_size=2000,
    )
    post_ids = list(
        Post.objects.filter(workspace=workspace).order_by("id").values_list("id", flat=True)
    )
    made = 0
    chunk = 100_000
    while made < deliveries:
        rows = []
        for d in range(made, min(made + chunk, deliveries)):
            p, k = divmod(d, per_post)
            at = post_times[p]
            rows.append(
                (
                    post_ids[p],
                    channel_ids[(p * per_post + k) % channels_n],
                    DeliveryStatus.PUBLISHED,
                    uuid.uuid4().hex,
                    at,
                    f"r-{d}",
                )
            )
        insert_rows(
            Delivery,
            ("post_id", "channel_id", "status", "idempotency_key", "published_at", "remote_id"),
            rows,
        )
        made += len(rows)
    return {
        "user": user,
        "workspace": workspace,
        "empty": empty,
        "channel_id": channel_ids[0],
        "deliveries": deliveries,
        "channels": channels_n,
        "posts": posts_n,
        "now": now,
    }


def counts(delivery_id: int, age: int) -> dict[str, int]:
    """A delivery's counts at its `age`-th reading: a stable size per delivery, growing."""
    size = (delivery_id * 2654435761) % 997 + 3
    g = GROWTH[age]
    impressions = int(size * 40 * g)
    return {
        "likes": int(size * g),
        "reposts": int(size * 0.2 * g),
        "replies": int(size * 0.1 * g),
        "quotes": int(size * 0.03 * g),
        "bookmarks": int(size * 0.05 * g),
        "impressions": impressions,
        "reach": int(impressions * 0.7),
        "clicks": int(size * 0.3 * g),
        "video_views": int(size * 2 * g),
    }


def load(args: argparse.Namespace, info: dict[str, Any]) -> dict[str, Any]:
    """Track every delivery and record `rows` readings through the real services; returns
    the seconds spent in them and the snapshots stored."""
    from roost.analytics.services.recording import Reading, metrics_record, metrics_track
    from roost.publishing.models import Delivery, DeliveryStatus

    workspace = info["workspace"]
    track_s = record_s = 0.0
    stored = 0
    # Deliveries in publishing order, in pages (the ids are dense: inserted in that order).
    pages: list[list[tuple[int, Any]]] = []
    last = 0
    page = args.batch
    while True:
        got = list(
            Delivery.objects.filter(channel__workspace=workspace, id__gt=last)
            .order_by("id")
            .values_list("id", "post_id", "channel_id", "published_at")[:page]
        )
        if not got:
            break
        last = got[-1][0]
        batch = [
            Delivery(
                pk=pk,
                post_id=post_id,
                channel_id=channel_id,
                status=DeliveryStatus.PUBLISHED,
                published_at=at,
            )
            for pk, post_id, channel_id, at in got
        ]
        started = time.perf_counter()
        metrics_track(deliveries=batch)
        track_s += time.perf_counter() - started
        pages.append([(pk, at) for pk, _p, _c, at in got])
    remaining = args.rows
    now = info["now"]
    for age, after in enumerate(AGES):
        for ids in pages:
            if remaining <= 0:
                break
            take = ids[:remaining]
            readings = [Reading(pk, counts(pk, age), min(at + after, now)) for pk, at in take]
            started = time.perf_counter()
            stored += metrics_record(readings=readings)
            record_s += time.perf_counter() - started
            remaining -= len(take)
    return {"track_s": track_s, "record_s": record_s, "stored": stored}


def bulk_create_baseline(sample: int, delivery_id: int) -> float:
    """Snapshots per second written by Django's bulk_create alone (then removed)."""
    from roost.analytics.models import MetricSnapshot
    from roost.core import clock

    now = clock.now()
    rows = [
        MetricSnapshot(delivery_id=delivery_id, taken_at=now, **counts(i, 5)) for i in range(sample)
    ]
    started = time.perf_counter()
    made = MetricSnapshot.objects.bulk_create(rows, batch_size=2000)
    per_s = len(made) / (time.perf_counter() - started)
    MetricSnapshot.objects.filter(delivery_id=delivery_id).delete()
    return per_s


def server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and command
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
    return proc, f"http://127.0.0.1:{port}"


def login(client: httpx.Client, base: str, email: str) -> None:
    for _ in range(200):
        try:
            page = client.get("/login/")
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    client.post(
        "/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": base + "/login/"},
    )


def time_get(client: httpx.Client, path: str, warmup: int, requests: int) -> dict[str, float]:
    for _ in range(warmup):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return {
        "p50_ms": round(percentile(timings, 0.50), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "kb": round(len(response.content) / 1024, 1),
    }


def channel_path(slug: str, channel_id: int) -> str | None:
    """The channel dashboard's URL, when the page exists (whatever its argument is named)."""
    from django.urls import NoReverseMatch, reverse

    for name in ("channel_id", "pk", "channel", "id"):
        try:
            return reverse("analytics:channel", kwargs={"slug": slug, name: channel_id})
        except NoReverseMatch:
            continue
    return None


def time_pdf(workspace: Any, now: datetime) -> tuple[float | None, str | None]:
    """Seconds to render a 90-day PDF report with every section (and no note)."""
    from roost.analytics import reports
    from roost.analytics.exports import render_pdf
    from roost.analytics.selectors import last_days

    keys = list(reports.SECTIONS)
    period = last_days(now.astimezone(workspace.tzinfo).date(), 90)
    render_pdf(workspace=workspace, period=period, sections=keys)  # warm up (fonts, imports)
    started = time.perf_counter()
    pdf = render_pdf(workspace=workspace, period=period, sections=keys)
    seconds = time.perf_counter() - started
    assert pdf, "an empty PDF"
    return seconds, None


def once(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="roost-bench-") as tmpdir:
        url = bench_database(args.db, Path(tmpdir))
        env = child_env(url)
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="roost.settings")
        migrate(env)
        import django

        django.setup()
        from django.db import connection

        started = time.monotonic()
        info = seed(args)
        seed_s = time.monotonic() - started
        print(
            f"seeded {info['deliveries']} deliveries ({info['posts']} posts x "
            f"{info['channels']} channels) in {seed_s:.1f} s",
            flush=True,
        )
        first = first_delivery(info["workspace"])
        baseline_per_s = bulk_create_baseline(min(args.rows, args.baseline_rows), first)

        cpu_before = (cpu_seconds() or 0.0, named_cpu_seconds("postgres"))
        profile = cProfile.Profile() if args.profile else None
        if profile is not None:
            profile.enable()
        done = load(args, info)
        if profile is not None:
            profile.disable()
            profile.dump_stats(args.profile)
        cpu_after = (cpu_seconds() or 0.0, named_cpu_seconds("postgres"))
        load_s = done["track_s"] + done["record_s"]
        load_per_s = done["stored"] / load_s
        print(f"loaded {done['stored']} snapshots in {load_s:.1f} s", flush=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("VACUUM ANALYZE")  # autocommit: the planner's figures, visibility

        from roost.analytics.models import ChannelDay, MetricSnapshot, PostMetrics

        tables = {
            "snapshots": MetricSnapshot.objects.count(),
            "post_metrics": PostMetrics.objects.count(),
            "channel_days": ChannelDay.objects.count(),
        }
        slug, empty_slug = info["workspace"].slug, info["empty"].slug
        channel = channel_path(slug, info["channel_id"])
        pdf_s, pdf_note = time_pdf(info["workspace"], info["now"])
        connection.close()

        proc, base = server(env)
        try:
            client = httpx.Client(base_url=base, timeout=60, trust_env=False)
            login(client, base, info["user"].email)
            overview = f"/w/{slug}/analytics/?range=90"
            dashboard = time_get(client, overview, args.warmup, args.requests)
            empty = time_get(
                client, f"/w/{empty_slug}/analytics/?range=90", args.warmup, args.requests
            )
            channel_fig = (
                time_get(client, f"{channel}?range=90", args.warmup, args.requests)
                if channel
                else None
            )
        finally:
            proc.terminate()
            proc.wait(timeout=20)

    summary: dict[str, Any] = {
        "rows": args.rows,
        "db": args.db,
        "load_per_s": round(load_per_s, 1),
        "dashboard_p50_ms": dashboard["p50_ms"],
        "dashboard_p95_ms": dashboard["p95_ms"],
        "channel_p95_ms": channel_fig["p95_ms"] if channel_fig else None,
        "pdf_s": round(pdf_s, 2) if pdf_s is not None else None,
        "load_vs_bulk_create": round(load_per_s / baseline_per_s, 2),
        "bulk_create_per_s": round(baseline_per_s, 1),
        "dashboard_vs_empty": round(dashboard["p95_ms"] / max(empty["p95_ms"], 0.1), 2),
        "empty_dashboard_p95_ms": empty["p95_ms"],
        "channel_p50_ms": channel_fig["p50_ms"] if channel_fig else None,
        "dashboard_kb": dashboard["kb"],
        "track_s": round(done["track_s"], 1),
        "record_s": round(done["record_s"], 1),
        "cpu_s": {
            "bench": round(cpu_after[0] - cpu_before[0], 1),
            "database": round(cpu_after[1] - cpu_before[1], 1) if args.db == "postgres" else None,
        },
        "tables": tables,
        "deliveries": info["deliveries"],
        "posts": info["posts"],
        "channels": info["channels"],
        "batch": args.batch,
        "requests": args.requests,
        "seed_s": round(seed_s, 1),
        "notes": [n for n in (pdf_note, None if channel else "no analytics:channel page") if n],
        "machine": machine(),
    }
    return summary


def first_delivery(workspace: Any) -> int:
    from roost.publishing.models import Delivery

    return int(
        Delivery.objects.filter(channel__workspace=workspace)
        .order_by("id")
        .values_list("id", flat=True)[0]
    )


def headline(s: dict[str, Any]) -> str:
    return (
        f"rows {s['rows']} {s['db']}: load {s['load_per_s']}/s "
        f"({s['load_vs_bulk_create']}x bulk_create alone); dashboard p50 "
        f"{s['dashboard_p50_ms']} ms p95 {s['dashboard_p95_ms']} ms "
        f"({s['dashboard_vs_empty']}x empty); channel p95 {s['channel_p95_ms']} ms; "
        f"pdf {s['pdf_s']} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="metric snapshots to load")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=10_000, help="readings per record call")
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the load here")
    harness.run(parser, once, headline)


if __name__ == "__main__":
    main()
