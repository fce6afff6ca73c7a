"""Posts, media and channels: create, edit, schedule, queue, cancel, list by calendar range,
upload media — through the same services as the compose page."""

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, Moment, responses
from roost.channels.selectors import channels_list
from roost.core.exceptions import NotFound, ValidationFailed
from roost.networks import registry
from roost.publishing import selectors
from roost.publishing.models import Post
from roost.publishing.services import compose, deletion, media, scheduling
from roost.publishing.services.compose import PostInput
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["posts"])
READ, WRITE = ApiScope.READ, ApiScope.POSTS_WRITE


class ScheduleIn(Schema):
    mode: str = Field(
        description="draft, now, at or queue",
        json_schema_extra={"enum": ["draft", "now", "at", "queue"]},
    )
    at: Moment | None = Field(
        default=None,
        description="For mode=at. Without a UTC offset it is a wall-clock time read in each "
        "channel's time zone (the workspace's unless the channel has its own).",
    )
    resubmit: bool = Field(
        default=False,
        description="A cancelled post had its review withdrawn: scheduling it again where "
        "approval applies starts a new review, and only with resubmit=true (else 422).",
    )


class PostIn(Schema):
    text: str = Field(default="", max_length=20000)
    channels: list[Id]
    variants: dict[Id, str] = Field(default_factory=dict, description="channel id → own text")
    thread: list[str] = Field(default_factory=list)
    media: list[Id] = Field(default_factory=list)
    alt_texts: dict[Id, str] = Field(default_factory=dict)
    campaign: Id | None = None
    tags: list[str] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)
    schedule: ScheduleIn = Field(default_factory=lambda: ScheduleIn(mode="draft"))


class DeliveryOut(Schema):
    channel: int
    channel_name: str
    network: str
    status: str
    due_at: datetime | None
    published_at: datetime | None
    url: str
    error: str
    paused: bool = Field(description="Scheduled, but held by a pause (the crisis switch)")


class PostOut(Schema):
    id: int
    status: str
    text: str
    thread: list[str]
    variants: dict[int, str]
    media: list[int]
    campaign: int | None
    tags: list[str]
    options: dict[str, Any]
    scheduled_at: datetime | None
    author: str | None
    paused: bool = Field(description="A delivery of it is held by a pause (the crisis switch)")
    deliveries: list[DeliveryOut]


class ProblemsOut(Schema):
    ok: bool
    problems: dict[str, list[str]]


class MediaOut(Schema):
    id: int
    name: str
    mime_type: str
    width: int
    height: int
    size: int
    alt_text: str


class ChannelOut(Schema):
    id: int
    name: str
    network: str
    network_label: str
    handle: str
    status: str
    sandbox: bool
    timezone: str


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _post_out(post: Post, held: dict[int, set[int]] | None = None) -> dict[str, Any]:
    """`held`: the deliveries held by a pause, by post (read for the page at once)."""
    if held is None:
        held = selectors.held_by_pause([post.pk])
    mine = held.get(post.pk, set())
    return {
        "id": post.pk,
        "status": post.status,
        "text": post.text,
        "thread": list(post.thread),
        "variants": {v.channel_id: v.text for v in post.variants.all()},
        "media": [pm.asset_id for pm in post.postmedia_set.all()],
        "campaign": post.campaign_id,
        "tags": [t.name for t in post.tags.all()],
        "options": dict(post.options),
        "scheduled_at": post.scheduled_at,
        "author": post.author.email if post.author else None,
        "paused": bool(mine),
        "deliveries": [
            {
                "channel": d.channel_id,
                "channel_name": d.channel.name,
                "network": d.channel.network,
                "status": d.status,
                "due_at": d.due_at,
                "published_at": d.published_at,
                "url": d.remote_url,
                "error": d.error,
                "paused": d.pk in mine,
            }
            for d in post.deliveries.all()
        ],
    }


def _fetch(actor: Membership, post_id: Id) -> Post:
    post = selectors.post_detail(actor, post_id)
    if post is None:
        raise NotFound()
    return post


def _input(payload: PostIn) -> PostInput:
    return PostInput(
        text=payload.text,
        channel_ids=payload.channels,
        variants=payload.variants,
        thread=payload.thread,
        media_ids=payload.media,
        alt_texts=payload.alt_texts,
        campaign_id=payload.campaign,
        tags=payload.tags,
        options=payload.options,
    )


@router.get(
    "/{slug}/channels",
    response=responses({200: list[ChannelOut]}),
    auth=access(Perm.VIEW_CONTENT, READ),
)
def channel_list(request: HttpRequest, slug: str) -> Any:
    labels = {n.key: n.label for n in registry.networks()}
    return [
        {
            "id": c.pk,
            "name": c.name,
            "network": c.network,
            "network_label": labels.get(c.network, c.network),
            "handle": c.handle,
            "status": c.status,
            "sandbox": c.is_sandbox,
            "timezone": c.tz_name,
        }
        for c in channels_list(_actor(request)).select_related("workspace")
    ]


@router.get(
    "/{slug}/posts",
    response=responses({200: list[PostOut]}),
    auth=access(Perm.VIEW_CONTENT, READ),
    summary="Posts planned in a range (the calendar)",
)
def post_list(
    request: HttpRequest,
    slug: str,
    start: Moment,
    end: Moment,
    channel: Id | None = None,
    status: str | None = None,
) -> Any:
    # Without a UTC offset, start and end are wall-clock times in the workspace's zone.
    tz = _actor(request).workspace.tzinfo
    start, end = (d if d.tzinfo else d.replace(tzinfo=tz) for d in (start, end))
    if end <= start or end - start > timedelta(days=92):
        raise ValidationFailed({"end": ["end must be after start, at most 92 days later."]})
    filters = selectors.PostFilter(
        channel_ids=[channel] if channel else [], statuses=[status] if status else []
    )
    posts = selectors.posts_in_range(_actor(request), start, end, filters).prefetch_related(
        "variants", "postmedia_set"
    )
    found = list(posts)
    held = selectors.held_by_pause([p.pk for p in found])
    return [_post_out(p, held) for p in found]


@router.post(
    "/{slug}/posts/validate",
    response=responses({200: ProblemsOut}, write=True),
    auth=access(Perm.COMPOSE, READ),
)
def post_validate(request: HttpRequest, slug: str, payload: PostIn) -> Any:
    problems = compose.post_validate(actor=_actor(request), data=_input(payload))
    return {"ok": not problems, "problems": problems}


@router.post(
    "/{slug}/posts",
    response=responses({201: PostOut}, write=True),
    auth=access(Perm.COMPOSE, WRITE),
    summary="Create a post (draft, now, at a time, or into the queue)",
)
@idempotent
def post_create(request: HttpRequest, slug: str, payload: PostIn) -> Any:
    actor = _actor(request)
    post = compose.post_compose(
        actor=actor, data=_input(payload), mode=payload.schedule.mode, at=payload.schedule.at
    )
    return Status(201, _post_out(_fetch(actor, post.pk)))


@router.get(
    "/{slug}/posts/{post_id}",
    response=responses({200: PostOut}),
    auth=access(Perm.VIEW_CONTENT, READ),
)
def post_get(request: HttpRequest, slug: str, post_id: Id) -> Any:
    return _post_out(_fetch(_actor(request), post_id))


@router.put(
    "/{slug}/posts/{post_id}",
    response=responses({200: PostOut}, write=True),
    auth=access(Perm.COMPOSE, WRITE),
)
def post_update(request: HttpRequest, slug: str, post_id: Id, payload: PostIn) -> Any:
    actor = _actor(request)
    post = _fetch(actor, post_id)
    compose.post_compose(
        actor=actor,
        data=_input(payload),
        post=post,
        mode=payload.schedule.mode,
        at=payload.schedule.at,
        resubmit=payload.schedule.resubmit,
    )
    return _post_out(_fetch(actor, post_id))


@router.post(
    "/{slug}/posts/{post_id}/schedule",
    response=responses({200: PostOut}, write=True),
    auth=access(Perm.COMPOSE, WRITE),
    summary="Schedule, reschedule, publish now or queue",
)
@idempotent
def post_schedule(request: HttpRequest, slug: str, post_id: Id, payload: ScheduleIn) -> Any:
    actor = _actor(request)
    post = _fetch(actor, post_id)
    if payload.mode == "draft":
        raise ValidationFailed({"mode": ["Use cancel to take a post off the schedule."]})
    scheduling.post_schedule(
        actor=actor, post=post, mode=payload.mode, at=payload.at, resubmit=payload.resubmit
    )
    return _post_out(_fetch(actor, post_id))


@router.post(
    "/{slug}/posts/{post_id}/cancel",
    response=responses({200: PostOut}, write=True),
    auth=access(Perm.COMPOSE, WRITE),
)
@idempotent
def post_cancel(request: HttpRequest, slug: str, post_id: Id) -> Any:
    """Take the post off the schedule; a review under way is withdrawn with it."""
    actor = _actor(request)
    scheduling.post_cancel(actor=actor, post=_fetch(actor, post_id))
    return _post_out(_fetch(actor, post_id))


@router.delete(
    "/{slug}/posts/{post_id}",
    response=responses({204: None}, write=True),
    auth=access(Perm.COMPOSE, WRITE),
    summary="Delete a post, from the networks too",
)
def post_delete(request: HttpRequest, slug: str, post_id: Id) -> Any:
    actor = _actor(request)
    deletion.post_delete(actor=actor, post=_fetch(actor, post_id))
    return Status(204, None)


@router.post(
    "/{slug}/media",
    response=responses({201: MediaOut}, write=True),
    auth=access(Perm.COMPOSE, WRITE),
    summary="Upload an image to the media library (multipart)",
)
@idempotent
def media_upload(
    request: HttpRequest, slug: str, file: File[UploadedFile], alt_text: Form[str] = ""
) -> Any:
    asset = media.media_upload(actor=_actor(request), upload=file, alt_text=alt_text)
    return Status(
        201,
        {
            "id": asset.pk,
            "name": asset.original_name,
            "mime_type": asset.mime_type,
            "width": asset.width,
            "height": asset.height,
            "size": asset.size,
            "alt_text": asset.alt_text,
        },
    )
