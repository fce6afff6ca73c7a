"""The Bluesky connector: posts, threads and images through the atproto SDK, exactly once.

Bluesky has no idempotency header, so every thread part gets a record key derived from the
delivery's idempotency key (see `tid.py`). Creating it twice is impossible (the PDS refuses
an existing key), and "did it land?" is one getRecord away.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
from atproto import Client, models
from atproto_client.exceptions import BadRequestError
from atproto_client.models.blob_ref import BlobRef
from atproto_client.models.com.atproto.repo.strong_ref import Main as StrongRef
from atproto_core.exceptions import AtProtocolError
from atproto_core.uri import AtUri
from django.utils.translation import gettext as _

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
from roost.networks.bluesky.client import (
    DEFAULT_SERVICE_URL,
    TIMEOUT,
    BlueskyClient,
    is_auth_error,
    xrpc_error,
)
from roost.networks.bluesky.connect import account_for, connect
from roost.networks.bluesky.facets import Kind, detect
from roost.networks.bluesky.inbox import Unreadable, post_uri, read_inbox, thread_refs
from roost.networks.bluesky.listening import search_posts
from roost.networks.bluesky.outcomes import SDK_ERRORS, failure
from roost.networks.bluesky.text import grapheme_count
from roost.networks.bluesky.tid import part_rkey
from roost.networks.bluesky.validation import (
    IMAGE_TYPES,
    MAX_ALT_TEXT,
    MAX_GRAPHEMES,
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    MAX_PARTS,
    validate,
)

POST = "app.bsky.feed.post"
APP_URL = "https://bsky.app"
METRICS_BATCH = 25  # app.bsky.feed.getPosts takes at most 25 URIs


__all__ = ["BlueskyConnector", "account_for", "build", "connect"]


class BlueskyConnector:
    """One Bluesky account, reached through its PDS."""

    network = "bluesky"

    def __init__(
        self,
        config: Mapping[str, Any],
        credentials: Mapping[str, Any],
        *,
        clock: Callable[[], float] = time.time,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        self._clock = clock
        self._client = BlueskyClient(
            service_url=str(config.get("service_url") or DEFAULT_SERVICE_URL),
            handle=str(credentials.get("handle", "")),
            app_password=str(credentials.get("app_password", "")),
            session=str(credentials.get("session", "")),
            timeout=timeout,
        )
        self._credentials = dict(credentials)

    def limits(self) -> Limits:
        """Bluesky's limits: 300 graphemes, 4 images of up to 1 MB each."""
        return Limits(
            max_chars=MAX_GRAPHEMES,
            max_media=MAX_IMAGES,
            max_image_bytes=MAX_IMAGE_BYTES,
            image_types=IMAGE_TYPES,
            alt_text_required=False,
            max_alt_text=MAX_ALT_TEXT,
            max_parts=MAX_PARTS,
        )

    def text_length(self, text: str, options: Mapping[str, Any]) -> int:
        """Graphemes, as Bluesky (and `validate`) count them."""
        return grapheme_count(text)

    def validate(self, request: PublishRequest) -> list[Problem]:
        """Every way this request breaks Bluesky's limits, in words for people."""
        return validate(request)

    def verify(self) -> tuple[Result, Account | None]:
        """Check the credentials still work: getProfile of the account itself."""
        try:
            profile = self._client.call(lambda sdk: sdk.get_profile(self._client.did))
        except SDK_ERRORS as exc:
            return failure(exc, now=self._clock()), None
        return Result(Outcome.OK), account_for(profile.did, profile.handle, profile.display_name)

    def publish(self, request: PublishRequest) -> Result:
        """Create each part under its derived record key, reusing parts that already exist."""
        problems = self.validate(request)
        if problems:
            return Result(Outcome.REJECTED, reason=" ".join(p.message for p in problems))
        try:
            return Result(Outcome.OK, published=self._publish(request))
        except SDK_ERRORS as exc:
            return failure(exc, now=self._clock())

    def find_existing(self, request: PublishRequest) -> Result:
        """Published when every part's record exists; None when any is missing."""
        refs: list[StrongRef] = []
        try:
            for index in range(len(request.parts)):
                ref = self._get_ref(part_rkey(request.idempotency_key, index))
                if ref is None:
                    # Parts are created in order, so a missing part means a partial thread
                    # (or nothing): publish resumes it.
                    return Result(Outcome.OK)
                refs.append(ref)
            if not refs:
                return Result(Outcome.OK)
            return Result(Outcome.OK, published=self._published(refs))
        except SDK_ERRORS as exc:
            return failure(exc, now=self._clock())

    def delete(self, remote_id: str) -> Result:
        """Delete one post by its at:// URI (deleting a missing record succeeds)."""
        try:
            uri = AtUri.from_str(remote_id)
        except (AtProtocolError, ValueError):
            uri = None
        if uri is None or uri.collection != POST or not uri.rkey:
            return Result(
                Outcome.REJECTED,
                reason=_(
                    "Bluesky post addresses look like at://…/app.bsky.feed.post/…; got %(id)s."
                )
                % {"id": remote_id},
            )
        data = models.ComAtprotoRepoDeleteRecord.Data(repo=uri.host, collection=POST, rkey=uri.rkey)
        try:
            if uri.host != self._client.did:
                return Result(
                    Outcome.REJECTED,
                    reason=_("This Bluesky post belongs to another account (%(repo)s).")
                    % {"repo": uri.host},
                )
            self._client.call(lambda sdk: sdk.com.atproto.repo.delete_record(data))
        except SDK_ERRORS as exc:
            return failure(exc, now=self._clock())
        return Result(Outcome.OK)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> tuple[Result, dict[str, Metrics]]:
        """Likes, reposts, replies, quotes and bookmarks by URI (getPosts, 25 at a time); a
        count the AppView leaves out is "not available". Impressions and the like Bluesky
        does not report."""
        metrics: dict[str, Metrics] = {}
        uris = [uri for uri in dict.fromkeys(remote_ids) if uri.startswith("at://")]
        try:
            for start in range(0, len(uris), METRICS_BATCH):
                batch = uris[start : start + METRICS_BATCH]
                response = self._client.call(partial(_get_posts, uris=batch))
                for post in response.posts:
                    metrics[post.uri] = Metrics(
                        likes=count_of(post.like_count),
                        reposts=count_of(post.repost_count),
                        replies=count_of(post.reply_count),
                        quotes=count_of(post.quote_count),
                        bookmarks=count_of(getattr(post, "bookmark_count", None)),
                    )
        except SDK_ERRORS as exc:
            return failure(exc, now=self._clock()), metrics
        return Result(Outcome.OK), metrics

    def fetch_audience(self) -> tuple[Result, Audience | None]:
        """Followers, follows and posts of the account (getProfile of itself)."""
        try:
            profile = self._client.call(lambda sdk: sdk.get_profile(self._client.did))
        except SDK_ERRORS as exc:
            return failure(exc, now=self._clock()), None
        return Result(Outcome.OK), Audience(
            followers=count_of(profile.followers_count),
            following=count_of(profile.follows_count),
            posts=count_of(profile.posts_count),
        )

    def fetch_inbox(self, cursor: str | None) -> tuple[Result, InboxPage]:
        """Mentions, replies and quotes indexed after `cursor` (see `inbox.py`)."""
        try:
            return Result(Outcome.OK), read_inbox(self._client, cursor)
        except Unreadable as exc:
            reason = _("Bluesky sent an answer Roost could not read (%(error)s); try again later.")
            return Result(Outcome.RETRYABLE, reason=reason % {"error": exc}), InboxPage()
        except SDK_ERRORS as exc:
            return failure(exc, now=self._clock()), InboxPage()

    def search_public(
        self,
        term: str,
        *,
        cursor: str | None = None,
        since: datetime | None = None,
        language: str = "",
        limit: int = 100,
    ) -> tuple[Result, ListeningPage]:
        """Public posts matching `term`, newest first (searchPosts, see `listening.py`)."""
        if not term.strip():
            return Result(
                Outcome.REJECTED, reason=_("Bluesky needs a term to search for.")
            ), ListeningPage()
        try:
            page = search_posts(
                self._client,
                term.strip(),
                cursor=cursor,
                since=since,
                language=language,
                limit=limit,
            )
        except Unreadable as exc:
            reason = _("Bluesky sent an answer Roost could not read (%(error)s); try again later.")
            return Result(Outcome.RETRYABLE, reason=reason % {"error": exc}), ListeningPage()
        except SDK_ERRORS as exc:
            return failure(exc, now=self._clock()), ListeningPage()
        return Result(Outcome.OK), page

    def reply(self, request: ReplyRequest) -> Result:
        """Reply under `parent_id`, in its thread, under a record key derived from the
        request's idempotency key: a repeated reply finds the first instead of doubling it."""
        if request.kind is InboundKind.DIRECT:
            return Result(
                Outcome.REJECTED, reason=_("Roost cannot answer Bluesky direct messages.")
            )
        problems = self.validate(PublishRequest(request.idempotency_key, (Part(request.text),)))
        if problems:
            return Result(Outcome.REJECTED, reason=" ".join(p.message for p in problems))
        if post_uri(request.parent_id) is None:
            return Result(
                Outcome.REJECTED,
                reason=_(
                    "Bluesky post addresses look like at://…/app.bsky.feed.post/…; got %(id)s."
                )
                % {"id": request.parent_id},
            )
        try:
            refs = thread_refs(self._client, request.parent_id)
            if refs is None:
                return Result(
                    Outcome.REJECTED,
                    reason=_("The Bluesky post to reply to is gone or hidden (%(id)s).")
                    % {"id": request.parent_id},
                )
            record = models.AppBskyFeedPost.Record(
                text=request.text,
                created_at=self._now_iso(),
                facets=self._facets(request.text, {}) or None,
                reply=refs,
            )
            ref = self._create(part_rkey(request.idempotency_key, 0), record)
        except SDK_ERRORS as exc:
            return failure(exc, now=self._clock())
        return Result(Outcome.OK, published=self._published([ref]))

    def credentials(self) -> dict[str, Any]:
        """The stored credentials with the session as it is now (it may have been refreshed)."""
        current = dict(self._credentials)
        session = self._client.session_string
        if session:
            current["session"] = session
        if self._client.logged_in:
            current["handle"] = self._client.handle
        return current

    # Publishing, step by step.

    def _publish(self, request: PublishRequest) -> Published:
        """Create (or find) every part in order; each reply points at the root and the last."""
        refs: list[StrongRef] = []
        mentions: dict[str, str | None] = {}
        # A retry first asks which parts landed, so it does not upload their images again.
        probe = request.first_attempt_at is not None
        for index, part in enumerate(request.parts):
            rkey = part_rkey(request.idempotency_key, index)
            ref = self._get_ref(rkey) if probe else None
            if ref is None:
                probe = False  # parts land in order: none after a missing one exists
                ref = self._create(rkey, self._record(request, part, refs, mentions))
            refs.append(ref)
        return self._published(refs)

    def _record(
        self,
        request: PublishRequest,
        part: Part,
        refs: list[StrongRef],
        mentions: dict[str, str | None],
    ) -> models.AppBskyFeedPost.Record:
        """The app.bsky.feed.post record of one part (uploads its images)."""
        language = request.options.get("language")
        reply = models.AppBskyFeedPost.ReplyRef(root=refs[0], parent=refs[-1]) if refs else None
        return models.AppBskyFeedPost.Record(
            text=part.text,
            created_at=self._now_iso(),
            facets=self._facets(part.text, mentions) or None,
            embed=self._embed(part.media) if part.media else None,
            reply=reply,
            langs=[str(language)] if language else None,
        )

    def _facets(
        self, text: str, mentions: dict[str, str | None]
    ) -> list[models.AppBskyRichtextFacet.Main]:
        """Facets with mentions resolved to DIDs; an unresolvable mention stays plain text."""
        result = []
        for facet in detect(text):
            feature: (
                models.AppBskyRichtextFacet.Link
                | models.AppBskyRichtextFacet.Mention
                | models.AppBskyRichtextFacet.Tag
            )
            if facet.kind is Kind.MENTION:
                if facet.value not in mentions:
                    mentions[facet.value] = self._resolve(facet.value)
                did = mentions[facet.value]
                if did is None:
                    continue
                feature = models.AppBskyRichtextFacet.Mention(did=did)
            elif facet.kind is Kind.LINK:
                feature = models.AppBskyRichtextFacet.Link(uri=facet.value)
            else:
                feature = models.AppBskyRichtextFacet.Tag(tag=facet.value)
            index = models.AppBskyRichtextFacet.ByteSlice(
                byte_start=facet.byte_start, byte_end=facet.byte_end
            )
            result.append(models.AppBskyRichtextFacet.Main(index=index, features=[feature]))
        return result

    def _resolve(self, handle: str) -> str | None:
        """The DID of a handle, or None when Bluesky says it does not resolve."""
        try:
            return self._client.call(lambda sdk: sdk.resolve_handle(handle)).did
        except BadRequestError as exc:
            if is_auth_error(exc):
                raise
            return None

    def _embed(self, media: Sequence[Media]) -> models.AppBskyEmbedImages.Main:
        """Upload each image and describe it with its alt text and aspect ratio."""
        images = []
        for item in media:
            blob = self._upload(item)
            ratio = (
                models.AppBskyEmbedDefs.AspectRatio(width=item.width, height=item.height)
                if item.width > 0 and item.height > 0
                else None
            )
            images.append(
                models.AppBskyEmbedImages.Image(alt=item.alt_text, image=blob, aspect_ratio=ratio)
            )
        return models.AppBskyEmbedImages.Main(images=images)

    def _upload(self, item: Media) -> BlobRef:
        """uploadBlob with the image's own content type."""
        headers = {"Content-Type": item.mime_type}
        response = self._client.call(
            lambda sdk: sdk.com.atproto.repo.upload_blob(item.data, headers=headers)
        )
        return response.blob

    def _create(self, rkey: str, record: models.AppBskyFeedPost.Record) -> StrongRef:
        """createRecord under `rkey`; when it may have landed anyway, ask getRecord."""
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self._client.did, collection=POST, rkey=rkey, record=record
        )
        try:
            response = self._client.call(lambda sdk: sdk.com.atproto.repo.create_record(data))
        except SDK_ERRORS as exc:
            if not _may_exist(exc):
                raise
            try:
                existing = self._get_ref(rkey)
            except SDK_ERRORS:
                existing = None
            if existing is None:
                raise
            return existing
        return StrongRef(uri=response.uri, cid=response.cid)

    def _get_ref(self, rkey: str) -> StrongRef | None:
        """The strong ref of this account's post `rkey`, or None when there is no such record."""
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=self._client.did, collection=POST, rkey=rkey
        )
        try:
            response = self._client.call(lambda sdk: sdk.com.atproto.repo.get_record(params))
        except BadRequestError as exc:
            if xrpc_error(exc)[1] == "RecordNotFound":
                return None
            raise
        return StrongRef(uri=response.uri, cid=response.cid or "")

    def _published(self, refs: list[StrongRef]) -> Published:
        """Where the thread landed: the first part's URI and app link, and every part's URI."""
        rkey = refs[0].uri.rsplit("/", 1)[-1]
        return Published(
            remote_id=refs[0].uri,
            url=f"{APP_URL}/profile/{self._client.handle}/post/{rkey}",
            part_ids=tuple(ref.uri for ref in refs),
        )

    def _now_iso(self) -> str:
        """The clock as Bluesky writes createdAt: UTC, milliseconds, Z."""
        moment = datetime.fromtimestamp(self._clock(), UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _get_posts(sdk: Client, *, uris: list[str]) -> models.AppBskyFeedGetPosts.Response:
    """app.bsky.feed.getPosts for up to 25 URIs."""
    return sdk.get_posts(uris)


def _may_exist(exc: Exception) -> bool:
    """Could the record exist after this createRecord error (a lost answer, a duplicate key)?"""
    status, error, message = xrpc_error(exc)
    if status is None:
        return True  # no answer (timeout, lost connection) or one that did not parse
    if status >= 500 or status == 409:
        # PDS versions without an explicit error answer a duplicate key with a 500.
        return True
    return "AlreadyExists" in error or "already exists" in message.lower()


def build(config: Mapping[str, Any], credentials: Mapping[str, Any]) -> BlueskyConnector:
    """The registry's factory: a connector for a stored channel (no request yet)."""
    return BlueskyConnector(config, credentials)
