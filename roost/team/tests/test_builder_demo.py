"""The demo's team (roost/web/demo/team.py): a mid-size company, reports to the manager,
the analyst also on paid media; written once; the page shows it."""

from __future__ import annotations

import re
from datetime import timedelta

from roost.conftest import World
from roost.team.coverage import coverage
from roost.team.models import MemberProfile
from roost.web.demo.team import seed_team
from roost.workspaces.models import AuditEntry


def test_the_demo_team_is_written_once_and_shows_on_the_page(world: World) -> None:
    manager = world.members["social_media_manager"]
    assert seed_team(world.a) is True
    assert seed_team(world.a) is False
    cov = coverage(world.a)
    assert cov.size == "mid" and cov.headcount_state == "within"
    reports = {p.member.pk: p.reports_to_id for p in cov.people if p.reports_to_id is not None}
    assert reports == {
        manager.pk: world.members["owner"].pk,
        world.members["content_creator"].pk: manager.pk,
        world.members["analyst"].pk: manager.pk,
        world.members["community_manager"].pk: manager.pk,
        world.members["paid_media"].pk: manager.pk,
    }
    analyst = MemberProfile.objects.get(membership=world.members["analyst"])
    assert analyst.responsibilities == ["paid"]
    assert cov.overloaded == [] and cov.gaps == []
    seat = {f.seat.key: f for f in cov.seats}
    assert seat["analyst_paid"].person is not None
    assert seat["analyst_paid"].person.member == world.members["analyst"]
    assert AuditEntry.objects.filter(action="team.profile_updated").count() == 5
    html = world.client_for("social_media_manager").get("/w/alpha/team/builder/").content.decode()
    assert 'data-testid="coverage"' in html
    row = re.search(r'<tr data-area="paid">(.*?)</tr>', html, re.S)
    assert row is not None
    assert "Alpha Social Data Analyst" in row.group(
        1
    ) and "Alpha Paid Media Specialist" in row.group(1)


def test_the_demo_has_a_plan_in_progress_an_opening_and_rolled_up_workload(world: World) -> None:
    """`make run`'s demo shows every team page with something on it: the Community
    Manager three weeks into their plan, an opening with two candidates (one in interview,
    the Community Manager interviewing), and the workload roll-ups up to yesterday."""
    from roost.team.models import Candidate, OnboardingPlan, PlanStatus, WorkloadProgress
    from roost.team.workload import local_today

    assert seed_team(world.a) is True
    community = world.members["community_manager"]
    plan = OnboardingPlan.objects.get(member=community)
    today = local_today(world.a)
    assert (plan.status, plan.mentor_id) == (
        PlanStatus.ACTIVE,
        world.members["social_media_manager"].pk,
    )
    assert (today - plan.starts_on).days == 20
    candidates = {c.name: c for c in Candidate.objects.filter(workspace=world.a)}
    assert sorted(candidates) == ["Jan Kowalski", "Zofia Nowak"]
    assert candidates["Jan Kowalski"].stage == "interview"
    assert list(candidates["Jan Kowalski"].interviewers.all()) == [community]
    progress = WorkloadProgress.objects.get(workspace=world.a)
    assert progress.rolled_through == today - timedelta(days=1)
    client = world.client_for("social_media_manager")
    for page in ("onboarding", "hiring", "workload"):
        assert client.get(f"/w/alpha/team/{page}/").status_code == 200
