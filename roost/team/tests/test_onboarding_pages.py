"""The onboarding pages: the managers' overview, a plan (what a member, their mentor and a
colleague see), ticking from the page, the template editor; fixed query counts."""

from __future__ import annotations

from typing import Any

from roost.conftest import World
from roost.inbox.services.triage import message_set_status
from roost.team.models import OnboardingPlan, OnboardingTemplate, PendingPlan, StepKind
from roost.team.services.onboarding import plan_start, template_for_role
from roost.workspaces.models import AuditEntry, Invite

URL = "/w/alpha/team/onboarding/"


def _start(world: World, role: str, mentor: str | None = None) -> OnboardingPlan:
    template = template_for_role(world.a, role)
    assert template is not None
    return plan_start(
        actor=world.members["social_media_manager"],
        member=world.members[role],
        template=template,
        mentor=world.members[mentor] if mentor else None,
    )


def test_the_overview_shows_every_plan_to_managers_in_fixed_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = world.client_for("social_media_manager")
    client.get(URL)  # the defaults are written on the first visit
    assert OnboardingTemplate.objects.filter(workspace=world.a).count() == 7
    template = template_for_role(world.a, "community_manager")
    assert template is not None
    _start(world, "community_manager", mentor="admin")
    client.get(URL)
    with django_assert_max_num_queries(40) as few:
        html = client.get(URL).content.decode()
    assert html.count('data-testid="plan-row"') == 1
    for role in ("analyst", "sales", "paid_media"):  # the same template: the same checks
        plan_start(
            actor=world.members["social_media_manager"],
            member=world.members[role],
            template=template,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(URL).content.decode()
    assert html.count('data-testid="plan-row"') == 4
    assert html.count("0 of 12 (0%)") == 4
    assert "Alpha Admin" in html


def test_a_content_creator_sees_only_their_own_plan(world: World) -> None:
    own = _start(world, "content_creator")
    other = _start(world, "analyst")
    client = world.client_for("content_creator")
    html = client.get(URL).content.decode()
    assert html.count('data-testid="plan-row"') == 1
    assert f'data-plan="{own.pk}"' in html and "Social Data Analyst" not in html
    assert "start-form" not in html
    response = client.get(f"{URL}plans/{other.pk}/")
    assert response.status_code == 302 and response["Location"] == URL
    assert client.get(f"{URL}plans/{own.pk}/").status_code == 200


def test_a_mentor_sees_their_mentees_plan(world: World) -> None:
    plan = _start(world, "analyst", mentor="content_creator")
    client = world.client_for("content_creator")
    html = client.get(URL).content.decode()
    assert 'data-testid="mentees"' in html and f'data-plan="{plan.pk}"' in html
    assert client.get(f"{URL}plans/{plan.pk}/").status_code == 200


def test_the_plan_page_ticks_the_first_step_when_it_is_opened(world: World) -> None:
    plan = _start(world, "community_manager")
    message_set_status(
        actor=world.members["community_manager"], message=world.a_inbox.message, complete=True
    )
    html = world.client_for("community_manager").get(f"{URL}plans/{plan.pk}/").content.decode()
    assert 'data-testid="plan"' in html
    first = html.split('data-testid="plan-step"')[1]
    assert 'data-done="1"' in first and 'data-check="inbox_handled"' in first
    assert "Done automatically" in first
    assert "Days 1–30" in html and "Days 61–90" in html
    assert "1 of 12" in html


def test_ticking_and_a_check_in_from_the_page(world: World) -> None:
    plan = _start(world, "analyst", mentor="admin")
    step = plan.steps.filter(kind=StepKind.LEARNING).first()
    check_in = plan.steps.filter(kind=StepKind.CHECK_IN).first()
    assert step is not None and check_in is not None
    member = world.client_for("analyst")
    response = member.post(f"{URL}plans/{plan.pk}/tick/", {"step": step.pk, "done": "1"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_by == world.members["analyst"].user
    mentor = world.client_for("admin")
    mentor.post(
        f"{URL}plans/{plan.pk}/tick/", {"step": check_in.pk, "done": "1", "note": "Going well."}
    )
    check_in.refresh_from_db()
    assert check_in.note == "Going well."
    html = member.get(f"{URL}plans/{plan.pk}/").content.decode()
    assert "Going well." in html
    # A colleague's tick changes nothing.
    before = AuditEntry.objects.count()
    response = world.client_for("sales").post(
        f"{URL}plans/{plan.pk}/tick/", {"step": step.pk, "done": ""}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_at is not None and AuditEntry.objects.count() == before
    # A step of another plan is refused in words.
    response = member.post(f"{URL}plans/{plan.pk}/tick/", {"step": 999999, "done": "1"})
    assert response.status_code == 422
    assert "That step is not part of this plan." in response.content.decode()


def test_start_and_invite_forms(world: World) -> None:
    client = world.client_for("social_media_manager")
    client.get(URL)
    template = template_for_role(world.a, "sales")
    assert template is not None
    response = client.post(
        f"{URL}start/",
        {
            "member": world.members["sales"].pk,
            "template": template.pk,
            "mentor": world.members["sales"].pk,
        },
    )
    assert response.status_code == 422
    assert "Nobody can mentor themselves." in response.content.decode()
    assert not OnboardingPlan.objects.exists()
    response = client.post(
        f"{URL}start/", {"member": world.members["sales"].pk, "template": template.pk}
    )
    plan = OnboardingPlan.objects.get()
    assert response["Location"] == f"{URL}plans/{plan.pk}/"
    response = client.post(
        f"{URL}invite/", {"email": "cm2@alpha.test", "role": "community_manager"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="invite-link"' in html and "/invite/" in html
    invite = Invite.objects.get(email="cm2@alpha.test")
    assert PendingPlan.objects.get(invite=invite).template.role == "community_manager"
    denied = world.client_for("content_creator").post(
        f"{URL}invite/", {"email": "x@alpha.test", "role": "analyst"}
    )
    assert denied.status_code == 403
    assert not Invite.objects.filter(email="x@alpha.test").exists()


def test_the_template_editor(world: World) -> None:
    client = world.client_for("social_media_manager")
    template = template_for_role(world.a, "analyst")
    assert template is not None
    url = f"{URL}templates/{template.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "save_step",
            "kind": "activity",
            "title": "Far away",
            "due_day": 91,
            "target": 1,
        },
    )
    assert response.status_code == 422
    assert "The step “Far away” is due on day 91" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "save_step",
            "kind": "activity",
            "title": "Near",
            "due_day": 9,
            "auto_check": "saved_replies",
            "target": 2,
        },
    )
    assert response.status_code == 302
    step = template.steps.get(title="Near")
    assert (step.auto_check, step.target) == ("saved_replies", 2)
    client.post(url, {"action": "delete_step", "step": step.pk})
    assert not template.steps.filter(title="Near").exists()
    response = client.post(url, {"action": "save_template", "name": "Analyst ramp", "days": 100})
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.days) == ("Analyst ramp", 100)
    assert world.client_for("content_creator").get(url).status_code == 403
