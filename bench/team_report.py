"""Team report: load N incoming inbox messages (with replies and completions by people and
by rules) over 90 days into a fresh database, then time the 90-day team report
(`roost.analytics.team.team_report`, the page's and the API's one read) in-process.

    python bench/team_report.py --messages 100000 --db sqlite
    python bench/team_report.py --messages 100000 --db postgres

The last line printed is one JSON object:
{"messages", "replies", "db", "load_s", "report_p50_ms", "report_p95_ms",
"report_cpu_p50_ms", "runs"}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roost.publishing.testing import child_env, migrate, percentile  # noqa: E402

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
BUSINESS = {str(d): ["09:00", "17:00"] for d in range(5)}


def database_url(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS roost_bench_team WITH (FORCE)")
        conn.execute("CREATE DATABASE roost_bench_team")
    return "postgres://postgres@127.0.0.1:5432/roost_bench_team"


def load(n: int, end: date) -> tuple[Any, int]:
    """A workspace with 20 channels and 10 people; `n` incoming items over the 90 days
    ending `end`: 80 % answered by a person, 60 % completed by one, 10 % by a rule."""
    from roost.accounts.models import User
    from roost.channels.models import Channel
    from roost.inbox.models import Conversation, InboxSettings, Message
    from roost.workspaces.models import Membership
    from roost.workspaces.services import workspace_create

    rng = random.Random(12)  # noqa: S311 - reproducible test data, not secrets
    owner = User.objects.create_user(f"bench-{uuid.uuid4().hex[:8]}@bench.test", "x")
    ws = workspace_create(actor=owner, name="Bench team", timezone="Europe/Warsaw")
    InboxSettings.objects.update_or_create(workspace=ws, defaults={"business_hours": BUSINESS})
    people = [Membership.objects.get(workspace=ws, user=owner)]
    for i in range(9):
        user = User.objects.create_user(f"p{i}-{uuid.uuid4().hex[:6]}@bench.test", "x")
        people.append(Membership.objects.create(workspace=ws, user=user))
    channels = Channel.objects.bulk_create(
        [
            Channel(
                workspace=ws,
                network="sandbox",
                name=f"Channel {i}",
                handle=f"c{i}.sandbox",
                remote_id=f"c{i}",
                config={},
                credentials_encrypted="",
            )
            for i in range(20)
        ]
    )
    start = datetime(end.year, end.month, end.day, tzinfo=UTC) - timedelta(days=89)
    replies = 0
    batch = 5000
    for offset in range(0, n, batch):
        size = min(batch, n - offset)
        picks = [rng.choice(channels) for _ in range(size)]
        conversations = Conversation.objects.bulk_create(
            [
                Conversation(workspace=ws, channel=c, key=f"k{offset + i}")
                for i, c in enumerate(picks)
            ]
        )
        incoming, outgoing = [], []
        for i, (channel, conv) in enumerate(zip(picks, conversations, strict=True)):
            got = start + timedelta(seconds=rng.randrange(0, 89 * 86400))
            m = Message(
                workspace=ws,
                channel=channel,
                conversation=conv,
                remote_id=f"in-{offset + i}",
                kind="mention",
                text="Hello",
                sent_at=got,
                received_at=got,
            )
            roll = rng.random()
            if roll < 0.8:
                person = rng.choice(people)
                answered = got + timedelta(minutes=rng.randrange(1, 48 * 60))
                m.first_response_at = answered
                outgoing.append(
                    Message(
                        workspace=ws,
                        channel=channel,
                        conversation=conv,
                        remote_id=f"out-{offset + i}",
                        kind="mention",
                        outgoing=True,
                        sent_by=person,
                        parent_remote_id=m.remote_id,
                        sent_at=answered,
                        received_at=answered,
                        status="complete",
                    )
                )
                if roll < 0.6:
                    m.status = "complete"
                    m.completed_at = answered + timedelta(minutes=rng.randrange(0, 24 * 60))
                    m.completed_by_id = person.user_id
            elif roll < 0.9:
                m.status, m.completed_at = "complete", got  # a rule finished it
            incoming.append(m)
        Message.objects.bulk_create(incoming + outgoing)
        replies += len(outgoing)
    return ws, replies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url(args.db, Path(tmp))
        migrate(child_env(url))
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="roost.settings")
        import django

        django.setup()
        from roost.analytics.selectors import last_days
        from roost.analytics.team import team_report

        end = date.today()
        began = time.perf_counter()
        ws, replies = load(args.messages, end)
        load_s = time.perf_counter() - began
        period = last_days(end, 90)
        timings, cpu = [], []
        report = None
        for _ in range(args.runs):
            began, used = time.perf_counter(), time.process_time()
            report = team_report(ws, period)
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        assert report is not None and report.received == args.messages
        print(
            f"received {report.received}, first responses {report.first_response.count}, "
            f"completed by people {report.completion.count}"
        )
        print(
            json.dumps(
                {
                    "messages": args.messages,
                    "replies": replies,
                    "db": args.db,
                    "load_s": round(load_s, 1),
                    "report_p50_ms": round(percentile(timings, 0.5), 1),
                    "report_p95_ms": round(percentile(timings, 0.95), 1),
                    # This process's CPU (with SQLite: the database's too): wall time on a
                    # busy machine says more about the neighbours than about the report.
                    "report_cpu_p50_ms": round(percentile(cpu, 0.5), 1),
                    "runs": args.runs,
                }
            )
        )
    if args.db == "postgres":
        subprocess.run(  # noqa: S603
            ["psql", PG_ADMIN, "-c", "DROP DATABASE IF EXISTS roost_bench_team WITH (FORCE)"],  # noqa: S607
            check=False,
            capture_output=True,
        )


if __name__ == "__main__":
    main()
