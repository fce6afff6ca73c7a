"""The crisis switch: whether publishing is paused, pause it (all channels or one), see
what waits for a decision, and resume with a decision for each held post — through the
same services as the switch page."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, Moment, responses
from roost.channels.access import access_channel
from roost.core.exceptions import Conflict, NotFound
from roost.publishing import selectors
from roost.publishing.models import PublishingPause
from roost.publishing.services.pause import (
    REASON_MAX,
    Decision,
    access_pause,
    publishing_pause,
    publishing_resume,
    resume_review,
)
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["crisis switch"])
READ, WRITE = ApiScope.READ, ApiScope.POSTS_WRITE


class ChannelPauseOut(Schema):
    channel: int
    channel_name: str
    reason: str
    since: datetime
    by: str


class PauseStateOut(Schema):
    paused: bool = Field(description="All publishing of the workspace is paused")
    reason: str
    since: datetime | None
    by: str
    channels: list[ChannelPauseOut] = Field(description="Channels paused on their own")


class PauseIn(Schema):
    reason: str = Field(min_length=1, max_length=REASON_MAX)
    channel: Id | None = Field(default=None, description="Pause this channel only")


class ScopeQuery(Schema):
    channel: Id | None = Field(default=None, description="The channel's own pause")


class ReviewItemOut(Schema):
    post: int
    text: str
    due_at: datetime
    overdue: bool = Field(
        description="Came due during the pause: needs publish_now, reschedule or cancel"
    )
    channels: list[str]


class DecisionIn(Schema):
    post: Id
    action: Literal["publish_now", "reschedule", "keep", "cancel"] = Field(
        description="keep only for posts not yet due; cancel puts the post back to draft "
        "(or cancels the paused channel's delivery)"
    )
    at: Moment | None = Field(
        default=None, description="For reschedule: the new time, with its UTC offset"
    )


class ResumeIn(Schema):
    channel: Id | None = Field(default=None, description="Resume this channel's own pause")
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=1000)


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _state(actor: Membership) -> dict[str, Any]:
    state = selectors.pause_state(actor.workspace_id)
    return {
        "paused": state.paused,
        "reason": state.reason,
        "since": state.since,
        "by": state.by,
        "channels": [
            {"channel": c, "channel_name": name, "reason": reason, "since": since, "by": by}
            for c, name, reason, since, by in state.channels
        ],
    }


def _open(actor: Membership, channel: Id | None) -> PublishingPause:
    if channel is not None:
        access_channel(actor, channel, Perm.PAUSE_PUBLISHING)
    try:
        return access_pause(actor, channel_id=channel)
    except NotFound as exc:  # the channel exists: the state is what conflicts
        raise Conflict(exc.message) from None


@router.get(
    "/{slug}/publishing/pause",
    response=responses({200: PauseStateOut}),
    auth=access(Perm.VIEW_TEAM, READ),
    summary="Whether publishing is paused (the crisis switch), why, by whom, since when",
)
def pause_get(request: HttpRequest, slug: str) -> Any:
    return _state(_actor(request))


@router.post(
    "/{slug}/publishing/pause",
    response=responses({201: PauseStateOut}, write=True),
    auth=access(Perm.PAUSE_PUBLISHING, WRITE),
    summary="Pause all publishing (or one channel's); deliveries in flight finish",
)
@idempotent
def pause_post(request: HttpRequest, slug: str, payload: PauseIn) -> Any:
    actor = _actor(request)
    channel = None
    if payload.channel is not None:
        channel = access_channel(actor, payload.channel, Perm.PAUSE_PUBLISHING)
    publishing_pause(actor=actor, workspace=actor.workspace, channel=channel, reason=payload.reason)
    return Status(201, _state(actor))


@router.get(
    "/{slug}/publishing/pause/review",
    response=responses({200: list[ReviewItemOut]}),
    auth=access(Perm.PAUSE_PUBLISHING, READ),
    summary="The held posts that came due during the pause or are due in the next 24 h",
)
def pause_review(request: HttpRequest, slug: str, query: Query[ScopeQuery]) -> Any:
    """Empty when publishing (or the channel) is not paused: nothing waits."""
    actor = _actor(request)
    if query.channel is not None:
        access_channel(actor, query.channel, Perm.PAUSE_PUBLISHING)
    try:
        pause = access_pause(actor, channel_id=query.channel)
    except NotFound:
        return []
    return [
        {
            "post": i.post.pk,
            "text": i.post.text,
            "due_at": i.due_at,
            "overdue": i.overdue,
            "channels": i.channels,
        }
        for i in resume_review(pause)
    ]


@router.post(
    "/{slug}/publishing/resume",
    response=responses({200: PauseStateOut}, write=True),
    auth=access(Perm.PAUSE_PUBLISHING, WRITE),
    summary="Resume publishing with a decision for each held post (422 names undecided "
    "overdue posts)",
)
@idempotent
def pause_resume(request: HttpRequest, slug: str, payload: ResumeIn) -> Any:
    actor = _actor(request)
    pause = _open(actor, payload.channel)
    decisions = [Decision(post_id=d.post, action=d.action, at=d.at) for d in payload.decisions]
    publishing_resume(actor=actor, pause=pause, decisions=decisions)
    return _state(actor)
