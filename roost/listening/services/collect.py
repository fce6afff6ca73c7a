"""Collection: search the networks for every workspace's topics through its channels, and
ingest what was found.

For each workspace with active topics, for each of its active channels whose connector can
search public posts (`ListeningConnector`), each search term the topics ask for is one unit
of work with its own `SearchCursor`: searched for posts newer than the newest one seen
(following the network's cursor for at most `max_pages` pages a poll), then ingested.

Network calls run concurrently in a bounded thread pool with no database work in the
threads; results are stored as they come back. Each unit fails on its own: a network error
backs that cursor off (5 minutes doubling with each failure in a row, at most 6 hours, or
what the network asked for); revoked access marks the channel as needing reconnecting, the
way the inbox poll does. A cursor is claimed with a conditional update before its search,
so two runs never search the same term through the same channel at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import OpenConnector, channel_mark_unauthorized, connector_open
from roost.core import clock
from roost.inbox.services.bulk import insert_ignoring_conflicts
from roost.listening.models import SearchCursor, Topic
from roost.listening.services.ingest import compiled, ingest
from roost.networks.base import ListeningConnector, ListeningPage, Outcome, Result

log = logging.getLogger("roost.listening")
# Pages per term and channel per poll. A normal poll stops long before (at the posts it
# already has); a burst needs them: pages run newest first, and a poll that stops early
# moves its cursor past what it did not read, so it is generous (3,000 posts per term),
# and a poll that still hits it says so in the log.
MAX_PAGES = 30
PAGE_LIMIT = 100
# A new term's first poll reads further back (the recent past the network still has), so a
# new topic starts with a day or more of history: trends and spikes need a baseline.
FIRST_POLL_PAGES = 30
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=6)
# A claimed cursor is not searched again before this, even if the run that claimed it died.
LEASE = timedelta(minutes=15)


@dataclass(frozen=True)
class Collected:
    searches: int  # (channel, term) searches done
    failed: int  # of which failed
    new: int  # mentions stored
    duplicates: int
    deleted: int


@dataclass(frozen=True)
class _Search:
    cursor: SearchCursor
    language: str


@dataclass(frozen=True)
class _Unit:
    """One channel's searches: done one after another in one thread (a connector and its
    session are not shared between threads, and a network's rate limit is per account)."""

    channel: Channel
    opened: OpenConnector
    searches: tuple[_Search, ...]


Searched = tuple[_Search, Result, list[ListeningPage]]


def period() -> timedelta:
    return timedelta(minutes=settings.ROOST_LISTENING_COLLECT_MINUTES)


def backoff(now: datetime, failures: int, retry_after: float | None = None) -> datetime:
    """When a failing search is tried again."""
    wait = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(max(failures - 1, 0), 12))
    if retry_after:
        wait = max(wait, timedelta(seconds=min(retry_after, BACKOFF_CAP.total_seconds())))
    return now + wait


def _search_channel(unit: _Unit, max_pages: int) -> list[Searched]:
    """The network side of one channel's searches. Runs in a pool thread: no ORM here.
    Stops at revoked access (the rest are not tried)."""
    done: list[Searched] = []
    for search in unit.searches:
        result, pages = _search(unit, search, max_pages)
        done.append((search, result, pages))
        if result.outcome is Outcome.UNAUTHORIZED:
            break
    return done


def _search(unit: _Unit, search: _Search, max_pages: int) -> tuple[Result, list[ListeningPage]]:
    connector = unit.opened.connector
    assert isinstance(connector, ListeningConnector)
    since = search.cursor.newest_at
    pages: list[ListeningPage] = []
    cursor: str | None = None
    pages_allowed = max_pages if since is not None else max(max_pages, FIRST_POLL_PAGES)
    try:
        for _n in range(pages_allowed):
            result, page = connector.search_public(
                search.cursor.term,
                cursor=cursor,
                since=since,
                language=search.language,
                limit=PAGE_LIMIT,
            )
            if not result.ok:
                return result, pages
            older = False
            if since is not None:
                # A network that cannot filter by time returns older posts: drop them
                # (posts at the same instant are kept: ingestion drops duplicates).
                kept = tuple(p for p in page.posts if p.created_at >= since)
                older = len(kept) < len(page.posts)
                page = replace(page, posts=kept)
            pages.append(page)
            cursor = page.cursor
            if cursor is None or older or not page.posts:
                break
        else:
            if since is not None:
                log.warning(
                    "channel %s: listening search %r had more than %s pages since %s; "
                    "the older ones are not read",
                    unit.channel.pk,
                    search.cursor.term,
                    pages_allowed,
                    since.isoformat(),
                )
        return Result(Outcome.OK), pages
    except Exception as exc:  # a connector bug must not stop the other searches
        log.exception("channel %s: listening search failed", unit.channel.pk)
        return Result(Outcome.RETRYABLE, reason=f"Unexpected error: {exc}"), pages


def _terms(topics: Sequence[Topic]) -> dict[str, str]:
    """Every search term of these topics, with the language to ask the network for: the
    one language all the topics using the term are limited to, else "" (any)."""
    languages: dict[str, set[str] | None] = {}
    for topic in topics:
        query = compiled(topic)
        if query is None:
            continue
        for term in query.search_terms:
            wanted = set(query.languages) if query.languages else None
            if term not in languages:
                languages[term] = wanted
            else:
                known = languages[term]
                languages[term] = None if known is None or wanted is None else known | wanted
    out: dict[str, str] = {}
    for term, langs in languages.items():
        out[term] = next(iter(langs)) if langs and len(langs) == 1 else ""
    return out


def _claim(channel: Channel, terms: dict[str, str], now: datetime) -> list[SearchCursor]:
    """The channel's cursors for `terms` that are due, each claimed by moving its next
    poll time forward only if nobody moved it first."""
    insert_ignoring_conflicts(
        SearchCursor,
        ("channel_id", "term", "next_poll_at", "failures", "last_error"),
        [(channel.pk, term[:300], now, 0, "") for term in terms],
    )
    due = SearchCursor.objects.filter(
        Q(next_poll_at__lte=now), channel=channel, term__in=[t[:300] for t in terms]
    ).order_by("next_poll_at", "pk")
    claimed = []
    for cursor in due:
        if SearchCursor.objects.filter(pk=cursor.pk, next_poll_at=cursor.next_poll_at).update(
            next_poll_at=now + LEASE
        ):
            claimed.append(cursor)
    return claimed


def _units(topics_by_workspace: dict[int, list[Topic]], now: datetime) -> list[_Unit]:
    units: list[_Unit] = []
    channels = Channel.objects.filter(
        workspace_id__in=list(topics_by_workspace), status=ChannelStatus.ACTIVE
    ).order_by("pk")
    for channel in channels:
        try:
            opened = connector_open(channel)
            if not isinstance(opened.connector, ListeningConnector):
                continue
            terms = _terms(topics_by_workspace[channel.workspace_id])
            searches = tuple(
                _Search(cursor, terms.get(cursor.term, ""))
                for cursor in _claim(channel, terms, now)
            )
            if searches:
                units.append(_Unit(channel, opened, searches))
        except Exception:  # one channel (or workspace) must not stop the others
            log.exception("channel %s: could not prepare its listening searches", channel.pk)
    return units


def _record(
    unit: _Unit,
    search: _Search,
    result: Result,
    pages: list[ListeningPage],
    topics: Sequence[Topic],
    started: datetime,
) -> tuple[int, int, int, bool]:
    """Store one unit's pages and move its cursor; (new, duplicates, deleted, ok). Never
    raises."""
    cursor = search.cursor
    new = duplicates = deleted = 0
    try:
        newest = cursor.newest_at
        # Pages read before a failure are stored all the same.
        for page in pages:
            done = ingest(channel=unit.channel, page=page, topics=topics)
            new += done.new
            duplicates += done.duplicates
            deleted += done.deleted
            for post in page.posts:
                if newest is None or post.created_at > newest:
                    newest = post.created_at
        now = clock.now()
        if result.ok:
            SearchCursor.objects.filter(pk=cursor.pk).update(
                newest_at=newest,
                polled_at=now,
                next_poll_at=started + period() * 0.8,
                failures=0,
                last_error="",
            )
            return new, duplicates, deleted, True
        if result.outcome is Outcome.UNAUTHORIZED:
            channel_mark_unauthorized(channel_id=unit.channel.pk, reason=result.reason)
        failures = cursor.failures + 1
        SearchCursor.objects.filter(pk=cursor.pk).update(
            newest_at=newest,
            polled_at=now,
            next_poll_at=backoff(now, failures, result.retry_after),
            failures=failures,
            last_error=(result.reason or result.outcome.value)[:500],
        )
    except Exception as exc:  # one unit's bad data must not stop the others
        log.exception("channel %s: storing listening results failed", unit.channel.pk)
        try:
            now = clock.now()
            failures = cursor.failures + 1
            SearchCursor.objects.filter(pk=cursor.pk).update(
                polled_at=now,
                next_poll_at=backoff(now, failures),
                failures=failures,
                last_error=f"Could not store what was found: {exc}"[:500],
            )
        except Exception:  # pragma: no cover - the database itself is failing
            log.exception("channel %s: could not record the failure", unit.channel.pk)
    return new, duplicates, deleted, False


def listening_collect(
    *,
    workspace_ids: Sequence[int] | None = None,
    max_pages: int = MAX_PAGES,
    concurrency: int = 8,
) -> Collected:
    """One round: search every due (channel, term) of the workspaces with active topics
    (all, or these), and ingest what was found."""
    started = clock.now()
    topics = Topic.objects.filter(is_active=True).order_by("pk")
    if workspace_ids is not None:
        topics = topics.filter(workspace_id__in=list(workspace_ids))
    by_workspace: dict[int, list[Topic]] = {}
    for topic in topics:
        by_workspace.setdefault(topic.workspace_id, []).append(topic)
    if not by_workspace:
        return Collected(0, 0, 0, 0, 0)
    units = _units(by_workspace, started)
    if not units:
        return Collected(0, 0, 0, 0, 0)
    new = duplicates = deleted = failed = searches = 0
    with ThreadPoolExecutor(max(1, min(concurrency, len(units)))) as pool:
        futures: dict[Future[list[Searched]], _Unit] = {
            pool.submit(_search_channel, unit, max_pages): unit for unit in units
        }
        for future in as_completed(futures):  # store each as soon as its searches are back
            unit = futures[future]
            done = future.result()  # _search_channel never raises
            unit.opened.keep_refreshed()  # a refreshed session, before anything else
            mine = by_workspace[unit.channel.workspace_id]
            for search, result, pages in done:
                n, d, gone, ok = _record(unit, search, result, pages, mine, started)
                new, duplicates, deleted = new + n, duplicates + d, deleted + gone
                searches += 1
                failed += 0 if ok else 1
            # Searches not done (access revoked part-way): due again once reconnected.
            left = [s.cursor.pk for s in unit.searches[len(done) :]]
            if left:
                SearchCursor.objects.filter(pk__in=left).update(next_poll_at=clock.now())
    return Collected(
        searches=searches, failed=failed, new=new, duplicates=duplicates, deleted=deleted
    )
