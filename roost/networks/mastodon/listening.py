"""Listening on Mastodon: hashtags through the tag timeline, other terms through search.

- A `#hashtag` term reads `GET /api/v1/timelines/tag/:hashtag`, newest first; the cursor is
  the id of the oldest status of the page (passed back as `max_id`). A page that reaches
  back past `since` ends the search.
- Any other term asks `GET /api/v2/search?type=statuses`. Mastodon searches statuses by
  words only with full-text search (Elasticsearch or OpenSearch) configured, and even then
  only what the instance allows (4.2+: public posts of people who opted in). Without it the
  answer is an empty list, exactly like "nothing found". To tell them apart, an empty first
  page is followed by one probe: a search for the first words of the account's own latest
  public status, which every full-text search configuration finds. Found: the instance
  searches, and there were no matches. Not found: the instance cannot search by words, and
  the result is REJECTED with a reason that says so (listen for #hashtags there instead).
  The probe's answer is kept for the connector's life. The search cursor is the offset.

Mastodon's search and tag timeline do not name deleted statuses; a deleted status is simply
no longer returned. Neither takes a language: statuses in another declared language are
left out here, statuses without one are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from mastodon import Mastodon

from roost.networks.base import ListeningPage, PublicPost, count_of
from roost.networks.mastodon.inbox import MAX_CONTENT, _is_id, _when, handle
from roost.networks.mastodon.text import plain_text

logger = logging.getLogger(__name__)

MAX_LIMIT = 40  # both endpoints' largest page
PROBE_WORDS = 5


class SearchUnsupported(Exception):
    """The instance cannot search statuses by words (no full-text search)."""


class Searcher:
    """Public search for one account on one instance."""

    def __init__(self, api: Mastodon, *, domain: str, own_id: Callable[[], str]) -> None:
        self._api = api
        self._domain = domain
        self._own_id = own_id
        self.full_text: bool | None = None  # None: not known yet

    def search(
        self,
        term: str,
        *,
        cursor: str | None,
        since: datetime | None,
        language: str,
        limit: int,
    ) -> ListeningPage:
        """One page for `term`; raises Mastodon.py errors or SearchUnsupported."""
        limit = max(1, min(limit, MAX_LIMIT))
        if term.startswith("#") and len(term) > 1 and " " not in term:
            return self._hashtag(term[1:], cursor, since, language, limit)
        return self._words(term, cursor, since, language, limit)

    def _hashtag(
        self, tag: str, cursor: str | None, since: datetime | None, language: str, limit: int
    ) -> ListeningPage:
        statuses = list(self._api.timeline_hashtag(tag, max_id=cursor or None, limit=limit))
        page = self._page(statuses, since, language)
        ids = [str(s["id"]) for s in statuses if isinstance(s, Mapping) and _is_id(s.get("id"))]
        reached_since = since is not None and any(
            (created := _when(s.get("created_at"))) is not None and created < since
            for s in statuses
            if isinstance(s, Mapping)
        )
        more = bool(ids) and not reached_since and ids[-1] != cursor
        return _with_cursor(page, ids[-1] if more else None)

    def _words(
        self, term: str, cursor: str | None, since: datetime | None, language: str, limit: int
    ) -> ListeningPage:
        offset = int(cursor) if cursor and cursor.isdigit() else 0
        answer = self._api.search_v2(
            term, resolve=False, result_type="statuses", offset=offset or None, limit=limit
        )
        statuses = list(_statuses_of(answer))
        if not statuses and offset == 0 and self.full_text is None:
            self.full_text = self._probe()
        if not statuses and self.full_text is False:
            raise SearchUnsupported
        page = self._page(statuses, since, language)
        more = len(statuses) == limit
        return _with_cursor(page, str(offset + len(statuses)) if more else None)

    def _probe(self) -> bool | None:
        """Does a search find the account's own latest public status? None: no status to
        try with (then nothing is concluded, and an empty answer is just empty)."""
        own = list(self._api.account_statuses(self._own_id(), exclude_reblogs=True, limit=5))
        for status in own:
            if not isinstance(status, Mapping) or status.get("visibility") != "public":
                continue
            words = plain_text(str(status.get("content") or "")).split()[:PROBE_WORDS]
            if not words:
                continue
            found = _statuses_of(
                self._api.search_v2(
                    " ".join(words), resolve=False, result_type="statuses", limit=MAX_LIMIT
                )
            )
            return any(isinstance(s, Mapping) and s.get("id") == status.get("id") for s in found)
        return None

    def _page(self, statuses: list[Any], since: datetime | None, language: str) -> ListeningPage:
        posts: list[PublicPost] = []
        skipped = 0
        for status in statuses:
            post = public_post(status, self._domain)
            if post is None:
                skipped += 1
                logger.info("Skipped a malformed Mastodon search result")
                continue
            if since is not None and post.created_at < since:
                continue
            if language and post.language and post.language.split("-")[0] != language:
                continue
            posts.append(post)
        return ListeningPage(posts=tuple(posts), skipped=skipped)


def _with_cursor(page: ListeningPage, cursor: str | None) -> ListeningPage:
    return ListeningPage(posts=page.posts, cursor=cursor, skipped=page.skipped)


def _statuses_of(answer: object) -> list[Any]:
    statuses = answer.get("statuses") if isinstance(answer, Mapping) else None
    return list(statuses) if isinstance(statuses, list) else []


def public_post(status: object, domain: str) -> PublicPost | None:
    """A PublicPost from a status (its HTML as plain text); None when malformed or not
    public."""
    if not isinstance(status, Mapping) or not _is_id(status.get("id")):
        return None
    if status.get("visibility") not in ("public", "unlisted", None):
        return None
    account = status.get("account")
    content = status.get("content")
    created = _when(status.get("created_at"))
    if not isinstance(account, Mapping) or not _is_id(account.get("id")) or created is None:
        return None
    acct = account.get("acct")
    if not isinstance(acct, str) or not acct:
        return None
    if not isinstance(content, str) or len(content) > MAX_CONTENT:
        return None
    name, language, url = account.get("display_name"), status.get("language"), status.get("url")
    return PublicPost(
        remote_id=str(status["id"]),
        text=plain_text(content),
        created_at=created,
        author_id=str(account["id"]),
        author_handle=handle(acct, domain),
        author_name=name if isinstance(name, str) else "",
        url=str(url or status.get("uri") or ""),
        language=language if isinstance(language, str) else "",
        likes=count_of(status.get("favourites_count")),
        reposts=count_of(status.get("reblogs_count")),
        replies=count_of(status.get("replies_count")),
        followers=count_of(account.get("followers_count")),
    )
