"""Who covers what (selectors): each member's responsibility areas (their roles' plus the
extra ones on their team profile), the social areas nobody covers, the people carrying more
areas than the company size recommends, the headcount against the recommended range, and a
suggested mapping of the members onto the recommended seats.

Four queries for any number of members: the team settings, the memberships, their roles,
the profiles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from roost.team.models import MemberProfile, TeamSettings
from roost.team.profiles import SOCIAL_AREAS, Responsibility, responsibilities_of_roles
from roost.team.shapes import Seat, Shape, shape_for
from roost.workspaces.models import Membership, MembershipRole, Workspace

ORDER = {r: i for i, r in enumerate(Responsibility)}


def _ordered(areas: set[Responsibility]) -> list[Responsibility]:
    return sorted(areas, key=ORDER.__getitem__)


def labels(areas: list[Responsibility] | tuple[Responsibility, ...]) -> str:
    """Areas in words, for a sentence or a table cell."""
    return ", ".join(str(a.label) for a in areas)


def clean_codes(codes: object) -> list[Responsibility]:
    """Responsibility codes as stored on a profile, in the enum's order; unknown ones
    dropped (stored data was checked: this only keeps a broken row from stopping a page)."""
    found: set[Responsibility] = set()
    for code in codes if isinstance(codes, list) else []:
        try:
            found.add(Responsibility(code))
        except ValueError:
            continue
    return _ordered(found)


@dataclass
class Person:
    member: Membership
    by_role: list[Responsibility]
    extra: list[Responsibility]  # from the profile, beyond the roles
    reports_to_id: int | None

    @property
    def name(self) -> str:
        return str(self.member.user.display_name)

    @property
    def areas(self) -> list[Responsibility]:
        return _ordered(set(self.by_role) | set(self.extra))

    @property
    def area_labels(self) -> str:
        return labels(self.areas)

    @property
    def social(self) -> list[Responsibility]:
        return [a for a in self.areas if a in SOCIAL_AREAS]


@dataclass
class SeatFill:
    """One person-place of a recommended seat and who could sit in it (None: nobody yet)."""

    seat: Seat
    number: int  # 1… within the seat's count
    person: Person | None
    missing: list[Responsibility] = field(default_factory=list)  # the seat's areas they lack

    @property
    def seat_labels(self) -> str:
        return labels(self.seat.responsibilities)

    @property
    def missing_labels(self) -> str:
        return labels(self.missing)


@dataclass
class Coverage:
    size: str  # a CompanySize code, "" when not set
    shape: Shape | None
    people: list[Person]
    covers: dict[Responsibility, list[Person]]
    gaps: list[Responsibility]  # social areas nobody covers
    departments: list[Responsibility]  # recommended other departments nobody covers
    overloaded: list[Person]
    headcount: int  # people carrying at least one social area
    headcount_state: str  # "", "below", "within", "above"
    seats: list[SeatFill]
    unseated: list[Person]  # in social, but no recommended seat left for them


def company_size(workspace: Workspace) -> str:
    found = TeamSettings.objects.filter(workspace=workspace).values_list("company_size", flat=True)
    return next(iter(found), "")


def people_of(workspace: Workspace) -> list[Person]:
    """Every member with their responsibility areas, by name (three queries)."""
    members = list(
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .prefetch_related(Prefetch("roles", queryset=MembershipRole.objects.order_by("role")))
        .order_by("user__name", "user__email", "id")
    )
    profiles: dict[int, dict[str, Any]] = {
        p["membership_id"]: dict(p)
        for p in MemberProfile.objects.filter(workspace=workspace).values(
            "membership_id", "reports_to_id", "responsibilities"
        )
    }
    people = []
    for m in members:
        profile: dict[str, Any] = profiles.get(m.pk, {})
        by_role = responsibilities_of_roles([r.role for r in m.roles.all()])
        people.append(
            Person(
                member=m,
                by_role=_ordered(by_role),
                extra=[a for a in clean_codes(profile.get("responsibilities")) if a not in by_role],
                reports_to_id=profile.get("reports_to_id"),
            )
        )
    return people


def _fill_seats(shape: Shape, people: list[Person]) -> tuple[list[SeatFill], list[Person]]:
    """Greedy: the best-fitting pair first (most of the seat's areas covered, then fewest
    areas outside it), each person in one seat at most."""
    slots = [(seat, n) for seat in shape.seats for n in range(1, seat.count + 1)]
    social = [p for p in people if p.social]
    if shape.solo is not None and len(social) == 1:
        slots = [(shape.solo, 1)]
    pairs = []
    for i, (seat, _n) in enumerate(slots):
        wanted = set(seat.responsibilities)
        for j, person in enumerate(social):
            areas = set(person.social)
            overlap = len(wanted & areas)
            if overlap:
                pairs.append((-overlap, len(areas - wanted), i, j))
    pairs.sort()
    taken_slots: dict[int, int] = {}
    taken_people: set[int] = set()
    for _o, _x, i, j in pairs:
        if i in taken_slots or j in taken_people:
            continue
        taken_slots[i] = j
        taken_people.add(j)
    fills = []
    for i, (seat, n) in enumerate(slots):
        sitting = social[taken_slots[i]] if i in taken_slots else None
        missing = [a for a in seat.responsibilities if sitting and a not in sitting.areas]
        fills.append(SeatFill(seat, n, sitting, missing))
    unseated = [p for j, p in enumerate(social) if j not in taken_people]
    return fills, unseated


def coverage(workspace: Workspace) -> Coverage:
    """The team's coverage against the shape recommended for its company size."""
    size = company_size(workspace)
    shape = shape_for(size)
    people = people_of(workspace)
    covers: dict[Responsibility, list[Person]] = {r: [] for r in Responsibility}
    for person in people:
        for area in person.areas:
            covers[area].append(person)
    gaps = [r for r in SOCIAL_AREAS if not covers[r]]
    in_social = [p for p in people if p.social]
    headcount = len(in_social)
    departments: list[Responsibility] = []
    overloaded: list[Person] = []
    state = ""
    seats: list[SeatFill] = []
    unseated: list[Person] = []
    if shape is not None:
        departments = [r for r in shape.departments if not covers[r]]
        if headcount > 1:  # a team of one carries everything by design
            overloaded = [p for p in people if len(p.areas) > shape.max_areas]
        if headcount < shape.min_people:
            state = "below"
        elif shape.max_people is not None and headcount > shape.max_people:
            state = "above"
        else:
            state = "within"
        seats, unseated = _fill_seats(shape, people)
    return Coverage(
        size=size,
        shape=shape,
        people=people,
        covers=covers,
        gaps=gaps,
        departments=departments,
        overloaded=overloaded,
        headcount=headcount,
        headcount_state=state,
        seats=seats,
        unseated=unseated,
    )
