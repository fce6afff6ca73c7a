"""Listening: ingest N public posts through language, sentiment, intent and topic matching
(T generated topics) with the real ingestion path, re-ingest the same pages (must add 0),
then time trends and the daily brief.

    python bench/listening.py --n 10000 --topics 100 --db sqlite
    python bench/listening.py --n 10000 --topics 100 --db postgres --runs 1 --busy-ok

The posts come from `public_posts()`: the Sandbox's public conversation (English and
Polish, with its planted bursts) over the last 7 days, 100 to a page, as a search returns
them. The topics are the Sandbox's four subjects and queries over the conversation's own
words (`topic_queries()`).
`ingest_per_s` is posts per second of `roost.listening.services.ingest.ingest` (matching,
understanding, storing, roll-ups); `duplicates` is what the second pass added (0 is right);
`missing` is how many posts some topic matches (by the parser alone, one by one, with the
declared language) that were not stored, `unexpected` the reverse (both 0 when the
understood language agrees with the declared one). `trends_ms` is one `trending_terms`
call over every topic; `brief_per_workspace_ms` one build of the workspace's daily brief
(medians of 5).

The last line printed is one JSON object:
{"n", "topics", "db", "ingest_per_s", "duplicates", "missing", "trends_ms",
"brief_per_workspace_ms", ...}. With `--runs K` (default 3) each run is a fresh process;
see bench/harness.py.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from roost.publishing.testing import child_env, fresh_postgres_database, migrate  # noqa: E402

PAGE = 100
WORD = re.compile(r"\w+")


def bench_database(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    return fresh_postgres_database("roost_bench_listening")


SUBJECTS = (
    '"demo coffee" OR #democoffee OR @democoffee',
    '"winter blend" OR #winterblend',
    '"bean barn" OR #beanbarn',
    '"kawa nova" OR #kawanova',
)


def topic_queries(topics: int, posts: list[Any]) -> list[str]:
    """The Sandbox's four subjects, then topics over the conversation's own words (the
    commonest first): words, phrases of two, some limited to Polish or leaving out an
    account, so every operator is exercised."""
    counts: Counter[str] = Counter()
    for post in posts[:5000]:
        counts.update(w for w in WORD.findall(post.text.casefold()) if len(w) >= 4)
    words = [w for w, _n in counts.most_common(3 * topics + 10)]
    queries = list(SUBJECTS[:topics])
    i = 0
    while len(queries) < topics:
        a, b, c = (
            words[(3 * i) % len(words)],
            words[(3 * i + 1) % len(words)],
            words[(3 * i + 2) % len(words)],
        )
        query = f'{a} OR "{b} {c}"' if i % 3 else f"({a} {b}) OR #{c}"
        if i % 5 == 1:
            query = f"({query}) lang:pl"
        if i % 7 == 2:
            query = f"({query}) -from:@spam{i}.bsky.social"
        queries.append(query)
        i += 1
    return queries


def public_posts(n: int, now: datetime, seed: int = 1) -> list[Any]:
    """N posts of the Sandbox's public conversation (roost/networks/sandbox/conversation.py)
    over the last 7 days, as its search returns them (deleted ones left out), oldest first."""
    from roost.networks.base import PublicPost
    from roost.networks.sandbox.conversation import HOUR, MAX_RATE, World, generate_hour

    hours = 7 * 24
    rate = min(MAX_RATE, max(24, int(n / hours * 1.3) + 1))
    world = World(seed=seed, rate=rate, anchor=now.timestamp() - 12 * HOUR)
    last = int(now.timestamp() // HOUR)
    out = []
    for hour in range(last - hours, last + 1):
        for post in generate_hour(world, hour):
            if post.deleted_at is not None or post.created_at > now.timestamp():
                continue
            out.append(
                PublicPost(
                    remote_id=str(post.id),
                    text=post.text,
                    created_at=datetime.fromtimestamp(post.created_at, UTC),
                    author_id=str(post.author_id),
                    author_handle=post.author_handle,
                    author_name=post.author_name,
                    url=f"https://sandbox.test/post/{post.id}",
                    language=post.language,
                    likes=post.likes,
                    reposts=post.reposts,
                    replies=post.replies,
                    followers=post.followers,
                )
            )
    return out[-n:]


def expected(posts: list[Any], queries: list[str]) -> set[str]:
    """The posts some topic matches, by the parser alone (one by one, no index; the declared
    language): what ingestion must store."""
    from roost.listening.query import Doc, parse

    parsed = [parse(q) for q in queries]
    return {
        p.remote_id
        for p in posts
        if any(
            q.matches(Doc.of(p.text, language=p.language, author=p.author_handle)) for q in parsed
        )
    }


def seed(args: argparse.Namespace) -> dict[str, Any]:
    from roost.accounts.models import User
    from roost.channels.models import Channel
    from roost.listening.models import Topic
    from roost.workspaces.services import workspace_create

    user = User.objects.create_user("bench@bench.test", "bench-password-123")
    workspace = workspace_create(actor=user, name="Bench", timezone="Europe/Warsaw")
    channel = Channel(workspace=workspace, network="bluesky", name="Bench", handle="bench.test")
    channel.set_credentials({})
    channel.save()
    Topic.objects.bulk_create(
        Topic(workspace=workspace, name=f"Topic {i}", query=query)
        for i, query in enumerate(args.queries)
    )
    return {"workspace": workspace, "channel": channel}


def _median_ms(call: Callable[[], object], times: int = 5) -> float:
    spent = []
    for _n in range(times):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return round(sorted(spent)[times // 2] * 1000, 1)


def time_trends(workspace: Any) -> float:
    """Trending terms over the workspace's topics, the last 7 days as baseline (ms; the
    median of 5 calls)."""
    from roost.listening.models import Topic
    from roost.listening.trends import trending_terms

    ids = list(Topic.objects.filter(workspace=workspace).values_list("pk", flat=True))
    return _median_ms(lambda: trending_terms(ids, baseline_days=7))


def time_brief(workspace: Any) -> float:
    """The daily brief of the workspace, every section built as of now (ms; the median of 5
    builds, not saved). Only listening has data here: the other sections read empty
    tables, so this is the brief's floor, not a busy workspace's figure."""
    from roost.briefing.services import brief_preview

    return _median_ms(lambda: brief_preview(workspace))


def once(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="roost-bench-") as tmpdir:
        url = bench_database(args.db, Path(tmpdir))
        env = child_env(url)
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="roost.settings")
        migrate(env)
        import django

        django.setup()
        from roost.listening.models import Mention, TopicMention
        from roost.listening.services.ingest import ingest
        from roost.networks.base import ListeningPage

        now = datetime.now(UTC)
        posts = public_posts(args.n, now)
        args.queries = topic_queries(args.topics, posts)
        info = seed(args)
        channel = info["channel"]
        pages = [
            ListeningPage(posts=tuple(posts[i : i + PAGE])) for i in range(0, len(posts), PAGE)
        ]
        # Warm up imports and the understanding models on a page outside the data.
        warm = tuple(replace(p, remote_id="warm-" + p.remote_id) for p in posts[:PAGE])
        ingest(channel=channel, page=ListeningPage(posts=warm))
        Mention.objects.filter(remote_id__startswith="warm-").delete()
        before = Mention.objects.count()

        started = time.perf_counter()
        for page in pages:
            ingest(channel=channel, page=page)
        seconds = time.perf_counter() - started
        stored = set(
            Mention.objects.filter(workspace=info["workspace"]).values_list("remote_id", flat=True)
        )
        count = Mention.objects.count()
        again = sum(ingest(channel=channel, page=page).new for page in pages)
        duplicates = again + (Mention.objects.count() - count)
        wanted = expected(posts, args.queries)

        trends_ms = time_trends(info["workspace"])
        brief_ms = time_brief(info["workspace"])
        return {
            "n": args.n,
            "topics": args.topics,
            "db": args.db,
            "ingest_per_s": round(len(posts) / seconds, 1),
            "duplicates": duplicates,
            "missing": len(wanted - stored),
            "unexpected": len(stored - wanted),
            "stored": count - before,
            "trends_ms": trends_ms,
            "brief_per_workspace_ms": brief_ms,
            "ingest_s": round(seconds, 3),
            "topic_links": TopicMention.objects.count(),
        }


def headline(s: dict[str, Any]) -> str:
    return (
        f"listening {s['n']} posts x {s['topics']} topics on {s['db']}: "
        f"ingest {s['ingest_per_s']}/s, duplicates {s['duplicates']}, missing {s['missing']}, "
        f"trends {s['trends_ms']} ms, brief {s['brief_per_workspace_ms']} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="posts to ingest")
    parser.add_argument("--topics", type=int, default=100, help="generated topics")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    harness.run(parser, once, headline)


if __name__ == "__main__":
    main()
