"""The daily brief: a day's brief as JSON, its settings, and its action items — the same
services as the brief's pages."""

from datetime import date, datetime, time
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.briefing import selectors, services
from roost.briefing.models import ActionItem, Brief
from roost.core import clock
from roost.core.exceptions import NotFound
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["brief"])
READ, WRITE = ApiScope.READ, ApiScope.BRIEF_WRITE

Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class BriefLineOut(Schema):
    text: str
    figures: dict[str, int | float | str | None]
    link: str
    severity: str


class BriefSectionOut(Schema):
    key: str
    title: str
    minutes: int
    items: list[BriefLineOut]
    empty: str
    unavailable: bool
    note: str


class BriefOut(Schema):
    date: date
    built_at: datetime
    since: datetime
    saved: bool
    sent_at: datetime | None
    sending: str
    delivery: dict[str, Any]
    sections: list[BriefSectionOut]


class BriefDayQuery(Schema):
    day: Day | None = Field(None, description="The local day (workspace zone); none: today")


class BriefSettingsIn(Schema):
    enabled: bool = True
    morning_time: str = Field(
        "08:45", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, workspace zone"
    )
    working_days: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4], max_length=7, description="0 = Monday"
    )
    emails: list[Annotated[str, Field(max_length=254)]] = Field(default_factory=list, max_length=50)
    webhook_url: str | None = Field(
        None,
        max_length=500,
        description='Slack- or Teams-compatible incoming webhook; null keeps it, "" removes it',
    )


class BriefSettingsOut(Schema):
    enabled: bool
    morning_time: str = Field(description="HH:MM, workspace zone")
    working_days: list[int]
    emails: list[str]
    member_ids: list[int]
    has_webhook: bool


class BriefActionIn(Schema):
    text: str = Field(max_length=300)
    assignee_id: Id | None = None
    due: Day | None = None


class BriefActionDone(Schema):
    done: bool = True


class BriefActionOut(Schema):
    id: int
    day: date
    text: str
    assignee_id: int | None
    due: date | None
    done: bool
    created_at: datetime


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _today(actor: Membership) -> date:
    return clock.now().astimezone(actor.workspace.tzinfo).date()


def _brief_out(brief: Brief) -> dict[str, Any]:
    return {
        "date": brief.date,
        "built_at": brief.built_at,
        "since": brief.since,
        "saved": brief.pk is not None,
        "sent_at": brief.sent_at,
        "sending": brief.sending,
        "delivery": brief.delivery or {},
        "sections": brief.content.get("sections", []),
    }


def _item_out(item: ActionItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "day": item.brief.date,
        "text": item.text,
        "assignee_id": item.assignee_id,
        "due": item.due,
        "done": item.done,
        "created_at": item.created_at,
    }


def _settings_out(actor: Membership) -> dict[str, Any]:
    s = services.settings_for(actor.workspace)
    return {
        "enabled": s.enabled,
        "morning_time": s.morning_time.strftime("%H:%M"),
        "working_days": s.working_days,
        "emails": s.emails,
        "member_ids": sorted(s.members.values_list("pk", flat=True)),
        "has_webhook": bool(s.webhook_encrypted),
    }


@router.get(
    "/{slug}/brief",
    response=responses({200: BriefOut}),
    summary="The brief of a day (today: the morning's, or one built now)",
    auth=access(Perm.VIEW_BRIEF, READ),
)
def brief_get(request: HttpRequest, slug: str, query: Query[BriefDayQuery]) -> Any:
    actor = _actor(request)
    day = query.day or _today(actor)
    brief = selectors.brief_of(actor.workspace, day)
    if brief is None:
        if day != _today(actor):
            raise NotFound(_("There is no brief for that day."))
        brief = services.brief_preview(actor.workspace)
    return _brief_out(brief)


@router.get(
    "/{slug}/brief/settings",
    response=responses({200: BriefSettingsOut}),
    summary="When the brief is sent and where to",
    auth=access(Perm.MANAGE_BRIEF, READ),
)
def settings_get(request: HttpRequest, slug: str) -> Any:
    return _settings_out(_actor(request))


@router.put(
    "/{slug}/brief/settings",
    response=responses({200: BriefSettingsOut}, write=True),
    summary="Change when the brief is sent and where to",
    auth=access(Perm.MANAGE_BRIEF, WRITE),
)
def settings_put(request: HttpRequest, slug: str, payload: BriefSettingsIn) -> Any:
    actor = _actor(request)
    services.settings_save(
        actor=actor,
        data=services.SettingsInput(
            enabled=payload.enabled,
            morning_time=time.fromisoformat(payload.morning_time),
            working_days=payload.working_days,
            emails=payload.emails,
            webhook_url=payload.webhook_url,
        ),
    )
    return _settings_out(actor)


@router.get(
    "/{slug}/brief/items",
    response=responses({200: list[BriefActionOut]}),
    summary="The action items of a day's brief (today by default)",
    auth=access(Perm.VIEW_BRIEF, READ),
)
def items_list(request: HttpRequest, slug: str, query: Query[BriefDayQuery]) -> Any:
    actor = _actor(request)
    brief = selectors.brief_of(actor.workspace, query.day or _today(actor))
    return [_item_out(i) for i in selectors.items_of(brief)] if brief else []


@router.post(
    "/{slug}/brief/items",
    response=responses({201: BriefActionOut}, write=True),
    summary="Add an action item to today's brief (the assignee is told)",
    auth=access(Perm.VIEW_BRIEF, WRITE),
)
@idempotent
def item_create(request: HttpRequest, slug: str, payload: BriefActionIn) -> Any:
    item = services.action_item_add(
        actor=_actor(request),
        text=payload.text,
        assignee_id=payload.assignee_id,
        due=payload.due,
    )
    return Status(201, _item_out(item))


@router.post(
    "/{slug}/brief/items/{item_id}/done",
    response=responses({200: BriefActionOut}, write=True),
    summary="Tick an action item done (or open it again with done=false)",
    auth=access(Perm.VIEW_BRIEF, WRITE),
)
@idempotent
def item_done(request: HttpRequest, slug: str, item_id: Id, payload: BriefActionDone) -> Any:
    actor = _actor(request)
    item = services.access_action_item(actor, item_id)
    return _item_out(services.action_item_mark(actor=actor, item=item, done=payload.done))
