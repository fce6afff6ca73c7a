"""The Sandbox's in-memory world: accounts, posts, counters and the fault knobs.

Plain synchronous code, driven by the server on its event loop (one thread), so it needs no
locks. Every change it makes is also returned as a `Change` for the store to persist.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import random
import re
import secrets
import time
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from operator import itemgetter
from typing import Any

from roost.networks.sandbox import conversation, engagement, rules


class ApiError(Exception):
    """An HTTP error answer: status, a message for the client, and extra headers."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


@dataclass(slots=True)
class Account:
    """A Sandbox account; the token is its only credential."""

    id: int
    handle: str
    name: str
    token: str
    created_at: float
    # One of the simulated people who write to accounts (POST /api/inbound): their posts
    # are traffic, not publishes, so the publish counters leave them out.
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class Image:
    """An image attached to a post."""

    alt: str
    mime_type: str
    data: bytes


@dataclass(slots=True)
class Post:
    """A published post; deleted posts stay, marked, so stats keep counting them."""

    id: int
    account_id: int
    text: str
    reply_to: int | None
    language: str | None
    idempotency_key: str
    created_at: float
    media: tuple[Image, ...] = ()
    deleted_at: float | None = None
    # Derived, not stored: the first post of its thread (itself when it replies to
    # nothing), and the accounts that wrote it or any post it is (indirectly) a reply to.
    root_id: int = 0
    chain_accounts: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Deleted:
    """A post was deleted at `at`."""

    post_id: int
    at: float


@dataclass(frozen=True, slots=True)
class Reset:
    """Every post is gone (accounts stay); ids go on from `next_post_id`, never reused."""

    next_post_id: int


# What the store must persist, in the order it happened.
Change = Account | Post | Deleted | Reset


@dataclass(slots=True)
class Knobs:
    """Fault injection settings, changed through POST /api/control."""

    latency_ms: int = 0
    fail_5xx_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 30
    fail_after_commit_rate: float = 0.0
    # False: latency and faults hit publishing only. True: every authenticated /api call.
    all_endpoints: bool = False
    seed: int = 0
    # Seconds the engagement model's clock runs ahead of the wall clock: a test reads a
    # post "a day later" without waiting a day (metrics and audience only).
    clock_ahead_s: int = 0
    # The public conversation (conversation.py): posts per hour, and the moment its planted
    # bursts are placed around (Unix seconds; 0: the hour the Sandbox started).
    conversation_rate: int = conversation.DEFAULT_RATE
    conversation_anchor: int = 0


RATE_KNOBS = ("fail_5xx_rate", "rate_limit_rate", "fail_after_commit_rate")
INT_KNOBS = {
    "latency_ms": 600_000,
    "retry_after": 86_400,
    "seed": 2**63,
    "clock_ahead_s": 400 * 86_400,
    "conversation_rate": conversation.MAX_RATE,
    "conversation_anchor": 2**40,
}
MAX_PLANT = 9_999  # posts in one burst planted now
CONTROL_KEYS = frozenset(
    {*RATE_KNOBS, *INT_KNOBS, "all_endpoints", "unauthorized_tokens", "revoke", "reset"}
    | {"metrics", "inbound_rate", "plant"}
)
METRIC_NAMES = (
    "likes",
    "reposts",
    "replies",
    "quotes",
    "bookmarks",
    "impressions",
    "reach",
    "clicks",
    "video_views",
)
# Inbound posts generated per second for every account with posts (POST /api/control).
MAX_INBOUND_RATE = 1000
# "@demo-coffee.sandbox" in a post's text mentions that account.
MENTION = re.compile(r"@([a-z0-9][a-z0-9-]*\.sandbox)(?![a-z0-9-])", re.IGNORECASE)
REPLY, MENTIONED = "reply", "mention"


def parse_plant(value: object) -> tuple[str, int, str, str]:
    """(term, count, sentiment, language) of a "plant" control, or a 400 saying what is
    wrong."""
    if not isinstance(value, dict):
        raise ApiError(400, "plant must be an object: {term, count, sentiment, language}")
    unknown = sorted(set(value) - {"term", "count", "sentiment", "language"})
    if unknown:
        raise ApiError(400, f"plant: unknown fields: {', '.join(unknown)}")
    term = value.get("term")
    if not isinstance(term, str) or not term.strip('" ') or len(term) > 100:
        raise ApiError(400, "plant: term must be text of 1 to 100 characters")
    count = value.get("count", 20)
    if not (_is_int(count) and 1 <= count <= MAX_PLANT):
        raise ApiError(400, f"plant: count must be a whole number from 1 to {MAX_PLANT}")
    sentiment = value.get("sentiment", "negative")
    if sentiment not in conversation.SENTIMENTS:
        raise ApiError(400, f"plant: sentiment must be one of {', '.join(conversation.SENTIMENTS)}")
    language = value.get("language", "")
    if language not in ("", *conversation.LANGUAGES):
        raise ApiError(400, "plant: language must be 'en', 'pl' or '' (both)")
    return term.strip(), count, sentiment, language


def _is_int(value: object) -> bool:
    """An int that is not a bool (JSON true is not a number of milliseconds)."""
    return isinstance(value, int) and not isinstance(value, bool)


def parse_id(value: object) -> int | None:
    """A post or account id from a path or JSON value, or None when it cannot be one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**62 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def slug(name: str) -> str:
    """A handle-safe form of a name: "Demo Coffee" → "demo-coffee"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-") or "account"


class SandboxState:
    """Accounts, posts and fault knobs of one running Sandbox."""

    def __init__(
        self, *, latency_ms: int = 0, seed: int = 0, reserved_handles: Iterable[str] = ()
    ) -> None:
        self._initial = Knobs(latency_ms=latency_ms, seed=seed)
        self.knobs = Knobs(latency_ms=latency_ms, seed=seed)
        # Fault dice, not secrets: a seed makes a failing run reproducible.
        self.rng = random.Random(seed)  # noqa: S311
        # Separate dice for generated traffic, so it never shifts the fault sequence.
        self.traffic_rng = random.Random(seed)  # noqa: S311
        self.inbound_rate = 0.0
        # Handles kept for simulated people, so no account made through the API takes one.
        self.reserved_handles = frozenset(reserved_handles)
        self.accounts: dict[int, Account] = {}
        self.by_token: dict[str, Account] = {}
        self.by_handle: dict[str, Account] = {}
        self.revoked: set[str] = set()
        self._next_account = 1
        # Ids are never reused, even after a reset: a URL handed out once stays that post's.
        self.next_post_id = 1
        self._reset_posts()

    def _reset_posts(self) -> None:
        """Forget every post and counter."""
        self.posts: dict[int, Post] = {}
        self.ids: list[int] = []  # ascending, for newest-first pages with a cursor
        self.replies: dict[int, list[int]] = {}
        self.by_account: dict[int, list[int]] = {}  # ascending post ids per account
        # Per account, ascending: (post id, "reply" | "mention") written to it by others.
        self.inbox: dict[int, list[tuple[int, str]]] = {}
        self.by_account_key: dict[tuple[int, str], list[int]] = {}
        self.by_key: dict[str, int] = {}
        self.publishes = 0
        # Rounds of the traffic generator finished so far (idle ones too): tests wait on it.
        self.traffic_ticks = 0
        self.faults = {"rate_limited": 0, "failed": 0, "lost_responses": 0, "unauthorized": 0}
        self.metric_overrides: dict[int, dict[str, int]] = {}
        # Bursts planted now through the control API (kept in memory only).
        self.plants: list[conversation.Burst] = []

    # Loading

    def load(self, accounts: Iterable[Account], posts: Iterable[Post], next_post_id: int) -> None:
        """Fill the state from storage (posts in ascending id order)."""
        for account in accounts:
            self._add_account(account)
        for post in posts:
            self._add_post(post)
        self.next_post_id = max(self.next_post_id, next_post_id)

    def _add_account(self, account: Account) -> None:
        """Index a new or loaded account."""
        self.accounts[account.id] = account
        self.by_token[account.token] = account
        self.by_handle[account.handle] = account
        self._next_account = max(self._next_account, account.id + 1)

    def _add_post(self, post: Post) -> None:
        """Index a new or loaded post, and count it as a publish unless it is traffic."""
        self.posts[post.id] = post
        self.ids.append(post.id)
        parent = self.posts.get(post.reply_to) if post.reply_to is not None else None
        post.root_id = parent.root_id if parent is not None else post.id
        # Shared, not copied, while the author is already in the chain: long threads among
        # a few people cost one set between them.
        above = parent.chain_accounts if parent is not None else frozenset()
        post.chain_accounts = above if post.account_id in above else above | {post.account_id}
        if post.reply_to is not None:
            self.replies.setdefault(post.reply_to, []).append(post.id)
        self.by_account.setdefault(post.account_id, []).append(post.id)
        author = self.accounts.get(post.account_id)
        if author is None or not author.simulated:
            key = (post.account_id, post.idempotency_key)
            self.by_account_key.setdefault(key, []).append(post.id)
            self.by_key[post.idempotency_key] = self.by_key.get(post.idempotency_key, 0) + 1
            self.publishes += 1
        self._index_inbound(post, parent)
        self.next_post_id = max(self.next_post_id, post.id + 1)

    def _index_inbound(self, post: Post, parent: Post | None) -> None:
        """File the post in the inbox of every other account it answers (directly or
        further up its reply chain) or mentions."""
        targets: dict[int, str] = {}
        if parent is not None:
            for owner in parent.chain_accounts:
                if owner != post.account_id:
                    targets[owner] = REPLY
        if "@" in post.text:
            for handle in MENTION.findall(post.text):
                account = self.by_handle.get(handle.lower())
                if account is not None and account.id != post.account_id:
                    targets.setdefault(account.id, MENTIONED)
        for account_id, kind in targets.items():
            self.inbox.setdefault(account_id, []).append((post.id, kind))

    # Accounts

    def create_account(self, body: object) -> Account:
        """A new account named as the body says, with a unique handle and a fresh token."""
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "name is required")
        name = name.strip()
        if len(name) > 100:
            raise ApiError(400, "name is longer than 100 characters")
        base = slug(name)
        candidate, n = base, 2
        while (
            f"{candidate}.sandbox" in self.by_handle
            or f"{candidate}.sandbox" in self.reserved_handles
        ):
            candidate, n = f"{base}-{n}", n + 1
        account = Account(
            id=self._next_account,
            handle=f"{candidate}.sandbox",
            name=name,
            token="sbx_" + secrets.token_urlsafe(24),
            created_at=time.time(),
        )
        self._add_account(account)
        return account

    def authenticate(self, authorization: str) -> Account:
        """The account a `Bearer` header belongs to; 401 when it is missing, unknown or revoked."""
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "a Bearer token is required", {"WWW-Authenticate": "Bearer"})
        if token in self.revoked:
            self.faults["unauthorized"] += 1
            raise ApiError(401, "this token has been revoked", {"WWW-Authenticate": "Bearer"})
        account = self.by_token.get(token)
        if account is None:
            raise ApiError(401, "unknown token", {"WWW-Authenticate": "Bearer"})
        return account

    # Faults

    def roll_faults(self) -> None:
        """Raise an injected 429 or 503 as the knobs and the seeded dice say."""
        knobs = self.knobs
        # Roll only for knobs that are on, so a seed gives the same sequence per knob setting.
        if knobs.rate_limit_rate and self.rng.random() < knobs.rate_limit_rate:
            self.faults["rate_limited"] += 1
            raise ApiError(
                429,
                "rate limited (injected by the Sandbox control API)",
                {"Retry-After": str(knobs.retry_after)},
            )
        if knobs.fail_5xx_rate and self.rng.random() < knobs.fail_5xx_rate:
            self.faults["failed"] += 1
            raise ApiError(503, "service unavailable (injected by the Sandbox control API)")

    def roll_lost_response(self) -> bool:
        """Whether to drop the answer to a publish that has been recorded."""
        rate = self.knobs.fail_after_commit_rate
        if rate and self.rng.random() < rate:
            self.faults["lost_responses"] += 1
            return True
        return False

    # Posts

    def create_post(self, account: Account, key: str, body: object) -> Post:
        """Validate a publish request and record it; 4xx with a readable message when invalid."""
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        text = body.get("text") or ""
        if not isinstance(text, str):
            raise ApiError(400, "text must be a string")
        if len(text) > rules.MAX_CHARS:
            raise ApiError(
                400, f"text has {len(text)} characters; the Sandbox allows {rules.MAX_CHARS}"
            )
        media = self._parse_media(body.get("media"))
        if not text.strip() and not media:
            raise ApiError(400, "a post needs text or an image")
        reply_to = body.get("reply_to")
        parent_id = None
        if reply_to is not None:
            parent_id = parse_id(reply_to)
            parent = self.posts.get(parent_id) if parent_id else None
            if parent is None or parent.deleted_at is not None:
                raise ApiError(400, f"reply_to: post {reply_to!r} does not exist")
        language = body.get("language")
        if language is not None and (
            not isinstance(language, str) or not rules.LANGUAGE.fullmatch(language)
        ):
            raise ApiError(
                400, f"language must be a code such as 'en' or 'pt-BR', not {language!r}"
            )
        post = Post(
            id=self.next_post_id,
            account_id=account.id,
            text=text,
            reply_to=parent_id,
            language=language,
            idempotency_key=key,
            created_at=time.time(),
            media=media,
        )
        self._add_post(post)
        return post

    def _parse_media(self, value: object) -> tuple[Image, ...]:
        """The images of a publish request, or a 4xx saying which one is wrong."""
        if value is None:
            return ()
        if not isinstance(value, list):
            raise ApiError(400, "media must be a list")
        if len(value) > rules.MAX_MEDIA:
            raise ApiError(
                400, f"a post has {len(value)} images; the Sandbox allows {rules.MAX_MEDIA}"
            )
        images = []
        for n, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                raise ApiError(400, f"image {n}: must be an object")
            alt, mime_type, data_b64 = (
                item.get("alt") or "",
                item.get("mime_type"),
                item.get("data_b64"),
            )
            if not isinstance(alt, str) or len(alt) > rules.MAX_ALT_TEXT:
                raise ApiError(
                    400, f"image {n}: alt must be text of at most {rules.MAX_ALT_TEXT} characters"
                )
            if mime_type not in rules.IMAGE_TYPES:
                raise ApiError(400, f"image {n}: type {mime_type!r} is not accepted")
            if not isinstance(data_b64, str):
                raise ApiError(400, f"image {n}: data_b64 is required")
            try:
                data = base64.b64decode(data_b64, validate=True)
            except (binascii.Error, ValueError):
                raise ApiError(400, f"image {n}: data_b64 is not valid base64") from None
            if len(data) > rules.MAX_IMAGE_BYTES:
                raise ApiError(
                    413,
                    f"image {n} has {len(data)} bytes; the Sandbox allows {rules.MAX_IMAGE_BYTES}",
                )
            if rules.sniff_image(data) != mime_type:
                raise ApiError(400, f"image {n}: the data is not a valid {mime_type} image")
            images.append(Image(alt=alt, mime_type=mime_type, data=data))
        return tuple(images)

    def live_post(self, raw_id: object) -> Post:
        """A post that exists and is not deleted; 404 otherwise."""
        post_id = parse_id(raw_id)
        post = self.posts.get(post_id) if post_id else None
        if post is None or post.deleted_at is not None:
            raise ApiError(404, f"post {raw_id} not found")
        return post

    def posts_by_keys(self, account: Account, keys: Iterable[str]) -> list[Post]:
        """The account's live posts made with any of these idempotency keys, oldest first."""
        ids = {i for key in keys for i in self.by_account_key.get((account.id, key), ())}
        return [self.posts[i] for i in sorted(ids) if self.posts[i].deleted_at is None]

    def recent(
        self, *, account_id: int | None = None, before: int | None = None, limit: int = 50
    ) -> list[Post]:
        """Live posts newest first, optionally one account's and older than `before`."""
        ids = self.ids if account_id is None else self.by_account.get(account_id, [])
        end = bisect.bisect_left(ids, before) if before else len(ids)
        found: list[Post] = []
        for i in range(end - 1, -1, -1):
            post = self.posts[ids[i]]
            if post.deleted_at is None:
                found.append(post)
                if len(found) == limit:
                    break
        return found

    def add_inbound(
        self, author: Account, text: str, *, reply_to: int | None, language: str, at: float
    ) -> Post:
        """Record a post by a simulated person (already valid: the generator wrote it)."""
        post = Post(
            id=self.next_post_id,
            account_id=author.id,
            text=text,
            reply_to=reply_to,
            language=language,
            idempotency_key="",
            created_at=at,
        )
        self._add_post(post)
        return post

    def add_people(self, people: Iterable[tuple[str, str]]) -> list[Account]:
        """Create the simulated (handle, name) accounts that do not exist yet."""
        made = []
        for handle, name in people:
            if handle in self.by_handle:
                continue  # made earlier (or, in an old file, taken by a person: left alone)
            account = Account(
                id=self._next_account,
                handle=handle,
                name=name,
                token="sim_" + secrets.token_urlsafe(24),
                created_at=time.time(),
                simulated=True,
            )
            self._add_account(account)
            made.append(account)
        return made

    def has_live_posts(self, account_id: int) -> bool:
        """Whether the account has published anything that is still there."""
        ids = self.by_account.get(account_id, ())
        return any(self.posts[i].deleted_at is None for i in reversed(ids))

    def inbox_page(
        self, account: Account, *, after: int | None, limit: int
    ) -> tuple[list[tuple[Post, str]], bool]:
        """Live posts to the account with ids above `after`, oldest first, and whether more
        follow; `after` None: the newest `limit` of them (and never more)."""
        entries = self.inbox.get(account.id, [])
        found: list[tuple[Post, str]] = []
        if after is None:
            for i in range(len(entries) - 1, -1, -1):
                post_id, kind = entries[i]
                if self.posts[post_id].deleted_at is None:
                    found.append((self.posts[post_id], kind))
                    if len(found) == limit:
                        break
            found.reverse()
            return found, False
        for i in range(bisect.bisect_right(entries, after, key=itemgetter(0)), len(entries)):
            post_id, kind = entries[i]
            post = self.posts[post_id]
            if post.deleted_at is not None:
                continue
            if len(found) == limit:
                return found, True
            found.append((post, kind))
        return found, False

    @staticmethod
    def activity(posts: Sequence[Post]) -> dict[str, int]:
        """Likes, reposts and follows that came with these inbound posts: made up, but the
        same for the same posts, so pages add up to the same totals however they are cut."""
        totals = {"likes": 0, "reposts": 0, "follows": 0}
        for post in posts:
            spread = zlib.crc32(f"activity:{post.id}".encode())
            totals["likes"] += spread % 4
            totals["reposts"] += (spread >> 2) % 3 // 2
            totals["follows"] += 1 if (spread >> 4) % 5 == 0 else 0
        return totals

    def live_replies(self, post: Post) -> list[Post]:
        """Replies to a post that still exist, oldest first."""
        return [
            self.posts[i] for i in self.replies.get(post.id, ()) if self.posts[i].deleted_at is None
        ]

    def delete_post(self, account: Account, raw_id: str) -> Deleted:
        """Delete the account's own post; 404 when gone, 403 when someone else's."""
        post = self.live_post(raw_id)
        if post.account_id != account.id:
            raise ApiError(403, f"post {raw_id} belongs to another account")
        post.deleted_at = time.time()
        return Deleted(post.id, post.deleted_at)

    def metrics(self, post: Post, now: float) -> dict[str, int]:
        """Every counter of a post at `now` from the engagement model (deterministic per
        post; replies are the real ones); control can pin any of them."""
        author = self.accounts.get(post.account_id)
        facts = engagement.PostFacts(
            post_id=post.id,
            account_id=post.account_id,
            created_at=post.created_at,
            text=post.text,
            media=len(post.media),
            gif=any(image.mime_type == "image/gif" for image in post.media),
            replies=len(self.live_replies(post)),
        )
        audience = engagement.followers(
            post.account_id, author.created_at if author else post.created_at, post.created_at
        )
        counts = engagement.post_counts(facts, now, audience)
        return engagement.with_overrides(counts, self.metric_overrides.get(post.id, {}))

    def audience(self, account: Account, now: float) -> dict[str, int]:
        """The account's followers, following and live posts at `now`."""
        posts = sum(
            1 for i in self.by_account.get(account.id, ()) if self.posts[i].deleted_at is None
        )
        return engagement.account_audience(account.id, account.created_at, now, posts)

    def stats(self) -> dict[str, Any]:
        """Publish counts per idempotency key: the proof of exactly-once delivery."""
        return {
            "publishes": self.publishes,
            "by_key": dict(self.by_key),
            "duplicates": sum(1 for count in self.by_key.values() if count > 1),
            "posts": sum(1 for post in self.posts.values() if post.deleted_at is None),
            "accounts": len(self.accounts),
            "faults": dict(self.faults),
            "traffic_ticks": self.traffic_ticks,
        }

    # Control

    def control(self, body: object) -> tuple[dict[str, Any], bool]:
        """Apply control knobs (all or none); returns the knobs now and whether posts were reset."""
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        unknown = sorted(set(body) - CONTROL_KEYS)
        if unknown:
            raise ApiError(400, f"unknown control knobs: {', '.join(unknown)}")
        for name in RATE_KNOBS:
            value = body.get(name)
            if name in body and not (
                isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
            ):
                raise ApiError(400, f"{name} must be a number from 0 to 1")
        for name, top in INT_KNOBS.items():
            if name in body and not (_is_int(body[name]) and 0 <= body[name] <= top):
                raise ApiError(400, f"{name} must be a whole number from 0 to {top}")
        for name in ("all_endpoints", "reset"):
            if name in body and not isinstance(body[name], bool):
                raise ApiError(400, f"{name} must be true or false")
        rate = body.get("inbound_rate", 0)
        if (
            not (isinstance(rate, int | float) and not isinstance(rate, bool))
            or not 0 <= rate <= MAX_INBOUND_RATE
        ):
            raise ApiError(400, f"inbound_rate must be a number from 0 to {MAX_INBOUND_RATE}")
        tokens = body.get("unauthorized_tokens", [])
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise ApiError(400, "unauthorized_tokens must be a list of tokens")
        if "revoke" in body and not isinstance(body["revoke"], str):
            raise ApiError(400, "revoke must be a token")
        overrides = self._parse_metric_overrides(body.get("metrics", {}))
        plant = parse_plant(body["plant"]) if "plant" in body else None

        reset = bool(body.get("reset"))
        if reset:
            self._reset_posts()
            self.revoked.clear()
            self.knobs = Knobs(**asdict(self._initial))
            self.rng.seed(self.knobs.seed)
            self.traffic_rng.seed(self.knobs.seed)
            self.inbound_rate = 0.0
        for name in (*RATE_KNOBS, *INT_KNOBS, "all_endpoints"):
            if name in body:
                setattr(self.knobs, name, body[name])
        if "seed" in body:
            self.rng.seed(body["seed"])
        if "inbound_rate" in body:
            self.inbound_rate = float(rate)
        if "unauthorized_tokens" in body:
            self.revoked = set(tokens)
        if "revoke" in body:
            self.revoked.add(body["revoke"])
        for post_id, values in overrides.items():
            self.metric_overrides.setdefault(post_id, {}).update(values)
        if plant is not None and len(self.plants) >= conversation.MAX_PLANTS:
            raise ApiError(400, f"plant: at most {conversation.MAX_PLANTS} bursts; reset first")
        if plant is not None:
            term, count, sentiment, language = plant
            self.plant(term, count=count, sentiment=sentiment, language=language)
        return self.describe_knobs(), reset

    def model_now(self) -> float:
        """The models' clock: the wall clock, ahead by the clock_ahead_s knob."""
        return time.time() + self.knobs.clock_ahead_s

    def plant(self, term: str, *, count: int, sentiment: str, language: str) -> conversation.Burst:
        """A burst of `count` public posts naming `term`, written just now (model time)."""
        now = self.model_now()
        lowered = term.strip('"').lstrip("#@").lower().replace(" ", "")
        subject = next(
            (
                s.key
                for s in conversation.SUBJECTS
                if s.key != "chatter"
                and any(lowered == n.lstrip("#@").lower().replace(" ", "") for n in s.names)
            ),
            "democoffee",  # any other term: talked about the way people talk about a brand
        )
        burst = conversation.Burst(
            term=term.strip('"'),
            subject=subject,
            start=now,
            end=now + 1,
            kind="planted",
            sentiment=sentiment,
            language=language,
            per_hour=0,
            name=f"planted-{len(self.plants) + 1}",
            count=count,
        )
        self.plants.append(burst)
        return burst

    def world(self, started_at: float) -> conversation.World:
        """The public conversation as the knobs set it (anchor: the start hour by default)."""
        anchor = self.knobs.conversation_anchor or started_at
        return conversation.World(
            seed=self.knobs.seed,
            rate=self.knobs.conversation_rate,
            anchor=float(anchor),
            plants=tuple(self.plants),
        )

    def _parse_metric_overrides(self, value: object) -> dict[int, dict[str, int]]:
        """Pinned counters from the control body, or a 400."""
        if not isinstance(value, dict):
            raise ApiError(400, "metrics must map post ids to counters")
        parsed: dict[int, dict[str, int]] = {}
        for raw_id, counters in value.items():
            post_id = parse_id(raw_id)
            if post_id is None or not isinstance(counters, dict):
                raise ApiError(400, f"metrics: {raw_id!r} must be a post id mapping to counters")
            for name, count in counters.items():
                if name not in METRIC_NAMES or not (_is_int(count) and count >= 0):
                    raise ApiError(400, f"metrics: {name!r} must be one of {METRIC_NAMES} ≥ 0")
            parsed[post_id] = dict(counters)
        return parsed

    def describe_knobs(self) -> dict[str, Any]:
        """The knobs as JSON, with the revoked tokens' count (not the tokens)."""
        return {**asdict(self.knobs), "revoked_tokens": len(self.revoked)}
