"""The demo's paid media (roost/web/demo/paid.py): three campaigns linked to organic ones,
35 days of figures, one on pace, one under, one over; written once; pages alive on them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from roost.conftest import World
from roost.core import clock
from roost.paid.models import AdDay, PaidCampaign
from roost.paid.pacing import pacing_many
from roost.publishing.models import Campaign
from roost.web.demo.paid import seed_paid

NOW = datetime(2031, 3, 20, 12, 0, tzinfo=UTC)


def test_the_demo_paid_media_is_written_once_with_three_paces(
    world: World, monkeypatch: Any
) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)

    assert seed_paid(world.a, NOW) == 0  # the story's campaign first
    winter = Campaign.objects.create(workspace=world.a, name="Winter Blend 2026")
    organic = Campaign.objects.count()
    assert seed_paid(world.a, NOW) == 105
    assert seed_paid(world.a, NOW) == 0

    campaigns = list(PaidCampaign.objects.filter(workspace=world.a).order_by("name"))
    paces = pacing_many(campaigns, date(2031, 3, 20))
    assert [(c.name, str(paces[c.pk].state)) for c in campaigns] == [
        ("Winter Blend — barista workshops", "over"),
        ("Winter Blend — gift boxes", "under"),
        ("Winter Blend — traffic", "on_pace"),
    ]
    assert {c.campaign for c in campaigns} == {winter}
    assert Campaign.objects.count() == organic  # it makes no organic campaign
    assert AdDay.objects.filter(day__gte=date(2031, 3, 20)).count() == 0
    assert {c.ad_account.currency for c in campaigns} == {"EUR"}
    client = world.client_for("paid_media")
    slug = world.a.slug
    for path in (
        f"/w/{slug}/paid/",
        f"/w/{slug}/paid/campaigns/",
        f"/w/{slug}/paid/campaigns/{campaigns[0].pk}/",
        f"/w/{slug}/paid/planning/?ad_account={campaigns[0].ad_account_id}&goal=1000&unit=clicks",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "Winter Blend — barista workshops" in html or 'data-testid="estimate"' in html
