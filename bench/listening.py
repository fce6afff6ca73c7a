"""Listening: ingest N public posts through language, sentiment, intent and topic matching
(T generated topics) with the real ingestion path, re-ingest the same pages (must add 0),
then time trends and the daily brief when those parts exist.

    python bench/listening.py --n 10000 --topics 100 --db sqlite
    python bench/listening.py --n 10000 --topics 100 --db postgres --runs 1 --busy-ok

The posts come from `public_posts()` (one function: the Sandbox's public conversation once
it exists, generated English and Polish posts until then), 100 to a page, as a search
returns them; every post names at least one topic's brand, so all N should be stored.
`ingest_per_s` is posts per second of `roost.listening.services.ingest.ingest` (matching,
understanding, storing, roll-ups); `duplicates` is what the second pass added (0 is right);
`missing` is N minus the mentions stored. `trends_ms` is one `trending_terms` call per topic
summed (null when `roost.listening.trends` is absent); `brief_per_workspace_ms` one brief
build (null when `roost.briefing` has none).

The last line printed is one JSON object:
{"n", "topics", "db", "ingest_per_s", "duplicates", "missing", "trends_ms",
"brief_per_workspace_ms", ...}. With `--runs K` (default 3) each run is a fresh process;
see bench/harness.py.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from roost.publishing.testing import child_env, fresh_postgres_database, migrate  # noqa: E402

PAGE = 100
_EN = (
    "love the new update but the app is slow today want to buy a subscription for my team "
    "great support terrible delay shipping coffee morning price refund broken works fine"
)
EN = _EN.split()
_PL = (
    "kocham nową wersję ale aplikacja dziś działa wolno chcę kupić abonament dla zespołu "
    "świetna obsługa fatalne opóźnienie kawa rano cena zwrot zepsute działa dobrze"
)
PL = _PL.split()


def bench_database(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    return fresh_postgres_database("roost_bench_listening")


def topic_query(i: int) -> str:
    """The i-th generated topic: a brand word, a product phrase and a hashtag, some limited
    to a language, some leaving out an account."""
    query = f'brand{i} OR "product {i}" OR #tag{i}'
    if i % 5 == 1:
        query = f"({query}) lang:pl"
    if i % 7 == 2:
        query = f"({query}) -from:@spam{i}.bsky.social"
    return query


def public_posts(n: int, topics: int, now: datetime, seed: int = 1) -> list[Any]:
    """N public posts over the last 7 days, each naming at least one topic's brand
    (English and Polish, the Polish ones declared so the language filters match)."""
    from roost.networks.base import PublicPost

    rng = random.Random(seed)  # noqa: S311 - test data, reproducible
    out = []
    for k in range(n):
        polish = rng.random() < 0.4
        words = rng.choices(PL if polish else EN, k=rng.randint(8, 30))
        i = rng.randrange(topics)
        # Topics limited to Polish only get Polish posts; others either.
        if i % 5 == 1 and not polish:
            i = (i + 1) % topics
        extra = [f"brand{i}"]
        if rng.random() < 0.3:
            extra.append(f"#tag{rng.randrange(topics)}")
        if rng.random() < 0.2:
            extra.append(f"product {rng.randrange(topics)}")
        words[rng.randrange(len(words)) : 0] = extra
        out.append(
            PublicPost(
                remote_id=f"at://did:plc:bench{k % 997}/app.bsky.feed.post/{k:08d}",
                text=" ".join(words),
                created_at=now - timedelta(seconds=rng.randrange(7 * 24 * 3600)),
                author_id=f"did:plc:bench{k % 997}",
                author_handle=f"user{k % 997}.bsky.social",
                url=f"https://bsky.app/profile/user{k % 997}.bsky.social/post/{k:08d}",
                language="pl" if polish else "en",
            )
        )
    return out


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
        Topic(workspace=workspace, name=f"Topic {i}", query=topic_query(i))
        for i in range(args.topics)
    )
    return {"workspace": workspace, "channel": channel}


def optional(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    return found if callable(found) else None


def time_trends(workspace: Any) -> float | None:
    """Trending terms for every topic, summed (ms); None when trends do not exist yet."""
    trending = optional("roost.listening.trends", "trending_terms")
    if trending is None:
        return None
    from roost.listening.models import Topic

    topics = list(Topic.objects.filter(workspace=workspace))
    started = time.perf_counter()
    try:
        for topic in topics:
            trending(topic=topic)
    except TypeError:
        return None  # another signature than this bench knows: see the trends module
    return round((time.perf_counter() - started) * 1000, 1)


def time_brief(workspace: Any) -> float | None:
    """One daily brief for the workspace (ms); None when the brief does not exist yet."""
    build = optional("roost.briefing.services", "brief_build") or optional(
        "roost.briefing", "brief_build"
    )
    if build is None:
        return None
    started = time.perf_counter()
    try:
        build(workspace=workspace)
    except TypeError:
        return None
    return round((time.perf_counter() - started) * 1000, 1)


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

        info = seed(args)
        channel = info["channel"]
        now = datetime.now(UTC)
        posts = public_posts(args.n, args.topics, now)
        pages = [
            ListeningPage(posts=tuple(posts[i : i + PAGE])) for i in range(0, len(posts), PAGE)
        ]
        # Warm up imports and the understanding models on a page outside the data.
        warm = public_posts(PAGE, args.topics, now, seed=99)
        ingest(
            channel=channel,
            page=ListeningPage(
                posts=tuple(replace(p, remote_id="warm-" + p.remote_id) for p in warm)
            ),
        )
        before = Mention.objects.count()

        started = time.perf_counter()
        new = sum(ingest(channel=channel, page=page).new for page in pages)
        seconds = time.perf_counter() - started
        stored = Mention.objects.count() - before
        again = sum(ingest(channel=channel, page=page).new for page in pages)
        duplicates = again + (Mention.objects.count() - before - stored)

        trends_ms = time_trends(info["workspace"])
        brief_ms = time_brief(info["workspace"])
        return {
            "n": args.n,
            "topics": args.topics,
            "db": args.db,
            "ingest_per_s": round(args.n / seconds, 1),
            "duplicates": duplicates,
            "missing": args.n - new,
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
