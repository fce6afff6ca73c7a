"""The Sandbox connector: the `Connector` protocol over the Sandbox's HTTP API."""

from __future__ import annotations

import math
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from roost.networks.base import (
    Account,
    Audience,
    Connection,
    Inbound,
    InboundKind,
    InboxPage,
    Limits,
    ListeningPage,
    Metrics,
    Outcome,
    Part,
    Problem,
    Published,
    PublishRequest,
    ReplyRequest,
    Result,
)
from roost.networks.sandbox import inbox, listening, rules
from roost.networks.sandbox.aclient import AsyncSandboxClient
from roost.networks.sandbox.ads_client import SandboxAdsClient
from roost.networks.sandbox.ads_connector import SandboxAdsMixin
from roost.networks.sandbox.client import (
    InboxBatch,
    RemoteAccount,
    RemotePost,
    SandboxClient,
    SandboxError,
    UploadImage,
)

DEFAULT_URL = "http://127.0.0.1:8025"
LIMITS = Limits(
    max_chars=rules.MAX_CHARS,
    max_media=rules.MAX_MEDIA,
    max_image_bytes=rules.MAX_IMAGE_BYTES,
    image_types=rules.IMAGE_TYPES,
    alt_text_required=False,
    max_alt_text=rules.MAX_ALT_TEXT,
    max_parts=rules.MAX_PARTS,
)


def _(message: str) -> str:
    """Django's gettext once Django is set up; the message itself in a bare script (benchmarks)."""
    from django.apps import apps
    from django.conf import settings

    if settings.configured and apps.ready:
        from django.utils.translation import gettext

        return gettext(message)
    return message


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages knows this name) without translating
    it now: for messages used only when something fails. Not Django's own, which reads
    the settings: like `_`, this module works in a bare script (benchmarks)."""
    return message


def default_base_url() -> str:
    """ROOST_SANDBOX_URL from Django settings when there are settings, else the local default."""
    from django.conf import settings

    if settings.configured:
        return str(getattr(settings, "ROOST_SANDBOX_URL", DEFAULT_URL))
    return DEFAULT_URL


def part_key(idempotency_key: str, index: int) -> str:
    """The Idempotency-Key of one part of a thread."""
    return f"{idempotency_key}:{index}"


def _mb(size: int) -> str:
    """Megabytes to one decimal, rounded up so that an image over a limit never shows equal."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return f"{tenths / 10:.1f}".removesuffix(".0")


def _failure(exc: SandboxError, rejected: str) -> Result:
    """The outcome an error means; `rejected` is the reason text for a refusal (4xx)."""
    if exc.refused:
        # The channel's Sandbox address is not allowed (any more): no retry can help.
        return Result(
            Outcome.UNAUTHORIZED,
            reason=_("Roost will not connect to this Sandbox: %(message)s")
            % {"message": exc.message},
        )
    if exc.status == 429:
        return Result(
            Outcome.RATE_LIMITED,
            retry_after=exc.retry_after,
            reason=_("Sandbox is rate limiting this account; Roost will try again later."),
        )
    if exc.status in (401, 403):
        return Result(
            Outcome.UNAUTHORIZED,
            reason=_("Sandbox did not accept this account's token (%(message)s); reconnect it.")
            % {"message": exc.message},
        )
    # No answer, a server error, or the server timing out on us: worth another try.
    if exc.status == 0 or exc.status == 408 or exc.status >= 500:
        return Result(
            Outcome.RETRYABLE,
            retry_after=exc.retry_after,
            reason=_("Sandbox did not answer properly (%(message)s); Roost will try again.")
            % {"message": exc.message},
        )
    return Result(Outcome.REJECTED, reason=rejected % {"message": exc.message})


@dataclass(frozen=True)
class Call:
    """One client call a plan needs: the method's name and its keyword arguments."""

    name: str
    kwargs: dict[str, Any]


Plan = Generator[Call, Any, Result]
InboxPlan = Generator[Call, Any, tuple[Result, InboxPage]]
SearchPlan = Generator[Call, Any, tuple[Result, ListeningPage]]


def _first_per_key(posts: Sequence[RemotePost]) -> dict[str, RemotePost]:
    """The first live post for each key that has one."""
    found: dict[str, RemotePost] = {}
    for post in posts:
        found.setdefault(post.idempotency_key, post)
    return found


class SandboxConnector(SandboxAdsMixin):
    """A connected Sandbox account (and its Sandbox Ads account: ads_connector.py)."""

    network = "sandbox"

    def __init__(self, config: Mapping[str, Any], credentials: Mapping[str, Any]) -> None:
        self.base_url = str(config.get("base_url") or default_base_url()).rstrip("/")
        self._token = str(credentials.get("token") or "")
        timeout = config.get("timeout")  # seconds; tests shorten it
        self._client = SandboxAdsClient(
            self.base_url,
            self._token,
            timeout=float(timeout) if isinstance(timeout, int | float) and timeout > 0 else None,
        )

    def limits(self) -> Limits:
        """500 characters, 4 images of up to 5 MB, threads of up to 25 posts."""
        return LIMITS

    def text_length(self, text: str, options: Mapping[str, Any]) -> int:
        """Code points, as `validate` counts them."""
        return len(text)

    def validate(self, request: PublishRequest) -> list[Problem]:
        """Everything the Sandbox would refuse, in words that name the Sandbox and the limit."""
        parts = request.parts
        problems: list[Problem] = []
        if not parts:
            problems.append(Problem(_("There is nothing to publish.")))
        if len(parts) > rules.MAX_PARTS:
            problems.append(
                Problem(
                    _("Sandbox allows threads of up to %(limit)d posts; this one has %(count)d.")
                    % {"limit": rules.MAX_PARTS, "count": len(parts)}
                )
            )
        thread = len(parts) > 1
        for index, part in enumerate(parts):
            problems.extend(self._part_problems(index, part, thread=thread))
        language = request.options.get("language")
        if language is not None and (
            not isinstance(language, str) or not rules.LANGUAGE.fullmatch(language)
        ):
            problems.append(
                Problem(
                    _(
                        "Sandbox needs the language as a code such as “en” or “pt-BR”, "
                        "not “%(value)s”."
                    )
                    % {"value": language},
                    field="options",
                )
            )
        return problems

    def _part_problems(self, index: int, part: Part, *, thread: bool) -> list[Problem]:
        """The problems of one part; `thread` words them with the part's number."""
        problems = []
        where = {"part": index + 1}
        if len(part.text) > rules.MAX_CHARS:
            message = (
                _("Sandbox allows %(limit)d characters per post; part %(part)d has %(count)d.")
                if thread
                else _("Sandbox allows %(limit)d characters per post; this one has %(count)d.")
            )
            values = {**where, "limit": rules.MAX_CHARS, "count": len(part.text)}
            problems.append(Problem(message % values, index))
        if not part.text.strip() and not part.media:
            message = (
                _("Sandbox needs text or an image in every post; part %(part)d is empty.")
                if thread
                else _("Sandbox needs text or an image; this post is empty.")
            )
            problems.append(Problem(message % where, index))
        if len(part.media) > rules.MAX_MEDIA:
            message = (
                _("Sandbox allows %(limit)d images per post; part %(part)d has %(count)d.")
                if thread
                else _("Sandbox allows %(limit)d images per post; this one has %(count)d.")
            )
            values = {**where, "limit": rules.MAX_MEDIA, "count": len(part.media)}
            problems.append(Problem(message % values, index, "media"))
        for number, media in enumerate(part.media, start=1):
            image = {**where, "image": number}
            if media.mime_type not in rules.IMAGE_TYPES:
                message = (
                    _(
                        "Sandbox accepts JPEG, PNG, GIF and WebP images; "
                        "image %(image)d in part %(part)d is %(type)s."
                    )
                    if thread
                    else _(
                        "Sandbox accepts JPEG, PNG, GIF and WebP images; "
                        "image %(image)d is %(type)s."
                    )
                )
                problems.append(
                    Problem(message % {**image, "type": media.mime_type}, index, "media")
                )
            if media.size > rules.MAX_IMAGE_BYTES:
                message = (
                    _(
                        "Sandbox allows images of up to %(limit)s MB; "
                        "image %(image)d in part %(part)d has %(size)s MB."
                    )
                    if thread
                    else _(
                        "Sandbox allows images of up to %(limit)s MB; "
                        "image %(image)d has %(size)s MB."
                    )
                )
                sizes = {"limit": _mb(rules.MAX_IMAGE_BYTES), "size": _mb(media.size)}
                problems.append(Problem(message % {**image, **sizes}, index, "media"))
            if len(media.alt_text) > rules.MAX_ALT_TEXT:
                message = (
                    _(
                        "Sandbox allows %(limit)d characters of alt text; "
                        "image %(image)d in part %(part)d has %(count)d."
                    )
                    if thread
                    else _(
                        "Sandbox allows %(limit)d characters of alt text; "
                        "image %(image)d has %(count)d."
                    )
                )
                values = {**image, "limit": rules.MAX_ALT_TEXT, "count": len(media.alt_text)}
                problems.append(Problem(message % values, index, "alt_text"))
        return problems

    def verify(self) -> tuple[Result, Account | None]:
        """Does the token still work, and whose is it?"""
        try:
            remote = self._client.me()
        except SandboxError as exc:
            return _failure(exc, _("Sandbox refused to show this account: %(message)s.")), None
        return Result(Outcome.OK), self._account(remote)

    def _account(self, remote: RemoteAccount) -> Account:
        """The Account a Sandbox account is, for display."""
        return Account(
            remote_id=remote.id,
            handle=remote.handle,
            display_name=remote.name,
            url=f"{self.base_url}/@{remote.handle}",
        )

    # Publishing is written once, as a plan of calls (a generator that yields each call it
    # needs and receives its answer); a sync and an async driver carry it out.

    def publish(self, request: PublishRequest) -> Result:
        """Post every part (a thread replies to the part before), reusing parts already there."""
        return self._run_sync(
            self._publish_plan(request), gettext_noop("Sandbox refused the post: %(message)s.")
        )

    async def publish_async(self, request: PublishRequest) -> Result:
        """`publish` on the running event loop (the publisher's bulk path)."""
        return await self._run_async(
            self._publish_plan(request), gettext_noop("Sandbox refused the post: %(message)s.")
        )

    def find_existing(self, request: PublishRequest) -> Result:
        """OK with `published` when every part landed; OK and None when not all did."""
        return self._run_sync(
            self._find_plan(request),
            gettext_noop("Sandbox refused to look up earlier posts: %(message)s."),
        )

    async def find_existing_async(self, request: PublishRequest) -> Result:
        """`find_existing` on the running event loop."""
        return await self._run_async(
            self._find_plan(request),
            gettext_noop("Sandbox refused to look up earlier posts: %(message)s."),
        )

    def _publish_plan(self, request: PublishRequest) -> Plan:
        problems = self.validate(request)
        if problems:
            return Result(Outcome.REJECTED, reason=" ".join(p.message for p in problems))
        keys = [part_key(request.idempotency_key, i) for i in range(len(request.parts))]
        # A later part may exist from an earlier try (one request asks for all parts); a
        # single post is looked up only on a retry, so the first try costs one request.
        resuming = len(keys) > 1 or request.first_attempt_at is not None
        existing = _first_per_key((yield Call("posts_by_keys", {"keys": keys}))) if resuming else {}
        language = request.options.get("language")
        posts: list[RemotePost] = []
        for key, part in zip(keys, request.parts, strict=True):
            post = existing.get(key)
            if post is None:
                post = yield Call(
                    "create_post",
                    {
                        "idempotency_key": key,
                        "text": part.text,
                        "reply_to": posts[-1].id if posts else None,
                        "media": [UploadImage(m.data, m.mime_type, m.alt_text) for m in part.media],
                        "language": language,
                    },
                )
            posts.append(post)
        return Result(Outcome.OK, self._published(posts))

    def _find_plan(self, request: PublishRequest) -> Plan:
        keys = [part_key(request.idempotency_key, i) for i in range(len(request.parts))]
        if not keys:
            return Result(Outcome.OK)
        existing = _first_per_key((yield Call("posts_by_keys", {"keys": keys})))
        if all(key in existing for key in keys):
            return Result(Outcome.OK, self._published([existing[key] for key in keys]))
        # None or some of the parts: `publish` reuses those there and posts the rest.
        return Result(Outcome.OK)

    # `refused` is translated only when it is used: a gettext per publish cost more than
    # a tenth of a millisecond of the publisher's CPU.
    def _run_sync(self, plan: Plan, refused: str) -> Result:
        try:
            return self._drive_sync(plan)
        except SandboxError as exc:
            return _failure(exc, _(refused))

    async def _run_async(self, plan: Plan, refused: str) -> Result:
        try:
            return await self._drive_async(plan)
        except SandboxError as exc:
            return _failure(exc, _(refused))

    def _drive_sync[T](self, plan: Generator[Call, Any, T]) -> T:
        """Make a plan's calls in turn; a failed call is raised inside the plan, which may
        handle it or let it out."""
        try:
            call = next(plan)
            while True:
                try:
                    answer = getattr(self._client, call.name)(**call.kwargs)
                except SandboxError as exc:
                    call = plan.throw(exc)
                else:
                    call = plan.send(answer)
        except StopIteration as done:
            value: T = done.value
            return value

    async def _drive_async[T](self, plan: Generator[Call, Any, T]) -> T:
        """`_drive_sync` on the running event loop."""
        client = AsyncSandboxClient(self.base_url, self._token)
        try:
            call = next(plan)
            while True:
                try:
                    answer = await getattr(client, call.name)(**call.kwargs)
                except SandboxError as exc:
                    call = plan.throw(exc)
                else:
                    call = plan.send(answer)
        except StopIteration as done:
            value: T = done.value
            return value

    @staticmethod
    def _published(posts: Sequence[RemotePost]) -> Published:
        """Where a post or thread landed."""
        return Published(
            remote_id=posts[0].id, url=posts[0].url, part_ids=tuple(p.id for p in posts)
        )

    def delete(self, remote_id: str) -> Result:
        """Delete a post; one that is already gone counts as deleted."""
        try:
            self._client.delete_post(remote_id)
        except SandboxError as exc:
            if exc.status == 404:
                return Result(Outcome.OK)
            return _failure(exc, _("Sandbox refused to delete the post: %(message)s."))
        return Result(Outcome.OK)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> tuple[Result, dict[str, Metrics]]:
        """Counters per post; posts deleted on the Sandbox are left out."""
        metrics: dict[str, Metrics] = {}
        for remote_id in remote_ids:
            try:
                metrics[remote_id] = Metrics(**self._client.metrics(remote_id))
            except SandboxError as exc:
                if exc.status == 404:
                    continue
                return _failure(exc, _("Sandbox refused to show metrics: %(message)s.")), metrics
        return Result(Outcome.OK), metrics

    def fetch_audience(self) -> tuple[Result, Audience | None]:
        """Followers, following and posts of the account."""
        try:
            return Result(Outcome.OK), Audience(**self._client.audience())
        except SandboxError as exc:
            return _failure(exc, _("Sandbox refused to show the audience: %(message)s.")), None

    def credentials(self) -> dict[str, Any]:
        """The token never changes, so this is what the channel stored."""
        return {"token": self._token}

    # The inbox: replies and mentions by others, after the last post id seen.

    def fetch_inbox(self, cursor: str | None) -> tuple[Result, InboxPage]:
        """What arrived after post `cursor`, oldest first (None: the newest 50 only)."""
        try:
            return self._drive_sync(self._inbox_plan(cursor))
        except SandboxError as exc:  # the plan handles its calls' errors; this is a guard
            return _failure(exc, _inbox_refused()), InboxPage()

    async def fetch_inbox_async(self, cursor: str | None) -> tuple[Result, InboxPage]:
        """`fetch_inbox` on the running event loop."""
        try:
            return await self._drive_async(self._inbox_plan(cursor))
        except SandboxError as exc:
            return _failure(exc, _inbox_refused()), InboxPage()

    def _inbox_plan(self, cursor: str | None) -> InboxPlan:
        """Page after page up to MAX_PAGES. A failed page after good ones ends the poll
        with what came (OK, with the cursor where it stopped): the next poll goes on from
        there and meets the failure then, if it lasts."""
        start = position = inbox.parse_cursor(cursor)
        items: dict[str, Inbound] = {}
        skipped = 0
        activity: dict[str, int] = {}
        for number in range(inbox.MAX_PAGES if start is not None else 1):
            limit = inbox.PAGE_SIZE if position is not None else inbox.FIRST_POLL
            try:
                batch: InboxBatch = yield Call("inbox", {"after": position, "limit": limit})
            except SandboxError as exc:
                if number == 0:
                    return _failure(exc, _inbox_refused()), InboxPage()
                break
            for raw in batch.items:
                item = inbox.inbound(raw)
                if item is None:
                    skipped += 1
                else:
                    items.setdefault(item.remote_id, item)
            for name, count in batch.activity.items():
                activity[name] = activity.get(name, 0) + count
            if position is not None and batch.next_after <= position:
                break  # no progress: never loop on a server that does not move on
            position = batch.next_after
            if not batch.has_more:
                break
        page = InboxPage(
            items=tuple(items.values()),
            cursor=str(position) if position is not None and position != start else None,
            activity=activity,
            skipped=skipped,
        )
        return Result(Outcome.OK), page

    # Listening: the Sandbox's made-up public conversation (conversation.py).

    def search_public(
        self,
        term: str,
        *,
        cursor: str | None = None,
        since: datetime | None = None,
        language: str = "",
        limit: int = 100,
    ) -> tuple[Result, ListeningPage]:
        """Public posts matching `term`, newest first; `cursor` continues with older ones.
        Posts deleted since are never returned; those met are named in `deleted`."""
        try:
            return self._drive_sync(self._search_plan(term, cursor, since, language, limit))
        except SandboxError as exc:
            return _failure(exc, _search_refused()), ListeningPage()

    async def search_public_async(
        self,
        term: str,
        *,
        cursor: str | None = None,
        since: datetime | None = None,
        language: str = "",
        limit: int = 100,
    ) -> tuple[Result, ListeningPage]:
        """`search_public` on the running event loop."""
        try:
            return await self._drive_async(self._search_plan(term, cursor, since, language, limit))
        except SandboxError as exc:
            return _failure(exc, _search_refused()), ListeningPage()

    def _search_plan(
        self, term: str, cursor: str | None, since: datetime | None, language: str, limit: int
    ) -> SearchPlan:
        if not term.strip():
            return Result(Outcome.REJECTED, reason=_("Sandbox needs a term to search for.")), (
                ListeningPage()
            )
        try:
            data = yield Call(
                "search_public",
                {
                    "q": term.strip(),
                    "since": listening.since_param(since),
                    "cursor": cursor or "",
                    "lang": language,
                    "limit": max(1, min(limit, listening.MAX_LIMIT)),
                },
            )
        except SandboxError as exc:
            return _failure(exc, _search_refused()), ListeningPage()
        return Result(Outcome.OK), listening.page_of(data)

    def reply(self, request: ReplyRequest) -> Result:
        """Post a reply under `parent_id`, unless a reply with this key is there already."""
        return self._run_sync(self._reply_plan(request), _reply_refused())

    async def reply_async(self, request: ReplyRequest) -> Result:
        """`reply` on the running event loop."""
        return await self._run_async(self._reply_plan(request), _reply_refused())

    def _reply_plan(self, request: ReplyRequest) -> Plan:
        problem = self._reply_problem(request)
        if problem:
            return Result(Outcome.REJECTED, reason=problem)
        key = request.idempotency_key
        # Asked first, every time: a retried reply must never be posted twice.
        existing = _first_per_key((yield Call("posts_by_keys", {"keys": [key]})))
        post = existing.get(key)
        if post is None:
            post = yield Call(
                "create_post",
                {"idempotency_key": key, "text": request.text, "reply_to": request.parent_id},
            )
        return Result(Outcome.OK, self._published([post]))

    @staticmethod
    def _reply_problem(request: ReplyRequest) -> str:
        """Why the Sandbox would refuse this reply, or ""."""
        if request.kind is InboundKind.DIRECT:
            return _("Sandbox has no direct messages; reply in the thread instead.")
        if not request.parent_id:
            return _("Sandbox needs the post this reply answers.")
        if not request.text.strip():
            return _("Sandbox needs text in a reply; this one is empty.")
        if len(request.text) > rules.MAX_CHARS:
            return _("Sandbox allows %(limit)d characters per post; this reply has %(count)d.") % {
                "limit": rules.MAX_CHARS,
                "count": len(request.text),
            }
        return ""


def _inbox_refused() -> str:
    return _("Sandbox refused to show the inbox: %(message)s.")


def _search_refused() -> str:
    return _("Sandbox refused the search: %(message)s.")


def _reply_refused() -> str:
    """Untranslated: `_run_sync`/`_run_async` translate it when it is used."""
    return gettext_noop("Sandbox refused the reply: %(message)s.")


def connect(*, name: str = "", base_url: str | None = None, **_ignored: Any) -> Connection:
    """Create an account on the running Sandbox, named as the person typed."""
    name = (name or "").strip()
    if not name:
        return Connection(Result(Outcome.REJECTED, reason=_("Give the Sandbox account a name.")))
    base = (base_url or default_base_url()).rstrip("/")
    try:
        remote = SandboxClient(base).create_account(name)
    except SandboxError as exc:
        if exc.refused:
            return Connection(Result(Outcome.REJECTED, reason=exc.message))
        if exc.status == 0:
            reason = _(
                "Roost could not reach the Sandbox at %(url)s. Start it with “roost sandbox” "
                "and try again."
            ) % {"url": base}
            return Connection(Result(Outcome.RETRYABLE, reason=reason))
        return Connection(_failure(exc, _("Sandbox refused to create the account: %(message)s.")))
    connector = SandboxConnector({"base_url": base}, {"token": remote.token})
    return Connection(
        Result(Outcome.OK),
        connector._account(remote),
        config={"base_url": base},
        credentials={"token": remote.token},
    )


def factory(config: Mapping[str, Any], credentials: Mapping[str, Any]) -> SandboxConnector:
    """Build a connector for a stored Sandbox channel."""
    return SandboxConnector(config, credentials)
