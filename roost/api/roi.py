"""ROI, conversions and short links (analytics) — the same services as the ROI page."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from roost.analytics import roi as roi_reads
from roost.analytics.models import ShortLink
from roost.analytics.selectors import Period, last_days
from roost.analytics.services import links
from roost.analytics.services import roi as roi_services
from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["analytics"])
READ, WRITE = ApiScope.READ, ApiScope.ANALYTICS_WRITE
MAX_DAYS = 731
MAX_ITEMS = 1000
LINKS_LISTED = 200


def _in_range(value: date) -> date:
    if not date(2000, 1, 1) <= value <= date(2100, 12, 31):
        raise ValueError("Use a day from 2000-01-01 to 2100-12-31.")
    return value


Day = Annotated[date, AfterValidator(_in_range)]


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


class RoiLineOut(Schema):
    campaign_id: int | None
    label: str
    leads: int
    conversions: int
    conversion_value: str
    network_clicks: int
    link_clicks: int
    clicks: int
    lead_value: str
    click_value: str
    value: str
    paid_spend: str | None = Field(description="None: no paid spend recorded")
    production_cost: str
    cost: str
    roi_percent: str | None = Field(description="None: no cost recorded")


class RoiOut(Schema):
    start: date
    end: date
    currency: str
    value_per_lead: str
    value_per_click: str
    formula: str
    overall: RoiLineOut
    campaigns: list[RoiLineOut]


class ConversionIn(Schema):
    day: Day
    value: float = Field(ge=0, le=1e12, description="Conversion value, in the ROI currency")
    count: int = Field(default=1, ge=0, le=1_000_000_000)
    campaign_id: Id | None = None
    external_id: str = Field(
        min_length=1,
        max_length=100,
        description="Your id (e.g. an order number): sending "
        "the same id again updates that conversion",
    )


class ConversionsIn(Schema):
    items: list[ConversionIn] = Field(min_length=1, max_length=MAX_ITEMS)


class ConversionsOut(Schema):
    rows: int
    added: int
    updated: int


class ShortLinkIn(Schema):
    target: str = Field(min_length=1, max_length=2000, description="An http(s) URL")
    post_id: Id | None = None


class ShortLinkOut(Schema):
    id: int
    code: str
    url: str
    target: str
    post_id: int | None
    channel_id: int | None
    delivery_id: int | None
    clicks: int
    created_at: datetime


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _line(r: roi_reads.Roi) -> dict[str, Any]:
    return {
        "campaign_id": r.campaign.pk if r.campaign is not None else None,
        "label": r.label,
        "leads": r.leads,
        "conversions": r.conversions,
        "conversion_value": str(r.conversion_value),
        "network_clicks": r.network_clicks,
        "link_clicks": r.link_clicks,
        "clicks": r.clicks,
        "lead_value": str(r.lead_value),
        "click_value": str(r.click_value),
        "value": str(r.value),
        "paid_spend": _money(r.paid_spend),
        "production_cost": str(r.production_cost),
        "cost": str(r.cost),
        "roi_percent": _money(r.roi_percent),
    }


def _link_out(link: ShortLink) -> dict[str, Any]:
    return {
        "id": link.pk,
        "code": link.code,
        "url": links.link_url(link),
        "target": link.target,
        "post_id": link.post_id,
        "channel_id": link.channel_id,
        "delivery_id": link.delivery_id,
        "clicks": link.clicks,
        "created_at": link.created_at,
    }


@router.get(
    "/{slug}/analytics/roi",
    response=responses({200: RoiOut}),
    summary="ROI per campaign and overall (default: the last 28 days)",
    auth=access(Perm.VIEW_ANALYTICS, READ),
)
def roi_get(
    request: HttpRequest, slug: str, start: Day | None = None, end: Day | None = None
) -> Any:
    workspace = _actor(request).workspace
    today = clock.now().astimezone(workspace.tzinfo).date()
    if start is None and end is None:
        period = last_days(today, 28)
    elif start is None or end is None:
        raise ValidationFailed({"start": [_("Give both start and end, or neither.")]})
    elif end < start:
        raise ValidationFailed({"end": [_("The period ends before it starts.")]})
    elif (end - start) + timedelta(days=1) > timedelta(days=MAX_DAYS):
        raise ValidationFailed(
            {"end": [_("A period can cover at most %(n)s days.") % {"n": MAX_DAYS}]}
        )
    else:
        period = Period(start, end)
    overall, lines = roi_reads.roi_report(workspace, period)
    s = roi_reads.settings_for(workspace)
    return {
        "start": period.start,
        "end": period.end,
        "currency": s.currency,
        "value_per_lead": str(s.value_per_lead),
        "value_per_click": str(s.value_per_click),
        "formula": "value = leads × value_per_lead + conversion_value + clicks × value_per_click; "
        "cost = paid_spend + production_cost; roi_percent = (value − cost) ÷ cost × 100",
        "overall": _line(overall),
        "campaigns": [_line(r) for r in lines],
    }


@router.post(
    "/{slug}/analytics/conversions",
    response=responses({200: ConversionsOut}, write=True),
    summary="Record conversions (idempotent by external_id)",
    auth=access(Perm.MANAGE_ANALYTICS, WRITE),
)
@idempotent
def conversions_post(request: HttpRequest, slug: str, payload: ConversionsIn) -> Any:
    result = roi_services.conversions_record(
        actor=_actor(request),
        items=[
            roi_services.ConversionInput(
                day=i.day,
                value=i.value,
                external_id=i.external_id,
                count=i.count,
                campaign_id=i.campaign_id,
            )
            for i in payload.items
        ],
    )
    return {"rows": result.rows, "added": result.added, "updated": result.updated}


@router.get(
    "/{slug}/short-links",
    response=responses({200: list[ShortLinkOut]}),
    summary=f"Short links, newest first (at most {LINKS_LISTED})",
    auth=access(Perm.VIEW_ANALYTICS, READ),
)
def short_links_list(request: HttpRequest, slug: str) -> Any:
    found = ShortLink.objects.filter(workspace_id=_actor(request).workspace_id)
    return [_link_out(link) for link in found[:LINKS_LISTED]]


@router.post(
    "/{slug}/short-links",
    response=responses({201: ShortLinkOut}, write=True),
    summary="Create a short link (http and https targets only)",
    auth=access(Perm.MANAGE_ANALYTICS, WRITE),
)
@idempotent
def short_link_create(request: HttpRequest, slug: str, payload: ShortLinkIn) -> Any:
    link = links.short_link_create(
        actor=_actor(request), target=payload.target, post_id=payload.post_id
    )
    return Status(201, _link_out(link))
