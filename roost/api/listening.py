"""Listening: topics (their queries checked by the same parser as the pages), the mentions
they found with filters and cursor pagination, and sending a mention to the Smart Inbox."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, Moment, responses
from roost.listening.models import Mention, Topic
from roost.listening.query import QueryError, parse
from roost.listening.services.inbox import mention_to_inbox
from roost.listening.services.mentions import MentionFilter, mentions_list, topic_ids_of
from roost.listening.services.topics import (
    TopicInput,
    access_mention,
    access_topic,
    topic_create,
    topic_delete,
    topic_update,
)
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["listening"])
READ, WRITE = ApiScope.READ, ApiScope.LISTENING_WRITE
VIEW, MANAGE = Perm.VIEW_LISTENING, Perm.MANAGE_LISTENING
KINDS: list[Any] = list(Topic.Kind.values)


class TopicIn(Schema):
    name: str = Field(max_length=100)
    query: str = Field(max_length=10_000, description="See docs/listening.md")
    kind: str = Field(default="brand", json_schema_extra={"enum": KINDS})
    campaign: Id | None = None
    exclude_own: bool = Field(default=True, description="Leave out our own accounts' posts")
    is_active: bool = True
    alert_volume: bool = True
    alert_negative: bool = True
    alert_to_inbox: bool = False


class TopicOut(Schema):
    id: int
    name: str
    kind: str
    query: str
    search_terms: list[str] = Field(description="What the networks are searched for")
    languages: list[str] = Field(description="The languages it is limited to; empty: any")
    campaign: int | None
    exclude_own: bool
    is_active: bool
    alert_volume: bool
    alert_negative: bool
    alert_to_inbox: bool
    created_at: datetime
    updated_at: datetime


class QueryCheckIn(Schema):
    query: str = Field(max_length=10_000)


class QueryCheckOut(Schema):
    ok: bool
    error: str | None = Field(description="What is wrong, naming the character")
    position: int | None = Field(description="The character (from 1) the error is about")
    search_terms: list[str]
    languages: list[str]


class MentionsQuery(Schema):
    topic: Id | None = None
    sentiment: int | None = Field(default=None, ge=-1, le=1, description="-1, 0 or 1")
    language: str = Field(default="", max_length=8)
    intent: bool | None = Field(default=None, description="Purchase intent")
    since: Moment | None = Field(default=None, description="Posted at or after")
    until: Moment | None = Field(default=None, description="Posted before")
    cursor: str = Field(default="", max_length=200, description="`next` of the page before")
    limit: int = Field(default=50, ge=1, le=200)


class AuthorOut(Schema):
    id: str
    handle: str
    name: str
    followers: int | None


class MentionOut(Schema):
    id: int
    channel: int | None
    network: str
    url: str
    author: AuthorOut
    text: str
    posted_at: datetime
    found_at: datetime
    language: str
    sentiment: int = Field(description="-1 negative, 0 neutral, 1 positive")
    sentiment_score: float
    intent: bool
    intent_score: float
    terms: list[str]
    likes: int | None
    reposts: int | None
    replies: int | None
    topics: list[int]
    inbox_message: int | None


class MentionsOut(Schema):
    mentions: list[MentionOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null: no more")


class InboxOut(Schema):
    message: int = Field(description="The inbox message (the same one on every call)")


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _topic_out(t: Topic) -> dict[str, Any]:
    try:
        parsed = parse(t.query)
        terms, languages = list(parsed.search_terms), sorted(parsed.languages)
    except QueryError:
        terms, languages = [], []
    return {
        "id": t.pk,
        "name": t.name,
        "kind": t.kind,
        "query": t.query,
        "search_terms": terms,
        "languages": languages,
        "campaign": t.campaign_id,
        "exclude_own": t.exclude_own,
        "is_active": t.is_active,
        "alert_volume": t.alert_volume,
        "alert_negative": t.alert_negative,
        "alert_to_inbox": t.alert_to_inbox,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


def _mention_out(m: Mention, topics: list[int]) -> dict[str, Any]:
    return {
        "id": m.pk,
        "channel": m.channel_id,
        "network": m.network,
        "url": m.url if m.url.startswith(("https://", "http://")) else "",
        "author": {
            "id": m.author_id,
            "handle": m.author_handle,
            "name": m.author_name,
            "followers": m.author_followers,
        },
        "text": m.text,
        "posted_at": m.posted_at,
        "found_at": m.found_at,
        "language": m.language,
        "sentiment": m.sentiment,
        "sentiment_score": m.sentiment_score,
        "intent": m.intent,
        "intent_score": m.intent_score,
        "terms": [str(t) for t in m.terms] if isinstance(m.terms, list) else [],
        "likes": m.likes,
        "reposts": m.reposts,
        "replies": m.replies,
        "topics": topics,
        "inbox_message": m.inbox_message_id,
    }


def _input(payload: TopicIn) -> TopicInput:
    return TopicInput(
        name=payload.name,
        query=payload.query,
        kind=payload.kind,
        campaign_id=payload.campaign,
        exclude_own=payload.exclude_own,
        is_active=payload.is_active,
        alert_volume=payload.alert_volume,
        alert_negative=payload.alert_negative,
        alert_to_inbox=payload.alert_to_inbox,
    )


@router.get(
    "/{slug}/listening/topics",
    response=responses({200: list[TopicOut]}),
    auth=access(VIEW, READ),
    summary="The workspace's listening topics",
)
def topic_list(request: HttpRequest, slug: str) -> Any:
    topics = Topic.objects.filter(workspace_id=_actor(request).workspace_id).order_by("pk")
    return [_topic_out(t) for t in topics]


@router.post(
    "/{slug}/listening/topics",
    response=responses({201: TopicOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Create a topic (422 names what is wrong with the query, and where)",
)
@idempotent
def topic_post(request: HttpRequest, slug: str, payload: TopicIn) -> Any:
    topic = topic_create(actor=_actor(request), data=_input(payload))
    return Status(201, _topic_out(topic))


@router.get(
    "/{slug}/listening/topics/{topic_id}",
    response=responses({200: TopicOut}),
    auth=access(VIEW, READ),
    summary="One topic",
)
def topic_get(request: HttpRequest, slug: str, topic_id: Id) -> Any:
    return _topic_out(access_topic(_actor(request), topic_id))


@router.put(
    "/{slug}/listening/topics/{topic_id}",
    response=responses({200: TopicOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Change a topic (mentions found before stay)",
)
def topic_put(request: HttpRequest, slug: str, topic_id: Id, payload: TopicIn) -> Any:
    actor = _actor(request)
    topic = access_topic(actor, topic_id, MANAGE)
    return _topic_out(topic_update(actor=actor, topic=topic, data=_input(payload)))


@router.delete(
    "/{slug}/listening/topics/{topic_id}",
    response=responses({204: None}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Delete a topic, its links to mentions and its counts",
)
def topic_remove(request: HttpRequest, slug: str, topic_id: Id) -> Any:
    actor = _actor(request)
    topic_delete(actor=actor, topic=access_topic(actor, topic_id, MANAGE))
    return Status(204, None)


@router.post(
    "/{slug}/listening/query-check",
    response=responses({200: QueryCheckOut}, write=True),
    auth=access(VIEW, READ),
    summary="Check a query: ok with what would be searched, or the error and its position",
)
def query_check(request: HttpRequest, slug: str, payload: QueryCheckIn) -> Any:
    try:
        parsed = parse(payload.query)
    except QueryError as error:
        return {
            "ok": False,
            "error": error.message,
            "position": error.position,
            "search_terms": [],
            "languages": [],
        }
    return {
        "ok": True,
        "error": None,
        "position": None,
        "search_terms": list(parsed.search_terms),
        "languages": sorted(parsed.languages),
    }


@router.get(
    "/{slug}/listening/mentions",
    response=responses({200: MentionsOut}),
    auth=access(VIEW, READ),
    summary="Mentions, newest first, with filters; follow `next` for older ones",
)
def mention_list(request: HttpRequest, slug: str, filters: Query[MentionsQuery]) -> Any:
    actor = _actor(request)
    if filters.topic is not None:
        access_topic(actor, filters.topic)
    page, following = mentions_list(
        actor,
        MentionFilter(
            topic_id=filters.topic,
            sentiment=filters.sentiment,
            language=filters.language,
            intent=filters.intent,
            since=filters.since,
            until=filters.until,
        ),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    topics = topic_ids_of(page)
    return {"mentions": [_mention_out(m, topics[m.pk]) for m in page], "next": following}


@router.get(
    "/{slug}/listening/mentions/{mention_id}",
    response=responses({200: MentionOut}),
    auth=access(VIEW, READ),
    summary="One mention",
)
def mention_get(request: HttpRequest, slug: str, mention_id: Id) -> Any:
    mention = access_mention(_actor(request), mention_id)
    return _mention_out(mention, topic_ids_of([mention])[mention.pk])


@router.post(
    "/{slug}/listening/mentions/{mention_id}/inbox",
    response=responses({200: InboxOut}, write=True),
    auth=access(Perm.INBOX_READ_ALL, ApiScope.INBOX_WRITE),
    summary="Send a mention to the Smart Inbox (assign, reply, Lead task there); the same "
    "message on every call",
)
@idempotent
def mention_inbox(request: HttpRequest, slug: str, mention_id: Id) -> Any:
    actor = _actor(request)
    message = mention_to_inbox(actor=actor, mention=access_mention(actor, mention_id))
    return {"message": message.pk}
