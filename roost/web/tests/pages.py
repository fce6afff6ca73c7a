"""The main pages a person lands on, per role, for the browser checks that walk them all
(phone width, axe-core): built on the shared `world` (roost/conftest.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from roost.workspaces.roles import Role

MANAGER = Role.SOCIAL_MEDIA_MANAGER.value
CARE = Role.CUSTOMER_CARE.value
PHONE = {"width": 390, "height": 844}


def _paid_campaign(world: Any) -> int:
    """A paid campaign in flight with two weeks of figures, linked to an organic campaign,
    so the paid pages are checked with pacing, a chart and metrics on them (made once)."""
    from datetime import timedelta

    from roost.core import clock
    from roost.paid.testing import ad_account, ad_days, paid_campaign
    from roost.publishing.models import Campaign

    today = clock.now().astimezone(world.a.tzinfo).date()
    organic, _made = Campaign.objects.get_or_create(
        workspace=world.a, name="Paid sample", defaults={"utm_campaign": "paid-sample"}
    )
    found = paid_campaign(
        ad_account(world.a, "Pages ads"),
        "Pages paid campaign",
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=15),
        campaign=organic,
    )
    if not found.days.exists():
        ad_days(found, today - timedelta(days=14), ["90", "110"] * 7, impressions=9000, clicks=90)
    return found.pk


def _analytics_post(world: Any) -> int:
    """A post published five weeks ago on A's channel (before the calendar's views, which
    have checks of their own), with readings and the channel's audience, so the analytics
    pages are checked with charts on them (made once)."""
    from datetime import timedelta

    from roost.analytics.services.recording import channel_day_record
    from roost.analytics.testing import published, read
    from roost.core import clock
    from roost.publishing.models import Post

    text = "Analytics sample post"
    found = Post.objects.filter(workspace=world.a, text=text).first()
    if found is not None:
        return found.pk
    now = clock.now()
    d = published(world.a_channel, now - timedelta(days=35), text)
    for hours, likes in ((1, 4), (6, 9), (24, 12)):
        read(d, d.published_at + timedelta(hours=hours), likes=likes, reposts=2, impressions=300)
    today = now.astimezone(world.a.tzinfo).date()
    for i in range(10):
        channel_day_record(
            channel_id=world.a_channel.pk,
            workspace_id=world.a.pk,
            day=today - timedelta(days=i),
            followers=500 - 3 * i,
        )
    return d.post_id


def _experiment(world: Any) -> int:
    """A running A/B test with counts, so its page shows the tables and the chart."""
    from roost.paid.testing import sample_experiment

    return sample_experiment(world.a).pk


def _listening_topic(world: Any) -> int:
    """A brand and a competitor topic in A with a day of mentions (one of them with a
    long unbroken word and a link) and an alert, so the listening pages are checked with
    figures, charts and lists on them (made once)."""
    from datetime import timedelta

    from roost.core import clock
    from roost.listening.models import Sentiment, Topic
    from roost.listening.testing import alert, mention, topic

    brand = topic(world.a, "Alpha Coffee", query='"alpha coffee"')
    alert(brand)
    if not _has_mentions(brand):
        rival = topic(world.a, "Rival Beans", Topic.Kind.COMPETITOR, query="rival")
        now = clock.now()
        for i, s in enumerate((Sentiment.POSITIVE, Sentiment.NEGATIVE, Sentiment.NEUTRAL) * 4):
            mention(
                [brand, rival] if i % 3 == 0 else [brand],
                at=now - timedelta(hours=2 + i * 5),
                sentiment=s,
                intent=i % 4 == 0,
                text="Alpha coffee " + "x" * 90 if i == 0 else f"Alpha coffee is fine #{i}",
                terms=["latte", f"#tag{i % 3}"],
                author=f"@person{i % 5}.example",
                url="https://bsky.app/profile/x/post/1",
            )
    return brand.pk


def _boost(world: Any) -> int:
    """A boost of A waiting for approval (made once)."""
    from roost.paid.testing import sample_boost

    return sample_boost(world.a).pk


def _hiring(world: Any) -> dict[str, int]:
    """An opening of A with a candidate whom every member interviews (made once)."""
    from roost.team.testing import samples

    return samples(world.a)


def _onboarding(world: Any) -> tuple[int, int]:
    """The Community Manager's default template and a plan from it (made once)."""
    from roost.team.models import OnboardingPlan
    from roost.team.services.onboarding import plan_start, template_for_role

    template = template_for_role(world.a, "community_manager")
    member = world.members["community_manager"]
    plan = OnboardingPlan.objects.filter(member=member).first() or plan_start(
        actor=world.members["owner"],
        member=member,
        template=template,
        mentor=world.members["admin"],
    )
    return template.pk, plan.pk


def _has_mentions(topic: Any) -> bool:
    from roost.listening.models import TopicMention

    return TopicMention.objects.filter(topic=topic).exists()


def _team_builder(world: Any) -> str:
    """The shape and coverage page with a size set, so the seats table shows (made once)."""
    from roost.team.models import TeamSettings

    TeamSettings.objects.get_or_create(workspace=world.a, defaults={"company_size": "large"})
    return f"/w/{world.a.slug}/team/builder/"


def _assessment(world: Any) -> tuple[int, str]:
    """A candidate's inbox exercise, made by the Social Media Manager (made once): its id
    and its workspace's slug."""
    from roost.team.models import Assessment, Candidate, JobOpening
    from roost.team.services.assessment import assessment_create

    # (The route walks' sample exercise is a record without a workspace: not this one.)
    found = Assessment.objects.filter(candidate__workspace=world.a, workspace__isnull=False).first()
    if found is None:
        opening, _made = JobOpening.objects.get_or_create(
            workspace=world.a,
            title="Community Manager (pages)",
            defaults={"role": "community_manager", "description_en": "", "description_pl": ""},
        )
        candidate = Candidate.objects.create(
            workspace=world.a, opening=opening, name="Page Candidate", email="pc@example.test"
        )
        found, _secret = assessment_create(
            actor=world.members[MANAGER], candidate=candidate, scenario="inbox"
        )
    assert found.workspace is not None
    return found.pk, found.workspace.slug


def main_pages(world: Any, role: str) -> dict[str, str]:
    """name -> path of the pages `role` reaches from its menu in workspace A."""
    w = f"/w/{world.a.slug}"
    message = f"{w}/inbox/{world.a_inbox.message.pk}/"
    if role == CARE:
        return {
            "home": f"{w}/",
            "inbox": f"{w}/inbox/",
            "inbox conversation": message,
            "my tasks": f"{w}/inbox/tasks/",
            "team": f"{w}/team/",
            "team workload": f"{w}/team/workload/",
            "crisis switch": f"{w}/publishing/pause/",
            "API tokens": f"{w}/tokens/",
            "notifications": "/notifications/",
            "profile": "/account/",
        }
    return {
        "home": f"{w}/",
        "calendar month": f"{w}/calendar/",
        "calendar week": f"{w}/calendar/week/",
        "calendar list": f"{w}/calendar/list/",
        "compose": f"{w}/compose/",
        "post": f"{w}/posts/{world.a_post.pk}/",
        "approvals": f"{w}/approvals/",
        "approval": f"{w}/approvals/{world.a_request.pk}/",
        "workflows": f"{w}/approvals/workflows/",
        "inbox": f"{w}/inbox/",
        "inbox conversation": message,
        "inbox SLA report": f"{w}/inbox/report/",
        "my tasks": f"{w}/inbox/tasks/",
        "saved replies": f"{w}/inbox/saved-replies/",
        "team": f"{w}/team/",
        "team workload": f"{w}/team/workload/",
        "channels": f"{w}/channels/",
        "media library": f"{w}/media/",
        "campaigns": f"{w}/campaigns/",
        "crisis switch": f"{w}/publishing/pause/",
        "audit log": f"{w}/audit/",
        "API tokens": f"{w}/tokens/",
        "analytics": f"{w}/analytics/",
        "team report": f"{w}/analytics/team/",
        "analytics channel": f"{w}/analytics/channels/{world.a_channel.pk}/?range=90",
        "analytics post": f"{w}/analytics/posts/{_analytics_post(world)}/",
        "analytics ROI": f"{w}/analytics/roi/",
        "analytics reports": f"{w}/analytics/reports/",
        "daily brief": f"{w}/brief/",
        "daily brief settings": f"{w}/brief/settings/",
        "listening": f"{w}/listening/",
        "listening topic": f"{w}/listening/topics/{_listening_topic(world)}/?range=30d",
        "listening new topic": f"{w}/listening/topics/new/",
        "listening mentions": f"{w}/listening/mentions/",
        "listening alerts": f"{w}/listening/alerts/",
        "paid overview": f"{w}/paid/",
        "paid campaigns": f"{w}/paid/campaigns/",
        "paid campaign": f"{w}/paid/campaigns/{_paid_campaign(world)}/",
        "paid planning": f"{w}/paid/planning/",
        "A/B tests": f"{w}/paid/experiments/",
        "A/B test": f"{w}/paid/experiments/{_experiment(world)}/",
        "paid ad accounts": f"{w}/paid/accounts/",
        "paid imports": f"{w}/paid/imports/",
        "paid boosts": f"{w}/paid/boosts/",
        "paid boost": f"{w}/paid/boosts/{_boost(world)}/",
        "team shape and coverage": _team_builder(world),
        "team profile": f"{w}/team/people/{world.members['content_creator'].pk}/",
        "hiring": f"{w}/team/hiring/",
        "hiring opening": f"{w}/team/hiring/{_hiring(world)['opening_id']}/",
        "hiring candidate": f"{w}/team/hiring/candidates/{_hiring(world)['candidate_id']}/",
        "hiring scorecard": f"{w}/team/hiring/{_hiring(world)['opening_id']}/scorecard/",
        "team onboarding": f"{w}/team/onboarding/",
        "onboarding plan": f"{w}/team/onboarding/plans/{_onboarding(world)[1]}/",
        "onboarding template": f"{w}/team/onboarding/templates/{_onboarding(world)[0]}/",
        "assessment results": f"{w}/team/hiring/assessments/{_assessment(world)[0]}/",
        "assessment exercise": f"/w/{_assessment(world)[1]}/assessment/",
        "notifications": "/notifications/",
        "profile": "/account/",
    }


def sign_in(page: Any, base: str, world: Any, role: str) -> None:
    """Give the browser the session of `role`'s member of workspace A (the login form
    itself is covered by test_browser.py)."""
    client = world.client_for(role)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
    )


def visit(page: Any, url: str) -> None:
    """Open `url` and fail on anything but a 200 (a page list that went stale)."""
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_load_state("load")
