"""Reports: the sections, a report as JSON or CSV, and scheduled report e-mails — the same
sections and services as the Reports page."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from roost.analytics import reports
from roost.analytics.exports import render_csv
from roost.analytics.forms import MAX_DAYS
from roost.analytics.models import ReportSchedule
from roost.analytics.selectors import Period, last_days
from roost.analytics.services import reports as report_services
from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["reports"])
READ, WRITE = ApiScope.READ, ApiScope.ANALYTICS_WRITE

Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class SectionOut(Schema):
    key: str
    title: str


class BlockOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[str | int | float | None]]


class ReportOut(Schema):
    workspace: str
    start: date
    end: date
    sections: list[BlockOut]


class ReportQuery(Schema):
    sections: list[str] = Field(
        default_factory=list, description="Section keys; none: every section"
    )
    start: Day | None = Field(None, description="First day (workspace zone)")
    end: Day | None = Field(None, description="Last day (workspace zone)")
    days: int = Field(28, ge=1, le=MAX_DAYS, description="Without start/end: the last N days")


class ScheduleIn(Schema):
    name: str = Field(max_length=120)
    sections: list[str] = Field(max_length=50)
    period_days: int = Field(7, ge=1, le=MAX_DAYS)
    frequency: Literal["weekly", "monthly"]
    hour: int = Field(8, ge=0, le=23, description="Hour in the workspace's time zone")
    weekday: int = Field(0, ge=0, le=6, description="0 = Monday (weekly)")
    day_of_month: int = Field(1, ge=1, le=31, description="Capped at the month's end")
    member_ids: list[Id] = Field(default_factory=list, max_length=50)
    emails: list[Annotated[str, Field(max_length=254)]] = Field(default_factory=list, max_length=50)


class ScheduleOut(Schema):
    id: int
    name: str
    sections: list[str]
    period_days: int
    frequency: str
    hour: int
    weekday: int
    day_of_month: int
    member_ids: list[int]
    emails: list[str]
    next_run_at: datetime
    last_sent_at: datetime | None
    created_at: datetime


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _report(actor: Membership, query: ReportQuery) -> tuple[Period, list[str], date]:
    workspace = actor.workspace
    today = clock.now().astimezone(workspace.tzinfo).date()
    errors: dict[str, list[str]] = {}
    sections = (
        report_services.clean_sections(query.sections, errors)
        if query.sections
        else list(reports.SECTIONS)
    )
    if query.start is not None or query.end is not None:
        if query.start is None or query.end is None:
            errors["start"] = [_("Give both start and end, or neither.")]
            period = last_days(today, query.days)
        else:
            period = Period(query.start, query.end)
            if period.end < period.start:
                errors["end"] = [_("The period ends before it starts.")]
            elif period.days > MAX_DAYS:
                errors["end"] = [_("A period can cover at most %(n)s days.") % {"n": MAX_DAYS}]
    else:
        period = last_days(today, query.days)
    if errors:
        raise ValidationFailed(errors)
    return period, sections, today


@router.get(
    "/{slug}/reports/sections",
    response=responses({200: list[SectionOut]}),
    summary="The sections a report can have",
    auth=access(Perm.VIEW_ANALYTICS, READ),
)
def sections_list(request: HttpRequest, slug: str) -> Any:
    return [{"key": key, "title": title} for key, title in reports.choices()]


@router.get(
    "/{slug}/reports",
    response=responses({200: ReportOut}),
    summary="A report: the chosen sections for a period, as tables",
    auth=access(Perm.VIEW_ANALYTICS, READ),
)
def report_get(request: HttpRequest, slug: str, query: Query[ReportQuery]) -> Any:
    actor = _actor(request)
    period, sections, today = _report(actor, query)
    blocks = reports.build(workspace=actor.workspace, period=period, sections=sections, today=today)
    return {
        "workspace": actor.workspace.slug,
        "start": period.start,
        "end": period.end,
        "sections": [b.as_dict() for b in blocks],
    }


@router.get(
    "/{slug}/reports/csv",
    response=responses({200: str}),
    summary="A report as CSV (spreadsheet formulas escaped)",
    auth=access(Perm.EXPORT_ANALYTICS, READ),
    openapi_extra={
        "responses": {200: {"description": "CSV", "content": {"text/csv": {"schema": {}}}}}
    },
)
def report_csv(request: HttpRequest, slug: str, query: Query[ReportQuery]) -> Any:
    actor = _actor(request)
    period, sections, today = _report(actor, query)
    blocks = reports.build(workspace=actor.workspace, period=period, sections=sections, today=today)
    response = HttpResponse(
        render_csv(workspace=actor.workspace, period=period, blocks=blocks),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="report-{actor.workspace.slug}-{period.start}-{period.end}.csv"'
    )
    return response


def _schedule_out(s: ReportSchedule) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "sections": s.sections,
        "period_days": s.period_days,
        "frequency": s.frequency,
        "hour": s.hour,
        "weekday": s.weekday,
        "day_of_month": s.day_of_month,
        "member_ids": sorted(m.pk for m in s.members.all()),
        "emails": s.emails,
        "next_run_at": s.next_run_at,
        "last_sent_at": s.last_sent_at,
        "created_at": s.created_at,
    }


def _input(payload: ScheduleIn) -> report_services.ScheduleInput:
    return report_services.ScheduleInput(**payload.model_dump())


@router.get(
    "/{slug}/reports/schedules",
    response=responses({200: list[ScheduleOut]}),
    summary="Scheduled report e-mails",
    auth=access(Perm.EXPORT_ANALYTICS, READ),
)
def schedules_list(request: HttpRequest, slug: str) -> Any:
    found = ReportSchedule.objects.filter(workspace=_actor(request).workspace).prefetch_related(
        "members"
    )
    return [_schedule_out(s) for s in found]


@router.post(
    "/{slug}/reports/schedules",
    response=responses({201: ScheduleOut}, write=True),
    summary="Schedule a report e-mail (weekly or monthly, in the workspace's zone)",
    auth=access(Perm.EXPORT_ANALYTICS, WRITE),
)
@idempotent
def schedule_create(request: HttpRequest, slug: str, payload: ScheduleIn) -> Any:
    schedule = report_services.schedule_save(actor=_actor(request), data=_input(payload))
    return Status(201, _schedule_out(schedule))


@router.get(
    "/{slug}/reports/schedules/{schedule_id}",
    response=responses({200: ScheduleOut}),
    auth=access(Perm.EXPORT_ANALYTICS, READ),
)
def schedule_get(request: HttpRequest, slug: str, schedule_id: Id) -> Any:
    return _schedule_out(report_services.access_schedule(_actor(request), schedule_id))


@router.put(
    "/{slug}/reports/schedules/{schedule_id}",
    response=responses({200: ScheduleOut}, write=True),
    auth=access(Perm.EXPORT_ANALYTICS, WRITE),
)
def schedule_update(request: HttpRequest, slug: str, schedule_id: Id, payload: ScheduleIn) -> Any:
    actor = _actor(request)
    schedule = report_services.access_schedule(actor, schedule_id)
    schedule = report_services.schedule_save(actor=actor, data=_input(payload), schedule=schedule)
    return _schedule_out(schedule)


@router.delete(
    "/{slug}/reports/schedules/{schedule_id}",
    response=responses({204: None}, write=True),
    auth=access(Perm.EXPORT_ANALYTICS, WRITE),
)
def schedule_delete(request: HttpRequest, slug: str, schedule_id: Id) -> Any:
    actor = _actor(request)
    schedule = report_services.access_schedule(actor, schedule_id)
    report_services.schedule_delete(actor=actor, schedule=schedule)
    return Status(204, None)
