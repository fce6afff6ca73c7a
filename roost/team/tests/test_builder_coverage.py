"""Coverage: who carries each area (roles plus profile extras), the gaps, the department
hints, the overloaded, the headcount against the range, the suggested seats; in a fixed
number of queries."""

from __future__ import annotations

from typing import Any

from roost.conftest import World, make_user
from roost.team.coverage import coverage
from roost.team.models import MemberProfile, TeamSettings
from roost.team.tests.builder_helpers import team_of
from roost.workspaces.seeding import seed_member


def _names(people: list[Any]) -> list[str]:
    return [p.name for p in people]


def test_one_member_per_role_covers_every_area(world: World) -> None:
    cov = coverage(world.a)
    assert cov.size == "" and cov.shape is None
    assert cov.gaps == []
    assert cov.departments == [] and cov.overloaded == [] and cov.seats == []
    assert {area.value: _names(people) for area, people in cov.covers.items()} == {
        "strategy": ["Alpha Social Media Manager"],
        "content": ["Alpha Content Creator"],
        "publishing": ["Alpha Social Media Manager"],
        "community": ["Alpha Community Manager"],
        "analytics": ["Alpha Social Data Analyst"],
        "paid": ["Alpha Paid Media Specialist"],
        "care": ["Alpha Customer Care"],
        "sales": ["Alpha Sales"],
    }
    assert cov.headcount == 5  # Owner, Admin, care and sales carry no social area


def test_a_lean_team_of_two_hybrids_fills_the_small_shape(db: Any) -> None:
    workspace, m = team_of(
        "lean",
        [
            ("Hanna Hybrid", ["social_media_manager", "analyst", "paid_media"]),
            ("Igor Maker", ["content_creator", "community_manager"]),
        ],
    )
    TeamSettings.objects.create(workspace=workspace, company_size="small")
    MemberProfile.objects.create(
        workspace=workspace, membership=m["Igor Maker"], responsibilities=["publishing"]
    )
    cov = coverage(workspace)
    # Hanna carries four areas (strategy, publishing, analytics, paid): more than 3.
    assert _names(cov.overloaded) == ["Hanna Hybrid"]
    assert cov.gaps == []
    assert (cov.headcount, cov.headcount_state) == (2, "within")
    assert [
        (f.seat.key, f.person.name if f.person else None, [a.value for a in f.missing])
        for f in cov.seats
    ] == [
        ("strategy_analytics_paid", "Hanna Hybrid", []),
        ("content_publishing_community", "Igor Maker", []),
    ]
    igor = next(p for p in cov.people if p.name == "Igor Maker")
    assert [a.value for a in igor.by_role] == ["content", "community"]
    assert [a.value for a in igor.extra] == ["publishing"]
    assert _names(cov.covers["publishing"]) == ["Hanna Hybrid", "Igor Maker"]


def test_gaps_department_hints_and_a_short_headcount(db: Any) -> None:
    workspace, m = team_of(
        "gappy",
        [("Maja Manager", ["social_media_manager"]), ("Kuba Creator", ["content_creator"])],
    )
    TeamSettings.objects.create(workspace=workspace, company_size="large")
    cov = coverage(workspace)
    assert [g.value for g in cov.gaps] == ["community", "analytics", "paid"]
    assert [d.value for d in cov.departments] == ["care", "sales"]
    assert (cov.headcount, cov.headcount_state) == (2, "below")
    assert cov.overloaded == []
    filled = [(f.seat.key, f.number, f.person.name if f.person else None) for f in cov.seats]
    assert filled == [
        ("manager", 1, "Maja Manager"),
        ("creator", 1, "Kuba Creator"),
        ("creator", 2, None),
        ("community", 1, None),
        ("community", 2, None),
        ("analyst", 1, None),
        ("paid", 1, None),
    ]
    # A profile's extra responsibility closes a gap.
    MemberProfile.objects.create(
        workspace=workspace, membership=m["Kuba Creator"], responsibilities=["community"]
    )
    assert [g.value for g in coverage(workspace).gaps] == ["analytics", "paid"]


def test_the_too_many_rule_follows_the_size_and_spares_a_team_of_one(db: Any) -> None:
    workspace, m = team_of("solo", [("Sam Solo", ["social_media_manager", "analyst"])])
    MemberProfile.objects.create(
        workspace=workspace,
        membership=m["Sam Solo"],
        responsibilities=["content", "community", "paid"],
    )
    settings = TeamSettings.objects.create(workspace=workspace, company_size="small")
    cov = coverage(workspace)
    assert cov.overloaded == []  # one person carries everything by design
    assert cov.gaps == []
    assert [(f.seat.key, f.person.name if f.person else None) for f in cov.seats] == [
        ("everything", "Sam Solo")
    ]
    seed_member(workspace, make_user("two@solo.test", "Tia Two"), ["content_creator"])
    assert _names(coverage(workspace).overloaded) == ["Sam Solo"]  # six areas > 3
    settings.company_size = "enterprise"
    settings.save()
    cov = coverage(workspace)
    assert _names(cov.overloaded) == ["Sam Solo"]
    assert (cov.headcount, cov.headcount_state) == (2, "below")


def test_a_manager_with_two_areas_is_fine_at_mid_size_but_not_in_an_enterprise(
    world: World,
) -> None:
    TeamSettings.objects.create(workspace=world.a, company_size="mid")
    cov = coverage(world.a)
    assert cov.overloaded == [] and cov.headcount_state == "within"
    seat = {f.seat.key: f for f in cov.seats}
    assert seat["analyst_paid"].person is not None
    assert [a.value for a in seat["analyst_paid"].missing] in (["paid"], ["analytics"])
    assert len(cov.unseated) == 1  # five people in social, four seats
    TeamSettings.objects.filter(workspace=world.a).update(company_size="enterprise")
    assert _names(coverage(world.a).overloaded) == ["Alpha Social Media Manager"]


def test_coverage_takes_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    TeamSettings.objects.create(workspace=world.a, company_size="mid")
    with django_assert_num_queries(4):
        coverage(world.a)
    for n in range(12):
        member = seed_member(world.a, make_user(f"more{n}@alpha.test", f"More {n}"), ["analyst"])
        MemberProfile.objects.create(
            workspace=world.a,
            membership=member,
            reports_to=world.members["analyst"],
            responsibilities=["paid"],
        )
    with django_assert_num_queries(4):
        cov = coverage(world.a)
    assert len(cov.covers["paid"]) == 13
