"""The demo's team (roost/web/demo/team.py): a mid-size company, reports to the manager,
the analyst also on paid media; written once; the page shows it."""

from __future__ import annotations

import re

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
