"""Boosts: ask for one (SPEND and the paid:spend scope; above the workspace's threshold it
waits for approval), list them, read one, cancel one waiting for approval."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.channels.models import Channel
from roost.core.exceptions import ValidationFailed
from roost.paid.models import AdAccount, Boost
from roost.paid.services import boosts
from roost.paid.services.boosts import (
    ApprovalNote,
    access_boost,
    approval_note,
    approval_notes,
    boost_cancel,
    boost_create,
)
from roost.publishing.selectors import post_detail
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["paid"])
READ, SPEND_SCOPE = ApiScope.READ, ApiScope.SPEND
Country = Annotated[str, Field(min_length=2, max_length=2, description="ISO 3166, e.g. PL")]
Interest = Annotated[str, Field(min_length=1, max_length=boosts.INTEREST_LENGTH)]


class AudienceIn(Schema):
    countries: list[Country] = Field(default=[], max_length=boosts.MAX_COUNTRIES)
    age_min: int = Field(default=boosts.AGE_MIN, ge=boosts.AGE_MIN, le=boosts.AGE_MAX)
    age_max: int = Field(default=boosts.AGE_MAX, ge=boosts.AGE_MIN, le=boosts.AGE_MAX)
    interests: list[Interest] = Field(default=[], max_length=boosts.MAX_INTERESTS)


class BoostIn(Schema):
    post: Id
    channel: Id = Field(description="A channel the post is published on")
    ad_account: Id = Field(description="A Sandbox Ads account on the channel's network")
    budget: str = Field(
        pattern=r"^\d{1,7}(\.\d{1,2})?$",
        description="In the ad account's currency, for the whole boost (e.g. 150.00)",
    )
    days: int = Field(ge=1, le=boosts.MAX_DAYS)
    audience: AudienceIn = AudienceIn()


class ApprovalOut(Schema):
    decision: str = Field(description="approved, rejected or changes_requested")
    by: str
    at: datetime


class BoostOut(Schema):
    id: int
    post: int
    channel: int
    ad_account: int
    budget: str
    currency: str
    days: int
    audience: dict[str, Any]
    status: str = Field(description="in_review, queued, creating, active, failed, returned…")
    remote_id: str
    paid_campaign: int | None = Field(description="Where its figures land")
    error: str
    approval: ApprovalOut | None
    created_at: datetime
    approved_at: datetime | None
    started_at: datetime | None


class BoostsQuery(Schema):
    status: str = Field(default="", max_length=16)
    limit: int = Field(default=50, ge=1, le=200)


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _out(b: Boost, note: ApprovalNote | None = None) -> dict[str, Any]:
    return {
        "id": b.pk,
        "post": b.post_id,
        "channel": b.channel_id,
        "ad_account": b.ad_account_id,
        "budget": str(b.budget),
        "currency": b.ad_account.currency,
        "days": b.days,
        "audience": dict(b.audience),
        "status": b.status,
        "remote_id": b.remote_id,
        "paid_campaign": b.paid_campaign_id,
        "error": b.error,
        "approval": {"decision": note.event, "by": note.who, "at": note.at} if note else None,
        "created_at": b.created_at,
        "approved_at": b.approved_at,
        "started_at": b.started_at,
    }


@router.get(
    "/{slug}/paid/boosts",
    response=responses({200: list[BoostOut]}),
    auth=access(Perm.VIEW_PAID, READ),
    summary="The workspace's boosts, newest first",
)
def boost_list(request: HttpRequest, slug: str, q: Query[BoostsQuery]) -> Any:
    found = Boost.objects.filter(workspace_id=_actor(request).workspace_id).select_related(
        "ad_account"
    )
    if q.status:
        found = found.filter(status=q.status)
    rows = list(found.order_by("-created_at", "-id")[: q.limit])
    notes = approval_notes([b.pk for b in rows])
    return [_out(b, notes.get(b.pk)) for b in rows]


@router.post(
    "/{slug}/paid/boosts",
    response=responses({201: BoostOut}, write=True),
    auth=access(Perm.SPEND, SPEND_SCOPE),
    summary="Boost a published post (above the approval threshold it waits for approval)",
)
@idempotent
def boost_post(request: HttpRequest, slug: str, payload: BoostIn) -> Any:
    actor = _actor(request)
    post = post_detail(actor, payload.post)
    channel = Channel.objects.filter(workspace_id=actor.workspace_id, pk=payload.channel).first()
    account = AdAccount.objects.filter(
        workspace_id=actor.workspace_id, pk=payload.ad_account
    ).first()
    missing = {
        name: [_("Not found in this workspace.")]
        for name, value in (("post", post), ("channel", channel), ("ad_account", account))
        if value is None
    }
    if missing or post is None or channel is None or account is None:
        raise ValidationFailed(missing)
    boost = boost_create(
        actor=actor,
        post=post,
        channel=channel,
        ad_account=account,
        budget=payload.budget,
        days=payload.days,
        audience=payload.audience.dict(),
    )
    return Status(201, _out(boost))


@router.get(
    "/{slug}/paid/boosts/{boost_id}",
    response=responses({200: BoostOut}),
    auth=access(Perm.VIEW_PAID, READ),
    summary="One boost: its status, approval and id on the ad network",
)
def boost_get(request: HttpRequest, slug: str, boost_id: Id) -> Any:
    boost = access_boost(_actor(request), boost_id)
    return _out(boost, approval_note(boost))


@router.post(
    "/{slug}/paid/boosts/{boost_id}/cancel",
    response=responses({200: BoostOut}, write=True),
    auth=access(Perm.SPEND, SPEND_SCOPE),
    summary="Cancel a boost waiting for approval (409 once it is past review)",
)
@idempotent
def boost_cancel_post(request: HttpRequest, slug: str, boost_id: Id) -> Any:
    actor = _actor(request)
    boost = boost_cancel(actor=actor, boost=access_boost(actor, boost_id))
    return _out(boost, approval_note(boost))
