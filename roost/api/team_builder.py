"""The team builder: the recommended shape for the company size, who covers what, the gaps
and who carries too much (VIEW_TEAM); the company size (MANAGE_TEAM, team:write); members'
team profiles (MANAGE_TEAM edits anyone's; every member their own working hours)."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from roost.api.auth import access
from roost.api.schemas import Id, responses
from roost.core.exceptions import NotFound, ValidationFailed
from roost.team.coverage import Coverage, clean_codes, coverage
from roost.team.hours import hours_of, to_json
from roost.team.models import CompanySize, MemberProfile
from roost.team.profiles import Responsibility
from roost.team.services import profiles as services
from roost.workspaces.access import access_member
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["team"])
READ, TEAM_WRITE = ApiScope.READ, ApiScope.TEAM_WRITE

SizeCode = Literal["small", "mid", "large", "enterprise"]
AreaCode = Literal[
    "strategy", "content", "publishing", "community", "analytics", "paid", "care", "sales"
]
Clock = Annotated[str, Field(pattern=r"^\d\d:\d\d$", description="HH:MM")]
Span = Annotated[list[Clock], Field(min_length=2, max_length=2)]
Week = Annotated[
    dict[Literal["0", "1", "2", "3", "4", "5", "6"], Span],
    Field(
        max_length=7,
        description="Weekday (0 = Monday) → [start, end]; a missing weekday is a day off",
    ),
]


class TeamSeatOut(Schema):
    key: str
    label: str
    responsibilities: list[str]
    count: int
    hybrid: bool
    members: list[int | None] = Field(description="The suggested member per place, or null")


class TeamPersonOut(Schema):
    member: int
    name: str
    responsibilities: list[str]
    extra: list[str] = Field(description="Carried beyond their roles (their team profile)")
    reports_to: int | None


class TeamShapeOut(Schema):
    company_size: str = Field(description="small, mid, large, enterprise, or empty: not set")
    headcount: int = Field(description="Members carrying at least one social area")
    headcount_min: int | None
    headcount_max: int | None
    headcount_state: str = Field(description="below, within, above, or empty")
    max_areas: int | None = Field(description="Most areas one person should carry")
    seats: list[TeamSeatOut]
    coverage: dict[str, list[int]] = Field(description="Responsibility → members covering it")
    gaps: list[str] = Field(description="Social areas nobody covers")
    departments: list[str] = Field(
        description="Other departments recommended at this size that nobody covers"
    )
    overloaded: list[int] = Field(description="Members carrying more areas than recommended")
    people: list[TeamPersonOut]


class TeamSizeIn(Schema):
    company_size: SizeCode


class TeamProfileOut(Schema):
    member: int
    reports_to: int | None
    working_hours: dict[str, list[str]]
    responsibilities: list[str]


class TeamProfileIn(Schema):
    reports_to: Id | None = Field(default=None, description="A member; null: nobody")
    working_hours: Week | None = None
    responsibilities: list[AreaCode] | None = Field(default=None, max_length=8)


class TeamHoursIn(Schema):
    working_hours: Week


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _manager(actor: Membership, member_id: int | None) -> Membership | None:
    if member_id is None:
        return None
    try:
        return access_member(actor, member_id)
    except NotFound:
        raise ValidationFailed({"reports_to": [_("Choose a member of this workspace.")]}) from None


def _shape_out(cov: Coverage) -> dict[str, Any]:
    shape = cov.shape
    seats: list[dict[str, Any]] = []
    for fill in cov.seats:
        if fill.number == 1:
            seats.append(
                {
                    "key": fill.seat.key,
                    "label": str(fill.seat.label),
                    "responsibilities": [r.value for r in fill.seat.responsibilities],
                    "count": fill.seat.count,
                    "hybrid": fill.seat.hybrid,
                    "members": [],
                }
            )
        seats[-1]["members"].append(fill.person.member.pk if fill.person else None)
    return {
        "company_size": cov.size,
        "headcount": cov.headcount,
        "headcount_min": shape.min_people if shape else None,
        "headcount_max": shape.max_people if shape else None,
        "headcount_state": cov.headcount_state,
        "max_areas": shape.max_areas if shape else None,
        "seats": seats,
        "coverage": {r.value: [p.member.pk for p in cov.covers[r]] for r in Responsibility},
        "gaps": [r.value for r in cov.gaps],
        "departments": [r.value for r in cov.departments],
        "overloaded": [p.member.pk for p in cov.overloaded],
        "people": [
            {
                "member": p.member.pk,
                "name": p.name,
                "responsibilities": [r.value for r in p.areas],
                "extra": [r.value for r in p.extra],
                "reports_to": p.reports_to_id,
            }
            for p in cov.people
        ],
    }


def _profile_out(member: Membership, profile: MemberProfile) -> dict[str, Any]:
    return {
        "member": member.pk,
        "reports_to": profile.reports_to_id,
        "working_hours": to_json(hours_of(profile.working_hours)),
        "responsibilities": [r.value for r in clean_codes(profile.responsibilities)],
    }


@router.get(
    "/{slug}/team/shape",
    response=responses({200: TeamShapeOut}),
    summary="The recommended shape, coverage, gaps and overloaded members",
    auth=access(Perm.VIEW_TEAM, READ),
)
def shape_get(request: HttpRequest, slug: str) -> Any:
    return _shape_out(coverage(_actor(request).workspace))


@router.put(
    "/{slug}/team/size",
    response=responses({200: TeamShapeOut}, write=True),
    summary="Set the company size",
    auth=access(Perm.MANAGE_TEAM, TEAM_WRITE),
)
def size_put(request: HttpRequest, slug: str, payload: TeamSizeIn) -> Any:
    actor = _actor(request)
    services.team_settings_set(actor=actor, company_size=CompanySize(payload.company_size))
    return _shape_out(coverage(actor.workspace))


@router.get(
    "/{slug}/team/people/{member_id}/profile",
    response=responses({200: TeamProfileOut}),
    summary="A member's team profile",
    auth=access(Perm.VIEW_TEAM, READ),
)
def profile_get(request: HttpRequest, slug: str, member_id: Id) -> Any:
    member = access_member(_actor(request), member_id)
    return _profile_out(member, services.profile_of(member))


@router.patch(
    "/{slug}/team/people/{member_id}/profile",
    response=responses({200: TeamProfileOut}, write=True),
    summary="Change a member's manager, working hours or extra responsibilities",
    auth=access(Perm.MANAGE_TEAM, TEAM_WRITE),
)
def profile_patch(request: HttpRequest, slug: str, member_id: Id, payload: TeamProfileIn) -> Any:
    actor = _actor(request)
    member = access_member(actor, member_id, Perm.MANAGE_TEAM)
    given = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "reports_to" in given:
        changes["reports_to"] = _manager(actor, payload.reports_to)
    if "working_hours" in given and payload.working_hours is not None:
        changes["working_hours"] = dict(payload.working_hours)
    if "responsibilities" in given and payload.responsibilities is not None:
        changes["responsibilities"] = list(payload.responsibilities)
    profile = services.member_profile_update(actor=actor, member=member, **changes)
    return _profile_out(member, profile)


@router.patch(
    "/{slug}/team/me/profile",
    response=responses({200: TeamProfileOut}, write=True),
    summary="Change your own working hours",
    auth=access(Perm.VIEW_TEAM, TEAM_WRITE),
)
def my_profile_patch(request: HttpRequest, slug: str, payload: TeamHoursIn) -> Any:
    actor = _actor(request)
    profile = services.member_profile_update(
        actor=actor, member=actor, working_hours=dict(payload.working_hours)
    )
    return _profile_out(actor, profile)
