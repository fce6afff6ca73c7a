"""The one boundary between Roost and a social network.

Domain apps see only these dataclasses and the `Connector` protocol. A connector turns
every SDK exception into a `Result` with an `Outcome`; nothing network-specific crosses.
Retryable versus terminal is decided here, by the connector, never by string matching
upstream.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from roost.core.urls import safe_http_url


def _keep_safe_url(obj: object) -> None:
    """A URL a network hands back is kept only if it is an absolute http(s) URL; anything
    else (`javascript:`, `data:`, relative, malformed) becomes "" here, at the boundary,
    so no store and no template ever sees it."""
    object.__setattr__(obj, "url", safe_http_url(getattr(obj, "url", "")))


class Outcome(enum.StrEnum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"  # wait `retry_after` seconds, then try again
    UNAUTHORIZED = "unauthorized"  # credentials revoked or expired: the channel needs reconnect
    RETRYABLE = "retryable"  # network error, timeout, 5xx: try again with backoff
    REJECTED = "rejected"  # the network refused this content for good: `reason` says why


@dataclass(frozen=True)
class Media:
    """An image to attach. `data` is the file's bytes."""

    data: bytes
    mime_type: str
    alt_text: str = ""
    width: int = 0
    height: int = 0
    filename: str = "image"

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Part:
    """One post. A request with several parts is a thread: each replies to the one before."""

    text: str
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class PublishRequest:
    """What to publish. `idempotency_key` is stable for one delivery across every retry."""

    idempotency_key: str
    parts: tuple[Part, ...]
    # Network-specific choices, e.g. Mastodon {"visibility": "public", "spoiler_text": "…"},
    # and {"language": "pl"} for any network that takes one.
    options: Mapping[str, Any] = field(default_factory=dict)
    # When the first try of this delivery began (None: this is the first). A connector
    # whose network dedupes by key for a limited time (Mastodon: one hour) uses it.
    first_attempt_at: datetime | None = None


@dataclass(frozen=True)
class Published:
    """Where a post landed. For a thread: the first part's id/url, and every part's id."""

    remote_id: str
    url: str
    part_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _keep_safe_url(self)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    published: Published | None = None
    retry_after: float | None = None  # seconds, for RATE_LIMITED (and optional for RETRYABLE)
    reason: str = ""  # for people: names the network and what to do

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@dataclass(frozen=True)
class Problem:
    """A validation problem. `part` is the thread part's index (0-based) or None for the
    whole post; `message` names the network and the limit, e.g.
    "Bluesky allows 300 characters per post; this one has 312."."""

    message: str
    part: int | None = None
    field: str = "text"  # "text", "media", "alt_text", "options"


@dataclass(frozen=True)
class Limits:
    max_chars: int  # counted in graphemes on Bluesky, characters on Mastodon
    max_media: int
    max_image_bytes: int
    image_types: frozenset[str]
    alt_text_required: bool = False
    max_alt_text: int = 1000
    max_parts: int = 25


@dataclass(frozen=True)
class Metrics:
    """One post's counts as its network reports them. None: the network does not provide
    this count (never 0, which is a real count). Counts may go down (unlikes)."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    bookmarks: int | None = None
    impressions: int | None = None
    reach: int | None = None
    clicks: int | None = None
    video_views: int | None = None

    def values(self) -> dict[str, int | None]:
        """Every count by name (None: not available)."""
        return {name: getattr(self, name) for name in METRIC_NAMES}


# Every count a network may report about a post, in display order.
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


@dataclass(frozen=True)
class Audience:
    """The account's audience at one moment (None: the network does not say)."""

    followers: int | None = None
    following: int | None = None
    posts: int | None = None


def count_of(value: object) -> int | None:
    """A count as a network sent it: a non-negative int, or None when absent or not a
    number (JSON true is not a count)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


@dataclass(frozen=True)
class Account:
    """The account a connection reached, for display."""

    remote_id: str
    handle: str
    display_name: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        _keep_safe_url(self)


class InboundKind(enum.StrEnum):
    MENTION = "mention"
    REPLY = "reply"  # a reply to one of our posts (or within a thread we are in)
    QUOTE = "quote"
    DIRECT = "direct"  # a private/direct message


@dataclass(frozen=True)
class Inbound:
    """One thing someone said to or about the account. `remote_id` is unique per channel."""

    remote_id: str
    kind: InboundKind
    text: str
    created_at: datetime
    author_id: str
    author_handle: str
    author_name: str = ""
    url: str = ""
    parent_id: str = ""  # what it answers (a post of ours, or a message in the thread)
    root_id: str = ""  # the start of the thread it belongs to
    conversation_id: str = ""  # direct conversations
    language: str = ""

    def __post_init__(self) -> None:
        _keep_safe_url(self)


@dataclass(frozen=True)
class InboxPage:
    """One poll's worth. Store `cursor` only after the items are stored: a poll that stops
    half-way is then repeated, and duplicates are dropped by `remote_id`."""

    items: tuple[Inbound, ...] = ()
    cursor: str | None = None  # pass back next time; None: nothing newer yet, keep the old
    activity: Mapping[str, int] = field(default_factory=dict)  # likes, reposts, follows
    skipped: int = 0  # malformed items logged and left out


@dataclass(frozen=True)
class ReplyRequest:
    """A reply from the inbox to `parent_id` (threaded under `root_id`)."""

    idempotency_key: str
    text: str
    parent_id: str
    root_id: str = ""
    conversation_id: str = ""
    kind: InboundKind = InboundKind.REPLY


@dataclass(frozen=True)
class ConnectField:
    """A field of a network's connect form (label: for people, may be a lazy translation)."""

    name: str
    label: str
    kind: str = "text"  # "text", "password" or "url"
    default: str = ""
    help: str = ""


@dataclass(frozen=True)
class Connection:
    """What connecting produced: where it got to, and what to store (credentials encrypted)."""

    result: Result
    account: Account | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    credentials: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Connector(Protocol):
    """A connected account on one network. Methods never raise for network or SDK errors:
    they return a Result (or an empty value and a Result) instead."""

    network: str

    def limits(self) -> Limits: ...

    def validate(self, request: PublishRequest) -> list[Problem]: ...

    def verify(self) -> tuple[Result, Account | None]: ...

    def publish(self, request: PublishRequest) -> Result: ...

    def find_existing(self, request: PublishRequest) -> Result:
        """Did an earlier try of this request already land? OK with `published` set: yes;
        OK with `published` None: no, it is safe to send; any other outcome: cannot tell."""
        ...

    def delete(self, remote_id: str) -> Result: ...

    def fetch_metrics(self, remote_ids: Sequence[str]) -> tuple[Result, dict[str, Metrics]]:
        """Counts by remote id; posts gone from the network are left out. On a failure
        part-way, the counts read so far come with the failed Result."""
        ...

    def credentials(self) -> dict[str, Any]:
        """The credentials as they are now (a session may have been refreshed): the caller
        stores them again when they differ from what it passed in."""
        ...


@runtime_checkable
class CountingConnector(Connector, Protocol):
    """A connector that says how its network counts a post's text (for live counters):
    the same rule its `validate` holds against `limits().max_chars`."""

    def text_length(self, text: str, options: Mapping[str, Any]) -> int: ...


@runtime_checkable
class MetricsConnector(Connector, Protocol):
    """A connector that also reports the account's audience (the metrics capability;
    post counts come from `fetch_metrics`)."""

    def fetch_audience(self) -> tuple[Result, Audience | None]:
        """Followers, following and posts of the account now."""
        ...


@runtime_checkable
class InboxConnector(Connector, Protocol):
    """A connector that also reads the account's inbox and answers from it."""

    def fetch_inbox(self, cursor: str | None) -> tuple[Result, InboxPage]:
        """What arrived since `cursor` (None: the first poll, the recent past only)."""
        ...

    def reply(self, request: ReplyRequest) -> Result:
        """Answer an inbound item, threaded correctly on the network."""
        ...


@dataclass(frozen=True)
class PublicPost:
    """A public post found by listening: anyone's, about anything a topic asks for.
    `remote_id` is unique per network (an at:// URI, a status URL-independent id…)."""

    remote_id: str
    text: str
    created_at: datetime
    author_id: str
    author_handle: str
    author_name: str = ""
    url: str = ""
    language: str = ""  # as the author or network declared it; "" when unknown
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    followers: int | None = None  # the author's, when the network says so cheaply

    def __post_init__(self) -> None:
        _keep_safe_url(self)


@dataclass(frozen=True)
class ListeningPage:
    """One search's worth, newest first. Store `cursor` only after the posts are stored;
    duplicates across polls are dropped by `remote_id` by the caller. `deleted` names
    posts this search learned are gone (the caller forgets them)."""

    posts: tuple[PublicPost, ...] = ()
    cursor: str | None = None  # older results: pass back to continue; None: no more
    deleted: tuple[str, ...] = ()
    skipped: int = 0  # malformed items logged and left out


@runtime_checkable
class ListeningConnector(Connector, Protocol):
    """A connector that can search public posts (the listening capability).

    `term` is one search term a topic asked for: a word, an "exact phrase" (quotes kept),
    a #hashtag or an @handle. The caller matches its full boolean query locally, so a
    network may return more than the term asks for, never less than it can. `since`:
    nothing older is wanted (a network that cannot filter returns it and the caller drops
    it). `language`: a two-letter code to ask the network for, or "" for any."""

    def search_public(
        self,
        term: str,
        *,
        cursor: str | None = None,
        since: datetime | None = None,
        language: str = "",
        limit: int = 100,
    ) -> tuple[Result, ListeningPage]: ...


# The ads capability: ad accounts, boosts of published posts, split tests and daily
# figures. Money crosses this boundary as Decimal strings in the account's own currency;
# the caller never mixes currencies.


@dataclass(frozen=True)
class AdAccountInfo:
    remote_id: str
    name: str
    currency: str  # ISO 4217, upper case


@dataclass(frozen=True)
class BoostRequest:
    """Paid reach for a published post. `idempotency_key` is stable across every try: the
    network creates one boost per key, and `find_boost` looks it up after a crash."""

    idempotency_key: str
    account_id: str
    post_remote_id: str
    budget: str  # a Decimal as a string, in the account's currency ("150.00")
    days: int
    audience: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""


@dataclass(frozen=True)
class SplitTestRequest:
    """A paid split test: one ad per variant, the budget split evenly, same audience."""

    idempotency_key: str
    account_id: str
    name: str
    variants: Mapping[str, str]  # label → the ad's text
    budget: str
    days: int
    audience: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AdCreated:
    """What the network made: the campaign (its figures arrive per campaign) and its ads."""

    remote_id: str  # the boost's or split test's id
    campaign_id: str
    ad_ids: Mapping[str, str] = field(default_factory=dict)  # split tests: label → ad id


@dataclass(frozen=True)
class AdInsight:
    """One campaign's (or, with `ad_id`, one ad's) figures for one day."""

    campaign_id: str
    day: date
    spend: str  # Decimal string, account currency
    impressions: int
    clicks: int
    conversions: str = "0"  # Decimal string: some networks attribute fractions
    conversion_value: str = "0"
    reach: int | None = None
    ad_id: str = ""
    campaign_name: str = ""


@runtime_checkable
class AdsConnector(Connector, Protocol):
    """A connector that can spend: ad accounts, boosts, split tests and their figures."""

    def ad_accounts(self) -> tuple[Result, list[AdAccountInfo]]: ...

    def create_boost(self, request: BoostRequest) -> tuple[Result, AdCreated | None]:
        """Create it once per idempotency key (a repeat returns the first one)."""
        ...

    def find_boost(self, idempotency_key: str) -> tuple[Result, AdCreated | None]:
        """The boost made with this key, or (OK, None) when there is none."""
        ...

    def create_split_test(self, request: SplitTestRequest) -> tuple[Result, AdCreated | None]: ...

    def fetch_insights(
        self, account_id: str, since: date, until: date
    ) -> tuple[Result, list[AdInsight]]:
        """Daily figures per campaign and per ad, for days since..until (inclusive)."""
        ...
