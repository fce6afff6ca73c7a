"""Workload: signals (whom the caller may see: themselves, their reports, everyone with
MANAGE_TEAM), the caller's own check-ins (with notes: nobody else's, ever), the team's
weekly trend (check-in averages only with at least three answers), away and caps."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.team.selectors import my_check_ins, visible_members
from roost.team.services.workload import (
    MAX_CAP,
    NOTE_MAX,
    check_in_save,
    member_clear_away,
    member_set_away,
    member_set_cap,
)
from roost.team.workload import MemberSignals, local_today, member_signals, team_trends
from roost.workspaces.access import access_member
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["team"])
READ, WRITE = ApiScope.READ, ApiScope.TEAM_WRITE


class SignalOut(Schema):
    value: float | int | None
    flag: str = Field(description="ok, watch or high (thresholds in docs/team.md)")


class MemberSignalsOut(Schema):
    member: int
    name: str
    flag: str = Field(description="The worst of the member's flags")
    open_items: SignalOut
    handled_ratio: SignalOut = Field(description="Handled per working day / team median")
    handled_per_day: float | None
    after_hours: SignalOut = Field(description="Share of actions outside working hours")
    weekend_days: SignalOut
    longest_run: SignalOut = Field(description="Most days worked in a row (28 days)")
    bottleneck: SignalOut = Field(description="Pending reviews waiting on the member")
    oldest_review_hours: int | None
    cap: int
    away_from: date | None
    away_until: date | None


class CheckInIn(Schema):
    score: int = Field(ge=1, le=5, description="How is your workload this week? 1–5")
    note: str = Field(default="", max_length=NOTE_MAX, description="Only you will see it")


class CheckInOut(Schema):
    week: date
    score: int
    note: str


class TrendOut(Schema):
    week: date
    handled_per_day: float
    after_hours: float | None
    check_in_average: float | None = Field(
        description="Empty when fewer than three people answered (kept private)"
    )


class AwayIn(Schema):
    away_from: date
    away_until: date


class AwayOut(Schema):
    member: int
    away_from: date | None
    away_until: date | None
    handed_to_people: int = 0
    handed_to_groups: int = 0
    unassigned: int = 0


class CapIn(Schema):
    cap: int | None = Field(ge=0, le=MAX_CAP, description="Empty: the workspace's cap")


class CapOut(Schema):
    member: int
    cap: int | None


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _signal(s: Any) -> dict[str, Any]:
    return {"value": s.value, "flag": s.flag}


def _out(s: MemberSignals) -> dict[str, Any]:
    m = s.member
    return {
        "member": m.pk,
        "name": m.user.display_name,
        "flag": s.flag,
        "open_items": _signal(s.open_items),
        "handled_ratio": _signal(s.handled_ratio),
        "handled_per_day": s.handled_per_day,
        "after_hours": _signal(s.after_hours),
        "weekend_days": _signal(s.weekend_days),
        "longest_run": _signal(s.longest_run),
        "bottleneck": _signal(s.bottleneck),
        "oldest_review_hours": s.oldest_review_hours,
        "cap": s.cap,
        "away_from": m.away_from,
        "away_until": m.away_until,
    }


@router.get(
    "/{slug}/team/workload/signals",
    response=responses({200: list[MemberSignalsOut]}),
    auth=access(Perm.VIEW_TEAM, READ),
    summary="Workload signals of the members the caller may see (the last 28 days)",
)
def signals_list(request: HttpRequest, slug: str) -> Any:
    actor = _actor(request)
    members = list(visible_members(actor).select_related("user").order_by("pk"))
    return [_out(s) for s in member_signals(actor.workspace, members)]


@router.get(
    "/{slug}/team/workload/check-ins",
    response=responses({200: list[CheckInOut]}),
    auth=access(Perm.VIEW_TEAM, READ),
    summary="The caller's own weekly check-ins, newest first (never anyone else's)",
)
def check_in_list(request: HttpRequest, slug: str) -> Any:
    return [
        {"week": c.week, "score": c.score, "note": c.note} for c in my_check_ins(_actor(request))
    ]


@router.post(
    "/{slug}/team/workload/check-ins",
    response=responses({201: CheckInOut}, write=True),
    auth=access(Perm.VIEW_TEAM, WRITE),
    summary="Save the caller's check-in for this week (again: it is replaced)",
)
@idempotent
def check_in_post(request: HttpRequest, slug: str, payload: CheckInIn) -> Any:
    c = check_in_save(actor=_actor(request), score=payload.score, note=payload.note)
    return Status(201, {"week": c.week, "score": c.score, "note": c.note})


@router.get(
    "/{slug}/team/workload/trend",
    response=responses({200: list[TrendOut]}),
    auth=access(Perm.VIEW_TEAM, READ),
    summary="Weekly trend of the members the caller may see (averages of 3+ answers only)",
)
def trend(request: HttpRequest, slug: str) -> Any:
    actor = _actor(request)
    ids = list(visible_members(actor).values_list("pk", flat=True))
    return [
        {
            "week": t.week,
            "handled_per_day": t.handled_per_day,
            "after_hours": t.after_hours,
            "check_in_average": t.check_in_average,
        }
        for t in team_trends(actor.workspace, ids, local_today(actor.workspace))
    ]


def _away_out(m: Membership, done: Any = None) -> dict[str, Any]:
    return {
        "member": m.pk,
        "away_from": m.away_from,
        "away_until": m.away_until,
        "handed_to_people": done.to_people if done else 0,
        "handed_to_groups": done.to_groups if done else 0,
        "unassigned": done.unassigned if done else 0,
    }


@router.post(
    "/{slug}/team/workload/away",
    response=responses({200: AwayOut}, write=True),
    auth=access(Perm.VIEW_TEAM, WRITE),
    summary="Mark yourself away (your open items are handed back once it starts)",
)
@idempotent
def my_away_set(request: HttpRequest, slug: str, payload: AwayIn) -> Any:
    actor = _actor(request)
    done = member_set_away(
        actor=actor, member=actor, away_from=payload.away_from, away_until=payload.away_until
    )
    return _away_out(actor, done)


@router.post(
    "/{slug}/team/workload/away/clear",
    response=responses({200: AwayOut}, write=True),
    auth=access(Perm.VIEW_TEAM, WRITE),
    summary="You are back: clear your away period",
)
@idempotent
def my_away_clear(request: HttpRequest, slug: str) -> Any:
    actor = _actor(request)
    return _away_out(member_clear_away(actor=actor, member=actor))


@router.post(
    "/{slug}/team/workload/members/{member_id}/away",
    response=responses({200: AwayOut}, write=True),
    auth=access(Perm.MANAGE_TEAM, WRITE),
    summary="Mark a member away (their open items are handed back once it starts)",
)
@idempotent
def member_away_set(request: HttpRequest, slug: str, member_id: Id, payload: AwayIn) -> Any:
    actor = _actor(request)
    member = access_member(actor, member_id, Perm.MANAGE_TEAM)
    done = member_set_away(
        actor=actor, member=member, away_from=payload.away_from, away_until=payload.away_until
    )
    return _away_out(member, done)


@router.post(
    "/{slug}/team/workload/members/{member_id}/away/clear",
    response=responses({200: AwayOut}, write=True),
    auth=access(Perm.MANAGE_TEAM, WRITE),
    summary="Clear a member's away period",
)
@idempotent
def member_away_clear(request: HttpRequest, slug: str, member_id: Id) -> Any:
    actor = _actor(request)
    member = access_member(actor, member_id, Perm.MANAGE_TEAM)
    return _away_out(member_clear_away(actor=actor, member=member))


@router.post(
    "/{slug}/team/workload/members/{member_id}/cap",
    response=responses({200: CapOut}, write=True),
    auth=access(Perm.MANAGE_TEAM, WRITE),
    summary="Set a member's personal assignment cap (empty: the workspace's cap)",
)
@idempotent
def member_cap_set(request: HttpRequest, slug: str, member_id: Id, payload: CapIn) -> Any:
    actor = _actor(request)
    member = member_set_cap(
        actor=actor, member=access_member(actor, member_id, Perm.MANAGE_TEAM), cap=payload.cap
    )
    return {"member": member.pk, "cap": member.assignment_cap}
