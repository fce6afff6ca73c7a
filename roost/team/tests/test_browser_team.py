"""Issue 15's "done when", in a real browser: a manager sets the company size and sees the
coverage gaps, opens a hiring pipeline for a Community Manager, a candidate completes the
inbox exercise in an assessment workspace, is hired, lands in the workspace with their
onboarding plan, and its first step ticks itself when they handle their first inbox item;
the manager's Workload tab then shows workload signals for everyone."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from roost.accounts.models import User
from roost.channels.models import Channel
from roost.conftest import PASSWORD, make_channel, make_user
from roost.core import clock
from roost.inbox.models import Message, MessageStatus, Task
from roost.inbox.services.ingest import ingest
from roost.networks.base import Inbound, InboundKind, InboxPage
from roost.team import tasks as workload_tasks
from roost.team import tasks_onboarding
from roost.team.models import (
    Assessment,
    Candidate,
    Evaluation,
    JobOpening,
    OnboardingPlan,
    PendingPlan,
    PlanStatus,
    TeamSettings,
)
from roost.web.tests.browser import page, screenshot  # noqa: F401 - the fixture
from roost.web.tests.pages import visit
from roost.workspaces import services
from roost.workspaces.models import Invite, Membership, Workspace
from roost.workspaces.seeding import seed_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANDIDATE = ("Casey Candidate", "casey@example.test")
CUSTOMER_TEXT = "Do you have oat milk in the Mokotów café?"


class _NoNetwork:
    """A connector that answers the local content checks and records any network call."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def validate(self, request: Any) -> list[Any]:
        return []

    def __getattr__(self, operation: str) -> Any:
        self.calls.append(operation)
        raise AssertionError(f"{operation}: a network operation was reached")


@pytest.fixture
def network_calls(monkeypatch: Any) -> list[str]:
    """Every connector records instead of connecting (the live server shares the process)."""
    calls: list[str] = []
    monkeypatch.setattr(
        "roost.networks.registry.connector_for", lambda *args, **kwargs: _NoNetwork(calls)
    )
    return calls


def _workspace() -> tuple[Workspace, dict[str, Membership], Channel]:
    """A coffee shop: an owner, a Social Media Manager, a content creator and an analyst
    (nobody covers community or paid), a Sandbox channel and two customers' messages."""
    owner = make_user("owner@shop.test", "Olga Owner")
    workspace = services.workspace_create(actor=owner, name="Shop", timezone="Europe/Warsaw")
    people = {"owner": Membership.objects.get(workspace=workspace, user=owner)}
    for key, role, name in (
        ("manager", "social_media_manager", "Maja Manager"),
        ("creator", "content_creator", "Kuba Creator"),
        ("analyst", "analyst", "Ania Analyst"),
    ):
        people[key] = seed_member(workspace, make_user(f"{key}@shop.test", name), [role])
    channel = make_channel(workspace, "Shop Sandbox")
    now = clock.now()
    ingest(
        channel,
        InboxPage(
            items=tuple(
                Inbound(
                    remote_id=f"shop-{n}",
                    kind=InboundKind.MENTION,
                    text=text,
                    created_at=now,
                    author_id=f"cust-{n}",
                    author_handle=f"customer{n}.sandbox",
                    author_name=author,
                )
                for n, (author, text) in enumerate(
                    (("Ewa Klient", CUSTOMER_TEXT), ("Piotr Gość", "Love the new latte art!"))
                )
            )
        ),
    )
    assert Message.objects.filter(workspace=workspace, outgoing=False).count() == 2
    return workspace, people, channel


def _signed_in(context: Any, base: str, user: User) -> None:
    """Give the browser context `user`'s session (the login form is covered elsewhere)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])


def _on_this_server(base: str, link: str) -> str:
    """A link made with ROOST_BASE_URL, pointed at the live server."""
    parts = urlsplit(link)
    return base + parts.path


def _shape_and_coverage(tab: Any, base: str, slug: str, workspace: Workspace) -> None:
    """Step 2: the manager sets the company size and sees the gaps."""
    from playwright.sync_api import expect

    visit(tab, f"{base}/w/{slug}/team/")
    tab.get_by_test_id("team-nav").get_by_role("link", name="Shape and coverage").click()
    expect(tab.get_by_test_id("no-size")).to_be_visible()
    tab.get_by_test_id("size-mid").check()
    tab.get_by_test_id("size-save").click()
    expect(tab.get_by_test_id("shape")).to_be_visible()
    assert TeamSettings.objects.get(workspace=workspace).company_size == "mid"
    gaps = tab.get_by_test_id("gaps")
    expect(gaps.locator('li[data-gap="community"]')).to_contain_text("Nobody covers Community")
    expect(gaps.locator('li[data-gap="paid"]')).to_be_visible()
    for covered in ("strategy", "content", "publishing", "analytics"):
        expect(gaps.locator(f'li[data-gap="{covered}"]')).to_have_count(0)
    gaps.get_by_test_id("hire-community").click()
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/team/hiring/$"))


def _opening_and_candidate(tab: Any, base: str, slug: str) -> Candidate:
    """Step 3: a Community Manager opening, a candidate, and their inbox exercise."""
    from playwright.sync_api import expect

    expect(tab.get_by_test_id("openings-empty")).to_be_visible()
    tab.get_by_test_id("opening-new").click()
    form = tab.get_by_test_id("opening-form")
    form.get_by_label("Role").select_option("community_manager")
    form.get_by_label("Title").fill("Community Manager")
    form.get_by_test_id("opening-save").click()
    opening = JobOpening.objects.get(title="Community Manager")
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/team/hiring/{opening.pk}/$"))
    assert opening.role == "community_manager"
    expect(tab.get_by_test_id("jd-en")).to_contain_text("Community Manager")
    expect(tab.get_by_test_id("jd-pl")).not_to_be_empty()
    weights = list(opening.criteria.order_by("pk").values_list("name", "weight"))
    assert [w for _n, w in weights] == [3, 3, 2, 1, 1]
    expect(tab.get_by_test_id("scorecard")).to_contain_text("Triage judgement")

    form = tab.get_by_test_id("candidate-form")
    form.get_by_label("Name").fill(CANDIDATE[0])
    form.get_by_label("E-mail address").fill(CANDIDATE[1])
    form.get_by_test_id("candidate-save").click()
    candidate = Candidate.objects.get(opening=opening)
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/team/hiring/candidates/{candidate.pk}/$"))
    expect(tab.get_by_test_id("stage")).to_have_text("Sourced")

    panel = tab.get_by_test_id("assessment-panel")
    panel.get_by_label("Scenario").select_option("inbox")
    panel.get_by_label("Login lasts (days)").fill("3")
    panel.get_by_test_id("assessment-create").click()
    expect(tab.get_by_test_id("assessment-created")).to_contain_text("The exercise is ready")
    candidate.refresh_from_db()
    assert candidate.stage == "exercise"
    return candidate


def _the_exercise(browser: Any, base: str, link: str, assessment: Assessment) -> None:
    """Step 4: the candidate, in a browser of their own, triages two items and submits."""
    from playwright.sync_api import expect

    assert assessment.workspace is not None
    aslug = assessment.workspace.slug
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        tab = context.new_page()
        visit(tab, link)
        expect(tab.get_by_test_id("assessment-start")).to_contain_text(
            "Practical exercise: Community Manager"
        )
        tab.get_by_test_id("assessment-start-button").click()
        expect(tab).to_have_url(re.compile(rf"/w/{aslug}/inbox/$"))
        expect(tab.get_by_test_id("assessment-banner")).to_be_visible()
        items = tab.get_by_test_id("inbox-list")
        expect(items.locator("li.inbox-item")).to_have_count(10)
        pane = tab.get_by_test_id("inbox-pane")

        # The spam: closed without a reply.
        items.locator("li.inbox-item").filter(has_text="Crypto Gains Daily").locator(
            "[data-item]"
        ).click()
        expect(pane.get_by_test_id("thread")).to_contain_text("Turn $100 into $10,000")
        pane.locator("#complete-form").get_by_role("button", name="Complete").click()
        expect(pane.locator("#complete-form").get_by_role("button")).to_have_text("Reopen")

        # The spilled order: a support task for Customer Care.
        items.locator("li.inbox-item").filter(has_text="Mark Ellis").locator("[data-item]").click()
        expect(pane.get_by_test_id("thread")).to_contain_text("beans spilled")
        pane.get_by_text("Create a task").click()
        pane.get_by_label("Kind").select_option("support")
        pane.get_by_label("Notes").fill("Refund order #4471")
        pane.get_by_role("button", name="Create task").click()
        expect(pane.get_by_test_id("tasks")).to_contain_text("Support")
        expect(pane.get_by_test_id("tasks")).to_contain_text("Refund order #4471")

        # Submit from the exercise page the banner links to.
        tab.get_by_test_id("assessment-submit-link").click()
        expect(tab.get_by_test_id("assessment-brief")).to_be_visible()
        tab.get_by_test_id("assessment-submit").click()
        expect(tab.get_by_test_id("assessment-done")).to_contain_text("your exercise is submitted")

        # The login has ended: the workspace's pages send them to the login form.
        tab.goto(f"{base}/w/{aslug}/inbox/")
        expect(tab).to_have_url(re.compile(r"/login/"))
        login = User.objects.get(pk=assessment.login_id)
        assert login.access_expires_at is not None and login.access_expires_at <= clock.now()
        # And the link works once.
        response = tab.goto(link)
        assert response is not None and response.status == 410
    finally:
        context.close()


def _score_and_hire(tab: Any, base: str, slug: str, candidate: Candidate, manager: Any) -> str:
    """Step 5: the manager reads the exercise's facts, scores, and hires; returns the
    invite link shown once."""
    from playwright.sync_api import expect

    visit(tab, f"{base}/w/{slug}/team/hiring/candidates/{candidate.pk}/")
    panel = tab.get_by_test_id("assessment-panel")
    expect(panel.get_by_test_id("assessment-status")).to_have_text("submitted")
    expect(panel.get_by_test_id("assessment-correct")).to_have_text("2 / 10")
    facts = panel.get_by_test_id("assessment-facts")
    order = facts.locator("tr").filter(has_text="Mark Ellis")
    expect(order).to_contain_text("Tasks: Support")
    expect(order.locator("td").last).to_have_text("yes")
    spam = facts.locator("tr").filter(has_text="Crypto Gains Daily")
    expect(spam).to_contain_text("Completed")
    expect(spam.locator("td").last).to_have_text("yes")

    # The manager interviews them too, and fills the scorecard.
    tab.get_by_test_id("interviewers").get_by_label(manager.user.display_name).check()
    tab.get_by_test_id("interviewers-save").click()
    expect(tab.locator(".messages")).to_contain_text("Interviewers saved.")
    own = tab.get_by_test_id("own-scorecard")
    scores = {
        "Written replies": "4",
        "Triage judgement": "5",
        "Escalation": "4",
        "Brand voice": "3",
        "Product knowledge": "3",
    }
    for name, score in scores.items():
        own.locator("fieldset").filter(has_text=name).get_by_label(score, exact=True).check()
    own.get_by_label("Notes").fill("Spotted the spam and the refund at once.")
    own.get_by_label("Hire", exact=True).check()
    own.get_by_test_id("scorecard-submit").click()
    expect(tab.locator(".messages")).to_contain_text("Your scorecard is submitted.")
    # (4×3 + 5×3 + 4×2 + 3 + 3) ÷ 10 = 4.1
    expect(tab.get_by_test_id("average")).to_contain_text("4.1")
    evaluation = Evaluation.objects.get(candidate=candidate)
    assert (evaluation.interviewer_id, evaluation.recommendation) == (manager.pk, "hire")
    assert sorted(evaluation.scores.values()) == [3, 3, 4, 4, 5]

    for stage, label in (("interview", "Interview"), ("offer", "Offer")):
        tab.get_by_test_id("stage-form").get_by_label("Move to").select_option(stage)
        tab.get_by_test_id("stage-save").click()
        expect(tab.get_by_test_id("stage")).to_have_text(label)
    assert not Invite.objects.filter(email=CANDIDATE[1]).exists()
    tab.get_by_test_id("stage-form").get_by_label("Move to").select_option("hired")
    tab.get_by_test_id("stage-save").click()
    expect(tab.get_by_test_id("hired")).to_be_visible()
    expect(tab.get_by_test_id("stage")).to_have_text("Hired")
    expect(tab.get_by_test_id("hired-plan")).to_contain_text("Community Manager")
    link: str = tab.get_by_test_id("invite-link").inner_text().strip()

    invite = Invite.objects.get(email=CANDIDATE[1])
    assert invite.roles == ["community_manager"] and invite.accepted_at is None
    pending = PendingPlan.objects.get(invite=invite)
    assert pending.template.role == "community_manager"
    candidate.refresh_from_db()
    assert candidate.stage == "hired"
    # The link is shown once: the candidate's page no longer holds it.
    visit(tab, f"{base}/w/{slug}/team/hiring/candidates/{candidate.pk}/")
    expect(tab.get_by_test_id("hired")).to_have_count(0)
    assert urlsplit(link).path not in tab.content()
    return link


def _the_hire_joins(browser: Any, base: str, link: str, workspace: Workspace) -> Any:
    """Steps 6 and 7: the hire signs up through the invite, finds their plan, handles an
    inbox item, and the plan's first step ticks itself. Returns their (open) context."""
    from playwright.sync_api import expect

    slug = workspace.slug
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    tab = context.new_page()
    visit(tab, link)
    tab.get_by_label("Your name").fill(CANDIDATE[0])
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Create account and join").click()
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/team/$"))

    hire = Membership.objects.get(workspace=workspace, user__email=CANDIDATE[1])
    assert list(hire.roles.values_list("role", flat=True)) == ["community_manager"]
    plan = OnboardingPlan.objects.get(member=hire)
    today = clock.now().astimezone(workspace.tzinfo).date()
    assert (plan.status, plan.starts_on) == (PlanStatus.ACTIVE, today)
    first = plan.steps.order_by("due_on", "position", "pk").first()
    assert first is not None and first.title == "Handle your first inbox item"
    assert first.done_at is None

    tab.get_by_test_id("team-nav").get_by_role("link", name="Onboarding").click()
    tab.get_by_test_id("my-plan").get_by_role("link").first.click()
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/team/onboarding/plans/{plan.pk}/$"))
    step = tab.get_by_test_id("plan-step").first
    expect(step).to_contain_text("Handle your first inbox item")
    expect(step).to_have_attribute("data-done", "0")

    # Their first inbox item: the customer's question, completed from the inbox.
    visit(tab, f"{base}/w/{slug}/inbox/")
    items = tab.get_by_test_id("inbox-list")
    items.locator("li.inbox-item").filter(has_text=CUSTOMER_TEXT).locator("[data-item]").click()
    pane = tab.get_by_test_id("inbox-pane")
    expect(pane.get_by_test_id("thread")).to_contain_text(CUSTOMER_TEXT)
    pane.locator("#complete-form").get_by_role("button", name="Complete").click()
    expect(pane.locator("#complete-form").get_by_role("button")).to_have_text("Reopen")
    message = Message.objects.get(workspace=workspace, text=CUSTOMER_TEXT)
    assert (message.status, message.completed_by_id) == (MessageStatus.COMPLETE, hire.user_id)

    # The onboarding job ticks it (nobody ticks it by hand); a second run ticks nothing.
    assert tasks_onboarding.refresh_onboarding_plans.call() == 1
    assert tasks_onboarding.refresh_onboarding_plans.call() == 0
    first.refresh_from_db()
    assert first.done_at is not None and first.done_by_id is None
    visit(tab, f"{base}/w/{slug}/team/onboarding/plans/{plan.pk}/")
    step = tab.get_by_test_id("plan-step").first
    expect(step).to_have_attribute("data-done", "1")
    expect(step).to_contain_text("Done automatically")
    expect(tab.get_by_test_id("plan-step").nth(1)).to_have_attribute("data-done", "0")
    return context


def _workload_for_everyone(tab: Any, base: str, slug: str, workspace: Workspace) -> None:
    """Step 8: the roll-up runs; the manager's Workload tab has a row for every member."""
    from playwright.sync_api import expect

    assert workload_tasks.workload_signals.call() == 0  # no workspace failed
    visit(tab, f"{base}/w/{slug}/team/")
    tab.get_by_test_id("team-nav").get_by_role("link", name="Workload").click()
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/team/workload/$"))
    in_workspace = Membership.objects.filter(workspace=workspace)
    members = {str(pk) for pk in in_workspace.values_list("pk", flat=True)}
    assert len(members) == 5  # owner, manager, creator, analyst and the hire
    rows = tab.get_by_test_id("signal-row")
    expect(rows).to_have_count(len(members))
    shown = {rows.nth(i).get_attribute("data-member") for i in range(rows.count())}
    assert shown == members
    hire = Membership.objects.get(workspace=workspace, user__email=CANDIDATE[1])
    expect(tab.locator(f'[data-testid="signal-row"][data-member="{hire.pk}"]')).to_contain_text(
        CANDIDATE[0]
    )


def test_a_manager_hires_a_community_manager_who_onboards_in_roost(
    live_server: Any,
    page: Any,  # noqa: F811 - the fixture
    network_calls: list[str],
) -> None:
    base = live_server.url
    workspace, people, _channel = _workspace()
    slug = workspace.slug
    manager = people["manager"]
    _signed_in(page.context, base, manager.user)

    _shape_and_coverage(page, base, slug, workspace)
    candidate = _opening_and_candidate(page, base, slug)
    link = _on_this_server(base, page.get_by_test_id("assessment-link").input_value())
    assessment = Assessment.objects.select_related("workspace").get(candidate=candidate)
    assert assessment.workspace is not None and assessment.workspace.pk != workspace.pk

    browser = page.context.browser
    _the_exercise(browser, base, link, assessment)
    assessment.refresh_from_db()
    assert assessment.submitted_at is not None
    seeded = {int(k): v["key"] for k, v in assessment.expected["messages"].items()}
    spam = next(pk for pk, key in seeded.items() if key == "spam")
    assert Message.objects.get(pk=spam).status == MessageStatus.COMPLETE
    task = Task.objects.get(workspace=assessment.workspace)
    assert (task.kind, task.notes) == ("support", "Refund order #4471")
    # Nothing left Roost: no connector was asked for a network operation, and the
    # assessment workspace holds no outgoing message.
    assert network_calls == []
    assert not Message.objects.filter(workspace=assessment.workspace, outgoing=True).exists()

    invite_link = _on_this_server(base, _score_and_hire(page, base, slug, candidate, manager))
    hire_context = _the_hire_joins(browser, base, invite_link, workspace)
    try:
        _workload_for_everyone(page, base, slug, workspace)
        assert network_calls == []
        screenshot(page, "team-done-when")
    finally:
        hire_context.close()
