"""Ingestion: a page of public posts found through one channel becomes the workspace's
mentions — matched against its topics, understood, stored once, and counted in the hourly
roll-ups — in a few set-based statements.

Concurrency: mentions are inserted ignoring conflicts on (workspace, network, remote_id),
and only the rows this call inserted (stamped with its own `found_at`) are linked to topics
and counted, so two workers ingesting the same page count each post once. Deletions lock
the mentions they remove (PostgreSQL; SQLite runs one writer at a time), so a roll-up is
decremented once per deleted mention.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import connection, transaction

from roost.channels.models import Channel
from roost.core import clock
from roost.inbox.services.bulk import among, insert_ignoring_conflicts
from roost.listening.models import Mention, Sentiment, TermHour, Topic, TopicHour, TopicMention
from roost.listening.query import Doc, Query, QueryError, QueryIndex, normalise, parse
from roost.listening.understanding import understand_many
from roost.networks.base import ListeningPage, PublicPost

log = logging.getLogger("roost.listening")
MAX_TEXT = 10_000  # longer texts are cut, not refused
MAX_TERM = 100  # TermHour.term
ROWS_PER_STATEMENT = 500
# TopicHour's counters after `mentions`, by sentiment.
_COLUMN_OF = {Sentiment.POSITIVE.value: 1, Sentiment.NEUTRAL.value: 2, Sentiment.NEGATIVE.value: 3}

MENTION_COLUMNS = (
    "workspace_id",
    "channel_id",
    "network",
    "remote_id",
    "url",
    "author_id",
    "author_handle",
    "author_name",
    "author_followers",
    "text",
    "posted_at",
    "found_at",
    "language",
    "sentiment",
    "sentiment_score",
    "intent",
    "intent_score",
    "terms",
    "likes",
    "reposts",
    "replies",
)


@dataclass(frozen=True)
class Ingested:
    new: int  # mentions stored by this call
    duplicates: int  # posts already stored (earlier polls, another worker, twice in the page)
    matched: int  # posts that matched at least one topic
    deleted: int  # mentions removed because the network said the post is gone
    skipped: int  # malformed posts (and the page's own count of them)


@lru_cache(maxsize=4096)
def _compiled(source: str) -> Query | None:
    try:
        return parse(source)
    except QueryError:
        return None


def compiled(topic: Topic) -> Query | None:
    """The topic's parsed query (cached by its text); None when it no longer parses."""
    query = _compiled(topic.query)
    if query is None:
        log.warning("topic %s: its query does not parse; it is left out", topic.pk)
    return query


def own_accounts(workspace_id: int) -> tuple[frozenset[str], frozenset[str]]:
    """The handles (normalised, no "@") and remote ids of the workspace's channels."""
    handles: set[str] = set()
    ids: set[str] = set()
    for handle, remote_id in Channel.objects.filter(workspace_id=workspace_id).values_list(
        "handle", "remote_id"
    ):
        if handle:
            handles.add(normalise(handle).strip().lstrip("@"))
        if remote_id:
            ids.add(remote_id)
    return frozenset(handles), frozenset(ids)


def _clean(text: str) -> str:
    """Drop what cannot be stored (lone surrogates, NUL) and cap the length."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")[:MAX_TEXT]


def _hour(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _terms(terms: Iterable[str]) -> list[str]:
    """A mention's terms as the roll-up counts them: once each, at most MAX_TERM long."""
    return list(dict.fromkeys(t[:MAX_TERM] for t in terms if t))


def _valid(post: Any) -> bool:
    return (
        isinstance(post, PublicPost)
        and bool(post.remote_id)
        and isinstance(post.text, str)
        and isinstance(post.created_at, datetime)
        and post.created_at.tzinfo is not None
    )


def ingest(
    *, channel: Channel, page: ListeningPage, topics: Sequence[Topic] | None = None
) -> Ingested:
    """Store the posts of `page` that match the workspace's active `topics` (all of them
    when None) as mentions, and forget the posts the page says were deleted."""
    if topics is None:
        topics = list(Topic.objects.filter(workspace_id=channel.workspace_id, is_active=True))
    else:
        topics = [t for t in topics if t.is_active and t.workspace_id == channel.workspace_id]
    skipped = page.skipped
    posts: dict[str, PublicPost] = {}
    for post in page.posts:
        if not _valid(post):
            skipped += 1
            continue
        remote_id = post.remote_id[:500]
        if remote_id in posts:
            continue
        posts[remote_id] = post
    duplicates = sum(1 for p in page.posts if _valid(p)) - len(posts)

    deleted = _forget(channel, page.deleted) if page.deleted else 0
    compiled_topics = [(t, q) for t in topics if (q := compiled(t)) is not None]
    if not posts or not compiled_topics:
        return Ingested(new=0, duplicates=duplicates, matched=0, deleted=deleted, skipped=skipped)

    existing = set(
        Mention.objects.filter(
            among(Mention, "remote_id", list(posts)),
            workspace_id=channel.workspace_id,
            network=channel.network,
        ).values_list("remote_id", flat=True)
    )
    duplicates += len(existing)
    fresh = [(rid, p) for rid, p in posts.items() if rid not in existing]

    # Which topics each post may match: a post none can match is neither understood nor kept.
    index: QueryIndex[int] = QueryIndex((i, q) for i, (_t, q) in enumerate(compiled_topics))
    candidates: list[tuple[str, PublicPost, Doc, list[tuple[int, Query]]]] = []
    for rid, post in fresh:
        doc = Doc.of(post.text, language=post.language, author=post.author_handle)
        may = index.candidates(doc)
        if may:
            candidates.append((rid, post, doc, may))
    if not candidates:
        return Ingested(new=0, duplicates=duplicates, matched=0, deleted=deleted, skipped=skipped)

    understood = understand_many(
        [_clean(post.text) for _r, post, _d, _m in candidates],
        [post.language for _r, post, _d, _m in candidates],
    )
    own_handles, own_ids = own_accounts(channel.workspace_id)
    matched: list[tuple[str, PublicPost, Any, list[Topic]]] = []
    for (rid, post, doc, may), seen in zip(candidates, understood, strict=True):
        # Match again knowing the language (a lang: filter needs it).
        language = (seen.language or post.language or "")[:8]
        if language != doc.language:
            doc = replace(doc, language=normalise(language))
        own = (
            normalise(post.author_handle).strip().lstrip("@") in own_handles
            or post.author_id in own_ids
        )
        hits = [
            compiled_topics[i][0]
            for i, query in may
            if query.matches(doc) and not (own and compiled_topics[i][0].exclude_own)
        ]
        if hits:
            matched.append((rid, post, seen, hits))
    if not matched:
        return Ingested(new=0, duplicates=duplicates, matched=0, deleted=deleted, skipped=skipped)
    new = _store(channel, matched)
    return Ingested(
        new=new,
        duplicates=duplicates + len(matched) - new,
        matched=len(matched),
        deleted=deleted,
        skipped=skipped,
    )


def _store(channel: Channel, matched: list[tuple[str, PublicPost, Any, list[Topic]]]) -> int:
    """Insert the mentions, link the ones this call inserted to their topics, and count
    them in the roll-ups; one transaction. Returns how many mentions were inserted."""
    now = clock.now()
    rows = []
    for rid, post, seen, _hits in matched:
        url = post.url if post.url.startswith(("https://", "http://")) else ""
        rows.append(
            (
                channel.workspace_id,
                channel.pk,
                channel.network,
                rid,
                url[:1000],
                post.author_id[:300],
                post.author_handle[:300],
                _clean(post.author_name)[:300],
                post.followers,
                _clean(post.text),
                post.created_at,
                now,
                (seen.language or post.language or "")[:8],
                max(-1, min(1, int(seen.sentiment))),
                float(seen.sentiment_score),
                bool(seen.intent),
                float(seen.intent_score),
                json.dumps(_terms(seen.terms), ensure_ascii=False),
                post.likes,
                post.reposts,
                post.replies,
            )
        )
    with transaction.atomic():
        new = insert_ignoring_conflicts(Mention, MENTION_COLUMNS, rows)
        if not new:
            return 0
        # Ours are the rows stamped with this call's time (another worker's have its own).
        mine = dict(
            Mention.objects.filter(
                among(Mention, "remote_id", [rid for rid, *_rest in matched]),
                workspace_id=channel.workspace_id,
                network=channel.network,
                found_at=now,
            ).values_list("remote_id", "pk")
        )
        links = []
        hours: dict[tuple[int, datetime], list[int]] = {}
        terms: dict[tuple[int, datetime, str], int] = {}
        for rid, post, seen, hits in matched:
            if rid not in mine:
                continue
            sentiment = max(-1, min(1, int(seen.sentiment)))
            hour = _hour(post.created_at)
            mention_terms = _terms(seen.terms)
            for topic in hits:
                links.append((topic.pk, mine[rid], post.created_at, sentiment, bool(seen.intent)))
                _count(hours, terms, topic.pk, hour, sentiment, bool(seen.intent), mention_terms, 1)
        insert_ignoring_conflicts(
            TopicMention, ("topic_id", "mention_id", "posted_at", "sentiment", "intent"), links
        )
        _add(hours, terms)
    return len(mine)


def _count(
    hours: dict[tuple[int, datetime], list[int]],
    terms: dict[tuple[int, datetime, str], int],
    topic_id: int,
    hour: datetime,
    sentiment: int,
    intent: bool,
    mention_terms: list[str],
    sign: int,
) -> None:
    """Add one mention (sign 1) or take it away (sign -1) from the roll-ups to write."""
    counts = hours.setdefault((topic_id, hour), [0, 0, 0, 0, 0])
    counts[0] += sign
    counts[_COLUMN_OF[sentiment]] += sign
    counts[4] += sign if intent else 0
    for term in mention_terms:
        key = (topic_id, hour, term)
        terms[key] = terms.get(key, 0) + sign


def _add(
    hours: dict[tuple[int, datetime], list[int]], terms: dict[tuple[int, datetime, str], int]
) -> None:
    """Add the counts to TopicHour and TermHour: INSERT … ON CONFLICT DO UPDATE SET
    n = n + excluded.n (SQLite and PostgreSQL), per ROWS_PER_STATEMENT rows."""
    _upsert(
        TopicHour,
        ("topic_id", "hour"),
        ("mentions", "positive", "neutral", "negative", "intent"),
        [(topic, hour, *counts) for (topic, hour), counts in hours.items() if any(counts)],
    )
    _upsert(
        TermHour,
        ("topic_id", "hour", "term"),
        ("count",),
        [(topic, hour, term, n) for (topic, hour, term), n in terms.items() if n],
    )


def _upsert(
    model: type[TopicHour] | type[TermHour],
    keys: tuple[str, ...],
    counters: tuple[str, ...],
    rows: list[tuple[Any, ...]],
) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*keys, *counters]
    hour_at = columns.index("hour")
    adapt = connection.ops.adapt_datetimefield_value
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sets = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in counters)
    rows = sorted(rows, key=lambda r: r[: len(keys)])  # one lock order for every writer
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            batch = rows[start : start + ROWS_PER_STATEMENT]
            params: list[Any] = []
            for row in batch:
                values = list(row)
                values[hour_at] = adapt(values[hour_at])
                params.extend(values)
            # Names come from the model; every value is bound.
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(batch))} "
                f"ON CONFLICT ({', '.join(quote(c) for c in keys)}) DO UPDATE SET {sets}",
                params,
            )


def _forget(channel: Channel, remote_ids: Sequence[str]) -> int:
    """Remove the workspace's mentions of deleted posts, their topic links, and their
    counts in the roll-ups, in one transaction. Returns how many mentions were removed."""
    ids = list(dict.fromkeys(r[:500] for r in remote_ids if r))
    if not ids:
        return 0
    with transaction.atomic():
        # Locked, so that two workers forgetting the same post count it down once.
        gone = list(
            Mention.objects.select_for_update()
            .filter(
                among(Mention, "remote_id", ids),
                workspace_id=channel.workspace_id,
                network=channel.network,
            )
            .values_list("pk", "terms")
        )
        if not gone:
            return 0
        terms_of = {pk: _terms(t if isinstance(t, list) else []) for pk, t in gone}
        hours: dict[tuple[int, datetime], list[int]] = {}
        terms: dict[tuple[int, datetime, str], int] = {}
        for topic_id, mention_id, posted_at, sentiment, intent in TopicMention.objects.filter(
            mention_id__in=list(terms_of)
        ).values_list("topic_id", "mention_id", "posted_at", "sentiment", "intent"):
            _count(
                hours,
                terms,
                topic_id,
                _hour(posted_at),
                sentiment,
                intent,
                terms_of[mention_id],
                -1,
            )
        Mention.objects.filter(pk__in=list(terms_of)).delete()
        _add(hours, terms)
    return len(gone)
