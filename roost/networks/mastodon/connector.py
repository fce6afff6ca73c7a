"""The Mastodon connector: one connected account on one instance."""

from __future__ import annotations

import io
import mimetypes
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from django.utils.translation import gettext
from mastodon import MastodonNotFoundError

from roost.networks.base import (
    Account,
    Audience,
    InboundKind,
    InboxPage,
    Limits,
    ListeningPage,
    Media,
    Metrics,
    Outcome,
    Part,
    Problem,
    Published,
    PublishRequest,
    ReplyRequest,
    Result,
    count_of,
)
from roost.networks.mastodon.client import Client, host_of, parse_limits
from roost.networks.mastodon.inbox import InboxReader, with_mention
from roost.networks.mastodon.listening import Searcher, SearchUnsupported
from roost.networks.mastodon.outcomes import result_for
from roost.networks.mastodon.text import comparable, plain_text, status_length
from roost.networks.mastodon.validation import VISIBILITIES, validate

# Mastodon remembers an Idempotency-Key for one hour after the status was created (it keeps
# the key in Redis with a 3600 s expiry) and answers a repeat with the status it made. The
# status was created after the first attempt began, so within 55 minutes of that start a
# re-send is still deduplicated, with five minutes to spare for the re-send to arrive.
DEDUPE_WINDOW = timedelta(minutes=55)
# Our clock and the server's may differ; look this much earlier than the first attempt.
CLOCK_SKEW = timedelta(minutes=5)
RECENT_STATUSES = 40  # statuses per page (Mastodon's maximum)
# How far back find_existing pages at most: 1,000 statuses. An account that posts more than
# that between a lost response and the look-up is not one Roost can tell about.
STATUS_PAGES = 25
# Pauses while the server processes an upload (an image is usually ready at once): 30 s.
PROCESSING_WAITS = (1.0, 1.0, 2.0, 2.0, 4.0, 4.0, 8.0, 8.0)


class MediaStillProcessing(Exception):
    """The server had not finished processing an upload when Roost stopped waiting."""


class MastodonConnector:
    """A Mastodon account reached with an OAuth token; see `roost.networks.base.Connector`."""

    network = "mastodon"

    def __init__(
        self,
        config: Mapping[str, Any],
        credentials: Mapping[str, Any],
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._credentials = dict(credentials)
        self.instance_url = str(config.get("instance_url", "")).rstrip("/")
        self.host = host_of(self.instance_url)
        self._domain = str(config.get("domain") or self.host)
        self._client = Client(
            self.instance_url,
            access_token=str(credentials.get("access_token", "")),
            client_id=str(credentials.get("client_id", "")),
            client_secret=str(credentials.get("client_secret", "")),
            session=session,
        )
        self._api = self._client.api
        self._sleep = sleep
        self._now = now or (lambda: datetime.now(UTC))
        self._account_id = str(config.get("account_id") or "")
        self._searcher = Searcher(self._api, domain=self._domain, own_id=self._own_id)
        cached = config.get("limits")
        self._limit_values = parse_limits(cached) if isinstance(cached, Mapping) else None

    # Limits and validation

    def limits(self) -> Limits:
        """The instance's limits: cached in config at connect time, else read once."""
        values = self._values()
        return Limits(
            max_chars=values["max_characters"],
            max_media=values["max_media_attachments"],
            max_image_bytes=values["image_size_limit"],
            image_types=frozenset(values["supported_mime_types"]),
            alt_text_required=False,
            max_alt_text=values["description_limit"],
        )

    def _values(self) -> dict[str, Any]:
        if self._limit_values is None:
            try:
                self._limit_values, _domain = self._client.read_instance()
            except Exception:
                # Validation must still answer; the server has the last word on publish.
                self._limit_values = parse_limits({})
        return self._limit_values

    def text_length(self, text: str, options: Mapping[str, Any]) -> int:
        """Mastodon's length: graphemes with the content warning, a link as the instance's
        `characters_reserved_per_url`, "@user@domain" as "@user" (as `validate` counts)."""
        spoiler = options.get("spoiler_text") or ""
        return status_length(
            text,
            spoiler if isinstance(spoiler, str) else "",
            self._values()["characters_reserved_per_url"],
        )

    def validate(self, request: PublishRequest) -> list[Problem]:
        """Problems Mastodon would refuse this request for, in words naming the limit."""
        return validate(
            request,
            self.limits(),
            host=self.host,
            url_chars=self._values()["characters_reserved_per_url"],
        )

    # Talking to the instance

    def verify(self) -> tuple[Result, Account | None]:
        """Check the token still works; return the account it reaches."""
        try:
            account = self._api.account_verify_credentials()
        except Exception as exc:
            return self._failed(exc), None
        return Result(Outcome.OK), account_from(account, self._domain)

    def publish(self, request: PublishRequest) -> Result:
        """Post every part, each replying to the one before, with per-part idempotency keys."""
        if not request.parts:
            return Result(
                Outcome.REJECTED, reason=gettext("There is nothing to publish to Mastodon.")
            )
        options = request.options
        visibility = options.get("visibility") or "public"
        if visibility not in VISIBILITIES:
            return Result(
                Outcome.REJECTED,
                reason=gettext("Mastodon has no visibility “%(visibility)s”.")
                % {"visibility": visibility},
            )
        posted: list[Mapping[str, Any]] = []
        for index, part in enumerate(request.parts):
            try:
                media_ids = [self._upload(media) for media in part.media]
                status = self._api.status_post(
                    part.text,
                    in_reply_to_id=posted[-1]["id"] if posted else None,
                    media_ids=media_ids or None,
                    sensitive=bool(options.get("sensitive", False)),
                    visibility=visibility,
                    spoiler_text=options.get("spoiler_text") or None,
                    language=options.get("language") or None,
                    # Mastodon answers a repeated key with the status it already made.
                    idempotency_key=f"{request.idempotency_key}:{index}",
                )
            except MediaStillProcessing:
                result = Result(
                    Outcome.RETRYABLE,
                    retry_after=60.0,
                    reason=gettext("Mastodon (%(host)s) is still processing an image.")
                    % {"host": self.host},
                )
                return self._partial(result, index, request, posted)
            except Exception as exc:
                return self._partial(self._failed(exc), index, request, posted)
            posted.append(status)
        return Result(Outcome.OK, published=_published(posted))

    def _upload(self, media: Media) -> Any:
        attachment = self._api.media_post(
            io.BytesIO(media.data),
            mime_type=media.mime_type,
            description=media.alt_text or None,
            file_name=_file_name(media),
        )
        # /api/v2/media answers 202 with no url while it still processes the file, and a
        # status naming an unprocessed attachment is refused; wait a little, then give up.
        waits = iter(PROCESSING_WAITS)
        while attachment.get("url") is None:
            pause = next(waits, None)
            if pause is None:
                raise MediaStillProcessing(attachment.get("id"))
            self._sleep(pause)
            attachment = self._api.media(attachment["id"])
        return attachment["id"]

    def _partial(
        self, result: Result, index: int, request: PublishRequest, posted: list[Mapping[str, Any]]
    ) -> Result:
        """Name the failing part of a thread and say which parts already landed."""
        if len(request.parts) == 1:
            return result
        reason = gettext("Part %(part)d of %(total)d: %(reason)s") % {
            "part": index + 1,
            "total": len(request.parts),
            "reason": result.reason,
        }
        # Parts that landed are reported even on failure, so nothing is left unaccounted for.
        return replace(result, reason=reason, published=_published(posted) if posted else None)

    def find_existing(self, request: PublishRequest) -> Result:
        """Did an earlier try land? Looks at the account's own statuses since the first try
        only when a re-send could no longer be deduplicated by its Idempotency-Key."""
        first = request.first_attempt_at
        if first is None or not request.parts:
            return Result(Outcome.OK)
        if first.tzinfo is None:
            first = first.replace(tzinfo=UTC)
        if self._now() - first < DEDUPE_WINDOW:
            # Safe to send again: the same Idempotency-Key returns the status an earlier try
            # made instead of making a second one (see DEDUPE_WINDOW).
            return Result(Outcome.OK)
        try:
            me = self._api.account_verify_credentials()
            statuses = self._statuses_since(str(me["id"]), first - CLOCK_SKEW)
        except Exception as exc:
            return self._failed(exc)
        return Result(Outcome.OK, published=_find_thread(statuses, request.parts))

    def _statuses_since(self, account_id: str, since: datetime) -> list[Mapping[str, Any]]:
        """The account's own statuses created since `since`, newest first. Pages go back by
        the ids the server returned (max_id = the last of the previous page) and stop at a
        status older than `since` by its created_at: no id format is assumed. Mastodon's ids
        are time-derived numbers, but GoToSocial's (ULIDs) and Pleroma's or Akkoma's (flake
        ids) are opaque strings, where an id computed from a time finds nothing."""
        found: list[Mapping[str, Any]] = []
        seen: set[str] = set()
        max_id: str | None = None
        for _page in range(STATUS_PAGES):
            page = list(
                self._api.account_statuses(
                    account_id, exclude_reblogs=True, max_id=max_id, limit=RECENT_STATUSES
                )
            )
            fresh = [status for status in page if str(status.get("id")) not in seen]
            if not fresh:  # the end of the account's statuses (or a server ignoring max_id)
                break
            seen.update(str(status.get("id")) for status in fresh)
            found.extend(s for s in fresh if (_created(s) or since) >= since)
            if any((_created(s) or since) < since for s in fresh):
                break  # this page reached back past the first try
            max_id = str(page[-1]["id"])
        return found

    def delete(self, remote_id: str) -> Result:
        """Delete a status; one that is already gone counts as deleted."""
        try:
            self._api.status_delete(remote_id)
        except MastodonNotFoundError:
            return Result(Outcome.OK)
        except Exception as exc:
            return self._failed(exc)
        return Result(Outcome.OK)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> tuple[Result, dict[str, Metrics]]:
        """Favourites, boosts, replies and quotes of each status; deleted ones are left out."""
        metrics: dict[str, Metrics] = {}
        for remote_id in remote_ids:
            try:
                status = self._api.status(remote_id)
            except MastodonNotFoundError:
                continue
            except Exception as exc:
                return self._failed(exc), metrics
            metrics[remote_id] = Metrics(
                likes=count_of(status.get("favourites_count")),
                reposts=count_of(status.get("reblogs_count")),
                replies=count_of(status.get("replies_count")),
                # Mastodon counts quotes since 4.5 (quotes_count); older servers have none:
                # not available, which is not 0.
                quotes=count_of(status.get("quotes_count")),
            )
        return Result(Outcome.OK), metrics

    def fetch_audience(self) -> tuple[Result, Audience | None]:
        """Followers, following and statuses of the account (verify_credentials)."""
        try:
            account = self._api.account_verify_credentials()
        except Exception as exc:
            return self._failed(exc), None
        return Result(Outcome.OK), Audience(
            followers=count_of(account.get("followers_count")),
            following=count_of(account.get("following_count")),
            posts=count_of(account.get("statuses_count")),
        )

    # The inbox

    def fetch_inbox(self, cursor: str | None) -> tuple[Result, InboxPage]:
        """Mentions, replies, quotes and direct messages after `cursor` (see `inbox.py`)."""
        reader = InboxReader(self._api, domain=self._domain, own_id=self._own_id)
        page, error = reader.read(cursor)
        if error is not None:
            # The page holds the whole pages read before the error; the rest comes next time.
            return self._failed(error), page
        return Result(Outcome.OK), page

    # Listening

    def search_public(
        self,
        term: str,
        *,
        cursor: str | None = None,
        since: datetime | None = None,
        language: str = "",
        limit: int = 100,
    ) -> tuple[Result, ListeningPage]:
        """Public statuses for `term`: a #hashtag's timeline, or a full-text search where the
        instance allows one (see `listening.py`)."""
        term = term.strip()
        if not term:
            return Result(
                Outcome.REJECTED, reason=gettext("Mastodon needs a term to search for.")
            ), ListeningPage()
        try:
            page = self._searcher.search(
                term, cursor=cursor, since=since, language=language, limit=limit
            )
        except SearchUnsupported:
            reason = gettext(
                "Searching posts by words is not supported on this instance (%(host)s has no "
                "full-text search); listen for #hashtags there instead."
            ) % {"host": self.host}
            return Result(Outcome.REJECTED, reason=reason), ListeningPage()
        except Exception as exc:
            return self._failed(exc), ListeningPage()
        return Result(Outcome.OK), page

    def reply(self, request: ReplyRequest) -> Result:
        """Reply under `parent_id`, mentioning its author (Mastodon threads need it), with the
        parent's visibility ("direct" for a direct message) and the request's Idempotency-Key."""
        try:
            parent = self._api.status(request.parent_id)
        except Exception as exc:
            return self._failed(exc)
        account = parent.get("account") or {}
        text = with_mention(request.text, str(account.get("acct") or ""), self._domain)
        visibility = parent.get("visibility")
        if request.kind is InboundKind.DIRECT:
            visibility = "direct"
        elif visibility not in VISIBILITIES:
            visibility = None  # the account's default
        check = PublishRequest(request.idempotency_key, (Part(text),))
        problems = self.validate(check)
        if problems:
            return Result(Outcome.REJECTED, reason=" ".join(p.message for p in problems))
        try:
            status = self._api.status_post(
                text,
                in_reply_to_id=request.parent_id,
                visibility=visibility,
                # Mastodon answers a repeated key (within an hour) with the status it made.
                idempotency_key=request.idempotency_key,
            )
        except Exception as exc:
            return self._failed(exc)
        return Result(Outcome.OK, published=_published([status]))

    def _own_id(self) -> str:
        """This account's id, read once (only when a mention answers someone)."""
        if not self._account_id:
            self._account_id = str(self._api.account_verify_credentials()["id"])
        return self._account_id

    def credentials(self) -> dict[str, Any]:
        """Mastodon tokens do not refresh: always what the connector was given."""
        return dict(self._credentials)

    def _failed(self, exc: BaseException) -> Result:
        return result_for(exc, host=self.host, response=self._client.last_response, now=self._now())


def account_from(account: Mapping[str, Any], domain: str) -> Account:
    """An Account for display: "@user@domain" even for the instance's local users."""
    acct = str(account.get("acct") or account.get("username") or "")
    handle = f"@{acct}" if "@" in acct else f"@{acct}@{domain}"
    return Account(
        remote_id=str(account.get("id", "")),
        handle=handle,
        display_name=str(account.get("display_name") or account.get("username") or ""),
        url=str(account.get("url") or ""),
    )


def _published(posted: Sequence[Mapping[str, Any]]) -> Published:
    first = posted[0]
    return Published(
        remote_id=str(first["id"]),
        url=str(first.get("url") or first.get("uri") or ""),
        part_ids=tuple(str(status["id"]) for status in posted),
    )


def _find_thread(statuses: list[Mapping[str, Any]], parts: Sequence[Part]) -> Published | None:
    """The oldest status matching part 0, then the replies matching each next part.
    `statuses` are in the server's order, newest first."""
    oldest_first = _oldest_first(statuses)
    chain: list[Mapping[str, Any]] = []
    for part in parts:
        parent = str(chain[-1]["id"]) if chain else None
        found = next(
            (
                status
                for status in oldest_first
                if _parent(status) == parent and _same_post(status, part)
            ),
            None,
        )
        if found is None:
            break
        chain.append(found)
    # A thread cut short by the failed try comes back with fewer part_ids than parts.
    return _published(chain) if chain else None


def _parent(status: Mapping[str, Any]) -> str | None:
    parent = status.get("in_reply_to_id")
    return None if parent is None else str(parent)


def _same_post(status: Mapping[str, Any], part: Part) -> bool:
    if status.get("reblog"):
        return False
    if len(status.get("media_attachments") or ()) != len(part.media):
        return False
    return comparable(plain_text(str(status.get("content") or ""))) == comparable(part.text)


def _oldest_first(statuses: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """By created_at, never by id (ids are opaque on some servers); the server's own order
    (newest first) settles ties, and the order when a time is missing."""
    reverse = list(reversed(statuses))
    if any(_created(status) is None for status in reverse):
        return reverse
    return sorted(reverse, key=lambda status: _created(status) or datetime.min)  # stable


def _created(status: Mapping[str, Any]) -> datetime | None:
    """A status's created_at (Mastodon.py parses it; a raw string is read as ISO 8601)."""
    value = status.get("created_at")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _file_name(media: Media) -> str:
    """The upload's file name, with an extension matching its type when it has none."""
    name = media.filename or "image"
    if "." in name:
        return name
    return name + (mimetypes.guess_extension(media.mime_type) or "")
